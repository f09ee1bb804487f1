"""Long calls with real speech and real music on the line (issue 4): the board
must not hear a hang-up in them, nor a ring or caller ID on the idle line,
and must still release the line promptly when the caller really goes.
The default suite runs 10 minutes of each; `make soak` runs an hour of each."""
import os

import pytest

from emuhelp import emulate, load_json, of

SPEECH_DIR = "/usr/share/asterisk/sounds/en_US_f_Allison"
MUSIC_DIR = "/usr/share/asterisk/moh"


def need_recordings():
    for d, pkg in ((SPEECH_DIR, "asterisk-core-sounds-en-wav"), (MUSIC_DIR, "asterisk-moh-opsound-wav")):
        if not os.path.isdir(d):
            pytest.skip("needs Debian package %s (scripts/sysdeps.txt)" % pkg)


def run_long(tmp_path, minutes):
    need_recordings()
    talk = minutes * 60.0
    sc = {"calls": [
        {"at": 1.0, "line": 1, "caller_id": "5551230001", "speech": "speech", "level_dbm0": -15,
         "keys": [{"at": 1.0, "digits": "1"}], "hangup": {"after_connect": talk, "method": "cpc"}},
        {"at": 1.0, "line": 2, "caller_id": "5551230002", "speech": "music", "level_dbm0": -15,
         "keys": [{"at": 1.0, "digits": "2"}], "hangup": {"after_connect": talk, "method": "busy"}}],
        "extensions": {"101": {"answer_after": 0.5}, "102": {"answer_after": 0.5}}}
    cfg = load_json("basic.json")
    cfg["lines"].append(dict(cfg["lines"][0]))   # both lines in use
    cfg["menus"]["main"]["keys"]["2"] = {"do": "ext", "to": "102"}
    cfg["menus"]["main"]["dial_ext"] = False
    code, ev, err = emulate(cfg, sc, "micropython", tmp_path)
    assert code == 0, err
    conns = of(ev, "connect")
    assert sorted(c["ext"] for c in conns) == ["101", "102"]
    rels = of(ev, "release")
    assert len(rels) == 2, rels
    gone = {g["line"]: g["t_ms"] for g in of(ev, "hangup", src="world")}
    for r in rels:
        # released only once the caller had gone, and soon after
        assert r["reason"] == "caller_hangup", r
        assert 0 <= r["t_ms"] - gone[r["line"]] <= 4000, (r, gone)
    assert {r["line"]: r["method"] for r in rels} == {1: "cpc", 2: "busy_tone"}
    assert len(of(ev, "ring")) == 4 and len(of(ev, "answer")) == 2   # no ring out of the audio
    assert len(of(ev, "callerid")) == 2
    assert not of(ev, "fault")


def test_ten_minutes_of_speech_and_music_no_false_hangup(tmp_path):
    run_long(tmp_path, 10)


@pytest.mark.slow
def test_an_hour_of_speech_and_music_no_false_hangup(tmp_path):
    run_long(tmp_path, 60)
