# late_block_cases.py - no block late for the flash or the PIN (issue 14):
# a call's record waits a few blocks and is written a slice a block
# (store/records.py), the console's PIN hash is spread over blocks
# (store/pins.py, console/server.py). What a user sees of it: a power cut
# while a record waits loses only that record; an export, an erasure or a
# reboot right after a call has it; a login still works, and no block hashes
# more than pins.SLICE_ROUNDS rounds. A prompt's file is opened in a block
# of its own, never the one that called play() (call/player.py), and a chain
# of fragments plays without a gap: every sample, in order, from the block
# after play(). The board collects its garbage in a quiet block, before the
# heap is short, not in one that emits events (main.py GcPolicy; MicroPython
# only: CPython has no heap of its own to watch).
# Run by pytest under CPython and the real `micropython` binary
# (tests/test_late_block.py):  micropython late_block_cases.py WORKDIR
import json
import os

from boot_fuzz_cases import KEY2, SILENCE
from rrfw.call import app as app_mod
from rrfw.call import player as player_mod
from rrfw.call import privacy
from rrfw.console import server as console
from rrfw.store import pins
from rrfw.store import records
from standin_hal import StandInHal, us_ring_pulses

NUMBER = "6175550142"
PIN = "Late-block-7q"


def _clean():
    for name in os.listdir("."):
        if name != "good.json" and not name.startswith("prompts"):
            os.remove(name)


def _boot():
    with open("good.json") as f:
        cfg = json.load(f)
    hal = StandInHal(n_lines=2, n_exts=4)
    a = app_mod.App(hal, cfg)
    seen = []
    a.events.sinks.append(lambda text: seen.append(json.loads(bytes(text))))
    return a, hal, seen


