# core_cases.py - the firmware core's storage and event logic in plain asserts:
# run by pytest under CPython (tests/test_core_storage.py) and by the real
# `micropython` binary (`micropython tests/core_cases.py WORKDIR [CASE...]`,
# MICROPYPATH=firmware:tests/support), through tests/support/caserun.py.
#
# Power cuts are simulated at every write: a fake file layer counts each
# write and each rename, and at the Nth one "loses power": the write being
# cut lands only in part, a rename either happened or did not (littlefs
# renames are atomic). After each cut the board "reboots" and must find a
# good state.
import os
import json

from rrfw.store import atomic as store
from rrfw.store import cfgstore
from rrfw.store import records
from rrfw.call import events
from cutfs import CutFS, with_cut


def _clean(d):
    for name in os.listdir(d):
        os.remove(d + "/" + name)


def _with_cut(fs, fn):
    return with_cut(fs, (store, records), fn)


def check(cfg):
    # the firmware's own check stands in: a config must name its version
    return None if cfg.get("version") == 1 else "bad version"


OLD = json.dumps({"version": 1, "name": "old", "menus": {"main": {}}})
NEW = json.dumps({"version": 1, "name": "new", "menus": {"main": {}, "night": {}}})


def case_config_install_survives_a_cut_anywhere(d):
    cuts = 0
    n = 1
    while True:
        _clean(d)
        assert cfgstore.install(OLD, check) is None
        fs = CutFS(n)
        cut = _with_cut(fs, lambda: cfgstore.install(NEW, check))
        cfg, src = cfgstore.load(check)
        assert cfg is not None, "no good config after a cut at op %d: %s" % (n, src)
        assert cfg["name"] in ("old", "new"), cfg
        if not cut:
            assert cfg["name"] == "new"
            break
        cuts += 1
        n += 1
    assert cuts >= 4, cuts   # every write and rename of the install was cut once


def case_bad_config_is_refused_and_running_one_stays(d):
    _clean(d)
    assert cfgstore.install(OLD, check) is None
    err = cfgstore.install('{"version": 2}', check)
    assert err == "bad version", err
    err = cfgstore.install('{"version": 1, "name": ', check)
    assert "JSON" in err, err
    cfg, src = cfgstore.load(check)
    assert cfg["name"] == "old" and src == "config.json"


def case_records_survive_a_cut_mid_append(d):
    n = 1
    while n < 6:
        _clean(d)
        r = records.Records()
        r.append({"call": 1, "outcome": "connected"})
        fs = CutFS(n)
        _with_cut(fs, lambda: records.Records().append({"call": 2, "outcome": "missed"}))
        r2 = records.Records()       # reboot
        r2.append({"call": 3, "outcome": "connected"})
        calls = [x["call"] for x in r2.read_all()]
        assert calls[0] == 1 and calls[-1] == 3, calls   # nothing before or after the cut is lost
        assert r2.next_id == 4
        n += 1


def case_records_rotate_and_ids_continue(d):
    _clean(d)
    # two segments, as the JSON-lines store had two files (frames of 14 bytes here, JSON lines took 40)
    r = records.Records(max_bytes=150, segments=2)
    for i in range(40):
        r.append({"call": r.new_call_id(), "caller": "555%04d" % i})
    names = sorted(n for n in os.listdir(d) if n.startswith("rec"))
    assert len(names) == 2 and names[0] < names[1] and names[0] != "rec000001.bin", names
    assert sum(os.stat(d + "/" + n)[6] for n in names) <= 300
    r2 = records.Records(max_bytes=150, segments=2)
    assert r2.next_id == 41, r2.next_id
    kept = r2.read_all()
    assert kept[-1]["call"] == 40 and len(kept) < 40   # bounded: the oldest went


