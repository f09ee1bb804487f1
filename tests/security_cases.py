# The attacker's cases for the board's own defences (issue 16), in plain
# asserts so that the same file runs under CPython (tests/test_security_board.py,
# in-process) and the unix port (micropython security_cases.py WORKDIR):
# the numbering plan, the board's check of a pushed config, the PIN rules and
# their hash, the DISA lock-out on flash, the sealed DISA PIN in the IVR.
import json
import os
import sys

from rrfw.call import numplan
from rrfw.call import ivr
from rrfw.call.boardstate import BoardState
from rrfw.store import cfgcheck, cfgstore, pins


def base_cfg():
    return {"version": 1, "lines": [{"country": "US", "number": "6175550142"}],
            "extensions": {"101": {"port": 0}}, "start": "main",
            "menus": {"main": {"greeting": ["hi"], "keys": {"1": {"do": "ext", "to": "101"},
                                                            "8": {"do": "disa"}}}},
            "disa": {"enabled": True, "pin": "481923", "max_attempts": 3, "lockout_ms": 1800000,
                     "max_call_ms": 1200000}}


# --- the numbering plan: what a fraudster gets the board to dial -------------------
FORBIDDEN = [
    # (what the caller ID or the DISA caller gives, country, why it is refused)
    ("*7219005551234", "US", "feature_code"),   # *72: call forwarding on US lines, then premium
    ("*72", "US", "feature_code"),
    ("5551234#", "US", "feature_code"),
    ("19005551234", "US", "premium"),
    ("9005551234", "US", "premium"),
    ("6179765555", "US", "premium"),           # NXX 976: pay-per-call
    ("011442071234567", "US", "international"),
    ("+44 20 7123 4567", "US", "international"),  # another country's caller ID: international
    ("18095551234", "US", "international"),    # the 809 fraud: international rates behind 1+
    ("18765551234", "US", "international"),    # Jamaica
    ("911", "US", "special"),
    ("9115551234", "US", "special"),           # 9-1-1 first: many switches route it at once
    ("9111234", "US", "special"),
    ("19115551234", "US", "special"),          # N11 is never an area code
    ("+1 911 555 1234", "US", "special"),
    ("411", "US", "special"),
    ("0", "US", "special"),
    ("00", "US", "special"),
    ("1010321", "US", "special"),              # carrier access code
    ("0044207", "UK", "international"),
    ("09012345678", "UK", "premium"),
    ("07012345678", "UK", "premium"),
    ("118118", "UK", "premium"),
    ("999", "UK", "special"),
    ("0900123456", "DE", "premium"),
    ("0137123456", "DE", "premium"),
    ("0899123456", "FR", "premium"),
    ("3620", "FR", "special"),
    ("899123456", "IT", "premium"),
    ("166123456", "IT", "premium"),
    ("112", "IT", "special"),
    ("0033123456789", "IT", "international"),
    ("806123456", "ES", "premium"),
    ("0906123456", "NL", "premium"),
    ("0011442071234567", "AU", "international"),
    ("1900123456", "AU", "premium"),
    ("0012345678", "XX", "international"),     # a country without a plan: the strict default
    ("12345", "XX", "not_in_plan"),
    ("555-CALL", "US", "not_a_number"),
    ("", "US", "empty"),
    ("555", "US", "bad_length"),
]

ALLOWED = [
    ("5550199", "US", "5550199"),
    ("6175550142", "US", "6175550142"),
    ("+1 (617) 555-0142", "US", "16175550142"),  # punctuation and +1: normalised, not a fault
    ("617-555-0143", "US", "6175550143"),
    ("617.555.0144", "US", "6175550144"),
    ("18005550100", "US", "18005550100"),       # toll free
    ("+44 20 7123 4567", "UK", "02071234567"),
    ("07700900123", "UK", "07700900123"),
    ("+39 06 1234 5678", "IT", "0612345678"),
    ("3331234567", "IT", "3331234567"),
    ("+49 30 1234567", "DE", "0301234567"),
    ("0612345678", "FR", "0612345678"),
    ("912345678", "ES", "912345678"),
    ("0201234567", "NL", "0201234567"),
    ("0298765432", "AU", "0298765432"),
]


