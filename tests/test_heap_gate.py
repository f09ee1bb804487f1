"""The heap gate (issue 14): the whole firmware as the board runs it (the
32-bit unix port with the firmware frozen in, `make mp32`), 2 lines and 8
extensions, 15 simulated minutes of busy traffic (queueing, call-backs,
records, the event ring wrapping many times, a console monitor attached:
tests/support/busytraffic.py), must pass at every heap size of the gate band.

The band is 64-72 KB (the reference board's first heap area: issue 14).
The firmware fits it: the smallest heap that passes sits a few KB below the
band (the pass/fail edge moves a KB or two with the machine's load and the
folder the board runs from), so the gate fails on growth beyond that margin.
`python -m bench.heap_scan LO HI` scans a band (`python -m bench heap` finds
the smallest passing heap). Pass and fail are not monotone in the heap size
(fragmentation), so every size of the band runs.
"""
import os

import pytest

import busytraffic

from ringroute import paths

TARGET_KB = (64, 72)
# docs/notes/heap.md. Main after the second stop of 2026-12-04 (states, const, callerid's lent
# state, emuheap, authlazy, cbheap), `python -m bench.heap_scan 57 72` (busytraffic.run(
# 'mp32-frozen', 'NK'), one run a size): 57-60 fail (MemoryErrors of 184-298 bytes at 3-222 s, line 1
# or 2), 61-72 pass; live boot / peak / final 52.2 / 57.8 / 53.1 KB. The gate is the target
# band, 4 KB above the last failure (it was 6 KB above it until the firmware fitted).
# Before, main 42451c0: 62-65 fail, 66-76 pass, gate 71-79.
GATE_KB = TARGET_KB


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
