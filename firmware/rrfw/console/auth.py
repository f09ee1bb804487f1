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
#
# Two modules: this one is the session (the token, its role, its lease, the
# supervisor's masking), loaded with the console's commands and freed with
# them after the quiet time (server.py): what the session needs between
# requests is kept() as one small list, from which server.py serves the
# monitor's renewals with this module out of the heap, and the next Auth
# starts (Auth(kept=...)). The PINs' checks and changes are authpin.py,
# loaded by the requests that need them (login, pin.set, pin.supervisor,
# status) and freed after each (done).
# Auth answers authpin's functions as its own methods (Auth.__getattr__), so
# a caller need not know which half a method lives in.
import binascii
import json

from rrfw.compat import unload
from rrfw.console.protocol import SESSION_MS, same  # noqa: F401  (SESSION_MS: commands.py, tests)
from rrfw.store import atomic as store

PATH = "auth.json"

TOKEN_BYTES = const(16)     # 128 bits: no guessing over a 115200-baud line

ADMIN = "admin"
SUPERVISOR = "supervisor"
E_ROLE = "role"              # the supervisor's session may not do this (the console's error code)
# the values of an event a supervisor sees masked (numbers to the last four, names left out)
_NUMBER_KEYS = ("caller", "callee", "number", "caller_id", "disa_number", "last_caller")
# Auth's methods that are authpin.py's functions (the PIN's checks and changes)
_PIN_OPS = ("check", "checking", "login", "logging_in", "set_pin", "setting_pin",
            "setting_supervisor", "has_supervisor", "state")


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


class Auth:
    def __init__(self, path=PATH, random_bytes=None, kept=None):
        self.path = path
        self._random = random_bytes      # hal.random_bytes (None: os.urandom)
        self.checked = None          # whose PIN the last good check matched
        self._heard = None           # the token the request being handled carries (hear())
        self.clock = None            # the block clock (server.py): a spread check ends 2.56 s after it began
        if kept is not None:
            # the state an earlier Auth kept() when auth.py was freed (server.py)
            (self.pin_set, self.fails, self.not_before, self.relock,
             self._session_until, self.role, self.token) = kept
            return
        # of auth.json only whether a PIN is set and the failure count: the hashes
        # are read again by the check that needs them (authpin.py)
        rec = None
        text = store.read_text(path)
        if text:
            try:
                rec = json.loads(text)
            except ValueError:
                rec = None  # a damaged file: treated as no PIN (physical access only)
        if type(rec) is not dict:
            rec = {}
        self.pin_set = "hash" in rec
        self.fails = rec.get("fails", 0)
        self.not_before = 0
        self.relock = True           # a lock from before the reboot is due again in full (authpin)
        self._session_until = -1
        self.role = None             # "admin" or "supervisor": whose PIN opened the session
        self.token = None            # the open session's token (hex), None: no session

    def kept(self):
        """What the next Auth needs of this one (server.py holds it while auth.py
        is unloaded and keeps the session in it up to date, in place: _K_* there):
        [pin_set, fails, not_before, relock, session_until, role, token]."""
        return [self.pin_set, self.fails, self.not_before, self.relock,
                self._session_until, self.role, self.token]

    def __getattr__(self, name):
        # the PIN's checks and changes: authpin.py's functions, called with this Auth
        if name not in _PIN_OPS:
            raise AttributeError(name)
        from rrfw.console import authpin
        fn = getattr(authpin, name)
        return lambda *a: fn(self, *a)

    def has_pin(self):
        return self.pin_set

    def open(self, now, role):
        """A new session (authpin.py, after a good PIN): a new token, the old one refused from now on."""
        if self._random is not None:
            raw = self._random(TOKEN_BYTES)
        else:
            import os
            raw = os.urandom(TOKEN_BYTES)
        self.token = binascii.hexlify(raw).decode()
        self._heard = self.token       # the login's own reply belongs to the new session
        self._session_until = now + SESSION_MS
        self.role = role

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
        return same(self._heard, self.token)   # in constant time (protocol.py)

    def is_admin(self, now):
        """A session opened with the admin PIN (each use extends it)."""
        return self.role == ADMIN and self.authorised(now)

    def masks(self):
        """True when this session sees callers' numbers masked (not the admin)."""
        return self.role != ADMIN

    def mask(self, text):
        """An event's JSON text as this session may see it (masked unless admin)."""
        return text if self.role == ADMIN and self.mine() else json.dumps(masked(json.loads(text)))

    def authorised(self, now):
        """True when the request carries the open session's token; each use extends it."""
        if self.open_session(now) and self.mine():
            self._session_until = now + SESSION_MS
            return True
        return False

    def done(self):
        """After each request (server.py): pins.py goes if the request loaded it
        (1 KB; the next check imports it again). A DISA call checking a PIN
        just then imports it again too (ivr.py). authpin.py (0.7 KB) the same."""
        unload("rrfw.store.pins")
        unload("rrfw.console.authpin")
