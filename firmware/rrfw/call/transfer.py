# Transfers and supervisor escalation from the agent's phone, by hook flash
# (line/hookflash.py tells a flash from a hang-up). The line is in the line
# state TRANSFER while this runs; its own states, one deadline each:
#
#   CONNECTED (caller <-> agent A) ──A flashes, a line pair free──▶ _X_DIAL
#     (no pair free: event transfer refused, A stays with the caller; both hear
#     reorder for _REFUSED_MS: they share the one pair)
#   _X_DIAL   caller: hold music; A on the free pair: dial tone, keys collected
#            (deadline: _FIRST_DIGIT_MS for the first key, then _DIGIT_MS)
#     ├─ A flashes ────────────────────────────────────────▶ back (CONNECTED with A)
#     ├─ A hangs up ───────────────────────────────────────▶ _X_RECALL
#     ├─ an extension's number / the join or takeover code ─▶ _X_RING
#     ├─ the outside prefix and a number, then a pause of _DIGIT_MS or '#' ─▶ the number
#     │    against the pair line's plan (numplan.py, outbound allow) and the caller's
#     │    rules (remote: false forbids it): refused ─▶ _X_ERROR; else the pair's line
#     │    seized, dialled (line/dialler.py) ─▶ _X_OUT
#     └─ no such number, deadline, target busy ────────────▶ _X_ERROR
#   _X_ERROR  A hears reorder (deadline _ERROR_MS ─▶ back)
#     ├─ A flashes ─▶ back                   └─ A hangs up ─▶ _X_RECALL
#   _X_RING   the target rings (router.Leg), A hears ringback (deadline: ring_ms, the leg's)
#     ├─ A flashes ─▶ the ringing stops, back
#     ├─ A hangs up ─▶ _X_BLIND (a blind transfer)
#     ├─ ring time over ─▶ back (the transfer came back to A)
#     └─ the target lifts: a number ─▶ _X_TALK; join ─▶ _X_CONF; takeover ─▶ CONNECTED
#        with the supervisor, A dropped
#   _X_BLIND  the target rings, A gone, the caller hears ringback (deadline: the leg's)
#     ├─ the target lifts ─▶ CONNECTED with the target (blind transfer done)
#     └─ ring time over ─▶ _X_RECALL
#   _X_TALK   A and the target talk on the pair, the caller still on hold (no deadline)
#     ├─ A hangs up ─▶ CONNECTED with the target (attended transfer done)
#     ├─ A flashes ─▶ the target dropped, back (cancelled)
#     └─ the target hangs up ─▶ back (declined)
#   _X_RECALL A's phone rings again, the caller on hold (deadline: recall_ms, the leg's)
#     ├─ A lifts ─▶ back (CONNECTED with A)
#     └─ recall time over ─▶ the route's no-answer fallback (the IVR: route_failed)
#   _X_OUT    the pair's line dialled; A hears the progress on it (deadline: _OUT_DIAL_MS +
#            ring_ms from the seize)
#     ├─ A flashes ─▶ the line on-hook, back      ├─ A hangs up ─▶ _X_OUT_BLIND
#     ├─ busy / no answer / no dial tone / the deadline ─▶ the line on-hook, back
#     └─ the far end answers ─▶ _X_OUT_TALK
#   _X_OUT_BLIND  A gone, the caller hears the outside line's progress (deadline: _X_OUT's)
#     ├─ the far end answers ─▶ _X_BRIDGE (a blind outside transfer)
#     └─ not answered ─▶ the line on-hook, _X_RECALL
#   _X_OUT_TALK A and the far end talk on the seized line, the caller on hold (no deadline)
#     ├─ A hangs up ─▶ _X_BRIDGE (an attended outside transfer)
#     ├─ A flashes ─▶ the far end dropped (on-hook), back
#     └─ the far end hangs up ─▶ back (declined)
#   _X_BRIDGE the caller's line and the seized line bridged through the codec, A's
#            call over (no deadline: the line's maximum length holds)
#     └─ the far end hangs up ─▶ release "far_end_hangup"
#   _X_CONF   caller, A and the supervisor on the caller's pair: three-way (no deadline)
#     ├─ A hangs up ─▶ CONNECTED with the supervisor (the supervisor keeps the caller)
#     └─ the supervisor hangs up, or A flashes ─▶ CONNECTED with A
#   the caller hangs up in any of them ─▶ release (close(): rings stopped, phones
#     split, a seized pair's line on-hook, the pair given back, A's and the target's legs ended)
#
# Why a second pair: the crosspoint joins phones to a line's pair only (the
# codec hears that pair), so A must leave the caller's pair to dial and talk
# without the caller hearing it; the free pair is an idle line's (as for the
# feature codes, extdial.py). While it is lent that line is not free: it
# holds off answering a call that rings it, and starts no call-back or DISA
# leg, until the transfer gives it back.
#
# A transfer nobody answers comes back: to A if A is still on the phone,
# else A's phone rings again (Asterisk's default, atxferdropcall = no, calls
# the transferer back too); if A does not answer that either, the call takes
# the route's no-answer fallback (the key's `else`, the config's `no_answer`),
# as any call nobody answered.
from rrfw.dsp import tonegen
from rrfw.hal import pcm

