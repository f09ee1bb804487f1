# Runs under the 32-bit frozen MicroPython (`make mp32`), from the repo root
# (bench_heap.py runs it and prints its table first):
#   python -m bench.bench_heap --parts  (or: bench/heap_parts.py FLASH_DIR under mp32-frozen)
# Where the heap goes: the firmware booted as main.py boots it (the busy
# run's config: 2 lines, 8 extensions, queues, call-backs), on the stand-in
# board (tests/support/standin_hal.py), with gc.mem_alloc() after a
# collection around every import and construction (bytes; the stand-in's
# own code is measured out). Each figure is the heap the step added and
# kept (its objects, its module's globals and functions: frozen bytecode
# is in flash, not the heap).
import gc
import sys

sys.path.append("tests/support")
PARTS = []


def live():
    gc.collect()
    return gc.mem_alloc()


def part(label, fn):
    a = live()
    keep = fn()
    b = live()
    PARTS.append((label, b - a))
    return keep


def imp(name):
    return part("import " + name, lambda: __import__(name))


def main(flash):
    import os
    from standin_hal import StandInHal   # the stand-in board: neither the firmware's nor counted
    gc.collect()
    start = live()
    os.chdir(flash)
    for m in ("rrfw.compat", "rrfw.errors", "rrfw.store.atomic", "rrfw.store.cfgstore"):
        imp(m)
    from rrfw.store import cfgstore
    cfg = part("config dict (json.loads of config.json)", lambda: cfgstore.load()[0])
    hal = StandInHal(2, 8)
    for m in ("rrfw.call.events", "rrfw.store.records", "rrfw.call.router", "rrfw.call.schedule",
              "rrfw.call.ivr", "rrfw.dsp.tonegen", "rrfw.call.record",
              "rrfw.call.linecall", "rrfw.hal.pcm", "rrfw.call.player", "rrfw.call.app",
              "rrfw.call.boardstate", "rrfw.call.agents", "rrfw.dsp.dtmf", "rrfw.line.ringdet",
              "rrfw.line.profiles", "rrfw.line.hangup", "rrfw.dsp.callerid", "rrfw.call.inbound",
              "rrfw.call.callbacks"):
        imp(m)
    from rrfw.call import events, boardstate, agents, router, linecall, callbacks
    from rrfw.call.player import Player
    from rrfw.store import records
    from rrfw.dsp import dtmf, callerid, tonegen
    from rrfw.line import ringdet, hangup
    from rrfw.call import ivr
    keep = []
    clock = events.Clock()
    ev = part("Events (the ring, empty)", lambda: events.Events(clock))
    board = part("BoardState", lambda: boardstate.BoardState())
    recs = part("Records", lambda: records.Records(settings=cfg.get("records")))
    ag = part("Agents", lambda: agents.Agents(cfg, 8, ev.emit))
    ports = part("Ports", lambda: router.Ports(8, ag))
    keep.append(part("DtmfReceiver", dtmf.DtmfReceiver))
    keep.append(part("RingDetector", ringdet.RingDetector))
    keep.append(part("HangupDetector", lambda: hangup.HangupDetector(profile="US")))
    from rrfw.dsp import tones
    keep.append(part("  its ToneDetector (busy, reorder)", lambda: tones.ToneDetector("US", ("busy", "reorder"))))
    keep.append(part("CallerIdDecoder, its own arrays (a ringing line's borrows its DTMF state)",
                     callerid.CallerIdDecoder))
    lent = dtmf.DtmfReceiver().lend()
    keep.append(part("  CallerIdDecoder as a ringing line makes it (arrays lent)",
                     lambda: callerid.CallerIdDecoder(scratch=lent)))
    keep.append(part("ToneGen (ringback)", lambda: tonegen.ToneGen((440, 480), (2000, 4000), -19)))
    keep.append(part("Player", lambda: Player(0, ev.emit)))
    keep.append(part("Ivr", lambda: ivr.Ivr(cfg, keep[-1], ev.emit, clock=hal.rtc_utc, board=board)))

    def factory(c, player, emit, clock=None):
        return ivr.Ivr(c, player, emit, clock=clock, board=board)
    for i in range(2):
        keep.append(part("LineCall %d (all its objects)" % (i + 1), lambda: linecall.LineCall(
            i, hal, cfg, clock, ev, recs, ports, factory, dtmf.DtmfReceiver, ringdet.RingDetector,
            hangup.HangupDetector, callerid.CallerIdDecoder, Player(i, ev.emit), hal.rtc_utc,
            keep[-1] if i else None)))   # as app.py: line 2 shares line 1's ringback table
    keep.append(part("Callbacks", lambda: callbacks.Callbacks(cfg, ev.emit)))
    imp("rrfw.console.protocol")
    imp("rrfw.console.server")
    # the whole boot as main.py does it, for the total
    del keep, ev, board, recs, ag, ports, lent
    gc.collect()
    from rrfw.call import app as app_mod
    from rrfw.console import server
    a = part("App (whole, 2 lines)", lambda: app_mod.App(hal, cfg))
    part("Console", lambda: setattr(a, "console", server.Console(a, hal)))
    for m in ("rrfw.call.numplan", "rrfw.dsp.dtmfgen", "rrfw.line.progress", "rrfw.call.callout"):
        imp(m)
    from rrfw.call import callout
    from rrfw.line import progress
    from rrfw.dsp import dtmfgen
    keep = [part("  CallProgress (US)", lambda: progress.CallProgress("US")),
            part("  DtmfGenerator", dtmfgen.DtmfGenerator)]
    del keep

    def dialled():
        cp = progress.CallProgress("US")
        cp.dialled(0)   # its detector of the answer phase (line/progress.py)
        return cp
    keep = part("  CallProgress (US), once dialled", dialled)
    del keep
    for lc in a.lines:
        part("line %d: Callout (first call-back)" % (lc.line + 1),
             lambda: setattr(lc, "callout", callout.Callout(lc)))
    for m in ("rrfw.console.auth", "rrfw.console.commands"):
        imp(m)
    total = live() - start
    w = max(len(x) for x, _ in PARTS)
    for label, n in PARTS:
        print("%-*s %7d" % (w, label, n))
    print("%-*s %7d" % (w, "live heap above the stand-in board", total))


main(sys.argv[1] if len(sys.argv) > 1 else ".")