def case_numplan_refuses_what_toll_fraud_dials():
    for raw, country, why in FORBIDDEN:
        got = numplan.check(raw, country)
        assert got[1] == why, (raw, country, got)


def case_numplan_normalises_and_allows_plain_numbers():
    for raw, country, number in ALLOWED:
        got = numplan.check(raw, country)
        assert got == (number, None), (raw, country, got)


def case_numplan_office_allow_list_is_the_only_way_past():
    assert numplan.check("011442071234567", "US", ["01144*"]) == ("011442071234567", None)
    assert numplan.check("011332071234567", "US", ["01144*"])[1] == "international"
    assert numplan.check("19005550100", "US", ["19005550100"]) == ("19005550100", None)
    assert numplan.check("19005550101", "US", ["19005550100"])[1] == "premium"
    # feature codes never pass, listed or not
    assert numplan.check("*7219005550100", "US", ["*7219005550100", "19005550100"])[1] == "feature_code"


# --- the board's own check of a pushed config --------------------------------------
def _weak(mut):
    c = base_cfg()
    mut(c)
    return cfgcheck.check(c)


WEAK = [
    (lambda c: c["disa"].update(pin="000000"), "too easy"),
    (lambda c: c["disa"].update(pin="123456"), "too easy"),
    (lambda c: c["disa"].update(pin="987654"), "too easy"),
    (lambda c: c["disa"].update(pin="147258"), "too easy"),       # a keypad column walk
    (lambda c: c["disa"].update(pin="121212"), "too easy"),
    (lambda c: c["disa"].update(pin="550142"), "office"),         # the office's own number
    (lambda c: c["disa"].update(pin="48192"), "PIN of 6+"),
    (lambda c: c["disa"].update(pin="4819230561234"), "6 to 12"),
    (lambda c: c["disa"].update(pin="48192a"), "PIN of 6+"),
    (lambda c: c["disa"].update(max_attempts=1000), "max_attempts"),   # unlimited guessing
    (lambda c: c["disa"].update(max_attempts=0), "max_attempts"),
    (lambda c: c["disa"].update(max_attempts=True), "max_attempts"),
    (lambda c: c["disa"].update(max_attempts="3"), "max_attempts"),
    (lambda c: c["disa"].update(lockout_ms=0), "lockout_ms"),
    (lambda c: c["disa"].update(lockout_ms=1000), "lockout_ms"),
    (lambda c: c["disa"].pop("max_call_ms"), "max_call_ms"),
    (lambda c: c["disa"].update(max_call_ms=10 ** 9), "max_call_ms"),
    (lambda c: c["disa"].update(allow=["*"]), "allow"),
    (lambda c: c["disa"].update(allow=["1*"]), "allow"),           # would open 1-900
    (lambda c: c["disa"].update(allow=["*72*"]), "allow"),
    (lambda c: c["disa"].update(allow="011*"), "allow"),
    (lambda c: c.update(outbound={"callback": True, "allow": ["01*"]}), "outbound allow"),
    (lambda c: c["disa"].pop("pin"), "PIN of 6+"),
    (lambda c: (c["disa"].pop("pin"), c["disa"].update(pin_hash={"salt": "00", "rounds": 1, "hash": "x"},
                                                       pin_len=6)), "PIN of 6+"),
    (lambda c: (c["menus"]["main"]["keys"].pop("8"), c["disa"].pop("pin")), "without a PIN"),
    (lambda c: (pins.seal_disa(c), c["disa"].update(pin_len=4)), "without a PIN"),
    (lambda c: c["lines"][0].update(number="555-CALL"), "number"),
]


