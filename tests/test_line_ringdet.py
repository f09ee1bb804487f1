"""Ring detection: every profile's cadence counts rings; glitches and odd pulse trains do not."""
import pytest

from line_helpers import COUNTRIES, ENGINES, run_line
from ringroute.signals import line
from ringroute.signals.tones import get_profile


def pulses_for(cadence, ring_hz, cycles, tail_ms=12000):
    cyc = sum(cadence)
    return line.ring_pulse_train(cadence, ring_hz, cyc * cycles + tail_ms, cycles=cycles)


def ring(pulses, cadence, engine="cpython"):
    out = run_line("ring", {"cadence": cadence, "pulses": "p.bin"}, engine,
                   files={"p.bin": bytes(pulses)})
    rings = [o for o in out if o.get("event") == "ring"]
    ended = [o["ended_ms"] for o in out if "ended_ms" in o]
    return rings, (ended[0] if ended else None), out[-1]["rings"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("cc", COUNTRIES)
def test_each_profile_counts_one_ring_per_cadence_cycle(cc, engine):
    prof = get_profile(cc)
    cad = list(prof["ring_cadence_ms"])
    rings, ended, n = ring(pulses_for(cad, prof["ring_hz"], 3), cad, engine)
    assert n == 3
    assert [r["n"] for r in rings] == [1, 2, 3]
    cyc = sum(cad)
    for k, r in enumerate(rings):
        assert abs(r["t_ms"] - k * cyc) <= 30      # t_ms = start of the burst
    # the caller gave up after 3 cycles: `ended` comes after the longest off time, not before
    last_on_end = 2 * cyc + (cyc - cad[-1])
    assert ended is not None and last_on_end + max(cad[1::2]) < ended <= last_on_end + 2 * max(cad[1::2]) + 1000


@pytest.mark.parametrize("cc", COUNTRIES)
def test_without_a_cadence_any_country_still_rings(cc):
    prof = get_profile(cc)
    cad = list(prof["ring_cadence_ms"])
    rings, _, n = ring(pulses_for(cad, prof["ring_hz"], 2), None)
    assert n == 2


def test_ring_is_reported_early_in_the_burst_not_at_its_end():
    # US 2 s bursts: ring 1 is known within 0.4 s, so answer-on-first-ring is quick
    cad = [2000, 4000]
    out = run_line("ring", {"cadence": cad, "pulses": "p.bin"}, "cpython",
                   files={"p.bin": bytes(pulses_for(cad, 20, 1))})
    # events are printed in block order: the first line is the ring event
    idx = [i for i, o in enumerate(out) if o.get("event") == "ring"]
    assert idx == [0]


@pytest.mark.parametrize("engine", ENGINES)
def test_glitches_and_short_bursts_are_not_rings(engine):
    p = [0] * 3000
    p[100] = 1                      # one spike
    for i in range(500, 505):       # 50 ms of 50 Hz ring: too short (US needs 1.5 s)
        p[i] = 1
    for i in range(1000, 1012, 3):  # 4 pulses over 120 ms
        p[i] = 1
    rings, ended, n = ring(p, [2000, 4000], engine)
    assert n == 0 and rings == [] and ended is None


@pytest.mark.parametrize("hz", [16.7, 20, 25, 50])
def test_a_half_wave_optocoupler_one_pulse_per_ring_cycle_still_rings(hz):
    # pulses at the ring frequency itself, not twice it: ring_pulses at hz/2 gives that train
    rings, _, n = ring(pulses_for([1000, 4000], hz / 2.0, 3), [1000, 4000])
    assert n == 3


def test_pulse_trains_outside_ring_frequencies_are_not_rings():
    # 5 Hz pulses (2.5 Hz "ring"): a slow on/off flicker of the optocoupler, e.g. dial pulses
    slow = [1 if i % 20 == 0 else 0 for i in range(600)]
    # 150 pulses/s (75 Hz) is no ring frequency either
    fast = [2 if i % 2 == 0 else 1 for i in range(600)]
    for p in (slow, fast):
        rings, _, n = ring(p + [0] * 500, None)
        assert n == 0


def test_uk_double_ring_is_one_ring_and_a_brief_gap_does_not_split_a_burst():
    cad = [400, 200, 400, 2000]
    p = pulses_for(cad, 25, 2)
    p[25] = 0  # one block lost in the middle of a burst
    p[26] = 0
    p[27] = 0
    rings, _, n = ring(p, cad)
    assert n == 2


@pytest.mark.parametrize("hz", [16.7, 20, 25, 50])
def test_ring_frequencies_from_16_to_50_hz(hz):
    rings, _, n = ring(pulses_for([1000, 4000], hz, 2), [1000, 4000])
    assert n == 2


def test_signals_give_twice_the_ring_frequency_in_pulses():
    for hz in (20, 25, 50):
        p = line.ring_pulse_train([2000, 4000], hz, 6000)
        assert sum(p[:200]) == 2 * hz * 2     # 2 s on
        assert sum(p[200:600]) == 0           # 4 s off
        assert max(p) <= 2
    assert line.ring_pulses([2000, 4000], 20, -10) == 0
    assert line.ring_on([400, 200, 400, 2000], 450) is False
    assert line.ring_on([400, 200, 400, 2000], 650) is True


def test_the_per_block_path_allocates_nothing():
    # heap_lock() around every process() call on the unix port; pop() builds the event
    cad = [400, 200, 400, 2000]
    out = run_line("ring", {"cadence": cad, "pulses": "p.bin", "heap_lock": True}, "micropython",
                   files={"p.bin": bytes(pulses_for(cad, 25, 3))})
    assert out[-1]["rings"] == 3


@pytest.mark.parametrize("pattern", [[800, 400, 800, 4000], [400, 200, 400, 200, 800, 4000],
                                     [300, 200, 1000, 200, 300, 4000]])
def test_us_distinctive_ringing_counts_one_ring_per_cycle(pattern):
    # Telcordia GR-506 distinctive ring patterns on a line configured with the US cadence
    rings, _, n = ring(pulses_for(pattern, 20, 3), [2000, 4000])
    assert n == 3
