# Rings extensions for one call (the "agent leg") and reports the outcome.
#
# A leg's states (one deadline each; step() returns the outcome):
#
#   start ──nobody can be rung, no queue──▶ "busy" / "invalid"
#     │ (queue full / no agent logged in: "busy", queue_leave full / no_agents)
#     ├──a member free──▶ RINGING ──a rung phone lifted──▶ ANSWERED ("answered")
#     │                    │ another phone dials the pick-up code ──▶ ANSWERED (take())
#     │                    │ member ring time over: the next member (a hunt)
#     │                    │ round over, group ring_timeout left ──▶ PAUSE (retry) ──▶ RINGING
#     │                    │ round over, ACD and queue time left ──▶ QUEUED (same place)
#     │                    └ round over otherwise ──▶ "no_answer"
#     └──everyone busy──▶ QUEUED ──a member free, our turn──▶ RINGING
#                          │ queue time over ──▶ "busy" (queue_leave timeout)
#                          └ ACD: every member logged out ──▶ "busy" (queue_leave no_agents)
#
# Queueing: when every member is busy the leg waits (QUEUED) for up to the
# group's queue_ms (default: the ring timeout), and rings the first member
# to become free. Legs wait in one list across all lines, higher priority
# first, then by place (the board ms they joined): a leg may take a free port
# only if no leg ahead of it is waiting for that port. A leg keeps its place
# while it rings, so a round nobody answers puts it back where it was.
#
# Keeping a place (a group's keep_place_ms): a caller with a number who
# hangs up while waiting is remembered (Ports.places, at most MAX_PLACES,
# each used once); the same number calling the same group again within the
# window starts with the old place (start(place=...) joins the list there
# before its first ring, so my_turn sees it where it was). A call-back
# request carries its place the same way (callout.py passes it back).
# Caller ID can be forged: what a forger gains is one remembered place, once,
# within the window, never a priority (that comes from the caller rules).
#
# Strategies are a table (_STRATEGIES): each rings every eligible member at
# once or hunts them one at a time in the order of a key. Names as Asterisk's
# app_queue (queues.conf.sample) and FreeSWITCH's mod_callcenter name them;
# today's ring_all / sequential / round_robin are aliases with their old
# behaviour. Penalties: a member's penalty (tier) per group; lower tiers ring
# first (all at once: the lowest tier with a free member; a hunt: tier by
# tier), and the group's tier rules [[wait_ms, max_penalty], ...] let higher
# tiers in as the caller waits, the caller keeping their place.
#
# Ring times hold as written: a hunt gives each member member_ring_ms, and
# the group's ring time defaults to the whole hunt (members x member ring),
# so a hunt over three members at 10 s each reaches the third. An explicit
# group ring_timeout longer than one hunt means rounds, retry_ms apart
# (Asterisk's retry, 5 s).
#
# Who is free (Ports.free): not engaged in another call, not off-hook, and
# for the agents (agents.py) not paused, logged out, on DND or in wrap-up.
#
# Remote agents (an extension with a number, remote.py): their ports come
# after the board's own (Agents.n_local ...), so the masks and lists cover
# them. "Ringing" one is a call on a free second line (Ports.remote rings,
# cancels and reports); "lifting" is the agent's accept key after the
# whisper. A remote member is eligible only for an inbound caller's leg
# (start(remote=True): never a call-back's), when no caller rule forbids it,
# and while a line other than the caller's is free; it rings for its own
# ring time (the dial, the far end's ringing, the whisper), and a refusal,
# a busy or unanswered number, no key or a hang-up count as its
# ring-no-answer (why: the reason) the moment remote.py reports them.
#
# Extension ring cadence: the local phones expect the country's ring cadence;
# it comes from the line profile (default US 2 s on / 4 s off, ANSI T1.401).

_S_IDLE = const(0)
_S_RINGING = const(1)
_S_ANSWERED = const(2)
S_QUEUED = const(3)
_S_PAUSE = const(4)     # between two rounds of a hunt (the caller still hears ringback)

