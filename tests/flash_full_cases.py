# flash_full_cases.py - a full or failing flash never turns a call into a
# fault: with every write of a record refused (ENOSPC, EIO), calls on the
# stand-in board are answered, connected and released as usual, each lost
# record is counted, reported (event record_lost, status) and the board does
# not restart; when the flash has room again records are written again.
# Run by pytest under CPython and the real `micropython` binary
# (tests/test_core_flash_full.py):  micropython flash_full_cases.py WORKDIR
import json
import os

from boot_fuzz_cases import give_a_call
from rrfw.store import records


class FullFlash:
    """open() for records.py: appends fail as a full (or failing) flash does."""

    def __init__(self, errno_=28):
        self.errno = errno_
        self.real = open

    def open(self, path, mode="r"):
        if "a" in mode or "w" in mode:
            raise OSError(self.errno)   # 28 ENOSPC: littlefs and POSIX alike; 5 EIO
        return self.real(path, mode)


def _cfg():
    with open("good.json") as f:
        return json.load(f)


def _calls(n, cfg):
    """n calls, each on a fresh boot of the same flash: (apps, events of each)."""
    out = []
    for _ in range(n):
        out.append(give_a_call(json.loads(json.dumps(cfg))))
    return out


def _check_full(errno_):
    for name in os.listdir("."):
        if name.startswith("rec"):     # store/records.py: rec000001.bin ..., records.mark
            os.remove(name)
    full = FullFlash(errno_)
    records.open = full.open
    try:
        runs = _calls(3, _cfg())
    finally:
        records.open = full.real
    for a, seen in runs:
        kinds = [e["event"] for e in seen]
        rel = [e for e in seen if e["event"] == "release"]
        assert len(rel) == 1 and rel[0]["reason"] in ("caller_hangup", "agent_hangup"), rel    # not "fault"
        assert "error" not in kinds and "connect" in kinds, kinds
        lost = [e for e in seen if e["event"] == "record_lost"]
        assert len(lost) == 1 and lost[0]["lost"] == 1 and str(errno_) in lost[0]["error"], lost
        assert a.faults == 0 and a.records.lost == 1
    # status tells the technician
    from rrfw.console import commands
    from rrfw.console import server
    a = runs[-1][0]
    st = commands.status(server.Console(a, a.hal, config_source="config.json"), {})["storage"]
    assert st["records_lost"] == 1 and str(errno_) in st["records_error"], st
    # room again: the next call's record is written
    a, seen = give_a_call(_cfg())
    recs = [r["call"] for r in a.records.read_all()]
    assert a.records.lost == 0 and len(recs) == 1, a.records.read_all()
    # its id is new: the calls whose records were lost do not give theirs again (store/callid.py)
    lost_ids = [e["call"] for _, ev in runs for e in ev if e["event"] == "answer"]
    assert len(lost_ids) == 3 and recs[0] > max(lost_ids), (recs, lost_ids)


def case_full_flash_every_call_released_normally():
    _check_full(28)


def case_failing_flash_every_call_released_normally():
    _check_full(5)


CASES = [case_full_flash_every_call_released_normally, case_failing_flash_every_call_released_normally]

if __name__ == "__main__":
    import sys
    import caserun
    os.chdir(sys.argv[1])
    caserun.main(CASES, None, sys.argv[2:])
