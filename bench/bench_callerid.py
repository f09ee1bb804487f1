"""Caller-ID decoder: exact-decode rate per level and SNR (under micropython), beside
spandsp 0.0.6's ADSI receiver (Debian libspandsp2, via ctypes, told the right
standard) on the same signals; and CPU time per second of audio on the unix port.

    .venv/bin/python -m bench callerid
"""
import os
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))   # the shared test helpers

from ringroute import paths  # noqa: E402
from ringroute.signals import callerid as G  # noqa: E402

from callerid_helpers import decode_batch, exact, pcm, random_case, run_micropython  # noqa: E402

LEVELS = (-5, -15, -25, -35, -40)
SNRS = (None, 20, 15, 10)
PER_CELL = 10

_CPU = r"""
import sys, time
from array import array
from rrfw.dsp import callerid as C
std = sys.argv[2]
d = C.CallerIdDecoder() if std == 'any' else C.CallerIdDecoder(standard=std)
blk = array('h', bytes(160))
data = open(sys.argv[1], 'rb').read()
n = len(data) // 160
best = None
for rep in range(5):   # the machine is shared: keep the fastest of 5 runs
    d.reset()
    t0 = time.ticks_us()
    for k in range(n):
        blk[:] = array('h', data[k * 160:(k + 1) * 160])
    t1 = time.ticks_us()
    for k in range(n):
        blk[:] = array('h', data[k * 160:(k + 1) * 160])
        d.process(blk, k * 10)
        d.pop()
    t2 = time.ticks_us()
    us = (t2 - t1) - (t1 - t0)
    if best is None or us < best:
        best = us
print(best, n)
"""


_ABS = {"P": "withheld", "O": "unavailable"}


def _spandsp():
    """adsi_rx from libspandsp2, or None when the package is absent."""
    import ctypes
    import ctypes.util
    try:
        lib = ctypes.CDLL("libspandsp.so.2")
    except OSError:
        return None
    cb_t = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint8), ctypes.c_int)
    lib.adsi_rx_init.restype = ctypes.c_void_p
    lib.adsi_rx_init.argtypes = [ctypes.c_void_p, ctypes.c_int, cb_t, ctypes.c_void_p]
    lib.adsi_rx.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int]
    lib.adsi_rx_free.argtypes = [ctypes.c_void_p]
    codes = {"bell202": 1, "v23": 2, "ntt": 4, "dtmf": 5}   # ADSI_STANDARD_CLASS, _CLIP, _JCLIP, _CLIP_DTMF

    def decode(x, standard):
        got = []

        def cb(_u, msg, n):
            got.append(bytes(msg[:n]) if n > 0 else b"")
        cbf = cb_t(cb)
        st = lib.adsi_rx_init(None, codes[standard], cbf, None)
        a = np.ascontiguousarray(pcm(x))
        for i in range(0, len(a), 80):
            blk = a[i:i + 80]
            lib.adsi_rx(st, blk.ctypes.data_as(ctypes.POINTER(ctypes.c_int16)), len(blk))
        lib.adsi_rx_free(st)
        return [_parse(m, standard) for m in got]
    return decode


def _parse(m, standard):
    """spandsp's message (FSK: bytes without the checksum; DTMF: the digits) as our fields."""
    ev = {"standard": standard, "number": None, "name": None, "reason": None}
    try:
        if standard == "dtmf":
            s = m.decode()
            if s.startswith("A"):
                ev["number"] = s[1:].rstrip("C#")
            else:
                ev["reason"] = {"B10C": "withheld", "B00C": "unavailable"}.get(s, "?")
            return ev
        if standard == "ntt":
            m = m[5:]    # spandsp hands over the frame from DLE SOH, parity stripped, no CRC
        if m[0] == 0x04:
            num = m[10:2 + m[1]].decode()
            if num in _ABS:
                ev["reason"] = _ABS[num]
            else:
                ev["number"] = num
            return ev
        i = 2
        while i < 2 + m[1]:
            t, n = m[i], m[i + 1]
            v = m[i + 2:i + 2 + n].decode()
            if t == 2:
                ev["number"] = v
            elif t == 4:
                ev["reason"] = _ABS.get(v, "?")
            elif t == 7:
                ev["name"] = v
            i += 2 + n
    except (IndexError, UnicodeDecodeError):
        ev["number"] = "?"
    return ev


