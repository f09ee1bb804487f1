"""Two accept bounds at once: reverse or normal twist at its limit and +-1.5 % together.

ITU-T Q.24 and GR-506 set each bound on its own (frequency +-1.5 %, twist
8 dB reverse / 4 dB normal, 40 ms), so a key at all three limits at once is
still one to accept (issue 17). A 40 ms key whose start is not on a block edge
fills only three whole blocks: its two windows that straddle an edge hold
other sound (silence here), so they are judged as a noisy pair, whose limits
(0.5 % frequency, 6 dB reverse twist) a key at these corners fails. It is
confirmed by the two clean windows inside it, one of them over three steady
blocks. Tapes: free-running gated oscillators (tests/test_dtmf_pause.py's),
every key, its start at each 1 ms step of a block, -1.5 % and +1.5 %.

Both sides: 40 ms at -8 / +4 dB twist with +-1.5 % give every key; the
reject figures at the same corner give none: 23 ms, twist -12 / +7 dB,
+-3.5 %. CPython (plain twins) and micropython (viper kernels).
"""
import os

import pytest

from ringroute import audio, fwexec

from dtmf_helpers import decode, digits
from test_dtmf_pause import KEYS, gated


def corner_tape(on_ms, twist_db, offset, level_dbm0=-10.0):
    """Every key on_ms long at twist_db and offset, its start at each 1 ms step
    of a block (10 alignments x 16 keys), 150 ms apart. (samples, truth)"""
    on = int(on_ms * 8)
    sched = []
    pos = 800
    for rep in range(10):
        for k in KEYS:
            pos += (8 * rep - pos) % 80
            sched.append((k, pos, on))
            pos += on + 1200
    x = gated(sched, pos + 800, level_dbm0=level_dbm0, twist_db=twist_db, offset=offset)
    return x, [{"digit": k, "start_ms": a / 8.0, "end_ms": (a + m) / 8.0} for k, a, m in sched]


ACCEPT = [("40 ms, twist %+d dB, %+.1f %%" % (tw, 100 * off), 40.0, tw, off)
          for tw in (-8, 4) for off in (-0.015, 0.015)]
REJECT = [("23 ms, twist -8 dB, +1.5 %", 23.0, -8, 0.015),
          ("23 ms, twist +4 dB, -1.5 %", 23.0, 4, -0.015),
          ("40 ms, twist -12 dB, +1.5 %", 40.0, -12, 0.015),
          ("40 ms, twist -12 dB, -1.5 %", 40.0, -12, -0.015),
          ("40 ms, twist +7 dB, -1.5 %", 40.0, 7, -0.015),
          ("40 ms, twist -8 dB, +3.5 %", 40.0, -8, 0.035),
          ("40 ms, twist -8 dB, -3.5 %", 40.0, -8, -0.035)]
CASES = [(n, "accept") + corner_tape(on, tw, off) for n, on, tw, off in ACCEPT] + \
        [(n, "reject") + corner_tape(on, tw, off) for n, on, tw, off in REJECT]
IDS = [c[0] for c in CASES]


def check(kind, events, truth):
    if kind == "reject":
        assert events == []
        return
    assert digits(events) == "".join(k["digit"] for k in truth)
    for e, k in zip(events, truth):
        assert abs(e["start_ms"] - k["start_ms"]) <= 5.0, (e, k)
        assert abs(e["end_ms"] - k["end_ms"]) <= 5.0, (e, k)


def test_the_tapes_hold_what_they_say():
    x, t = corner_tape(40.0, -8, 0.015)
    assert len(t) == 160
    assert sorted({int(k["start_ms"] * 8) % 80 for k in t}) == list(range(0, 80, 8))
    s = int(t[0]["start_ms"] * 8)
    assert x[s - 1] == 0 and x[s + 319] != 0 and x[s + 320] == 0


@pytest.mark.parametrize("name,kind,x,truth", CASES, ids=IDS)
def test_corner_cpython(name, kind, x, truth):
    check(kind, decode(x), truth)


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    d = tmp_path_factory.mktemp("dtmf_corners")
    files = []
    for i, c in enumerate(CASES):
        p = os.path.join(str(d), "%02d.wav" % i)
        audio.write_wav(p, c[2])
        files.append(p)
    return fwexec.run_decoder("dtmf:DtmfReceiver", files, "micropython")


@pytest.mark.micropython
@pytest.mark.parametrize("idx", range(len(CASES)), ids=IDS)
def test_corner_micropython(idx, micropython_results):
    name, kind, x, truth = CASES[idx]
    check(kind, micropython_results[idx], truth)
