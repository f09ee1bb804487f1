# hookflash_cases.py - the extension phones' hook flash (rrfw/line/hookflash.py)
# in plain asserts, under CPython (tests/test_hookflash_cases.py) and the real
# micropython binary: the timeline in the module's header, row by row, with
# the blocks on both sides of each threshold, and what the call record keeps
# of a transfer (rrfw/call/record.py).
from rrfw.hal.base import HalBase
from rrfw.line import hookflash as hf


class _Hal(HalBase):
    n_exts = 4

    def __init__(self):
        self.off = 0

    def ext_offhook(self, port):
        return bool(self.off & (1 << port))


def _run(timeline, min_ms=hf.FLASH_MIN_MS, max_ms=hf.FLASH_MAX_MS, until=3000):
    """timeline: [(t_ms, off)] hook changes of port 0 -> [(t_ms, "flash" / "hangup")]."""
    hal = _Hal()
    det = hf.HookFlash(hal, min_ms, max_ms)
    seen = []
    changes = list(timeline)
    for block in range(until // 10):
        t = block * 10
        while changes and changes[0][0] <= t:
            hal.off = 1 if changes.pop(0)[1] else 0
        det.step(t)
        if det.flash(0):
            seen.append((t, "flash"))
        if det.hung & 1:
            seen.append((t, "hangup"))
        assert det.offhook(0) == (det.state[0] != hf.H_ON)
    return seen, det


def case_a_lift_is_neither():
    seen, det = _run([(100, True)])
    assert seen == [] and det.offhook(0)


def case_an_on_hook_shorter_than_the_minimum_is_a_bounce():
    # open at 500 for 90 ms (a dial-pulse break is about 60 ms): nothing
    seen, det = _run([(100, True), (500, False), (590, True)])
    assert seen == [] and det.offhook(0) and det.flashes == 0


def case_a_flash_at_the_minimum_and_at_the_maximum():
    for ms in (hf.FLASH_MIN_MS, 300, 600, hf.FLASH_MAX_MS):
        seen, det = _run([(100, True), (500, False), (500 + ms, True)])
        assert seen == [(500 + ms, "flash")], (ms, seen)
        assert det.offhook(0) and det.flashes == 1


def case_one_block_past_the_maximum_is_a_hang_up():
    # still open 810 ms after it opened: hung up (seen 810 ms after the handset went down)
    seen, det = _run([(100, True), (500, False)])
    assert seen == [(500 + hf.FLASH_MAX_MS + 10, "hangup")], seen
    assert not det.offhook(0)
    # during the gap the phone still counts as off-hook: a flash never drops the call
    seen, det = _run([(100, True), (500, False), (500 + hf.FLASH_MAX_MS + 10, True)])
    assert seen == [(500 + hf.FLASH_MAX_MS + 10, "hangup")], seen


def case_a_lift_after_a_hang_up_and_a_second_flash():
    seen, _ = _run([(100, True), (500, False), (2000, True), (2300, False), (2600, True)])
    assert seen == [(1310, "hangup"), (2600, "flash")], seen


def case_the_config_moves_the_thresholds():
    seen, _ = _run([(100, True), (500, False), (700, True)], min_ms=250, max_ms=1000)
    assert seen == [], seen                      # 200 ms: a bounce for this office
    seen, _ = _run([(100, True), (500, False), (1400, True)], min_ms=250, max_ms=1000)
    assert seen == [(1400, "flash")], seen       # 900 ms: still a flash


def case_ports_are_apart():
    hal = _Hal()
    det = hf.HookFlash(hal)
    hal.off = 0b11
    det.step(0)
    hal.off = 0b10                               # port 0 flashes, port 1 stays up
    for t in range(10, 310, 10):
        det.step(t)
    hal.off = 0b11
    det.step(310)
    assert det.flash(0) and not det.flash(1) and det.flashed == 1


def case_the_record_keeps_each_transfer():
    from rrfw.call import record
    rec = record.inbound(7, 0, 0, 0, 100, 1, {"number": None, "name": None, "reason": None})
    record.connected(rec, "101", 200)
    record.note(rec, "transfer", {"what": "hold", "ext": "101"}, 300)
    record.note(rec, "transfer", {"what": "back", "ext": "101", "to": None, "why": "cancel"}, 400)
    assert "transfer" not in rec                 # taken back before dialling: nothing to keep
    record.note(rec, "transfer", {"what": "back", "ext": "101", "to": "102", "why": "no_answer"}, 500)
    record.note(rec, "transfer", {"what": "done", "kind": "attended", "ext": "101", "to": "103"}, 600)
    assert rec["ext"] == "103"
    record.note(rec, "supervisor", {"what": "takeover", "ext": "104", "agent": "103"}, 700)
    assert rec["ext"] == "104"
    # ms: when, after the connect at 200 (the queue_log's TRANSFER time)
    assert rec["transfer"] == [{"kind": "back", "from": "101", "to": "102", "why": "no_answer", "ms": 300},
                               {"kind": "attended", "from": "101", "to": "103", "ms": 400},
                               {"kind": "takeover", "from": "103", "to": "104", "ms": 500}]
    for i in range(10):                          # a call passed round cannot grow its record
        record.note(rec, "transfer", {"what": "done", "kind": "blind", "ext": "1", "to": "2"}, 800)
    assert len(rec["transfer"]) == record.MAX_TRANSFERS


if __name__ == "__main__":
    import caserun
    caserun.main(caserun.discover(globals()))
