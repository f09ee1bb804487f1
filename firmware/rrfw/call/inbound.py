# The inbound call on one line (linecall.py owns the line and its release):
#
#   IDLE ──ring burst validated──▶ RINGING ──Nth ring / caller ID read──▶ answer
#     (caller ID before the first ring        │ (when a caller rule needs the number: not
#      counts only if recent; in Japan the    │  before caller ID is read or can no longer come)
#      line answers the CAR signal to read it,
#      still IDLE: line/car.py)
#                                             │ the rings stop first: record "missed", IDLE
#                                             ▼
#                      ┌──────────────────▶  IVR  (the menus: ivr.py; its own deadlines)
#                      │ route failed:        │ route            │ ("hangup", reason): release
#                      │ the IVR's fallback   ▼                  │ ("disa", max): disa.py
#                      └──────────────── ROUTING (router.py: ring, hunt, queue; its own timeouts)
#                                  queued ──call-back key──▶ BYE ("we will call you back")
#                                  (a group's overflow `callback`, its wait over: the same)
#                                             │ agent lifts, or another phone
#                                             │ dials the pick-up code (picked_up), or a
#                                             │ remote agent keys accept (remote.py)
#                                             ▼
#                                         CONNECTED ──agent or caller hangs up──▶ release
#                                             │ ▲ the agent flashes (transfer: a config with
#                                             ▼ │ transfers, line/hookflash.py)
#                                          TRANSFER (transfer.py: hold, dial, consult, supervisor)
#
# While this line's idle pair is lent (another line's transfer, the feature
# codes) a call that rings it is not answered until the pair is back.
#
# Entry actions: answer (off-hook, record opened, IVR started); ROUTING
# (ringback started, hold message due at once when queued); CONNECTED
# (crosspoint joined, or a remote agent's line bridged through the codec;
# the IVR told). In every off-hook state the hang-up
# detector runs first.

from rrfw.call import ivr
from rrfw.call import record
from rrfw.call import router

_IDLE = const(0)   # = states.IDLE
_RINGING = const(1)   # = states.RINGING
_IVR = const(2)   # = states.IVR
_ROUTING = const(3)   # = states.ROUTING
_CONNECTED = const(4)   # = states.CONNECTED
_BYE = const(6)   # = states.BYE

_DEFAULT_HOLD_PROMPT = ["please_hold"]   # played when the caller joins a queue, and again every:
_HOLD_REPEAT_MS = const(30000)           # ms between hold announcements while queued
# Caller ID sent before ringing (ETSI EN 300 659-1, BT SIN 227) precedes the
# first ring by well under this; older data on an idle line is not this call's.
_CID_BEFORE_RING_MS = const(5000)  # ms


