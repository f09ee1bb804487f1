# lazy_cases.py - code loaded only while it is used, and given back after
# (docs/notes/heap.md, issue 14): the App on the stand-in board, under CPython
# (tests/test_lazy_modules.py, in-process) and the real micropython binary
#   micropython lazy_cases.py WORKDIR        (MICROPYPATH=firmware:tests/support)
# Each case checks what a user of the board sees (the call-back rings the
# agent, is recorded, comes again) and that the outbound code is not in
# sys.modules while no attempt runs.
import json
import os
import sys

from rrfw.call import app as app_mod
from rrfw.call import linecall
from rrfw.call import states
from standin_hal import StandInHal, board_dir, us_ring_pulses

OUTBOUND = ("rrfw.call.callout", "rrfw.line.dialler", "rrfw.line.progress", "rrfw.dsp.dtmfgen",
            "rrfw.call.numplan", "rrfw.call.localtime")
HOLDERS = ("rrfw.call.disa", "rrfw.call.remote", "rrfw.call.transfer")   # flows that keep the shared code


def _app(cfg_file):
    cfg = board_dir(cfg_file, ".")
    cfg["outbound"] = {"callback": True, "callback_key": "1", "retry_ms": 60000}
    cfg["lines"] = [dict(cfg["lines"][0]), dict(cfg["lines"][0])]   # one kept for inbound calls
    hal = StandInHal(utc=1767621600)   # 2026-01-05 14:00 UTC: 09:00 in Boston, calling hours
    a = app_mod.App(hal, cfg)
    seen = []
    a.events.sinks.append(lambda text: seen.append(json.loads(bytes(text))))
    return a, hal, seen


def _fresh():
    """A board just booted: under CPython (one process) a test file run before may
    have left the flows' code, and the remote agents' and transfers' that hold it,
    in sys.modules; micropython starts each run empty."""
    from rrfw.compat import unload
    for name in OUTBOUND + HOLDERS:
        unload(name)   # off its package too: `from pkg import mod` would find it there


def _loaded():
    return [m for m in OUTBOUND if m in sys.modules]


def _run_until(a, hal, seen, event, blocks):
    """Step the board until `event` is emitted; the block number, or -1."""
    n = len(seen)
    for _ in range(blocks):
        hal.next_block()
        a.step()
        for e in seen[n:]:
            if e["event"] == event:
                return hal.block
        n = len(seen)
    return -1


def _booted_with_request():
    """A board just booted (CFG, call-backs on: _app) and a caller's
    call-back request taken: (app, hal, events seen)."""
    _fresh()
    a, hal, seen = _app(CFG)
    assert a.callbacks.request("6175550144", "101", 0, hal.rtc_utc()) is None
    return a, hal, seen


def _remove_new_files(before):
    """The call-back list and records a case wrote: the next case boots clean."""
    for name in os.listdir("."):
        if name not in before and os.stat(name)[0] & 0x4000 == 0:   # files, not the prompts
            os.remove(name)


def _step_until_ring(a, hal, blocks=3):
    """A started call-back rings its agent within a few blocks (callout.py)."""
    for _ in range(blocks):
        if hal.ring:
            return
        hal.next_block()
        a.step()


def case_callout_code_only_while_an_attempt_runs():
    _fresh()
    a, hal, seen = _app(CFG)
    assert a.dialer is not None
    assert _loaded() == [], _loaded()                       # booted: no outbound code
    assert a.callbacks.request("6175550144", "101", 0, hal.rtc_utc()) is None
    # the agent is rung first: the attempt's code is in
    assert _run_until(a, hal, seen, "callback_start", 3000) > 0, [e["event"] for e in seen]
    assert "rrfw.call.callout" in sys.modules and "rrfw.line.dialler" in sys.modules
    assert "rrfw.call.localtime" not in sys.modules         # the rules were checked, their code gone
    # nobody answers: the attempt ends (not counted) and its code goes with it
    assert _run_until(a, hal, seen, "release", 20000) > 0, [e["event"] for e in seen][-10:]
    lc = a.lines[0] if a.lines[0].state != states.IDLE else a.lines[1]
    assert lc.callout is None
    assert _loaded() == [], _loaded()
    rel = [e for e in seen if e["event"] == "release"]
    assert rel[-1]["reason"] == "callback_failed", rel
    # the request is still there; after its retry spacing the next attempt loads the code again
    assert [x["number"] for x in a.callbacks.pending] == ["6175550144"]
    hal.utc += 120                                          # the stand-in's wall clock does not run
    assert _run_until(a, hal, seen, "callback_start", 3000) > 0
    assert "rrfw.call.callout" in sys.modules
    hal.offhook_ports = 1                                   # the agent (port 0) answers this time
    assert _run_until(a, hal, seen, "seize", 3000) > 0      # the agent lifted: the line is seized


