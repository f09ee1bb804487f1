# One outbound attempt on one line, agent first (dialer.py picks the job and
# the agent and keeps the rules; linecall.py owns the line). A called person
# never answers to silence: the agent is on the line before it is seized.
#
#   IDLE ──job due, rules passed──▶ the number against the line's plan (numplan.py)
#       └─ refused (*72..., premium, international...) ──▶ release "callback_refused" /
#          "campaign_refused", the job closed: no agent rung, the line never seized
#   CB_AGENT: ring the reserved agent, line on-hook
#       ├─ a call rings in on the line           ──▶ release, try again later (not counted)
#       ├─ the agent does not answer / is busy   ──▶ release, try again later (not counted)
#       └─ the agent lifts: the agent's phone joined to the line's pair, on-hook
#   OB_READY (deadline: the tone's end; preview: the agent's key, PREVIEW_MS)
#       progressive: a short tone tells the agent a call is coming ──▶ seize
#       preview: the number is read out (prompts digit-0..9), the agent keys
#                PREVIEW_DIAL to dial or PREVIEW_SKIP to skip (the number is
#                closed as skipped, no dial); no key in PREVIEW_MS: not counted
#       ├─ a call rings in / the agent hangs up  ──▶ release (not counted)
#   CB_DIAL: seize, wait for dial tone, dial, the agent hears the progress
#       ├─ the agent hangs up                    ──▶ release (not counted)
#       ├─ busy / no answer / no dial tone / sit ──▶ release, the result per dialer.py
#       └─ the callee answers ──▶ call-back: CONNECTED (inbound.py's step from here)
#                              └▶ campaign:  OB_TALK
#   OB_TALK: agent and callee talk; the line's hang-up detector runs
#       ├─ the callee presses the opt-out key    ──▶ on the do-not-call list (flash) first,
#       │     then the confirmation tone for OPTOUT_MS, then the line on-hook ──▶ OB_WRAP
#       ├─ the callee hangs up                   ──▶ line on-hook ──▶ OB_WRAP
#       └─ the agent hangs up                    ──▶ release (no disposition)
#   OB_WRAP (deadline wrap_ms): line on-hook, the agent's phone still on its pair;
#       a beep asks for the disposition key; the keyed code (and for "call back
#       later" up to four digits HHMM, the called person's local time)
#       ├─ a code keyed (then LATER_MS for HHMM) ──▶ release with it
#       ├─ the agent hangs up / a call rings in / the deadline ──▶ release (as keyed so far)
#
# The dialler (line/dialler.py: progress detector and DTMF generator) is built for each outbound
# attempt and dropped when its line is released (LineCall.reset_idle): their
# code and buffers are only on boards that call out, and only while they do.
from rrfw.compat import unload

from rrfw.call import record
_CB_AGENT = const(7)   # = states.CB_AGENT
_CB_DIAL = const(8)   # = states.CB_DIAL
_CONNECTED = const(4)   # = states.CONNECTED
_OB_READY = const(12)   # = states.OB_READY
_OB_TALK = const(13)   # = states.OB_TALK
_OB_WRAP = const(14)   # = states.OB_WRAP
from rrfw.hal import pcm
from rrfw.line import dialler

_AGENT_TONE_MS = const(400)     # ms: the tone the agent hears on lifting, then the line is seized
_PREVIEW_MS = const(15000)      # ms the agent has to key dial or skip after the number is read
# the preview's keys: "1" dial, "2" skip (literals in step_ready: a str global is a dict slot)
_OPTOUT_MS = const(2000)        # ms of confirmation the callee hears after the opt-out key
_DEFAULT_WRAP_MS = const(15000)  # ms the agent has to key a disposition
_LATER_MS = const(4000)         # ms after "call back later" for the HHMM digits
# Tones, played by the dialler's DTMF generator (dsp/dtmfgen.py tone(): the flash
# sine, no table in RAM), while it does not dial: the agent's "a call is coming"
# beep (also the disposition's), one 440 Hz burst (the ANSI T1.401 call-waiting
# tone's frequency), the rest of AGENT_TONE_MS silent; confirmation: three short
# 440 Hz beeps (extdial.py's, a common PBX acknowledgment), then silence.
_TONE_HZ = const(440)          # Hz, both tones (const ints: no slot in the module's dict)
_AGENT_DBM0 = const(-16)       # dBm0, the agent's beep
_AGENT_ON_MS = const(300)      # ms on
_CONFIRM_DBM0 = const(-13)     # dBm0, the confirmation
_CONFIRM_MS = const(100)       # ms on (and off)
_CONFIRM_BEEPS = const(3)


