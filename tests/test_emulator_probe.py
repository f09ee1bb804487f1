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
