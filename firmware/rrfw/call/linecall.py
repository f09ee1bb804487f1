# One trunk line: its detectors and players, its state, and the flows that
# run on it, stepped once per 10 ms block. The flows are modules of their own:
#   inbound.py   ringing, answer, the IVR, routing, the agent's call   (this file's main job)
#   callout.py   a call-back: the agent first, then the caller is dialled
#   disa.py      a caller bridged to an outside line after the DISA PIN
#   learncall.py the technician's 'learn my line' call
# LineCall owns what every flow shares: the state and its one deadline, the
# release of the line (exit actions per state, then the record), and the
# call record (record.py).
#
# The states, with what ends each one (the deadline, or the event):
#
#   IDLE ──ring burst──▶ RINGING ──Nth ring / caller ID──▶ IVR ◀──┐      (inbound.py)
#     ▲                    │ rings stop: record "missed" ─▶ IDLE  │ route failed
#     │                    │                                      │
#     │                    └─learn armed─▶ LEARN ──deadline LEARN_MAX_MS or report──▶ release
#     │                                  IVR ──route──▶ ROUTING ──agent lifts──▶ CONNECTED
#     │                                  CONNECTED ──agent flashes──▶ TRANSFER ──done / back──▶ CONNECTED
#     │                                    (transfer.py: hold, dial, ring, consult, supervisor)
#     │                                  IVR ──PIN ok──▶ DISA ──deadline max_call──▶ release
#     │                                  IVR / ROUTING ──goodbye──▶ BYE ──prompt ends──▶ release
#   GUARD ◀── release (any off-hook state: caller, agent, max length, fault)
#   (deadline GUARD_MS)
#   IDLE ──outbound job due──▶ CB_AGENT ──agent lifts──▶ OB_READY ──tone / preview key──▶ CB_DIAL
#        CB_DIAL ──callee answers──▶ CONNECTED (a call-back) / OB_TALK ──▶ OB_WRAP ──▶ release
#                                                                         (callout.py, dialer.py)
#   IDLE ──another line's DISA──▶ BRIDGED (that line's call drives this one)              (disa.py)
#   IDLE ──the router rings a remote agent──▶ RA_CALL ──answer──▶ RA_WHISPER ──accept key──▶ RA_TALK
#        (this line calls the agent for another line's caller; every end: on-hook, GUARD) (remote.py)
#
# In every off-hook state the hang-up detector watches the line (loop-current
# drop, reversal, busy/reorder tone, silence, maximum length): a call can
# always be released, so the office's only number is never left blocked.
import gc
import sys

from rrfw.compat import unload

from rrfw.call import record
from rrfw.call import router
from rrfw.dsp import tonegen

# the states' names by number (states.py), for status and records
STATE_NAMES = ("idle", "ringing", "ivr", "routing", "connected", "guard", "bye",
               "cb_agent", "cb_dial", "learn", "disa", "bridged", "ob_ready", "ob_talk", "ob_wrap",
               "ra_call", "ra_whisper", "ra_talk", "transfer")
_IDLE = const(0)   # = states.IDLE
_RINGING = const(1)   # = states.RINGING
_IVR = const(2)   # = states.IVR
_ROUTING = const(3)   # = states.ROUTING
_CONNECTED = const(4)   # = states.CONNECTED
_GUARD = const(5)   # = states.GUARD
_BYE = const(6)   # = states.BYE
_CB_AGENT = const(7)   # = states.CB_AGENT
_CB_DIAL = const(8)   # = states.CB_DIAL
_LEARN = const(9)   # = states.LEARN
_DISA = const(10)   # = states.DISA
_BRIDGED = const(11)   # = states.BRIDGED
_OB_READY = const(12)   # = states.OB_READY
_OB_TALK = const(13)   # = states.OB_TALK
_OB_WRAP = const(14)   # = states.OB_WRAP
_RA_CALL = const(15)   # = states.RA_CALL
_RA_WHISPER = const(16)   # = states.RA_WHISPER
_RA_TALK = const(17)   # = states.RA_TALK
_TRANSFER = const(18)   # = states.TRANSFER
_GUARD_MS = const(1500)   # = states.GUARD_MS
_NO_DEADLINE = const(-1)   # = states.NO_DEADLINE

