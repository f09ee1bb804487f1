"""Announced against actual waits on a busy emulated run: the board's estimate
(call/queuetalk.py) beside Asterisk app_queue's, computed on the same run.

Asterisk's figure, from its app_queue.c (recalc_holdtime, say_position): the
queue's holdtime is a running average of the callers' hold times (the time
from entering the queue to an agent answering), new = (3 x old + hold) / 4
in whole seconds, updated at every answer; a caller is told (holdtime + 30 -
time already waited), the 30 s there to round to the nearest minute. Here it
is computed from the run's own events at the moment of each of the board's
announcements: `route` -> `connect` of every answered group call gives the
hold times, in the order the answers came.

Run: .venv/bin/python scripts/wait_error.py [hours] [seed]   (micropython engine)
"""
import copy
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests", "support")]

from emuhelp import emulate, of   # noqa: E402

ASTERISK_ROUND_S = 30   # app_queue.c say_position: + 30 s before dividing by 60

BASE = {"version": 1,
        "lines": [{"country": "US", "answer_on_ring": 1, "answer_on_callerid": False}] * 2,
        "extensions": {"101": {"port": 0, "name": "A"}, "102": {"port": 1, "name": "B"}},
        "start": "main", "agents": {"wrapup_ms": 15000, "max_no_answer": 0},
        "groups": {"sales": {"members": ["101"], "strategy": "longest-idle", "queue_ms": 900000,
                             "announce": ["position", "wait"], "announce_ms": 30000}},
        "menus": {"main": {"greeting": ["welcome"], "keys": {"1": {"do": "group", "to": "sales"}}}}}


def busy(hours=2.0, seed=7, agents=1, calls_per_hour=24, talk=90):
    """A busy office on the 2-line board: Poisson calls, exponential talks (mean
    `talk` s) and patience (mean 10 min), 15 s wrap-up, `agents` answering."""
    cfg = copy.deepcopy(BASE)
    cfg["groups"]["sales"]["members"] = ["101", "102"][:agents]
    sc = {"seed": seed,
          "traffic": {"calls_per_hour": calls_per_hour, "hours": hours, "lines": [1, 2], "talk": talk,
                      "patience": 600, "keys": [{"at": 1.0, "digits": "1"}]},
          "extensions": {"101": {"answer_after": 1.0}, "102": {"answer_after": 3.0}}}
    return cfg, sc


def compare(ev):
    """Per announcement of a caller later answered: (announced ms, Asterisk ms, actual ms)."""
    route = {}
    conn = {}
    for e in ev:
        if e["event"] == "route" and e.get("call") is not None:
            route.setdefault(e["call"], e["t_ms"])
        if e["event"] == "connect" and e.get("call") is not None:
            conn.setdefault(e["call"], e["t_ms"])
    answers = sorted((t, c) for c, t in conn.items() if c in route)
    rows = []
    for a in of(ev, "queue_announce"):
        c = a["call"]
        if a["wait_ms"] < 0 or c not in conn:
            continue
        hold = 0   # Asterisk's q->holdtime, s, over the answers before this announcement
        for t, c2 in answers:
            if t > a["t_ms"]:
                break
            hold = (3 * hold + (t - route[c2]) // 1000) >> 2
        waited_s = (a["t_ms"] - route[c]) // 1000
        ast = (hold + ASTERISK_ROUND_S - waited_s) * 1000
        rows.append((a["wait_ms"], ast, conn[c] - a["t_ms"], a["said_min"]))
    return rows


def stats(rows):
    def mae(i):
        return sum(abs(r[i] - r[2]) for r in rows) / len(rows) / 1000.0

    def bias(i):
        return sum(r[i] - r[2] for r in rows) / len(rows) / 1000.0

    said = [(r[3] * 60000 if r[3] > 0 else 30000) for r in rows]   # "less than a minute": 30 s
    ast_said = [abs(r[1]) // 60000 * 60000 for r in rows]           # Asterisk says whole minutes
    return {"n": len(rows), "ours_mae_s": mae(0), "ours_bias_s": bias(0),
            "asterisk_mae_s": mae(1), "asterisk_bias_s": bias(1),
            "asterisk_no30_mae_s": sum(abs(r[1] - ASTERISK_ROUND_S * 1000 - r[2]) for r in rows) / len(rows) / 1000.0,
            "ours_said_mae_s": sum(abs(s - r[2]) for s, r in zip(said, rows)) / len(rows) / 1000.0,
            "asterisk_said_mae_s": sum(abs(s - r[2]) for s, r in zip(ast_said, rows)) / len(rows) / 1000.0,
            "ours_within_30s": sum(1 for r in rows if abs(r[0] - r[2]) <= 30000) / len(rows),
            "asterisk_within_30s": sum(1 for r in rows if abs(r[1] - r[2]) <= 30000) / len(rows)}


def run(hours, seed, agents, tmp):
    cfg, sc = busy(hours, seed, agents, calls_per_hour=24 * agents)
    code, ev, err = emulate(cfg, sc, "micropython", tmp)
    if code:
        sys.exit(err)
    answered = len(of(ev, "connect"))
    left = [e["reason"] for e in of(ev, "queue_leave")]
    return stats(compare(ev)), answered, left


def main():
    hours = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    tmp = tempfile.mkdtemp()
    print("| agents | announcements | ours: mean abs error, bias | Asterisk (+30 s): mean abs error, bias "
          "| Asterisk without the 30 s | spoken: ours / Asterisk | within 30 s: ours / Asterisk | answered, left |")
    print("|---|---|---|---|---|---|---|---|")
    for agents in (1, 2):
        s, answered, left = run(hours, seed, agents, tmp)
        print("| %d | %d | %.1f s, %+.1f s | %.1f s, %+.1f s | %.1f s | %.1f s / %.1f s | %.0f%% / %.0f%% | %d, %s |" % (
            agents, s["n"], s["ours_mae_s"], s["ours_bias_s"], s["asterisk_mae_s"], s["asterisk_bias_s"],
            s["asterisk_no30_mae_s"], s["ours_said_mae_s"], s["asterisk_said_mae_s"],
            100 * s["ours_within_30s"], 100 * s["asterisk_within_30s"], answered,
            " ".join("%s %d" % (k, left.count(k)) for k in sorted(set(left)))))


if __name__ == "__main__":
    main()
