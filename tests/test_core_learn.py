"""'Learn my line' at installation: the technician's call is answered without
a menu, the board watches how the exchange signals that the caller hung up
(CPC drop, then busy tone here) and proposes the line's hang-up settings."""
import os
import sys

from array import array

from rrfw.console import commands as conscmd
from rrfw.call import states
from rrfw.dsp import tonegen
from standin_hal import ConsoleStub, make_app, us_ring_pulses

HERE = os.path.dirname(os.path.abspath(__file__))


def test_learn_call_measures_cpc_and_busy_tone_and_proposes_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, hal, seen = make_app(os.path.join(HERE, "data", "basic.json"))
    assert conscmd.learn(ConsoleStub(a), {"line": 1}) == {"line": 1, "waiting": True}
    lc = a.lines[0]
    busy = tonegen.ToneGen((480, 620), (500, 500), -24)   # the exchange's busy tone (US)
    t_gone = None
    for b in range(6000):
        t = b * 10
        hal.pulses = us_ring_pulses(t) if t < 8000 else 0
        if lc.state == states.LEARN and t_gone is None:
            t_gone = t + 3000                       # the technician talks 3 s, then hangs up
            busy.start(t_gone + 800)
        hal.loop = hal.hook[0] and not (t_gone is not None and t_gone <= t < t_gone + 800)
        if t_gone is not None and t >= t_gone + 800:
            blk = array("h", bytes(160))
            busy.fill(blk, t)
            hal.rx[0][:] = blk
        hal.next_block()
        a.step()
        if lc.state == states.GUARD:
            break
    learned = [e for e in seen if e["event"] == "line_learned"]
    assert learned, [e["event"] for e in seen]
    rep = learned[0]["report"]
    assert rep["first_signal"] == "cpc"
    assert 700 <= rep["cpc"][0]["ms"] <= 900 and rep["cpc"][0]["returned"]
    assert rep["tone"]["matches"] == "busy"
    assert sorted(round(f, -1) for f in rep["tone"]["freqs"]) == [480, 620]
    prop = rep["proposed"]["hangup"]
    assert prop["methods"][:2] == ["cpc", "busy_tone"] and prop["cpc_min_ms"] <= 800
    rel = [e for e in seen if e["event"] == "release"][-1]
    assert rel["reason"] == "learned" and not hal.hook[0]
    # the console hands the report over, and the next call gets the menu again
    r = conscmd.learn(ConsoleStub(a), {"line": 1, "result": True})
    assert r["report"] == rep and not r["waiting"]
    assert lc.learner is None
    # the learner's code went with its call (heap), and the next `learn` loads it again
    assert "rrfw.line.learn" not in sys.modules and "rrfw.call.learncall" not in sys.modules
    assert conscmd.learn(ConsoleStub(a), {"line": 1}) == {"line": 1, "waiting": True}
    assert lc.learner is not None