# the states in which a call record is open (a fault releases them with a record)
_CALL_STATES = (_IVR, _ROUTING, _CONNECTED, _BYE, _LEARN, _DISA, _CB_DIAL, _CB_AGENT, _OB_READY, _OB_TALK, _OB_WRAP,
                _TRANSFER)

# Ringback where the profile has none: US, ANSI T1.401 (440 + 480 Hz, 2 s on 4 s off, -19 dBm0)
_DEFAULT_RINGBACK = ((440, 480), (2000, 4000), -19)
_DEFAULT_ANSWER_RING = const(2)  # answer on the 2nd ring: caller ID arrives after the 1st
_CID_MAKE_IN = const(2)   # blocks from listen_cid to the decoder: a collection's block between (_make_cid)

# Per-line hang-up settings the compiled config may carry (lines[i].hangup).
_HANGUP_SETTINGS = ("cpc_min_ms", "silence_ms", "max_call_ms", "methods", "busy_tone")

# The code of the flows made per call, unloaded when no line runs them (drop_flows):
# callout.py with the dialler, progress, DTMF generator and numbering plan is 2.9 KB of
# module objects on mp32-frozen, an import of all five 0.1 ms there; disa.py 0.6 KB more
# (docs/notes/heap.md). The shared four stay while a module that holds them in its
# globals is loaded (remote agents and transfers are for good), or the next import would
# make a second copy of them.
_FLOW_SHARED = ("rrfw.line.dialler", "rrfw.line.progress", "rrfw.dsp.dtmfgen", "rrfw.call.numplan")
_FLOW_HOLDERS = ("rrfw.call.callout", "rrfw.call.disa", "rrfw.call.remote", "rrfw.call.transfer")


def drop_flows(lines):
    """Unload the per-call flows' code that no line in `lines` runs now."""
    callout = disa = False
    for lc in lines:
        callout = callout or lc.callout is not None
        disa = disa or lc.disa is not None
    if not callout:
        unload("rrfw.call.callout")
    if not disa:
        unload("rrfw.call.disa")
    for name in _FLOW_HOLDERS:
        if name in sys.modules:
            return
    for name in _FLOW_SHARED:
        unload(name)


