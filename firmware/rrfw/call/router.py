# Rings extensions for one call (the "agent leg") and reports the outcome.
#
# Queueing: when every member is busy the leg waits (QUEUED) instead of
# failing, for up to the group's queue_ms (default: the ring timeout), and
# rings the first member to become free. Waiting legs are served first come,
# first served across all lines: a leg may take a free port only if no leg
# queued before it is waiting for that port.
#
# Strategies for a group (config "groups"): "ring_all" rings every free
# member at once; "sequential" hunts members in order, each for
# member_ring_ms; "round_robin" hunts starting after the member that last
# answered. An extension already off-hook or engaged in another call is busy.
#
# Extension ring cadence: the local phones expect the country's ring cadence;
# it comes from the line profile (default US 2 s on / 4 s off, ANSI T1.401).
from rrfw.compat import const

S_IDLE = const(0)
S_RINGING = const(1)
S_ANSWERED = const(2)
S_QUEUED = const(3)

DEFAULT_CADENCE = (2000, 4000)  # ms on, ms off: US ring (ANSI T1.401 / Telcordia GR-506)
DEFAULT_TIMEOUT_MS = const(20000)  # no answer after this long: about four US ring cycles
DEFAULT_MEMBER_MS = const(12000)   # per member when hunting: two US ring cycles
QUEUE_POLL_BLOCKS = const(10)      # a queued leg looks for a free member every 100 ms


class Ports:
    """Which extension ports are engaged in a call (shared by all lines)."""

    def __init__(self, n):
        self.n = n
        self.engaged = 0
        self.last_answered = {}  # group name -> index of member that answered last
        self.waiting = []        # queued legs, oldest first

    def free(self, hal, port):
        return not (self.engaged & (1 << port)) and not hal.ext_offhook(port)

    def my_turn(self, leg, port):
        """True unless a leg queued before `leg` is waiting for `port` too."""
        for other in self.waiting:
            if other is leg:
                return True
            for ext, p in other._members:
                if p == port:
                    return False
        return True

    def position(self, leg):
        i = 0
        for other in self.waiting:
            i += 1
            if other is leg:
                return i
        return 0


