# What ships to the board: the one list. MicroPython's build freezes it
# (boards/reference/manifest.py includes this file; `make mp32` will too),
# and the host reads the same list (ringroute.fwbuild) for `ringroute flash`,
# `make mpy`, the emulator's .mpy build and the static checks. A file that is
# not named here never reaches the board, and `ringroute flash` removes from
# the board what is no longer named here.
#
# Not listed, so never on the board: this file, the emulated board (rremu/),
# and the plain-Python twins of the viper kernels (*_plain.py: CPython and
# the agreement tests only). main.py is copied to the flash root as source.
metadata(description="ringroute call-routing appliance firmware", version="0.1.0")

package(
    "rrfw",
    files=(
        "__init__.py",
        "compat.py",
        "errors.py",
        "supervisor.py",   # the run loop main.py starts: config fallback, restarts, gc policy
        # hal: the only hardware access
        "hal/__init__.py",
        "hal/base.py",
        "hal/pcm.py",
        "hal/esp32.py",
        # dsp: signals in and out
        "dsp/__init__.py",
        "dsp/tonetab.py",      # generated tables (scripts/gen_tonetab.py): import first, so bytes stay put
        "dsp/dtmf.py",
        "dsp/dtmfgen.py",
        "dsp/callerid.py",
        "dsp/tones.py",
        "dsp/tonegen.py",
        # line: the trunk line's signalling
        "line/__init__.py",
        "line/profiles.py",
        "line/ringdet.py",
        "line/car.py",
        "line/hangup.py",
        "line/progress.py",
        "line/dialler.py",
        "line/learn.py",
        "line/hookflash.py",
        # store: flash
        "store/__init__.py",
        "store/atomic.py",
        "store/cfgstore.py",
        "store/cfgcheck.py",
        "store/records.py",
        "store/recformat.py",
        "store/recrare.py",
        "store/pins.py",
        "store/wipe.py",
        "store/callid.py",
        "store/dnc.py",
        "store/jobstore.py",
        # call: the call logic
        "call/__init__.py",
        "call/states.py",
        "call/events.py",
        "call/boardstate.py",
        "call/record.py",
        "call/player.py",
        "call/schedule.py",
        "call/agents.py",
        "call/router.py",
        "call/transfer.py",
        "call/queuetalk.py",
        "call/ivr.py",
        "call/numplan.py",
        "call/callbacks.py",
        "call/localtime.py",
        "call/dialer.py",
        "call/campaign.py",
        "call/privacy.py",
        "call/extdial.py",
        "call/intercom.py",
        "call/inbound.py",
        "call/callout.py",
        "call/disa.py",
        "call/remote.py",
        "call/learncall.py",
        "call/linecall.py",
        "call/app.py",
        # console: the serial console
        "console/__init__.py",
        "console/protocol.py",
        "console/auth.py",
        "console/authpin.py",
        "console/server.py",
        "console/commands.py",
    ),
    base_path="..",
)
