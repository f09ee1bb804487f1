"""What a smaller event ring costs the host (rrfw/call/events.py, issue 14).

The busy run's board events (tests/support/busytraffic.py: 2 lines, 15 min)
are emitted again, in order and at their own times, through the firmware's
Events (CPython: the same class, the same JSON texts) at each ring size, and
for each size it prints how far back the ring reached once it had filled (the
shortest, 10th percentile and median span, in s) and how many events a host
would get as a gap line had it left just before each one and asked `since`
4, 10 or 30 s later (ringroute monitor's reconnect takes about 4 s).

  python -m bench.ring_replay                     # runs the busy run first (mp32-frozen, 1024K)
  python -m bench.ring_replay --events FILE.json  # a run's board events kept before (--save FILE.json)
  python -m bench.ring_replay 3072:64 2560:32     # sizes: bytes:slots
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for p in (os.path.join(ROOT, "tests", "support"), os.path.join(ROOT, "host_tools"), os.path.join(ROOT, "firmware")):
    if p not in sys.path:
        sys.path.insert(0, p)

from rrfw.call import events as ev_mod  # noqa: E402

DEFAULT_SIZES = ((3072, 64), (2560, 32), (2048, 32), (1536, 32))
RECONNECT_S = (4, 10, 30)
_SET_BY_EMIT = ("src", "seq", "t_ms", "event")


def busy_events():
    import busytraffic
    r = busytraffic.run("mp32-frozen", "1024K")
    if not r.ok:
        raise SystemExit("the busy run failed: %s" % r.why)
    return [e for e in r.events if e.get("src") == "board"]


def _replay(events, nbytes, slots, each):
    clock = ev_mod.Clock()
    ring = ev_mod.Events(clock, size=slots, nbytes=nbytes)
    for e in events:
        each(ring, e["t_ms"])
        clock.ms = e["t_ms"]
        ring.emit(e["event"], **{k: v for k, v in e.items() if k not in _SET_BY_EMIT})
        each(ring, None)


def spans(events, nbytes, slots):
    """The ring's reach back (ms) after every emit once it has overwritten one."""
    out = []
    times = {}

    def each(ring, t):
        if t is None:
            times[ring.seq] = ring.clock.ms
            if ring.overwritten:
                out.append(ring.clock.ms - times[ring.first_seq()])
    _replay(events, nbytes, slots, each)
    return sorted(out)


def gaps(events, nbytes, slots, after_ms):
    """Events lost to a host that left just before each one and came back after_ms later."""
    pending = []
    lost = [0, 0]   # lost, asked (the last after_ms of the run are never asked)

    def each(ring, t):
        if t is None:
            pending.append((ring.seq, ring.clock.ms + after_ms))
            return
        while pending and pending[0][1] < t:
            seq = pending.pop(0)[0]
            lost[1] += 1
            if seq < ring.first_seq():
                lost[0] += 1
    _replay(events, nbytes, slots, each)
    return lost


def main(argv):
    events = None
    if "--events" in argv:
        i = argv.index("--events")
        with open(argv[i + 1]) as f:
            events = json.load(f)
        argv = argv[:i] + argv[i + 2:]
    save = None
    if "--save" in argv:
        i = argv.index("--save")
        save = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    sizes = [tuple(int(x) for x in a.split(":")) for a in argv] or DEFAULT_SIZES
    if events is None:
        events = busy_events()
        if save:
            with open(save, "w") as f:
                json.dump(events, f)
    print("the busy run's %d board events replayed (mean text %d B)" % (
        len(events), sum(len(json.dumps({k: v for k, v in e.items() if k != "src"})) for e in events)
        // len(events)))
    for nbytes, slots in sizes:
        s = spans(events, nbytes, slots)
        g = [gaps(events, nbytes, slots, d * 1000) for d in RECONNECT_S]
        print("ring %5d B %2d slots: reach back min %.1f s, p10 %.1f, median %.1f; "
              "gap after %s s: %s of %s events" % (
                  nbytes, slots, s[0] / 1000, s[len(s) // 10] / 1000, s[len(s) // 2] / 1000,
                  "/".join(str(d) for d in RECONNECT_S), "/".join(str(n[0]) for n in g),
                  "/".join(str(n[1]) for n in g)))


if __name__ == "__main__":
    main(sys.argv[1:])
