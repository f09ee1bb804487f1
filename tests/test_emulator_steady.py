"""Steady stretches of a batch (World.steady_blocks / steady_inputs): while the
board is silent and every line is idle or simply in a call, the world works
out many blocks' inputs at once. They must be the blocks inputs() gives one by
one, bit for bit: the same audio to the board (line noise, the callers' and
the agents' voices), the same heard check (its sums and its `heard` events),
the same random draws, the same time each agent heard the caller. Two worlds
are driven alike into two connected calls on two lines (the board's outputs
played by the test); then one steps block by block and the other by
stretches, and everything is compared, across a key the caller presses and a
hang-up, which a stretch must stop before."""
import copy

import numpy as np
import pytest
import yaml

from emuhelp import ROOT  # noqa: F401  (puts the project's folders on sys.path)

from ringroute.emu import scenario as scenario_mod
from ringroute.emu import world as world_mod
from rrfw.line import profiles as fw_profiles

KEY_AT_S = 14.0      # the caller on line 1 keys "7" this long after being put through
HANG_S = 30.0        # and hangs up this long after
CFG = {"version": 1, "lines": [{"country": "US"}, {"country": "US"}],
       "extensions": {"401": {"port": 0}, "402": {"port": 1}, "403": {"port": 2}}}
ZERO_TX = np.zeros((2, 80), np.int16)


def _worlds(tmp_path):
    sc = {"seed": 5,
          "calls": [{"at": 1.0, "line": 1, "caller_id": "6175550142", "talk": True, "noise_dbm0": -55.0,
                     "keys": [{"at": KEY_AT_S, "digits": "7", "after": "connect"}],
                     "hangup": {"after_connect": HANG_S, "method": "cpc"}},
                    {"at": 1.5, "line": 2, "caller_id": "6175550143", "talk": True, "noise_dbm0": -50.0,
                     "hangup": {"after_connect": 200.0, "method": "cpc"}}],
          "extensions": {"401": {"answer_after": 0.5}, "402": {"answer_after": 0.5}, "403": {"answer": False}}}
    p = tmp_path / "sc.yaml"
    p.write_text(yaml.safe_dump(sc))
    out = []
    for _ in range(2):
        log = []
        w = world_mod.World(scenario_mod.load(str(p)), copy.deepcopy(CFG), 2, 4,
                            lambda t, ev, _l=log, **f: _l.append((t, ev, f)), fw_profiles)
        out.append((w, log))
    return out


ANSWER = 700          # the block the board answers both lines (after the first ring and caller ID)
RING3 = (ANSWER + 50, ANSWER + 150)   # the blocks it rings 403, whose agent is away: an episode, its pause


def _board(block, w):
    """The board's outputs: both lines answered at 7 s, each line's extension rung
    from 7.5 s and put through once its agent lifts, 403 rung for a second
    (silent all along)."""
    hook = 3 if block >= ANSWER else 0
    ring = 4 if RING3[0] <= block < RING3[1] else 0
    xm0 = xm1 = 0
    if block >= ANSWER + 50:
        for li in range(2):
            if w.phones[li].offhook:
                if li == 0:
                    xm0 = 1
                else:
                    xm1 = 2
            else:
                ring |= 1 << li
    if w.active[0] is None:   # line 1's caller gone: the board hangs up and parts
        hook &= ~1
        xm0 = 0
    return hook, ring, [xm0, xm1]


def _step(w, block):
    """One block as the runner's loop steps it: inputs, then the board's outputs."""
    _, _, _, pcm = w.inputs(block)
    w.outputs(block * 10, *_board(block, w), ZERO_TX)
    return pcm


def _same_state(a, b):
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    assert a._hear_who == b._hear_who
    assert np.array_equal(a._hear_dot, b._hear_dot) and np.array_equal(a._hear_pow, b._hear_pow)
    assert a._hear_acc == b._hear_acc and a._hear_on == b._hear_on
    for pa, pb in zip(a.phones, b.phones):
        assert pa.heard_caller_ms == pb.heard_caller_ms and pa.offhook == pb.offhook
        assert pa.ring_started == pb.ring_started
        assert np.array_equal(pa.last_heard, pb.last_heard)
        assert (pa.voice is None) == (pb.voice is None)
        if pa.voice is not None:
            assert np.array_equal(pa.voice, pb.voice)
    for ca, cb in zip(a.callers, b.callers):
        assert ca.state == cb.state
        assert (ca.voice is None) == (cb.voice is None)
        if ca.voice is not None:
            assert np.array_equal(ca.voice, cb.voice)
    assert np.array_equal(a.rx_prev, b.rx_prev)


BOARD_MOVES = (ANSWER, ANSWER + 50) + RING3   # the blocks from which _board's outputs change by the clock


