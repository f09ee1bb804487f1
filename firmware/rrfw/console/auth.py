# The console's admin PIN (issue 6), and the supervisor's (issue 12).
#
# Two roles: the admin PIN may do everything; the supervisor PIN, which the
# admin sets (pin.supervisor), opens a read-only session: status, reports
# (records with masked numbers) and the live monitor with masked numbers,
# never a change, a push, an erasure or a full record (commands.py marks
# each command with the role it needs; server.py checks it).
#
# A board leaves the factory with no PIN and no default that works: the first
# `pin.set` chooses it. It is kept on flash only as a salted, iterated
# SHA-256 hash (auth.json; store/pins.py has the cost and the trivial PINs
# refused). Every change and every read of personal data
# (call records, live events, the config with its DISA PIN) needs a session
# opened with the PIN. A session is one client's: the login answers with a
# random token (TOKEN_BYTES from the HAL's random source) and only a request
# that carries it ("tok") is in the session; the port is shared by whatever
# opens it, so a program that did not log in gets nothing from a session
# another one left open. The token ends at `logout` (the host sends it on
# every exit, Ctrl-C included), after SESSION_MS idle, and at the next
# login, which replaces it:
#
#   NONE ──login / pin.set ok──▶ OPEN(token T, until now + SESSION_MS)
#   OPEN ──a request with T──▶ OPEN (until renewed)
#   OPEN ──a request without T──▶ OPEN, that request answered as without a session
#   OPEN ──logout with T / SESSION_MS idle──▶ NONE
#   OPEN ──another login ok──▶ OPEN(token T', T refused from now on)
#
# Wrong PINs, as a timeline (t = the block clock, ms):
#   failures 1..FREE_TRIES        answered at once
#   next failures                 each makes the next try wait DELAY_MS,
#                                 doubled per failure (2 s, 4 s, ...)
#   LOCK_AFTER failures           console locked for LOCK_MS; tries during a
#                                 wait or the lock are refused unchecked
#   right PIN                     count back to 0
# The failure count is on flash, so a power cycle does not lift a lock: after
# a reboot a locked console is locked for a full LOCK_MS from its first try.
import binascii
import json

from rrfw.compat import const, unload
from rrfw.store import atomic as store

PATH = "auth.json"

_MIN_LEN = const(6)          # characters; the DISA PIN's floor too (issue 5, cfgcheck)
_MAX_LEN = const(64)         # characters: a passphrase fits (issue 16), the request line stays short
# SHA-256 rounds (pins.py: measured, and what they cost the board and an
# attacker). A file written with fewer rounds (256 before issue 16) still
# reads: its own "rounds" say how to check it, and the next good login
# seals the PIN again with today's rounds.
ROUNDS = const(16384)   # = pins.ADMIN_ROUNDS (tests/security_cases.py checks they agree)
FREE_TRIES = const(3)       # wrong PINs answered without delay (typos)
_DELAY_MS = const(2000)      # ms; wait after the first delayed failure, doubled after each
_LOCK_AFTER = const(6)       # wrong PINs in a row that lock the console
LOCK_MS = const(300000)     # ms; 5 minutes locked
# ms; a session ends a minute after its last use (issue 16: one left open
# keeps the port's data waiting for its token). `ringroute monitor` renews
# it every 10 s; every other command opens, uses and closes its own.
SESSION_MS = const(60000)
TOKEN_BYTES = const(16)     # 128 bits: no guessing over a 115200-baud line

# error codes (also the console's error codes for these cases)
E_UNSET = "pin_unset"
E_BAD = "bad_pin"
E_WAIT = "wait"
E_LOCKED = "locked"
E_FORM = "pin_form"
E_SAME = "pin_same"          # the admin and supervisor PINs must differ
E_ROLE = "role"              # the supervisor's session may not do this

ADMIN = "admin"
SUPERVISOR = "supervisor"
# the values of an event a supervisor sees masked (numbers to the last four, names left out)
_NUMBER_KEYS = ("caller", "callee", "number", "caller_id", "disa_number", "last_caller")


def _matching(rec, pin):
    # spread over blocks (pins.checking): yields between slices, returns the answer
    if type(rec) is not dict or "hash" not in rec:
        return False
    if type(pin) is not str:
        pin = ""
    from rrfw.store import pins
    return (yield from pins.checking(rec, pin, ROUNDS))


def _finish(job):
    # a spread job in one go (pins.py is loaded only on use: here, not at import)
    from rrfw.store import pins
    return pins.finish(job)


