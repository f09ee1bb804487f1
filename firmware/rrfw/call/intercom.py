# Calling another extension from the handset (the config's `intercom`): a
# phone lifted for the feature codes (extdial.py) dials an extension number
# (feature codes start with * or #, so a number is never a code). The
# board rings that phone; when it lifts, both phones are joined to the idle
# line's pair the session already holds, and they talk through the
# crosspoint; either hangs up and the call is over.
#
#   extdial DIGITS ──an extension's number──▶ the target free? (busy tone if not:
#     in a call or off-hook, ringing for a caller, the caller's own phone, a remote
#     agent, DND, logged out with an `agents` section) ──▶ _I_RING
#   _I_RING  (deadline: ring_ms, the config's intercom ring or the extensions' ring
#           time) the target rings with the line's cadence; the caller hears ringback
#     ├─ the target lifts ──▶ _I_TALK (joined to the pair, the ring tripped that block)
#     ├─ the caller hangs up ──▶ over: "cancelled"
#     ├─ a call rings the pair's line, no other pair free ──▶ over: "cut"
#     └─ the deadline ──▶ _I_GONE: "no_answer"
#   _I_TALK  (no deadline of its own) both phones on the pair
#     ├─ either hangs up ──▶ over: "connected" (release: caller_hangup / agent_hangup)
#     └─ a call rings the pair's line, no other pair free: the call goes on, both hear
#        the call-waiting tone, the line answers once they hang up (extdial.py's rule)
#   _I_GONE  (no deadline) the caller hears the busy tone until they hang up
#     (a call ringing the pair's line, no other pair free: the session ends)
#   A call ringing the pair's line with another pair free: the session and both
#   phones move to it in one block (move()), the state and its deadline unchanged.
#   A flash on either phone (line/hookflash.py) is no hang-up and changes nothing:
#   there is nobody on the board to hold or hand over, and a transfer's "flash:
#   back" (transfer.py) would mean ending the call the agent is in.
#   Every end: the target's ring stopped, split from the pair, free again; one
#   record of kind "intercom" (direction "internal": never counted as inbound).
#
# Record fields (call/record.py's keys, plus one): call, line (the pair's, at the
# start), utc, direction "internal", kind "intercom", from_ext (who dialled), target
# (who was dialled), ext (who answered), ring_ms, connect_ms, end_ms, talk_ms, release,
# outcome (connected, busy, no_answer, cancelled, cut: a call rang the line).
from rrfw.dsp import tonegen

_I_IDLE = const(0)
_I_RING = const(1)
_I_TALK = const(2)
_I_GONE = const(3)
_I_NAMES = ("idle", "ring", "talk", "gone")

_DEFAULT_RING_MS = const(20000)   # ms: router.py's extension ring time (about four US ring cycles)
_CADENCE = (2000, 4000)          # ms on, ms off: US ring (ANSI T1.401) where the line has none
# busy tone 480+620 Hz, 500 ms on / 500 ms off, (Hz, cadence ms, dBm0): ANSI T1.401
_BUSY_TONE = ((480, 620), (500, 500), -24)


