# Runs under the `micropython` binary (bench_emulator.py starts it):
#   micropython bench/fw_heap.py CONFIG.json WORKDIR TESTS_SUPPORT_DIR
# Walks one whole call on the stand-in board (tests/support/standin_hal.py) with a
# garbage collection after every block, and prints the code's heap (module
# bytecode and objects: in flash on a frozen build) and the peak of live
# data (buffers, config, call state) above it.
import gc
import sys

sys.path.append(sys.argv[3])   # tests/support/, for the stand-in board

MODULES = ("rrfw.compat", "rrfw.hal.pcm", "rremu.blockframe", "rrfw.call.events", "rrfw.store.atomic",
           "rrfw.store.cfgstore", "rrfw.store.records", "rrfw.call.player", "rrfw.call.router",
           "rrfw.call.record", "rrfw.call.boardstate", "rrfw.call.inbound",
           "rrfw.line.profiles", "rrfw.line.ringdet", "rrfw.line.hangup", "rrfw.dsp.dtmf", "rrfw.dsp.dtmfgen",
           "rrfw.line.progress", "rrfw.dsp.tonegen", "rrfw.call.callbacks", "rrfw.call.extdial",
           "rrfw.dsp.callerid", "rrfw.dsp.tones", "rrfw.call.schedule", "rrfw.call.ivr",
           "rrfw.call.linecall", "rrfw.call.app")


def main(cfg_path, work):
    gc.collect()
    base = gc.mem_alloc()
    for m in MODULES:
        __import__(m)
    gc.collect()
    code = gc.mem_alloc() - base
    # the stand-in board is the test's, not the firmware's: its code (and the
    # emulated board's state class it builds on) counts as neither
    from standin_hal import StandInHal, board_dir, us_ring_pulses
    from rrfw.call import states   # the test's names for the states (the firmware keeps copies)
    gc.collect()
    base += gc.mem_alloc() - base - code   # from here on, above the firmware's code and the stand-in's
    from rrfw.call import app as app_mod
    from rrfw.call import linecall
    cfg = board_dir(cfg_path, work)
    hal = StandInHal()
    a = app_mod.App(hal, cfg)
    gc.collect()
    after_boot = gc.mem_alloc() - base - code
    peak = after_boot
    lc = a.lines[0]
    t_route = None
    for b in range(3000):
        t = b * 10
        hal.pulses = us_ring_pulses(t) if t < 8000 else 0
        hal.loop = hal.hook[0] and t < 25000
        if lc.state == states.IVR and t > 10000:
            lc.act(t, ("route", "ext", "101"))
        if lc.state == states.ROUTING and t_route is None:
            t_route = t
        if t_route is not None and hal.ring:
            hal.offhook_ports |= hal.ring
        hal.next_block()
        a.step()
        gc.collect()
        live = gc.mem_alloc() - base - code
        if live > peak:
            peak = live
    print("code %d data_boot %d data_peak %d states_seen %s" % (code, after_boot, peak, lc.call))


main(sys.argv[1], sys.argv[2])
