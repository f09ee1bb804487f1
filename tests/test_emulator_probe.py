"""The benchmarks' measuring flags (rremu/probe.py) on an engine with no
MicroPython heap: the firmware under CPython runs as without them. Before,
the first heap sample raised AttributeError inside the board's block clock,
the App's start counted as failed and the board fell back to safe mode and
stopped: the office week under the cpython engine 'booted' three times."""
import pytest

import busytraffic


@pytest.mark.parametrize("flag", [("--heapevery", "50"), ("--heapstat",)])
def test_the_heap_probe_under_cpython_measures_nothing_and_stops_nothing(flag):
    res = busytraffic.run("cpython", None, minutes=2, extra_argv=flag)
    assert res.ok, res.why                           # one boot, every call carried, no error
    assert len(res.of("record")) >= 2
    assert "probe: no heap or step figures under this engine" in res.emu.stderr
    assert "heapsample" not in res.emu.stderr and "heapstat" not in res.emu.stderr


def _mp32():
    from ringroute import paths
    import os
    if not os.path.exists(paths.MP32_LOADER[0]):
        pytest.skip("needs the i686 C library (`make sysdeps`) and `make mp32`")


def _map_figures(res, block):
    """(free bytes, largest free block in bytes) of --heapmap's map at `block`
    (micropython.mem_info(1) on the console's stream, which the monitor keeps)."""
    out = bytes(res.emu.monitor.output).decode("utf-8", "replace")
    i = out.index("heapmap %d" % block)
    gc_line = out.index("GC: total:", i)
    free = int(out[gc_line:out.index("\n", gc_line)].split("free:")[1])
    j = out.index("max free sz:", i)
    blocks = int(out[j + 12:out.index("\n", j)])
    return free, blocks * 16   # 16-byte blocks on the 32-bit port


def test_the_boot_leaves_the_free_heap_in_one_piece():
    """The App's objects packed at the bottom of the heap (supervisor.boot_gc),
    not spread among the boot's garbage: at the first block the largest free
    block is nearly all the free heap (before: 3.8 KB of 22 KB at 90 KB)."""
    _mp32()
    res = busytraffic.run("mp32-frozen", "90K", minutes=1, extra_argv=("--heapmap", "1"))
    assert res.ok, res.why
    free, largest = _map_figures(res, 1)
    assert free > 16384
    assert largest >= 0.9 * free, (free, largest)


def test_oomtrace_tells_what_failed_and_where():
    """--oomtrace: the first MemoryError out of a step, its traceback and the heap's map."""
    _mp32()
    # A heap the boot fits in but a busy step does not. The edge moves as the
    # firmware shrinks (the heap gate's scans: 66-72 KB failed once, now pass), so
    # the sizes are tried upwards from well below the smallest passing one: a heap
    # too small for the boot fails at once (no step ran: nothing traced, well under
    # a second a size) and the next is tried; the first that fails in a step is it.
    for kb in range(36, 80):
        res = busytraffic.run("mp32-frozen", "%dK" % kb, minutes=5, extra_argv=("--oomtrace",))
        if res.ok:
            pytest.fail("%d KB passed before any size failed in a step: start lower" % kb)
        if res.emu is not None and "oomtrace " in res.emu.stderr:
            break
    else:
        pytest.fail("no size of 36-79 KB failed in a step: %s" % res.why)
    err = res.emu.stderr
    tail = err[err.index("oomtrace "):]
    assert "Traceback" in tail and 'File "rrfw/' in tail and "MemoryError: memory allocation failed" in tail
    assert "oomtrace live " in tail
    assert "GC memory layout" in bytes(res.emu.monitor.output).decode("utf-8", "replace")
