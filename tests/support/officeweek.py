"""A week of a small office on the emulated board (`make soak`; one day of it
in `make test`): 2 lines, 8 extensions, the traffic of tests/support/busytraffic.py
in office hours (queueing, call-backs, direct dialling, abandoned calls),
night callers on the night menu, a quiet weekend with Saturday morning hours;
a technician's monitor attached to the console all week, records rotating
(the config keeps the newest KEEP and purges what is older than
RETENTION_DAYS), a config pushed through the console and switched in, and
power cuts. check() says what went wrong, if anything, and figures() what
the week did.

Times: the scenario starts on Monday 2026-01-05 00:00 UTC (the office's
time zone is UTC).
"""
import calendar
import copy
import json
import os
import random
import resource
import time

import busytraffic
from emuhelp import PROMPTS

from ringroute.emu import runner, scenario as scenario_mod

DAY_S = 86400
START = "2026-01-05 00:00"        # a Monday
OPEN = {0: (8, 18), 1: (8, 18), 2: (8, 18), 3: (8, 18), 4: (8, 18), 5: (9, 12)}   # weekday -> hours (UTC)
CALLS_PER_HOUR = 8                # in office hours (a small office: ~80 calls a weekday)
NIGHT_CALLS = 3                   # per night, on the night menu
RUSH = {1: (10, 11, 30)}          # weekday -> (from h, to h, calls an hour): Tuesday's rush hour
KEEP = 250                        # records kept (the config's records.keep)
RETENTION_DAYS = 3
HEAP_EVERY = 30000                # blocks (5 min) between heap samples
HEAP_FLAT_BYTES = 4096            # the idle heap may move this much late in the run (fragmentation)
MAX_OFFHOOK_MS = 30 * 60000       # no line is off-hook longer (the config's max call length is less)


def config(push=0):
    """The office's config; push=n is the n-th one pushed during the week
    (the sales group's strategy and the greeting change)."""
    cfg = busytraffic.config()
    cfg["timezone"] = "UTC"
    cfg["schedule"] = {"rules": [{"mode": "day", "days": 31, "from": 480, "to": 1080},
                                 {"mode": "day", "days": 32, "from": 540, "to": 720}],
                       "default": "night", "modes": {"day": "main", "night": "night"}, "unset": "day",
                       "tz": {"std": 0, "name": "UTC"}}
    cfg["menus"]["night"] = {
        "greeting": ["closed", "night_opts"], "terminator": "#", "dial_ext": False, "first_ms": 5000,
        "inter_ms": 3000, "keys": {"1": {"do": "message", "prompts": ["hours"],
                                         "then": {"do": "hangup", "reason": "menu_done"}}},
        "max_invalid": 3, "on_invalid": {"do": "hangup", "reason": "invalid"}, "timeout_prompt": ["no_input"],
        "max_timeout": 1, "on_timeout": {"do": "hangup", "reason": "menu_done"}}
    cfg["records"] = {"keep": KEEP, "retention_days": RETENTION_DAYS}
    if push % 2 == 1:
        cfg["groups"]["sales"]["strategy"] = "ring_all"
        cfg["menus"]["main"]["greeting"] = ["main_opts"]
    return cfg


def _night_call(rnd, at):
    c = {"at": round(at, 2), "line": "any", "caller_id": "555%07d" % rnd.randrange(10 ** 7)}
    if rnd.random() < 0.5:
        c["keys"] = [{"at": 3.0, "digits": "1"}]
        c["hangup"] = {"after": 40.0}
    else:
        c["hangup"] = {"after": 30.0}   # listens to the night greeting and goes
    return c