_DEFAULT_CADENCE = (2000, 4000)  # ms on, ms off: US ring (ANSI T1.401 / Telcordia GR-506)
_DEFAULT_TIMEOUT_MS = const(20000)  # no answer after this long: about four US ring cycles
_DEFAULT_MEMBER_MS = const(12000)   # per member when hunting: two US ring cycles
_DEFAULT_RETRY_MS = const(5000)     # ms between rounds: Asterisk queues.conf `retry` default
_QUEUE_POLL_BLOCKS = const(10)      # a queued leg looks for a free member every 100 ms
_NO_LIMIT = const(255)              # highest penalty when a group has no tier rules
MAX_PLACES = const(8)              # remembered places of callers who hung up while waiting
NO_PLACE = const(-1)


# --- the ring order keys: (leg, file index, port, penalty) -> a number, lowest rings first
def _k_file(leg, i, port, pen):
    return i


def _k_round_robin(leg, i, port, pen):
    # today's round_robin: start after the member who answered last
    return (i - leg.ports.last_answered.get(leg.group, -1) - 1) % leg.n_members


def _k_rrordered(leg, i, port, pen):
    # start after the member rung last, in the file's order
    return (i - leg.ports.last_rung.get(leg.group, -1) - 1) % leg.n_members


def _k_rrmemory(leg, i, port, pen):
    # start after the member rung last, in the order the agents logged in
    return (leg.login_rank(port) - leg.ports.last_rung_rank.get(leg.group, -1) - 1) % leg.n_members


def _k_leastrecent(leg, i, port, pen):
    return leg.ports.agents.last_end[port]


def _k_fewestcalls(leg, i, port, pen):
    return leg.ports.agents.calls[port]


def _k_random(leg, i, port, pen):
    return leg.ports.agents.rand()


def _k_wrandom(leg, i, port, pen):
    # Asterisk's weighted random: random % ((1 + penalty) * 1000), penalty as weight only
    return leg.ports.agents.rand() % ((1 + pen) * 1000)


def _k_longest_idle(leg, i, port, pen):
    # FreeSWITCH longest-idle-agent: free the longest (since the last call's
    # wrap-up ended, a login or an unpause)
    return leg.ports.agents.idle_since[port]


# the order keys by number (_STRATEGIES' third column)
_K_FILE = const(0)
_K_ROUND_ROBIN = const(1)
_K_RRORDERED = const(2)
_K_RRMEMORY = const(3)
_K_LEASTRECENT = const(4)
_K_FEWESTCALLS = const(5)
_K_RANDOM = const(6)
_K_WRANDOM = const(7)
_K_LONGEST_IDLE = const(8)
_ORDER_KEYS = (_k_file, _k_round_robin, _k_rrordered, _k_rrmemory, _k_leastrecent,
               _k_fewestcalls, _k_random, _k_wrandom, _k_longest_idle)

# (name, every member at once, order key, tiers in the order): a constant tuple (in
# flash when frozen, where a dict of 12 would be made in RAM), scanned by _strategy
_STRATEGIES = (
    ("ringall", True, _K_FILE, True),
    ("linear", False, _K_FILE, True),
    ("rrmemory", False, _K_RRMEMORY, True),
    ("rrordered", False, _K_RRORDERED, True),
    ("leastrecent", False, _K_LEASTRECENT, True),
    ("fewestcalls", False, _K_FEWESTCALLS, True),
    ("random", False, _K_RANDOM, True),
    ("wrandom", False, _K_WRANDOM, False),
    ("longest-idle", False, _K_LONGEST_IDLE, True),
    # today's names
    ("ring_all", True, _K_FILE, True),
    ("sequential", False, _K_FILE, True),
    ("round_robin", False, _K_ROUND_ROBIN, True),
)
_DEFAULT_STRATEGY = const("ring_all")        # a config without an `agents` section: the old switchboard
_DEFAULT_ACD_STRATEGY = const("longest-idle")  # with one: the fairest for a small office


def _strategy(name):
    # an unknown name (cfgcheck refuses it; an old config) rings as the default
    for spec in _STRATEGIES:
        if spec[0] == name:
            return spec
    return _strategy(_DEFAULT_STRATEGY)


