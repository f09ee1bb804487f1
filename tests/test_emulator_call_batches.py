"""Batches during calls (rremu/blockframe.py "Batches"): while a call is
connected the world computes many blocks ahead on the board's last outputs and
sends them in one frame; the board stops at the first block whose outputs
change and the world goes back to the batch's start. They must change
nothing: a connected call whose caller keys a digit and hangs up gives the
same events, block for block, with batches and without, under both engines,
also when those fall inside a batch (the world's own bound off)."""
import copy
import json
import os

import pytest

from emuhelp import ENGINES, PROMPTS, ROOT

from ringroute import cmd_emulate
from ringroute.emu import runner, scenario as scenario_mod

KEY_AT_S = 20.0      # the caller keys "5" this long after being put through
TALK_S = 40.0        # and hangs up this long after


def _run(engine, batch, bound=True):
    cfg = cmd_emulate.load_config(os.path.join(ROOT, "examples", "office.yaml"))
    sc = scenario_mod.load(os.path.join(ROOT, "examples", "demo-call.yaml"))
    c = sc["calls"][0]
    c["hangup"]["after_connect"] = TALK_S
    c["keys"].append(dict(c["keys"][0], at=KEY_AT_S, digits="5", after="connect"))
    sc["expect"] = []
    emu = runner.Emulation(copy.deepcopy(cfg), sc, [PROMPTS], engine=engine, n_lines=1, n_exts=4, batch=batch)
    emu.batch_bound = bound
    emu.batch_spans = []
    events = emu.run()
    return emu, [json.dumps(e, sort_keys=True) for e in events], events


def _inside(spans, block):
    """The batch that held `block` and went on after it (sent further than it)."""
    return [s for s in spans if s[0] <= block < s[0] + s[1] - 1]


@pytest.mark.parametrize("engine", ENGINES)
def test_call_batches_change_nothing(engine):
    off, ev_off, _ = _run(engine, False)
    on, ev_on, events = _run(engine, True)
    blind, ev_blind, _ = _run(engine, True, bound=False)
    assert ev_on == ev_off
    assert ev_blind == ev_off
    assert on.blocks == off.blocks == blind.blocks
    key = [e for e in events if e["event"] == "key" and e.get("digit") == "5"]
    hang = [e for e in events if e["event"] == "hangup" and e.get("src") == "world"]
    assert len(key) == 1 and len(hang) == 1, (key, hang)
    # the board heard the digit during the connected call, and released the call
    assert [e for e in events if e.get("src") == "board" and e["event"] == "release"], events
    # batches did happen, and the connected call went in few frames
    assert off.frames == off.blocks and on.batch_frames > 0
    assert on.frames < off.frames * 0.3, (on.frames, off.frames)
    # without the world's bound the digit and the hang-up fell inside batches the
    # board then cut short (the world went back and stepped them again)
    kb, hb = key[0]["t_ms"] // 10, hang[0]["t_ms"] // 10
    assert _inside(blind.batch_spans, kb) and _inside(blind.batch_spans, hb), (kb, hb)
    assert blind.batch_cut > 0 and any(taken < sent for _, sent, taken in blind.batch_spans)
