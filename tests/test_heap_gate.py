"""The heap gate (issue 14): the whole firmware as the board runs it (the
32-bit unix port with the firmware frozen in, `make mp32`), 2 lines and 8
extensions, 15 simulated minutes of busy traffic (queueing, call-backs,
records, the event ring wrapping many times, a console monitor attached:
tests/support/busytraffic.py), must pass at every heap size of the gate band.

The target band is 64-72 KB (the reference board's first heap area). The
firmware does not fit it yet: GATE_KB sits a margin above the smallest heap
that passes today (the pass/fail edge moves a few KB with the folder the
board runs from), so the gate fails on growth beyond that margin; lower it
as the heap shrinks (`python -m bench heap` prints the smallest passing heap).
Pass and fail are not monotone in the heap size (fragmentation), so every
size of the band runs.
"""
import os

import pytest

import busytraffic

from ringroute import paths

TARGET_KB = (64, 72)
# docs/notes/heap.md. Main after the second stop of 2026-12-03 (frag, ringcons, callout,
# modsA, modsB, dtmfpack, progress2, cidpack, superv), busytraffic.run('mp32-frozen', 'NK'),
# one run each at d679db8: 71 failed, 70 and 72-79 passed (on the branches before the last
# merges 64-72 failed); the gate starts 6 KB above the last failure, as before.
# Main after the first merges of 2026-12-03 (heapmods, heap6, idle6, late6,
# late7, the run loop frozen: rrfw/supervisor.py), busytraffic.run('mp32-frozen', 'NK'), one
# run each: 84-92 fail, 93-101 pass (and 98-116 passed before late7's merge); the gate starts
# 6 KB above the last failure (a 4 KB margin failed once under load at the last stop).
# docs/notes/heap.md. heapmods (code loaded only while used: the call-back's, DISA's, the
# learner's, the console's helpers), busytraffic.run('mp32-frozen', 'NK') at eb79bf5: 100-102
# fail, 103-107 pass (104-107 twice), 108 failed once (a record event's 536-byte text), 109 and
# 110-118 pass; the gate starts 4 KB above 108. At 38b724b (before the last two steps) 92-101,
# 103 and 105 failed, 102, 104 and 106-108 passed. Before it (heap5) the gate was 114-122.
# docs/notes/heap.md. heap6 (each event's JSON written straight into the ring, the tone
# detector's small arrays packed): scan of every size 96-107 KB, one run each, at 5ac0d0a
# (the tree of this gate but for the ring writer's speed-up, which moves no heap): 96, 98
# and 104 fail, 97, 99-103 and 105-107 pass; the gate starts 4 KB above the last failure.
# (Before the packing, the ring alone: 96-103 failed, 104-111 passed.)
# heap5 (DSP tables in flash, the emulated UART apart from its REPL,
# no .encode() copy of each event): scan of every size 100-113 KB, one run each,
# busytraffic.run('mp32-frozen', 'NK'): 100-104 fail, 105-113 pass (an earlier scan of the
# branch, before the emulated board's copy went, also failed 106 and 109); the gate starts
# 10 KB above the last failure. Before heap5 (after the merges of 2026-12-02): 110-132 all
# passed, 100-109 failed, 113 failed once inside `make test` on the loaded machine (the
# monitor's pty reads split with the load, and with them the console's allocations); the gate
# was 118-126. heap3's scan: 96-98 and 101 failed. heap2 alone: 102-116 passed, 101 failed;
# before the shrink 184-192 passed, 158 failed.
# docs/notes/heap.md, 2026-12-04 (heapcode, heapline, heapcfg, late merged; compat.filled):
# busytraffic.run('mp32-frozen', 'NK'), one run each: 62-65 fail (a call-back's tone
# detector, a ringing line's caller-ID decoder: 2-4 KB free but no hole), 66-76 pass; the
# gate starts 6 KB above the last failure, as before.
GATE_KB = (71, 79)


def _need_mp32():
    if not os.path.exists(paths.MP32_LOADER[0]):
        pytest.skip("needs the i686 C library (gcc-i686-linux-gnu, libc6-dev-i386-cross: `make sysdeps`)")


@pytest.mark.parametrize("kb", range(GATE_KB[0], GATE_KB[1] + 1))
def test_busy_traffic_fits_the_heap(kb):
    # The flash folder is the runner's own temporary one (a name of fixed
    # length): even the length of a path the firmware keeps moves the heap's
    # layout, and with it pass or fail near the threshold (143 KB failed
    # with a pytest tmp_path as the flash, passed with this).
    _need_mp32()
    res = busytraffic.run("mp32-frozen", "%dK" % kb, minutes=15)
    assert res.ok, "%d KB: %s" % (kb, res.why)
    # the traffic really was busy: every kind of work the gate is meant to cover happened
    assert len(res.of("record")) >= 20
    assert res.of("queue") and res.of("callback_request") and res.of("callback_done")
    assert res.of("blocked")                                  # both lines were busy at times
    assert res.emu.monitor.counts["ev"] > 64                  # the monitor streamed more than the ring holds


def test_the_gate_can_fail():
    """Well below what the firmware needs the same run must fail (with a
    MemoryError), or the gate would prove nothing."""
    _need_mp32()
    res = busytraffic.run("mp32-frozen", "40K", minutes=15)
    assert not res.ok and "MemoryError" in res.why, res.why