class Ports:
    """Which extension ports are engaged in a call, and the queue (shared by all lines)."""

    def __init__(self, n, agents=None):
        self.n = n
        self.engaged = 0
        self.last_answered = {}  # group name -> index of member that answered last
        self.last_rung = {}      # group name -> file index of the member rung last
        self.last_rung_rank = {}  # group name -> login rank of the member rung last
        self.waiting = []        # legs in the queue: priority first, then place
        self.agents = agents     # agents.Agents (always set by App)
        self.talk = None         # queuetalk.QueueTalk when a group announces (set by App)
        self.remote = None       # remote.Remotes when the config has remote agents (set by App)
        self.places = []         # [number, target, place, left_ms] of callers who hung up waiting

    def free(self, hal, port):
        if port >= self.n:   # a remote agent: no hook switch here (remote.py knows the rest)
            return not (self.engaged & (1 << port))
        return not (self.engaged & (1 << port)) and not hal.ext_offhook(port)

    def my_turn(self, leg, port):
        """True unless a leg ahead of `leg` is waiting for `port` too."""
        for other in self.waiting:
            if other is leg:
                return True
            if other.state == S_QUEUED and other.wants(port):
                return False
        return True

    def position(self, leg):
        """1 for the head of the queue; legs ringing an agent do not count."""
        i = 0
        for other in self.waiting:
            if other is leg:
                return i + 1
            if other.state == S_QUEUED:
                i += 1
        return 0

    def queued_for(self, target):
        n = 0
        for other in self.waiting:
            if other.target == target:
                n += 1
        return n

    def join(self, leg):
        """Into the list at the leg's place: after every higher priority, and
        after the same priority with an earlier (or the same) place."""
        self.leave(leg)
        w = self.waiting
        i = 0
        while i < len(w) and (w[i].priority > leg.priority or
                              w[i].priority == leg.priority and w[i].t_place <= leg.t_place):
            i += 1
        w.insert(i, leg)

    def ahead_of(self, leg):
        """Legs waiting ahead of `leg` for one of its members (a leg ringing an
        agent has that agent already: not counted)."""
        n = 0
        for other in self.waiting:
            if other is leg:
                return n
            if other.state == S_QUEUED or other.state == _S_PAUSE:
                for m in leg.members:
                    if other.wants(m[1]):
                        n += 1
                        break
        return n

    # --- places kept for callers who call again ---------------------------------------
    def remember(self, number, target, place, t):
        pl = self.places
        for e in pl:
            if e[0] == number and e[1] == target:
                pl.remove(e)
                break
        if len(pl) >= MAX_PLACES:
            pl.pop(0)   # the oldest goes: bounded whatever a flood of callers does
        pl.append([number, target, place, t])

    def reclaim(self, number, target, t, window_ms):
        """The place kept for this number and target within the window, used up; or NO_PLACE."""
        pl = self.places
        for e in pl:
            if e[0] == number and e[1] == target:
                pl.remove(e)
                return e[2] if t - e[3] <= window_ms else NO_PLACE
        return NO_PLACE

    def forget(self, same):
        """An erasure (privacy.py): drop the places whose number same() matches."""
        keep = [e for e in self.places if not same(e[0])]
        gone = len(self.places) - len(keep)
        self.places = keep
        return gone

    def leave(self, leg):
        w = self.waiting
        for i in range(len(w)):
            if w[i] is leg:
                w.pop(i)
                return


