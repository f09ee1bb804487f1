# The agents: who may be rung for a group's calls, kept by the board.
#
# An agent is an extension that is a member of a group. With an `agents`
# section in the config the board is a call distributor (ACD): each agent has
# a status the agent sets from the handset (agent feature codes, extdial.py)
# and the board keeps across a reboot (agents.json, replaced atomically), and
# an activity the board sees (ringing, in a call, wrap-up). Without the
# section every agent is always available and nothing is kept: the
# switchboard of before, unchanged.
#
#   status (kept on flash)            activity (the board's own)
#   logged_out ─login─▶ available     ringing    a leg rings the phone (router.py)
#   available ─pause [reason]─▶ paused in_call   a line is joined to the phone
#   paused ─unpause─▶ available       wrapup     wrap-up time after each call
#   any ─dnd─▶ dnd ─dnd_off─▶ available
#   available ─N ring-no-answers in a row─▶ paused (reason "auto"; event)
#
# One group at a time (login_group / logout_group codes, ["agent", what, group]):
# an agent logged in keeps a set of the groups they left (out_of, a bit per
# group, kept on flash with the status):
#   logged_out ─login_group G─▶ available, in G only (out of the others)
#   available ─logout_group G─▶ available, out of G; out of every group they
#                               are a member of ─▶ logged_out
#   any ─login (all)─▶ in every group;  any ─logout (all)─▶ logged_out
# A group's call rings an agent only in the groups they are in.
#
# Remote agents (an extension with a `number`, no port: remote.py calls them
# on a free line) get the ports after the board's own (n_local, n_local + 1,
# ...: file order of their extension numbers), so every list here and the
# router's bit masks cover them like any phone.
#
# Who may be rung (can_ring): a group call rings only an available agent not
# in wrap-up; a call to the extension itself rings anyone but a DND one.
# Off-hook and engaged phones are refused by router.Ports before this.
#
# Sessions on flash: with the distributor on, each status change (login,
# logout, pause, unpause, DND, one group in or out) also goes to `log` (set by
# App: an agent-state record, kind "agent", in the call records' store), so
# the report can tell time logged in and occupancy after the event ring is gone.
#
# Heap: a few bytes per port (two bytearrays, five small-int lists, made
# once); nothing is allocated per block (step() compares one deadline).
import json

from rrfw.store import atomic

PATH = "agents.json"

LOGGED_OUT = const(0)
AVAILABLE = const(1)
_PAUSED = const(2)
_DND = const(3)
_STATUS_NAMES = ("logged_out", "available", "paused", "dnd")
# agent feature codes (cfg feature_codes: ["agent", what, reason or group]) and the status
# each sets: a constant tuple (in flash when frozen; a class dict was made in RAM)
_CODES = (("login", AVAILABLE), ("logout", LOGGED_OUT), ("pause", _PAUSED), ("unpause", AVAILABLE),
          ("dnd", _DND), ("dnd_off", AVAILABLE))

# Wrap-up after a call: Asterisk's wrapuptime and FreeSWITCH's wrap-up-time
# both default to 0 s; a config sets the office's own.
_DEFAULT_WRAPUP_MS = const(0)
# Ring-no-answers in a row before the board pauses an agent: FreeSWITCH's
# sample agent (callcenter.conf.xml) uses max-no-answer 3; 0 turns it off.
_DEFAULT_MAX_NO_ANSWER = const(3)
AUTO_REASON = "auto"        # the pause reason when the board paused the agent
_NO_DEADLINE = const(-1)


def remote_exts(cfg):
    """The remote agents' extension numbers, in the order their ports are given."""
    exts = cfg.get("extensions") or {}
    return [num for num in sorted(exts) if exts[num].get("port") is None and exts[num].get("number")]


