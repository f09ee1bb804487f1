"""Busy two-line traffic for the heap gate (tests/test_heap_gate.py) and the
heap benchmark (bench/bench_heap.py): the whole firmware on a board with 2
lines and 8 extensions, callers arriving faster than two lines carry (so the
exchange blocks some), waiting in queues, asking for call-backs that the
board later dials, dialling extensions, listening to messages, giving up
while it rings, agents answering, not answering, leaving a phone off the
hook; every call leaves a record; a technician's live monitor stays attached
to the console the whole time (runner.ConsoleMonitor).

A run passes when the firmware runs to the end: no MemoryError (or any other
error event), no restart, no crash, the console answered without error.
"""
import copy
import os
import random

from emuhelp import PROMPTS, load_json

from ringroute.emu import runner, scenario as scenario_mod

N_LINES = 2
N_EXTS = 8
MONITOR_PIN = "heap-gate-7"


def config():
    cfg = load_json("basic.json")
    cfg["lines"] = [dict(cfg["lines"][0]), dict(cfg["lines"][0])]
    cfg["extensions"] = {str(101 + i): {"port": i, "name": "Agent %d" % (i + 1)} for i in range(N_EXTS)}
    cfg["groups"] = {"front": {"members": ["101", "102"], "strategy": "ring_all", "queue_ms": 90000},
                     "sales": {"members": ["103", "104", "105"], "strategy": "sequential", "queue_ms": 45000}}
    keys = cfg["menus"]["main"]["keys"]
    keys["1"] = {"do": "group", "to": "sales"}
    keys["2"] = {"do": "group", "to": "front"}
    cfg["outbound"] = {"callback": True, "callback_key": "1"}
    return cfg


# (weight, what the caller does)
KINDS = (
    (5, "front"), (2, "front_callback"), (3, "sales"), (3, "direct"),
    (1, "hours"), (1, "silent"), (1, "abandon"),
)


def _call(rnd, at, kind):
    c = {"at": round(at, 2), "line": "any", "caller_id": "555%07d" % rnd.randrange(10 ** 7)}
    talk = round(rnd.uniform(15, 80), 1)
    if kind == "front":
        c["keys"] = [{"at": 2.0, "digits": "2"}]
        c["hangup"] = {"after_connect": talk, "patience": round(rnd.uniform(25, 70), 1)}
    elif kind == "front_callback":
        c["keys"] = [{"at": 2.0, "digits": "2"}, {"at": 12.0, "digits": "1"}]
        c["hangup"] = {"after_connect": talk, "patience": 90.0}
    elif kind == "sales":
        c["keys"] = [{"at": 2.0, "digits": "1"}]
        c["hangup"] = {"after_connect": talk, "patience": round(rnd.uniform(20, 60), 1)}
    elif kind == "direct":
        c["keys"] = [{"at": 2.0, "digits": "10%d" % rnd.randint(1, N_EXTS), "gap": 0.3}]
        c["hangup"] = {"after_connect": talk, "patience": 40.0}
    elif kind == "hours":
        c["keys"] = [{"at": 2.0, "digits": "9"}]
        c["hangup"] = {"after": 40.0}
    elif kind == "silent":
        c["hangup"] = {"after_connect": talk, "patience": 45.0}
    else:   # gives up while it rings
        c["hangup"] = {"at": round(rnd.uniform(2.0, 5.0), 1)}
    return c


def scenario(minutes=15, seed=14, mean_gap_s=14.0):
    """Waves of 5 busy minutes and 1 quiet one (when the board calls back)."""
    rnd = random.Random(seed)
    total = sum(w for w, _ in KINDS)
    calls = []
    at = 1.0
    while True:
        at += rnd.expovariate(1.0 / mean_gap_s)
        if at % 360 > 300:
            at += 360 - at % 360
        if at > minutes * 60 - 20:
            break
        r = rnd.uniform(0, total)
        for w, kind in KINDS:
            r -= w
            if r <= 0:
                break
        calls.append(_call(rnd, at, kind))
    ext = {str(101 + i): {"answer_after": 2.0 + 1.5 * i} for i in range(N_EXTS)}
    ext["105"] = {"answer": False}                      # never answers: sales hunts on
    ext["103"] = {"answer_after": 4.0, "hangup_after": 50.0}
    ext["102"] = {"offhook_at": 60.0, "onhook_at": 280.0}    # off the hook: front callers queue
    ext["108"] = {"offhook_at": 420.0, "onhook_at": 640.0}
    return {"seed": seed, "duration": minutes * 60 + 30, "calls": calls, "extensions": ext}


class Result:
    def __init__(self, ok, why, events=(), emu=None):
        self.ok = ok
        self.why = why
        self.events = list(events)
        self.emu = emu

    def of(self, name):
        return [e for e in self.events if e["event"] == name]


def run(engine, heapsize, minutes=15, monitor=True, extra_argv=(), seed=14, tmp=None):
    """One run; Result.ok when the firmware carried the whole traffic."""
    sc = scenario_mod.parse(scenario(minutes, seed))
    for c in sc["calls"]:
        c["lines"] = [1, 2]   # "any": the exchange hunts both lines (as traffic: calls do)
    emu = runner.Emulation(copy.deepcopy(config()), sc, [PROMPTS], engine=engine, heapsize=heapsize,
                           n_lines=N_LINES, n_exts=N_EXTS, flash=tmp,
                           monitor_pin=MONITOR_PIN if monitor else None, extra_argv=extra_argv)
    try:
        events = emu.run()
    except runner.EmulatorError as e:
        return Result(False, "crashed: %s" % str(e)[-300:], emu.events, emu)
    board = [e for e in events if e.get("src") == "board"]
    errs = [e for e in board if e["event"] == "error"]
    if "MemoryError" in emu.stderr:
        return Result(False, "MemoryError: %s" % emu.stderr.strip()[-200:], events, emu)
    if errs:
        return Result(False, "error event: %s" % errs[0], events, emu)
    if len([e for e in board if e["event"] == "boot"]) != 1:
        return Result(False, "the board restarted", events, emu)
    if emu.blocks < sc["duration"] * 100:
        return Result(False, "stopped at %.1f s" % (emu.blocks / 100.0), events, emu)
    if monitor:
        m = emu.monitor.counts
        if emu.monitor.errors:
            return Result(False, "console error: %s" % emu.monitor.errors[0][:200], events, emu)
        if m["ev"] == 0:
            return Result(False, "the console monitor saw no event", events, emu)
    return Result(True, "ok", events, emu)


def heapstat(res):
    """(boot, peak, final) live heap bytes after gc from a --heapstat run, else None."""
    for ln in (res.emu.stderr if res.emu else "").splitlines():
        w = ln.split()
        if len(w) >= 9 and w[0] == "heapstat":
            return int(w[2]), int(w[4]), int(w[6])
    return None


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
