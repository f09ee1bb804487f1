# The outbound engine: every call the board places to a person goes through
# here, whatever asked for it (a job source: callbacks.py's requests, a
# campaign's list in campaign.py). Agent first, always (callout.py runs the
# call): an available agent is reserved before a line is seized, so a
# called person never answers to silence and no call is ever abandoned.
#
# Once a second (App) the dialer looks for one job, if a line may be taken:
#   lines:   more idle lines than outbound.lines_for_inbound (default 1: the
#            office's last free line is kept for callers; 0 lets outbound take it)
#            and no caller waiting in a queue
#   agent:   a free agent for the job (joined the campaign, available, not
#            in wrap-up, phone on-hook): none, no job
#   except:  a call-back that kept its caller's queue place (callbacks.py) is
#            that caller: it goes out on any idle line and waits in the queue
#            at its place for an agent (router.py), line on-hook meanwhile
#   job:     call-backs first (someone asked), then the campaign, each only
#            when its next try has come and no attempt of the number is under
#            way (`busy`: never two attempts of one number at once)
#   rules, before EVERY dial, in order (a failed rule is counted and evented):
#     1. the numbering plan (numplan.py, in callout.py at the dial)
#     2. do-not-call: the office's own list on flash (store/dnc.py) and the
#        config's do_not_call; a listed number is closed, never dialled
#     3. the office's holidays (outbound.holidays, and the schedule's holiday
#        dates) and outbound hours, in the office's time zone
#     4. calling hours of the number's region in the called person's local
#        time (localtime.py: the list's zone, the area code, the office's zone)
#     A number held by 3 or 4 gets its next try at the first quarter hour its
#     window opens, so it is not looked at again before.
#
# Results (callout.py reports them) and what follows, per result:
#   answer        completed: the agent's disposition decides (campaign); no
#                 call to the number for after_call_ms
#   busy / reorder / no_answer / sit
#                 counted; next try after retry[result]; sit (an intercept:
#                 not in service) and max_attempts close the number
#   no_dial_tone  not the callee's fault: not counted, retry[no_dial_tone]
#   agent_* / incoming_call / agent_hangup before the answer
#                 never reached the number: not counted, a minute later
#   interrupted   the power went during the attempt (found at boot): counted,
#                 its record written then, next try after retry[interrupted]
# Every attempt is a record of its own (record.py "kind": "campaign" or
# "callback", direction out: never counted as an inbound call).
from rrfw.compat import unload
from rrfw.call import record
from rrfw.call.callbacks import on_dnc as on_list   # a number against a list of numbers and prefixes*

_UTC_MIN = const(1577836800)       # s, 2020-01-01: a clock before this was never set: no outbound call
AGENT_RETRY_S = const(60)          # s: no agent free / an incoming call won: look again in a minute
DEFAULT_LINES_FOR_INBOUND = const(1)
DEFAULT_HOURS = (480, 1260)        # minutes: 08:00-21:00 (16 CFR 310.4(c), 47 CFR 64.1200(c)(1))
DEFAULT_AFTER_CALL_MS = const(86400000)   # ms: no new call to a number for a day after a completed one
# retry spacing for a campaign's number, per result (s); call-backs keep
# outbound.retry_ms for every result unless outbound.retry names it
CAMPAIGN_RETRY_S = {"busy": 600, "reorder": 600, "no_answer": 3600, "no_dial_tone": 120,
                    "interrupted": 3600}
# the register copy's age limit (days) per region: US 16 CFR 310.4(b)(3)(iv);
# IT: "at least monthly" (Law 5/2018 on the Registro Pubblico delle Opposizioni)
REGISTER_DAYS = {"US": 31, "IT": 30}
COUNTED = ("busy", "reorder", "no_answer", "sit", "interrupted", "answer")
FINAL = ("sit",)


def national(number, country):
    """The form numbers are compared in (do-not-call, one attempt at a time):
    NANP numbers without the trunk 1, others as dialled."""
    if country == "US" and len(number) == 11 and number[0] == "1":
        return number[1:]
    return number


