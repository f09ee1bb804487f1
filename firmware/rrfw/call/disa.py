# DISA: the caller reaches an outside line, only after the IVR's PIN.
#
#   IVR ──("disa", max_ms)──▶ a free line? ──no──▶ BYE ("goodbye"), release "disa_no_line"
#                                   │ yes: seize it (that line: BRIDGED, deadline = the
#                                   ▼       end of its dial grace)
#                                 DISA (deadline: max_call)
#     ├─ the caller hangs up (this line's hang-up detector)    ──▶ release "caller_hangup"
#     ├─ the outside line's far end hangs up, after the grace  ──▶ release "disa_far_end"
#     └─ the deadline                                          ──▶ release "disa_max_length"
#   Every release ends the bridge: the outside line goes on-hook to GUARD.
#
# The crosspoint joins lines to extensions only, so the two lines are
# bridged through the codec: each block, what one line hears is played to
# the other. The caller hears the second line's dial tone and dials on it
# (DTMF passes through as audio). The time limit is the toll-fraud guard.
from rrfw.compat import const

from rrfw.hal import pcm

from rrfw.call.states import DISA, GUARD, GUARD_MS

DISA_DEFAULT_MAX_MS = const(1200000)  # ms: 20 min when the config gives no max_call
DISA_DIAL_GRACE_MS = const(2000)      # ms after seizing before the outside line's hang-up signals count


class Disa:
    def __init__(self, lc):
        self.lc = lc

    def start(self, t, max_ms):
        lc = self.lc
        other = None
        for sib in lc.siblings:
            if sib is not lc and sib.free_for_outside_leg():
                other = sib
                break
        if other is None:
            lc.emit("disa", ok=False, why="no free line")
            lc.inbound.goodbye(t, ["goodbye"], "disa_no_line")
            return
        max_ms = max_ms or DISA_DEFAULT_MAX_MS
        lc.peer = other
        other.start_bridged(t, lc, DISA_DIAL_GRACE_MS)   # seize the outside line
        lc.player.stop()
        lc.rec["disa_line"] = other.line + 1
        lc.emit("disa", ok=True, outside_line=other.line + 1, max_ms=max_ms)
        lc.enter(DISA, t, t + max_ms)

    def step(self, t):
        lc = self.lc
        if lc.inbound.hung_up(t, True):
            return
        peer = lc.peer
        hal = lc.hal
        # the far end of the outside line may hang up too (its exchange's signals)
        gone = peer.hangup.process(hal.rx[peer.line], t, hal.loop_current(peer.line),
                                   hal.polarity(peer.line), False)
        if gone is not None and t > peer.deadline:
            lc.release(t, "disa_far_end", gone)
            return
        if t >= lc.deadline:
            lc.release(t, "disa_max_length", None)
            return
        pcm.copy16(hal.tx[peer.line], 0, hal.rx[lc.line], 0, 80)     # caller -> outside line
        pcm.copy16(hal.tx[lc.line], 0, hal.rx[peer.line], 0, 80)     # outside line -> caller


def end(lc, t):
    """Split lc's bridge: its peer (the other leg) goes on-hook and waits out the guard."""
    peer = lc.peer
    lc.peer = None
    if peer is not None:
        peer.peer = None
        lc.hal.set_hook(peer.line, False)
        pcm.fill16(lc.hal.tx[peer.line], 0, 80)
        peer.reset_idle()
        peer.enter(GUARD, t, t + GUARD_MS)
