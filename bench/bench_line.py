"""Trunk line: speed per block, tone classification and latency, hang-up release times.

`.venv/bin/python -m bench line` prints four tables:
  1. per-block cost of ringdet / hangup / tones (micropython unix port, viper) vs CPython
  2. call-progress tones: % classified right on a randomised corpus, per profile, and
     busy/reorder recognition latency (median / worst, ms from the tone's start)
  3. hang-up release time per method (median / worst, ms after the far end's signal)
  4. tones heard in real speech and music (Debian asterisk sounds), per profile
  5. end to end on the emulated board: release time per method per profile
"""
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))   # the shared test helpers

from ringroute import audio, fwexec, paths  # noqa: E402
from ringroute.signals import tones as st  # noqa: E402
from corpus import corpus_item, run_corpus  # noqa: E402  (tests/corpus.py)

COUNTRIES = ("US", "UK", "DE", "FR", "IT", "ES", "NL", "AU")
N_CORPUS = int(os.environ.get("BENCH_LINE_N", "30"))   # recordings per tone per profile

_SPEED = r'''
import time, sys
from array import array
from rrfw.line import ringdet, hangup
from rrfw.dsp import tones
N = 3000
blk = array("h", [((i * 7919) % 2001) - 1000 for i in range(80)])
def bench(name, fn):
    t0 = time.ticks_us() if hasattr(time, "ticks_us") else int(time.perf_counter() * 1e6)
    for i in range(N):
        fn(i * 10)
    t1 = time.ticks_us() if hasattr(time, "ticks_us") else int(time.perf_counter() * 1e6)
    print(name, (t1 - t0) / N)
r = ringdet.RingDetector([2000, 4000])
bench("ringdet", lambda t: r.process(1 if (t // 10) % 5 == 0 else 0, t))
for cc in ("US", "UK", "AU"):
    d = tones.ToneDetector(cc)
    bench("tones_" + cc, lambda t: d.process(blk, t))
h = hangup.HangupDetector("US")
h.reset(0)
bench("hangup_US", lambda t: h.process(blk, t, True, 1, False))
'''


def speed():
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "speed.py")
        with open(p, "w") as f:
            f.write(_SPEED)
        res = {}
        for eng in ("micropython", "cpython"):
            out = subprocess.run(paths.engine_command(eng) + [p], env=paths.engine_env(eng),
                                 capture_output=True, text=True, timeout=600)
            for ln in out.stdout.splitlines():
                k, v = ln.split()
                res.setdefault(k, {})[eng] = float(v)
    print("per-block cost (us per 10 ms block; this machine, not the ESP32)")
    print("  %-12s %12s %12s" % ("module", "micropython", "cpython"))
    for k, v in res.items():
        print("  %-12s %12.1f %12.1f" % (k, v.get("micropython", 0), v.get("cpython", 0)))


def corpus():
    from line_helpers import tones_run
    print("call-progress tones: randomised corpus, %d recordings per tone per profile" % N_CORPUS)
    print("  (levels -20..+3 dB around the profile's, +-1.5 % frequency, +-8 % cadence, 12-40 dB SNR,"
          " half through G.711 mu-law)")
    print("  %-3s %8s %8s   %-30s" % ("cc", "right", "%", "busy / reorder latency ms (median, worst)"))
    total = right = 0
    with tempfile.TemporaryDirectory() as tmp:
        for ci, cc in enumerate(COUNTRIES):
            rng = np.random.default_rng(4000 + ci)
            items, res, good = run_corpus(cc, N_CORPUS, rng, tmp)
            total += len(items)
            right += good
            lat = {}
            for name in ("busy", "reorder"):
                ls = []
                for it in [i for i in items if i["tone"] == name][:8]:
                    _, cur = tones_run(it["samples"], cc)
                    hit = [c["t_ms"] for c in cur if c["current"] == name]
                    if hit:
                        ls.append(hit[0] - it["start_ms"])
                lat[name] = "%5d %5d" % (statistics.median(ls), max(ls)) if ls else "  -  "
            print("  %-3s %4d/%-4d %7.1f   busy %s   reorder %s" % (
                cc, good, len(items), 100.0 * good / len(items), lat["busy"], lat["reorder"]))
    print("  all %4d/%-4d %7.1f" % (right, total, 100.0 * right / total))
    # the other forms a profile's tones come in (profiles.py tone_forms: Australia's dial
    # tone and ringback as 413 + 438 Hz and as 400 + 450 Hz), under the same conditions
    with tempfile.TemporaryDirectory() as tmp:
        for ci, cc in enumerate(COUNTRIES):
            forms = [n for n in st.tone_names(cc, forms=True) if "~" in n]
            if not forms:
                continue
            rng = np.random.default_rng(5000 + ci)
            files, items = [], []
            for name in forms:
                for i in range(N_CORPUS):
                    it = corpus_item(cc, name, rng)
                    f = os.path.join(tmp, "%s_%s_%d.wav" % (cc, name.replace("~", "_"), i))
                    audio.write_wav(f, it["samples"])
                    files.append(f)
                    items.append(it)
            res = fwexec.run_decoder("tones:ToneDetector_%s" % cc, files)
            good = sum(1 for it, evs in zip(items, res) if set(e["tone"] for e in evs) == {it["tone"]})
            print("  %-3s %4d/%-4d %7.1f   other forms: %s" % (
                cc, good, len(items), 100.0 * good / len(items),
                ", ".join("%s %s" % (n.split("~")[0], "+".join(str(f) for f in st.tone_def(
                    st.get_profile(cc), n)[0])) for n in forms)))


