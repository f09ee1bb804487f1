"""V.23 caller ID with the twist the ETSI side allows (ES 200 778-1: +-6 dB) at 10 dB
SNR (issue 17), under both engines: the twist equaliser measured on the channel
seizure, and the bit clock carried from byte to byte at the baud measured on the
seizure, and the stronger tone's correlator one bit long. Before the equaliser, +6 dB
of twist (mark 6 dB above space) at 10 dB SNR decoded about 80 % of messages exactly,
before the clock 89.5 %, before the one-bit correlator 95.5 % (python -m bench callerid,
the twist tables)."""
import numpy as np
import pytest

from ringroute.signals import callerid as G

from callerid_helpers import decode_batch, exact, random_case

pytestmark = pytest.mark.micropython

_N = 60   # messages per twist and engine


def _cases(seed, twist, snr, n=_N):
    rng = np.random.default_rng(seed)
    return [random_case(rng, "v23", float(rng.choice([-5, -15, -25, -35, -40])), snr, twist=twist)
            for _ in range(n)]


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
@pytest.mark.parametrize("twist", [-6.0, 6.0])
def test_v23_with_6_db_twist_at_10_db_snr(engine, twist, tmp_path):
    n = 150    # 60 could not tell 98 % from 96 %
    cases = _cases(1700 + int(twist), twist, 10.0, n)
    res = decode_batch([c[0] for c in cases], tmp_path, engine)
    good = sum(exact(evs, c[1]) for c, evs in zip(cases, res))
    # The noise leaves the weaker tone about 12 dB of Eb/N0, where even an ideal
    # non-coherent receiver loses ~2 % of these messages (docs/notes/callerid.md has the
    # figures). Measured: -6 dB 150, +6 dB 148 of 150 (149 before the lighter mark
    # scaling, whose gain shows over 800 messages, not 150); before the stronger tone's
    # one-bit correlator 149 and 146 (fails the bound at +6 dB).
    assert good >= 0.98 * n, "%d of %d exact" % (good, n)
    for c, evs in zip(cases, res):   # a miss is a miss, never a wrong number
        for e in evs:
            assert e["number"] == c[1]["number"]


@pytest.mark.parametrize("twist", [-6.0, 6.0])
def test_v23_twist_below_the_noise_floor_gives_no_wrong_message(twist, tmp_path):
    # the other side of the bound: at 3 dB SNR most messages are lost, but the
    # checksum keeps every one that comes out right
    cases = _cases(1800 + int(twist), twist, 3.0)
    res = decode_batch([c[0] for c in cases], tmp_path)
    good = sum(exact(evs, c[1]) for c, evs in zip(cases, res))
    assert good < 0.5 * _N
    for c, evs in zip(cases, res):
        for e in evs:
            assert e["number"] == c[1]["number"] and e["name"] == c[1]["name"]


