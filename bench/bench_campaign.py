"""A simulated morning of outbound calling (issue 13, docs/notes/outbound.md):
a 2-line office, 3 agents, a list of 300 numbers over four US time zones,
on the emulated board under micropython; prints the campaign report's
figures and the emulator's wall time.

    python -m bench campaign            (the full morning: 3 h simulated)
    BENCH_CAMPAIGN_HOURS=0.5 python -m bench campaign
"""
import calendar
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START = "2026-01-05 14:00"          # a Monday: 09:00 New York, 08:00 Chicago, 07:00 Denver, 06:00 LA
# area codes by zone for the list (NANPA): ET, CT, MT, PT
CODES = {"ET": ("212", "617", "404", "305"), "CT": ("312", "713", "214"), "MT": ("303", "801"),
         "PT": ("415", "206", "503")}
SHARE = (("ET", 0.45), ("CT", 0.30), ("MT", 0.10), ("PT", 0.15))
N = 300
ON_REGISTER = 15
ON_OFFICE_LIST = 5


def build(tmp, seed=13):
    rnd = random.Random(seed)
    numbers = []
    while len(numbers) < N:
        r = rnd.random()
        acc = 0.0
        for z, s in SHARE:
            acc += s
            if r < acc:
                break
        n = rnd.choice(CODES[z]) + "555" + "%04d" % rnd.randrange(10000)
        if n not in numbers:
            numbers.append(n)
    with open(os.path.join(tmp, "morning.csv"), "w") as f:
        f.write("number,name,tz,notes\n")
        for n in numbers:
            f.write("%s,,,\n" % n)
    with open(os.path.join(tmp, "register.txt"), "w") as f:
        f.write("\n".join(numbers[10:10 + ON_REGISTER]) + "\n")
    office = numbers[40:40 + ON_OFFICE_LIST]
    cfg = json.load(open(os.path.join(ROOT, "tests", "data", "basic.json")))
    cfg["lines"].append(dict(cfg["lines"][0]))
    cfg["groups"]["sales"] = {"members": ["101", "102", "103"]}
    cfg["outbound"] = {"campaign": {"group": "sales", "max_attempts": 3}, "lines_for_inbound": 0,
                       "retry": {"busy": 600000, "no_answer": 1800000}}
    hours = float(os.environ.get("BENCH_CAMPAIGN_HOURS", "3"))
    sc = {"start": START, "duration": int(hours * 3600), "calls": [], "seed": seed,
          "extensions": {e: {"answer_after": 2.0} for e in ("101", "102", "103")},
          "callee_mix": {"busy": 0.12, "no_answer": 0.30, "opt_out": 0.02, "wrong_number": 0.04,
                         "talk": [40.0, 150.0], "dispositions": {"1": 0.2, "2": 0.15, "3": 0.65}}}
    return cfg, sc, office


def main():
    tmp = tempfile.mkdtemp(prefix="rr-morning-")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools"), RINGROUTE_HOME=os.path.join(tmp, "home"))
    cfg, sc, office = build(tmp)
    rr = [sys.executable, "-m", "ringroute.cli"]
    flash = os.path.join(tmp, "flash")

    def run(*args, **kw):
        p = subprocess.run(rr + list(args), capture_output=True, text=True, env=env, cwd=ROOT, **kw)
        if p.returncode:
            raise RuntimeError("ringroute %s: %s" % (" ".join(args), p.stderr.strip()))
        return p.stdout
    run("dnc", "import", os.path.join(tmp, "register.txt"), "--register", "US-DNC", "--date", "2026-01-02")
    print(run("campaign", "push", os.path.join(tmp, "morning.csv"), "--name", "morning", "--flash", flash,
              "--today", "2026-01-05").strip())
    with open(os.path.join(flash, "dnc.txt"), "w") as f:
        f.write("\n".join(office) + "\n")
    with open(os.path.join(tmp, "cfg.json"), "w") as f:
        json.dump(cfg, f)
    import yaml
    with open(os.path.join(tmp, "sc.yaml"), "w") as f:
        yaml.safe_dump(sc, f)
    t0 = time.time()
    out = run("emulate", os.path.join(tmp, "cfg.json"), "--script", os.path.join(tmp, "sc.yaml"), "--json",
              "--flash", flash, "--prompts", os.path.join(ROOT, "examples", "prompts"))
    wall = time.time() - t0
    ev = os.path.join(tmp, "events.jsonl")
    with open(ev, "w") as f:
        f.write(out)
    print(run("campaign", "report", "--file", ev, "--name", "morning", "--chart", os.path.join(tmp, "morning.png")))
    print("simulated %.1f h in %.0f s of wall time (%.0fx real time); events and chart in %s" % (
        sc["duration"] / 3600.0, wall, sc["duration"] / wall, tmp))


if __name__ == "__main__":
    main()
