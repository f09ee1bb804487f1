# heap_cases.py - proves the firmware's per-block path allocates nothing.
# Runs under the real `micropython` binary (MICROPYPATH=firmware:tests/support):
#   micropython heap_cases.py CONFIG.json WORKDIR
# The in-process stand-in for the board (the emulated board's own state, rremu.board)
# walks one call through every state: idle, ringing, IVR with a prompt
# playing, a key, routing, connected, caller hang-up. Every block, with the
# garbage collector off, gc.mem_alloc() before and after App.step() tells how
# much that step allocated. A step that emitted an event may allocate (event
# text, at most a few per call), and so may the first block read from a
# newly opened prompt file (the file's buffer, once per prompt fragment);
# a block that writes a slice of a queued record (the frame, the file)
# may too; every other step must allocate nothing.
# With a third argument `flash` (a config with a transfer section) the agent
# flashes the hook 1 s into the call: the caller on hold, dial tone on the
# other line's pair, no key (reorder after 10 s), the caller given back
# after 10 s more: the TRANSFER state's steps are measured too.
# With `quiet` instead: the board left alone (2 lines, 8 extensions, the console
# attached): every step of 3000 quiet blocks is measured the same way, as the
# state "quiet"; then line 1 rings once and "decoder LIVE_GROWTH DECODER_BYTES"
# gives the live heap's growth at that ring and what one caller-ID decoder
# keeps (an idle line holds none: it is made two blocks after the first ring).
# Prints one line "STATE allocating_steps total_steps" per state, then "done".
import gc
import math
import sys
from array import array

from rrfw.call import app as app_mod
from rrfw.call import linecall
from rrfw.call import states
from standin_hal import StandInHal, board_dir, us_ring_pulses


def dtmf_block(k, lo, hi):
    # one 10 ms block of a DTMF pair at about -10 dBm0 per tone (made before measuring)
    b = array("h", bytes(160))
    for i in range(80):
        n = k * 80 + i
        b[i] = int(7000 * math.sin(2 * math.pi * lo * n / 8000) + 7000 * math.sin(2 * math.pi * hi * n / 8000))
    return b


def main(cfg_path, work, flash=False):
    cfg = board_dir(cfg_path, work)
    hal = StandInHal()
    a = app_mod.App(hal, cfg)
    key = [dtmf_block(k, 697, 1336) for k in range(10)]   # "2": 697 + 1336 Hz
    silence = array("h", bytes(160))
    stats = {}
    gc.collect()
    gc.disable()
    t_answer = None
    t_route = None
    t_conn = None
    end_ms = 45000 if flash else 30000     # the caller hangs up
    for b in range(end_ms // 10 + 1000):
        t = b * 10
        # the world: US ring 2 s on / 4 s off from t=0, 40 pulses/s while on
        lc = a.lines[0]
        if lc.state in (states.IDLE, states.RINGING) and t < 8000:
            hal.pulses = us_ring_pulses(t)
        else:
            hal.pulses = 0
        hal.loop = hal.hook[0] and t < end_ms
        if lc.state == states.IVR and t_answer is None:
            t_answer = t
        if t_answer is not None and t_answer + 1500 <= t < t_answer + 1600:
            hal.rx[0][:] = key[(t - t_answer - 1500) // 10]
        else:
            hal.rx[0][:] = silence
        if lc.state == states.ROUTING and t_route is None:
            t_route = t
        if t_route is not None and t >= t_route + 1000 and hal.ring:
            hal.offhook_ports |= hal.ring   # the agents pick up
        if lc.state == states.CONNECTED and t_conn is None:
            t_conn = t
        if flash and t_conn is not None and t == t_conn + 1000:
            hal.offhook_ports &= ~(1 << lc.talking_port())   # the flash: 300 ms on-hook
            flash_port = lc.talking_port()
        if flash and t_conn is not None and t == t_conn + 1300:
            hal.offhook_ports |= 1 << flash_port
        hal.next_block()
        state = linecall.STATE_NAMES[lc.state]
        seq = a.events.seq
        opens = lc.player.opens
        first_read = opens != getattr(lc.player, "_measured_opens", opens)
        lc.player._measured_opens = opens
        writing = a.records.busy()
        decoders = _decoders(a)
        before = gc.mem_alloc()
        a.step()
        used = gc.mem_alloc() - before
        if _decoders(a) > decoders:
            continue   # a call's caller-ID decoder made (linecall.py, two blocks after the ring)
        if a.events.seq != seq:
            continue   # an event was emitted: its text may allocate
        if writing:
            continue   # a slice of a queued record's write (store/records.py): its frame, the file
        if first_read or lc.player.opens != opens:
            continue   # a prompt file opened, or its first block read: its buffer
        s = stats.get(state)
        if s is None:
            s = stats[state] = [0, 0]
        s[1] += 1
        if used > 0:   # (a collection, the block before the decoder is made, frees: not counted)
            s[0] += 1
    gc.enable()
    for state in stats:
        print(state, stats[state][0], stats[state][1])
    print("done")


def _decoders(a):
    # (a loop, not a list or a generator: the walk runs with the collector off)
    n = 0
    for x in a.lines:
        if x.cid is not None:
            n += 1
    return n


def quiet(cfg_path, work):
    from rrfw.console import server
    from rrfw.dsp import callerid
    cfg = board_dir(cfg_path, work)
    hal = StandInHal(n_lines=2, n_exts=8)
    a = app_mod.App(hal, cfg)
    a.console = server.Console(a, hal, config_source="config.json", bufs=server.buffers())
    for _ in range(300):   # the boot's first blocks (a record of the agents, the first poll)
        hal.next_block()
        a.step()
    gc.collect()
    gc.disable()
    n = 0
    for _ in range(3000):
        hal.next_block()
        before = gc.mem_alloc()
        a.step()
        if gc.mem_alloc() != before:
            n += 1
    gc.enable()
    print("quiet", n, 3000)
    gc.collect()
    idle = gc.mem_alloc()
    t0 = hal.block * 10
    lc = a.lines[0]
    while lc.state == states.IDLE or lc.cid is None:   # the first ring, until its decoder is made
        hal.pulses = us_ring_pulses(hal.block * 10 + 10 - t0)
        hal.next_block()
        a.step()
    hal.pulses = 0
    gc.collect()
    ringing = gc.mem_alloc()
    # one decoder as a line makes it: its arrays are views of the line's DTMF state
    # (linecall.py _new_cid), so what it adds is its own objects
    from rrfw.compat import filled
    lent = filled("i", callerid.SCRATCH_LEN)   # (no temporary as large: compat.filled)
    gc.collect()
    base = gc.mem_alloc()
    keep = callerid.CallerIdDecoder(scratch=lent)
    gc.collect()
    one = gc.mem_alloc() - base
    print("decoder", ringing - idle, one, keep is not None)
    print("done")


if len(sys.argv) > 3 and sys.argv[3] == "quiet":
    quiet(sys.argv[1], sys.argv[2])
else:
    main(sys.argv[1], sys.argv[2], len(sys.argv) > 3 and sys.argv[3] == "flash")
