# DISA: a caller reaches an outside line, only after the IVR's PIN, and only
# to a number the board has checked (issue 16: never raw dial tone).
#
#   IVR ──("disa", max_ms)──▶ a free line? ──no──▶ BYE ("goodbye"), release "disa_no_line"
#                                   │ yes
#                                   ▼
#   DISA (the line state; deadline: max_call, the toll-fraud cap) in phases, each
#   with its own deadline (self.until):
#     COLLECT  the board's own dial tone; the caller keys the number (digits hidden
#              in the events), '#' or a pause of _INTER_MS ends it; nothing for
#              _FIRST_MS: release "disa_no_number"
#        │ numplan.check (the line's plan + disa.allow): refused ──▶ event
#        │ "dial_refused", BYE ("goodbye"), release "disa_refused"
#        │ no free line now ──▶ BYE, release "disa_no_line"
#        ▼ seize the other line (that line: BRIDGED)
#     DIAL     wait for the outside line's dial tone, dial with the board's DTMF
#              generator (both: line/dialler.py); the caller hears the outside line, the outside line
#              hears only the generator (no digits of the caller's reach it);
#              no dial tone: release "disa_no_dial_tone"
#     PROGRESS ringback / busy / answer (line/progress.py); not answered:
#              release "disa_" + busy / no_answer / reorder / sit
#     TALK     both ways, through the codec
#   In every phase: the caller hangs up ──▶ release "caller_hangup"; the deadline
#   ──▶ release "disa_max_length"; in TALK the far end hangs up ──▶ "disa_far_end".
#   Every release ends the bridge: the outside line goes on-hook to GUARD.
#
# The crosspoint joins lines to extensions only, so the two lines are
# bridged through the codec: each block, what one line hears is played to
# the other. The dialler (progress detector, DTMF generator) and dial tone are made at
# the first DISA call: boards without DISA never pay for them.

from rrfw.hal import pcm
from rrfw.line import dialler

from rrfw.call import numplan
_DISA = const(10)   # = states.DISA
_GUARD = const(5)   # = states.GUARD
_GUARD_MS = const(1500)   # = states.GUARD_MS

_DISA_DEFAULT_MAX_MS = const(1200000)  # ms: 20 min when the config gives no max_call
_DISA_CAP_MS = const(14400000)         # ms: 4 h, the most the board allows whatever the config says
_DISA_DIAL_GRACE_MS = const(2000)      # ms after seizing before the outside line's hang-up signals count
_FIRST_MS = const(20000)   # ms for the first digit (Asterisk app_disa's firstdigittimeout, 20 s)
_INTER_MS = const(4000)    # ms between digits: a pause this long ends the number, so no '#' is
                           # needed (app_disa waits 10 s, but wants '#' or a complete number)
_MAX_NUMBER = const(20)    # keys kept: longer than any E.164 number (15 digits) with a prefix
_DIAL_TONE = ((350, 440), (), -13)    # ms/dBm0: US dial tone (ANSI T1.401) where the profile has none

_COLLECT = const(0)
_DIAL = const(1)
_PROGRESS = const(2)
_TALK = const(3)
_PHASE_NAMES = ("collect", "dial", "progress", "talk")



def _free_line(lc):
    for sib in lc.siblings:
        if sib is not lc and sib.free_for_outside_leg():
            return sib
    return None