def case_erasure_and_retention_survive_a_cut_anywhere(d):
    n = 1
    while True:
        _clean(d)
        r = records.Records(max_bytes=300)
        for i in range(12):
            r.append({"call": r.new_call_id(), "utc": 1000 + i, "caller": "5550001" if i % 3 == 0 else "5550002"})
        cut = _with_cut(CutFS(n), lambda: records.Records(max_bytes=300).erase("5550001"))
        after = records.Records(max_bytes=300).read_all()   # reboot: recovery runs
        callers = [x["caller"] for x in after]
        others = [x["call"] for x in after if x["caller"] == "5550002"]
        assert others == [2, 3, 5, 6, 8, 9, 11, 12], others   # nobody else's record is lost
        if not cut:
            assert "5550001" not in callers
            break
        # cut: all of that caller's records or none, never a duplicate
        assert callers.count("5550001") in (0, 4), callers
        assert len(set(x["call"] for x in after)) == len(after)
        n += 1
    assert n > 5
    r = records.Records(max_bytes=300)
    assert r.expire(1008) == 5
    assert [x["utc"] for x in r.read_all()] == [1008, 1010, 1011]
    assert r.matching("5550002") == [x for x in r.read_all() if x["caller"] == "5550002"]
    assert r.next_id == 13   # ids are never reused after an erasure


def case_record_settings_mask_numbers_and_keep_the_newest(d):
    _clean(d)
    r = records.Records(settings={"caller_id": "last4", "keep": 8})
    for i in range(30):
        r.append({"call": r.new_call_id(), "caller": "55512340%02d" % i, "caller_name": "SMITH"})
    kept = r.read_all()
    assert 8 <= len(kept) <= 10, len(kept)           # trimmed in batches of a quarter of keep
    assert kept[-1]["call"] == 30 and kept[-1]["caller"] == "******4029"
    assert all(x["caller_name"] is None for x in kept)
    r2 = records.Records(settings={"caller_id": "last4", "keep": 8})   # boot trims to keep
    assert len(r2.read_all()) == 8 and r2.next_id == 31
    _clean(d)
    r = records.Records(settings={"enabled": False})
    r.append({"call": r.new_call_id(), "caller": "5551234"})
    assert r.read_all() == [] and r.next_id == 2


def case_event_ring_replays_since_seq(d):
    clock = events.Clock()
    ev = events.Events(clock, size=8)
    seen = []
    ev.sinks.append(seen.append)
    for i in range(20):
        clock.ms = i * 10
        ev.emit("digit", digit=str(i % 10))
    assert len(seen) == 20
    tail = ev.since(15)
    assert [json.loads(t)["seq"] for t in tail] == [16, 17, 18, 19, 20]
    old = ev.since(0)   # asked for more than the ring keeps: the newest 8
    assert [json.loads(t)["seq"] for t in old] == list(range(13, 21))
    assert ev.overwritten == 12



class _SeeDump:
    """Stands in for the json module in call/events.py: keeps the dict each
    event was dumped from, so a case can make the same text with json.dumps
    (on MicroPython a dict's order is the table's, not the insertion's)."""

    def __init__(self):
        self.last = None
        self.loads = json.loads

    def dump(self, obj, fp):
        self.last = obj
        json.dump(obj, fp)

    def dumps(self, obj):
        return json.dumps(obj)


