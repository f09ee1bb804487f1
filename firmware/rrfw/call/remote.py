# Remote agents: an agent who is an outside number (an extension with a
# `number` and no port). When the router rings one for a caller, the board
# calls them on a free second line, plays a whisper ("call for sales, press
# 1 to accept") so that a voicemail or a family member cannot take the call
# unknowingly, and bridges the caller through the codec on the accept key
# (as DISA bridges two lines: disa.py). Anything else counts as the agent
# not answering (the router's ring_noanswer, with why) and the caller keeps
# their place in the queue.
#
# The outside line's states (linecall.py dispatches; deadlines as given):
#
#   IDLE ──Remotes.ring (router.py)──▶ the number against the line's plan (numplan.py)
#     │ refused ──▶ why "refused" (dial_refused event), the line never seized
#     ▼ seize
#   RA_CALL (deadline: the agent's ring_ms from the seize)
#       dial tone, the number dialled (DTMF), the far end's progress (line/dialler.py)
#       ├─ busy / reorder / sit / no dial tone / no answer ──▶ why = that result
#       ├─ the deadline ────────────────────────────────────▶ why "no_answer"
#       └─ answer (voice or reversal) ──▶ RA_WHISPER
#   RA_WHISPER (deadline: KEY_MS from the answer)
#       the whisper plays (again whenever it ends); the far end's keys are read
#       ├─ the accept key ──▶ accepted: the router connects the caller ──▶ RA_TALK
#       ├─ the agent's logout_key (if the config gives one) ──▶ the agent logged out
#       │    (agents.py, why "remote_key", kept on flash) and why "logged_out": the
#       │    board dialled their number, so the key is theirs (no PIN, no caller ID)
#       ├─ the far end hangs up ──▶ why "hangup"
#       └─ the deadline ──────────▶ why "no_key" (a voicemail, someone who did not press)
#   RA_TALK (no deadline of its own: the line's maximum call length holds)
#       both ways through the codec: what each line hears is played to the other
#       └─ the far end hangs up ──▶ why "hangup": the caller's line releases "agent_hangup"
#   Every end, and the router's cancel (another agent answered, the caller hung
#   up, the ring time is over): the outside line on-hook ──▶ GUARD.
#
# The outside line carries the caller's call id while it works for them, so
# every leg is in one call's events; it keeps no record of its own (the
# caller's record names the remote agent and the line: remote_line).
# Heap: the dialler (progress detector, DTMF generator) is made at a line's first
# remote call and kept (as disa.py's); their tone tables at boot (App).

from rrfw.hal import pcm
from rrfw.line import dialler

from rrfw.call import numplan
_RA_CALL = const(15)   # = states.RA_CALL
_RA_WHISPER = const(16)   # = states.RA_WHISPER
_RA_TALK = const(17)   # = states.RA_TALK
_GUARD = const(5)   # = states.GUARD
_GUARD_MS = const(1500)   # = states.GUARD_MS

# The far end must answer within this of the seize: dial tone (<= 5 s, progress.py),
# ten digits (2 s), and four US ring cycles (24 s, ANSI T1.401's 6 s cycle).
DEFAULT_RING_MS = const(30000)   # ms
# After the answer: the whisper (about 3 s) twice or three times, then the key.
KEY_MS = const(15000)            # ms
# A remote agent whose call ended without the key is not called again before
# this (a queued caller is re-offered every 100 ms: no redialling a busy mobile).
RETRY_MS = const(15000)          # ms, three times Asterisk's retry of 5 s
_WHISPER_REPEAT_MS = const(5000)  # ms from one start of the whisper to the next (a 3 s whisper, 2 s pause)
_ACCEPT_KEY = const("1")          # FreePBX's call confirm and FreeSWITCH's group_confirm_key use 1
_DEFAULT_WHISPER = ("remote_whisper",)  # "A call from the office. Press 1 to accept."