class Leg:
    def __init__(self, hal, ports, emit, cfg):
        self.hal = hal
        self.ports = ports
        self.emit = emit
        self.cfg = cfg
        self.state = S_IDLE
        self.ringing = 0          # bitmask of ports we ring
        self.port = -1            # the port that answered
        self.ext = None
        self._members = []        # [(ext, port)] in hunt order
        self._idx = 0
        self._strategy = "ring_all"
        self._t0 = 0
        self._t_member = 0
        self._cad = DEFAULT_CADENCE
        self._cad_t0 = 0
        self._ring_on = False
        self.timeout_ms = cfg.get("ext_ring_timeout_ms", DEFAULT_TIMEOUT_MS)
        self.member_ms = cfg.get("member_ring_ms", DEFAULT_MEMBER_MS)
        self.queue_ms = 0

    def start(self, t_ms, kind, target, cadence=None):
        """Begin ringing. Returns None, or "busy"/"invalid" when nobody can be rung."""
        exts = self.cfg.get("extensions", {})
        members = []
        strategy = "ring_all"
        self.queue_ms = self.cfg.get("queue_ms", self.timeout_ms)
        if kind == "ext":
            if target in exts:
                members = [target]
        elif kind == "group":
            g = self.cfg.get("groups", {}).get(target)
            if g:
                members = [m for m in g.get("members", []) if m in exts]
                strategy = g.get("strategy", "ring_all")
                self.queue_ms = g.get("queue_ms", self.queue_ms)
                self.member_ms = g.get("member_ring_ms", self.cfg.get("member_ring_ms", DEFAULT_MEMBER_MS))
        if not members:
            return "invalid"
        hunt = [(m, exts[m]["port"]) for m in members]
        if strategy == "round_robin":
            last = self.ports.last_answered.get(target, -1)
            k = (last + 1) % len(hunt)
            hunt = hunt[k:] + hunt[:k]
        self._members = hunt
        self._strategy = strategy
        self._group = target if kind == "group" else None
        self._idx = 0
        self._t0 = t_ms
        self._cad = cadence or DEFAULT_CADENCE
        self.state = S_RINGING
        self.ringing = 0
        if not self._ring_next(t_ms):
            if self.queue_ms <= 0:
                self.state = S_IDLE
                return "busy"
            self.state = S_QUEUED   # everyone busy: wait for the first to be free
            self.ports.waiting.append(self)
            self.emit("queue", target=target, position=self.ports.position(self))
        return None

    def _ring_next(self, t_ms):
        """Choose the ports to ring now; False when none is free."""
        hal = self.hal
        self._stop_ringing()
        chosen = 0
        if self._strategy == "ring_all":
            for ext, port in self._members:
                if self.ports.free(hal, port) and self.ports.my_turn(self, port):
                    chosen |= 1 << port
        else:
            while self._idx < len(self._members):
                ext, port = self._members[self._idx]
                if self.ports.free(hal, port) and self.ports.my_turn(self, port):
                    chosen = 1 << port
                    break
                self._idx += 1
        if not chosen:
            return False
        self.ringing = chosen
        self.ports.engaged |= chosen
        self._t_member = t_ms
        self._cad_t0 = t_ms
        self._ring_on = False
        for ext, port in self._members:
            if chosen & (1 << port):
                self.emit("ext_ring", ext=ext, port=port)
        return True

    def _stop_ringing(self):
        for p in range(self.ports.n):
            if self.ringing & (1 << p):
                self.hal.set_ext_ring(p, False)
        self.ports.engaged &= ~self.ringing
        self.ringing = 0
        self._ring_on = False

    def step(self, t_ms):
        """Once per block while ringing or queued. Returns None, "answered", "no_answer" or "busy"."""
        if self.state == S_QUEUED:
            if t_ms - self._t0 >= self.queue_ms:
                self.cancel()
                return "busy"
            if (t_ms // 10) % QUEUE_POLL_BLOCKS == 0:
                self._idx = 0
                if self._ring_next(t_ms):
                    self._leave_queue()
                    self.state = S_RINGING
                    self._t0 = t_ms   # the ring timeout runs from the first ring
            return None
        if self.state != S_RINGING:
            return None
        hal = self.hal
        # Ring trip: the first ringing phone lifted wins; ringing stops at once.
        for ext, port in self._members:
            if self.ringing & (1 << port) and hal.ext_offhook(port):
                self._stop_ringing()
                self.ports.engaged |= 1 << port
                self.port = port
                self.ext = ext
                self.state = S_ANSWERED
                if self._group is not None:
                    for i in range(len(self._members)):
                        if self._members[i][1] == port:
                            self.ports.last_answered[self._group] = i
                return "answered"
        if t_ms - self._t0 >= self.timeout_ms:
            self.cancel()
            return "no_answer"
        if self._strategy != "ring_all" and t_ms - self._t_member >= self.member_ms:
            self._idx += 1
            if not self._ring_next(t_ms):
                self.cancel()
                return "no_answer"
        # Cadence: on for cad[0] ms, off for cad[1] ms, repeating.
        on_ms, off_ms = self._cad[0], self._cad[1]
        phase = (t_ms - self._cad_t0) % (on_ms + off_ms)
        want = phase < on_ms
        if want != self._ring_on:
            self._ring_on = want
            for p in range(self.ports.n):
                if self.ringing & (1 << p):
                    hal.set_ext_ring(p, want)
        return None

    def _leave_queue(self):
        w = self.ports.waiting
        for i in range(len(w)):
            if w[i] is self:
                w.pop(i)
                return

    def cancel(self):
        self._stop_ringing()
        self._leave_queue()
        self.state = S_IDLE

    def hang_up(self):
        """The connected agent leg ends: free its port."""
        if self.port >= 0:
            self.ports.engaged &= ~(1 << self.port)
        self.port = -1
        self.ext = None
        self.state = S_IDLE