def case_cfgcheck_refuses_weak_disa_configs():
    assert cfgcheck.check(base_cfg()) is None
    for i, (mut, words) in enumerate(WEAK):
        err = _weak(mut)
        assert err is not None and words in err, (i, words, err)


def case_cfgcheck_accepts_a_sealed_pin_and_allow_lists():
    c = base_cfg()
    assert pins.seal_disa(c) and "pin" not in c["disa"]
    c["disa"]["allow"] = ["01144*", "18005550100"]
    c["outbound"] = {"callback": True, "allow": ["1800*"]}
    assert cfgcheck.check(c) is None, cfgcheck.check(c)
    # a disabled DISA needs nothing
    assert cfgcheck.check({"version": 1, "lines": [{"country": "US"}], "extensions": {},
                           "menus": {"main": {"greeting": [], "keys": {}}},
                           "disa": {"enabled": False}}) is None


# --- PINs ---------------------------------------------------------------------------
def case_trivial_pins_are_refused_strong_ones_taken():
    office = ["+1 617 555 0142"]
    for p in ("111111", "123456", "654321", "890123", "123123", "121212", "112211", "147258", "369258",
              "abcdef", "aaaaaa", "550142", "61755501", "90142"):
        assert pins.problem(p, 5, 64, False, office) is not None, p
    for p in ("481923", "731902", "246810", "30571946", "correct-horse-battery", "x" * 3 + "7Qz!" * 15):
        assert pins.problem(p, 6, 64, False, office) is None, (p, pins.problem(p, 6, 64, False, office))
    assert pins.problem("x" * 65, 6, 64) is not None


def case_pin_hash_is_the_old_format_and_costs_rounds():
    # d = SHA256(salt + pin), then SHA256(d + salt) rounds-1 times (auth.json since issue 6)
    import hashlib
    salt = b"0123456789abcdef"
    d = hashlib.sha256(salt + b"481923").digest()
    for _ in range(255):
        d = hashlib.sha256(d + salt).digest()
    assert pins.derive(salt, "481923", 256) == d
    k = pins.Kdf(salt, "481923", 256)
    slices = 0
    while not k.run(pins.SLICE_ROUNDS):
        slices += 1
    assert k.digest == d and slices == 256 // pins.SLICE_ROUNDS - 1
    rec = pins.seal("481923", pins.DISA_ROUNDS)
    assert pins.sealed_ok(rec) and rec["rounds"] == pins.DISA_ROUNDS and "481923" not in json.dumps(rec)
    assert pins.ADMIN_ROUNDS >= 10000 and pins.DISA_ROUNDS >= 4096
    from rrfw.console import authpin
    assert authpin.ROUNDS == pins.ADMIN_ROUNDS


# --- the DISA lock-out survives a power cut -----------------------------------------
def case_disa_lockout_and_failures_survive_a_reboot():
    path = "ivr_state.sec.json"
    b = BoardState(path=path)
    assert b.disa_failed(1000, 3, 600000) == 1
    assert b.disa_failed(2000, 3, 600000) == 2
    b2 = BoardState(path=path)             # the power goes: a new board reads the flash
    b2.load()
    assert b2.disa_fails == 2              # the count goes on across reboots
    assert b2.disa_failed(10, 3, 600000) == 3 and b2.disa_locked(20)
    b3 = BoardState(path=path)             # locked when the power went: locked again, in full
    b3.load()
    assert b3.disa_locked(50000) and b3.disa_locked(50000 + 599990)
    assert not b3.disa_locked(50000 + 600000)
    b4 = BoardState(path=path)             # the lock-out over: forgotten on flash too
    b4.load()
    assert not b4.disa_locked(0) and b4.disa_fails == 0
    os.remove(path)


# --- the sealed DISA PIN in the IVR ---------------------------------------------------
class _Player:
    line = 0

    def __init__(self):
        self.busy = False

    def play(self, names):
        pass

    def stop(self):
        pass


