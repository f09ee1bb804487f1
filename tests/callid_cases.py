# callid_cases.py - call ids are unique and increasing across reboots, lost
# records and power cuts (store/callid.py): calls on the stand-in board, each
# on a fresh boot of the same flash, with records the flash refused, with the
# power cut at every write of the counter, with the counter file damaged.
# Run by pytest under CPython and the real `micropython` binary
# (tests/test_core_callid.py):  micropython callid_cases.py WORKDIR
import json
import os

from boot_fuzz_cases import give_a_call
from flash_full_cases import FullFlash
from cutfs import CutFS, PowerCut
from rrfw.store import atomic, callid, records


def _cfg():
    with open("good.json") as f:
        return json.load(f)


def _clean():
    for name in os.listdir("."):
        if name != "good.json":
            os.remove(name)


def _answered(seen):
    return [e["call"] for e in seen if e["event"] == "answer"]


def _strictly_increasing(ids):
    return all(a < b for a, b in zip(ids, ids[1:]))


def case_ids_increase_across_reboots():
    _clean()
    ids = []
    for _ in range(4):
        a, seen = give_a_call(_cfg())
        ids += _answered(seen)
    assert len(ids) == 4 and _strictly_increasing(ids), ids
    recs = [r["call"] for r in records.Records().read_all()]
    assert recs == ids, (recs, ids)


def case_a_lost_record_never_gives_its_id_again():
    _clean()
    a, seen = give_a_call(_cfg())
    ids = _answered(seen)
    full = FullFlash(28)
    records.open = full.open
    try:
        for _ in range(3):   # three calls whose records the flash refuses, each after a reboot
            a, seen = give_a_call(_cfg())
            assert a.records.lost == 1
            ids += _answered(seen)
    finally:
        records.open = full.real
    a, seen = give_a_call(_cfg())
    ids += _answered(seen)
    assert len(ids) == 5 and _strictly_increasing(ids), ids
    # the flash holds the first and the last: the last is not the first + 1
    recs = [r["call"] for r in records.Records().read_all()]
    assert recs == [ids[0], ids[-1]], (recs, ids)


def case_many_calls_in_one_boot_cross_reservation_blocks():
    _clean()
    ids = callid.CallIds(1)
    got = [ids.take() for _ in range(3 * callid.BLOCK + 5)]
    assert got == list(range(1, len(got) + 1)), got[:5]
    saved = int(atomic.read_text(callid.PATH))
    assert got[-1] < saved <= got[-1] + callid.BLOCK, (got[-1], saved)
    again = callid.CallIds(1)   # a reboot skips what was left of the block
    assert again.take() == saved


def case_a_power_cut_at_any_write_of_the_counter_never_repeats_an_id():
    n = 1
    cuts = 0
    while True:
        _clean()
        given = []
        ids = callid.CallIds(1)
        for _ in range(callid.BLOCK - 2):
            given.append(ids.take())
        fs = CutFS(n)
        atomic.open = fs.open
        atomic.os = fs
        cut = False
        try:
            for _ in range(10):   # across the end of the block: the next reservation is cut
                given.append(ids.take())
        except PowerCut:
            cut = True
        finally:
            atomic.open = fs.real_open
            atomic.os = fs.real_os
        after = callid.CallIds(1)   # the reboot
        nxt = [after.take() for _ in range(3)]
        assert nxt[0] > given[-1], (n, given[-3:], nxt)
        assert _strictly_increasing(given + nxt), (n, given[-3:], nxt)
        if not cut:
            break
        cuts += 1
        n += 1
    assert cuts >= 2, cuts   # the write and the rename of the reservation


def case_a_damaged_counter_falls_back_to_the_records():
    _clean()
    a, seen = give_a_call(_cfg())
    first = _answered(seen)
    with open(callid.PATH, "wb") as f:
        f.write(b"\xff\xfe garbage")   # not even UTF-8
    a, seen = give_a_call(_cfg())
    second = _answered(seen)
    assert second[0] > first[0], (first, second)
    os.remove(callid.PATH)   # gone altogether (a reset, a bad flash page)
    a, seen = give_a_call(_cfg())
    third = _answered(seen)
    assert third[0] > second[0], (second, third)


def case_counter_the_flash_refuses_keeps_ids_unique_in_ram():
    _clean()

    class Refuse(CutFS):
        def _tick(self):
            raise OSError(28)
    fs = Refuse(0)
    atomic.open = fs.open
    atomic.os = fs
    try:
        ids = callid.CallIds(1)
        got = [ids.take() for _ in range(callid.BLOCK * 2)]
    finally:
        atomic.open = fs.real_open
        atomic.os = fs.real_os
    assert got == list(range(1, len(got) + 1)), got[:5]
    assert "28" in ids.error, ids.error
    ids.take()   # room again: the next id writes its block
    assert ids.error is None and int(atomic.read_text(callid.PATH)) > got[-1]


CASES = [case_ids_increase_across_reboots,
         case_a_lost_record_never_gives_its_id_again,
         case_many_calls_in_one_boot_cross_reservation_blocks,
         case_a_power_cut_at_any_write_of_the_counter_never_repeats_an_id,
         case_a_damaged_counter_falls_back_to_the_records,
         case_counter_the_flash_refuses_keeps_ids_unique_in_ram]

if __name__ == "__main__":
    import sys
    import caserun
    os.chdir(sys.argv[1])
    caserun.main(CASES, None, sys.argv[2:])
