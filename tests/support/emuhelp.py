"""Running scenarios on the emulated board from tests (both engines)."""
import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/support/ -> the repo
DATA = os.path.join(ROOT, "tests", "data")
PROMPTS = os.path.join(ROOT, "examples", "prompts")
ENGINES = ("micropython", "cpython")


def emulate(cfg, scenario, engine="micropython", tmp_path=None, extra=(), heapsize=None):
    """Run `ringroute emulate --json` as a user would; returns (exit code, events, stderr).

    cfg: a path, or a dict (written as compiled JSON); scenario: a path or a dict."""
    if isinstance(cfg, dict):
        p = os.path.join(str(tmp_path), "config.json")
        with open(p, "w") as f:
            json.dump(cfg, f)
        cfg = p
    if isinstance(scenario, dict):
        p = os.path.join(str(tmp_path), "scenario.yaml")
        with open(p, "w") as f:
            yaml.safe_dump(scenario, f)
        scenario = p
    cmd = [sys.executable, "-m", "ringroute.cli", "emulate", cfg, "--script", scenario, "--json",
           "--engine", engine, "--prompts", PROMPTS] + list(extra)
    if heapsize:
        cmd += ["--heapsize", heapsize]
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools"))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    events = [json.loads(ln) for ln in p.stdout.splitlines() if ln.startswith("{")]
    return p.returncode, events, p.stderr


def emulate_ok(cfg, scenario, tmp_path, engine="micropython", extra=()):
    """emulate(), for a run that must end cleanly: exit 0, no error or fault
    event from either side; returns the events."""
    code, ev, err = emulate(cfg, scenario, engine, tmp_path, extra=extra)
    assert code == 0, err
    assert not of(ev, "error"), of(ev, "error")
    assert not of(ev, "fault"), of(ev, "fault")
    return ev


def load_json(name):
    with open(os.path.join(DATA, name)) as f:
        return json.load(f)


def of(events, name, **fields):
    return [e for e in events if e["event"] == name and all(str(e.get(k)) == str(v) for k, v in fields.items())]