class Intercom:
    def __init__(self, hal, cfg, emit):
        self.hal = hal
        self.emit = emit
        ic = cfg.get("intercom") or {}
        self.ring_ms = ic.get("ring_ms", cfg.get("ext_ring_timeout_ms", _DEFAULT_RING_MS))
        self.exts = cfg.get("extensions") or {}
        self.busy = tonegen.ToneGen(_BUSY_TONE[0], _BUSY_TONE[1], _BUSY_TONE[2])
        self.state = _I_IDLE
        self.deadline = 0
        self.lc = None        # the LineCall whose idle pair holds the call (lent to extdial)
        self.a_port = -1
        self.a_ext = None
        self.b_port = -1
        self.b_ext = None
        self.ports = None
        self.rec = None
        self._cad = _CADENCE
        self._t0 = 0
        self._ring_on = False
        self._waiting = False
        self.hooks = None         # line/hookflash.HookFlash (set by App): a flash is not a hang-up
        self.waiting_tone = None  # tonegen.ToneGen: the call-waiting tone (made by extdial.py)

    def is_number(self, digits):
        """An extension with a port on this board (a remote agent is an outside number)."""
        e = self.exts.get(digits)
        return e is not None and e.get("port") is not None

    def could_be(self, digits):
        for k in self.exts:
            if k.startswith(digits) and self.exts[k].get("port") is not None:
                return True
        return False

    def _why_busy(self, port, lines, ports, t):
        if port == self.a_port:
            return "self"
        if not 0 <= port < self.hal.n_exts:
            return "invalid"
        bit = 1 << port
        if ports.engaged & bit or self.hal.ext_offhook(port):
            return "busy"
        for lc in lines:
            if lc.ringing_ports() & bit:
                return "ringing"
        ag = ports.agents
        if ag is not None:
            st = ag.state_name(port, t)
            if st == "dnd":
                return "dnd"
            if ag.on and st == "logged_out":
                return "logged_out"
        return None

    def start(self, t, a_port, a_ext, b_ext, lc, lines, ports):
        """The phone at a_port (on lc's idle pair) dialled b_ext. Returns True
        when the target rings, False when the caller hears the busy tone."""
        self.lc = lc
        self.ports = ports
        self.a_port = a_port
        self.a_ext = a_ext
        self.b_ext = b_ext
        self.b_port = self.exts[b_ext].get("port", -1)
        call = lc.records.new_call_id()
        self.rec = {"call": call, "line": lc.line + 1, "utc": lc.wall_clock(), "direction": "internal",
                    "kind": "intercom", "from_ext": a_ext, "target": b_ext, "ext": None, "ring_ms": t,
                    "connect_ms": None}
        why = self._why_busy(self.b_port, lines, ports, t)
        if why is not None:
            self.emit("intercom", call=call, what="busy", ext=a_ext, to=b_ext, why=why)
            self.b_port = -1
            self._close(t, "busy", why)
            self.busy.start(t)
            self.state = _I_GONE
            return False
        ports.engaged |= 1 << self.b_port     # no caller's leg rings it meanwhile
        self._cad = lc.ext_cadence or _CADENCE
        self._t0 = t
        self._ring_on = False
        lc.ringback.start(t)
        self.emit("intercom", call=call, what="ring", ext=a_ext, to=b_ext)
        self.emit("ext_ring", call=call, ext=b_ext, port=self.b_port)
        self.state = _I_RING
        self.deadline = t + self.ring_ms
        return True

    def step(self, t, tx, waiting=False):
        """Once per block while the session holds the call (the caller is off-hook:
        extdial.py ends the session when they hang up, through end()). waiting: a call
        rings the pair's line and no other pair is free (only ever while talking)."""
        st = self.state
        hal = self.hal
        if st == _I_RING:
            b = self.b_port
            if hal.ext_offhook(b):
                self._ring(False)             # the ring trip: at once, never into a lifted phone
                hal.xconnect(self.lc.line, b, True)
                self.rec["ext"] = self.b_ext
                self.rec["connect_ms"] = t
                self.emit("intercom", call=self.rec["call"], what="answer", ext=self.a_ext, to=self.b_ext)
                self.state = _I_TALK
                self.deadline = 0
                for i in range(80):
                    tx[i] = 0
                return
            if t >= self.deadline:
                self._stop_b(t)
                self.emit("intercom", call=self.rec["call"], what="end", ext=self.a_ext, to=self.b_ext,
                          why="no_answer")
                self._close(t, "no_answer", "no_answer")
                self.busy.start(t)
                self.state = _I_GONE
                self.busy.fill(tx, t)
                return
            on_ms = self._cad[0]
            want = (t - self._t0) % (on_ms + self._cad[1]) < on_ms
            if want != self._ring_on:
                self._ring(want)
            self.lc.ringback.fill(tx, t)
        elif st == _I_TALK:
            b = self.b_port
            if not (hal.ext_offhook(b) if self.hooks is None else self.hooks.offhook(b)):
                self.end(t, "agent_hangup")   # the caller's phone stays on the pair, alone
                return
            if waiting:
                if not self._waiting:
                    self._waiting = True
                    self.waiting_tone.start(t)
                    self.emit("intercom", call=self.rec["call"], what="waiting", ext=self.a_ext,
                              to=self.b_ext, line=self.lc.line + 1)
                self.waiting_tone.fill(tx, t)
                return
            self._waiting = False
            for i in range(80):
                tx[i] = 0                     # two people talk: the board says nothing
        elif st == _I_GONE:
            self.busy.fill(tx, t)

    def talking(self):
        """Two phones are talking on the pair (a call ringing its line does not end it)."""
        return self.state == _I_TALK

    def move(self, t, lc):
        """The session moved to lc's pair (extdial.py): the called phone goes with it."""
        old = self.lc
        self.lc = lc
        if self.state == _I_TALK:
            self.hal.xconnect(old.line, self.b_port, False)
            self.hal.xconnect(lc.line, self.b_port, True)
        elif self.state == _I_RING:
            lc.ringback.start(self._t0)       # the ringback's cadence goes on where it was
        if self.rec is not None:              # (_I_GONE: the record is closed already)
            self.emit("intercom", call=self.rec["call"], what="moved", ext=self.a_ext, to=self.b_ext,
                      line=lc.line + 1)

    def over(self):
        """The call is over (the caller hears the busy tone, or nothing is left)."""
        return self.state == _I_GONE or self.state == _I_IDLE

    def _ring(self, on):
        self._ring_on = on
        self.hal.set_ext_ring(self.b_port, on)

    def _stop_b(self, t):
        b = self.b_port
        if b < 0:
            return
        if self._ring_on:
            self._ring(False)
        self.hal.xconnect(self.lc.line, b, False)
        self.ports.engaged &= ~(1 << b)
        self.b_port = -1

    def end(self, t, why):
        """The session ends (why: caller_hangup, agent_hangup, cut): the target freed, the record kept."""
        st = self.state
        self._waiting = False
        if st == _I_RING or st == _I_TALK:
            talked = st == _I_TALK
            self._stop_b(t)
            outcome = "connected" if talked else ("cut" if why == "cut" else "cancelled")
            self.emit("intercom", call=self.rec["call"], what="end", ext=self.a_ext, to=self.b_ext, why=why)
            self._close(t, outcome, why)
        if st == _I_TALK and why == "agent_hangup":
            self.state = _I_GONE               # the caller, still off-hook, hears the busy tone
            self.busy.start(t)
            return
        self.state = _I_IDLE

    def _close(self, t, outcome, release):
        rec = self.rec
        if rec is None:
            return
        self.rec = None
        rec["end_ms"] = t
        if rec["connect_ms"] is not None:
            rec["talk_ms"] = t - rec["connect_ms"]
        rec["release"] = release
        rec["outcome"] = outcome
        lc = self.lc
        lc.records.queue(rec)
        self.emit("record", call=rec["call"], record=rec)
