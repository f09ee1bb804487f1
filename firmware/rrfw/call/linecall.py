# One trunk line's call, as an explicit state machine stepped once per block.
#
# A call's timeline and the states it passes through:
#
#   IDLE ──ring burst validated──▶ RINGING ──Nth ring / caller ID read──▶ (off-hook)
#     ▲                              │ caller gives up before answer: record "missed"
#     │                              ▼
#   GUARD ◀── release ◀── IVR ──route──▶ ROUTING ──agent lifts──▶ CONNECTED
#   (on-hook,             ▲  │            │ no answer / busy:        │ agent or caller
#    settle)              └──┘◀───────────┘ IVR's fallback           │ hangs up
#                                                                    ▼
#                                                                 release
#
# A call-back (the caller asked for one while queued; callbacks.py keeps the
# request and the outbound rules) runs agent first:
#   IDLE --request due, rules pass--> CB_AGENT (ring the agent, line on-hook)
#        --agent lifts--> CB_DIAL (off-hook, dial tone, dial the number, the
#        agent hears the progress) --answer--> CONNECTED
#        --busy / no answer / no dial tone--> release, retried later
#
# 'Learn my line' (console `learn`): the next call goes IDLE -> RINGING ->
# LEARN instead of IVR; linelearn.py measures how the exchange signals the
# caller's hang-up, the report is logged (`line_learned`) and the line released.
#
# In every off-hook state the hang-up detector watches the line (loop-current
# drop, reversal, busy/reorder tone, silence, maximum length): a call can
# always be released, so the office's only number is never left blocked.
from rrfw.compat import const

from rrfw.hal import pcm
from rrfw.call import router
from rrfw.dsp import tonegen

IDLE = const(0)
RINGING = const(1)
IVR = const(2)
ROUTING = const(3)
CONNECTED = const(4)
GUARD = const(5)
BYE = const(6)        # a closing message plays, then the board hangs up
CB_AGENT = const(7)   # call-back: ringing the agent first, line still on-hook
CB_DIAL = const(8)    # call-back: line seized, dialling the caller, agent listening
LEARN = const(9)      # 'learn my line': the technician's call, measured until it hangs up
DISA = const(10)      # DISA: this call bridged through the codec to a seized second line
BRIDGED = const(11)   # this line is the outside leg of another line's DISA call

STATE_NAMES = ("idle", "ringing", "ivr", "routing", "connected", "guard", "bye",
               "cb_agent", "cb_dial", "learn", "disa", "bridged")

# After going on-hook the exchange needs time to clear the call before it can
# ring again; ring pulses in this window are ignored (a CPC or reversal
# after release must not be mistaken for a new call).
# Ringback where the profile has none: US, ANSI T1.401 (440 + 480 Hz, 2 s on 4 s off, -19 dBm0)
DEFAULT_RINGBACK = ((440, 480), (2000, 4000), -19)
DEFAULT_HOLD_PROMPT = ["please_hold"]   # played when the caller joins a queue, and again every:
HOLD_REPEAT_MS = const(30000)           # ms between hold announcements while queued
# Routes that may fail (nobody answers, all busy) before the core releases
# the call whatever the menu says: a loop of fallbacks must end.
MAX_ROUTE_FAILS = const(4)
DISA_DEFAULT_MAX_MS = const(1200000)  # ms: 20 min when the config gives no max_call
DISA_DIAL_GRACE_MS = const(2000)      # ms after seizing before the outside line's hang-up signals count
LEARN_MAX_MS = const(300000)   # ms: a learn call with no hang-up sign ends anyway (5 min)
CALLBACK_AGENT_RETRY_MS = const(60000)  # ms: no agent free for a call-back: look again in a minute
PR_READY = const(1)   # progress.READY: dial tone heard, dial now
PR_DONE = const(4)    # progress.DONE: result holds the outcome
GUARD_MS = const(1500)        # ms; longer than the 0.8 s CPC of Bellcore TR-NWT-000057
DEFAULT_ANSWER_RING = const(2)  # answer on the 2nd ring: caller ID arrives after the 1st
# Caller ID sent before ringing (ETSI EN 300 659-1, BT SIN 227) precedes the
# first ring by well under this; older data on an idle line is not this call's.
CID_BEFORE_RING_MS = const(5000)  # ms