class LineCall:
    def __init__(self, line, hal, cfg, clock, events, records, ports, ivr_cls, dtmf_cls,
                 ring_cls, hangup_cls, cid_cls, player, wall_clock, like=None):
        self.line = line                  # 0-based
        self.hal = hal
        self.cfg = cfg
        self.clock = clock
        self.events = events
        self.records = records
        self.player = player
        self.wall_clock = wall_clock
        lcfg = {}
        lines = cfg.get("lines", [])
        if line < len(lines):
            lcfg = lines[line]
        self.enabled = line < len(lines)
        self.country = lcfg.get("country", "US")
        self.answer_ring = lcfg.get("answer_on_ring", _DEFAULT_ANSWER_RING)
        self.answer_on_cid = lcfg.get("answer_on_callerid", False)
        cadence = None
        self.ext_cadence = None
        ringback = _DEFAULT_RINGBACK
        rkw = {}
        car = None
        cid_when = None
        try:
            from rrfw.line import profiles
            prof = profiles.get(self.country)
            cid_when = prof.get("cid_when")
            cadence = prof.get("ring_cadence_ms")
            if prof.get("ring_min_on_ms"):
                rkw["min_on_ms"] = prof["ring_min_on_ms"]
            car = prof.get("car_cadence_ms")
            if cadence:
                self.ext_cadence = (cadence[0], sum(cadence[1:]))
            ringback = prof["tones"].get("ringback", ringback)
        except (ImportError, KeyError, AttributeError, TypeError):
            pass
        # what the caller hears while an extension rings: the country's ringback. The
        # ringback depends only on the country, so a line of the same country as `like`
        # (the LineCall made before it) shares its table where it has one (a three-frequency
        # tone, AU: 320 samples, 640 B; tonegen.py plays the others with no table)
        share = like.ringback if like is not None and like.country == self.country else None
        self.ringback = tonegen.ToneGen(ringback[0], ringback[1], ringback[2], share)
        self.ringdet = ring_cls(cadence=cadence, **rkw)
        hkw = {}
        for k in _HANGUP_SETTINGS:  # only the detector's own settings pass through
            v = lcfg.get("hangup", {}).get(k)
            if v is not None:
                hkw[k] = v
        self.hangup = hangup_cls(profile=self.country, **hkw)
        self.dtmf = dtmf_cls()
        # The caller-ID decoder exists only while the line can hear caller ID
        # (listen_cid): from the first ring until the answer, from an alert before
        # the ring (cid_alert), while the CAR handshake is off-hook (Japan). An idle
        # line neither feeds one nor keeps its buffers (about 1.5 KB a line).
        self.cid_cls = cid_cls or None
        self.cid = None
        self.cid_in = 0    # blocks until the decoder asked for is made (listen_cid, step)
        # caller ID sent before the first ring (profiles: cid_when "before_ring", ETSI
        # EN 300 659-1 6.1, BT SIN 227) follows a line reversal or a ring-pulse alert:
        # inbound.step_idle watches for either while the line is idle
        self.cid_alert = cid_cls is not None and cid_when == "before_ring"
        self.cid_t = 0          # board ms the decoder was last asked for (an alert's time)
        self.pol = 1            # the idle line's polarity as last seen (cid_alert lines)
        # NTT caller ID (Japan): the board answers the CAR signal to read it (line/car.py)
        self.car = None
        if car and self.cid_cls is not None:
            from rrfw.line.car import CarHandshake
            self.car = CarHandshake(car)
        self.ivr = ivr_cls(cfg, player, self.emit, clock=wall_clock)
        self.leg = router.Leg(hal, ports, self.emit, cfg)
        self.leg.lc = self       # a remote agent's call needs the caller's line (remote.py)
        self.state = _IDLE
        self.busy_mask = None   # set by App: [bit mask of the board's lines not IDLE] (App.idle)
        self.deadline = _NO_DEADLINE  # the current state's one deadline (board ms), if it has one
        self.idle_since = 0     # board ms the line last went idle
        # an abandon shorter than this is a short one (the config's service_level, as the report
        # reads it; the board's check does not look at that section, so a bad one is ignored here)
        sl = cfg.get("service_level")
        sa = sl.get("short_abandon_ms") if type(sl) is dict else None
        self.short_ms = sa if type(sa) is int and sa >= 0 else record.SHORT_ABANDON_MS
        self.call = None        # call id while a call is up
        self.rec = None         # the call record being built (record.py)
        self.caller = None      # {"number", "name", "reason", "t"} of the call ringing or up
        self.siblings = ()      # every line's LineCall (set by App): DISA looks for a free one
        self.callbacks = None   # set by App: call-back requests and outbound rules
        self.learned = None     # the last 'learn my line' report
        self.learner = None     # a LineLearner while the next call is to be learned
        self.peer = None        # the other LineCall of a DISA bridge
        self.lent = None        # who uses this idle line's pair (a transfer's LineCall, the feature
                                # codes' session): not free, and it holds off answering meanwhile
        self.transfer = None    # transfer.Transfer when the config has transfers (set by App)
        self.hooks = None       # line/hookflash.HookFlash: flashes on the phones (set by App)
        from rrfw.call import inbound
        self.inbound = inbound.Inbound(self)
        self.callout = None     # callout.Callout, made for each call-back, dropped at its release
        self.disa = None        # disa.Disa, made for each DISA call on this line, dropped at its release
        self.learncall = None   # learncall.LearnCall, made when a learn call is armed
        self.remote = None      # remote.RemoteCall, made at this line's first call to a remote agent

    # --- what the other parts of the board ask of a line ------------------------
    def state_name(self):
        return STATE_NAMES[self.state]

    def idle_for(self, t_ms):
        """How long the line has been idle (ms), or -1 when it is not idle (or its pair is lent)."""
        return t_ms - self.idle_since if self.state == _IDLE and self.lent is None else -1

    def ringing_ports(self):
        """Bit mask of the extension ports this line's call is ringing."""
        if self.state == _TRANSFER:
            return self.leg.ringing | self.transfer.leg.ringing
        return self.leg.ringing

    def talking_port(self):
        """The extension port joined to this line in a call, or -1."""
        return self.leg.port if self.state == _CONNECTED or self.state == _OB_TALK or self.state == _TRANSFER else -1

    def free_for_outside_leg(self):
        """Idle and not about to ring: may be seized as another call's outside line."""
        return (self.state == _IDLE and self.lent is None and not self.ringdet.ringing
                and (self.car is None or not self.car.offhook))

    def listen_cid(self, t):
        """Caller ID may come from now on: the decoder, made if the line has none,
        two blocks later (step: _CID_MAKE_IN) but at once for the NTT handshake,
        which reads it off-hook in this very block (inbound.py)."""
        self.cid_t = t
        if self.cid is None and self.cid_cls is not None:
            if self.car is not None:
                gc.collect()   # (why: _make_cid)
                self.cid = self._new_cid()
            elif not self.cid_in:
                self.cid_in = _CID_MAKE_IN
        return self.cid

    def _make_cid(self):
        # The decoder is 1.5 KB in arrays of up to ~400 bytes, made at a call's first
        # ring: after a collection they fill the lowest holes, not the top above the
        # garbage (made among it, they failed busy runs near the heap gate: heap.md
        # "Branch frag"). The ring's block has its event and the call's start: the
        # collection goes in the next block, the decoder in the one after, 20 ms after
        # the ring (caller ID comes after the ring, or 100 ms or more after an alert:
        # EN 300 659-1, GR-30-CORE)
        self.cid_in -= 1
        if self.cid is not None or (self.state != _IDLE and self.state != _RINGING):
            self.cid_in = 0        # made already, or the call was answered in between
        elif self.cid_in:
            gc.collect()
        else:
            self.cid = self._new_cid()

    def _new_cid(self):
        # on-hook, the DTMF receiver hears nothing: its state array is the decoder's
        # (the answer's dtmf.reset() takes it back; the decoder is dropped first)
        return self.cid_cls(scratch=self.dtmf.lend())

    def emit(self, event, **fields):
        if self.call is not None and "call" not in fields:
            fields["call"] = self.call
        if "line" not in fields:
            fields["line"] = self.line + 1
        self.events.emit(event, **fields)
        if self.rec is not None:
            record.note(self.rec, event, fields, self.clock.ms)

    def enter(self, state, t_ms, deadline=_NO_DEADLINE):
        """Go to `state` at t_ms, with its deadline (board ms) if it has one."""
        self.state = state
        self.deadline = deadline
        if state != _IDLE and state != _RINGING:
            self.cid = None   # no caller ID off these states; its arrays are the DTMF receiver's (_new_cid)
        m = self.busy_mask
        if state == _IDLE:
            self.idle_since = t_ms
            if m is not None:
                m[0] &= ~(1 << self.line)
        elif m is not None:
            m[0] |= 1 << self.line

    # --- per block --------------------------------------------------------------
    def step(self):
        if not self.enabled:
            return
        if self.cid_in:
            self._make_cid()
        _STEPS[self.state](self, self.clock.ms)

    # --- actions the IVR asks for (inbound.py) and flows started from outside -----
    def act(self, t, action):
        """Carry out an IVR action: ("route", kind, target), ("hangup", reason), ("disa", max_ms)."""
        self.inbound.act(t, action)

    def start_disa(self, t, max_ms):
        if self.disa is None:
            from rrfw.call import disa
            self.disa = disa.Disa(self)
        self.disa.start(t, max_ms)

    def start_bridged(self, t, peer, grace_ms):
        """Seize this idle line as the outside leg of `peer`'s DISA call."""
        self.peer = peer
        self.hal.set_hook(self.line, True)
        self.hangup.reset(t)
        self.enter(_BRIDGED, t, t + grace_ms)

    def start_remote(self, remotes, port, leg, t):
        """Call the remote agent at `port` on this idle line for `leg`'s caller (remote.py)."""
        if self.remote is None:
            from rrfw.call import remote
            self.remote = remote.RemoteCall(self)
        self.remote.start(remotes, port, leg, t)

    def start_outbound(self, dialer, job, t):
        """Begin an outbound attempt (a call-back, a campaign's number) on this
        idle line: ring the reserved agent first (callout.py)."""
        self.make_callout()
        self.callout.start(dialer, job, t)

    def make_callout(self):
        """The outbound attempt's code and objects (callout.py: its dialler,
        progress detector, tone; 5-6 KB): the App makes them a block before
        start_outbound, so no one block does both (docs/notes/heap.md)."""
        if self.callout is None:
            from rrfw.call import callout
            self.callout = callout.Callout(self)

    def forget_callout(self):
        """A Callout made for an attempt that never started (the line rang in
        between): dropped with its code, as at a release."""
        if self.callout is not None and self.callout.job is None:
            self.callout = None
            drop_flows(self.siblings or (self,))

    def learn_next_call(self):
        """The next call on this line is the technician's: measure how the exchange
        signals hang-up (line/learn.py) and propose the line's settings."""
        if self.learncall is None:
            from rrfw.call import learncall
            self.learncall = learncall.LearnCall(self)
        self.learncall.arm()

    # --- release: one way out of every state ------------------------------------
    def _exit_actions(self, t):
        # what the current state has open, closed before the line goes on-hook
        st = self.state
        if self.peer is not None:
            self._end_bridge(t)
        if st == _ROUTING:
            since = self.leg.ringing_since()
            if since >= 0:
                for ext in self.leg.rung_exts():   # the phones ringing when the caller gave up
                    record.rung(self.rec, ext, t - since, "hangup", t)
            self.leg.cancel("abandoned", t)   # the caller hung up while waiting or ringing
        elif st == _CONNECTED and self.leg.port >= 0:
            if self.leg.port < self.hal.n_exts:   # a remote agent's line: leg.hang_up ends it
                self.hal.xconnect(self.line, self.leg.port, False)
            record.talk_ended(self.rec, t)
            record.wrapped(self.rec, self.leg.hang_up(t))
        elif st == _TRANSFER:
            self.transfer.close(t)
            if self.leg.port >= 0:        # the agent still had the caller (on hold)
                self.hal.xconnect(self.line, self.leg.port, False)
                record.talk_ended(self.rec, t)
                record.wrapped(self.rec, self.leg.hang_up(t))
        elif st == _CB_AGENT or st == _CB_DIAL or st == _OB_READY or st == _OB_TALK or st == _OB_WRAP:
            self.callout.close(t)

    def _end_bridge(self, t):
        from rrfw.call import disa
        disa.end(self, t)

    def release(self, t, reason, method, close=True):
        """On-hook, the record closed and kept, the line guarded before it may ring again."""
        hal = self.hal
        if close:
            self._exit_actions(t)
        self.player.stop()
        self.player.fill(hal.tx[self.line])
        hal.set_hook(self.line, False)
        rec = record.close(self.rec, t, reason, method, self.dtmf.lost, self.short_ms)
        self.records.queue(rec)   # on flash in the next blocks (records.py; record_lost if refused)
        self.emit("release", reason=reason, method=method)
        self.emit("record", record=rec)
        self.reset_idle()
        self.enter(_GUARD, t, t + _GUARD_MS)

    def force_release(self, t, reason="fault"):
        """Release the line whatever state the call is in (after a fault, or
        cut for the REPL: reason "repl"): ringing stopped, crosspoint open,
        on-hook, the record kept."""
        hal = self.hal
        if self.peer is not None:
            self._end_bridge(t)   # the outside line of a DISA bridge goes back on-hook too
        if self.state == _TRANSFER:
            self.transfer.close(t)
        self.leg.cancel()
        if self.callout is not None:
            self.callout.fault(t)   # an outbound attempt under way: counted as interrupted
        if self.remote is not None and self.state in (_RA_CALL, _RA_WHISPER, _RA_TALK):
            self.remote.fault(t)    # the remote agent's call ends: the caller's leg sees it
        for p in range(hal.n_exts):
            hal.xconnect(self.line, p, False)
        if self.leg.port >= 0:
            self.leg.hang_up(t)
        if self.rec is not None and self.state in _CALL_STATES:
            self.release(t, reason, None, close=False)   # everything is closed already
            return
        self.player.stop()
        hal.set_hook(self.line, False)
        self.reset_idle()
        self.enter(_GUARD, t, t + _GUARD_MS)

    def reset_idle(self):
        self.call = None
        self.rec = None
        self.caller = None
        # a call-back's or DISA call's detector and generator go with its call
        # (heap: 5.8 KB a line, US), and their code with the last such call on the board
        if self.callout is not None or self.disa is not None:
            self.callout = None
            self.disa = None
            drop_flows(self.siblings or (self,))
        self.ringdet.reset()
        if self.car is not None:
            self.car.reset()
        self.cid = None    # the next call's caller ID starts a decoder of its own
        self.cid_in = 0