def case_event_ring_holds_the_text_json_would_give(d):
    # events of every size, the ring wrapping many times, one event larger
    # than the whole ring: the sinks and the ring get exactly json.dumps's
    # bytes, and the ring keeps what the old copy-in ring kept (model below)
    see = _SeeDump()
    real = events.json
    events.json = see
    try:
        clock = events.Clock()
        ev = events.Events(clock, size=64, nbytes=1500)
        got = []
        ev.sinks.append(lambda b: got.append(bytes(b)))
        want = {}
        model = []            # (seq, off, len) as the copy-in ring placed them
        pos = 0
        for i in range(60):
            clock.ms = i * 10
            if i == 41:
                fields = {"record": {"agents": [{"ext": "10%d" % k, "ring_ms": 3000 + k} for k in range(60)]}}
            elif i % 11 == 7:   # ~600 bytes: the ring wraps early, older texts are left past its end
                fields = {"record": {"agents": [{"ext": "2%02d" % k} for k in range(40)]}}
            elif i % 5 == 0:
                fields = {"record": {"call": i, "caller": "555%07d" % i, "caller_name": "M\u00fcller",
                                     "path": ["main", "sales"] * (i % 7), "agents": [{"ext": "101"}]}}
            else:
                fields = {"line": i % 2, "digit": str(i % 10), "name": "x" * ((i * 37) % 150)}
            seq = ev.emit("record" if "record" in fields else "digit", **fields)
            text = json.dumps(see.last).encode()
            assert got[-1] == text, (i, got[-1], text)
            want[seq] = text
            n = len(text)
            if n > 1500:
                model = []
            else:
                if pos + n > 1500:
                    model = [m for m in model if m[1] < pos]
                    pos = 0
                model = [m for m in model if m[0] > seq - 64 and not (m[1] < pos + n and m[1] + m[2] > pos)]
                model.append((seq, pos, n))
                pos += n
            kept = [bytes(t, "utf-8") if type(t) is str else bytes(t) for t in ev.since(0)]
            assert [m[0] for m in model] == list(range(ev.first_seq(), seq + 1)), (i, model, ev.first_seq())
            assert kept == [want[m[0]] for m in model], i
        assert len(got[41]) > 1500 and json.loads(got[41])["record"]["agents"][59]["ext"] == "1059"
        assert ev.overwritten == 60 - len(model)
    finally:
        events.json = real

# --- the binary record segments (store/records.py) --------------------------
# A record as a connected call leaves it after 25 days of uptime (the board
# clock's ms then take five bytes).
def _call(n, caller="6175550142", utc=1795392000):
    t = 25 * 86400000 + n * 60000
    return {"call": n, "line": 1, "utc": utc + n * 60, "ring_ms": t, "answer_ms": t + 6000, "rings": 2,
            "caller": caller, "caller_name": None, "caller_reason": None, "path": ["main"], "digits": "2",
            "target": "front", "ext": "101", "wait_ms": 7650, "connect_ms": t + 13650, "route_ms": t + 7640,
            "talk_ms": 184190, "end_ms": t + 197840, "release": "caller_hangup", "method": "cpc",
            "outcome": "connected", "dtmf_lost": 0}


def _calls(r):
    return [x["call"] for x in r.read_all()]


def case_records_cut_at_every_byte_of_an_append(d):
    L = len(records.frame(_call(9)))
    for rotate in (False, True):
        for k in range(L + 1):
            _clean(d)
            # 3 segments of 4 records: the 8th record goes at the end of the 2nd; rotate: the 13th
            # starts a 4th segment, which drops the 1st
            r = records.Records(max_bytes=4 * L, segments=3)
            for n in range(1, 8 if not rotate else 13):
                r.append(_call(n))
            assert len(r.segment_list()) == (2 if not rotate else 3)   # the cut one goes into the 2nd / a 4th
            before = _calls(r)
            # the write of that record is cut after k of its L bytes
            op = 2 if rotate else 1        # a rotation removes the oldest segment first
            w = records.Records(max_bytes=4 * L, segments=3)
            cut = _with_cut(CutFS(op, keep=k), lambda: w.append(_call(before[-1] + 1)))
            assert cut
            r2 = records.Records(max_bytes=4 * L, segments=3)     # reboot
            survivors = before[4:] if rotate else before           # a rotation drops the oldest 4 by design
            if k == L:
                survivors = survivors + [before[-1] + 1]            # every byte landed: the record is whole
            assert _calls(r2) == survivors, (rotate, k, _calls(r2))
            assert r2.unreadable == (1 if 0 < k < L else 0), (k, r2.unreadable)
            assert r2.next_id == survivors[-1] + 1                  # a lost record's id may be used again
            r2.append(_call(r2.new_call_id()))
            r3 = records.Records(max_bytes=4 * L, segments=3)
            assert _calls(r3) == survivors + [survivors[-1] + 1], (rotate, k, _calls(r3))
            assert r3.unreadable == (1 if 0 < k < L else 0)
    # the remove of a rotation itself cut: nothing but the oldest segment goes
    _clean(d)
    r = records.Records(max_bytes=4 * L, segments=3)
    for n in range(1, 13):
        r.append(_call(n))
    w = records.Records(max_bytes=4 * L, segments=3)
    assert _with_cut(CutFS(1), lambda: w.append(_call(13)))
    assert _calls(records.Records(max_bytes=4 * L, segments=3)) == list(range(1, 13))


