# A campaign: the call list the host pushed (store/jobstore.py holds it and
# each number's progress on flash), run on the outbound engine (dialer.py)
# with the same rules as call-backs. Loaded only when the config has an
# outbound campaign section.
#
#   control (on flash, campaign.st)
#   ready ──start──▶ running ──pause──▶ paused ──resume──▶ running
#     any ──stop──▶ stopped (no more attempts; the list stays for the report)
#     running ──every number closed──▶ finished
#     running ──the register copy is older than its region allows──▶ stale
#                (event campaign_stopped; `ringroute dnc import` a fresh copy
#                and push the list again: only a new list starts again)
#
# Agents: the members of outbound.campaign.group who have joined (a port bit
# mask on flash; every member is in when a list is pushed); an agent leaves
# and joins from the handset (feature codes ["campaign", "leave"|"join"]).
# Dispositions: the agent keys one after each answered call (callout.py);
# the config maps keys to names (outbound.dispositions), and the names that
# change the number's course are:
#   callback_later  the number is called again at the time keyed (HHMM, the
#                   called person's local time) or after callback_later_ms
#   do_not_call     on the office's do-not-call list at once
#   anything else   the number is done (sale, not_interested, wrong_number...)
from rrfw.store import jobstore as js

READY = const(0)
RUNNING = const(1)
PAUSED = const(2)
STOPPED = const(3)
FINISHED = const(4)
STALE = const(5)
CONTROL_NAMES = ("ready", "running", "paused", "stopped", "finished", "stale")
ALL_AGENTS = const(255)
DEFAULT_ATTEMPTS = const(3)
DEFAULT_WRAP_MS = const(15000)        # ms the agent has to key a disposition after a call
DEFAULT_LATER_MS = const(7200000)     # ms: "call back later" with no time keyed: in two hours
DEFAULT_DISPOSITIONS = {"1": "sale", "2": "callback_later", "3": "not_interested",
                        "4": "wrong_number", "5": "do_not_call"}
_STALE_CHECK_S = const(60)
_MAX_AGE_MIN = const(64800)           # minutes (45 days): the furthest jobstore's 16-bit times reach            # s between two looks at the register copy's age