class Remotes:
    """The board's remote agents (owned by the App, reached as router.Ports.remote):
    who is being called on which line, and how each call ended."""

    def __init__(self, cfg, agents, lines):
        from rrfw.call.agents import remote_exts
        self.lines = lines
        self.base = agents.n_local
        exts = cfg.get("extensions") or {}
        names = remote_exts(cfg)
        self.ext = names
        self.number = [exts[x]["number"] for x in names]
        self.ring_t = [exts[x].get("ring_ms", DEFAULT_RING_MS) for x in names]
        self.key = [exts[x].get("accept_key", _ACCEPT_KEY) for x in names]
        self.out_key = [exts[x].get("logout_key") for x in names]   # None: no logout from the call
        self.agents = agents
        self.allow = (cfg.get("outbound") or {}).get("allow")
        n = len(names)
        self.line_of = [None] * n     # the LineCall calling each agent now
        self.result = [None] * n      # "accepted", or why the call ended without it
        self.not_before = [0] * n     # board ms: no new call to this agent before

    def _k(self, port):
        return port - self.base

    def free_line(self, caller):
        """A line other than the caller's that may be seized now, or None."""
        for lc in self.lines:
            if lc is not caller and lc.free_for_outside_leg():
                return lc
        return None

    # --- what the router asks ---------------------------------------------------------
    def can_call(self, port, caller, t):
        k = self._k(port)
        return self.line_of[k] is None and t >= self.not_before[k] and self.free_line(caller) is not None

    def ring_ms(self, port):
        """The longest this agent can take: the far end's answer, then the key."""
        return self.ring_t[self._k(port)] + KEY_MS

    def ring(self, port, leg, t):
        """Call the agent for the leg's caller on a free line (the result comes later)."""
        k = self._k(port)
        self.result[k] = None
        lc = self.free_line(leg.lc)
        if lc is None:
            self.result[k] = "no_line"
            return
        self.line_of[k] = lc
        lc.start_remote(self, port, leg, t)

    def accepted(self, port):
        return self.result[self._k(port)] == "accepted"

    def why(self, port):
        """Why the call to this agent ended without the key, or None (still on)."""
        r = self.result[self._k(port)]
        return None if r == "accepted" else r

    def up(self, port):
        """The agent is still on their line (a bridged call)."""
        k = self._k(port)
        return self.line_of[k] is not None and self.result[k] == "accepted"

    def bridge(self, port, caller, t):
        """The router connected the caller: join the two lines. Returns the outside line."""
        lc = self.line_of[self._k(port)]
        lc.remote.bridge(caller, t)
        return lc

    def cancel(self, port):
        """Stop calling the agent, or end their part of a call (the caller's leg is over)."""
        k = self._k(port)
        lc = self.line_of[k]
        self.line_of[k] = None
        self.result[k] = None
        if lc is not None:
            lc.remote.end(lc.clock.ms)

    # --- what the outside line tells --------------------------------------------------
    def ended(self, port, why, t, retry=True):
        """The call to the agent ended on its own (why), before the accept key (retry:
        not called again for RETRY_MS) or after it (their hang-up: no spacing)."""
        k = self._k(port)
        self.line_of[k] = None
        self.result[k] = why
        if retry:
            self.not_before[k] = t + RETRY_MS

    def accept(self, port):
        self.result[self._k(port)] = "accepted"

    def logout(self, port, t):
        """The agent keyed their logout key after the whisper: logged out (an event, on flash)."""
        from rrfw.call import agents
        self.agents.set_status(port, agents.LOGGED_OUT, t, None, "remote_key")