def case_records_damaged_anywhere_skip_that_record_only(d):
    _clean(d)
    r = records.Records()
    for n in (1, 2, 3):
        r.append(_call(n))
    name = r.name(1)
    with open(name, "rb") as f:
        good = f.read()
    a = len(records.frame(_call(1)))
    b = a + len(records.frame(_call(2)))
    for p in range(a, b):                  # every byte of the 2nd record, changed
        for bad in (good[p] ^ 0x01, good[p] ^ 0xFF, 0xA7):
            if bad == good[p]:
                continue
            with open(name, "wb") as f:
                f.write(good[:p] + bytes([bad]) + good[p + 1:])
            r2 = records.Records()
            assert _calls(r2) == [1, 3], (p, bad, _calls(r2))
            assert r2.unreadable == 1 and r2.next_id == 4
    # erased flash (0xFF) or zeros between records, a stray magic byte: skipped, counted, no crash
    for junk in (b"\xff" * 40, b"\x00" * 40, b"\xa7", b"\xa7\x7f\x01"):
        with open(name, "wb") as f:
            f.write(good[:a] + junk + good[a:])
        r2 = records.Records()
        assert _calls(r2) == [1, 2, 3] and r2.unreadable == 1, (junk, _calls(r2))
        assert [x["call"] for x in r2.matching("6175550142")] == [1, 2, 3]
    # a rewrite (an erasure) leaves a clean segment behind
    assert r2.erase("0000000") == 0
    assert records.Records().unreadable == 0 and _calls(records.Records()) == [1, 2, 3]


def case_records_round_trip_every_kind_of_value(d):
    _clean(d)
    recs = [_call(1),
            {"call": 2, "direction": "out", "callee": "+16175550142", "caller": "******0142", "try": 3,
             "dial_refused": "toll", "ring_ms": 5, "end_ms": 3, "answer_ms": None, "digits": "12*#ABCD0"},
            {"call": 3, "utc": -5, "queue": {"name": "sales", "position": 2, "waits": [0, -1, 2.5]},
             "campaign_x": "Ünïcode ☎", "flag": True, "off": False, "big": 2 ** 40, "f": 0.25, "ext": "1",
             "path": ["main", "sales", "night"] * 5}]
    r = records.Records()
    for x in recs:
        r.append(dict(x))
    assert records.Records().read_all() == recs
    # 76 bytes a record: the budget holds 30 days of 100 calls a day (docs/notes/report.md)
    n = len(records.frame(_call(2999)))
    assert n <= 80, n
    assert (records.SEGMENTS - 1) * records.MAX_BYTES // n >= 30 * 100


def case_erasure_across_segments_is_all_or_nothing(d):
    L = len(records.frame(_call(1)))
    total = 0
    n = 1
    while True:
        _clean(d)
        r = records.Records(max_bytes=3 * L, segments=6)
        for i in range(1, 16):
            r.append(_call(i, caller="5550001" if i % 4 == 1 else "5550002"))
        assert len(r.segment_list()) >= 4, r.segment_list()
        cut = _with_cut(CutFS(n), lambda: records.Records(max_bytes=3 * L, segments=6).erase(
            "+1 555-0001", records.SameNumber("+1 555-0001")))
        after = records.Records(max_bytes=3 * L, segments=6).read_all()   # reboot: the job is finished
        callers = [x["caller"] for x in after]
        assert [x["call"] for x in after if x["caller"] == "5550002"] == [i for i in range(1, 16) if i % 4 != 1]
        assert callers.count("5550001") in (0, 4), (n, callers)
        assert not [f for f in os.listdir(d) if f.endswith(".tmp") or f == records.JOB]
        if not cut:
            assert "5550001" not in callers
            break
        total += callers.count("5550001") == 0
        n += 1
    assert n > 6 and total >= 5, (n, total)   # cuts before the job stand, every cut after it finishes