def _ivr_run(cfg, board, keys, until):
    events = []
    iv = ivr.Ivr(cfg, _Player(), lambda ev, **f: events.append((ev, f)), clock=lambda: 1700000000, board=board)
    iv.start(0, {"number": "5550100", "reason": None})
    t = 0
    while t < until:
        t += 10
        a = iv.step(t, keys.get(t), False)
        if a is not None:
            return a, t, events
    return None, t, events


def _keys(t0, digits):
    return dict((t0 + i * 100, c) for i, c in enumerate(digits))


def case_sealed_disa_pin_is_checked_in_slices():
    c = base_cfg()
    pins.seal_disa(c)
    board = BoardState(path="ivr_state.sec2.json")
    keys = {100: "8"}
    keys.update(_keys(500, "481923"))
    a, t, ev = _ivr_run(c, board, keys, 10000)
    assert a == ("disa", 1200000), a
    last_key = 500 + 5 * 100
    blocks = (t - last_key) // 10
    # the hash runs SLICE_ROUNDS a block: no 10 ms block carries the whole cost
    assert blocks >= pins.DISA_ROUNDS // pins.SLICE_ROUNDS - 1, blocks
    assert "481923" not in str(ev)
    keys = {100: "8"}
    keys.update(_keys(500, "481924"))
    a, t, ev = _ivr_run(c, board, keys, 3000)
    assert [f["n"] for e, f in ev if e == "ivr" and f.get("what") == "disa_bad_pin"] == [1], ev


def case_ivr_enforces_disa_limits_the_config_does_not():
    # an IVR given an unchecked config: unlimited attempts and no lock-out are not honoured
    c = base_cfg()
    c["disa"]["max_attempts"] = 1000
    c["disa"]["lockout_ms"] = 0
    board = BoardState(path="ivr_state.sec3.json")
    n = 0
    for call in range(4):
        keys = {100: "8"}
        keys.update(_keys(500, "000000"))
        keys.update(_keys(2000, "111111"))
        a, t, ev = _ivr_run(c, board, keys, 5000)
        n += len([1 for e, f in ev if e == "ivr" and f.get("what") == "disa_bad_pin"])
        if a == ("hangup", "disa_locked"):
            break
    assert board.disa_locked(0) and n == 5, (n, board.disa_lock_until)
    assert board.disa_lock_until >= 300000


# --- the config on flash holds no plain DISA PIN ----------------------------------
def case_config_on_flash_keeps_no_plain_pin():
    for f in (cfgstore.CURRENT, cfgstore.PREVIOUS, cfgstore.INCOMING):
        try:
            os.remove(f)
        except OSError:
            pass
    with open(cfgstore.CURRENT, "w") as f:
        f.write(json.dumps(base_cfg()))          # put there by hand, or by an older firmware
    cfg, src = cfgstore.load(cfgcheck.check)
    assert src == cfgstore.CURRENT and "pin" not in cfg["disa"] and pins.sealed_ok(cfg["disa"]["pin_hash"])
    text = open(cfgstore.CURRENT).read()
    assert "481923" not in text and "pin_hash" in text
    c = base_cfg()
    c["name"] = "pushed"
    assert cfgstore.install(json.dumps(c), cfgcheck.check) is None
    assert "481923" not in open(cfgstore.CURRENT).read()
    assert "481923" not in open(cfgstore.PREVIOUS).read()
    weak = base_cfg()
    weak["disa"]["pin"] = "000000"
    weak["disa"]["max_attempts"] = 1000
    assert "too easy" in cfgstore.install(json.dumps(weak), cfgcheck.check)   # the pushed config


def call_in(workdir):
    def call(name, fn):
        d = workdir + "/" + name
        try:
            os.mkdir(d)
        except OSError:
            pass
        os.chdir(d)
        return fn()
    return call


if __name__ == "__main__":
    import caserun
    caserun.main(caserun.discover(globals()), call_in(sys.argv[1]), sys.argv[2:])
