# PINs on flash (issue 16): what a PIN may be, and how it is kept.
#
# Kept: never the PIN, only salt + an iterated SHA-256 of it:
#   d = SHA256(salt + pin); then rounds - 1 times d = SHA256(d + salt)
# (the admin PIN's format since issue 6, so old auth.json files still read).
# The rounds are the cost of every guess at a copied file, for the board at
# login and for an attacker offline. Measured on the 32-bit unix port with
# the firmware frozen in (`python -m bench kdf`, engine mp32-frozen): 0.7-1.1
# us a round, a whole login 12-18 ms; the ESP32 runs some 30-50x slower
# (bench_heap.py's BOARD_SLOWDOWN: an estimate, no board here), so a login
# takes about 0.4-0.9 s there, under the second it may take (it blocks the
# block loop that long, once per login). Offline, CPython does a round in
# 0.27 us (`python -m bench kdf`, its cpython row, idle): 4.4 ms a guess, so a 6-digit PIN (10^6 guesses) holds
# about 75 minutes of one core instead of about a minute at 256 rounds. That
# is a delay, not a wall (a GPU is far faster): longer PINs and keeping the
# flash out of reach are the real defence (docs/security.md).
# The DISA PIN is checked during a call, spread over 10 ms blocks (Kdf.run,
# SLICE_ROUNDS a block: 1-3 ms of the ESP32's block at the same scaling),
# so it has 4x fewer rounds and the caller waits 0.64 s. The console's
# login and PIN changes are spread the same way (checking, sealing: the
# server steps them once a block), so no block is late for them either:
# a login takes 16384 / 64 = 256 blocks, 2.56 s (the host waits up to
# session.PIN_TIMEOUT for its reply).
#
# Trivial PINs are refused everywhere (the console's admin PIN, the DISA PIN
# on the host and on the board): few distinct characters, runs (123456,
# 654321, 890123), repeated chunks (121212, 123123), lines on the keypad
# (147258, 258369, 2580...), and digits of the office's own number.
import binascii
import hashlib
import os


ADMIN_ROUNDS = const(16384)   # see above: ~0.5 s on the ESP32 at login
DISA_ROUNDS = const(4096)     # 4x fewer: a caller waits while it runs in slices
SLICE_ROUNDS = const(64)      # rounds per 10 ms block when spread (1-3 ms of the ESP32's 10 ms)
_SALT_BYTES = const(16)       # bytes of os.urandom per PIN
_MIN_DISTINCT = const(3)      # characters: 112211, 121212 have two

# lines of the telephone keypad (ITU-T E.161 layout), both ways
_KEYPAD = ("123456789", "147258369", "741852963", "369258147", "963852741", "1470", "2580",
           "3690", "0741", "0852", "0963", "159", "357", "951", "753", "1590", "0951")


def _step_run(pin):
    # every step the same: +1 or -1 (digits wrap 9 -> 0), or 0
    if len(pin) < 3:
        return False
    digits = True
    for c in pin:
        if c < "0" or c > "9":
            digits = False
    d0 = None
    for i in range(1, len(pin)):
        d = ord(pin[i]) - ord(pin[i - 1])
        if digits:
            d %= 10
            if d == 9:
                d = -1
        if d not in (-1, 0, 1) or (d0 is not None and d != d0):
            return False
        d0 = d
    return True