from rrfw.call import numplan
from rrfw.call import router
_CONNECTED = const(4)   # = states.CONNECTED
_TRANSFER = const(18)   # = states.TRANSFER
_NO_DEADLINE = const(-1)   # = states.NO_DEADLINE
_GUARD = const(5)   # = states.GUARD
_GUARD_MS = const(1500)   # = states.GUARD_MS

_X_IDLE = const(0)
_X_DIAL = const(1)
_X_ERROR = const(2)
_X_RING = const(3)
_X_BLIND = const(4)
_X_TALK = const(5)
_X_RECALL = const(6)
_X_CONF = const(7)
_X_OUT = const(8)
_X_OUT_BLIND = const(9)
_X_OUT_TALK = const(10)
_X_BRIDGE = const(11)
_X_NAMES = ("idle", "dial", "error", "ring", "blind", "talk", "recall", "conf", "out", "out_blind",
           "out_talk", "bridge")

_FIRST_DIGIT_MS = const(10000)   # ms of dial tone before the first key (our choice: the caller is on hold)
_DIGIT_MS = const(3000)          # ms between keys: Asterisk's transferdigittimeout default (features.conf)
_ERROR_MS = const(10000)         # ms of reorder before A is put back to the caller
_DEFAULT_RING_MS = const(15000)  # ms the target rings: Asterisk's atxfernoanswertimeout default
_DEFAULT_RECALL_MS = const(15000)  # ms A's phone rings back (the same figure)
# An outside number: dial tone within 5 s (progress.py, ITU-T Q.35), up to 20 keys at
# 200 ms (dialler.py), then the transfer's ring time for the far end to answer.
_OUT_DIAL_MS = const(9000)       # ms
_MAX_OUTSIDE = const(20)         # keys after the prefix: longer than any E.164 number (15) with a prefix
_REFUSED_MS = const(1000)        # ms of reorder when a flash finds no free pair (two 250/250 cycles)
# What A hears on the pair (Hz, cadence ms, dBm0), as the feature codes' tones
# (extdial.py): dial tone 350+440 Hz continuous, reorder 480+620 Hz 250/250
# (ANSI T1.401); ringback is the line country's (linecall.py).
_DIAL_TONE = ((350, 440), (), -13)
_ERROR_TONE = ((480, 620), (250, 250), -24)


def tones(like=None):
    """Dial tone and reorder for one transfer flow; `like`: another flow's, whose
    tables are shared (each flow keeps its own phase)."""
    if like is None:
        return (tonegen.ToneGen(_DIAL_TONE[0], _DIAL_TONE[1], _DIAL_TONE[2]),
                tonegen.ToneGen(_ERROR_TONE[0], _ERROR_TONE[1], _ERROR_TONE[2]))
    return (tonegen.ToneGen(_DIAL_TONE[0], _DIAL_TONE[1], _DIAL_TONE[2], like[0]),
            tonegen.ToneGen(_ERROR_TONE[0], _ERROR_TONE[1], _ERROR_TONE[2], like[1]))


