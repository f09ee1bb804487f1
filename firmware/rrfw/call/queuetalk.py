# What a queued caller is told: their position and an estimated wait, from
# the board's own recent calls. Loaded only when a group announces
# (a group's "announce": ["position", "wait"]); router.Ports.talk is then set
# and the legs report each answer and each call's end here.
#
# Position: the legs waiting ahead of this one for one of its agents, plus
# one (a leg already ringing an agent is served: not counted). It is never
# said worse than the last position this caller heard (a priority caller
# who arrives later does not make a waiting caller's number go up), and the
# head of the queue hears "you are next".
#
# The estimate (ms) is built from the caller's place and the agents, not
# from one average for every caller (Asterisk's app_queue says the running
# average of its callers' waits, (3 x old + new) / 4, plus 30 s for the
# rounding, minus the time already waited, whatever the caller's place):
#   - each serving agent of the target (available, or in a call or wrap-up
#     that will end) is free at: now (free), the wrap-up's end, or the end of
#     the call it is in (answered + the mean talk time; a call already longer
#     than the mean is assumed to need half a mean more), plus its wrap-up;
#     an agent ringing for someone else is free after a ring, a talk and a
#     wrap-up, one off-hook on a call of their own after half a mean talk;
#     paused, out or DND agents are not counted;
#   - the callers ahead take the earliest free agent one by one (each for a
#     ring, a talk and a wrap-up), and this caller gets the next one, after
#     the mean ring time.
# Means over the last _HISTORY calls of the target (talk: answer to hang-up;
# ring: the answering agent's ring time). No call measured yet, or nobody
# serving: no estimate (the position alone is said). docs/notes/agents.md
# measures it against Asterisk's formula on a busy run.
#
# Heap: two small int arrays per target with announcements, two scratch
# lists of the ports; the estimate runs once per announcement (announce_ms,
# 15 s at least), never per block.

from rrfw.compat import filled

_HISTORY = const(8)           # calls the means are taken over (recent, not since boot)
_UNDER_MINUTE_MS = const(60000)
_MAX_SAID = const(99)         # the largest number the number prompts say

# the prompts (names on flash; docs/config.md lists what each says)
_P_POSITION = const("queue_position")  # "You are caller number"
_P_NEXT = const("queue_next")         # "You are next in line."
_P_WAIT = const("queue_wait")         # "Your expected wait is about"
_P_UNDER = const("queue_under_minute")  # "Your expected wait is less than a minute."
_P_MINUTE = const("queue_minute")
_P_MINUTES = const("queue_minutes")


def number_names(n):
    """Prompt names that say n (1..99): digit-N, n-10 .. n-19, n-20 .. n-90 (+ digit)."""
    if n > _MAX_SAID:
        n = _MAX_SAID
    if n < 10:
        return ["digit-%d" % n]
    if n < 20 or n % 10 == 0:
        return ["n-%d" % n]
    return ["n-%d" % (n - n % 10), "digit-%d" % (n % 10)]


def prompt_names():
    """Every prompt an announcement may use (the host's validate checks them)."""
    out = [_P_POSITION, _P_NEXT, _P_WAIT, _P_UNDER, _P_MINUTE, _P_MINUTES]
    for i in range(10):
        out.append("digit-%d" % i)
    for i in range(10, 20):
        out.append("n-%d" % i)
    for i in range(20, 100, 10):
        out.append("n-%d" % i)
    return out


class _History:
    # the last _HISTORY talk and ring times of one target, a ring buffer each
    def __init__(self):
        self.talk = filled("i", _HISTORY)
        self.ring = filled("i", _HISTORY)
        self.n = 0      # calls measured (up to _HISTORY count in the means)
        self.i = 0      # next slot

    def add(self, talk_ms, ring_ms):
        self.talk[self.i] = talk_ms
        self.ring[self.i] = ring_ms
        self.i = (self.i + 1) % _HISTORY
        if self.n < _HISTORY:
            self.n += 1

    def means(self):
        k = self.n
        st = 0
        sr = 0
        for j in range(k):
            st += self.talk[j]
            sr += self.ring[j]
        return st // k, sr // k


