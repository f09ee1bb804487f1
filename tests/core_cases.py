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


class PowerCut(Exception):
    pass


class CutFS:
    """Wraps open/os for store.py: cuts power at operation number `cut_at`."""

    def __init__(self, cut_at):
        self.cut_at = cut_at
        self.ops = 0
        self.real_open = open
        self.real_os = os

    def _tick(self):
        self.ops += 1
        return self.ops == self.cut_at

    def open(self, path, mode="r"):
        f = self.real_open(path, mode)
        if "w" not in mode and "a" not in mode:
            return f
        fs = self

        class CutFile:
            def write(self, data):
                if fs._tick():
                    f.write(data[:len(data) // 2])   # half of it reaches the flash
                    f.close()
                    raise PowerCut()
                return f.write(data)

            def flush(self):
                f.flush()

            def close(self):
                f.close()

            def __enter__(self):
                return self

            def __exit__(self, *a):
                f.close()
        return CutFile()

    def rename(self, a, b):
        if self._tick():
            raise PowerCut()   # the rename did not happen
        self.real_os.rename(a, b)

    def remove(self, p):
        if self._tick():
            raise PowerCut()
        self.real_os.remove(p)

    def stat(self, p):
        return self.real_os.stat(p)

    def mkdir(self, p):
        return self.real_os.mkdir(p)

    def listdir(self, p):
        return self.real_os.listdir(p)


def _clean(d):
    for name in os.listdir(d):
        os.remove(d + "/" + name)


def _with_cut(fs, fn):
    store.open = fs.open
    store.os = fs
    records.open = fs.open
    records.os = fs
    try:
        fn()
        return False
    except PowerCut:
        return True
    finally:
        store.open = fs.real_open
        store.os = fs.real_os
        records.open = fs.real_open
        records.os = fs.real_os


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


CASES = [case_config_install_survives_a_cut_anywhere,
         case_bad_config_is_refused_and_running_one_stays,
         case_records_survive_a_cut_mid_append,
         case_records_rotate_and_ids_continue,
         case_erasure_and_retention_survive_a_cut_anywhere,
         case_record_settings_mask_numbers_and_keep_the_newest,
         case_event_ring_replays_since_seq]


def call(name, case):
    # every case takes the board's flash folder; the runner's cwd is that folder
    return case(".")


if __name__ == "__main__":
    import sys
    import caserun
    os.chdir(sys.argv[1])
    caserun.main(CASES, call, sys.argv[2:])
