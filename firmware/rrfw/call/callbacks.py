# Call-back requests and the rules every outbound call obeys.
#
# A caller waiting in a queue may ask to be called back instead (the
# config's callback key). The request is kept on flash (callbacks.json,
# replaced atomically: a power cut never loses the list) until the board has
# reached the caller or given up after max_attempts.
#
# Before any outbound call the board checks, in order:
#   1. the do-not-call list (numbers and "prefix*" patterns; the office loads
#      its national registry extract here, e.g. Italy's Registro delle
#      Opposizioni, seed 004);
#   2. calling hours in the office's time zone: by default 08:00-21:00 every
#      day, the US limit for telephone solicitation (47 CFR 64.1200(c)(1));
#   3. retry spacing: at most one attempt per retry_ms for each request.
# And first of all the numbering plan (numplan.py): caller ID is not to be
# trusted, so a number that is not a plain national number of the line's
# country (a feature code like *72, premium, international, special) is
# refused at the request and again before the dial, unless outbound.allow
# lists it; "+", "-" and spaces are normalised away.
# A request that fails a rule waits (hours) or is dropped (do-not-call), and
# the outcome is logged as an event and in the call records.
import json

from rrfw.compat import const
from rrfw.store import atomic as store

PATH = "callbacks.json"
MAX_PENDING = const(16)           # requests kept; more are refused (the caller is told)
DEFAULT_ATTEMPTS = const(3)       # tries before giving up on a request
DEFAULT_RETRY_MS = const(300000)  # ms between tries of one request (5 min)
_LAST = const(0x3FFFFFFF)         # a place after every real one (board ms)
DEFAULT_HOURS = (480, 1260)       # minutes of local time: 08:00-21:00 (47 CFR 64.1200(c)(1))


def on_dnc(number, dnc):
    for pat in dnc:
        if pat.endswith("*"):
            if number.startswith(pat[:-1]):
                return True
        elif number == pat:
            return True
    return False


class Callbacks:
    def __init__(self, cfg, emit):
        ob = cfg.get("outbound") or {}
        self.enabled = bool(ob.get("callback", False))   # outbound calls cost money: the office opts in
        self.key = ob.get("callback_key", "1")
        self.dnc = ob.get("do_not_call", [])
        self.hours = ob.get("hours", DEFAULT_HOURS)
        self.attempts = ob.get("max_attempts", DEFAULT_ATTEMPTS)
        self.retry_ms = ob.get("retry_ms", DEFAULT_RETRY_MS)
        self.allow = ob.get("allow") or []   # numbers/prefixes the plan refuses but the office allows
        lines = cfg.get("lines") or [{}]
        self.country = lines[0].get("country", "US") if type(lines[0]) is dict else "US"
        self.tz = (cfg.get("schedule") or {}).get("tz")
        self.emit = emit
        self.pending = self._load()

    def _load(self):
        text = store.read_text(PATH)
        if not text:
            return []
        try:
            items = json.loads(text)
        except ValueError:
            return []
        if not isinstance(items, list):
            return []
        for item in items:
            if type(item) is dict and "place" in item:
                item["place"] = 0   # board ms of a clock before this boot: they came before anyone now
        return items

    def _save(self):
        store.write_atomic(PATH, json.dumps(self.pending))

    def request(self, number, target, t_ms, utc, place=None, priority=0):
        """A caller asks to be called back. Returns None, or why it cannot be done.
        place, priority: the caller's in the queue, kept so the call-back is served
        in turn with the live callers (router.py, callout.py)."""
        if not self.enabled:
            return "disabled"
        if not number:
            return "no_number"          # withheld: nobody to call back
        if on_dnc(number, self.dnc):
            return "do_not_call"
        from rrfw.call import numplan   # loaded with the first request: boards without call-backs never
        number, why = numplan.check(number, self.country, self.allow)
        if why is not None:
            return "refused_" + why     # never dialled: a spoofed *72..., 1900..., 011...
        if on_dnc(number, self.dnc):
            return "do_not_call"
        for item in self.pending:
            if item["number"] == number:
                return None             # already waiting: one request per caller
        if len(self.pending) >= MAX_PENDING:
            return "full"
        item = {"number": number, "target": target, "utc": utc, "tries": 0, "next_ms": t_ms}
        if place is not None:
            item["place"] = place
            item["pri"] = priority
        self.pending.append(item)
        self._save()
        return None

    def in_hours(self, utc):
        """Calling hours in the office's local time."""
        minute = (utc // 60) % 1440
        if self.tz is not None:
            try:
                from rrfw.call import schedule
                minute = schedule.local_time(self.tz, utc)[4]
            except (ImportError, KeyError, TypeError, IndexError, ValueError):
                pass
        return self.hours[0] <= minute < self.hours[1]

    def due(self, t_ms, utc):
        """The request to call now, or None (checks every rule)."""
        if not self.pending or not self.in_hours(utc):
            return None
        best = None
        for item in self.pending:
            # the earliest queue place first (a request without one: by its order)
            if item["next_ms"] <= t_ms and (best is None or item.get("place", _LAST) < best.get("place", _LAST)):
                best = item
        if best is not None and on_dnc(best["number"], self.dnc):   # the list may have changed since
            self.done(best, "do_not_call")
            return None
        return best

    def attempt(self, item, t_ms):
        item["tries"] += 1
        item["next_ms"] = t_ms + self.retry_ms
        self._save()

    def postpone(self, item, next_ms):
        """The try just made did not reach the caller through no fault of theirs
        (no agent, an incoming call): it does not count; look again at next_ms."""
        item["tries"] -= 1
        item["next_ms"] = next_ms
        self._save()

    def done(self, item, outcome):
        """The request is finished (reached, or given up, or not allowed)."""
        self.emit("callback_done", number=item["number"], outcome=outcome, tries=item["tries"])
        self.pending = [x for x in self.pending if x is not item]
        self._save()

    def forget(self, same):
        """An erasure request: drop the requests whose number same() matches,
        without an event (it would carry the number). Returns how many went."""
        keep = [x for x in self.pending if not same(x.get("number"))]
        gone = len(self.pending) - len(keep)
        if gone:
            self.pending = keep
            self._save()
        return gone

    def expire(self, before_utc):
        """Retention: drop requests made before before_utc (no event: it would
        carry the number). Returns how many went."""
        keep = [x for x in self.pending if type(x.get("utc")) is int and x["utc"] >= before_utc]
        gone = len(self.pending) - len(keep)
        if gone:
            self.pending = keep
            self._save()
        return gone

    def failed(self, item, outcome):
        if item["tries"] >= self.attempts:
            self.done(item, "gave_up_" + outcome)
        else:
            self.emit("callback_retry", number=item["number"], outcome=outcome, tries=item["tries"])
