"""Capacity planning on the emulator: random traffic, and the service-level
report over the call records it produces (figures that must add up)."""
import json
import os
import subprocess
import sys

from emuhelp import ROOT, emulate, load_json, of

from ringroute import slreport


def test_traffic_run_and_its_report_add_up(tmp_path):
    cfg = load_json("basic.json")
    cfg["lines"].append(dict(cfg["lines"][0]))
    sc = {"seed": 7,
          "traffic": {"calls_per_hour": 90, "hours": 0.12, "lines": [1, 2],
                      "keys": [{"at": 2.0, "digits": "0"}], "talk": 100, "patience": 40},
          "extensions": {"101": {"answer_after": 3}, "102": {"answer": False}}}
    code, ev, err = emulate(cfg, sc, "micropython", tmp_path)
    assert code == 0, err
    arrived = of(ev, "call", src="world")
    blocked = of(ev, "blocked")
    recs = [e["record"] for e in of(ev, "record")]
    assert len(arrived) + len(blocked) >= 6        # about 11 expected at 90/h for 7 min
    assert len(recs) == len(arrived)               # every call that rang has a record
    s = slreport.summarise(recs, 20)
    assert s["offered"] == len(arrived)
    assert s["connected"] == len([c for c in of(ev, "connect")])
    assert s["connected"] + s["abandoned"] <= s["routed"] <= s["answered"] <= s["offered"]
    # one agent for two lines: some callers wait in the queue, some give up
    assert of(ev, "queue")
    assert s["abandoned"] == len(of(ev, "abandon"))
    assert 0.0 <= s["service_level"] <= 1.0
    waits = [(r["connect_ms"] - r["route_ms"]) / 1000.0 for r in recs if r.get("connect_ms")]
    assert abs(s["asa_s"] - sum(waits) / len(waits)) < 1e-6
    # the CLI prints the same figures
    out = tmp_path / "events.jsonl"
    out.write_text("\n".join(json.dumps(e) for e in ev))
    p = subprocess.run([sys.executable, "-m", "ringroute.cli", "report", str(out), "--json"],
                       capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools")))
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["connected"] == s["connected"]


def test_report_refuses_a_file_without_records(tmp_path):
    f = tmp_path / "empty.jsonl"
    f.write_text('{"t_ms": 0, "event": "boot"}\n')
    p = subprocess.run([sys.executable, "-m", "ringroute.cli", "report", str(f)],
                       capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools")))
    assert p.returncode == 1 and "no call records" in p.stderr and "Traceback" not in p.stderr


def test_service_level_definition():
    recs = [
        {"call": 1, "answer_ms": 0, "route_ms": 1000, "connect_ms": 6000, "talk_ms": 60000, "ext": "101",
         "release": "caller_hangup", "outcome": "connected"},
        {"call": 2, "answer_ms": 0, "route_ms": 1000, "connect_ms": 41000, "talk_ms": 30000, "ext": "101",
         "release": "caller_hangup", "outcome": "connected"},
        {"call": 3, "answer_ms": 0, "route_ms": 1000, "connect_ms": None, "release": "caller_hangup",
         "outcome": "abandoned"},
        {"call": 4, "answer_ms": 0, "route_ms": None, "release": "menu_done", "outcome": "menu_done"},
        {"call": 5, "outcome": "missed"},
    ]
    s = slreport.summarise(recs, 20)
    assert (s["offered"], s["missed"], s["answered"], s["routed"], s["connected"], s["abandoned"]) == (5, 1, 4, 3, 2, 1)
    assert abs(s["service_level"] - 1 / 3) < 1e-9      # 1 of 3 routed within 20 s
    assert abs(s["abandon_rate"] - 1 / 3) < 1e-9
    assert s["asa_s"] == 22.5 and s["longest_wait_s"] == 40.0 and s["aht_s"] == 45.0
