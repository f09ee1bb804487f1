# The console's PINs: their checks and changes (console/auth.py has the
# rules, the timeline of wrong PINs and the session). Loaded by the
# requests that check or set a PIN (login, pin.set, pin.supervisor) or show
# its state (status), and freed after each (Auth.done): a technician who
# only watches the monitor keeps just the session (auth.py) in the heap. Each function
# takes the Auth (a) as its first argument; Auth answers them as methods.
# auth.json is read again by each check: Auth keeps only whether a PIN is
# set and the failure count, not the hashes.
import json

from rrfw.store import atomic as store

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

# error codes (also the console's error codes for these cases)
E_UNSET = "pin_unset"
E_BAD = "bad_pin"
E_WAIT = "wait"
E_LOCKED = "locked"
E_FORM = "pin_form"
E_SAME = "pin_same"          # the admin and supervisor PINs must differ

# the roles as auth.py names them (ADMIN, SUPERVISOR): this module is below it
_ADMIN = "admin"
_SUPERVISOR = "supervisor"


def _read(a):
    # auth.json as it is now ({} : no PIN, or a damaged file: physical access only)
    text = store.read_text(a.path)
    rec = None
    if text:
        try:
            rec = json.loads(text)
        except ValueError:
            rec = None
    return rec if type(rec) is dict else {}


def _save(a, rec):
    store.write_atomic(a.path, json.dumps(rec))
    a.pin_set = "hash" in rec


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


# pins.py is imported where it is used: only while a request checks or sets
# a PIN (Auth.done unloads it).
def pin_problem(pin, avoid=()):
    """None when `pin` is acceptable as an admin PIN, else why not.
    avoid: the office's own numbers (config lines[].number)."""
    from rrfw.store import pins
    return pins.problem(pin, _MIN_LEN, _MAX_LEN, False, avoid)


def _now(a, now):
    # the time a spread check ends: failures and the session count from then
    return a.clock.ms if a.clock is not None else now


def _wait_left(a, now):
    if a.relock:
        a.relock = False
        if a.fails >= _LOCK_AFTER:     # locked before the reboot: locked again in full
            a.not_before = now + LOCK_MS
    return a.not_before - now if now < a.not_before else 0


def _failed(a, rec, now):
    a.fails += 1
    if a.fails >= _LOCK_AFTER:
        a.not_before = now + LOCK_MS
    elif a.fails >= FREE_TRIES:
        a.not_before = now + (_DELAY_MS << (a.fails - FREE_TRIES))
    rec["fails"] = a.fails
    _save(a, rec)


# The PIN hash takes 256 blocks on the board (pins.py): check, login and
# set_pin each have a spread twin (checking, ...: a generator that yields
# between slices of pins.SLICE_ROUNDS, returns the same answer) that the
# console steps once a block (server.py); the plain ones run it in one go
# (tests, benches). setting_supervisor is only spread (commands.py).
def check(a, pin, now):
    """(None, 0) when `pin` is right, else (error code, ms to wait)."""
    return _finish(checking(a, pin, now))


def checking(a, pin, now):
    rec = _read(a)
    if "hash" not in rec:
        return E_UNSET, 0
    left = _wait_left(a, now)
    if left:
        return (E_LOCKED if a.fails >= _LOCK_AFTER else E_WAIT), left
    if type(pin) is not str:
        pin = ""
    rounds = rec.get("rounds", ROUNDS)
    good = yield from _matching(rec, pin)
    a.checked = _ADMIN
    if not good:
        good = yield from _matching(rec.get("sup"), pin)
        if good:                  # one failure count for both PINs: guessing either is as slow
            a.checked = _SUPERVISOR
            rounds = ROUNDS       # the supervisor's PIN is always sealed with today's rounds
    now = _now(a, now)
    if not good:
        _failed(a, rec, now)
        left = _wait_left(a, now)
        return (E_LOCKED if a.fails >= _LOCK_AFTER else E_BAD), left
    if rounds < ROUNDS:
        yield from _sealing(a, rec, pin)   # an older, cheaper file: sealed again with today's cost
    elif a.fails:
        a.fails = 0
        rec["fails"] = 0
        _save(a, rec)
    a.not_before = 0
    return None, 0


def _sealing(a, old, pin):
    from rrfw.store import pins
    sup = old.get("sup")
    rec = yield from pins.sealing(pin, ROUNDS)
    if sup:
        rec["sup"] = sup
    rec["fails"] = 0
    a.fails = 0
    _save(a, rec)


def login(a, pin, now):
    return _finish(logging_in(a, pin, now))


def logging_in(a, pin, now):
    err, left = yield from checking(a, pin, now)
    if err is None:
        a.open(_now(a, now), a.checked)
    return err, left


def has_supervisor(a):
    return type(_read(a).get("sup")) is dict


def setting_supervisor(a, new, avoid=()):
    """The admin sets (new: a PIN) or removes (None) the supervisor PIN;
    None, or why not. The caller checks the admin session."""
    rec = _read(a)
    if new is None:
        rec.pop("sup", None)
        _save(a, rec)
        return None
    if pin_problem(new, avoid):
        return E_FORM
    same = yield from _matching(rec, new)
    if same:
        return E_SAME
    from rrfw.store import pins
    sup = yield from pins.sealing(new, ROUNDS)
    rec["sup"] = sup
    _save(a, rec)
    return None


def set_pin(a, new, old, now, avoid=()):
    """Set (first use) or change the PIN; (None, 0) or (error code, ms to wait)."""
    return _finish(setting_pin(a, new, old, now, avoid))


def setting_pin(a, new, old, now, avoid=()):
    if a.pin_set:
        err, left = yield from checking(a, old, now)
        if err:
            return err, left
        if a.checked != _ADMIN:
            return E_BAD, 0    # the supervisor's PIN never changes the admin's
    if pin_problem(new, avoid):
        return E_FORM, 0
    rec = _read(a)
    same = yield from _matching(rec.get("sup"), new)
    if same:
        return E_SAME, 0
    yield from _sealing(a, rec, new)
    a.open(_now(a, now), _ADMIN)
    return None, 0


def state(a, now):
    # the role only to the session's own client: another one learns nothing of it
    return {"pin_set": a.pin_set, "supervisor_set": has_supervisor(a), "role": a.role
            if a.open_session(now) and a.mine() else None, "fails": a.fails,
            "wait_ms": _wait_left(a, now),
            "locked": a.fails >= _LOCK_AFTER and _wait_left(a, now) > 0}