def case_callback_code_loads_the_block_before_the_agent_rings():
    # no block both loads the attempt's code and objects and starts it
    # (call/app.py _start_outbound: 2-8 ms here in one block, x30-50 on the board)
    before = os.listdir(".")
    try:
        _callback_in_two_blocks()
    finally:
        _remove_new_files(before)


def _callback_in_two_blocks():
    a, hal, seen = _booted_with_request()
    b_load = b_start = -1
    n = len(seen)
    for _ in range(3000):
        hal.next_block()
        a.step()
        started = [e for e in seen[n:] if e["event"] == "callback_start"]
        n = len(seen)
        if b_load < 0 and "rrfw.call.callout" in sys.modules:
            b_load = hal.block
            assert not started and hal.ring == 0, (started, hal.ring)
        elif started:
            b_start = hal.block
            break
    assert b_load > 0 and b_start == b_load + 1, (b_load, b_start)   # started in the very next block
    _step_until_ring(a, hal)                                 # and the agent's phone rings
    assert hal.ring, "the agent's phone never rang"
    hal.offhook_ports = hal.ring                            # the agent answers: the call-back goes on
    assert _run_until(a, hal, seen, "seize", 3000) > 0


def case_callback_attempt_closes_on_flash_the_block_after_its_release():
    # the agent does not answer: the line's release (its record) in one block,
    # the request's close on flash (dialer.py end_soon) in the next, and done
    before = os.listdir(".")
    try:
        a, hal, seen = _booted_with_request()
        assert _run_until(a, hal, seen, "callback_start", 3000) > 0
        assert a.callbacks.pending[0].get("active") == 1       # on flash as under way
        assert _run_until(a, hal, seen, "release", 20000) > 0
        assert a.callbacks.pending[0].get("active") == 1       # not closed in the release's block
        hal.next_block()
        a.step()
        assert a.callbacks.pending[0].get("active") is None, a.callbacks.pending
        assert [x["number"] for x in a.callbacks.pending] == ["6175550144"]   # kept for its retry
    finally:
        _remove_new_files(before)


def case_a_callback_that_cannot_start_is_its_lines_fault_not_the_boards():
    # no heap for the Callout (the busy run's peak, heap.md): an error event for
    # that line, no restart of the App (the other line's call would drop), and
    # the request is tried again at its next turn and goes out
    before = os.listdir(".")
    try:
        a, hal, seen = _booted_with_request()
        failed = []

        def no_room(lc=None):
            failed.append(hal.block)
            raise MemoryError("memory allocation failed, allocating 232 bytes")
        for lc in a.lines:
            lc.make_callout = no_room    # the instance's attribute: this attempt only
        assert _run_until(a, hal, seen, "error", 3000) > 0, [e["event"] for e in seen]
        err = [e for e in seen if e["event"] == "error"][-1]
        assert "MemoryError" in err["error"] and err.get("line") in (1, 2), err
        assert len(failed) == 1 and a.faults == 1
        # released: on-hook, its guard time then idle, nothing of the attempt kept
        assert all(lc.state in (states.IDLE, states.GUARD) and lc.callout is None for lc in a.lines)
        for lc in a.lines:
            del lc.make_callout          # the heap is back: the class's method again
        assert [x["number"] for x in a.callbacks.pending] == ["6175550144"]
        assert _run_until(a, hal, seen, "callback_start", 3000) > 0, [e["event"] for e in seen][-8:]
        _step_until_ring(a, hal)
        assert hal.ring, "the agent's phone never rang"
    finally:
        _remove_new_files(before)


def case_disa_code_only_during_a_disa_call():
    _fresh()
    a, hal, seen = _app(CFG)
    lc = a.lines[0]
    for _ in range(1500):   # a caller rings line 1 until the board answers (the menu)
        t = hal.block * 10
        hal.pulses = us_ring_pulses(t) if lc.state in (states.IDLE, states.RINGING) else 0
        hal.loop = hal.hook[0]
        hal.next_block()
        a.step()
        if lc.state == states.IVR:
            break
    assert lc.state == states.IVR, linecall.STATE_NAMES[lc.state]
    assert "rrfw.call.disa" not in sys.modules
    lc.start_disa(a.clock.ms, 60000)        # as the menu's DISA action after the right PIN
    assert lc.state == states.DISA and "rrfw.call.disa" in sys.modules
    # the caller keys no number: dial tone, then after the first-digit wait the line is released
    assert _run_until(a, hal, seen, "release", 3000) > 0
    rel = [e for e in seen if e["event"] == "release"][-1]
    assert rel["reason"] == "disa_no_number", rel
    assert lc.disa is None and "rrfw.call.disa" not in sys.modules
    assert _loaded() == [], _loaded()            # with the dialler and the plan it brought


CFG = "basic.json"   # the config's path: tests/data/basic.json (the runner sets it)


if __name__ == "__main__":
    import caserun
    CFG = sys.argv[2]
    os.chdir(sys.argv[1])
    caserun.main(caserun.discover(globals()))
