# Test runner for the trunk-line firmware (ringdet, hangup, tones), run under
# `micropython` (MICROPYPATH=firmware) or CPython (PYTHONPATH=firmware).
# argv: KIND PARAMS.json -> one JSON object per line on stdout.
#   ring:   {"cadence": [..] or null, "pulses": FILE (one byte per block)}
#           prints each ring event, {"ended_ms": t} when `ended` first turns True
#   hangup: {"profile": CC, "kw": {...}, "raw": FILE (int16 per sample), "ctrl": FILE
#           (3 bytes per block: loop 0/1, polarity 0/1 = +1/-1, playing 0/1), "heap_lock": bool}
#           prints {"method": m, "t_ms": t} when it fires (or method null at the end)
#   progress: {"profile": CC, "kw": {...}, "raw": FILE, "ctrl": FILE, "dialled_ms": t,
#           "share_raw": FILE or null}: prints progress events and {"result": r}; with
#           share_raw, a HangupDetector first hears that audio, then lends its tone
#           matchers (prints {"shared": how many of the progress detector's are its})
#   learn:  {"profile": CC, "kw": {...}, "raw": FILE, "ctrl": FILE} prints the learn report
#   tones:  {"profile": CC, "raw": FILE, "heap_lock": bool} prints events and
#           {"current": name, "t_ms": t} when `current` changes
import sys
import json
from array import array

try:
    import micropython
    _lock = micropython.heap_lock
    _unlock = micropython.heap_unlock
except (ImportError, AttributeError):
    def _lock():
        pass

    def _unlock():
        pass


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    kind = sys.argv[1]
    with open(sys.argv[2]) as f:
        p = json.load(f)
    if kind == "ring":
        from rrfw.line import ringdet
        r = ringdet.RingDetector(cadence=p["cadence"])
        pulses = read(p["pulses"])
        ended = False
        lock = p.get("heap_lock", False)
        for i in range(len(pulses)):
            t = i * 10
            if lock:
                _lock()
            r.process(pulses[i], t)
            if lock:
                _unlock()
            ev = r.pop()
            if ev is not None:
                ev["rings"] = r.rings
                print(json.dumps(ev))
            if r.ended and not ended:
                ended = True
                print(json.dumps({"ended_ms": t}))
        print(json.dumps({"rings": r.rings}))
        return
    f = open(p["raw"], "rb")      # streamed: recordings may be longer than the heap
    blk = array("h", bytes(160))
    nblk = 0
    if kind == "hangup":
        from rrfw.line import hangup
        kw = p.get("kw", {})
        h = hangup.HangupDetector(p["profile"], **kw)
        h.reset(0)
        ctrl = read(p["ctrl"])
        lock = p.get("heap_lock", False)
        i = -1
        while f.readinto(blk) == 160:
            i += 1
            nblk = i + 1
            t = i * 10
            c = i * 3
            if lock:
                _lock()
            m = h.process(blk, t, ctrl[c] != 0, 1 if ctrl[c + 1] == 0 else -1, ctrl[c + 2] != 0)
            if lock:
                _unlock()
            if m is not None:
                print(json.dumps({"method": m, "t_ms": t}))
                return
        print(json.dumps({"method": None, "t_ms": nblk * 10}))
        return
    if kind == "tones":
        from rrfw.dsp import tones
        d = tones.ToneDetector(p["profile"])
        lock = p.get("heap_lock", False)
        cur = None
        i = -1
        while f.readinto(blk) == 160:
            i += 1
            nblk = i + 1
            t = i * 10
            if lock:
                _lock()
            d.process(blk, t)
            if lock:
                _unlock()
            if d.current != cur:
                cur = d.current
                print(json.dumps({"current": cur, "t_ms": t}))
            ev = d.pop()
            while ev is not None:
                print(json.dumps(ev))
                ev = d.pop()
        d.finish(nblk * 10)
        ev = d.pop()
        while ev is not None:
            print(json.dumps(ev))
            ev = d.pop()
        return
    if kind == "progress":
        from rrfw.line import progress
        ctrl = read(p["ctrl"])
        share = None
        if p.get("share_raw") is not None:
            # the line's hang-up detector, after hearing share_raw (its matchers left
            # mid-chain), lends its tone matchers to call progress
            from rrfw.line import hangup
            hd = hangup.HangupDetector(profile=p["profile"])
            hd.reset(0)
            with open(p["share_raw"], "rb") as g:
                i = 0
                while g.readinto(blk) == 160:
                    hd.process(blk, i * 10, True, 1, False)
                    i += 1
            share = hd.tones
            kw = dict(p.get("kw", {}))
            kw["share"] = share
            cp = progress.CallProgress(p["profile"], **kw)
        else:
            cp = progress.CallProgress(p["profile"], **p.get("kw", {}))
        cp.reset(0)
        dialled = p.get("dialled_ms")
        lock = p.get("heap_lock", False)
        i = -1
        while f.readinto(blk) == 160:
            i += 1
            t = i * 10
            c = i * 3
            if dialled is not None and t == dialled:
                cp.dialled(t)
                if share is not None:
                    # the detector dialled() made: the hang-up detector's matchers in it
                    print(json.dumps({"shared": sum(1 for tn in cp.det._tones if tn in share._tones)}))
            if lock:
                _lock()
            cp.process(blk, t, ctrl[c] != 0, 1 if ctrl[c + 1] == 0 else -1)
            if lock:
                _unlock()
            ev = cp.pop()
            while ev is not None:
                print(json.dumps(ev))
                ev = cp.pop()
        print(json.dumps({"result": cp.result}))
        return
    if kind == "learn":
        from rrfw.line import learn as linelearn
        ll = linelearn.LineLearner(p["profile"], **p.get("kw", {}))
        ll.reset(0)
        ctrl = read(p["ctrl"])
        i = -1
        while f.readinto(blk) == 160:
            i += 1
            t = i * 10
            c = i * 3
            ll.process(blk, t, ctrl[c] != 0, 1 if ctrl[c + 1] == 0 else -1)
            if ll.done:
                break
        ll.finish((i + 1) * 10)
        print(json.dumps(ll.pop()))
        return
    raise SystemExit("unknown kind " + kind)


main()