# The step for each state (indexed by state, LineCall.step): one dispatch, no
# branches. Plain functions of (line call, ms) in one table for every line: a
# tuple of bound methods made for each LineCall was 19 objects on every line.
def _step_idle(lc, t):
    lc.inbound.step_idle(t)


def _step_ivr(lc, t):
    lc.inbound.step_ivr(t)


def _step_routing(lc, t):
    lc.inbound.step_routing(t)


def _step_connected(lc, t):
    lc.inbound.step_connected(t)


def _step_bye(lc, t):
    lc.inbound.step_bye(t)


def _step_guard(lc, t):
    if t >= lc.deadline:
        lc.enter(_IDLE, t)


def _step_cb_agent(lc, t):
    lc.callout.step_agent(t)


def _step_cb_dial(lc, t):
    lc.callout.step_dial(t)


def _step_ob_ready(lc, t):
    lc.callout.step_ready(t)


def _step_ob_talk(lc, t):
    lc.callout.step_talk(t)


def _step_ob_wrap(lc, t):
    lc.callout.step_wrap(t)


def _step_learn(lc, t):
    lc.learncall.step(t)


def _step_disa(lc, t):
    lc.disa.step(t)


def _step_bridged(lc, t):
    pass   # the DISA call on the peer line drives this one


def _step_ra_call(lc, t):
    lc.remote.step_call(t)


def _step_ra_whisper(lc, t):
    lc.remote.step_whisper(t)


def _step_ra_talk(lc, t):
    lc.remote.step_talk(t)


def _step_transfer(lc, t):
    lc.transfer.step(t)


_STEPS = (_step_idle, _step_idle, _step_ivr, _step_routing, _step_connected, _step_guard, _step_bye,
          _step_cb_agent, _step_cb_dial, _step_learn, _step_disa, _step_bridged, _step_ob_ready,
          _step_ob_talk, _step_ob_wrap, _step_ra_call, _step_ra_whisper, _step_ra_talk, _step_transfer)