class Transfer:
    def __init__(self, lc, hooks, tone_set):
        self.lc = lc
        self.hooks = hooks                # line/hookflash.HookFlash (the App's)
        cfg = lc.cfg
        tc = cfg.get("transfer") or {}
        self.ring_ms = tc.get("ring_ms", _DEFAULT_RING_MS)
        self.recall_ms = tc.get("recall_ms", _DEFAULT_RECALL_MS)
        self.music = tc.get("music")
        self.supervisor = tc.get("supervisor")
        self.codes = {}                   # code dialled after a flash -> what it does
        for what in ("join", "takeover"):
            if tc.get(what) and self.supervisor:
                self.codes[tc[what]] = what
        self.exts = cfg.get("extensions") or {}
        self.outside = tc.get("outside")  # the prefix before an outside number ("9"), or None
        self.allow = (cfg.get("outbound") or {}).get("allow")
        self.dialler = None               # line/dialler.py, made at the first outside transfer
        self._dialled = -1                # its DONE state
        self.number = None                # the outside number as dialled (passed the plan)
        self.refused_until = 0            # board ms: the reorder after a refused flash
        # the target's leg: an extension rung alone, no queue (a busy target is an error tone)
        legcfg = {"extensions": self.exts, "ext_ring_timeout_ms": self.ring_ms, "queue_ms": 0,
                  "agents": cfg.get("agents")}
        self.leg = router.Leg(lc.hal, lc.leg.ports, lc.emit, legcfg)
        self.dial, self.err = tone_set
        self.tone = None                  # what A hears on the pair (None: the ringback, or silence)
        self.state = _X_IDLE
        self.deadline = _NO_DEADLINE
        self.pair = None                  # the LineCall whose pair A dials and talks on
        self.a_port = -1                  # the transferring agent A
        self.a_ext = None
        self.digits = ""
        self.mode = None                  # "transfer", "join", "takeover"
        self.target = None
        self.why = None                   # why A was recalled
        self._music_ok = True             # the hold music is on flash (else: silence, no retry flood)

    def state_name(self):
        return _X_NAMES[self.state]

    def _enter(self, st, deadline=_NO_DEADLINE):
        self.state = st
        self.deadline = deadline

    # --- in: a flash on the connected agent's phone (inbound.step_connected) ---------
    def flash(self, t):
        lc = self.lc
        leg = lc.leg
        pair = self._free_pair()
        if pair is None:
            lc.emit("transfer", what="refused", ext=leg.ext, why="no_free_line")
            self.err.start(t)             # A and the caller share the pair: both hear it
            self.refused_until = t + _REFUSED_MS
            return
        hal = lc.hal
        self.a_port = leg.port
        self.a_ext = leg.ext
        self.pair = pair
        pair.lent = lc
        hal.xconnect(lc.line, self.a_port, False)
        hal.xconnect(pair.line, self.a_port, True)
        lc.dtmf.reset()
        self.digits = ""
        self.mode = None
        self.target = None
        self.tone = self.dial
        self.dial.start(t)
        self._music_ok = True
        lc.player.stop()
        lc.emit("transfer", what="hold", ext=self.a_ext, pair=pair.line + 1)
        lc.enter(_TRANSFER, t)
        self._enter(_X_DIAL, t + _FIRST_DIGIT_MS)

    def _free_pair(self):
        for o in self.lc.siblings:
            if o is not self.lc and o.enabled and o.lent is None and o.free_for_outside_leg():
                return o
        return None

    # --- per block (LineCall state TRANSFER) ------------------------------------------
    def step(self, t):
        lc = self.lc
        if lc.inbound.hung_up(t, True):
            return                        # released: close() has run
        st = self.state
        if st == _X_DIAL:
            self._step_dial(t)
        elif st == _X_ERROR:
            self._step_error(t)
        elif st == _X_RING:
            self._step_ring(t)
        elif st == _X_BLIND:
            self._step_blind(t)
        elif st == _X_TALK:
            self._step_talk(t)
        elif st == _X_RECALL:
            self._step_recall(t)
        elif st == _X_CONF:
            self._step_conf(t)
        elif st == _X_OUT or st == _X_OUT_BLIND:
            self._step_out(t)
        elif st == _X_OUT_TALK:
            self._step_out_talk(t)
        elif st == _X_BRIDGE:
            self._step_bridge(t)
        self._fill(t)

    def refusing(self, t, tx):
        """CONNECTED after a refused flash: the reorder into the pair, True while it lasts."""
        if t >= self.refused_until:
            return False
        self.err.fill(tx, t)
        return True

    def _a_flashed(self):
        return self.hooks.flash(self.a_port)

    def _a_gone(self):
        return not self.hooks.offhook(self.a_port)

    def _step_dial(self, t):
        if self._a_flashed():
            self._back(t, "cancel")
            return
        if self._a_gone():
            self._a_leaves(t)
            self._recall(t, "hung_up_on_hold")
            return
        lc = self.lc
        hal = lc.hal
        p = self.pair.line
        lc.dtmf.process(hal.rx[p], t, hal.tx[p])
        ev = lc.dtmf.pop()
        if ev is not None:
            self.tone = None              # dial tone stops at the first key
            self.digits += ev["digit"]
            self.deadline = t + _DIGIT_MS
            self._match(t)
        elif t >= self.deadline:
            if self._is_outside():
                self._dial_outside(t)
            else:
                self._error(t, "timeout")

    def _is_outside(self):
        o = self.outside
        return o is not None and self.digits.startswith(o)

    def _match(self, t):
        d = self.digits
        if self._is_outside():
            # an outside number: its end is a pause of _DIGIT_MS, or '#'
            if d.endswith("#") or len(d) - len(self.outside) >= _MAX_OUTSIDE:
                self._dial_outside(t)
            return
        what = self.codes.get(d)
        target = None
        if what is not None:
            target = self.supervisor
        elif d in self.exts:
            what = "transfer"
            target = d
        else:
            for k in self.exts:
                if k.startswith(d):
                    return                # could still become a number: wait for more
            for k in self.codes:
                if k.startswith(d):
                    return
            if self.outside is not None and self.outside.startswith(d):
                return
            self._error(t, "invalid")
            return
        lc = self.lc
        self.mode = what
        self.target = target
        lc.emit("transfer", what="dial", ext=self.a_ext, to=target, kind=what)
        if target == self.a_ext:
            self._error(t, "self")
            return
        failed = self.leg.start(t, "ext", target, lc.ext_cadence)
        if failed is not None:
            self._error(t, failed)        # busy (in a call, off-hook, DND) or invalid
            return
        self.tone = None
        lc.ringback.start(t)
        self._enter(_X_RING, t + self.ring_ms)

    # --- outside numbers (_X_OUT, _X_OUT_BLIND, _X_OUT_TALK, _X_BRIDGE) --------------------
    def _dial_outside(self, t):
        lc = self.lc
        number = self.digits[len(self.outside):]
        if number.endswith("#"):
            number = number[:-1]
        self.mode = "outside"
        self.target = "outside"
        lc.emit("transfer", what="dial", ext=self.a_ext, to=number, kind="outside")
        if not number:
            self._error(t, "invalid")
            return
        if not lc.ivr.remote_ok:
            # a caller rule keeps this caller on the board's own phones (as for remote agents)
            self._error(t, "caller_rule")
            return
        pair = self.pair
        number, why = numplan.check(number, pair.country, self.allow)
        if why is not None:
            lc.emit("dial_refused", number=str(number)[:24], why=why, flow="transfer")
            self._error(t, why)
            return
        if self.dialler is None:
            from rrfw.line import dialler
            self.dialler = dialler.Dialler(pair.country)
            self._dialled = dialler.DONE
        self.number = number
        hal = lc.hal
        hal.set_hook(pair.line, True)     # A is on this pair: A hears the progress as it comes
        pair.hangup.reset(t)
        self.dialler.start(number, t)
        self.tone = None
        self._enter(_X_OUT, t + _OUT_DIAL_MS + self.ring_ms)

    def _line_down(self):
        """The seized pair's line on-hook (the pair stays lent until given back)."""
        pair = self.pair
        if pair is not None and self.state >= _X_OUT:
            self.dialler.stop()
            self.lc.hal.set_hook(pair.line, False)

    def _step_out(self, t):
        lc = self.lc
        hal = lc.hal
        p = self.pair.line
        st = self.state
        if st == _X_OUT and self._a_flashed():
            self._line_down()
            self._back(t, "cancel")
            return
        if st == _X_OUT and self._a_gone():
            self._a_leaves(t, True)       # the pair stays: it carries the outside call
            lc.player.stop()
            lc.emit("transfer", what="blind", ext=self.a_ext, to="outside")
            self._enter(_X_OUT_BLIND, self.deadline)
            return
        d = self.dialler
        d.step(hal.rx[p], hal.tx[p], t, hal.loop_current(p), hal.polarity(p))
        if d.state == self._dialled and d.result == "answer":
            self.pair.hangup.reset(t)
            if st == _X_OUT:
                lc.emit("transfer", what="consult", ext=self.a_ext, to="outside")
                self._enter(_X_OUT_TALK)
            else:
                self._bridge(t, "blind")
            return
        if d.state == self._dialled or t >= self.deadline:
            why = str(d.result) if d.state == self._dialled else "no_answer"
            self._line_down()
            if st == _X_OUT:
                self._back(t, why)
            else:
                self._give_back_pair()
                self._recall(t, why)

    def _step_out_talk(self, t):
        lc = self.lc
        hal = lc.hal
        p = self.pair.line
        if self._a_flashed():
            self._line_down()
            self._back(t, "cancel")
            return
        if self._a_gone():
            self._a_leaves(t, True)
            self._bridge(t, "attended")
            return
        gone = self.pair.hangup.process(hal.rx[p], t, hal.loop_current(p), hal.polarity(p), False)
        if gone is not None:
            self._line_down()
            self._back(t, "declined")

    def _bridge(self, t, kind):
        """The caller's line and the seized line through the codec: A's transfer done."""
        lc = self.lc
        lc.player.stop()
        lc.emit("transfer", what="done", kind="outside", ext=self.a_ext, to="outside",
                how=kind, outside_line=self.pair.line + 1)
        lc.rec["outside_line"] = self.pair.line + 1
        self._enter(_X_BRIDGE)

    def _step_bridge(self, t):
        lc = self.lc
        hal = lc.hal
        p = self.pair.line
        gone = self.pair.hangup.process(hal.rx[p], t, hal.loop_current(p), hal.polarity(p), False)
        if gone is not None:
            lc.release(t, "far_end_hangup", gone)
            return
        pcm.copy16(hal.tx[p], 0, hal.rx[lc.line], 0, 80)     # caller -> outside
        pcm.copy16(hal.tx[lc.line], 0, hal.rx[p], 0, 80)     # outside -> caller

    def _error(self, t, why):
        self.lc.emit("transfer", what="failed", ext=self.a_ext, to=self.target, why=why)
        self.tone = self.err
        self.err.start(t)
        self._enter(_X_ERROR, t + _ERROR_MS)

    def _step_error(self, t):
        if self._a_flashed() or t >= self.deadline:
            self._back(t, "cancel" if self._a_flashed() else "error")
        elif self._a_gone():
            self._a_leaves(t)
            self._recall(t, "hung_up_on_hold")

    def _step_ring(self, t):
        if self._a_flashed():
            self.leg.cancel()
            self._back(t, "cancel")
            return
        if self._a_gone():
            # a blind transfer: A has gone, the target goes on ringing for the caller
            self._a_leaves(t)
            if self.mode == "join":
                self.mode = "takeover"    # nobody left to join: the supervisor takes the caller
            lc = self.lc
            lc.player.stop()
            lc.ringback.start(t)
            lc.emit("transfer", what="blind", ext=self.a_ext, to=self.target)
            self._enter(_X_BLIND, self.deadline)
            return
        out = self.leg.step(t)
        if out == "answered":
            self._target_answered(t)
        elif out is not None:
            self._back(t, "no_answer")

    def _target_answered(self, t):
        lc = self.lc
        hal = lc.hal
        port = self.leg.port
        if self.mode == "transfer":
            hal.xconnect(self.pair.line, port, True)
            lc.emit("transfer", what="consult", ext=self.a_ext, to=self.target)
            self._enter(_X_TALK)
        elif self.mode == "join":
            self._give_back_pair()
            hal.xconnect(lc.line, self.a_port, True)
            hal.xconnect(lc.line, port, True)
            lc.player.stop()
            lc.emit("supervisor", what="join", ext=self.target, agent=self.a_ext)
            self._enter(_X_CONF)
        else:   # takeover: the supervisor has the caller, A is dropped
            self._a_leaves(t)
            self._hand_over(t, "supervisor", what="takeover", ext=self.target, agent=self.a_ext)

    def _step_blind(self, t):
        out = self.leg.step(t)
        if out == "answered":
            if self.mode == "takeover":
                self._hand_over(t, "supervisor", what="takeover", ext=self.target, agent=self.a_ext)
            else:
                self._hand_over(t, "transfer", what="done", kind="blind", ext=self.a_ext, to=self.target)
        elif out is not None:
            self._recall(t, "no_answer")

    def _step_talk(self, t):
        lc = self.lc
        hal = lc.hal
        b = self.leg.port
        if self._a_flashed() or not self.hooks.offhook(b):
            # A takes the caller back (cancel), or the target put the phone down (declined)
            why = "cancel" if self._a_flashed() else "declined"
            hal.xconnect(self.pair.line, b, False)
            self.leg.hang_up(t)
            self._back(t, why)
            return
        if self._a_gone():
            hal.xconnect(self.pair.line, b, False)
            self._a_leaves(t)
            self._hand_over(t, "transfer", what="done", kind="attended", ext=self.a_ext, to=self.target)

    def _recall(self, t, why):
        """A's phone rings again for the caller on hold; A gone for good: the fallback."""
        lc = self.lc
        self.why = why
        failed = self.leg.start(t, "ext", self.a_ext, lc.ext_cadence)
        if failed is not None:
            self._fallback(t, "recall_" + failed)
            return
        self.leg.timeout_ms = self.recall_ms
        lc.emit("transfer", what="recall", ext=self.a_ext, to=self.target, why=why)
        lc.player.stop()
        self._music_ok = True
        self._enter(_X_RECALL, t + self.recall_ms)

    def _step_recall(self, t):
        out = self.leg.step(t)
        if out == "answered":
            self._hand_over(t, "transfer", what="back", ext=self.a_ext, to=self.target, why="recall")
        elif out is not None:
            self._fallback(t, "recall_no_answer")

    def _fallback(self, t, why):
        lc = self.lc
        lc.emit("transfer", what="failed", ext=self.a_ext, to=self.target, why=why)
        self._enter(_X_IDLE)
        lc.player.stop()
        lc.inbound.call_returned(t)

    def _step_conf(self, t):
        lc = self.lc
        hal = lc.hal
        s = self.leg.port
        if self._a_flashed() or not self.hooks.offhook(s):
            # the supervisor leaves (or A drops them): A goes on with the caller
            hal.xconnect(lc.line, s, False)
            self.leg.hang_up(t)
            lc.emit("supervisor", what="left", ext=self.target, agent=self.a_ext)
            self._enter(_X_IDLE)
            lc.enter(_CONNECTED, t)
            return
        if self._a_gone():
            hal.xconnect(lc.line, self.a_port, False)
            lc.leg.hang_up(t)             # A's call ends: A's wrap-up
            self.leg.hand_over(lc.leg, t)
            lc.emit("supervisor", what="kept", ext=self.target, agent=self.a_ext)
            self._enter(_X_IDLE)
            lc.enter(_CONNECTED, t)

    # --- the moves ------------------------------------------------------------------
    def _a_leaves(self, t, keep_pair=False):
        """A is off the call (hung up, or dropped by a takeover): the pair given back
        (kept when it carries an outside call), A's leg ended (A's wrap-up starts)."""
        lc = self.lc
        if self.pair is not None:
            lc.hal.xconnect(self.pair.line, self.a_port, False)
        lc.hal.xconnect(lc.line, self.a_port, False)
        if not keep_pair:
            self._give_back_pair()
        if lc.leg.port >= 0:
            lc.leg.hang_up(t)

    def _hand_over(self, t, event, **fields):
        """The phone our leg has now talks to the caller: CONNECTED with it."""
        lc = self.lc
        self._give_back_pair()
        self.leg.hand_over(lc.leg, t)
        lc.hal.xconnect(lc.line, lc.leg.port, True)
        lc.player.stop()
        lc.emit(event, **fields)
        self._enter(_X_IDLE)
        lc.enter(_CONNECTED, t)

    def _back(self, t, why):
        """A talks to the caller again (cancelled, nobody answered, an error)."""
        lc = self.lc
        if self.pair is not None:
            lc.hal.xconnect(self.pair.line, self.a_port, False)
        self._give_back_pair()
        lc.hal.xconnect(lc.line, self.a_port, True)
        lc.player.stop()
        lc.emit("transfer", what="back", ext=self.a_ext, to=self.target, why=why)
        self._enter(_X_IDLE)
        lc.enter(_CONNECTED, t)

    def _give_back_pair(self):
        pair = self.pair
        if pair is None:
            return
        pcm.fill16(self.lc.hal.tx[pair.line], 0, 80)   # the pair's line is silent again
        pair.lent = None
        self.pair = None
        if self.number is not None:
            # it was seized for an outside number: guarded before it may ring again
            self.number = None
            self.lc.hal.set_hook(pair.line, False)
            pair.reset_idle()
            pair.enter(_GUARD, self.lc.clock.ms, self.lc.clock.ms + _GUARD_MS)

    # --- audio -------------------------------------------------------------------------
    def _fill(self, t):
        lc = self.lc
        st = self.state
        if st == _X_IDLE:
            return
        tx = lc.hal.tx[lc.line]
        if st == _X_BRIDGE:
            return                        # the codec carries both ways (_step_bridge)
        if st == _X_OUT_BLIND:
            pcm.copy16(tx, 0, lc.hal.rx[self.pair.line], 0, 80)   # the caller hears the progress
            return
        if st == _X_BLIND:
            lc.ringback.fill(tx, t)       # the caller hears the target ringing
        elif st == _X_CONF:
            lc.player.fill(tx)            # silence: three people talk
        else:
            if not lc.player.busy and self._music_ok:
                music = self.music or lc.leg.g.get("music") or lc.inbound.hold_prompt
                lc.player.play(music)
                self._music_ok = lc.player.busy   # not on flash: silence, not a retry every block
            lc.player.fill(tx)
        if self.pair is not None and st != _X_OUT:
            ptx = lc.hal.tx[self.pair.line]   # (_X_OUT: the dialler writes it)
            if self.tone is not None:
                self.tone.fill(ptx, t)
            elif st == _X_RING:
                lc.ringback.fill(ptx, t)  # A hears the target ringing
            else:
                pcm.fill16(ptx, 0, 80)

    # --- out: the caller hung up (LineCall.release runs this as TRANSFER's exit) ------
    def close(self, t):
        lc = self.lc
        hal = lc.hal
        self.leg.cancel()
        if self.leg.port >= 0:
            hal.xconnect(lc.line, self.leg.port, False)
            if self.pair is not None:
                hal.xconnect(self.pair.line, self.leg.port, False)
            self.leg.hang_up(t)
        if self.a_port >= 0:
            if self.pair is not None:
                hal.xconnect(self.pair.line, self.a_port, False)
            hal.xconnect(lc.line, self.a_port, False)
        self._line_down()
        self._give_back_pair()
        self._enter(_X_IDLE)
