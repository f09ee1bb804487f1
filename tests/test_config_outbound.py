"""The config language's queue, hold and outbound (call-back) sections:
validated with file:line:col, compiled to what the firmware reads, and
re-checked by the board."""
import os
import subprocess
import sys

from rrfw.store import cfgcheck
from ringroute.configlang import check_config, compile_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

GOOD = """\
version: 1
lines: [{country: US}]
extensions:
  101: {port: 0, name: Desk}
operator: ext 101
groups:
  desk: {members: [101], queue: 2min}
prompts: [welcome, please_hold, callback_offer, callback_ok, callback_unavailable]
hold_prompt: please_hold
queue: 45s
outbound:
  callback: true
  callback_key: "1"
  do_not_call: ["+1555*", "5551234"]
  hours: "09:00-20:00"
  retry: 10min
  max_attempts: 2
menus:
  main:
    greeting: welcome
    keys: {0: group desk}
"""


def write(tmp_path, text):
    p = tmp_path / "office.yaml"
    p.write_text(text)
    return str(p)


def test_outbound_queue_and_hold_compile(tmp_path):
    cfg = compile_config(write(tmp_path, GOOD))
    assert cfg["outbound"] == {"callback": True, "callback_key": "1", "do_not_call": ["+1555*", "5551234"],
                               "hours": [540, 1200], "max_attempts": 2, "retry_ms": 600000}
    assert cfg["groups"]["desk"]["queue_ms"] == 120000
    assert cfg["queue_ms"] == 45000 and cfg["hold_prompt"] == ["please_hold"]
    assert cfgcheck.check(cfg) is None


def test_outbound_mistakes_are_reported_with_their_place(tmp_path):
    bad = GOOD.replace('callback_key: "1"', 'callback_key: "12"').replace(
        '"09:00-20:00"', '"21:00-20:00"').replace('"5551234"', '"555-1234"').replace(
        "retry: 10min", "retry: 10min\n  max_tries: 3")
    p = write(tmp_path, bad)
    cfg, probs = check_config(p)
    assert cfg is None
    text = "\n".join(str(x) for x in probs)
    assert "office.yaml:13:17: outbound callback_key" in text
    assert "office.yaml:15:10: outbound hours: the start must come before the end" in text
    assert "'555-1234' is not a number" in text
    assert "max_tries" in text and "did you mean" in text
    r = subprocess.run([sys.executable, "-m", "ringroute.cli", "validate", p], capture_output=True, text=True,
                       cwd=ROOT, env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools")))
    assert r.returncode == 1


def test_a_callback_needs_its_prompts(tmp_path):
    p = write(tmp_path, GOOD.replace(", callback_offer, callback_ok, callback_unavailable", ""))
    cfg, probs = check_config(p)
    assert cfg is None and any("callback_ok" in str(x) for x in probs)


def test_board_refuses_bad_outbound_rules():
    base = {"version": 1, "lines": [{"country": "US"}], "extensions": {"101": {"port": 0}},
            "menus": {"main": {"greeting": ["welcome"], "keys": {}}}, "start": "main"}
    assert cfgcheck.check(base) is None
    for bad, why in ((dict(outbound={"hours": [1300, 20]}), "hours"),
                     (dict(outbound={"callback_key": "12"}), "callback_key"),
                     (dict(outbound={"do_not_call": "5551234"}), "do_not_call"),
                     (dict(queue_ms=-5), "queue_ms"),
                     (dict(hold_prompt="please_hold"), "hold_prompt")):
        cfg = dict(base)
        cfg.update(bad)
        assert why in (cfgcheck.check(cfg) or ""), bad