def masked(obj):
    """An event or record as a supervisor sees it: numbers to their last four
    digits, callers' names left out (nested values too: a record event)."""
    if type(obj) is dict:
        out = {}
        for k in obj:
            v = obj[k]
            if k in _NUMBER_KEYS:
                out[k] = v if type(v) is not str else "*" * max(0, len(v) - 4) + v[-4:]
            elif k == "caller_name" or (k == "name" and "number" in obj):
                out[k] = None         # a caller's name (caller ID), not a member of staff's
            else:
                out[k] = masked(v)
        return out
    if type(obj) is list:
        return [masked(v) for v in obj]
    return obj


# pins.py is imported where it is used: the console's code is loaded only
# while a technician is connected, and pins.py only while a request checks
# or sets a PIN (Auth.done).
def pin_problem(pin, avoid=()):
    """None when `pin` is acceptable as an admin PIN, else why not.
    avoid: the office's own numbers (config lines[].number)."""
    from rrfw.store import pins
    return pins.problem(pin, _MIN_LEN, _MAX_LEN, False, avoid)


class Auth:
    def __init__(self, path=PATH, random_bytes=None):
        self.path = path
        self._random = random_bytes      # hal.random_bytes (None: os.urandom)
        self._rec = {}
        text = store.read_text(path)
        if text:
            try:
                self._rec = json.loads(text)
            except ValueError:
                self._rec = {}  # a damaged file: treated as no PIN (physical access only)
        self.fails = self._rec.get("fails", 0)
        self._not_before = 0
        self._relock = self.fails >= _LOCK_AFTER  # locked before the reboot: lock again in full
        self._session_until = -1
        self.role = None             # "admin" or "supervisor": whose PIN opened the session
        self._checked = None         # whose PIN the last good check matched
        self.token = None            # the open session's token (hex), None: no session
        self._heard = None           # the token the request being handled carries (hear())
        self.clock = None            # the block clock (server.py): a spread check ends 2.56 s after it began

    def has_pin(self):
        return "hash" in self._rec

    def _now(self, now):
        # the time a spread check ends: failures and the session count from then
        return self.clock.ms if self.clock is not None else now

    def _save(self):
        store.write_atomic(self.path, json.dumps(self._rec))

    def _wait_left(self, now):
        if self._relock:
            self._relock = False
            self._not_before = now + LOCK_MS
        return self._not_before - now if now < self._not_before else 0

    def _failed(self, now):
        self.fails += 1
        if self.fails >= _LOCK_AFTER:
            self._not_before = now + LOCK_MS
        elif self.fails >= FREE_TRIES:
            self._not_before = now + (_DELAY_MS << (self.fails - FREE_TRIES))
        self._rec["fails"] = self.fails
        self._save()

    # The PIN hash takes 256 blocks on the board (pins.py): check, login and
    # set_pin each have a spread twin (checking, ...: a generator that yields
    # between slices of pins.SLICE_ROUNDS, returns the same answer) that the
    # console steps once a block (server.py); the plain ones run it in one go
    # (tests, benches). setting_supervisor is only spread (commands.py).
    def check(self, pin, now):
        """(None, 0) when `pin` is right, else (error code, ms to wait)."""
        return _finish(self.checking(pin, now))

    def checking(self, pin, now):
        if not self.has_pin():
            return E_UNSET, 0
        left = self._wait_left(now)
        if left:
            return (E_LOCKED if self.fails >= _LOCK_AFTER else E_WAIT), left
        if type(pin) is not str:
            pin = ""
        rounds = self._rec.get("rounds", ROUNDS)
        good = yield from _matching(self._rec, pin)
        self._checked = ADMIN
        if not good:
            good = yield from _matching(self._rec.get("sup"), pin)
            if good:                  # one failure count for both PINs: guessing either is as slow
                self._checked = SUPERVISOR
                rounds = ROUNDS       # the supervisor's PIN is always sealed with today's rounds
        now = self._now(now)
        if not good:
            self._failed(now)
            left = self._wait_left(now)
            return (E_LOCKED if self.fails >= _LOCK_AFTER else E_BAD), left
        if rounds < ROUNDS:
            yield from self._sealing(pin)   # an older, cheaper file: sealed again with today's cost
        elif self.fails:
            self.fails = 0
            self._rec["fails"] = 0
            self._save()
        self._not_before = 0
        return None, 0

    def _sealing(self, pin):
        from rrfw.store import pins
        sup = self._rec.get("sup")
        rec = yield from pins.sealing(pin, ROUNDS)
        self._rec = rec
        if sup:
            self._rec["sup"] = sup
        self._rec["fails"] = 0
        self.fails = 0
        self._save()

    def _open(self, now, role):
        # a new session: a new token, the old one refused from now on
        if self._random is not None:
            raw = self._random(TOKEN_BYTES)
        else:
            import os
            raw = os.urandom(TOKEN_BYTES)
        self.token = binascii.hexlify(raw).decode()
        self._heard = self.token       # the login's own reply belongs to the new session
        self._session_until = now + SESSION_MS
        self.role = role

    def login(self, pin, now):
        return _finish(self.logging_in(pin, now))

    def logging_in(self, pin, now):
        err, left = yield from self.checking(pin, now)
        if err is None:
            self._open(self._now(now), self._checked)
        return err, left

    def logout(self):
        self._session_until = -1
        self.role = None
        self.token = None

    def hear(self, tok):
        """The token the next request carries (server.py, before each command)."""
        self._heard = tok

    def heard(self):
        """The token the request being handled carries (None: it carries none)."""
        return self._heard

    def open_session(self, now):
        """True while some client's session is open (its token not used: no renewal)."""
        if self.token is not None and now >= self._session_until:
            self.logout()                # idle: the token ends with it
        return self.token is not None

    def session_end(self):
        """Board ms the open session lapses unless used again (-1: none open)."""
        return self._session_until

    def mine(self):
        """True if the request being handled carries the open session's token."""
        # compared in constant time, as pins.same: the reply's timing must not say how
        # much of a token matched
        heard = self._heard
        token = self.token
        if token is None or type(heard) is not str or len(heard) != len(token):
            return False
        r = 0
        for i in range(len(token)):
            r |= ord(heard[i]) ^ ord(token[i])
        return r == 0

    def is_admin(self, now):
        """A session opened with the admin PIN (each use extends it)."""
        return self.role == ADMIN and self.authorised(now)

    def masks(self):
        """True when this session sees callers' numbers masked (not the admin)."""
        return self.role != ADMIN

    def mask(self, text):
        """An event's JSON text as this session may see it (masked unless admin)."""
        return text if self.role == ADMIN and self.mine() else json.dumps(masked(json.loads(text)))

    def has_supervisor(self):
        return type(self._rec.get("sup")) is dict

    def setting_supervisor(self, new, avoid=()):
        """The admin sets (new: a PIN) or removes (None) the supervisor PIN;
        None, or why not. The caller checks the admin session."""
        if new is None:
            self._rec.pop("sup", None)
            self._save()
            return None
        if pin_problem(new, avoid):
            return E_FORM
        same = yield from _matching(self._rec, new)
        if same:
            return E_SAME
        from rrfw.store import pins
        sup = yield from pins.sealing(new, ROUNDS)
        self._rec["sup"] = sup
        self._save()
        return None

    def authorised(self, now):
        """True when the request carries the open session's token; each use extends it."""
        if self.open_session(now) and self.mine():
            self._session_until = now + SESSION_MS
            return True
        return False

    def set_pin(self, new, old, now, avoid=()):
        """Set (first use) or change the PIN; (None, 0) or (error code, ms to wait)."""
        return _finish(self.setting_pin(new, old, now, avoid))

    def setting_pin(self, new, old, now, avoid=()):
        if self.has_pin():
            err, left = yield from self.checking(old, now)
            if err:
                return err, left
            if self._checked != ADMIN:
                return E_BAD, 0    # the supervisor's PIN never changes the admin's
        if pin_problem(new, avoid):
            return E_FORM, 0
        same = yield from _matching(self._rec.get("sup"), new)
        if same:
            return E_SAME, 0
        yield from self._sealing(new)
        self._open(self._now(now), ADMIN)
        return None, 0

    def done(self):
        """After each request (server.py): pins.py goes if the request loaded it
        (1 KB; the next check imports it again). A DISA call checking a PIN
        just then imports it again too (ivr.py)."""
        unload("rrfw.store.pins")

    def state(self, now):
        # the role only to the session's own client: another one learns nothing of it
        return {"pin_set": self.has_pin(), "supervisor_set": self.has_supervisor(), "role": self.role
                if self.open_session(now) and self.mine() else None, "fails": self.fails,
                "wait_ms": self._wait_left(now),
                "locked": self.fails >= _LOCK_AFTER and self._wait_left(now) > 0}