class Agents:
    def __init__(self, cfg, n_ports, emit, path=PATH):
        acfg = cfg.get("agents")
        self.on = acfg is not None      # the call distributor: states matter
        acfg = acfg or {}
        self.emit = emit
        self.log = None                 # log(ext, state, reason, group): an agent-state record (App)
        self.path = path
        self.n_local = n_ports          # the board's own phone ports; remote agents after them
        remote = remote_exts(cfg)
        n_ports += len(remote)
        self.n = n_ports
        # groups by bit (login/logout of one group): sorted names; the groups each port is in
        groups = cfg.get("groups") or {}
        self.groups = sorted(groups)
        self.member_of = [0] * n_ports      # bit i: a member of self.groups[i]
        self.out_of = [0] * n_ports         # bit i: logged out of self.groups[i] (kept on flash)
        self.port_by_ext = {}               # extension number -> port (remote agents: n_local + k)
        self.wrapup_ms = acfg.get("wrapup_ms", _DEFAULT_WRAPUP_MS)
        self.max_no_answer = acfg.get("max_no_answer", _DEFAULT_MAX_NO_ANSWER)
        first = LOGGED_OUT if acfg.get("start") == "logged_out" else AVAILABLE
        self.ext = [None] * n_ports     # extension number at each port
        self.status = bytearray(n_ports)
        self.streak = bytearray(n_ports)    # ring-no-answers in a row
        self.reason = [None] * n_ports      # pause reason (a name) or None
        self.own_wrap = [-1] * n_ports      # the extension's own wrap-up ms, -1: the group's
        self.wrap_until = [0] * n_ports     # board ms the wrap-up ends
        self.idle_since = [0] * n_ports     # board ms the agent last became free (longest-idle)
        self.last_end = [0] * n_ports       # board ms the agent's last call ended (leastrecent)
        self.calls = [0] * n_ports          # calls taken since boot (fewestcalls)
        self.login_seq = [0] * n_ports      # order of logging in (rrmemory); file order at boot
        self._next_wrap = _NO_DEADLINE      # the earliest wrap-up end still to announce
        self._seq = 0
        self._rnd = 0x2545F491              # xorshift32 state: a fixed seed, runs repeat exactly
        exts = cfg.get("extensions") or {}
        for k in range(len(remote)):
            self.port_by_ext[remote[k]] = self.n_local + k
        for num in sorted(exts):
            p = exts[num].get("port", -1)
            if 0 <= p < self.n_local:
                self.port_by_ext[num] = p
            p = self.port_by_ext.get(num, -1)
            if p >= 0:
                self.ext[p] = num
                self.status[p] = first if self.on else AVAILABLE
                self.own_wrap[p] = exts[num].get("wrapup_ms", -1)
                self._seq += 1
                self.login_seq[p] = self._seq
        for i in range(len(self.groups)):
            for num in groups[self.groups[i]].get("members") or ():
                p = self.port_by_ext.get(num, -1)
                if p >= 0:
                    self.member_of[p] |= 1 << i
        if self.on:
            self.load()

    # --- what the router asks -----------------------------------------------------
    def port_of(self, ext):
        return self.port_by_ext.get(ext, -1)

    def is_remote(self, port):
        return port >= self.n_local

    def _gbit(self, group):
        try:
            return 1 << self.groups.index(group)
        except ValueError:
            return 0

    def in_group(self, port, group):
        """Not logged out of `group` on its own (None: a call to the extension itself)."""
        return group is None or not self.out_of[port] & self._gbit(group)

    def can_ring(self, port, t, group_call, group=None):
        """May this agent be rung now? (Hook and engagement are router.Ports' part.)
        group: the group's name, when the agent may have logged out of it alone."""
        st = self.status[port]
        if st == _DND:
            return False
        if not group_call:
            return True
        return st == AVAILABLE and t >= self.wrap_until[port] and self.in_group(port, group)

    def serving(self, port, group_call, group=None):
        """Takes calls of this kind now or after the call or wrap-up it is in
        (queuetalk.py counts them for a wait estimate): not paused, out or on DND."""
        st = self.status[port]
        return st == AVAILABLE and self.in_group(port, group) if group_call else st != _DND

    def wrap_ms(self, port, group_wrap_ms):
        """The wrap-up after a call on this port: the extension's own, else the
        group's (>= 0), else the agents section's; 0 without an agents section."""
        if not self.on:
            return 0
        w = self.own_wrap[port]
        if w < 0:
            w = group_wrap_ms if group_wrap_ms >= 0 else self.wrapup_ms
        return w

    def logged_in(self, port, group=None):
        """Counts for 'an agent is there' (join/leave when empty): paused and DND
        agents are there and will be back; logged-out ones (of this group) are not."""
        return self.status[port] != LOGGED_OUT and self.in_group(port, group)

    def rand(self):
        """A pseudo-random 31-bit number (xorshift32, Marsaglia 2003): random and
        wrandom ring orders, the same on every engine."""
        x = self._rnd
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self._rnd = x
        return x & 0x3FFFFFFF

    # --- what happens to an agent --------------------------------------------------
    def rang_no_answer(self, port, t, ring_ms):
        """The agent's ring time ran out (the leg emits ring_noanswer, Asterisk's RINGNOANSWER)."""
        if not self.on:
            return
        if self.streak[port] < 255:
            self.streak[port] += 1
        if self.max_no_answer and self.streak[port] >= self.max_no_answer \
                and self.status[port] == AVAILABLE:
            self.set_status(port, _PAUSED, t, AUTO_REASON, "no_answer")

    def answered(self, port):
        self.streak[port] = 0

    def call_ended(self, port, t, group_wrap_ms):
        """A call on this agent's phone ended: count it, start the wrap-up
        (returned: ms, 0 without one; the call's record keeps it)."""
        self.calls[port] += 1
        self.last_end[port] = t
        if not self.on:
            self.idle_since[port] = t
            return 0
        w = self.wrap_ms(port, group_wrap_ms)
        self.wrap_until[port] = t + w
        self.idle_since[port] = t + w
        if w > 0:
            self.emit("agent", ext=self.ext[port], state="wrapup", until_ms=t + w)
            if self._next_wrap < 0 or t + w < self._next_wrap:
                self._next_wrap = t + w
        return w

    def next_due(self):
        """Board ms of the next wrap-up end step() announces, or -1: none (App.quiet_until)."""
        return self._next_wrap

    def step(self, t):
        """Once per block: announce the wrap-ups that ended (one compare otherwise)."""
        if self._next_wrap < 0 or t < self._next_wrap:
            return
        nxt = _NO_DEADLINE
        for p in range(self.n):
            w = self.wrap_until[p]
            if w > 0 and w <= t:
                self.wrap_until[p] = 0
                self.emit("agent", ext=self.ext[p], state=self.state_name(p, t), why="wrapup_done")
            elif w > t and (nxt < 0 or w < nxt):
                nxt = w
        self._next_wrap = nxt

    def set_status(self, port, st, t, reason=None, why="code", all_groups=False):
        """A new status (login, pause, DND ...): an event, and kept on flash."""
        old = self.status[port]
        if st == AVAILABLE and old != AVAILABLE:
            self.streak[port] = 0
            if t > self.idle_since[port]:
                self.idle_since[port] = t
        if st == AVAILABLE and old == LOGGED_OUT:
            self._seq += 1
            self.login_seq[port] = self._seq
        if st == LOGGED_OUT or all_groups:
            self.out_of[port] = 0   # logged out of all, or into all: no group left apart
        self.status[port] = st
        self.reason[port] = reason if st == _PAUSED else None
        self.emit("agent", ext=self.ext[port], state=_STATUS_NAMES[st], reason=self.reason[port], why=why)
        if self.on:
            self.save()
            if self.log is not None:
                self.log(self.ext[port], _STATUS_NAMES[st], self.reason[port], None)

    def log_all(self):
        """Every agent's status as it is now (at boot, the clock set): one state record each."""
        for p in range(self.n):
            if self.ext[p] is not None:
                self.emit("agent", ext=self.ext[p], state=_STATUS_NAMES[self.status[p]], reason=self.reason[p],
                          why="boot")
                self.log(self.ext[p], _STATUS_NAMES[self.status[p]], self.reason[p], None)

    def set_group(self, port, group, login, t, why="group_code"):
        """Log the agent at `port` into or out of one group (an event, kept on flash).
        Returns the status name, or None when the agent is not a member of it."""
        bit = self._gbit(group)
        if not bit or not self.member_of[port] & bit:
            return None
        st = self.status[port]
        if login:
            if st == LOGGED_OUT:
                # in this group only: out of every other one they are a member of
                self.out_of[port] = self.member_of[port] & ~bit
                self.set_status(port, AVAILABLE, t, None, why)
            self.out_of[port] &= ~bit
        else:
            if st == LOGGED_OUT:
                return _STATUS_NAMES[st]    # out of everything already: confirmed, no change
            self.out_of[port] |= bit
            if not self.member_of[port] & ~self.out_of[port]:
                self.set_status(port, LOGGED_OUT, t, None, why)   # out of the last one
        self.emit("agent", ext=self.ext[port], state="login" if login else "logout", group=group,
                  status=_STATUS_NAMES[self.status[port]], why=why)
        if self.on:
            self.save()
            if self.log is not None:
                self.log(self.ext[port], "login" if login else "logout", None, group)
        return _STATUS_NAMES[self.status[port]]

    def feature(self, port, what, arg, t, why="code"):
        """An agent dialled an agent code on their phone (why "code"), or the admin set
        it from the console (why "console"). Returns (what, status name) or None.
        arg: the pause reason, or the group of login_group / logout_group."""
        if not 0 <= port < self.n or self.ext[port] is None:
            return None
        if what == "login_group" or what == "logout_group":
            st = self.set_group(port, arg, what == "login_group", t,
                                "group_code" if why == "code" else why)
            return None if st is None else (what, st)
        for code in _CODES:
            if code[0] == what:
                st = code[1]
                break
        else:
            return None
        old = self.status[port]
        if what == "unpause" and old != _PAUSED or what == "dnd_off" and old != _DND:
            return None   # nothing to undo: the error tone says so
        if what == "login" and old != LOGGED_OUT and not self.out_of[port]:
            return (what, _STATUS_NAMES[old])   # already in everywhere: confirmed, no change
        if what == "login" and old != LOGGED_OUT:
            st = old                            # back into the groups left, the status kept
        self.set_status(port, st, t, arg if what == "pause" else None, why, what == "login")
        return (what, _STATUS_NAMES[st])

    # --- what status shows -----------------------------------------------------------
    def state_name(self, port, t, ringing=False, talking=False):
        """One word: in_call, ringing, wrapup, else the status."""
        if talking:
            return "in_call"
        if ringing:
            return "ringing"
        if self.on and t < self.wrap_until[port]:
            return "wrapup"
        return _STATUS_NAMES[self.status[port]]

    def groups_out(self, port):
        """The names of the groups the agent is a member of but logged out of."""
        return [self.groups[i] for i in range(len(self.groups)) if self.out_of[port] >> i & 1]

    def shown(self, t, ringing_mask, talking_ports):
        """Every agent for the console's status: [{ext, state, reason, calls, groups_out}]."""
        out = []
        for p in range(self.n):
            if self.ext[p] is not None:
                remote = p >= self.n_local
                out.append({"ext": self.ext[p], "port": None if remote else p, "remote": remote,
                            "state": self.state_name(p, t, bool(ringing_mask & (1 << p)), p in talking_ports),
                            "reason": self.reason[p], "calls": self.calls[p], "no_answer": self.streak[p],
                            "groups_out": self.groups_out(p)})
        return out

    # --- what survives a power cut ---------------------------------------------------
    def saved(self):
        d = {}
        for p in range(self.n):
            if self.ext[p] is not None:
                d[self.ext[p]] = [self.status[p], self.reason[p], self.groups_out(p)]
        return d

    def restore(self, d):
        """Take back saved(), keyed by extension (a port that moved keeps its agent);
        unknown or damaged entries are ignored."""
        if type(d) is not dict:
            return
        for p in range(self.n):
            v = d.get(self.ext[p]) if self.ext[p] is not None else None
            if type(v) is list and 2 <= len(v) <= 3 and type(v[0]) is int and 0 <= v[0] < len(_STATUS_NAMES):
                self.status[p] = v[0]
                self.reason[p] = v[1] if type(v[1]) is str and v[0] == _PAUSED else None
                # the groups left (a file of before per-group login has none); a group
                # since removed from the config, or one no longer joined, is dropped
                out = 0
                if len(v) == 3 and type(v[2]) is list and v[0] != LOGGED_OUT:
                    for g in v[2]:
                        out |= self._gbit(g) if type(g) is str else 0
                self.out_of[p] = out & self.member_of[p]

    def load(self):
        text = atomic.read_text(self.path)
        if text:
            try:
                self.restore(json.loads(text))
            except ValueError:
                pass   # a damaged file: the config's start state

    def save(self):
        atomic.write_atomic(self.path, json.dumps(self.saved()))