def case_legacy_json_records_migrate_once_under_cuts(d):
    old = [{"call": i, "utc": 1000 + i, "caller": "555%04d" % i} for i in range(1, 7)]
    n = 1
    while True:
        _clean(d)
        with open("records.1.jsonl", "w") as f:
            f.write("".join(json.dumps(x) + "\n" for x in old[:3]))
        with open("records.jsonl", "w") as f:
            f.write("".join(json.dumps(x) + "\n" for x in old[3:]) + '{"call": 7, "utc"')   # cut short
        cut = _with_cut(CutFS(n), lambda: records.Records())
        r = records.Records()
        assert r.read_all() == old, (n, r.read_all())
        assert r.next_id == 7
        assert sorted(os.listdir(d)) == ["rec000001.bin"], os.listdir(d)
        if not cut:
            break
        n += 1
    assert n > 4


def case_export_mark_and_the_warning_before_unexported_records_go(d):
    _clean(d)
    L = len(records.frame(_call(1)))
    seen = []
    r = records.Records(max_bytes=2 * L, segments=3, emit=lambda ev, **f: seen.append((ev, f)))
    for i in range(1, 5):
        r.append(_call(i))
    assert r.unexported() == 4 and r.at_risk() == 0 and seen == []
    r.append(_call(5))           # the 3rd segment: the next rotation drops the 1st, never exported
    assert seen == [("records_at_risk", {"records": 2, "unexported": 5})], seen
    assert r.at_risk() == 2
    # the host takes them away up to the end of what it read
    segs = r.segment_list()
    assert r.mark_exported(segs[-1][0], segs[-1][1])
    assert r.unexported() == 0 and r.at_risk() == 0
    assert not r.mark_exported(segs[-1][0], segs[-1][1] + 1) and not r.mark_exported(99, 0)
    r2 = records.Records(max_bytes=2 * L, segments=3, emit=lambda ev, **f: seen.append((ev, f)))   # reboot
    assert r2.mark == [segs[-1][0], segs[-1][1]] and r2.unexported() == 0
    for i in (6, 7, 8):
        r2.append(_call(i))      # the rotation drops exported records only: no warning, nothing dropped
    assert len(seen) == 1 and r2.dropped == 0 and r2.unexported() == 3
    r2.append(_call(9))          # the oldest now holds 6, read by no host
    assert seen[1] == ("records_at_risk", {"records": 1, "unexported": 4}), seen
    r2.append(_call(10))
    r2.append(_call(11))         # 6 goes: counted and told; 7 and 8 are next
    assert seen[2:] == [("records_dropped", {"records": 1, "dropped": 1}),
                        ("records_at_risk", {"records": 2, "unexported": 5})], seen
    assert r2.dropped == 1 and _calls(r2) == [7, 8, 9, 10, 11]
    # an erasure in the marked segment moves the mark with the records it keeps
    segs = r2.segment_list()
    r2.mark_exported(segs[-1][0], segs[-1][1])
    r2.append(_call(13, caller="5550009"))
    assert r2.unexported() == 1
    assert r2.erase("6175550142") == 5
    assert r2.unexported() == 1 and r2.read_all()[0]["call"] == 13


DAY_S = 86400
NOW = 1795392000      # 2026-11-23 00:00 UTC: the board's wall clock when the purge runs


def _purge_app(d, days, utc=NOW):
    from standin_hal import StandInHal
    from rrfw.call import app as app_mod
    here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
    with open(here + "/data/basic.json") as f:
        cfg = json.load(f)
    cfg["records"] = {"retention_days": days}
    cfg["outbound"] = {"callback": True}
    with open("callbacks.json", "w") as f:   # one call-back asked for 31 days ago, one yesterday
        f.write(json.dumps([{"number": "5550001111", "target": "101", "utc": NOW - 31 * DAY_S, "tries": 0,
                             "next_ms": 0},
                            {"number": "5550002222", "target": "101", "utc": NOW - DAY_S, "tries": 0,
                             "next_ms": 0}]))
    hal = StandInHal(utc=utc)
    a = app_mod.App(hal, cfg)
    seen = []
    a.events.sinks.append(lambda text: seen.append(json.loads(bytes(text))))
    # 31 days ago and yesterday: a record, an event, the last caller (by the board's clock)
    a.records.append(_call(1, caller="5550001111", utc=NOW - 31 * DAY_S))
    a.clock.ms = 1000
    a.events.emit("answer", line=1, caller="5550001111")
    a.board.last_caller, a.board.last_caller_ms = "5550001111", 1000
    a.records.append(_call(2, caller="5550002222", utc=NOW - DAY_S))
    a.clock.ms = 30 * DAY_S * 1000
    a.events.emit("answer", line=1, caller="5550002222")
    return a, hal, seen