# Loaded by an attempt's start (LineCall.start_outbound), unloaded when the last
# attempt on any line ends (linecall.py drop_flows). The tone tables are constants
# in flash (tonetab.py): nothing to make at boot.


class Callout:
    def __init__(self, lc):
        self.lc = lc
        # the line's hang-up detector is idle until the callee answers: call progress
        # shares its busy and reorder matchers (line/progress.py)
        self.dialler = dialler.Dialler(lc.country, lc.hangup.tones)
        self.dialer = None     # set by start (the App's dialer)
        self.job = None        # the job being called
        self.number = None     # its number as dialled: digits that passed the plan
        self.t_dialled = 0     # board ms the number had been sent
        self.preview = False
        self.opted_out = False
        self.disposition = None
        self.later = ""        # HHMM digits after "call back later"
        self.reason = None     # how the talk ended (the release's reason, method)
        self.method = None

    def start(self, dialer, job, t):
        lc = self.lc
        self.dialer = dialer
        self.job = job
        self.opted_out = False
        self.disposition = None
        self.later = ""
        utc = lc.wall_clock()
        dialer.begin(job, utc)                 # on flash as active before anything happens
        lc.call = lc.records.new_call_id()
        lc.caller = {"number": job["number"], "name": None, "reason": None, "t": t}
        lc.rec = record.attempt(lc.call, lc.line, utc, job["kind"], job["number"], job.get("target"),
                                job["tries"], job.get("name"))
        lc.rec["route_ms"] = t
        # never trust the stored number: the list is a file, the config may have changed
        from rrfw.call import numplan   # for this check only: forgotten after it (numplan.once)
        number, why = numplan.once(job["number"], lc.country, dialer.callbacks.allow)
        if why is not None:
            lc.emit("dial_refused", number=str(number)[:24], why=why, flow=job["kind"])
            lc.rec["result"] = "refused"
            lc.rec["outcome"] = job["kind"] + "_refused"
            dialer.end(job, "refused", utc, why)   # closed: never dialled, never retried
            self.job = None
            lc.release(t, job["kind"] + "_refused", why, close=False)
            return
        self.number = number
        self.preview = job["kind"] == "campaign" and dialer.campaign.mode == "preview"
        lc.emit(job["kind"] + "_start", number=job["number"], target=job.get("target"),
                ext=job["ext"], tries=job["tries"])
        if job.get("place") is not None:
            # a call-back that kept its caller's queue place: it waits in the queue
            # at that place, served in turn with the live callers (router.py)
            kind = "group" if job.get("target") in lc.cfg.get("groups", {}) else "ext"
            failed = lc.leg.start(t, kind, job.get("target"), lc.ext_cadence, job.get("pri", 0),
                                  None, job["place"])
        else:
            failed = lc.leg.start(t, "ext", job["ext"], lc.ext_cadence)
        if failed:
            self._end(t, "agent_" + failed)
            return
        lc.enter(_CB_AGENT, t)

    # --- CB_AGENT ----------------------------------------------------------------------
    def step_agent(self, t):
        lc = self.lc
        hal = lc.hal
        if hal.ring_pulses(lc.line):
            self._end(t, "incoming_call")   # an incoming call wins over an outbound one
            return
        outcome = lc.leg.step(t)
        if outcome == "answered":
            record.agent(lc.rec, lc.leg.ext)
            hal.xconnect(lc.line, lc.leg.port, True)   # on-hook: the agent hears the board only
            if self.preview:
                lc.dtmf.reset()
                names = []
                for d in self.number:
                    names.append("digit-" + d)
                lc.player.play(names)
                lc.emit("preview", ext=lc.leg.ext, number=self.number)
                lc.enter(_OB_READY, t, t + _PREVIEW_MS)
            else:
                self._beep()
                lc.enter(_OB_READY, t, t + _AGENT_TONE_MS)
        elif outcome is not None:
            self._end(t, "agent_" + outcome)

    # --- OB_READY ----------------------------------------------------------------------
    def step_ready(self, t):
        lc = self.lc
        hal = lc.hal
        tx = hal.tx[lc.line]
        if hal.ring_pulses(lc.line):
            self._end(t, "incoming_call")
            return
        if not hal.ext_offhook(lc.leg.port):
            self._end(t, "agent_hangup")
            return
        if not self.preview:
            if not self.dialler.generator().fill(tx):
                pcm.fill16(tx, 0, 80)
            if t >= lc.deadline:
                self._seize(t)
            return
        lc.player.fill(tx)
        lc.dtmf.process(hal.rx[lc.line], t, tx)
        ev = lc.dtmf.pop()
        key = ev["digit"] if ev is not None else None
        if key == "1":     # dial
            lc.player.stop()
            lc.emit("preview_key", ext=lc.leg.ext, key=key, what="dial")
            self._seize(t)
        elif key == "2":   # skip
            lc.emit("preview_key", ext=lc.leg.ext, key=key, what="skip")
            self._end(t, "skipped")
        elif t >= lc.deadline:
            self._end(t, "agent_no_key")

    def _seize(self, t):
        # Seize the line and let the agent hear the progress (dial tone,
        # ringback, busy). Known limit: progress.py takes 0.4 s of voice for
        # the answer, so an agent talking before the callee answers is heard
        # as the answer; agents are told to wait for the callee's voice.
        lc = self.lc
        lc.hal.set_hook(lc.line, True)
        self.dialler.start(self.number, t)
        lc.emit("seize", ext=lc.leg.ext)
        lc.enter(_CB_DIAL, t)

    # --- CB_DIAL -----------------------------------------------------------------------
    def step_dial(self, t):
        lc = self.lc
        hal = lc.hal
        line = lc.line
        if not hal.ext_offhook(lc.leg.port):
            self._end(t, "agent_hangup")
            return
        d = self.dialler
        news = d.step(hal.rx[line], hal.tx[line], t, hal.loop_current(line), hal.polarity(line))
        if news == dialler.STARTED:
            lc.emit("dial", number=self.number)
        elif news == dialler.SENT:
            self.t_dialled = t
            lc.rec["dial_ms"] = t
        if d.state != dialler.DONE:
            return
        if d.result != "answer":
            self._end(t, d.result)
            return
        rec = lc.rec
        rec["result"] = "answer"
        rec["ring_ms"] = t - self.t_dialled
        record.connected(rec, lc.leg.ext, t, waited=False)
        kind = self.job["kind"]
        lc.emit("connect", ext=lc.leg.ext, port=lc.leg.port, direction="out", kind=kind)
        lc.hangup.reset(t)
        if kind == "callback":
            self.dialer.end_soon(self.job, "answer", lc.wall_clock())   # its flash write: the next block
            self.job = None
            lc.enter(_CONNECTED, t)      # inbound.py's connected call from here
            return
        lc.dtmf.reset()
        lc.enter(_OB_TALK, t)

    # --- OB_TALK -----------------------------------------------------------------------
    def step_talk(self, t):
        lc = self.lc
        hal = lc.hal
        line = lc.line
        tx = hal.tx[line]
        if self.opted_out:
            gen = self.dialler.generator()
            if not gen.busy and t - (lc.deadline - _OPTOUT_MS) < 2 * _CONFIRM_MS * _CONFIRM_BEEPS:
                gen.tone(_TONE_HZ, _CONFIRM_DBM0, _CONFIRM_MS, _CONFIRM_MS)   # the next of the beeps
            if not gen.fill(tx):
                pcm.fill16(tx, 0, 80)
            if t >= lc.deadline:
                self._to_wrap(t, "opted_out", None)
            return
        method = lc.hangup.process(hal.rx[line], t, hal.loop_current(line), hal.polarity(line), False)
        if method is not None:
            self._to_wrap(t, "max_length" if method == "max_length" else "caller_hangup", method)
            return
        if not hal.ext_offhook(lc.leg.port):
            self.reason = "agent_hangup"
            lc.release(t, "agent_hangup", None)
            return
        lc.dtmf.process(hal.rx[line], t, tx)
        ev = lc.dtmf.pop()
        if ev is not None and ev["digit"] == self.dialer.campaign.opt_out_key:
            lc.emit("digit", digit=ev["digit"], start_ms=ev.get("start_ms"), end_ms=ev.get("end_ms"))
            err = self.dialer.opt_out(self.job["number"], "callee_key")   # on flash first
            lc.rec["opt_out"] = err is None
            self.disposition = "do_not_call"
            self.opted_out = True
            lc.enter(_OB_TALK, t, t + _OPTOUT_MS)
            return
        pcm.fill16(tx, 0, 80)

    def _to_wrap(self, t, reason, method):
        lc = self.lc
        lc.hal.set_hook(lc.line, False)   # the callee's side is over; the agent stays on the pair
        record.talk_ended(lc.rec, t)
        self.reason = reason
        self.method = method
        lc.dtmf.reset()
        self._beep()
        lc.emit("wrap", ext=lc.leg.ext)
        lc.enter(_OB_WRAP, t, t + self.dialer.campaign.wrap_ms)

    # --- OB_WRAP -----------------------------------------------------------------------
    def step_wrap(self, t):
        lc = self.lc
        hal = lc.hal
        tx = hal.tx[lc.line]
        if hal.ring_pulses(lc.line) or not hal.ext_offhook(lc.leg.port) or t >= lc.deadline:
            self._wrapped(t)
            return
        if not self.dialler.generator().fill(tx):     # the beep that asks for the disposition
            pcm.fill16(tx, 0, 80)
        lc.dtmf.process(hal.rx[lc.line], t, tx)
        ev = lc.dtmf.pop()
        if ev is None:
            return
        d = ev["digit"]
        codes = self.dialer.campaign.dispositions
        if self.disposition is None or (self.opted_out and not self.later and d in codes):
            name = codes.get(d)
            if name is None:
                return
            if not self.opted_out:
                self.disposition = name
            lc.emit("disposition", ext=lc.leg.ext, key=d, name=name)
            if name == "callback_later" and not self.opted_out:
                lc.enter(_OB_WRAP, t, t + _LATER_MS)
            else:
                self._wrapped(t)
        elif self.disposition == "callback_later" and "0" <= d <= "9":
            self.later += d
            if len(self.later) == 4:
                self._wrapped(t)

    def _beep(self):
        self.dialler.generator().tone(_TONE_HZ, _AGENT_DBM0, _AGENT_ON_MS, _AGENT_TONE_MS - _AGENT_ON_MS)

    def _wrapped(self, t):
        lc = self.lc
        rec = lc.rec
        rec["disposition"] = self.disposition
        if self.disposition == "do_not_call" and not self.opted_out:
            rec["opt_out"] = self.dialer.opt_out(self.job["number"], "agent_code") is None
        lc.release(t, self.reason or "caller_hangup", self.method)

    def later_utc(self, utc):
        """The UTC of the HHMM the agent keyed (the callee's local time, today or
        tomorrow), or None."""
        s = self.later
        if len(s) != 4:
            return None
        hh = int(s[:2])
        mm = int(s[2:])
        if hh > 23 or mm > 59:
            return None
        from rrfw.call import localtime
        tz = self.dialer.zones(self.job["number"])[0]
        mod = localtime.minute_of(tz, utc)[2]
        unload("rrfw.call.localtime")   # as after the dialer's rules (dialer.py)
        delta = (hh * 60 + mm - mod) % 1440
        return utc - utc % 60 + delta * 60

    # --- the exit action of every outbound state ------------------------------------------
    def close(self, t):
        """Stop ringing the agent, part the agent and the line; the job's result to the dialer."""
        lc = self.lc
        st = lc.state
        lc.leg.cancel()
        if lc.leg.port >= 0:
            lc.hal.xconnect(lc.line, lc.leg.port, False)
            record.wrapped(lc.rec, lc.leg.hang_up(t))
        job = self.job
        if job is None:
            return
        self.job = None
        if st == _OB_TALK or st == _OB_WRAP:
            if st == _OB_TALK and lc.rec.get("talk_ms") is None:
                record.talk_ended(lc.rec, t)
            utc = lc.wall_clock()
            self.dialer.end(job, "answer", utc, self.disposition, self.later_utc(utc))

    def fault(self, t):
        """The line is released after a fault: the attempt counts as interrupted."""
        job = self.job
        self.job = None
        if job is not None:
            self.dialer.end(job, "interrupted", self.lc.wall_clock())

    def _end(self, t, outcome):
        """An attempt ended before anyone talked: the dialer decides what follows."""
        lc = self.lc
        job = self.job
        self.job = None
        lc.leg.cancel()
        if lc.leg.port >= 0:
            lc.hal.xconnect(lc.line, lc.leg.port, False)
            lc.leg.hang_up()
        lc.rec["result"] = outcome
        lc.rec["outcome"] = job["kind"] + "_" + outcome
        self.dialer.end_soon(job, outcome, lc.wall_clock())   # not in the release's block (dialer.py)
        lc.release(t, job["kind"] + "_failed", outcome, close=False)
