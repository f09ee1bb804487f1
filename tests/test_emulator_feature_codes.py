"""Feature codes dialled on an extension phone change how the board answers
(issue 5: a manual day/night override by a feature code on an extension):
the phone hears dial tone through an idle line's pair, its keys are decoded
by the firmware, and the next call follows the override."""
import os

from emuhelp import ROOT, emulate, of

CONFIG = os.path.join(ROOT, "examples", "day-night.yaml")


def test_night_code_then_auto_code_steer_the_next_calls(tmp_path):
    sc = {"start": "2026-11-23 15:00",     # Monday 10:00 in New York: open hours, menu "main"
          "calls": [{"at": 8.0, "line": 1, "caller_id": "5550001111", "hangup": {"after": 6.0}},
                    {"at": 50.0, "line": 1, "caller_id": "5550002222", "hangup": {"after": 6.0}}],
          "extensions": {"101": {"dial": {"at": 1.0, "digits": "*81"}},
                         "102": {"dial": {"at": 30.0, "digits": "*80"}},
                         "103": {"dial": {"at": 40.0, "digits": "*5"}}},
          "duration": 80}
    code, ev, err = emulate(CONFIG, sc, "micropython", tmp_path)
    assert code == 0, err
    fc = of(ev, "feature_code")
    assert [(f["ext"], f["code"], f["ok"]) for f in fc] == [("101", "*81", True), ("102", "*80", True),
                                                           ("103", "*5", False)]
    assert fc[0]["value"] == "night" and fc[1]["value"] is None
    menus = [m["menu"] for m in of(ev, "menu")]
    answers = of(ev, "answer")
    assert len(answers) == 2
    first = [m["menu"] for m in of(ev, "menu", call=answers[0]["call"])]
    second = [m["menu"] for m in of(ev, "menu", call=answers[1]["call"])]
    assert first[0] == "night", menus      # forced night during open hours
    assert second[0] == "main", menus      # back to the schedule
    # the feature-code phones were joined to a line pair only while on it
    assert all(p["ok"] for p in of(ev, "audio_path"))
    assert not of(ev, "fault")