# Per-line hang-up settings the compiled config may carry (lines[i].hangup).
HANGUP_SETTINGS = ("cpc_min_ms", "silence_ms", "max_call_ms", "methods", "busy_tone")


class LineCall:
    def __init__(self, line, hal, cfg, clock, events, records, ports, ivr_cls, dtmf_cls,
                 ring_cls, hangup_cls, cid_cls, player, wall_clock):
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
        self.answer_ring = lcfg.get("answer_on_ring", DEFAULT_ANSWER_RING)
        self.answer_on_cid = lcfg.get("answer_on_callerid", False)
        cadence = None
        self.ext_cadence = None
        ringback = DEFAULT_RINGBACK
        try:
            from rrfw.line import profiles
            prof = profiles.get(self.country)
            cadence = prof.get("ring_cadence_ms")
            if cadence:
                self.ext_cadence = (cadence[0], sum(cadence[1:]))
            ringback = prof["tones"].get("ringback", ringback)
        except (ImportError, KeyError, AttributeError, TypeError):
            pass
        # what the caller hears while an extension rings: the country's ringback
        self.ringback = tonegen.ToneGen(ringback[0], ringback[1], ringback[2])
        self.hold_prompt = cfg.get("hold_prompt", DEFAULT_HOLD_PROMPT)
        self._t_hold = 0
        self.ringdet = ring_cls(cadence=cadence)
        hkw = {}
        for k in HANGUP_SETTINGS:  # only the detector's own settings pass through
            v = lcfg.get("hangup", {}).get(k)
            if v is not None:
                hkw[k] = v
        self.hangup = hangup_cls(profile=self.country, **hkw)
        self.dtmf = dtmf_cls()
        self.cid = cid_cls() if cid_cls else None
        self.ivr = ivr_cls(cfg, player, self.emit, clock=wall_clock)
        self.leg = router.Leg(hal, ports, self.emit, cfg)
        self.state = IDLE
        self.call = None        # call id while a call is up
        self.rec = None         # the call record being built
        self.caller = None
        self._t_state = 0
        self._route_fails = 0   # failed routes in this call (bounded by MAX_ROUTE_FAILS)
        self._bye_reason = None
        self.learner = None     # a LineLearner while the next call is to be learned
        self.peer = None        # the other LineCall of a DISA bridge
        self.siblings = ()      # every line's LineCall (set by App): DISA looks for a free one
        self._disa_max_ms = 0
        self.learned = None     # the last 'learn my line' report
        self.callbacks = None   # set by App: call-back requests and outbound rules
        self._cb_item = None
        self._dialled = False
        self.progress = None    # call progress and DTMF generator: built at the first
        self.dtmfgen = None     # call-back (code and buffers only on boards that call out)

    # --- helpers ------------------------------------------------------------
    def emit(self, event, **fields):
        if self.call is not None and "call" not in fields:
            fields["call"] = self.call
        if "line" not in fields:
            fields["line"] = self.line + 1
        self.events.emit(event, **fields)
        if self.rec is not None and event == "menu":
            path = self.rec["path"]
            if len(path) < 16:  # bounded: a caller looping in menus cannot grow the record
                path.append(fields.get("menu"))
        if self.rec is not None and event == "route":
            self.rec["target"] = fields.get("target")
            if self.rec["route_ms"] is None:
                self.rec["route_ms"] = self.clock.ms   # queue time runs from the first route

    def state_name(self):
        return STATE_NAMES[self.state]

    def ringing_ports(self):
        """Bit mask of the extension ports this line's call is ringing."""
        return self.leg.ringing

    def talking_port(self):
        """The extension port joined to this line in a call, or -1."""
        return self.leg.port if self.state == CONNECTED else -1

    def _to(self, state, t_ms):
        self.state = state
        self._t_state = t_ms

    # --- per block ------------------------------------------------------------
    def step(self):
        t = self.clock.ms
        hal = self.hal
        line = self.line
        rx = hal.rx[line]
        tx = hal.tx[line]
        st = self.state
        if not self.enabled:
            return
        if st == IDLE or st == RINGING:
            self.ringdet.process(hal.ring_pulses(line), t)
            if self.cid is not None:
                self.cid.process(rx, t)
                self._read_callerid()
            ev = self.ringdet.pop()
            while ev is not None:
                if self.state == IDLE:
                    # caller ID sent before the first ring belongs to this call
                    # only if it is recent; anything older was a stray burst
                    if self.caller is None or t - self.caller["t"] > CID_BEFORE_RING_MS:
                        self._new_caller(t)
                    self._to(RINGING, t)
                self.emit("ring", n=ev.get("n", self.ringdet.rings))
                ev = self.ringdet.pop()
            if self.state == RINGING:
                if self.ringdet.rings >= self.answer_ring or (
                        self.answer_on_cid and self.caller["number"] is not None):
                    self._answer(t)
                elif self.ringdet.ended:
                    self._missed(t)
            return
        if st == GUARD:
            if t - self._t_state >= GUARD_MS:
                self._to(IDLE, t)
            return
        if st == CB_AGENT:
            self._cb_agent(t)
            return
        if st == CB_DIAL:
            self._cb_dial(t, rx, tx)
            return
        if st == LEARN:
            self._learn_step(t, rx, tx)
            return
        if st == BRIDGED:
            return   # the DISA call on the peer line drives this one
        # Off-hook states: the far end may hang up at any moment.
        # "playing": the board is sending audio (a prompt, ringback, hold), so a
        # quiet caller is listening, not gone
        method = self.hangup.process(rx, t, hal.loop_current(line), hal.polarity(line),
                                     self.player.busy or st == ROUTING or st == DISA)
        if method is not None:
            self._release(t, "max_length" if method == "max_length" else "caller_hangup", method)
            return
        if st == IVR:
            self.dtmf.process(rx, t, tx)
            digit = None
            ev = self.dtmf.pop()
            if ev is not None:
                digit = ev["digit"]
                if self.ivr.pin_mode:
                    # a PIN being entered: never in the event log or the record
                    self.emit("digit", digit=None, hidden=True, start_ms=ev.get("start_ms"),
                              end_ms=ev.get("end_ms"))
                else:
                    self.emit("digit", digit=digit, start_ms=ev.get("start_ms"), end_ms=ev.get("end_ms"))
                    if len(self.rec["digits"]) < 32:
                        self.rec["digits"] += digit
            action = self.ivr.step(t, digit, self.dtmf.tone_present)
            if action is not None:
                self._act(t, action)
        elif st == DISA:
            self._disa_step(t, rx, tx)
            return
        elif st == BYE:
            if not self.player.busy:
                self._release(t, self._bye_reason, None)
                return
        elif st == ROUTING:
            if self.leg.state == router.S_QUEUED:
                if not self.player.busy and t - self._t_hold >= HOLD_REPEAT_MS:
                    self._t_hold = t
                    self.player.play(self._hold_names())
                if self._queued_key(t, rx, tx):
                    return
            outcome = self.leg.step(t)
            if outcome == "answered":
                hal.xconnect(line, self.leg.port, True)
                self.player.stop()
                self.rec["ext"] = self.leg.ext
                self.rec["wait_ms"] = t - self.rec["answer_ms"]
                self.rec["connect_ms"] = t
                self.emit("connect", ext=self.leg.ext, port=self.leg.port)
                self.ivr.route_result(t, "answered")
                self._to(CONNECTED, t)
            elif outcome is not None:
                self._route_failed(t, outcome)
        elif st == CONNECTED:
            if not hal.ext_offhook(self.leg.port):
                self._release(t, "agent_hangup", None)
                return
        if self.state == ROUTING and self.leg.state == router.S_RINGING and not self.player.busy:
            self.ringback.fill(tx, t)
        else:
            self.player.fill(tx)

    # --- transitions ----------------------------------------------------------
    def _new_caller(self, t):
        self.caller = {"number": None, "name": None, "reason": None, "t": t}
        self._cid_seen = False

    def _read_callerid(self):
        if self.cid is None:
            return
        ev = self.cid.pop()
        while ev is not None:
            if self.caller is None:
                self._new_caller(self.clock.ms)
            self.caller["number"] = ev.get("number")
            self.caller["name"] = ev.get("name")
            self.caller["reason"] = ev.get("reason")
            self._cid_seen = True
            self.emit("callerid", number=ev.get("number"), name=ev.get("name"),
                      reason=ev.get("reason"), standard=ev.get("standard"))
            ev = self.cid.pop()

    def _answer(self, t):
        self.hal.set_hook(self.line, True)
        self.call = self.records.new_call_id()
        if not self._cid_seen:
            self.caller["reason"] = "none_sent"
            self.emit("callerid", number=None, name=None, reason="none_sent", standard=None)
        self.rec = {
            "call": self.call, "line": self.line + 1, "utc": self.wall_clock(),
            "ring_ms": self._t_state, "answer_ms": t, "rings": self.ringdet.rings,
            "caller": self.caller["number"], "caller_name": self.caller["name"],
            "caller_reason": self.caller["reason"], "path": [], "digits": "",
            "target": None, "ext": None, "wait_ms": None, "connect_ms": None, "route_ms": None,
        }
        self._route_fails = 0
        self.emit("answer", rings=self.ringdet.rings)
        self.hangup.reset(t)
        self.dtmf.reset()
        if self.learner is not None:
            # the technician's 'learn my line' call: no menu, just listen
            self.learner.reset(t)
            self.emit("learn_start")
            self._to(LEARN, t)
            return
        self._to(IVR, t)
        self.ivr.start(t, self.caller)

    def _missed(self, t):
        # The caller hung up while it rang: a missed call, still recorded.
        self.call = self.records.new_call_id()
        rec = {"call": self.call, "line": self.line + 1, "utc": self.wall_clock(),
               "ring_ms": self._t_state, "rings": self.ringdet.rings,
               "caller": self.caller["number"], "caller_reason": self.caller["reason"],
               "outcome": "missed", "end_ms": t}
        self.records.append(rec)
        self.emit("release", reason="caller_abandoned_ringing", method=None)
        self.emit("record", record=rec)
        self._reset_idle(t)
        self._to(IDLE, t)

    def _act(self, t, action):
        kind = action[0]
        if kind == "route":
            self.emit("route", kind=action[1], target=action[2])
            failed = self.leg.start(t, action[1], action[2], self.ext_cadence)
            if failed:
                self._route_failed(t, failed)
            else:
                self.ringback.start(t)
                self._t_hold = t - HOLD_REPEAT_MS   # a queued caller hears the hold message at once
                self._to(ROUTING, t)
        elif kind == "hangup":
            self._release(t, action[1] if len(action) > 1 else "ivr_hangup", None)
        elif kind == "disa":
            self._disa_start(t, action[1] if len(action) > 1 else 0)

    # --- DISA: the caller reaches an outside line (only after the IVR's PIN) -------
    # The crosspoint joins lines to extensions only, so the two lines are
    # bridged through the codec: each block, what one line hears is played
    # to the other. The caller hears the second line's dial tone and dials on
    # it (DTMF passes through as audio). Released when either side hangs up
    # or at the config's max_call, whichever comes first (toll fraud guard).
    def _disa_start(self, t, max_ms):
        other = None
        for lc in self.siblings:
            if lc is not self and lc.state == IDLE and not lc.ringdet.ringing:
                other = lc
                break
        if other is None:
            self.emit("disa", ok=False, why="no free line")
            self.player.play(["goodbye"])
            self._bye_reason = "disa_no_line"
            self._to(BYE, t)
            return
        self.peer = other
        other.peer = self
        self._disa_max_ms = max_ms or DISA_DEFAULT_MAX_MS
        self.hal.set_hook(other.line, True)   # seize the outside line
        other.hangup.reset(t)
        other._to(BRIDGED, t)
        self.player.stop()
        self.rec["disa_line"] = other.line + 1
        self.emit("disa", ok=True, outside_line=other.line + 1, max_ms=self._disa_max_ms)
        self._to(DISA, t)

    def _disa_step(self, t, rx, tx):
        peer = self.peer
        hal = self.hal
        # the far end of the outside line may hang up too (its exchange's signals)
        gone = peer.hangup.process(hal.rx[peer.line], t, hal.loop_current(peer.line),
                                   hal.polarity(peer.line), False)
        if gone is not None and t - peer._t_state > DISA_DIAL_GRACE_MS:
            self._release(t, "disa_far_end", gone)
            return
        if t - self._t_state >= self._disa_max_ms:
            self._release(t, "disa_max_length", None)
            return
        pcm.copy16(hal.tx[peer.line], 0, rx, 0, 80)     # caller -> outside line
        pcm.copy16(tx, 0, hal.rx[peer.line], 0, 80)     # outside line -> caller

    def _disa_end(self, t):
        peer = self.peer
        self.peer = None
        if peer is not None:
            peer.peer = None
            self.hal.set_hook(peer.line, False)
            pcm.fill16(self.hal.tx[peer.line], 0, 80)
            peer._reset_idle(t)
            peer._to(GUARD, t)

    # --- 'learn my line' ----------------------------------------------------------
    def learn_next_call(self):
        """The next call on this line is the technician's: measure how the exchange
        signals hang-up (linelearn.py) and propose the line's settings."""
        from rrfw.line import learn as linelearn
        self.learner = linelearn.LineLearner(profile=self.country)

    def _learn_step(self, t, rx, tx):
        hal = self.hal
        lr = self.learner
        lr.process(rx, t, hal.loop_current(self.line), hal.polarity(self.line))
        self.player.fill(tx)
        first = lr._first_sign
        if not lr.done and ((first >= 0 and t - first >= lr.listen_ms) or t - self._t_state >= LEARN_MAX_MS):
            lr.finish(t)   # listened long enough after the first hang-up sign (or nothing came)
        if lr.done:
            rep = lr.report()
            self.learned = rep
            self.emit("line_learned", report=rep)
            self.learner = None
            self.rec["outcome"] = "learn"
            self._release(t, "learned", None)

    # --- queue and call-back -----------------------------------------------------
    def _hold_names(self):
        cb = self.callbacks
        if cb is not None and cb.enabled and self.caller and self.caller.get("number"):
            return self.hold_prompt + ["callback_offer"]   # "...or press 1 to be called back"
        return self.hold_prompt

    def _queued_key(self, t, rx, tx):
        """A key while queued: the call-back key turns the wait into a request."""
        self.dtmf.process(rx, t, tx)
        ev = self.dtmf.pop()
        cb = self.callbacks
        if ev is None or cb is None or ev["digit"] != cb.key:
            return False
        self.emit("digit", digit=ev["digit"], start_ms=ev.get("start_ms"), end_ms=ev.get("end_ms"))
        why = cb.request(self.caller.get("number"), self.rec.get("target"), t, self.wall_clock())
        self.emit("callback_request", number=self.caller.get("number"), ok=why is None, why=why)
        if why is not None:
            self.player.play(["callback_unavailable"])
            return False
        self.leg.cancel()
        self.rec["callback"] = True
        self.player.play(["callback_ok"])
        self._bye_reason = "callback_requested"
        self._to(BYE, t)
        return True

    def start_callback(self, item, t):
        """Begin an outbound call-back on this idle line: ring the agent first."""
        cb = self.callbacks
        self._cb_item = item
        self.call = self.records.new_call_id()
        self.caller = {"number": item["number"], "name": None, "reason": None, "t": t}
        self.rec = {
            "call": self.call, "line": self.line + 1, "utc": self.wall_clock(), "direction": "out",
            "callee": item["number"], "caller": item["number"], "answer_ms": None, "path": [],
            "digits": "", "target": item.get("target"), "ext": None, "wait_ms": None,
            "connect_ms": None, "route_ms": t, "try": item["tries"] + 1,
        }
        cb.attempt(item, t)
        if self.progress is None:
            from rrfw.line import progress
            from rrfw.dsp import dtmfgen
            self.progress = progress.CallProgress(profile=self.country)
            self.dtmfgen = dtmfgen.DtmfGenerator()
        kind = "group" if item.get("target") in self.cfg.get("groups", {}) else "ext"
        self.emit("callback_start", number=item["number"], target=item.get("target"), tries=item["tries"])
        failed = self.leg.start(t, kind, item.get("target"), self.ext_cadence)
        self._route_fails = 0
        if failed:
            self._cb_end(t, "agent_" + failed, counted=False)
            return
        self._to(CB_AGENT, t)

    def _cb_agent(self, t):
        hal = self.hal
        if hal.ring_pulses(self.line):
            # an incoming call wins over a call-back: try again later
            self._cb_end(t, "incoming_call", counted=False)
            return
        outcome = self.leg.step(t)
        if outcome == "answered":
            self.rec["ext"] = self.leg.ext
            # Seize the line, and let the agent hear the progress (dial tone,
            # ringback, busy). Known limit: progress.py takes 0.4 s of voice for
            # the answer, so an agent talking before the callee answers is heard
            # as the answer; agents are told to wait for the callee's voice.
            hal.set_hook(self.line, True)
            hal.xconnect(self.line, self.leg.port, True)
            self.progress.reset(t)
            self._dialled = False
            self.emit("seize", ext=self.leg.ext)
            self._to(CB_DIAL, t)
        elif outcome is not None:
            self._cb_end(t, "agent_" + outcome, counted=False)

    def _cb_dial(self, t, rx, tx):
        hal = self.hal
        line = self.line
        if not hal.ext_offhook(self.leg.port):
            self._cb_end(t, "agent_hangup", counted=False)
            return
        pr = self.progress
        pr.process(rx, t, hal.loop_current(line), hal.polarity(line))
        gen = self.dtmfgen
        if pr.state == PR_READY and not self._dialled and not gen.busy:
            gen.start(self._cb_item["number"])
            self.emit("dial", number=self._cb_item["number"])
        if gen.busy:
            gen.fill(tx)
            if not gen.busy:
                pr.dialled(t)
                self._dialled = True
        else:
            self.player.fill(tx)   # silence
        if pr.state == PR_DONE:
            if pr.result == "answer":
                self.rec["answer_ms"] = t
                self.rec["connect_ms"] = t
                self.emit("connect", ext=self.leg.ext, port=self.leg.port, direction="out")
                self.callbacks.done(self._cb_item, "reached")
                self._cb_item = None
                self.hangup.reset(t)
                self._to(CONNECTED, t)
            else:
                self._cb_end(t, pr.result, counted=True)

    def _cb_end(self, t, outcome, counted):
        """A call-back attempt ended without reaching the caller."""
        item = self._cb_item
        self._cb_item = None
        if counted:
            self.callbacks.failed(item, outcome)
        else:
            item["tries"] -= 1   # not the caller's fault: this try does not count
            item["next_ms"] = t + CALLBACK_AGENT_RETRY_MS
            self.callbacks._save()
        self.leg.cancel()
        if self.leg.port >= 0:
            self.hal.xconnect(self.line, self.leg.port, False)
            self.leg.hang_up()
        self.rec["outcome"] = "callback_" + outcome
        self.state = IVR   # off the call-back paths: _release only closes what is open
        self._release(t, "callback_failed", outcome)

    def _route_failed(self, t, outcome):
        # The IVR decides what a failed route leads to; the core only makes
        # sure a menu whose fallbacks keep failing cannot hold the line forever.
        self.emit("route_failed", outcome=outcome)
        self._route_fails += 1
        if self._route_fails > MAX_ROUTE_FAILS:
            self._release(t, "no_agent", None)
            return
        self._to(IVR, t)
        self.ivr.route_result(t, outcome)

    def _release(self, t, reason, method):
        hal = self.hal
        if self.peer is not None:
            self._disa_end(t)
        if self.state == ROUTING:
            self.leg.cancel()
        if self.state == CONNECTED and self.leg.port >= 0:
            hal.xconnect(self.line, self.leg.port, False)
            self.rec["talk_ms"] = t - self.rec["connect_ms"]
            self.leg.hang_up()
        self.player.stop()
        self.player.fill(hal.tx[self.line])
        hal.set_hook(self.line, False)
        rec = self.rec
        rec["end_ms"] = t
        rec["release"] = reason
        rec["method"] = method
        if "outcome" not in rec:
            rec["outcome"] = "connected" if rec.get("connect_ms") is not None else (
                "abandoned" if reason in ("caller_hangup", "max_length") else reason)
        rec["dtmf_lost"] = self.dtmf.lost
        self.records.append(rec)
        self.emit("release", reason=reason, method=method)
        self.emit("record", record=rec)
        self._reset_idle(t)
        self._to(GUARD, t)

    def force_release(self, t):
        """Release the line whatever state the call is in (after a fault):
        ringing stopped, crosspoint open, on-hook, the record kept."""
        hal = self.hal
        if self.peer is not None:
            self._disa_end(t)   # the outside line of a DISA bridge goes back on-hook too
        self.leg.cancel()
        for p in range(hal.n_exts):
            hal.xconnect(self.line, p, False)
        if self.leg.port >= 0:
            self.leg.hang_up()
        if self.rec is not None and self.state in (IVR, ROUTING, CONNECTED, BYE, LEARN, DISA, CB_DIAL,
                                                    CB_AGENT):
            self.state = IVR   # so _release does not touch the leg again
            self._release(t, "fault", None)
            return
        self.player.stop()
        hal.set_hook(self.line, False)
        self._reset_idle(t)
        self._to(GUARD, t)

    def _reset_idle(self, t):
        self.call = None
        self.rec = None
        self.caller = None
        self.ringdet.reset()
        if self.cid is not None:
            self.cid.reset()