def release_times():
    from line_helpers import hangup
    rng = np.random.default_rng(77)

    def talk(s):
        n = int(s * 8000)
        return np.convolve(rng.standard_normal(n), np.ones(4) / 4, mode="same") * 2000

    rows = []
    for cc in COUNTRIES:
        prof = st.get_profile(cc)
        cpc, rev, tone = [], [], {"busy": [], "reorder": []}
        for k in range(4):
            t0 = 2000 + int(rng.integers(0, 100)) * 10
            x = talk(5)
            drop = prof["cpc_ms"]
            m, t = hangup(x, cc, loop=lambda t, t0=t0, drop=drop: not (t0 <= t < t0 + drop))
            if m == "cpc":
                cpc.append(t - t0)
            m, t = hangup(x, cc, reversed_=lambda t, t0=t0: t >= t0)
            if m == "reversal":
                rev.append(t - t0)
        for name in ("busy", "reorder"):
            for k in range(6):
                it = corpus_item(cc, name, rng, level_range=(-15, 0), snr_range=(15, 40))
                lead = it["start_ms"]
                x = np.concatenate([talk(lead / 1000.0), it["samples"][lead * 8:].astype(float)])
                m, t = hangup(x, cc)
                tone[name].append(t - lead if m == name + "_tone" else None)
        rows.append((cc, cpc, rev, tone))
    print("hang-up release time, ms after the far end's signal (median / worst; x = missed)")
    print("  %-3s %-13s %-13s %-15s %-15s" % ("cc", "cpc", "reversal", "busy tone", "reorder tone"))

    def fmt(v):
        ok = [a for a in v if a is not None]
        miss = len(v) - len(ok)
        s = "%d / %d" % (statistics.median(ok), max(ok)) if ok else "-"
        return s + (" x%d" % miss if miss else "")
    for cc, cpc, rev, tone in rows:
        print("  %-3s %-13s %-13s %-15s %-15s" % (cc, fmt(cpc), fmt(rev), fmt(tone["busy"]),
                                                  fmt(tone["reorder"])))
    print("  (cpc: the profile's typical drop; default threshold cpc_min_ms = 200 ms;"
          " silence and max_length fire at their configured times)")


def false_tones():
    from line_helpers import MOH, SPEECH
    import glob
    files = sorted(glob.glob(os.path.join(MOH, "*.wav")))
    sp = sorted(glob.glob(os.path.join(SPEECH, "*.wav")))
    if not files or not sp:
        print("false tones: skipped (needs asterisk-moh-opsound-wav, asterisk-core-sounds-en-wav)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        speech = os.path.join(tmp, "speech.wav")
        audio.write_wav(speech, np.concatenate([audio.read_wav_8k(f) for f in sp]))
        files.append(speech)
        secs = sum(len(audio.read_wav_8k(f)) for f in files) / 8000.0
        print("tones heard in %.0f min of real speech and music (should be 0)" % (secs / 60))
        for cc in COUNTRIES:
            res = fwexec.run_decoder("tones:ToneDetector_%s" % cc, files)
            print("  %-3s %d" % (cc, sum(len(r) for r in res)))


def emulated_release():
    """End to end on the emulated board: one call per method per profile (firmware under
    micropython), release time = firmware `release` minus the world's `hangup`."""
    from concurrent.futures import ThreadPoolExecutor
    from test_line_scenarios import METHOD, run
    methods = ["cpc", "reversal", "busy", "reorder", "silence"]

    def one(cc):
        with tempfile.TemporaryDirectory() as tmp:
            ev = run(cc, methods, tmp)
        hangs = [e for e in ev if e["event"] == "hangup"]
        rels = [e for e in ev if e["event"] == "release"]
        out = {}
        for m, h, r in zip(methods, hangs, rels):
            out[m] = r["t_ms"] - h["t_ms"] if r.get("method") == METHOD[m] else None
        return cc, out

    with ThreadPoolExecutor(2) as ex:
        rows = list(ex.map(one, COUNTRIES))
    print("emulated board, end to end: release ms after the caller hangs up (silence_ms = 8000)")
    print("  %-3s " % "cc" + " ".join("%9s" % m for m in methods))
    per = dict((m, []) for m in methods)
    for cc, out in rows:
        print("  %-3s " % cc + " ".join("%9s" % (out.get(m) if out.get(m) is not None else "x")
                                       for m in methods))
        for m in methods:
            if out.get(m) is not None:
                per[m].append(out[m])
    print("  med " + " ".join("%9s" % (int(statistics.median(per[m])) if per[m] else "-") for m in methods))
    print("  max " + " ".join("%9s" % (max(per[m]) if per[m] else "-") for m in methods))


def main():
    speed()
    print()
    corpus()
    print()
    release_times()
    print()
    false_tones()
    print()
    emulated_release()


if __name__ == "__main__":
    main()