def rate_table():
    rng = np.random.default_rng(1122)
    print("exact messages of %d per cell (random numbers/names/reasons, twist +-6 dB, "
          "+-1 %% frequency and rate)" % PER_CELL)
    sp = _spandsp()
    print("cells: ours" + (" | spandsp" if sp else " (spandsp: install libspandsp2 to compare)"))
    print("%-8s %6s " % ("standard", "dBm0") + " ".join("%13s" % ("snr %s" % s if s else "clean") for s in SNRS))
    total = good = sp_good = 0
    with tempfile.TemporaryDirectory() as td:
        for std in ("bell202", "v23", "dtmf"):
            for lvl in LEVELS:
                row = []
                for snr in SNRS:
                    cases = [random_case(rng, std, float(lvl), snr) for _ in range(PER_CELL)]
                    res = decode_batch([c[0] for c in cases], td)
                    ok = sum(exact(e, c[1]) for e, c in zip(res, cases))
                    cell = "%2d/%-2d" % (ok, PER_CELL)
                    if sp:
                        sok = sum(exact(sp(c[0], std), c[1]) for c in cases)
                        sp_good += sok
                        cell += " | %2d" % sok
                    row.append(cell)
                    total += PER_CELL
                    good += ok
                print("%-8s %6d " % (std, lvl) + " ".join("%13s" % r for r in row))
    print("overall: ours %d / %d exact (%.1f %%)" % (good, total, 100.0 * good / total))
    if sp:
        print("         spandsp %d / %d exact (%.1f %%)" % (sp_good, total, 100.0 * sp_good / total))


def required_table(n=50):
    """The issue's "rate at the weakest level the standards require"."""
    rng = np.random.default_rng(2027)
    sp = _spandsp()
    print("at the levels the standards require (%d messages each, at the required SNR, "
          "twist +-6 dB, +-1 %%):" % n)
    with tempfile.TemporaryDirectory() as td:
        for std in ("bell202", "v23", "dtmf"):
            for lvl in G.REQUIRED_LEVELS[std]:
                snr = G.REQUIRED_SNR_DB[std]
                cases = [random_case(rng, std, lvl, snr) for _ in range(n)]
                res = decode_batch([c[0] for c in cases], td)
                ok = sum(exact(e, c[1]) for e, c in zip(res, cases))
                line = "  %-8s %6.1f dBm0, SNR %2.0f dB: %3d / %d exact" % (std, lvl, snr, ok, n)
                if sp:
                    line += "   (spandsp %d / %d)" % (sum(exact(sp(c[0], std), c[1]) for c in cases), n)
                print(line)


def twist_table(n=200):
    """V.23 at 10 dB SNR with the +-6 dB twist ES 200 778-1 allows (issue 17), fixed twist."""
    sp = _spandsp()
    print("V.23 at 10 dB SNR, levels -5..-40 dBm0, +-1 %% (%d messages each):" % n)
    with tempfile.TemporaryDirectory() as td:
        for twist in (-6.0, 0.0, 6.0):
            rng = np.random.default_rng(1717)
            cases = [random_case(rng, "v23", float(rng.choice(LEVELS)), 10.0, twist=twist)
                     for _ in range(n)]
            res = decode_batch([c[0] for c in cases], td)
            ok = sum(exact(e, c[1]) for e, c in zip(res, cases))
            line = "  twist %+4.1f dB: %3d / %d exact" % (twist, ok, n)
            if sp:
                line += "   (spandsp %d / %d)" % (sum(exact(sp(c[0], "v23"), c[1]) for c in cases), n)
            print(line)


def twist_seeds_table(n=200, seeds=(1717, 77, 99, 5), held_out=(11, 12, 21, 22)):
    """The twist table's +-6 dB corners over four seeds (one seed's 200 hides +-2 %), two
    seeds no change was tuned on, and Bell 202 (the same demodulator) on the four."""
    rows = [("v23", seeds), ("v23", held_out), ("bell202", seeds)]
    print("FSK at 10 dB SNR, %d messages per seed, levels -5..-40 dBm0, +-1 %%:" % n)
    with tempfile.TemporaryDirectory() as td:
        for std, sds in rows:
            for twist in (-6.0, 6.0):
                oks = []
                for seed in sds:
                    rng = np.random.default_rng(seed)
                    cases = [random_case(rng, std, float(rng.choice(LEVELS)), 10.0, twist=twist)
                             for _ in range(n)]
                    res = decode_batch([c[0] for c in cases], td)
                    oks.append(sum(exact(e, c[1]) for e, c in zip(res, cases)))
                print("  %-7s twist %+4.1f dB, seeds %-16s %s = %.1f %% exact" % (
                    std, twist, ",".join(map(str, sds)) + ":", " / ".join(map(str, oks)),
                    100.0 * sum(oks) / (n * len(sds))))


