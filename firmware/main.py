# Board entry point. On the ESP32 this is main.py on the flash; here it runs
# under `micropython` (or python3) with `--emu SOCKET` against the emulator.
#   main.py --emu SOCKET [--lines N] [--exts N] [--root DIR] [--console stdio]
# With --console stdio the emulated board's console (REPL UART) is this
# process's stdin/stdout, a pty set up by `ringroute emulate --pty`; Ctrl-C
# there stops the app and starts the emulated REPL (rremu/repl.py), as
# MicroPython's own REPL takes over on the board.
#
# The firmware itself is the package rrfw (frozen, or .mpy files on the
# flash); rremu is the emulated board's own code and never ships.
import gc
import sys

from rrfw.compat import unload
from rrfw.errors import Reboot
from rrfw.store import cfgstore


def _arg(argv, name, default=None):
    if name in argv:
        i = argv.index(name)
        if i + 1 < len(argv):
            return argv[i + 1]
    return default


def make_hal(argv):
    sock = _arg(argv, "--emu")
    if sock:
        from rremu import board as hal_emu
        port = None
        if _arg(argv, "--console") == "stdio":
            from rremu import repl as replemu
            port = replemu.Port()
        return hal_emu.Hal(sock, int(_arg(argv, "--lines", "2")), int(_arg(argv, "--exts", "4")),
                           console=port)
    from rrfw.hal import esp32
    return esp32.Hal()


def main(argv):
    root = _arg(argv, "--root")
    import os
    if root:
        os.chdir(root)
    root = os.getcwd()
    hal = None
    board = None   # the board's state (boardstate.py), kept only across a config switch
    while True:  # one pass per (soft) boot; the emulated link survives a soft reset
        a = None
        try:
            if hal is not None:
                hal.reset_outputs()  # what a reset does to the relays and SLICs
            a = boot(argv, hal, board)
            hal = a.hal
            board = a.board
            a.run()
            return  # the emulated world stopped
        except KeyboardInterrupt:
            port = hal.repl_port() if hal is not None else None
            if port is None:
                raise  # the board: MicroPython's own REPL takes over
            a = None
            board = None   # a soft reset clears RAM
            gc.collect()
            from rremu import repl
            if repl.Repl(hal, port, root).run() == "stop":
                return
        except Reboot as e:
            if e.why != "config":
                board = None   # a reset, a factory reset: nothing of the old RAM stays
                hal.reboot()  # the board: machine.reset()
        a = None
        gc.collect()


def boot(argv, hal, board=None):
    # The board's long-lived buffers first (the HAL's, the console's), while
    # the heap is still in one piece: made after the config check's
    # transients they may find no hole large enough (docs/notes/heap.md).
    if hal is None:
        hal = make_hal(argv)
    from rrfw.console import server
    from rrfw.call import events
    bufs = server.buffers()
    ring = bytearray(events.RING_BYTES)
    try:
        from rrfw.store import cfgcheck
        check = cfgcheck.check
    except ImportError:  # a build without the checker still boots on a host-validated config
        check = None
    cfg, source = cfgstore.load(check)
    # The checker is needed only while a config is being taken; its code
    # would otherwise hold heap the whole time (the console imports it again
    # for a push).
    check = None
    cfgcheck = None
    unload("rrfw.store.cfgcheck")
    gc.collect()
    if cfg is None:
        # No good config: stay on-hook (the exchange then rolls the call over
        # or the caller hears ringing), but keep the console up for a push.
        print("ringroute: no usable configuration (%s); lines stay idle" % source)
        cfg = {"version": 1, "lines": [], "extensions": {}}
    from rrfw import VERSION
    from rrfw.call import app
    a = app.App(hal, cfg, board=board, ring=ring)
    sink = hal.event_sink()
    if sink is not None:
        a.events.sinks.append(sink)
    a.console = server.Console(a, hal, config_source=source, bufs=bufs)
    a.events.emit("boot", version=VERSION, config=source)
    return a


main(sys.argv)