def scenario(days=7, seed=15, cuts=(), push_at=()):
    """The week's scenario (days from Monday 00:00), the power cuts
    [(s, off_s)] and the config pushes [s] kept clear of the traffic:
    no call starts within 3 minutes before a cut (so one may be in progress,
    by chance, but none is made to start into it)."""
    rnd = random.Random(seed)
    total = sum(w for w, _ in busytraffic.KINDS)
    calls = []
    for day in range(days):
        base = day * DAY_S
        hours = OPEN.get(day % 7)
        if hours:
            at = base + hours[0] * 3600.0
            end = base + hours[1] * 3600.0 - 120
            while True:
                at += rnd.expovariate(CALLS_PER_HOUR / 3600.0)
                if at > end:
                    break
                r = rnd.uniform(0, total)
                for w, kind in busytraffic.KINDS:
                    r -= w
                    if r <= 0:
                        break
                calls.append(busytraffic._call(rnd, at, kind))
        # a few callers on the night menu: in the small hours and the evening
        night = [base + rnd.uniform(0, 7.5 * 3600) for _ in range(NIGHT_CALLS - 1)]
        night.append(base + rnd.uniform(19 * 3600, 23.5 * 3600))
        for at in sorted(night):
            calls.append(_night_call(rnd, at))
        rush = RUSH.get(day % 7)
        if rush and day < days:   # a rush hour: callers queue and ask to be called back
            at = base + rush[0] * 3600.0
            while True:
                at += rnd.expovariate(rush[2] / 3600.0)
                if at > base + rush[1] * 3600.0:
                    break
                calls.append(busytraffic._call(rnd, at, rnd.choice(("front", "front_callback"))))
    calls.sort(key=lambda c: c["at"])
    ext = {str(101 + i): {"answer_after": 2.0 + 1.5 * i} for i in range(busytraffic.N_EXTS)}
    ext["105"] = {"answer": False}                      # never answers: sales hunts on
    ext["103"] = {"answer_after": 4.0, "hangup_after": 50.0}
    if days > 1:   # Tuesday morning the front desk's second phone is left off the hook: front callers queue
        ext["102"] = {"answer_after": 3.5, "offhook_at": DAY_S + 9 * 3600.0, "onhook_at": DAY_S + 12 * 3600.0}
    return {"seed": seed, "start": START, "duration": days * DAY_S, "calls": calls, "extensions": ext}


# Monday 10:15 (office hours: calls up, by chance) and Thursday 03:00 (a night)
WEEK_CUTS = ((0 * DAY_S + 10 * 3600 + 15 * 60, 20.0), (3 * DAY_S + 3 * 3600, 90.0))
# Tuesday 12:30 (calls up: switched in when the lines are idle) and Friday 07:30
WEEK_PUSHES = (1 * DAY_S + 12 * 3600 + 30 * 60, 4 * DAY_S + 7 * 3600 + 30 * 60)
# the short run in `make test`: Monday 05:00-09:45 (a night caller, the
# opening, calls), a push at 06:00 and a cut at 08:26 with two calls up
MORNING = (5 * 3600, 9 * 3600 + 45 * 60)
MORNING_CUTS = ((3 * 3600 + 26 * 60, 20.0),)
MORNING_PUSHES = (3600,)


