"""A fault in one call (a bug, a bad input) releases that line and the board
carries on: the office's number is never left blocked by a crashed call."""
import json
import os

import pytest

from rrfw.call import app as app_mod
from rrfw.call import states
from standin_hal import StandInHal, make_app, us_ring_pulses

HERE = os.path.dirname(os.path.abspath(__file__))


def run_until(a, hal, pred, limit=3000):
    for _ in range(limit):
        hal.next_block()
        a.step()
        if pred():
            return True
    return False


@pytest.fixture
def board(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_app(os.path.join(HERE, "data", "basic.json"))


def ring_until_answered(a, hal):
    lc = a.lines[0]

    def tick():
        t = (hal.block + 1) * 10
        hal.pulses = us_ring_pulses(t)
        hal.loop = hal.hook[0]
        return lc.state == states.IVR
    assert run_until(a, hal, tick)


def test_exception_in_a_call_releases_the_line_and_the_next_call_works(board):
    a, hal, seen = board
    lc = a.lines[0]
    ring_until_answered(a, hal)
    assert hal.hook[0]
    real = lc.ivr.step

    def broken(*args):
        raise ValueError("menu data the engine did not expect")
    lc.ivr.step = broken
    hal.next_block()
    a.step()
    assert not hal.hook[0]            # on-hook: the line is free again
    assert a.faults == 1
    err = [e for e in seen if e["event"] == "error"]
    assert err and "menu data" in err[0]["error"]
    rel = [e for e in seen if e["event"] == "release"]
    assert rel[-1]["reason"] == "fault"
    rec = [e for e in seen if e["event"] == "record"][-1]["record"]
    assert rec["release"] == "fault"
    # the next caller is answered as usual
    lc.ivr.step = real
    hal.block += 300   # the guard time after release
    hal.pulses = 0
    ring_until_answered(a, hal)
    assert hal.hook[0] and lc.call == 2


def test_fault_while_connected_opens_the_crosspoint(board):
    a, hal, seen = board
    lc = a.lines[0]
    ring_until_answered(a, hal)
    lc.act(hal.block * 10, ("route", "ext", "101"))
    hal.offhook_ports = 1
    assert run_until(a, hal, lambda: lc.state == states.CONNECTED, 50)
    assert hal.xmask[0] == 1

    def broken(*args):
        raise RuntimeError("boom")
    lc.hangup.process = broken
    hal.next_block()
    a.step()
    assert hal.xmask[0] == 0 and not hal.hook[0] and hal.ring == 0
    assert lc.state == states.GUARD


def test_a_fault_that_keeps_coming_back_restarts_the_board(board):
    from rrfw.errors import Reboot
    a, hal, seen = board
    lc = a.lines[0]

    def broken(*args):
        raise ValueError("always")
    lc.ringdet.process = broken          # every ringing block faults (after each release's guard time)
    with pytest.raises(Reboot) as e:
        for _ in range(1000):
            hal.next_block()
            hal.pulses = 1   # ring pulses in every block: the detector runs (an idle line with none skips it)
            a.step()
    assert e.value.why == "faults"
    assert a.faults == 5 and hal.block < 1000   # five faults, well within the minute
    assert not hal.hook[0]
    assert "restarting" in [x for x in seen if x["event"] == "error"][-1]["error"]


def test_fault_during_a_disa_bridge_frees_both_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open(os.path.join(HERE, "data", "basic.json")) as f:
        cfg = json.load(f)
    cfg["lines"].append(dict(cfg["lines"][0]))
    hal = StandInHal()
    a = app_mod.App(hal, cfg)
    ring_until_answered(a, hal)
    lc = a.lines[0]
    lc.act(hal.block * 10, ("disa", 60000))
    lc.disa.dial(hal.block * 10, "5550199")   # issue 16: the line is seized only for a checked number
    assert lc.state == states.DISA and hal.hook[1] and a.lines[1].state == states.BRIDGED

    def broken(*args):
        raise RuntimeError("boom")
    lc.hangup.process = broken
    hal.next_block()
    a.step()
    assert not hal.hook[0] and not hal.hook[1]
    assert a.lines[1].state == states.GUARD and a.lines[1].peer is None