def _days(ymd):
    from rrfw.call import schedule
    return schedule.days_from_civil(ymd // 10000, ymd // 100 % 100, ymd % 100)


class Campaign:
    def __init__(self, cfg, dialer):
        c = (cfg.get("outbound") or {}).get("campaign") or {}
        self.dialer = dialer
        self.emit = dialer.emit
        self.group = c.get("group")
        self.mode = c.get("mode", "progressive")
        self.attempts = c.get("max_attempts", DEFAULT_ATTEMPTS)
        ob = cfg.get("outbound") or {}
        self.opt_out_key = ob.get("opt_out_key", "9")
        self.dispositions = ob.get("dispositions") or DEFAULT_DISPOSITIONS
        self.later_s = ob.get("callback_later_ms", DEFAULT_LATER_MS) // 1000
        self.wrap_ms = ob.get("wrap_ms", DEFAULT_WRAP_MS)
        self.members = list((cfg.get("groups") or {}).get(self.group, {}).get("members", []))
        if not self.members and self.group in (cfg.get("extensions") or {}):
            self.members = [self.group]
        self.store = js.JobStore()
        self._stale_t = -1
        self.load()

    def load(self):
        self.store.load()
        self._base = (self.store.head or {}).get("created", 0) // 60

    # --- what the dialer asks ------------------------------------------------------
    def running(self):
        return self.store.head is not None and self.store.control() == RUNNING

    def control_name(self):
        return CONTROL_NAMES[self.store.control()] if self.store.head is not None else "none"

    def _min(self, utc):
        # minutes since the list was made: 16 bits on flash (jobstore.py), 45 days
        return max(0, utc // 60 - self._base)

    def _min_up(self, utc):
        # a next try is never earlier than asked: round up to the minute
        return max(0, (utc + 59) // 60 - self._base)

    def region(self):
        return self.store.head.get("region", self.dialer.country)

    def _zone_tz(self, zc):
        if zc == "-":
            return None
        i = "0123456789abcdefghijklmnopqrstuvwxyz".find(zc)
        z = self.store.head.get("zones") or []
        return z[i] if 0 <= i < len(z) else None

    def stale_reason(self, utc):
        """Why the register copy is too old for the region (a clear line), or None."""
        h = self.store.head
        region = self.region()
        limit = self.dialer.register_days(region)
        from rrfw.call import schedule
        if self._min(utc) > _MAX_AGE_MIN:
            return "the list was made %d days ago; its progress holds 45: push it again" % (self._min(utc) // 1440)
        today = utc // 86400
        for reg in h.get("register") or ():
            d = reg.get("date")
            if type(d) is not int:
                continue
            age = today - _days(d)
            if age > limit:
                y, m, dd = schedule.civil_from_days(_days(d))
                return "the %s copy of %04d-%02d-%02d is %d days old; %s allows %d: import a fresh copy " \
                       "(ringroute dnc import) and push the list again" % (
                           reg.get("name", "register"), y, m, dd, age, region, limit)
        return None

    def next_job(self, t, utc, free_agent):
        st = self.store
        if not self.running():
            return None
        if self._stale_t < 0 or utc - self._stale_t >= _STALE_CHECK_S:
            self._stale_t = utc
            why = self.stale_reason(utc)
            if why is not None:
                st.set_control(STALE)
                st.save()
                self.emit("campaign_stopped", campaign=st.head.get("name"), why="register_stale", message=why)
                return None
        ext = free_agent(self.group, self.joined_ports())
        if ext is None:
            return None
        now = self._min(utc)
        busy = self.dialer.busy
        n = st.n
        open_left = False
        # in list order from the top every time: a retry or a "call back later"
        # that has come due goes before the numbers not tried yet
        for i in range(n):
            s = st.status(i)
            if s == js.PENDING or s == js.ACTIVE:
                open_left = True
            if s != js.PENDING or st.next_min(i) > now:
                continue
            number, zc = st.entry(i)
            if self.dialer.national(number) in busy:
                continue
            job = {"kind": "campaign", "ref": i, "number": number, "ext": ext, "target": ext,
                   "tries": st.tries(i), "region": self.region(), "name": st.head.get("name")}
            if self.dialer.rules_pass(job, utc, self._zone_tz(zc)):
                return job
        if not open_left:
            st.set_control(FINISHED)
            st.save()
            self.emit("campaign_finished", campaign=st.head.get("name"))
        return None

    def active(self):
        """An attempt of this campaign is under way on a line."""
        for i in range(self.store.n if self.store.head is not None else 0):
            if self.store.status(i) == js.ACTIVE:
                return True
        return False

    def joined_ports(self):
        return self.store.joined()

    def attempt(self, job, utc):
        st = self.store
        i = job["ref"]
        job["tries"] = st.tries(i) + 1
        st.set(i, status=js.ACTIVE, tries=job["tries"])
        st.save()   # on flash before the agent is rung, so before any dial

    def close(self, job, why):
        st = self.store
        st.set(job["ref"], status=js.DNC if why == "dnc" else js.REFUSED)
        st.save()

    def hold_index(self, i, until, held=False):
        st = self.store
        st.set(i, next_min=self._min_up(until), held=held)
        st.save()

    def hold_number(self, number, until, job):
        """No call to `number` before until (a call to it was just completed)."""
        st = self.store
        nn = self.dialer.national(number)
        changed = False
        for i in range(st.n):
            if job is not None and job["kind"] == "campaign" and job["ref"] == i:
                continue
            if st.status(i) == js.PENDING and self.dialer.national(st.entry(i)[0]) == nn:
                if st.next_min(i) < self._min_up(until):
                    st.set(i, next_min=self._min_up(until))
                    changed = True
        if changed:
            st.save()

    def ended(self, job, result, utc, disposition, later_utc):
        st = self.store
        i = job["ref"]
        d = self.dialer
        tries = st.tries(i)
        if result == "answer":
            if disposition == "callback_later":
                st.set(i, status=js.PENDING, next_min=self._min_up(later_utc or utc + self.later_s))
            elif disposition == "do_not_call":
                st.set(i, status=js.OPTED_OUT)
            else:
                st.set(i, status=js.DONE)
        elif result == "opted_out":
            st.set(i, status=js.OPTED_OUT)
        elif result == "refused":
            st.set(i, status=js.REFUSED)
        elif result == "skipped":
            st.set(i, status=js.SKIPPED)
        elif result in ("sit",):
            st.set(i, status=js.GAVE_UP)
        elif result in ("busy", "reorder", "no_answer", "interrupted"):
            if tries >= self.attempts:
                st.set(i, status=js.GAVE_UP)
            else:
                st.set(i, status=js.PENDING, next_min=self._min_up(utc + d.spacing_s("campaign", result)))
        elif result == "no_dial_tone":
            st.set(i, status=js.PENDING, tries=tries - 1,
                   next_min=self._min_up(utc + d.spacing_s("campaign", result)))
        else:   # the number was never dialled (no agent, an incoming call): not counted
            st.set(i, status=js.PENDING, tries=tries - 1, next_min=self._min_up(utc + 60))
        st.save()

    def recover(self, new_call_id, utc):
        st = self.store
        if st.head is None:
            return
        for i in range(st.n):
            if st.status(i) == js.ACTIVE:
                number = st.entry(i)[0]
                self.dialer.interrupted_record(new_call_id(), "campaign", number, st.tries(i), utc,
                                               st.head.get("name"))
                job = {"kind": "campaign", "ref": i, "number": number}
                self.ended(job, "interrupted", utc, None, None)

    # --- control (console, feature codes) -------------------------------------------
    def set_control(self, what, utc):
        """start / pause / resume / stop: None, or why not."""
        st = self.store
        if st.head is None:
            return "no campaign on the board: push a list first"
        cur = st.control()
        if what in ("start", "resume"):
            if cur in (STOPPED, FINISHED):
                return "the campaign is %s: push a list to start another" % CONTROL_NAMES[cur]
            why = self.stale_reason(utc)
            if why is not None or cur == STALE:
                st.set_control(STALE)
                st.save()
                return why or "the register copy is too old: push a list scrubbed with a fresh copy"
            new = RUNNING
        elif what == "pause":
            if cur != RUNNING:
                return "the campaign is %s, not running" % CONTROL_NAMES[cur]
            new = PAUSED
        elif what == "stop":
            new = STOPPED
        else:
            return "start, pause, resume or stop"
        st.set_control(new)
        st.save()
        self._stale_t = -1
        self.emit("campaign", campaign=st.head.get("name"), state=CONTROL_NAMES[new])
        return None

    def agent(self, port, join):
        """An agent joins (True) or leaves the campaign from the handset."""
        st = self.store
        if st.head is None or port > 7:
            return None
        m = st.joined()
        m = m | (1 << port) if join else m & ~(1 << port)
        st.set_joined(m)
        st.save()
        return ("campaign_join" if join else "campaign_leave", CONTROL_NAMES[st.control()])

    def status(self, utc):
        st = self.store
        if st.head is None:
            return {"state": "none"}
        counts, held = st.counts()
        h = st.head
        return {"name": h.get("name"), "state": CONTROL_NAMES[st.control()], "numbers": st.n,
                "mode": self.mode, "region": self.region(), "numbers_by_status": counts,
                "held_by_hours": held, "scrubbed": h.get("scrubbed") or {},
                "register": h.get("register") or [], "joined": st.joined(),
                "stale": self.stale_reason(utc)}