class Inbound:
    def __init__(self, lc):
        self.lc = lc
        self.hold_prompt = lc.cfg.get("hold_prompt", _DEFAULT_HOLD_PROMPT)
        self.t_hold = 0          # board ms of the last hold announcement
        self.on_music = False    # the player plays the group's hold music (an announcement may cut it)
        self.ring_t = 0          # board ms the call started ringing (the record's ring_ms)
        self.cid_seen = False    # caller ID was read for the call ringing now
        self.bye_reason = None   # the release reason once the goodbye in BYE has played
        # A caller rule needs the number: answer only once caller ID is read, or
        # once the ring by which the country's exchanges have sent it (cid_rings)
        # has come without it. 0: answer when the line's settings say.
        self.cid_rings = 0
        if lc.cid_cls is not None and ivr.needs_number(lc.cfg):
            try:
                from rrfw.line import profiles
                self.cid_rings = profiles.cid_rings(lc.country)
            except (ImportError, KeyError):
                self.cid_rings = 2

    # --- IDLE and RINGING: on-hook ------------------------------------------------
    def idle_still(self):
        """step_idle does nothing while the line's inputs stay as they are now: no
        pulse, no ring counted, no decoder open, the polarity as last seen, no CAR
        handshake (App.quiet_until: the emulated board may skip such blocks)."""
        lc = self.lc
        rd = lc.ringdet
        if lc.car is not None or lc.cid is not None or rd.ringing or rd.rings or lc.hal.ring_pulses(lc.line):
            return False
        return not lc.cid_alert or lc.hal.polarity(lc.line) == lc.pol

    # An idle line with nothing on it (no ring pulse, no ring being counted, no
    # decoder open: the common block) costs a few attribute tests here.
    def step_idle(self, t):
        lc = self.lc
        hal = lc.hal
        pulses = hal.ring_pulses(lc.line)
        car = lc.car
        if car is not None and lc.state == _IDLE and (lc.lent is None or car.offhook):
            # (a lent pair is not taken off-hook: a transfer's talk would reach the exchange)
            # NTT: answer the CAR signal, read caller ID off-hook, hang up (line/car.py)
            was = car.offhook
            if car.step(pulses, t) != was:
                hal.set_hook(lc.line, car.offhook)
                if car.offhook:
                    self.cid_seen = False   # what the decoder reads now is this call's
                    lc.caller = None
                    lc.listen_cid(t)
                else:
                    lc.cid = None           # the frame is read (or never came): on-hook again
                lc.emit("car", state="offhook" if car.offhook else "onhook")
            if car.done:
                lc.ringdet.reset()     # the ringing that follows starts the count
            if car.offhook:
                lc.cid.process(hal.rx[lc.line], t)
                self._read_callerid(t)
                if self.cid_seen:
                    car.read(t)
                return
        rd = lc.ringdet
        ringing = pulses or rd.ringing or rd.rings
        if ringing:
            rd.process(pulses, t)   # (with no pulse, no burst and no ring counted it does nothing)
        if lc.cid_alert and lc.state == _IDLE:
            # caller ID before the first ring: a line reversal or a ring-pulse alert
            # (EN 300 659-1 6.1) opens the decoder, for _CID_BEFORE_RING_MS after the last one
            pol = hal.polarity(lc.line)
            if pulses or pol != lc.pol:
                lc.pol = pol
                lc.listen_cid(t)
            elif lc.cid is not None and t - lc.cid_t > _CID_BEFORE_RING_MS:
                lc.cid = None       # no ring followed: whatever it was, it was not a call
        cid = lc.cid
        if cid is not None:
            cid.process(hal.rx[lc.line], t)
            self._read_callerid(t)
        if not ringing:
            return
        ev = rd.pop()
        while ev is not None:
            if lc.state == _IDLE:
                # caller ID sent before the first ring belongs to this call
                # only if it is recent; anything older was a stray burst
                if lc.caller is None or t - lc.caller["t"] > _CID_BEFORE_RING_MS:
                    self._new_caller(t)
                self.ring_t = t
                lc.enter(_RINGING, t)
                # caller ID comes after this ring (GR-30-CORE, EN 300 659-1 6.2) or came just before
                lc.listen_cid(t)
            lc.emit("ring", n=ev.get("n", rd.rings))
            ev = rd.pop()
        if lc.state == _RINGING:
            rings = rd.rings
            due = rings >= lc.answer_ring or (lc.answer_on_cid and lc.caller["number"] is not None)
            if due and (self.cid_seen or rings >= self.cid_rings) and lc.lent is None:
                self._answer(t)
            elif rd.ended:
                self._missed(t)

    def _new_caller(self, t):
        self.lc.caller = {"number": None, "name": None, "reason": None, "t": t}
        self.cid_seen = False

    def _read_callerid(self, t):
        lc = self.lc
        ev = lc.cid.pop()
        while ev is not None:
            if lc.caller is None:
                self._new_caller(t)
            lc.caller["number"] = ev.get("number")
            lc.caller["name"] = ev.get("name")
            lc.caller["reason"] = ev.get("reason")
            self.cid_seen = True
            lc.emit("callerid", number=ev.get("number"), name=ev.get("name"),
                    reason=ev.get("reason"), standard=ev.get("standard"))
            ev = lc.cid.pop()

    def _answer(self, t):
        lc = self.lc
        lc.cid = None    # off-hook: no more caller ID for this call (its heap back for the call)
        lc.hal.set_hook(lc.line, True)
        lc.call = lc.records.new_call_id()
        if not self.cid_seen:
            lc.caller["reason"] = "none_sent"
            lc.emit("callerid", number=None, name=None, reason="none_sent", standard=None)
        lc.rec = record.inbound(lc.call, lc.line, lc.wall_clock(), self.ring_t, t, lc.ringdet.rings, lc.caller)
        lc.emit("answer", rings=lc.ringdet.rings)
        lc.hangup.reset(t)
        lc.dtmf.reset()
        if lc.learncall is not None and lc.learncall.armed():
            lc.learncall.start(t)   # the technician's 'learn my line' call: no menu, just listen
            return
        lc.enter(_IVR, t)
        lc.ivr.start(t, lc.caller)

    def _missed(self, t):
        # The caller hung up while it rang: a missed call, still recorded.
        lc = self.lc
        lc.call = lc.records.new_call_id()
        rec = record.missed(lc.call, lc.line, lc.wall_clock(), self.ring_t, lc.ringdet.rings, lc.caller, t)
        lc.records.queue(rec)
        lc.emit("release", reason="caller_abandoned_ringing", method=None)
        lc.emit("record", record=rec)
        lc.reset_idle()
        lc.enter(_IDLE, t)

    # --- off-hook states ----------------------------------------------------------
    def hung_up(self, t, playing):
        """The far end's hang-up (or the call's maximum length): release. True if released.
        playing: the board is sending audio (a prompt, ringback, hold), so a
        quiet caller is listening, not gone."""
        lc = self.lc
        hal = lc.hal
        method = lc.hangup.process(hal.rx[lc.line], t, hal.loop_current(lc.line), hal.polarity(lc.line),
                                   playing)
        if method is None:
            return False
        lc.release(t, "max_length" if method == "max_length" else "caller_hangup", method)
        return True

    def _fill(self, t):
        # what the caller hears: ringback while an extension rings, else the player
        lc = self.lc
        tx = lc.hal.tx[lc.line]
        if lc.state == _ROUTING and lc.leg.rings_caller() and not lc.player.busy:
            lc.ringback.fill(tx, t)
        else:
            lc.player.fill(tx)

    def step_ivr(self, t):
        lc = self.lc
        # a menu waiting for a key has its own deadline (ivr.py): a caller silent
        # while they think is not gone, so silence does not count then
        if self.hung_up(t, lc.player.busy or lc.ivr.awaits_key()):
            return
        hal = lc.hal
        lc.dtmf.process(hal.rx[lc.line], t, hal.tx[lc.line])
        digit = None
        ev = lc.dtmf.pop()
        if ev is not None:
            digit = ev["digit"]
            if lc.ivr.pin_mode:
                # a PIN being entered: never in the event log or the record
                lc.emit("digit", digit=None, hidden=True, start_ms=ev.get("start_ms"), end_ms=ev.get("end_ms"))
            else:
                lc.emit("digit", digit=digit, start_ms=ev.get("start_ms"), end_ms=ev.get("end_ms"))
                record.digit(lc.rec, digit)
        action = lc.ivr.step(t, digit, lc.dtmf.tone_present)
        if action is not None:
            self.act(t, action)
        self._fill(t)   # also on the block an action changed the state: a goodbye starts now

    def step_routing(self, t):
        lc = self.lc
        if self.hung_up(t, True):
            return
        leg = lc.leg
        if leg.state == router.S_QUEUED:
            due = t - self.t_hold >= leg.g.get("announce_ms", _HOLD_REPEAT_MS)
            if due and (not lc.player.busy or self.on_music):
                # the message on time: the music gives way (it starts again after)
                self.t_hold = t
                self.on_music = False
                lc.player.play(self._hold_names(t))
            elif not lc.player.busy and leg.g.get("music"):
                self.on_music = True
                lc.player.play(leg.g["music"])   # hold music between the announcements, looped
            if self._queued_key(t):
                return
        outcome = leg.step(t)
        if outcome == "answered":
            self._connect(t)
        elif outcome is not None:
            self.route_failed(t, outcome)
        self._fill(t)

    def _connect(self, t):
        # CONNECTED's entry: the phone that answered joined to the line (a remote
        # agent: their line bridged to this one through the codec, remote.py)
        lc = self.lc
        leg = lc.leg
        lc.player.stop()
        record.connected(lc.rec, leg.ext, t)
        if leg.port >= lc.hal.n_exts:
            other = leg.ports.remote.bridge(leg.port, lc, t)
            lc.rec["remote_line"] = other.line + 1
            lc.emit("connect", ext=leg.ext, port=None, remote=True, outside_line=other.line + 1)
        else:
            lc.hal.xconnect(lc.line, leg.port, True)
            lc.emit("connect", ext=leg.ext, port=leg.port)
        lc.ivr.route_result(t, "answered")
        lc.enter(_CONNECTED, t)

    def can_pick_up(self, port):
        """This line's call rings an agent's phone (not `port` itself): it may be picked up."""
        lc = self.lc
        return lc.state == _ROUTING and lc.leg.ringing_since() >= 0 and not lc.leg.ringing & (1 << port)

    def picked_up(self, t, port, ext):
        """The phone at `port` dialled the pick-up code (extdial.py has let it go):
        the ringing stops and that phone talks to the caller."""
        lc = self.lc
        rung = ",".join(lc.leg.rung_exts())
        lc.leg.take(port, ext, t)
        lc.emit("pickup", ext=ext, rung=rung)
        self._connect(t)

    def step_connected(self, t):
        lc = self.lc
        if self.hung_up(t, lc.player.busy):
            return
        port = lc.leg.port
        if port >= lc.hal.n_exts:
            # a remote agent: their line copies the audio both ways (remote.py)
            if not lc.leg.ports.remote.up(port):
                lc.release(t, "agent_hangup", None)
            return
        hooks = lc.hooks
        if hooks is None:
            if not lc.hal.ext_offhook(port):
                lc.release(t, "agent_hangup", None)
                return
        elif hooks.flash(port):
            lc.transfer.flash(t)          # the caller on hold, the agent gets dial tone (TRANSFER)
        elif not hooks.offhook(port):
            lc.release(t, "agent_hangup", None)   # on-hook longer than a flash
            return
        elif lc.transfer.refusing(t, lc.hal.tx[lc.line]):
            return                        # a flash found no free pair: the reorder, briefly
        self._fill(t)

    def step_bye(self, t):
        lc = self.lc
        if self.hung_up(t, lc.player.busy):
            return
        if not lc.player.busy:
            lc.release(t, self.bye_reason, None)
            return
        self._fill(t)

    def goodbye(self, t, prompts, reason):
        """Play a closing message, then release with `reason` (BYE)."""
        self.lc.player.play(prompts)
        self.bye_reason = reason
        self.lc.enter(_BYE, t)

    # --- what the IVR asks for ---------------------------------------------------
    def act(self, t, action):
        lc = self.lc
        kind = action[0]
        if kind == "route":
            lc.emit("route", kind=action[1], target=action[2])
            number = lc.caller.get("number") if lc.caller else None
            failed = lc.leg.start(t, action[1], action[2], lc.ext_cadence, lc.ivr.priority, number,
                                  remote=lc.ivr.remote_ok)
            if failed:
                self.route_failed(t, failed)
            else:
                lc.ringback.start(t)
                self.t_hold = t - _HOLD_REPEAT_MS   # a queued caller hears the hold message at once
                lc.enter(_ROUTING, t)
        elif kind == "hangup":
            lc.release(t, action[1] if len(action) > 1 else "ivr_hangup", None)
        elif kind == "disa":
            lc.start_disa(t, action[1] if len(action) > 1 else 0)
        elif kind == "callback":
            self.overflow_callback(t)

    def call_returned(self, t):
        """A transfer nobody took, the agent gone too (transfer.py): the IVR's
        no-answer fallback for the route the call came by."""
        lc = self.lc
        lc.emit("route_failed", outcome="no_answer")
        lc.dtmf.reset()                   # it last heard the agent's dialling, not this caller
        lc.enter(_IVR, t)
        lc.ivr.call_returned(t)

    def route_failed(self, t, outcome):
        # The IVR decides what a failed route leads to, and ends a call whose
        # fallbacks keep failing (ivr.MAX_ROUTE_FAILS: the one limit).
        lc = self.lc
        lc.emit("route_failed", outcome=outcome)
        lc.enter(_IVR, t)
        lc.ivr.route_result(t, outcome)

    # --- queue and call-back -----------------------------------------------------
    def _hold_names(self, t):
        lc = self.lc
        cb = lc.callbacks
        hold = lc.leg.g.get("hold_prompt", self.hold_prompt)   # the group's own, else the line's
        talk = lc.leg.ports.talk
        if talk is not None and lc.leg.g.get("announce"):
            hold = talk.names(lc.leg, t) + hold   # position and wait first (queuetalk.py)
        if cb is not None and cb.enabled and lc.caller and lc.caller.get("number"):
            return hold + ["callback_offer"]   # "...or press 1 to be called back"
        return hold

    def _queued_key(self, t):
        """A key while queued: the call-back key turns the wait into a request."""
        lc = self.lc
        hal = lc.hal
        lc.dtmf.process(hal.rx[lc.line], t, hal.tx[lc.line])
        ev = lc.dtmf.pop()
        if ev is None:
            return False
        cb = lc.callbacks
        act = lc.leg.exit_action(ev["digit"])
        if act is not None and act.get("do") != "callback":
            # an exit key (0: the operator ...): out of the queue on purpose
            lc.emit("digit", digit=ev["digit"], start_ms=ev.get("start_ms"), end_ms=ev.get("end_ms"))
            record.digit(lc.rec, ev["digit"])
            lc.leg.cancel("exit_key", t)
            lc.player.stop()
            lc.enter(_IVR, t)
            lc.ivr.take_action(t, act)
            return True
        if cb is None or not cb.enabled or not (ev["digit"] == cb.key or act is not None):
            return False   # call-backs off: the call-back key is no key at all (nothing offered)
        lc.emit("digit", digit=ev["digit"], start_ms=ev.get("start_ms"), end_ms=ev.get("end_ms"))
        record.digit(lc.rec, ev["digit"])   # the key that took the caller out of the queue
        if self._request_callback(t) is not None:
            self.on_music = False   # this is said whole, never cut by the next announcement
            lc.player.play(["callback_unavailable"])
            return False
        lc.leg.cancel("callback", t)
        self.goodbye(t, ["callback_ok"], "callback_requested")
        return True

    def _request_callback(self, t):
        """A call-back for this caller at the place they had (callbacks.py): None when
        registered, else why not (withheld, the numbering plan, do-not-call ...)."""
        lc = self.lc
        cb = lc.callbacks
        number = lc.caller.get("number") if lc.caller else None
        if cb is None:
            why = "disabled"
        else:
            why = cb.request(number, lc.rec.get("target"), t, lc.wall_clock(),
                             place=lc.leg.t_place, priority=lc.leg.priority)
        lc.emit("callback_request", number=number, ok=why is None, why=why)
        if why is None:
            lc.rec["callback"] = True
        return why

    def overflow_callback(self, t):
        """A group's overflow is a call-back (its wait over, the queue full): the
        request at the caller's place, then goodbye; refused, the caller is told so
        and goes to the operator (or the call ends)."""
        lc = self.lc
        if self._request_callback(t) is None:
            self.goodbye(t, ["callback_ok"], "callback_requested")
            return
        then = lc.cfg.get("operator") or {"do": "hangup", "reason": "no_answer"}
        lc.ivr.take_action(t, {"do": "message", "prompts": ["callback_unavailable"], "then": then})