def _periodic(pin):
    n = len(pin)
    for p in range(1, n // 2 + 1):
        ok = True
        for i in range(p, n):
            if pin[i] != pin[i - p]:
                ok = False
                break
        if ok:
            return True
    return False


def trivial(pin, avoid=()):
    """None, or why `pin` is too easy to guess. avoid: the office's numbers."""
    seen = ""
    for c in pin:
        if c not in seen:
            seen += c
    if len(seen) < _MIN_DISTINCT:
        return "it uses fewer than %d different characters" % _MIN_DISTINCT
    if _step_run(pin):
        return "it is a run (like 123456 or 654321)"
    if _periodic(pin):
        return "it repeats a shorter pattern (like 121212)"
    for w in _KEYPAD:
        if len(pin) >= 4 and pin in w:
            return "it is a line on the keypad"
    for num in avoid:
        if type(num) is not str or len(num) < 4:
            continue
        digits = ""
        for c in num:
            if "0" <= c <= "9":
                digits += c
        if pin in digits or (len(digits) >= 4 and digits[-4:] in pin):
            return "it uses the office's own phone number"
    return None


def problem(pin, min_len, max_len, digits_only=False, avoid=()):
    """None when `pin` is acceptable, else why not (one line)."""
    if type(pin) is not str:
        return "the PIN must be text"
    if len(pin) < min_len or len(pin) > max_len:
        return "the PIN must be %d to %d %s" % (min_len, max_len, "digits" if digits_only else "characters")
    for c in pin:
        if digits_only and not ("0" <= c <= "9"):
            return "the PIN may use digits only"
        if c < "!" or c > "~":
            return "the PIN may use printable ASCII characters only, no spaces"
    why = trivial(pin, avoid)
    if why:
        return "the PIN is too easy to guess: " + why
    return None


class Kdf:
    """The iterated hash, computed in slices: run(n) does up to n rounds and
    returns True when the digest is ready (.digest)."""

    def __init__(self, salt, pin, rounds):
        self.salt = salt
        self.left = rounds - 1
        self.digest = hashlib.sha256(salt + pin.encode()).digest()

    def run(self, n):
        salt = self.salt
        d = self.digest
        k = n if n < self.left else self.left
        for _ in range(k):
            # d + salt fed in two parts, not concatenated: 192 bytes a round
            # instead of 272 (mp32-frozen, gc.mem_alloc over 64 rounds); the
            # hash object (128) and the digest (64) are MicroPython's own,
            # hashlib has no reset or digest-into to reuse them
            h = hashlib.sha256(d)
            h.update(salt)
            d = h.digest()
        self.digest = d
        self.left -= k
        return self.left <= 0


def derive(salt, pin, rounds):
    k = Kdf(salt, pin, rounds)
    k.run(rounds)
    return k.digest


def finish(job):
    """A job spread over blocks (a generator that yields between slices: the
    console's login, sealing) run in one go; its result."""
    try:
        while True:
            next(job)
    except StopIteration as e:
        return e.value


def same(a, b):
    # constant time: the time taken must not say how much matched
    if len(a) != len(b):
        return False
    r = 0
    for i in range(len(a)):
        r |= a[i] ^ b[i]
    return r == 0


def _spread(salt, pin, rounds):
    # at most SLICE_ROUNDS a block: a hash starts in a block of its own (the
    # one before may have ended another), its first round in Kdf() itself
    yield
    k = Kdf(salt, pin, rounds)
    n = SLICE_ROUNDS - 1
    while not k.run(n):
        yield
        n = SLICE_ROUNDS
    return k


def sealing(pin, rounds):
    """seal() spread over blocks: yields after each SLICE_ROUNDS, returns the record."""
    salt = os.urandom(_SALT_BYTES)
    k = yield from _spread(salt, pin, rounds)
    return {"salt": binascii.hexlify(salt).decode(), "rounds": rounds,
            "hash": binascii.hexlify(k.digest).decode()}


def seal(pin, rounds):
    """What is kept of a PIN: {"salt", "rounds", "hash"} (hex)."""
    return finish(sealing(pin, rounds))


def checking(rec, pin, rounds):
    """Whether `pin` matches a sealed record, spread over blocks (yields after
    each SLICE_ROUNDS); `rounds` when the record does not say (older files)."""
    k = yield from _spread(binascii.unhexlify(rec["salt"]), pin, rec.get("rounds", rounds))
    return same(k.digest, binascii.unhexlify(rec["hash"]))


def sealed_ok(rec):
    """True if rec is a well-formed sealed PIN."""
    if type(rec) is not dict or type(rec.get("rounds")) is not int or rec["rounds"] < 1:
        return False
    try:
        return len(binascii.unhexlify(rec["salt"])) >= 8 and len(binascii.unhexlify(rec["hash"])) == 32
    except (KeyError, TypeError, ValueError):
        return False


def start_check(rec, pin):
    """A Kdf for checking `pin` against a sealed record."""
    return Kdf(binascii.unhexlify(rec["salt"]), pin, rec["rounds"])


def matches(rec, kdf):
    return same(kdf.digest, binascii.unhexlify(rec["hash"]))


def office_numbers(cfg):
    """The office's own numbers (lines[].number), for trivial()."""
    out = []
    for ln in (cfg.get("lines") or []) if type(cfg) is dict else ():
        if type(ln) is dict and type(ln.get("number")) is str:
            out.append(ln["number"])
    return out


def seal_disa(cfg):
    """Replace a plain DISA PIN in cfg by its sealed form (in place). True if changed."""
    d = cfg.get("disa") if type(cfg) is dict else None
    if type(d) is not dict or type(d.get("pin")) is not str:
        return False
    pin = d.pop("pin")
    d["pin_len"] = len(pin)   # the IVR knows when the entry is complete (6-12: the length tells little)
    d["pin_hash"] = seal(pin, DISA_ROUNDS)
    return True