def test_steady_stretches_are_the_blocks_one_by_one(tmp_path):
    (wa, la), (wb, lb) = _worlds(tmp_path)
    block = 0
    stretches = []
    episode_end = None   # the block in which 403's ring episode ends (world A, block by block)
    end = None
    while end is None or block < end:
        # a stretch assumes the board's outputs stay as they are: the test's board
        # keeps them so up to its next move by the clock (or a phone lifted, a caller
        # gone: those happen in blocks stepped one by one)
        limit = min([256] + [m - block for m in BOARD_MOVES if m > block])
        k = wb.steady_blocks(block, limit)
        if k == 0:
            assert np.array_equal(_step(wa, block), _step(wb, block))
            if episode_end is None and block > RING3[1] and wa.phones[2].ring_started is None:
                episode_end = block
        else:
            stretches.append((block, k))
            pcm, pulses, flags, ext_bits = wb.steady_inputs(block, k)
            for i in range(k):
                pa, fa, ea, aa = wa.inputs(block + i)
                assert block > RING3[1] or wa.phones[2].ring_started is None or episode_end is None
                assert episode_end is None or block + i < episode_end or wa.phones[2].ring_started is None
                assert list(pulses[i]) == pa and list(flags[i]) == fa and ea == ext_bits
                assert np.array_equal(aa, pcm[i]), "block %d" % (block + i)
                if i < k - 1:
                    wa.outputs_again((block + i) * 10)
            # the stretch's last block's outputs, as the loop applies the reply's
            b = block + k - 1
            for w in (wa, wb):
                w.outputs(b * 10, *_board(b, w), ZERO_TX)
            _same_state(wa, wb)
            block += k - 1
        block += 1
        c = wa.callers[0]
        if end is None and c.t_connect is not None:
            t_connect = c.t_connect
            key_block = (t_connect + int(KEY_AT_S * 1000)) // 10
            hang_block = (t_connect + int(HANG_S * 1000)) // 10
            end = hang_block + 500
    _same_state(wa, wb)
    assert la == lb
    # stretches were taken, long ones, and none ran over the key, the hang-up or the
    # end of 403's ring episode (which did end)
    assert sum(k for _, k in stretches) > 2000 and max(k for _, k in stretches) == 256
    for b, k in stretches:
        assert not b <= key_block < b + k and not b <= hang_block < b + k, (b, k, key_block, hang_block)
    assert episode_end is not None and any(b + k == episode_end for b, k in stretches), episode_end
    # stretches while the lines rang (ring pulses and caller ID in them)
    ringing = [(b, k) for b, k in stretches if b + k <= ANSWER]
    assert sum(k for _, k in ringing) > 400, stretches[:8]
    events = [ev for _, ev, _ in la]
    assert "key" in events and "hangup" in events and "heard" in events
    # both agents heard their callers (and the sums agree on how long)
    assert wa.phones[1].heard_caller_ms >= (end - 600) * 10 - t_connect


def test_ringing_stretches_carry_pulses_and_caller_id(tmp_path):
    (w, _), _ = _worlds(tmp_path)
    for block in range(160):
        _step(w, block)
    assert w.active[0].state == "ringing" and w.active[1].state == "ringing"
    k = w.steady_blocks(160, ANSWER - 160)
    assert k == ANSWER - 160
    pcm, pulses, flags, _ = w.steady_inputs(160, k)
    # US ringing (2 s on, 4 s off) at 20 Hz: 40 pulses a second of a burst, on both lines
    assert pulses[:, 0].sum() > 40 and pulses[:, 1].sum() > 40
    # the caller ID's FSK in the first pause (Bell 202, after the first ring), well above the noise
    loud = np.abs(pcm[:, 0, :].astype(np.int64)).max(axis=1)
    assert (loud > 1000).sum() > 20 and (flags == 0).all()


def test_not_steady_while_the_board_plays(tmp_path):
    (w, _), _ = _worlds(tmp_path)
    for block in range(ANSWER + 10):
        _step(w, block)
    assert w.active[0].state == "answered"
    assert w.steady_blocks(ANSWER + 10, 100) > 0
    tx = np.zeros((2, 80), np.int16)
    tx[0, :] = 1000   # a prompt to line 1
    w.outputs((ANSWER + 10) * 10, 3, 0, [0, 0], tx)
    assert w.steady_blocks(ANSWER + 11, 100) == 0


@pytest.mark.parametrize("k", [1, 7, 256])
def test_cyclic_run_is_the_blocks(k):
    from ringroute.emu import sounds
    tab = sounds.agent_table(1)
    for n0 in (0, 80 * 3, len(tab) - 200, len(tab) - 80, 5 * len(tab) + 17):
        run = sounds.cyclic_run(tab, n0, k)
        for i in range(k):
            assert np.array_equal(run[i], sounds.cyclic(tab, n0 + 80 * i))


def test_a_batch_ends_where_a_ringing_caller_gives_up(tmp_path):
    """A caller who hangs up while it still rings (a missed call): the batch the world
    sends ends in that block (the board sees the ringing stop there), and a line that
    rings lets a run without a set duration batch at all (World.rings_a_line)."""
    sc = {"seed": 3, "calls": [{"at": 1.0, "line": 1, "caller_id": "6175550142", "hangup": {"at": 9.0}}],
          "extensions": {}}
    p = tmp_path / "sc.yaml"
    p.write_text(yaml.safe_dump(sc))
    w = world_mod.World(scenario_mod.load(str(p)), copy.deepcopy(CFG), 2, 4, lambda t, ev, **f: None,
                        fw_profiles)
    for block in range(200):
        w.inputs(block)
        w.outputs(block * 10, 0, 0, [0, 0], ZERO_TX)
    assert w.rings_a_line()
    c = w.callers[0]
    gives_up = (c.t_ring + 9000 - 1000) // 10   # 8 s after its ringing began
    assert 200 < gives_up < 200 + 256 * 3
    b = 200
    while b < gives_up:
        m = w.batch_blocks(b, 256)
        assert b + m - 1 <= gives_up
        for i in range(m):
            w.inputs(b + i)
            w.outputs((b + i) * 10, 0, 0, [0, 0], ZERO_TX)
        b += m
    assert b - 1 == gives_up and c.state == "gone_before_answer" and not w.rings_a_line()
