# Call-back requests: one kind of job on the outbound engine (dialer.py).
#
# A caller waiting in a queue may ask to be called back instead (the
# config's callback key). The request is kept on flash (callbacks.json,
# replaced atomically: a power cut never loses the list) until the board has
# reached the caller or given up after max_attempts.
#
# The rules every outbound call obeys are the dialer's, the same for a
# call-back as for a campaign's number: the numbering plan (numplan.py:
# caller ID is not to be trusted, so a feature code like *72, premium,
# international or special numbers are refused at the request and again
# before the dial, unless outbound.allow lists it), the do-not-call lists,
# calling hours in the called person's local time, the office's holidays,
# retry spacing per result, one attempt of a number at a time, a rest after
# a completed call, and lines kept free for inbound calls.
# Times on flash are UTC seconds (a board's ms clock starts again at every
# boot). An item marked "active" on flash was being called when the power
# went: the dialer records that attempt as interrupted and spaces the next.
import json

from rrfw.store import atomic as store

PATH = "callbacks.json"
MAX_PENDING = const(16)           # requests kept; more are refused (the caller is told)
DEFAULT_ATTEMPTS = const(3)       # tries before giving up on a request
DEFAULT_RETRY_MS = const(300000)  # ms between tries of one request (5 min)
_LAST = const(0x3FFFFFFF)         # a place after every real one (board ms)


def on_dnc(number, dnc):
    """Is the number on a list of numbers and prefixes (a trailing *)? The
    config's do_not_call list, for call-backs and the dialer alike."""
    for pat in dnc:
        if pat.endswith("*"):
            if number.startswith(pat[:-1]):
                return True
        elif number == pat:
            return True
    return False


class Callbacks:
    kind = "callback"

    def __init__(self, cfg, emit):
        ob = cfg.get("outbound") or {}
        self.enabled = bool(ob.get("callback", False))   # outbound calls cost money: the office opts in
        self.key = ob.get("callback_key", "1")
        self.dnc = ob.get("do_not_call", [])
        self.attempts = ob.get("max_attempts", DEFAULT_ATTEMPTS)
        self.retry_ms = ob.get("retry_ms", DEFAULT_RETRY_MS)
        self.allow = ob.get("allow") or []   # numbers/prefixes the plan refuses but the office allows
        lines = cfg.get("lines") or [{}]
        self.country = lines[0].get("country", "US") if type(lines[0]) is dict else "US"
        self.emit = emit
        self.pending = self._load()
        self.unsaved = False   # a request not on flash yet: save() in the next block (App.step)

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
        items = [x for x in items if type(x) is dict and type(x.get("number")) is str]
        for item in items:
            if "place" in item:
                item["place"] = 0   # board ms of a clock before this boot: they came before anyone now
        return items

    def _save(self):
        self.unsaved = False
        store.write_atomic(PATH, json.dumps(self.pending))

    def save(self):
        """A request's list on flash (App.step, the block after it; App.run before
        a reset or the REPL)."""
        if self.unsaved:
            self._save()

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
        from rrfw.call import numplan   # for this check only (numplan.once): boards without call-backs never load it
        number, why = numplan.once(number, self.country, self.allow)
        if why is not None:
            return "refused_" + why     # never dialled: a spoofed *72..., 1900..., 011...
        if on_dnc(number, self.dnc):
            return "do_not_call"
        for item in self.pending:
            if item["number"] == number:
                return None             # already waiting: one request per caller
        if len(self.pending) >= MAX_PENDING:
            return "full"
        item = {"number": number, "target": target, "utc": utc, "tries": 0, "next_utc": utc}
        if place is not None:
            item["place"] = place
            item["pri"] = priority
        self.pending.append(item)
        # on flash in the next block (save): the request's block already has the
        # caller's key, three events and the goodbye prompt, and the list's
        # rewrite is a flash write (an append is 25-70 ms on the board,
        # records.py); the caller hears the confirmation from the block after
        # anyway (player.py). A power cut in that one block loses the request.
        self.unsaved = True
        return None

    # --- the dialer's side: a job source -------------------------------------------
    def due(self, utc, busy):
        """The requests whose next try has come, in order, none of the numbers in `busy`."""
        out = []
        for item in self.pending:
            if item.get("next_utc", 0) <= utc and not item.get("active") and item["number"] not in busy:
                # the earliest queue place first, a request without one in the order made
                # (an insertion: MicroPython's sort is not stable; 16 requests at most)
                p = item.get("place", _LAST)
                i = len(out)
                while i and out[i - 1].get("place", _LAST) > p:
                    i -= 1
                out.insert(i, item)
        return out

    def interrupted(self):
        """Items that were being called when the power went (marked active on flash)."""
        return [x for x in self.pending if x.get("active")]

    def attempt(self, item, utc):
        """An attempt starts: counted and marked active on flash before the line is seized."""
        item["tries"] = item.get("tries", 0) + 1
        item["active"] = 1
        item["next_utc"] = utc + self.retry_ms // 1000
        self._save()

    def postpone(self, item, next_utc):
        """The try just made did not reach the caller through no fault of theirs
        (no agent, an incoming call): it does not count; look again at next_utc."""
        item["tries"] -= 1
        item.pop("active", None)
        item["next_utc"] = next_utc
        self._save()

    def hold(self, number, until_utc):
        """No new call to `number` before until_utc (a call to it has just been completed)."""
        changed = False
        for item in self.pending:
            if item["number"] == number and item.get("next_utc", 0) < until_utc:
                item["next_utc"] = until_utc
                changed = True
        if changed:
            self._save()

    def done(self, item, outcome):
        """The request is finished (reached, or given up, or not allowed)."""
        self.emit("callback_done", number=item["number"], outcome=outcome, tries=item.get("tries", 0))
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

    def failed(self, item, outcome, next_utc, counted=True):
        """A counted try that did not reach the caller: retry at next_utc, or give up."""
        item.pop("active", None)
        if not counted:
            item["tries"] -= 1
        if counted and item["tries"] >= self.attempts:
            self.done(item, "gave_up_" + outcome)
        else:
            item["next_utc"] = next_utc
            self._save()
            self.emit("callback_retry", number=item["number"], outcome=outcome, tries=item["tries"])