class RemoteCall:
    """The flow on the outside line while it calls a remote agent (linecall.py's RA_* states)."""

    def __init__(self, lc):
        self.lc = lc
        self.dialler = dialler.Dialler(lc.country)
        self.remotes = None
        self.port = -1
        self.ext = None
        self.number = None
        self.key = _ACCEPT_KEY
        self.out_key = None
        self.whisper = _DEFAULT_WHISPER
        self.caller = None     # the caller's LineCall once bridged
        self.t_play = 0        # board ms the whisper last started

    def start(self, remotes, port, leg, t):
        lc = self.lc
        k = port - remotes.base
        self.remotes = remotes
        self.port = port
        self.ext = remotes.ext[k]
        self.key = remotes.key[k]
        self.out_key = remotes.out_key[k]
        self.whisper = leg.g.get("whisper") or _DEFAULT_WHISPER
        self.caller = None
        lc.call = leg.lc.call     # every leg in the caller's call
        number, why = numplan.check(remotes.number[k], lc.country, remotes.allow)
        if why is not None:
            lc.emit("dial_refused", number=str(number)[:24], why=why, flow="remote_agent", ext=self.ext)
            remotes.ended(port, "refused", t)
            lc.call = None
            return
        self.number = number
        lc.hal.set_hook(lc.line, True)
        lc.hangup.reset(t)
        self.dialler.start(number, t)
        lc.emit("remote_dial", ext=self.ext, number=number, caller_line=leg.lc.line + 1,
                target=leg.target)
        lc.enter(_RA_CALL, t, t + remotes.ring_t[k])

    # --- RA_CALL --------------------------------------------------------------------
    def step_call(self, t):
        lc = self.lc
        hal = lc.hal
        line = lc.line
        d = self.dialler
        d.step(hal.rx[line], hal.tx[line], t, hal.loop_current(line), hal.polarity(line))
        if d.state == dialler.DONE:
            if d.result == "answer":
                self._answered(t)
            else:
                self._fail(t, str(d.result))
        elif t >= lc.deadline:
            self._fail(t, "no_answer")

    def _answered(self, t):
        lc = self.lc
        lc.hangup.reset(t)
        lc.dtmf.reset()
        lc.player.play(self.whisper)
        self.t_play = t
        lc.emit("remote_answer", ext=self.ext)
        lc.enter(_RA_WHISPER, t, t + KEY_MS)

    # --- RA_WHISPER -----------------------------------------------------------------
    def step_whisper(self, t):
        lc = self.lc
        hal = lc.hal
        line = lc.line
        tx = hal.tx[line]
        if self.remotes.accepted(self.port):
            pcm.fill16(tx, 0, 80)   # accepted: the caller's line connects (this block or the next)
            return
        gone = lc.hangup.process(hal.rx[line], t, hal.loop_current(line), hal.polarity(line), lc.player.busy)
        if gone is not None:
            self._fail(t, "hangup")
            return
        lc.dtmf.process(hal.rx[line], t, tx)
        ev = lc.dtmf.pop()
        if ev is not None:
            lc.emit("remote_key", ext=self.ext, digit=ev["digit"], accepted=ev["digit"] == self.key)
            if ev["digit"] == self.key:
                lc.player.stop()
                pcm.fill16(tx, 0, 80)
                self.remotes.accept(self.port)
                return
            if ev["digit"] == self.out_key:
                self.remotes.logout(self.port, t)
                self._fail(t, "logged_out")   # the caller keeps their place for the others
                return
        if t >= lc.deadline:
            self._fail(t, "no_key")
            return
        if not lc.player.busy and t - self.t_play >= _WHISPER_REPEAT_MS:
            lc.player.play(self.whisper)   # again, until the key or the deadline
            self.t_play = t
        lc.player.fill(tx)

    # --- RA_TALK --------------------------------------------------------------------
    def bridge(self, caller, t):
        lc = self.lc
        self.caller = caller
        lc.hangup.reset(t)
        lc.enter(_RA_TALK, t)

    def step_talk(self, t):
        lc = self.lc
        hal = lc.hal
        line = lc.line
        gone = lc.hangup.process(hal.rx[line], t, hal.loop_current(line), hal.polarity(line), False)
        if gone is not None:
            lc.emit("remote_hangup", ext=self.ext, method=gone)
            self._fail(t, "hangup")   # the caller's line sees it and releases "agent_hangup"
            return
        cl = self.caller.line
        pcm.copy16(hal.tx[line], 0, hal.rx[cl], 0, 80)   # caller -> remote agent
        pcm.copy16(hal.tx[cl], 0, hal.rx[line], 0, 80)   # remote agent -> caller

    # --- every way out -----------------------------------------------------------------
    def _fail(self, t, why):
        lc = self.lc
        talked = lc.state == _RA_TALK
        if not talked:
            lc.emit("remote_end", ext=self.ext, why=why)
        self.remotes.ended(self.port, why, t, not talked)
        self.end(t)

    def end(self, t):
        """On-hook, the line guarded before it may ring again (a no-op once idle)."""
        lc = self.lc
        if lc.state != _RA_CALL and lc.state != _RA_WHISPER and lc.state != _RA_TALK:
            return
        if self.caller is not None:
            pcm.fill16(lc.hal.tx[self.caller.line], 0, 80)
            self.caller = None
        lc.player.stop()
        pcm.fill16(lc.hal.tx[lc.line], 0, 80)
        lc.hal.set_hook(lc.line, False)
        lc.reset_idle()
        lc.enter(_GUARD, t, t + _GUARD_MS)

    def fault(self, t):
        """The outside line is released after a fault: the agent's call is over."""
        if self.remotes is not None and self.remotes.line_of[self.port - self.remotes.base] is self.lc:
            self.remotes.ended(self.port, "fault", t)
