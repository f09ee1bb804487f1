"""Quiet runs (rremu/blockframe.py): while nothing happens on either side one
frame stands for many blocks. They must change nothing: the same scenario
gives the same events, block for block, with runs and without, under both
engines; and they must happen (an idle night is a handful of frames)."""
import copy
import json

import pytest

import busytraffic
from emuhelp import PROMPTS

from ringroute.emu import runner, scenario as scenario_mod


def _run(engine, batch, minutes=8, gap=150.0, monitor=True, keep=()):
    raw = busytraffic.scenario(minutes, 14, gap)
    for ext in ("102", "108"):
        if ext not in keep:
            raw["extensions"].pop(ext)   # no phone left off the hook: the lines idle between calls
    sc = scenario_mod.parse(raw)
    for c in sc["calls"]:
        c["lines"] = [1, 2]
    emu = runner.Emulation(copy.deepcopy(busytraffic.config()), sc, [PROMPTS], engine=engine,
                           n_lines=2, n_exts=8, monitor_pin=busytraffic.MONITOR_PIN if monitor else None,
                           batch=batch)
    events = emu.run()
    return emu, [json.dumps(e, sort_keys=True) for e in events]


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_quiet_runs_change_nothing(engine):
    # calls with idle stretches between them, the monitor attached
    on, ev_on = _run(engine, True)
    off, ev_off = _run(engine, False)
    assert ev_on == ev_off
    assert on.blocks == off.blocks and on.monitor.counts == off.monitor.counts
    kinds = set(json.loads(e)["event"] for e in ev_on)
    assert {"answer", "release", "record", "connect", "ext_ring"} <= kinds, kinds
    # and the runs did happen: fewer frames than blocks, but one per block without them
    assert off.frames == off.blocks and on.frames < off.frames * 0.7, (on.frames, off.frames)


def test_an_idle_night_is_a_handful_of_frames():
    # 4 hours of a night (the firmware still steps all 1.44 M blocks: ~25 s of CPU)
    sc = scenario_mod.parse({"duration": 4 * 3600, "calls": [], "extensions": {}})
    emu = runner.Emulation(copy.deepcopy(busytraffic.config()), sc, [PROMPTS], n_lines=2, n_exts=8)
    events = emu.run()
    assert emu.blocks == 4 * 3600 * 100
    # the board's hourly purge check and nothing else: at most a frame per 65535 blocks, and per event
    board = [e for e in events if e.get("src") == "board"]
    assert emu.frames <= emu.blocks // 65535 + 2 * len(board) + 2, (emu.frames, len(board))


def test_a_phone_left_off_the_hook_does_not_stop_quiet_runs():
    # extension 102 is off the hook from 60 s to 280 s (busytraffic), nobody on its
    # pair: the same events with runs and without, and the runs go on around it
    on, ev_on = _run("micropython", True, keep=("102",))
    off, ev_off = _run("micropython", False, keep=("102",))
    assert ev_on == ev_off
    assert on.blocks == off.blocks and on.monitor.counts == off.monitor.counts
    hooks = [json.loads(e) for e in ev_on if '"agent_offhook"' in e or '"agent_hangup"' in e]
    assert [(h["t_ms"], h["event"]) for h in hooks if h.get("ext") == "102"][:2] == [
        (60000, "agent_offhook"), (280000, "agent_hangup")], hooks
    assert on.frames < off.frames * 0.5, (on.frames, off.frames)
