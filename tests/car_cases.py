# car_cases.py - NTT's caller-ID handshake (rrfw/line/car.py) in plain asserts, under
# CPython (tests/test_callerid_ntt.py) and the real micropython binary: every way
# into and out of its two states, and the bursts that are not a CAR signal.
from rrfw.line import car as car_mod

CAR = (500, 500)     # NTT's CAR: 0.5 s on, 0.5 s off (rrfw/line/profiles.py _jp)


def pulses_for(on_ms, t, start, hz=16):
    # about 2 x 16 Hz pulses per second during a burst: one every 3rd block or so
    el = t - start
    if 0 <= el < on_ms:
        return 1 if (el // 10) % 3 == 0 else 0
    return 0


def run(h, bursts, until, read_at=None):
    """bursts: [(start_ms, on_ms)]; returns [(t, offhook)] at each change, and done times."""
    changes = []
    dones = []
    was = False
    for k in range(until // 10):
        t = k * 10
        p = 0
        for start, on in bursts:
            p += pulses_for(on, t, start)
        if read_at is not None and t == read_at:
            h.read(t)
        off = h.step(p, t)
        if off != was:
            changes.append((t, off))
            was = off
        if h.done:
            dones.append(t)
    return changes, dones


def case_car_burst_closes_the_loop_and_caller_id_opens_it():
    # the exchange stops the CAR once the loop closes; it sends it again only for a new try
    h = car_mod.CarHandshake(CAR)
    changes, dones = run(h, [(0, 500)], 3000, read_at=900)
    # off-hook once the first 0.5 s burst has ended (100 ms without a pulse)
    assert changes[0][1] is True and 500 <= changes[0][0] <= 620, changes
    # on-hook 200 ms after the caller ID was read
    assert changes[1] == (1100, False), changes
    assert dones == [1100] and h.cars == 1 and h.state == car_mod.WAIT


def case_a_car_signal_again_is_answered_again():
    h = car_mod.CarHandshake(CAR)
    changes, dones = run(h, [(0, 500), (3000, 500)], 8000, read_at=900)
    assert [c[1] for c in changes] == [True, False, True, False] and h.cars == 2, changes


def case_no_caller_id_hangs_up_at_the_deadline():
    h = car_mod.CarHandshake(CAR)
    changes, dones = run(h, [(0, 500)], 6000)
    t_off = changes[0][0]
    assert changes[1] == (t_off + h.data_ms, False), changes
    assert dones == [t_off + h.data_ms]


def case_a_ring_is_not_a_car_signal():
    # IR rings (1 s on) and short line glitches leave the loop open
    for on in (1000, 2000, 150):
        h = car_mod.CarHandshake(CAR)
        changes, dones = run(h, [(0, on), (3000, on)], 6000)
        assert changes == [] and h.cars == 0, (on, changes)


def case_the_bounds_of_a_car_burst():
    # 0.6 x and 1.5 x the CAR's on-time (300..750 ms from the first pulse to the last + 10 ms;
    # pulses every 30 ms here): 320 and 740 ms answer, 250 and 800 do not
    for on, want in ((320, 1), (740, 1), (250, 0), (800, 0)):
        h = car_mod.CarHandshake(CAR)
        run(h, [(0, on)], 2000)
        assert h.cars == want, (on, h.cars)


def case_read_after_the_deadline_changes_nothing():
    h = car_mod.CarHandshake(CAR)
    changes, dones = run(h, [(0, 500)], 5000)
    h.read(6000)
    assert h.state == car_mod.WAIT and not h.offhook and h.step(0, 6010) is False


def case_reset_leaves_a_closed_loop_open():
    h = car_mod.CarHandshake(CAR)
    run(h, [(0, 500)], 800)
    assert h.offhook
    h.reset()
    assert not h.offhook and h.state == car_mod.WAIT and h.cars == 0


if __name__ == "__main__":
    import caserun
    caserun.main(caserun.discover(globals()))