class Dialer:
    def __init__(self, cfg, emit, records, callbacks, wall_clock):
        ob = cfg.get("outbound") or {}
        self.cfg = cfg
        self.emit = emit
        self.records = records
        self.wall_clock = wall_clock
        self.callbacks = callbacks
        self.ending = []          # (job, result, utc): end() due in the next block (end_soon)
        lines = cfg.get("lines") or [{}]
        self.country = lines[0].get("country", "US") if type(lines[0]) is dict else "US"
        sch = cfg.get("schedule") or {}
        # the office's zone: the schedule's, else the config's own (a config with
        # a time zone and no schedule: the 06:30 call-back of issue 13)
        self.tz = sch.get("tz") or cfg.get("tz")
        self.hours = ob.get("hours", DEFAULT_HOURS)
        self.holidays = list(ob.get("holidays") or [])
        for r in sch.get("rules") or ():
            if r.get("mode") == "holiday" and r.get("dates") and "from" not in r:
                self.holidays.append(r["dates"])
        self.regions = ob.get("regions") or {}
        self.retry = ob.get("retry") or {}
        self.retry_ms = ob.get("retry_ms")
        self.after_call_s = ob.get("after_call_ms", DEFAULT_AFTER_CALL_MS) // 1000
        self.lines_for_inbound = ob.get("lines_for_inbound", DEFAULT_LINES_FOR_INBOUND)
        self.config_dnc = ob.get("do_not_call") or []
        from rrfw.store import dnc
        self.dnc = dnc.Dnc()
        self.busy = []          # numbers (national form) with an attempt under way
        self.campaign = None
        if ob.get("campaign") is not None:
            from rrfw.call import campaign   # only offices that run campaigns pay for it
            self.campaign = campaign.Campaign(cfg, self)
        self.skipped = {"office": 0, "config": 0}   # numbers closed by each do-not-call list since boot
        self.held = 0           # numbers held back by calling hours or holidays since boot
        self.recovered = False  # interrupted attempts are recorded at the first look with a clock

    # --- rules ---------------------------------------------------------------------
    def national(self, number):
        return national(number, self.country)

    def region_hours(self, region):
        r = self.regions.get(region) or {}
        return r.get("hours", DEFAULT_HOURS if region == "US" else self.hours)

    def register_days(self, region):
        r = self.regions.get(region) or {}
        return r.get("register_days", REGISTER_DAYS.get(region, 31))

    def zones(self, number, zone_tz=None):
        """The compiled zones of the called person: the list's, the prefix table's, the office's."""
        if zone_tz is not None:
            return (zone_tz,)
        from rrfw.call import localtime
        names = localtime.zones_of(national(number, self.country), self.country)
        if names:
            return tuple(localtime.ZONES[n] for n in names)
        return (self.tz,)

    def windows(self, number, region, zone_tz=None):
        """[(tz, hours)] every one of which must hold for a call to number now."""
        w = [(self.tz, self.hours)]
        h = self.region_hours(region)
        for tz in self.zones(number, zone_tz):
            w.append((tz, h))
        return w

    def listed(self, number):
        """Which do-not-call list holds the number: "office", "config" or None."""
        n = national(number, self.country)
        if self.dnc.listed(n) or self.dnc.listed(number):
            return "office"
        if on_list(n, self.config_dnc) or on_list(number, self.config_dnc):
            return "config"
        return None

    def closed_at(self, utc, windows):
        """None when a call is allowed at utc under every window and no holiday,
        else the utc its window opens next (0 when not within two days)."""
        from rrfw.call import localtime
        ok = not localtime.on_holiday(self.tz, utc, self.holidays)
        if ok:
            for tz, hours in windows:
                if not localtime.in_window(tz, utc, hours):
                    ok = False
                    break
        if ok:
            return None
        t = utc - utc % 900 + 900
        for _ in range(3 * 96):   # quarter hours, three days ahead (a holiday and a night)
            if not localtime.on_holiday(self.tz, t, self.holidays):
                good = True
                for tz, hours in windows:
                    if not localtime.in_window(tz, t, hours):
                        good = False
                        break
                if good:
                    return t
            t += 900
        return 0

    def spacing_s(self, kind, result):
        if result in self.retry:
            return self.retry[result] // 1000
        if kind == "callback" or result not in CAMPAIGN_RETRY_S:
            return (self.retry_ms if self.retry_ms is not None else 300000) // 1000
        return CAMPAIGN_RETRY_S[result]

    # --- the job ---------------------------------------------------------------------
    def wants_line(self):
        return (not self.recovered or bool(self.callbacks.pending)
                or (self.campaign is not None and self.campaign.running()))

    def clock_ok(self, utc):
        """The clock is set; at the first look with it, the attempts a power cut
        interrupted get their record (and their retry spacing)."""
        if utc < _UTC_MIN:
            return False
        if not self.recovered:
            self.recovered = True
            self.recover(self.records.new_call_id, utc)
        return True

    def may_take_line(self, idle_lines):
        return idle_lines > self.lines_for_inbound

    def next_job(self, t, utc, free_agent, open_to_all=True):
        """The job to call now (rules passed), or None. free_agent(target, joined) -> ext or None.
        open_to_all: no caller waits for an agent and more lines are idle than
        kept for inbound. When not, only a call-back that kept its caller's
        queue place may go: it is that caller, waiting in the queue at its
        place (router.py), so it neither jumps ahead of the live callers nor
        is left behind them; its line stays on-hook until an agent answers."""
        if not self.clock_ok(utc):
            return None   # calling hours mean nothing on a board whose clock was never set
        cb = self.callbacks
        for item in cb.due(utc, self.busy):
            placed = item.get("place") is not None and item.get("target") is not None
            if placed:
                ext = None            # the queue gives it an agent in its turn
            elif not open_to_all:
                continue
            else:
                ext = free_agent(item.get("target"), None)
                if ext is None:
                    continue
            job = {"kind": "callback", "ref": item, "number": item["number"], "ext": ext,
                   "target": item.get("target"), "tries": item.get("tries", 0), "region": self.country}
            if placed:
                job["place"] = item["place"]
                job["pri"] = item.get("pri", 0)
            if self.rules_pass(job, utc, None):
                return job
        if self.campaign is not None and open_to_all:
            return self.campaign.next_job(t, utc, free_agent)
        return None

    def rules_pass(self, job, utc, zone_tz):
        """Do-not-call and calling hours for a job about to be dialled; a job
        that fails is closed (listed) or moved on (hours), and False returned."""
        which = self.listed(job["number"])
        if which is not None:
            self.skipped[which] += 1
            self.emit("outbound_skip", kind=job["kind"], number=job["number"], why="do_not_call", list=which)
            self.close(job, "dnc")
            return False
        nxt = self.closed_at(utc, self.windows(job["number"], job["region"], zone_tz))
        # the zone tables and calendar go until the next job's check: 0.9 KB of
        # module objects on mp32-frozen, an import of 11 us there (docs/notes/heap.md)
        unload("rrfw.call.localtime")
        if nxt is not None:
            self.held += 1
            self.emit("outbound_held", kind=job["kind"], number=job["number"], until=nxt)
            self.hold_job(job, nxt if nxt else utc + 86400)
            return False
        return True

    def close(self, job, why):
        if job["kind"] == "callback":
            self.callbacks.done(job["ref"], "do_not_call" if why == "dnc" else why)
        else:
            self.campaign.close(job, why)

    def hold_job(self, job, until):
        if job["kind"] == "callback":
            self.callbacks.hold(job["number"], until)
        else:
            self.campaign.hold_index(job["ref"], until, held=True)

    def begin(self, job, utc):
        """The attempt starts (before the agent is rung): on flash as active."""
        self.busy.append(national(job["number"], self.country))
        if job["kind"] == "callback":
            self.callbacks.attempt(job["ref"], utc)
            job["tries"] = job["ref"]["tries"]
        else:
            self.campaign.attempt(job, utc)

    def end(self, job, result, utc, disposition=None, later_utc=None):
        """The attempt is over: what follows it on flash (see the table above)."""
        n = national(job["number"], self.country)
        if n in self.busy:
            self.busy.remove(n)
        counted = result in COUNTED
        if job["kind"] == "callback":
            item = job["ref"]
            if result == "answer":
                self.callbacks.done(item, "reached")
            elif result == "refused":
                self.callbacks.done(item, "refused_" + str(disposition))
            elif result == "skipped":
                self.callbacks.done(item, "skipped")
            elif result in FINAL:
                self.callbacks.done(item, "gave_up_" + result)
            elif counted:
                self.callbacks.failed(item, result, utc + self.spacing_s("callback", result))
            elif result == "no_dial_tone":
                self.callbacks.failed(item, result, utc + self.spacing_s("callback", result), counted=False)
            else:
                self.callbacks.postpone(item, utc + AGENT_RETRY_S)
        else:
            self.campaign.ended(job, result, utc, disposition, later_utc)
        if result == "answer":
            # a rest after a completed call, whichever job asked for the next one
            until = utc + self.after_call_s
            self.callbacks.hold(job["number"], until)
            if self.campaign is not None:
                self.campaign.hold_number(job["number"], until, job)

    def end_soon(self, job, result, utc):
        """end() in the next block (App.step, finish_ended): the callee's answer
        has its own block's work (the connect, the line's state), and the
        request's close on flash (callbacks.py: its event, the list written)
        would double it (6-8 ms here in one block, docs/notes/heap.md). A cut
        in that block leaves the attempt active: recovered at boot as an
        interrupted one (recover)."""
        self.ending.append((job, result, utc))

    def finish_ended(self):
        while self.ending:
            job, result, utc = self.ending.pop(0)
            self.end(job, result, utc)

    def opt_out(self, number, why):
        """The called person pressed the opt-out key (or the agent keyed do not call):
        on the office's list before the confirmation is played. None when kept."""
        err = self.dnc.add(national(number, self.country))
        self.emit("opt_out", number=number, why=why, ok=err is None, error=err)
        return err

    # --- boot: attempts a power cut interrupted ----------------------------------------
    def recover(self, new_call_id, utc):
        """Every attempt found active on flash gets its record (result interrupted)
        and its next try after the spacing; none is dialled again at once."""
        for item in self.callbacks.interrupted():
            self.interrupted_record(new_call_id(), "callback", item["number"], item.get("tries", 0), utc, None)
            self.callbacks.failed(item, "interrupted", utc + self.spacing_s("callback", "interrupted"))
        if self.campaign is not None:
            self.campaign.recover(new_call_id, utc)

    def interrupted_record(self, call, kind, number, tries, utc, name):
        rec = record.attempt(call, -1, utc, kind, number, None, tries, name)
        rec["result"] = "interrupted"
        rec["outcome"] = kind + "_interrupted"
        rec["release"] = "power_cut"
        self.records.queue(rec)
        self.emit("record", record=rec)

    def status(self, utc):
        out = {"busy": len(self.busy), "callbacks": len(self.callbacks.pending),
               "dnc": self.dnc.count, "skipped": self.skipped, "held": self.held}
        if self.campaign is not None:
            out["campaign"] = self.campaign.status(utc)
        return out