class Leg:
    def __init__(self, hal, ports, emit, cfg):
        self.hal = hal
        self.ports = ports
        self.emit = emit
        self.cfg = cfg
        self.acd = cfg.get("agents") is not None
        self.lc = None            # the LineCall this leg rings for (set by it: a remote agent's caller)
        self.remote_ok = False    # remote agents may be rung (an inbound caller, no rule against it)
        self._member_ms = 0       # the ring time of the member rung now (a remote one has its own)
        self.state = _S_IDLE
        self.ringing = 0          # bitmask of ports we ring
        self.port = -1            # the port that answered
        self.ext = None
        self.target = None
        self.group = None         # the group's name, None for one extension
        self.g = {}               # the group's config
        self.priority = 0
        self.t_place = 0          # the place in the queue (board ms; earlier is ahead)
        self.number = None        # the caller's number (keeping the place), None when withheld
        self.said_pos = 0         # the last position announced to the caller (queuetalk.py)
        self.n_members = 0
        self.members = []         # [(ext, port, penalty, file index)] of the target, in ring order
        self._idx = 0
        self._all = True          # ring every member at once
        self._t0 = 0              # this round's first ring
        self._t_join = 0          # the route started (the caller's wait)
        self._t_member = 0
        self._until = 0           # end of PAUSE
        self._joined = False      # the leg has waited in the queue (queue_leave is due)
        self._pos0 = 0            # position when it joined
        self._cad = _DEFAULT_CADENCE
        self._cad_t0 = 0
        self._ring_on = False
        self._rounds = False
        self._now = 0             # the last step's time (a cancel from outside leaves then)
        self.timeout_ms = cfg.get("ext_ring_timeout_ms", _DEFAULT_TIMEOUT_MS)
        self.member_ms = cfg.get("member_ring_ms", _DEFAULT_MEMBER_MS)
        self.queue_ms = 0

    # --- what the others ask ------------------------------------------------------
    def wants(self, port):
        for m in self.members:
            if m[1] == port:
                return True
        return False

    def ringing_since(self):
        """Board ms this leg's current ring started, or -1 when it rings nobody."""
        return self._t_member if self.state == _S_RINGING and self.ringing else -1

    def rung_exts(self):
        """The extensions this leg rings now (a pick-up names them)."""
        return [m[0] for m in self.members if self.ringing & (1 << m[1])]

    def take(self, port, ext, t):
        """Another phone picks the call up (a pick-up code, extdial.py): the
        ringing stops and that phone is the one that answered. Not a
        ring-no-answer for the agents rung: someone took the call."""
        self._lost(t, port)
        self._stop_ringing()
        self.ports.engaged |= 1 << port
        self.port = port
        self.ext = ext
        self.state = _S_ANSWERED
        self.ports.agents.answered(port)
        if self.ports.talk is not None:
            self.ports.talk.answered(self, port, t, t - self._t_member)
        self._leave_queue(t, "answered")

    def hand_over(self, other, t):
        """The phone this leg has answered talks to `other`'s caller now (a
        transfer, transfer.py): `other` takes it as the phone that answered, and
        this leg forgets it without ending its call."""
        port = self.port
        ext = self.ext
        self.port = -1
        self.ext = None
        self.state = _S_IDLE
        other.take(port, ext, t)

    def rings_caller(self):
        """The caller hears ringback (an agent rings, or a pause between rounds)."""
        return self.state == _S_RINGING or self.state == _S_PAUSE

    def exit_action(self, digit):
        """The action of a queue exit key pressed while waiting, or None."""
        keys = self.g.get("exit_keys")
        return keys.get(digit) if keys else None

    def waited_ms(self, t):
        """How long the caller has waited since the route started."""
        return t - self._t_join

    def login_rank(self, port):
        seq = self.ports.agents.login_seq
        r = 0
        for m in self.members:
            if seq[m[1]] < seq[port]:
                r += 1
        return r

    # --- start ------------------------------------------------------------------
    def start(self, t_ms, kind, target, cadence=None, priority=0, number=None, place=NO_PLACE, remote=False):
        """Begin ringing. Returns None, or "busy"/"invalid" when nobody can be rung.
        number: the caller's (a group with keep_place_ms gives a returning caller the
        place they had); place: a place kept elsewhere (a call-back request's);
        remote: remote agents may be called for this leg (an inbound caller's)."""
        exts = self.cfg.get("extensions", {})
        self.remote_ok = remote and self.ports.remote is not None
        members = []
        strategy = _DEFAULT_STRATEGY
        g = {}
        self.timeout_ms = self.cfg.get("ext_ring_timeout_ms", _DEFAULT_TIMEOUT_MS)
        self.member_ms = self.cfg.get("member_ring_ms", _DEFAULT_MEMBER_MS)
        self.queue_ms = self.cfg.get("queue_ms", self.timeout_ms)
        if kind == "ext":
            if target in exts:
                members = [target]
        elif kind == "group":
            g = self.cfg.get("groups", {}).get(target) or {}
            members = [m for m in g.get("members", []) if m in exts]
            strategy = g.get("strategy", _DEFAULT_ACD_STRATEGY if self.acd else _DEFAULT_STRATEGY)
            self.queue_ms = g.get("queue_ms", self.queue_ms)
            self.member_ms = g.get("member_ring_ms", self.member_ms)
        if not members:
            return "invalid"
        spec = _strategy(strategy)
        self._all = spec[1]
        self._key = _ORDER_KEYS[spec[2]]
        self._tiered = spec[3]
        pen = g.get("penalty") or {}
        port_of = self.ports.agents.port_by_ext
        self.members = [(m, port_of[m], pen.get(m, 0), i) for i, m in enumerate(members) if m in port_of]
        self.n_members = len(self.members)
        if not self.members:
            return "invalid"
        if "ring_timeout_ms" in g:
            self.timeout_ms = g["ring_timeout_ms"]
            self._rounds = not self._all
        else:
            self._rounds = False
            rem = self.ports.remote if self.remote_ok else None
            if not self._all:
                # the hunt as written: every member gets its ring time (a remote one its own)
                hunt = 0
                for m in self.members:
                    hunt += rem.ring_ms(m[1]) if rem is not None and m[1] >= self.ports.n else self.member_ms
                self.timeout_ms = max(self.timeout_ms, hunt)
            elif rem is not None:
                # all at once: long enough for a remote member to answer and key accept
                for m in self.members:
                    if m[1] >= self.ports.n:
                        self.timeout_ms = max(self.timeout_ms, rem.ring_ms(m[1]))
        self.target = target
        self.group = target if kind == "group" else None
        self.g = g
        self.priority = priority
        self.number = number
        self.said_pos = 0
        self._joined = False
        self._t_join = t_ms
        self.t_place = t_ms
        keep = g.get("keep_place_ms", 0)
        if place == NO_PLACE and keep and number:
            place = self.ports.reclaim(number, target, t_ms, keep)
            if place != NO_PLACE:
                self.emit("place_kept", target=target, ago_ms=t_ms - place)
        if place != NO_PLACE:
            # the place it had: in the list before the first ring, so the legs
            # that came after it do not take the agent it is owed
            self.t_place = place
            self.ports.join(self)
        self._now = t_ms
        self._t0 = t_ms
        self._cad = cadence or _DEFAULT_CADENCE
        self.ringing = 0
        self.state = _S_RINGING
        self._order(t_ms)
        if self._ring_next(t_ms):
            return None
        self.ports.leave(self)
        why = self._refuse() if place == NO_PLACE else None   # a kept place is never 'full'
        if why is not None:
            self.state = _S_IDLE
            self.emit("queue_leave", target=target, reason=why, position=0, waited_ms=0)
            return "busy"
        if self.queue_ms <= 0:
            self.state = _S_IDLE
            return "busy"
        self.state = S_QUEUED   # everyone busy: wait for the first to be free
        self.ports.join(self)
        self._joined = True
        self._pos0 = self.ports.position(self)
        self.emit("queue", target=target, position=self._pos0, priority=priority)
        return None

    def _refuse(self):
        """Why a caller may not join the queue: None, "full" or "no_agents"."""
        mx = self.g.get("max_queue", 0)
        if mx and self.ports.queued_for(self.target) >= mx:
            return "full"
        if self.acd and not self.g.get("join_empty", False) and self._nobody():
            return "no_agents"
        return None

    def _nobody(self):
        ag = self.ports.agents
        for m in self.members:
            if ag.logged_in(m[1], self.group):
                return False
        return True

    def _order(self, t):
        """The ring order for this round: tier, then the strategy's key, then the file."""
        key = self._key
        tiered = self._tiered
        dec = []
        for m in self.members:
            dec.append(((m[2] if tiered else 0), key(self, m[3], m[1], m[2]), m[3], m))
        dec.sort()
        self.members = [d[3] for d in dec]
        self._idx = 0

    def _limit(self, t):
        """The highest penalty that may ring after the caller's wait so far."""
        rules = self.g.get("tiers")
        if not rules:
            return _NO_LIMIT
        lim = 0
        waited = t - self._t_join
        for r in rules:
            if waited >= r[0]:
                lim = r[1]
        return lim

    def _eligible(self, t, m, lim):
        port = m[1]
        if port >= self.ports.n and not (self.remote_ok and self.ports.remote.can_call(port, self.lc, t)):
            return False   # a remote agent: an inbound caller's leg, a free second line
        return (m[2] <= lim and self.ports.free(self.hal, port)
                and self.ports.agents.can_ring(port, t, self.group is not None, self.group)
                and self.ports.my_turn(self, port))

    def _ring_next(self, t_ms):
        """Choose the ports to ring now; False when none is free."""
        self._stop_ringing()
        chosen = 0
        lim = self._limit(t_ms)
        members = self.members
        if self._all:
            # without tier rules the lowest tier with a free member rings, alone
            # (Asterisk's ringall); tier rules open tiers as the caller waits, and
            # every open tier rings together ("after 45 s also ring tier 2")
            tier = -1 if lim == _NO_LIMIT else lim
            for m in members:
                if (tier < 0 or m[2] <= tier) and self._eligible(t_ms, m, lim):
                    chosen |= 1 << m[1]
                    if tier < 0:
                        tier = m[2]
        else:
            while self._idx < len(members):
                m = members[self._idx]
                if self._eligible(t_ms, m, lim):
                    chosen = 1 << m[1]
                    if self.group is not None:
                        self.ports.last_rung[self.group] = m[3]
                        self.ports.last_rung_rank[self.group] = self.login_rank(m[1])
                    break
                self._idx += 1
        if not chosen:
            return False
        n = self.ports.n
        self._member_ms = self.member_ms
        self.ringing = chosen
        self.ports.engaged |= chosen
        self._t_member = t_ms
        self._cad_t0 = t_ms
        self._ring_on = False
        for m in members:
            if chosen & (1 << m[1]):
                if m[1] >= n:
                    self.emit("ext_ring", ext=m[0], port=None, remote=True)
                    self.ports.remote.ring(m[1], self, t_ms)   # the call out on a free line
                    if not self._all:
                        self._member_ms = self.ports.remote.ring_ms(m[1])
                else:
                    self.emit("ext_ring", ext=m[0], port=m[1])
        return True

    def _stop_ringing(self):
        for p in range(self.ports.n):
            if self.ringing & (1 << p):
                self.hal.set_ext_ring(p, False)
        if self.ringing >> self.ports.n:
            for p in range(self.ports.n, self.ports.agents.n):
                if self.ringing & (1 << p):
                    self.ports.remote.cancel(p)   # the call to a remote agent ends too
        self.ports.engaged &= ~self.ringing
        self.ringing = 0
        self._ring_on = False

    def _no_answer(self, t, mask=-1):
        # every phone rung in this attempt (or in mask) let it ring out (RINGNOANSWER each)
        ag = self.ports.agents
        n = self.ports.n
        for m in self.members:
            bit = 1 << m[1]
            if self.ringing & bit & mask:
                if m[1] >= n:
                    why = self.ports.remote.why(m[1]) or "timeout"
                    self.emit("ring_noanswer", ext=m[0], ring_ms=t - self._t_member, remote=True, why=why)
                else:
                    self.emit("ring_noanswer", ext=m[0], ring_ms=t - self._t_member)
                ag.rang_no_answer(m[1], t, t - self._t_member)

    def _lost(self, t, port):
        # the other phones ringing when `port` took the call (a ring-all's losers,
        # the phones a pick-up took it from): ring_lost each, never a ring-no-answer
        # (the agent did nothing wrong; Asterisk's queue_log has no line for them)
        for m in self.members:
            if m[1] != port and self.ringing & (1 << m[1]):
                self.emit("ring_lost", ext=m[0], ring_ms=t - self._t_member)

    def _remote_step(self, t):
        """A remote member's call ended without the accept key (remote.py says why):
        its ring-no-answer now; a hunt goes on to the next member. True when
        nobody is left ringing in this attempt (the round is over)."""
        rem = self.ports.remote
        gone = 0
        for m in self.members:
            if self.ringing & (1 << m[1]) and m[1] >= self.ports.n and rem.why(m[1]) is not None:
                gone |= 1 << m[1]
        if not gone:
            return False
        self._no_answer(t, gone)
        if not self._all:
            self._idx += 1
            return not self._ring_next(t)
        for p in range(self.ports.n, self.ports.agents.n):
            if gone & (1 << p):
                rem.cancel(p)
        self.ports.engaged &= ~gone
        self.ringing &= ~gone
        return not self.ringing

    # --- per block ----------------------------------------------------------------
    def step(self, t_ms):
        """Once per block while ringing or queued. Returns None, "answered", "no_answer" or "busy"."""
        st = self.state
        self._now = t_ms
        if st == S_QUEUED:
            return self._step_queued(t_ms)
        if st == _S_PAUSE:
            if t_ms >= self._until:
                self._order(t_ms)
                self._t_member = t_ms
                if self._ring_next(t_ms):
                    self.state = _S_RINGING
                    return None
                return self._round_over(t_ms)
            return None
        if st != _S_RINGING:
            return None
        hal = self.hal
        n = self.ports.n
        if self.ringing >> n and self._remote_step(t_ms):
            return self._round_over(t_ms)
        # Ring trip: the first ringing phone lifted wins; ringing stops at once.
        for m in self.members:
            port = m[1]
            if self.ringing & (1 << port) and (self.ports.remote.accepted(port) if port >= n
                                               else hal.ext_offhook(port)):
                if port >= n:
                    self.ringing &= ~(1 << port)   # the accepted call is not cancelled with the rest
                self._lost(t_ms, port)
                self._stop_ringing()
                self.ports.engaged |= 1 << port
                self.port = port
                self.ext = m[0]
                self.state = _S_ANSWERED
                self.ports.agents.answered(port)
                if self.group is not None:
                    self.ports.last_answered[self.group] = m[3]
                if self.ports.talk is not None:
                    self.ports.talk.answered(self, port, t_ms, t_ms - self._t_member)
                self._leave_queue(t_ms, "answered")
                return "answered"
        if t_ms - self._t0 >= self.timeout_ms:
            self._no_answer(t_ms)
            self._stop_ringing()
            return self._round_over(t_ms)
        if not self._all and t_ms - self._t_member >= self._member_ms:
            self._no_answer(t_ms)
            self._idx += 1
            if not self._ring_next(t_ms):
                return self._round_over(t_ms)
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

    def _round_over(self, t):
        """Every member was tried (or the ring time is over)."""
        self._stop_ringing()
        if self._rounds and t - self._t0 < self.timeout_ms:
            self.state = _S_PAUSE
            self._until = t + self.g.get("retry_ms", _DEFAULT_RETRY_MS)
            return None
        if self.acd and self.queue_ms > 0 and t - self._t_join < self.queue_ms:
            if not self._joined:
                if self.t_place == self._t_join:
                    self.t_place = t   # a first-come place from now (the ring attempt did not queue)
                self.ports.join(self)
                self._joined = True
                self._pos0 = self.ports.position(self)
                self.state = S_QUEUED
                self.emit("queue", target=self.target, position=self._pos0, priority=self.priority)
            self.state = S_QUEUED   # back to the queue, in the place it had
            return None
        self.cancel("timeout" if self._joined else None)
        return "no_answer"

    def _step_queued(self, t_ms):
        if t_ms - self._t_join >= self.queue_ms:
            self.cancel("timeout")
            return "busy"
        if (t_ms // 10) % _QUEUE_POLL_BLOCKS == 0:
            if self.acd and not self.g.get("join_empty", False) and self._nobody():
                self.cancel("no_agents")   # every agent logged out: leave at once
                return "busy"
            # order (which allocates) only when someone can be rung: a poll that
            # finds everyone busy allocates nothing
            if self._any_eligible(t_ms):
                self._order(t_ms)
                if self._ring_next(t_ms):
                    self.state = _S_RINGING
                    self._t0 = t_ms   # the ring timeout runs from the first ring
        return None

    def _any_eligible(self, t):
        lim = self._limit(t)
        for m in self.members:
            if self._eligible(t, m, lim):
                return True
        return False

    def position(self):
        return self.ports.position(self)

    def _leave_queue(self, t, reason):
        if self._joined:
            self._joined = False
            if reason == "abandoned" and self.number and self.g.get("keep_place_ms", 0):
                self.ports.remember(self.number, self.target, self.t_place, t)
            self.emit("queue_leave", target=self.target, reason=reason, position=self.ports.position(self),
                      waited_ms=t - self._t_join, start_position=self._pos0)
        self.ports.leave(self)

    def cancel(self, reason=None, t=-1):
        """Stop ringing, leave the queue. reason (queue_leave): abandoned, timeout,
        no_agents, exit_key, callback; None when the leg never waited."""
        self._stop_ringing()
        if reason is not None and self._joined:
            self._leave_queue(t if t >= 0 else self._now, reason)
        else:
            self._joined = False
            self.ports.leave(self)
        self.state = _S_IDLE

    def hang_up(self, t=-1):
        """The connected agent leg ends: free its port; the agent's call counted
        and the wrap-up started (when t is given: the call was talked).
        Returns the wrap-up the agent was given (ms, 0: none)."""
        wrap = 0
        if self.port >= 0:
            self.ports.engaged &= ~(1 << self.port)
            if self.port >= self.ports.n:
                self.ports.remote.cancel(self.port)   # the remote agent's line goes on-hook
            if self.ports.talk is not None:
                self.ports.talk.ended(self, self.port, t)
            if t >= 0:
                wrap = self.ports.agents.call_ended(self.port, t, self.g.get("wrapup_ms", -1))
        self.port = -1
        self.ext = None
        self.state = _S_IDLE
        return wrap