class Disa:
    def __init__(self, lc):
        from rrfw.dsp import tonegen
        self.lc = lc
        self.dialler = dialler.Dialler(lc.country)
        tone = _DIAL_TONE
        try:
            from rrfw.line import profiles
            tone = profiles.get(lc.country)["tones"].get("dial", tone)
        except (KeyError, AttributeError, TypeError):
            pass
        self.dialtone = tonegen.ToneGen(tone[0], tone[1], tone[2])
        self.phase = _COLLECT
        self.until = 0         # the phase's own deadline (board ms)
        self.buf = ""          # the number being keyed
        self.number = None     # the number as dialled (passed the plan)
        self.tone_on = False   # the board's dial tone plays to the caller

    def _outside_line(self, t, event):
        """A free line to take outside, else the caller is told goodbye (None)."""
        other = _free_line(self.lc)
        if other is None:
            self.lc.emit(event, ok=False, why="no free line")
            self.lc.inbound.goodbye(t, ["goodbye"], "disa_no_line")
        return other

    def start(self, t, max_ms):
        lc = self.lc
        other = self._outside_line(t, "disa")
        if other is None:
            return
        # the cap holds whatever the config says (cfgcheck refuses more anyway)
        max_ms = max_ms or _DISA_DEFAULT_MAX_MS
        if max_ms > _DISA_CAP_MS:
            max_ms = _DISA_CAP_MS
        lc.player.stop()
        lc.rec["disa_line"] = other.line + 1
        lc.emit("disa", ok=True, outside_line=other.line + 1, max_ms=max_ms)
        lc.enter(_DISA, t, t + max_ms)
        self.phase = _COLLECT
        self.until = t + _FIRST_MS
        self.buf = ""
        self.number = None
        self.tone_on = True
        self.dialtone.start(t)
        lc.dtmf.reset()

    def dial(self, t, number):
        """Seize a free line and dial `number` (digits that passed the plan)."""
        lc = self.lc
        other = self._outside_line(t, "disa_dial")
        if other is None:
            return
        self.number = number
        self.tone_on = False
        lc.peer = other
        other.start_bridged(t, lc, _DISA_DIAL_GRACE_MS)   # seize the outside line
        lc.rec["disa_line"] = other.line + 1
        lc.rec["disa_number"] = number
        lc.emit("disa_dial", ok=True, outside_line=other.line + 1, number=number)
        self.dialler.start(number, t)
        self.phase = _DIAL      # its deadlines are the dialler's (dial tone, the number, no answer)

    def step(self, t):
        lc = self.lc
        if lc.inbound.hung_up(t, True):
            return
        if t >= lc.deadline:
            lc.release(t, "disa_max_length", None)
            return
        ph = self.phase
        if ph == _COLLECT:
            self._collect(t)
        elif ph == _TALK:
            self._talk(t)
        else:
            self._dialling(t)

    # --- COLLECT: the number, from the caller's keys ---------------------------
    def _collect(self, t):
        lc = self.lc
        hal = lc.hal
        tx = hal.tx[lc.line]
        lc.dtmf.process(hal.rx[lc.line], t, tx)
        ev = lc.dtmf.pop()
        done = False
        if ev is not None:
            d = ev["digit"]
            lc.emit("digit", digit=None, hidden=True, start_ms=ev.get("start_ms"), end_ms=ev.get("end_ms"))
            self.tone_on = False     # dial tone stops at the first key, as an exchange's does
            if d == "#" and self.buf:
                done = True
            elif len(self.buf) < _MAX_NUMBER:
                self.buf += d
            self.until = t + _INTER_MS
        elif t >= self.until:
            if not self.buf:
                lc.release(t, "disa_no_number", None)
                return
            done = True
        if self.tone_on:
            self.dialtone.fill(tx, t)
        else:
            pcm.fill16(tx, 0, 80)
        if done:
            self._check(t)

    def _check(self, t):
        lc = self.lc
        d = lc.cfg.get("disa") or {}
        number, why = numplan.check(self.buf, lc.country, d.get("allow"))
        self.buf = ""
        if why is not None:
            lc.emit("dial_refused", number=str(number)[:24], why=why, flow="disa")
            lc.inbound.goodbye(t, d.get("refused_prompt") or ["goodbye"], "disa_refused")
            return
        self.dial(t, number)

    # --- DIAL and PROGRESS: the board dials, the caller listens -----------------
    def _dialling(self, t):
        lc = self.lc
        hal = lc.hal
        peer = lc.peer
        d = self.dialler
        # the outside line hears only the dialler (digits, else silence): never the caller's keys
        if d.step(hal.rx[peer.line], hal.tx[peer.line], t, hal.loop_current(peer.line),
                  hal.polarity(peer.line)) == dialler.SENT:
            self.phase = _PROGRESS
        pcm.copy16(hal.tx[lc.line], 0, hal.rx[peer.line], 0, 80)   # the caller hears the progress
        if d.state == dialler.DONE:
            res = d.result
            if res == "answer":
                self.phase = _TALK
                peer.hangup.reset(t)
                lc.emit("disa_connect", outside_line=peer.line + 1)
            else:
                lc.release(t, "disa_" + str(res), None)

    # --- TALK: both ways ---------------------------------------------------------
    def _talk(self, t):
        lc = self.lc
        peer = lc.peer
        hal = lc.hal
        # the far end of the outside line may hang up too (its exchange's signals)
        gone = peer.hangup.process(hal.rx[peer.line], t, hal.loop_current(peer.line),
                                   hal.polarity(peer.line), False)
        if gone is not None and t > peer.deadline:
            lc.release(t, "disa_far_end", gone)
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
        peer.enter(_GUARD, t, t + _GUARD_MS)