def _call(a, hal, seen, number=None):
    """Ring line 1 until the call's record event (answered, key 2, the agent
    lifts, the caller hangs up 8 s after the answer); the last step is the
    one that closed the record: nothing after it. Returns the record."""
    b0 = hal.block + 1
    t_answer = None
    n0 = len(seen)
    for b in range(3000):
        t = b * 10
        hal.pulses = us_ring_pulses(t) if t < 8000 and not hal.hook[0] else 0
        hal.loop = hal.hook[0] and (t_answer is None or t < t_answer + 8000)
        if t_answer is None and hal.hook[0]:
            t_answer = t
            if number is not None:
                a.lines[0].rec["caller"] = number   # as the caller ID decoder would have put it
        if t_answer is not None and 0 <= t - t_answer - 1500 < 100:
            hal.rx[0][:] = KEY2[(t - t_answer - 1500) // 10]
        else:
            hal.rx[0][:] = SILENCE
        if hal.ring:
            hal.offhook_ports |= hal.ring
        if t_answer is not None and t >= t_answer + 8000:
            hal.offhook_ports = 0
        hal.next_block()
        a.step()
        for e in seen[n0:]:
            if e["event"] == "record":
                return e["record"]
    raise AssertionError("no record from the call that began at block %d" % b0)


def _quiet(a, hal, blocks):
    hal.pulses = 0
    hal.loop = False
    hal.rx[0][:] = SILENCE
    for _ in range(blocks):
        hal.next_block()
        a.step()


def _on_flash():
    # what a board booting on this flash finds (the power cut: RAM gone)
    return [r.get("call") for r in records.Records().read_all()]


def case_a_power_cut_while_a_record_waits_loses_only_that_record():
    _clean()
    a, hal, seen = _boot()
    first = _call(a, hal, seen)
    slices = 0
    while a.records.busy():
        _quiet(a, hal, 1)
        slices += 1
    assert slices >= 2, slices    # the encoding and the append are blocks of their own
    assert _on_flash() == [first["call"]]
    second = _call(a, hal, seen)
    assert a.records.waiting() == 1 and second["call"] != first["call"]
    # the cut, now: the first call's record is there, the second's is the one lost
    assert _on_flash() == [first["call"]]
    # without the cut the second is on flash a few blocks later
    _quiet(a, hal, 5)
    assert not a.records.busy()
    assert _on_flash() == [first["call"], second["call"]]


def case_export_and_erase_right_after_a_call_include_its_record():
    _clean()
    a, hal, seen = _boot()
    rec = _call(a, hal, seen, NUMBER)
    assert a.records.waiting() == 1    # not on flash yet
    texts, more = privacy.records_page(a, NUMBER, 0, 4000)
    assert more is None and [json.loads(t)["call"] for t in texts] == [rec["call"]], texts
    assert _on_flash() == [rec["call"]]   # the export wrote it first
    rec2 = _call(a, hal, seen, NUMBER)
    assert a.records.waiting() == 1
    gone = privacy.erase(a, NUMBER)
    assert gone["records"] == 2, gone
    _quiet(a, hal, 5)
    assert _on_flash() == [] and not records.Records().matching(NUMBER), rec2


def case_a_reboot_request_writes_the_waiting_record_first():
    _clean()
    a, hal, seen = _boot()
    rec = _call(a, hal, seen)
    con = console.Console(a, hal)
    con.pending = "reboot"      # the console's reboot command, its reply gone out
    try:
        con.poll()
        raise AssertionError("no reboot")
    except console.Reboot:
        pass
    assert _on_flash() == [rec["call"]]


def case_a_download_right_after_a_call_has_its_record():
    _clean()
    a, hal, seen = _boot()
    rec = _call(a, hal, seen)
    segs = a.records.segment_list()      # records.list, then get {"kind": "records"}
    with open(a.records.name(segs[-1][0]), "rb") as f:
        got, bad = records.decode(f.read())
    assert bad == 0 and [r["call"] for r in got] == [rec["call"]]


class _Rounds:
    """pins.Kdf.run counted: the rounds hashed in each block."""

    def __init__(self):
        from rrfw.store import pins   # the module as loaded now (the console unloads it after requests)
        self.now = 0
        self.real = pins.Kdf.run
        self.real_init = pins.Kdf.__init__
        me = self

        def run(kdf, n):
            me.now += n if n < kdf.left else max(kdf.left, 0)
            return me.real(kdf, n)

        def init(kdf, salt, pin, rounds):
            me.now += 1    # the first round is in Kdf() itself
            me.real_init(kdf, salt, pin, rounds)

        pins.Kdf.run = run
        pins.Kdf.__init__ = init

    def undo(self):
        from rrfw.store import pins
        pins.Kdf.run = self.real
        pins.Kdf.__init__ = self.real_init


def _ask(con, hal, verb, args, counter, per_block):
    from rrfw.console import protocol
    hal.wire.inq += protocol.frame("7", verb, json.dumps(args))
    for _ in range(2000):
        counter.now = 0
        hal.next_block()
        con.app.clock.ms = hal.block * 10
        con.poll()
        per_block.append(counter.now)
        out = bytes(hal.wire.out)
        if b"\n" in out:
            hal.wire.out = bytearray()
            line = out.split(b"\n")[0]
            parts = line[:line.rindex(b"*")].split(b" ", 3)
            return parts[2].decode(), json.loads(parts[3])
    raise AssertionError("no reply to " + verb)


def case_a_login_works_and_no_block_hashes_more_than_a_slice():
    _clean()
    from standin_hal import ConsoleApp
    hal = StandInHal(n_lines=1, n_exts=2, utc=1700000000)
    con = console.Console(ConsoleApp(hal), hal)
    con.get_auth().done = lambda: None   # pins.py stays loaded: the counted Kdf is the one used
    counter = _Rounds()
    try:
        per = []
        kind, r = _ask(con, hal, "pin.set", {"new": PIN}, counter, per)
        assert kind == "ok" and r["token"], r
        per_set = per
        per = []
        kind, r = _ask(con, hal, "login", {"pin": PIN}, counter, per)
        assert kind == "ok" and r["role"] == "admin" and r["token"], r
        tok = r["token"]
        per_login = per
        per = []
        kind, r = _ask(con, hal, "login", {"pin": "Wrong-pin-8z"}, counter, per)
        assert kind == "err" and r["code"] == "bad_pin", r
        per_bad = per
        kind, r = _ask(con, hal, "status", {"tok": tok}, counter, [])
        assert kind == "ok" and r["auth"]["role"] == "admin" and r["auth"]["fails"] == 1, r   # the session works
        kind, r = _ask(con, hal, "status", {}, counter, [])
        assert kind == "ok" and r["auth"]["role"] is None, r    # and only with its token
    finally:
        counter.undo()
    for per in (per_set, per_login, per_bad):
        assert max(per) <= pins.SLICE_ROUNDS, max(per)
        assert sum(per) == pins.ADMIN_ROUNDS, sum(per)          # the whole hash, only spread
        assert len(per) >= pins.ADMIN_ROUNDS // pins.SLICE_ROUNDS, len(per)


_FRAGS = (("frag-a", 250), ("frag-b", 403), ("frag-c", 170))   # samples: none a whole block


def _prompts():
    # fragments of distinct mu-law codes whose ends fall inside a block
    try:
        os.mkdir("prompts-late")
    except OSError:
        pass
    data = bytearray()
    for k, (name, n) in enumerate(_FRAGS):
        b = bytes([(i * 7 + k * 50) % 255 for i in range(n)])   # 0xff, mu-law's zero, never
        with open("prompts-late/" + name + ".ulaw", "wb") as f:
            f.write(b)
        data += b
    return data


def _expected(data, blocks):
    """What a player with no gap writes: the chain's samples back to back, then silence."""
    from array import array
    from rrfw.hal import pcm
    out = []
    for b in range(blocks):
        tx = array("h", bytes(160))
        part = data[b * 80:(b + 1) * 80]
        pcm.expand_ulaw(tx, part + bytes(80 - len(part)), player_mod.ULAW, len(part), 80)
        out.append(list(tx))
    return out


def _played(p, names, blocks):
    """[(opens in the block, busy after it, tx)] for the block of play() and the ones after."""
    from array import array
    tx = array("h", bytes(160))
    got = []
    o = p.opens
    p.play(names)
    p.fill(tx)
    got.append((p.opens - o, p.busy, list(tx)))
    for _ in range(blocks):
        o = p.opens
        p.fill(tx)
        got.append((p.opens - o, p.busy, list(tx)))
    return got


def case_a_prompt_opens_after_its_play_block_and_a_chain_has_no_gap():
    _clean()
    data = _prompts()
    seen = []
    p = player_mod.Player(0, lambda ev, **f: seen.append((ev, f)), root="prompts-late")
    names = [n for n, _ in _FRAGS]
    n_blocks = (len(data) + 79) // 80
    got = _played(p, names, n_blocks + 2)
    assert got[0][0] == 0 and got[0][1] and got[0][2] == [0] * 80, got[0]   # play()'s block: no open, silence
    assert max(g[0] for g in got) == 1, [g[0] for g in got]                # one open a block at most
    assert sum(g[0] for g in got) == len(_FRAGS)
    assert [g[2] for g in got[1:]] == _expected(data, n_blocks + 2)     # every sample, no gap
    assert got[n_blocks][1] is False and not p.busy                     # over with its last sample
    assert seen == [("prompt", {"line": 1, "name": ",".join(names)})], seen


def case_a_missing_fragment_is_skipped_and_a_missing_chain_known_when_played_again():
    _clean()
    data = _prompts()
    seen = []
    p = player_mod.Player(0, lambda ev, **f: seen.append((ev, f)), root="prompts-late")
    names = ["frag-a", "not-there", "frag-b"]
    n_blocks = (250 + 403 + 79) // 80
    got = _played(p, names, n_blocks + 1)
    assert [g[2] for g in got[1:]] == _expected(data[:250 + 403], n_blocks + 1)
    assert ("prompt_missing", {"line": 1, "name": "not-there"}) in seen and p.missing == 1, seen
    gone = ["not-there"]
    got = _played(p, gone, 1)
    assert got[0][1] and not got[1][1] and p.missing == 2, (p.missing, got)   # known a block later
    p.play(gone)                        # the same chain again (the hold music of a transfer)
    assert not p.busy and p.missing == 3   # known at once: the caller's code need not retry


def case_the_garbage_is_collected_in_a_quiet_block_before_the_heap_is_short():
    import gc
    if not hasattr(gc, "mem_free"):
        import caserun
        return caserun.SKIP   # CPython
    from rrfw import supervisor
    _clean()
    a, hal, seen = _boot()
    gc.collect()
    reserve = gc.mem_free() - 2 * supervisor._GC_RESERVE   # this heap as if the board's, 32 KB short of it
    pol = supervisor.GcPolicy(a, reserve)
    for _ in range(3 * supervisor._GC_RESERVE // 512):
        bytearray(512)         # garbage: nothing keeps it
    short = gc.mem_free()
    assert short < reserve, (short, reserve)
    for _ in range(3 * supervisor._GC_CHECK_BLOCKS):   # busy blocks: each emits an event
        _quiet(a, hal, 1)
        a.events.emit("test_busy")
        pol.after_step()
    assert pol.collections == 0, pol.collections
    for b in range(supervisor._GC_CHECK_BLOCKS):     # quiet ones, no call: the idle board looks less often
        _quiet(a, hal, 1)
        pol.after_step()
    assert a.idle() and pol.collections == 0, pol.collections
    for b in range(supervisor._GC_IDLE_CHECK_BLOCKS - supervisor._GC_CHECK_BLOCKS):   # within its period
        _quiet(a, hal, 1)
        pol.after_step()
    assert pol.collections == 1 and gc.mem_free() > reserve > short, (pol.collections, gc.mem_free())
    for b in range(3 * supervisor._GC_IDLE_CHECK_BLOCKS):     # room again: no more collections
        _quiet(a, hal, 1)
        pol.after_step()
    assert pol.collections == 1, pol.collections
    pol.idle = lambda: False   # a call on a line (App.idle() false): it looks every _GC_CHECK_BLOCKS
    for _ in range(3 * supervisor._GC_RESERVE // 512):
        bytearray(512)
    for b in range(supervisor._GC_CHECK_BLOCKS):
        _quiet(a, hal, 1)
        pol.after_step()
    assert pol.collections == 2, pol.collections


CASES = [case_a_power_cut_while_a_record_waits_loses_only_that_record,
         case_export_and_erase_right_after_a_call_include_its_record,
         case_a_reboot_request_writes_the_waiting_record_first,
         case_a_download_right_after_a_call_has_its_record,
         case_a_login_works_and_no_block_hashes_more_than_a_slice,
         case_a_prompt_opens_after_its_play_block_and_a_chain_has_no_gap,
         case_a_missing_fragment_is_skipped_and_a_missing_chain_known_when_played_again,
         case_the_garbage_is_collected_in_a_quiet_block_before_the_heap_is_short]

if __name__ == "__main__":
    import sys
    import caserun
    os.chdir(sys.argv[1])
    caserun.main(CASES, None, sys.argv[2:])