def ntt_table():
    """NTT (Japan) frames, the same cells as the main table (issue 17)."""
    rng = np.random.default_rng(4040)
    sp = _spandsp()
    print("NTT frames, exact of %d per cell (twist +-6 dB, +-1 %%):" % PER_CELL)
    print("%-8s %6s " % ("standard", "dBm0") + " ".join("%13s" % ("snr %s" % s if s else "clean") for s in SNRS))
    good = sp_good = total = 0
    with tempfile.TemporaryDirectory() as td:
        for lvl in LEVELS:
            row = []
            for snr in SNRS:
                cases = [random_case(rng, "ntt", float(lvl), snr) for _ in range(PER_CELL)]
                res = decode_batch([c[0] for c in cases], td)
                ok = sum(exact(e, c[1]) for e, c in zip(res, cases))
                cell = "%2d/%-2d" % (ok, PER_CELL)
                if sp:
                    sok = sum(exact(sp(c[0], "ntt"), c[1]) for c in cases)
                    sp_good += sok
                    cell += " | %2d" % sok
                row.append(cell)
                good += ok
                total += PER_CELL
            print("%-8s %6d " % ("ntt", lvl) + " ".join("%13s" % r for r in row))
    print("NTT overall: ours %d / %d exact" % (good, total) + ("   (spandsp %d)" % sp_good if sp else ""))


def national_table():
    """DTMF CLIP in the national forms networks send (tests/test_callerid_decode.py's
    NATIONAL_CLIP: no start code, D..C, D1#..D3#, B00C/B10C, the Dutch all-zero code)."""
    from test_callerid_decode import NATIONAL_CLIP, NOT_CLIP, national_signal
    sp = _spandsp()
    sigs = [national_signal(c[1], c[2], c[3]) for c in NATIONAL_CLIP + NOT_CLIP]
    with tempfile.TemporaryDirectory() as td:
        res = decode_batch(sigs, td)
    ok = sum(exact(evs, {"standard": "dtmf", "number": c[4], "reason": c[5]})
             for c, evs in zip(NATIONAL_CLIP, res))
    silent = sum(1 for evs in res[len(NATIONAL_CLIP):] if not evs)
    line = "DTMF CLIP national forms: %d / %d exact, %d / %d non-CLIP strings silent" % (
        ok, len(NATIONAL_CLIP), silent, len(NOT_CLIP))
    if sp:
        # spandsp hands over the digit string; count the forms it delivers at all
        got = sum(1 for x in sigs[:len(NATIONAL_CLIP)] if sp(x, "dtmf"))
        line += "   (spandsp delivers a string for %d / %d)" % (got, len(NATIONAL_CLIP))
    print(line)


def cpu_table():
    rng = np.random.default_rng(5)
    busy = G.noise_at(8000 * 30, -20, rng)
    burst = G.on_hook_audio("bell202", number="5551234567", name="SMITH JOHN", lead_ms=0, tail_ms=0)[0]
    sigs = {
        "quiet line (-70 dBm0 noise)": (G.noise_at(8000 * 30, -70, rng), "any"),
        "busy line (-20 dBm0 noise)": (busy, "any"),
        "busy line, standard=bell202": (busy, "bell202"),
        "busy line, standard=dtmf": (busy, "dtmf"),
        "Bell 202 MDMF burst": (burst, "any"),
        "Bell 202 burst, standard=bell202": (burst, "bell202"),
    }
    print("micropython unix port (x86-64), CPU per second of audio (best of 5); the ESP32 is slower, not measured here:")
    with tempfile.TemporaryDirectory() as td:
        script = os.path.join(td, "cpu.py")
        with open(script, "w") as f:
            f.write(_CPU)
        for name, (x, std) in sigs.items():
            raw = os.path.join(td, "a.raw")
            with open(raw, "wb") as f:
                f.write(pcm(x).astype("<i2").tobytes())
            p = run_micropython(script, [raw, std])
            us, n = (int(v) for v in p.stdout.split())
            us = max(us, 0)   # a closed gate costs less than the timing noise
            print("  %-34s %8.2f ms/s  (%.1f us per 10 ms block)" % (name, us / 1000.0 / (n / 100.0), us / n))


def main():
    paths.micropython_binary()
    rate_table()
    required_table()
    twist_table()
    twist_seeds_table()
    ntt_table()
    national_table()
    cpu_table()


if __name__ == "__main__":
    main()