class QueueTalk:
    def __init__(self, cfg, agents, n_ports):
        self.agents = agents
        self.n = n_ports
        self.t_talk0 = [-1] * n_ports     # board ms the call on each port was answered
        self.ring_ms = [0] * n_ports      # that call's ring time
        self.target = [None] * n_ports    # the target the call came for
        self.hist = {}                    # target -> _History
        for name, g in (cfg.get("groups") or {}).items():
            if g.get("announce"):
                self.hist[name] = _History()
        self._free = [0] * n_ports        # scratch: when each serving agent is free
        self._wrap = [0] * n_ports        # scratch: its wrap-up

    # --- what the legs report ------------------------------------------------------
    def answered(self, leg, port, t, ring_ms):
        self.t_talk0[port] = t
        self.ring_ms[port] = ring_ms
        self.target[port] = leg.target

    def ended(self, leg, port, t):
        t0 = self.t_talk0[port]
        h = self.hist.get(self.target[port])
        if t0 >= 0 and t >= t0 and h is not None:
            h.add(t - t0, self.ring_ms[port])
        self.t_talk0[port] = -1
        self.target[port] = None

    # --- the estimate ----------------------------------------------------------------
    def estimate(self, leg, t):
        """The caller's expected remaining wait (ms), or -1 when the board cannot tell."""
        h = self.hist.get(leg.target)
        if h is None or h.n == 0:
            return -1
        talk, ring = h.means()
        ag = self.agents
        ports = leg.ports
        hal_free = ports.engaged
        group_call = leg.group is not None
        gwrap = leg.g.get("wrapup_ms", -1)
        free = self._free
        wraps = self._wrap
        k = 0
        for m in leg.members:
            p = m[1]
            if not ag.serving(p, group_call, leg.group):
                continue
            w = ag.wrap_ms(p, gwrap)
            t0 = self.t_talk0[p]
            if t0 >= 0:
                left = t0 + talk - t
                if left < talk // 2:
                    left = talk // 2
                f = t + left + w
            elif hal_free & (1 << p):
                f = t + ring + talk + w          # ringing for another caller
            elif t < ag.wrap_until[p]:
                f = ag.wrap_until[p]
            elif p < ports.n and leg.hal.ext_offhook(p):
                f = t + talk // 2                # the agent's own call: half a mean left
            else:
                f = t
            free[k] = f
            wraps[k] = w
            k += 1
        if k == 0:
            return -1
        ahead = ports.ahead_of(leg)
        for j in range(ahead + 1):
            best = 0
            for i in range(1, k):
                if free[i] < free[best]:
                    best = i
            if j == ahead:
                return free[best] - t + ring
            free[best] += ring + talk + wraps[best]
        return -1

    # --- what is said ----------------------------------------------------------------
    def names(self, leg, t):
        """The announcement's prompts (position, then the wait), and its event."""
        what = leg.g.get("announce") or ()
        pos = leg.ports.ahead_of(leg) + 1
        said = pos if leg.said_pos == 0 or pos < leg.said_pos else leg.said_pos
        leg.said_pos = said
        out = []
        if "position" in what:
            if said == 1:
                out.append(_P_NEXT)
            else:
                out.append(_P_POSITION)
                out += number_names(said)
        est = self.estimate(leg, t) if "wait" in what else -1
        mins = -1
        if est >= 0:
            if est < _UNDER_MINUTE_MS:
                mins = 0
                out.append(_P_UNDER)
            else:
                mins = (est + _UNDER_MINUTE_MS // 2) // _UNDER_MINUTE_MS
                out.append(_P_WAIT)
                out += number_names(mins)
                out.append(_P_MINUTE if mins == 1 else _P_MINUTES)
        leg.emit("queue_announce", target=leg.target, position=pos, said=said, wait_ms=est,
                  said_min=mins, waited_ms=leg.waited_ms(t))
        return out