def _v23_cases(seed, twist, snr, bauds, gap=0):
    """V.23 messages with the baud off by each of `bauds` in turn (relative, 0.01 = +1 %)."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(_N):
        number = "".join(str(d) for d in rng.integers(0, 10, 11))
        x, _ = G.on_hook_audio("v23", level_dbm0=float(rng.choice([-5, -15, -25, -35, -40])),
                               snr_db=snr, rng=rng, number=number, name="ACME LTD", twist_db=twist,
                               freq_error=float(rng.uniform(-0.01, 0.01)),
                               baud_error=bauds[k % len(bauds)], gap_bits=gap)
        cases.append((x, {"standard": "v23", "number": number, "name": "ACME LTD"}))
    return cases


def _no_wrong_message(cases, res):
    for c, evs in zip(cases, res):
        for e in evs:
            assert e["number"] == c[1]["number"] and e["name"] == c[1]["name"]


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
@pytest.mark.parametrize("twist", [-6.0, 6.0])
def test_v23_twist_at_the_baud_tolerance_corners(engine, twist, tmp_path):
    # 1200 baud +-1 % (EN 300 659-1 by V.23) with +-6 dB of twist at 10 dB SNR: the
    # seizure's bytes give the clock its rate, so a byte's last bits stay centred.
    # Measured: 60 (-6 dB) and 59 (+6 dB) of 60, the same with the stop-bit allowance and the
    # lighter mark scaling (60 and 60 before the stronger tone's
    # one-bit correlator); before the carried clock (a fixed 1200 baud clock, set by
    # each start edge alone) 58 and 54.
    cases = _v23_cases(17, twist, 10.0, (-0.01, 0.01))
    res = decode_batch([c[0] for c in cases], tmp_path, engine)
    good = sum(exact(evs, c[1]) for c, evs in zip(cases, res))
    assert good >= 0.95 * _N, "%d of %d exact" % (good, _N)
    _no_wrong_message(cases, res)


def test_v23_marks_between_bytes_set_their_own_clock(tmp_path):
    # GR-30-CORE / EN 300 659-1 allow mark between characters: a byte after 1..3 bits
    # of mark must not take the clock carried from the byte before
    cases = _v23_cases(23, 6.0, 20.0, (-0.01, 0.01), gap=3)
    res = decode_batch([c[0] for c in cases], tmp_path)
    assert [exact(evs, c[1]) for c, evs in zip(cases, res)] == [True] * _N


@pytest.mark.parametrize("baud", [-0.04, 0.04])
def test_v23_baud_far_beyond_tolerance_is_lost_never_wrong(baud, tmp_path):
    # the other side of the bound: 4 % off 1200 baud (V.23 allows 1 %; the clock's
    # rate correction stops at 2.5 %) at a clean 30 dB SNR. Measured: none of 60 decoded.
    cases = _v23_cases(29, 6.0, 30.0, (baud,))
    res = decode_batch([c[0] for c in cases], tmp_path)
    good = sum(exact(evs, c[1]) for c, evs in zip(cases, res))
    assert good < 0.5 * _N
    _no_wrong_message(cases, res)


def test_v23_twist_far_beyond_spec_gives_no_wrong_message(tmp_path):
    # +12 dB of twist (twice what ES 200 778-1 allows) at 10 dB SNR: most are lost
    # (measured: 17 of 60 exact; 12 before the mark scaled 3/4 of the way, 6 before the
    # one-bit correlator), none comes out wrong
    cases = _v23_cases(31, 12.0, 10.0, (0.0,))
    res = decode_batch([c[0] for c in cases], tmp_path)
    good = sum(exact(evs, c[1]) for c, evs in zip(cases, res))
    assert good < 0.5 * _N
    _no_wrong_message(cases, res)


def _lost_stop_bits(n_lost, seed, bad_checksum=False):
    """V.23 MDMF messages at -20 dBm0, 20 dB SNR, with the stop bit of n_lost bytes of
    the body sent as space (the byte's own bits and the next start bit as sent)."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(8):
        number = "".join(str(d) for d in rng.integers(0, 10, 10))
        msg = bytearray(G.mdmf(number, "ACME LTD", "11220930"))
        if bad_checksum:
            msg[-1] ^= 0x04
        bits = G.fsk_bits(bytes(msg), 300, 80)
        first = 300 + 80
        for j in rng.choice(np.arange(2, len(msg) - 1), n_lost, replace=False):
            bits[first + 10 * int(j) + 9] = 0
        sig = G.fsk_modulate(bits, "v23", -20.0, twist_db=float(rng.uniform(-6, 6)),
                             baud_error=float(rng.uniform(-0.01, 0.01)),
                             phase=float(rng.uniform(0, 6.28)))
        x = np.concatenate([np.zeros(2400), sig, np.zeros(2400)])
        cases.append((G.add_noise(x, 20.0, rng, ref=sig), {"standard": "v23", "number": number,
                                                           "name": "ACME LTD"}))
    return cases


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_v23_one_stop_bit_read_as_space_keeps_the_message(engine, tmp_path):
    # Under +6 dB twist at 10 dB SNR half the lost messages had one bit wrong, a stop
    # bit (a lone mark between bit 7 and the next start bit) read as space (the bench
    # twist tables, traced bit by bit): the byte is kept, the checksum judges it, and
    # the next byte starts on the carried clock. Before, all 8 were lost ("broken").
    cases = _lost_stop_bits(1, 41)
    res = decode_batch([c[0] for c in cases], tmp_path, engine)
    assert [exact(evs, c[1]) for c, evs in zip(cases, res)] == [True] * len(cases)


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_v23_two_lost_stop_bits_or_a_bad_checksum_give_nothing(engine, tmp_path):
    # the other side of the bound: one lost stop bit a message is a bit error, two are a
    # message out of step ("broken"); and a kept byte still has to pass the checksum
    cases = _lost_stop_bits(2, 43) + _lost_stop_bits(1, 47, bad_checksum=True)
    res = decode_batch([c[0] for c in cases], tmp_path, engine, spec="callerid:CallerIdDiagnostic")
    for evs in res[:8]:
        assert [e["event"] for e in evs] == ["callerid_error"] and evs[0]["error"] == "broken"
    for evs in res[8:]:
        assert [e["event"] for e in evs] == ["callerid_error"] and evs[0]["error"] == "checksum"
