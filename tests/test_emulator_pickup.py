"""Call pick-up (feature code, extdial.py -> inbound.picked_up), on the emulated
board under micropython: a phone dials the pick-up code while a call rings
another phone, the ringing stops, and the caller talks to the phone that
dialled, the audio really through (the world's audio_path check)."""
import copy

from emuhelp import emulate_ok, of
from test_emulator_agents import config as agents_config


def config(acd=True):
    cfg = agents_config(acd=acd, strategy="linear")
    cfg["groups"]["sales"]["members"] = ["101", "103"]
    cfg["feature_codes"] = {"*8": ["pickup"]}
    return cfg


def caller(at, line=1):
    return {"at": at, "line": line, "caller_id": "6175550142", "keys": [{"at": 1.0, "digits": "1"}],
            "hangup": {"after_connect": 8.0}}


def run(cfg, sc, tmp_path, engine="micropython"):
    return emulate_ok(cfg, sc, tmp_path, engine)


def test_a_phone_picks_up_a_call_ringing_another(tmp_path):
    for acd in (True, False):
        # 101 is away from the desk; 102 (not in the group) dials *8 while it rings
        sc = {"calls": [caller(1.0)], "duration": 40,
              "extensions": {"101": {"answer": False}, "103": {"answer": False},
                             "102": {"dial": {"at": 6.0, "digits": "*8", "stay": 15.0}}}}
        ev = run(config(acd), sc, tmp_path)
        call = of(ev, "answer")[0]["call"]
        pick = of(ev, "pickup")
        assert len(pick) == 1 and pick[0]["call"] == call and pick[0]["ext"] == "102"
        assert pick[0]["rung"] == "101"                           # what was ringing when it was taken
        assert [f["ok"] for f in of(ev, "feature_code")] == [True]
        conn = of(ev, "connect")
        assert [(c["ext"], c["call"]) for c in conn] == [("102", call)]
        assert conn[0]["t_ms"] == pick[0]["t_ms"]
        # the ringing stopped at once: no later ring, no ring-no-answer counted against 101
        assert not [e for e in of(ev, "ext_ring") if e["t_ms"] > pick[0]["t_ms"]]
        assert not of(ev, "ring_noanswer")
        # the caller and 102 really heard each other until the caller hung up
        audio = [a for a in of(ev, "audio_path") if a["line"] == 1 and a["ext"] == "102"]
        assert audio and audio[-1]["ok"] and audio[-1]["heard_ms"] >= 7000, audio
        rel = of(ev, "release", call=call)[0]
        assert rel["reason"] == "caller_hangup"
        rec = of(ev, "record")[0]["record"]
        assert rec["outcome"] == "connected" and rec["ext"] == "102", rec


def test_pick_up_with_nothing_ringing_gives_the_error_tone(tmp_path):
    sc = {"calls": [], "duration": 12,
          "extensions": {"102": {"dial": {"at": 1.0, "digits": "*8"}}}}
    ev = run(config(), sc, tmp_path)
    assert [(f["ext"], f["ok"]) for f in of(ev, "feature_code")] == [("102", False)]
    assert not of(ev, "pickup") and not of(ev, "connect")