def _holds(a, number):
    where = []
    if [r for r in records.Records().read_all() if r.get("caller") == number]:
        where.append("records")
    if [x for x in a.callbacks.pending if x["number"] == number]:
        where.append("callbacks")
    with open("callbacks.json") as f:
        if number in f.read():
            where.append("callbacks.json")
    if a.events.count_where(lambda v: v == number):
        where.append("events")
    if a.board.last_caller == number:
        where.append("last_caller")
    return where


def case_retention_purge_leaves_nothing_older(d):
    _clean(d)
    a, hal, seen = _purge_app(d, 30)
    assert _holds(a, "5550001111") == ["records", "callbacks", "callbacks.json", "events", "last_caller"]
    hal.block = 31 * DAY_S * 100      # 31 days of 10 ms blocks: a minute's check, the board idle
    a.step()
    assert _holds(a, "5550001111") == [], _holds(a, "5550001111")
    assert _holds(a, "5550002222") == ["records", "callbacks", "callbacks.json", "events"]
    purged = [e for e in seen if e["event"] == "purged"]
    assert purged == [{"event": "purged", "days": 30, "records": 1, "callbacks": 1, "events": 1,
                       "last_caller": True, "t_ms": 31 * DAY_S * 1000, "seq": purged[0]["seq"]}], purged
    # once an hour: the next minute's check does nothing
    a.records.append(_call(3, caller="5550003333", utc=NOW - 40 * DAY_S))
    hal.block += 6000
    a.step()
    assert [e for e in seen if e["event"] == "purged"] == purged
    hal.block += 360000
    a.step()
    assert "records" not in _holds(a, "5550003333")
    assert len([e for e in seen if e["event"] == "purged"]) == 2


def case_retention_without_a_clock_or_off(d):
    # the wall clock never set: records keep (their age is unknown), RAM by the board's own clock goes
    _clean(d)
    a, hal, seen = _purge_app(d, 30, utc=0)
    hal.block = 31 * DAY_S * 100
    a.step()
    assert _holds(a, "5550001111") == ["records", "callbacks", "callbacks.json"]
    # retention off (0): nothing is purged
    _clean(d)
    a, hal, seen = _purge_app(d, 0)
    hal.block = 31 * DAY_S * 100
    a.step()
    assert _holds(a, "5550001111") == ["records", "callbacks", "callbacks.json", "events", "last_caller"]
    assert not [e for e in seen if e["event"] == "purged"]


CASES = [case_config_install_survives_a_cut_anywhere,
         case_bad_config_is_refused_and_running_one_stays,
         case_records_survive_a_cut_mid_append,
         case_records_rotate_and_ids_continue,
         case_erasure_and_retention_survive_a_cut_anywhere,
         case_record_settings_mask_numbers_and_keep_the_newest,
         case_event_ring_replays_since_seq,
         case_event_ring_holds_the_text_json_would_give,
         case_records_cut_at_every_byte_of_an_append,
         case_records_damaged_anywhere_skip_that_record_only,
         case_records_round_trip_every_kind_of_value,
         case_erasure_across_segments_is_all_or_nothing,
         case_legacy_json_records_migrate_once_under_cuts,
         case_export_mark_and_the_warning_before_unexported_records_go,
         case_retention_purge_leaves_nothing_older,
         case_retention_without_a_clock_or_off]


def call(name, case):
    # every case takes the board's flash folder; the runner's cwd is that folder
    return case(".")


if __name__ == "__main__":
    import sys
    import caserun
    os.chdir(sys.argv[1])
    caserun.main(CASES, call, sys.argv[2:])