class Week:
    """One run and what it left: events, the flash, the heap samples."""

    def __init__(self, days, cuts, pushes, engine="micropython", seed=15, span=None):
        """days of the week from Monday 00:00, or span=(from_s, to_s): that
        part of it only (cuts and pushes then count from from_s)."""
        self.days = days
        self.cuts = cuts
        self.pushes = pushes
        self.engine = engine
        self.seed = seed
        self.span = span

    def run(self, flash):
        raw = scenario(self.days, self.seed)
        self.start_utc = calendar.timegm(time.strptime(START, "%Y-%m-%d %H:%M"))
        if self.span is not None:
            a, b = self.span
            raw["duration"] = b - a
            raw["calls"] = [dict(c, at=round(c["at"] - a, 2)) for c in raw["calls"] if a + 60 <= c["at"] < b - 300]
            for e in raw["extensions"].values():
                for k in ("offhook_at", "onhook_at"):
                    if e.get(k) is not None:
                        e[k] = e[k] - a
            self.start_utc += a
            raw["start"] = time.strftime("%Y-%m-%d %H:%M:%S+00:00", time.gmtime(self.start_utc))
        sc = scenario_mod.parse(raw)
        for c in sc["calls"]:
            c["lines"] = [1, 2]
        cuts = {int(at * 100): int(off * 1000) for at, off in self.cuts}
        pushes = [(int(at * 100), json.dumps(config(i + 1)).encode()) for i, at in enumerate(self.pushes)]
        self.n_calls = len(sc["calls"])
        self.sim_s = sc["duration"]
        self.emu = runner.Emulation(copy.deepcopy(config()), sc, [PROMPTS], engine=self.engine,
                                    n_lines=busytraffic.N_LINES, n_exts=busytraffic.N_EXTS, flash=flash,
                                    monitor_pin=busytraffic.MONITOR_PIN, power_cuts=cuts, pushes=pushes,
                                    extra_argv=["--heapevery", str(HEAP_EVERY)])
        t0 = time.time()
        c0 = _cpu()
        self.events = self.emu.run()
        self.wall_s = time.time() - t0
        self.cpu_s = tuple(b - a for a, b in zip(c0, _cpu()))   # (the world's, the firmware's)
        self.flash = flash
        self.records = []
        self.unreadable = 0
        names = sorted(n for n in os.listdir(flash) if n.startswith("rec") and n.endswith(".bin"))
        for n in names:
            with open(os.path.join(flash, n), "rb") as f:
                recs, bad = _decode(f.read())
            self.records += recs
            self.unreadable += bad
        self.heap = [(int(w[1]), int(w[2])) for w in (ln.split() for ln in self.emu.stderr.splitlines())
                     if len(w) == 3 and w[0] == "heapsample"]
        return self

    def of(self, name, src="board"):
        return [e for e in self.events if e["event"] == name and e.get("src") == src]

    def check(self):
        """[problem, ...]: empty when the week went as an office needs it to."""
        bad = []
        ev = self.events
        board = [e for e in ev if e.get("src") == "board"]
        if "MemoryError" in self.emu.stderr or "Traceback" in self.emu.stderr:
            bad.append("the firmware failed: %s" % self.emu.stderr.strip()[-300:])
        for name in ("error", "watchdog", "record_lost", "config_fallback"):
            if self.of(name):
                bad.append("%d %s event(s), the first: %s" % (len(self.of(name)), name, self.of(name)[0]))
        if self.of("fault", "world"):
            bad.append("hardware misuse: %s" % self.of("fault", "world")[0])
        # one boot per power-on, per power cut and per config switched in
        boots = len(self.of("boot"))
        if boots != 1 + len(self.cuts) + len(self.pushes):
            bad.append("%d boots for %d cuts and %d pushes" % (boots, len(self.cuts), len(self.pushes)))
        m = self.emu.monitor
        if m.errors:
            bad.append("console errors: %s" % m.errors[:3])
        if len(m.pushes) != len(self.pushes):
            bad.append("%d of %d config pushes installed: %s" % (len(m.pushes), len(self.pushes), m.pushes))
        # every call answered was released with its record, but the calls a power cut took
        cut_ms = [int(at * 1000) for at, _ in self.cuts]
        answered = {e["call"]: e for e in self.of("answer")}
        released = {e["call"]: e for e in self.of("release")}
        recorded = {e["call"]: e for e in self.of("record")}
        lost_to_cuts = 0
        for cid, a in answered.items():
            if cid in released:
                continue
            if any(a["t_ms"] <= c for c in cut_ms) and not any(
                    r["t_ms"] > a["t_ms"] and r["t_ms"] < min(c for c in cut_ms if c >= a["t_ms"])
                    for r in released.values() if r.get("line") == a.get("line")):
                lost_to_cuts += 1
                continue
            bad.append("call %s answered at %d ms never released" % (cid, a["t_ms"]))
        if lost_to_cuts > 2 * len(self.cuts):
            bad.append("%d calls lost to %d power cuts" % (lost_to_cuts, len(self.cuts)))
        self.lost_to_cuts = lost_to_cuts
        if set(released) - set(recorded):
            bad.append("released without a record: %s" % sorted(set(released) - set(recorded))[:5])
        # no stuck line: every off-hook spell ends, none lasts longer than a call may
        w = self.emu.world
        if any(w.hook) or any(w.ext_ring):
            bad.append("at the end: lines off-hook %s, phones ringing %s" % (w.hook, w.ext_ring))
        since = {}
        for e in self.of("hook", "world"):
            if e["state"] == "off":
                since[e["line"]] = e["t_ms"]
            elif e["line"] in since and e["t_ms"] - since.pop(e["line"]) > MAX_OFFHOOK_MS:
                bad.append("line %d off-hook for %d s" % (e["line"], (e["t_ms"] - since[e["line"]]) / 1000))
        not_done = [c for c in w.callers if c.state not in ("done", "gone_before_answer", "blocked")]
        if not_done:
            bad.append("%d callers never finished (first at %s s)" % (len(not_done), not_done[0].spec["at"]))
        # records: readable, ids unique and increasing, exactly the newest ones the board wrote
        bad += self._check_records()
        bad += self._check_heap()
        self.boots = boots
        return bad

    def _check_records(self):
        bad = []
        if self.unreadable:
            bad.append("%d unreadable record frames" % self.unreadable)
        ids = [r["call"] for r in self.records]   # in the order written: at release, not at answer
        if len(ids) != len(set(ids)):
            bad.append("a record id twice on flash: %s" % ids[:20])
        given = [e["call"] for e in self.of("answer")]   # ids are given at answer, across boots
        if given != sorted(set(given)):
            bad.append("call ids not unique and increasing: %s" % given[:20])
        written = [e["call"] for e in self.of("record")]
        if len(written) != len(set(written)):
            bad.append("a call id was given twice")
        if len(self.records) > KEEP:
            bad.append("%d records kept, the config keeps %d" % (len(self.records), KEEP))
        if ids and ids != written[-len(ids):]:
            bad.append("the flash does not hold the newest records: %s... vs %s..." % (ids[:5], written[-len(ids):][:5]))
        end_utc = self.start_utc + self.sim_s
        old = [r for r in self.records if r.get("utc", end_utc) < end_utc - RETENTION_DAYS * DAY_S - 3600]
        if old:
            bad.append("%d records older than %d days kept" % (len(old), RETENTION_DAYS))
        if self.sim_s > (RETENTION_DAYS + 1) * DAY_S and not self.of("purged"):
            bad.append("the retention purge never ran")
        return bad

    def _check_heap(self):
        """The live heap (after a collection) at idle moments must not creep up."""
        if len(self.heap) < 4:
            return ["too few heap samples: %d" % len(self.heap)]
        idle = self._idle_samples()
        if len(idle) < 4:
            return ["too few idle heap samples: %d" % len(idle)]
        # the first use of a flow (a call-back's code and tables) may raise it once;
        # a leak goes on: the last third's highest against the middle third's
        third = len(idle) // 3
        mid, last = max(idle[third:2 * third]), max(idle[2 * third:])
        self.heap_idle = (min(idle), max(idle))
        if last - mid > HEAP_FLAT_BYTES:
            return ["the idle heap grew from %d to %d bytes" % (mid, last)]
        return []

    def _idle_samples(self):
        """Heap samples taken while both lines were on-hook and nobody rang, past
        each boot's first hour (the first calls load the flows' code)."""
        hooks = [(e["t_ms"], e["line"], e["state"]) for e in self.of("hook", "world")]
        boots = [e["t_ms"] for e in self.of("boot")]
        out = []
        i = 0
        off = set()
        for block, live in self.heap:
            t = block * 10
            while i < len(hooks) and hooks[i][0] <= t:
                if hooks[i][2] == "off":
                    off.add(hooks[i][1])
                else:
                    off.discard(hooks[i][1])
                i += 1
            last_boot = max([b for b in boots if b <= t] or [0])
            if not off and t - last_boot >= 3600000:
                out.append(live)
        return out

    def figures(self):
        rec = self.of("record")
        return {
            "simulated_days": round(self.sim_s / DAY_S, 2),
            "wall_s": round(self.wall_s, 1),
            "x_real_time": round(self.sim_s / self.wall_s),
            "cpu_s_world_firmware": [round(c, 1) for c in self.cpu_s],
            "x_real_time_on_cpu": round(self.sim_s / sum(self.cpu_s)),
            "calls_offered": self.n_calls,
            "answered": len(self.of("answer")),
            "released": len(self.of("release")),
            "records_written": len(rec),
            "records_on_flash": len(self.records),
            "blocked_by_busy_lines": len(self.of("blocked", "world")),
            "queued": len(self.of("queue")),
            "callbacks_requested": len(self.of("callback_request")),
            "callbacks_done": len(self.of("callback_done")),
            "purges": len(self.of("purged")),
            "boots": len(self.of("boot")),
            "power_cuts": len(self.cuts),
            "config_pushes": len(self.emu.monitor.pushes),
            "calls_lost_to_cuts": getattr(self, "lost_to_cuts", None),
            "monitor_events": self.emu.monitor.counts["ev"],
            "heap_samples": len(self.heap),
            "heap_idle_bytes": getattr(self, "heap_idle", None),
            "heap_max_bytes": max(h for _, h in self.heap) if self.heap else None,
        }


def _cpu():
    """CPU seconds of this process (the world) and of its finished children (the firmware)."""
    a = resource.getrusage(resource.RUSAGE_SELF)
    b = resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime, b.ru_utime + b.ru_stime


def _decode(data):
    from rrfw.store import records as rec_mod
    return rec_mod.decode(data)
