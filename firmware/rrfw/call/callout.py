# A call-back on one line (callbacks.py keeps the requests and the outbound
# rules; linecall.py owns the line). Agent first, so a called person never
# answers to silence:
#
#   IDLE ──request due, rules pass──▶ the number against the line's plan (numplan.py)
#       └─ refused (*72..., premium, international...) ──▶ release "callback_refused",
#          the request dropped: no agent rung, the line never seized
#   CB_AGENT: ring the agent, line on-hook
#       ├─ a call rings in on the line           ──▶ release, try again later (not counted)
#       ├─ the agent does not answer / is busy   ──▶ release, try again later (not counted)
#       └─ the agent lifts: seize the line, join the agent to it
#   CB_DIAL: wait for dial tone, dial the number, the agent hears the progress
#       ├─ the agent hangs up                    ──▶ release (not counted)
#       ├─ busy / no answer / no dial tone       ──▶ release, the try counts
#       └─ the callee answers                    ──▶ CONNECTED (inbound.py's step from here)
#
# The progress detector and DTMF generator are built for each call-back and
# dropped when its line is released (LineCall.reset_idle): their code and
# buffers are only on boards that call out, and only while they do.
from rrfw.compat import const

from rrfw.call import numplan
from rrfw.call import record
from rrfw.call import router
from rrfw.call.states import CB_AGENT, CB_DIAL, CONNECTED

CALLBACK_AGENT_RETRY_MS = const(60000)  # ms: no agent free for a call-back: look again in a minute
PR_READY = const(1)   # progress.READY: dial tone heard, dial now
PR_DONE = const(4)    # progress.DONE: result holds the outcome


def prepare(countries):
    """At boot, on a board that calls back: load the call-back's code and
    make the call-progress tone tables (tones.py keeps them: 4 KB for the US)
    while the heap is still in one piece. A call-back later allocates only
    small objects, which fit between the calls' (a 2 KB table made at the
    first call-back failed on a fragmented heap with 14 KB free)."""
    from rrfw.dsp import dtmfgen  # noqa: F401  (its code is loaded now, not mid-traffic)
    from rrfw.line import progress
    for c in countries:
        progress.prepare(c)


class Callout:
    def __init__(self, lc):
        from rrfw.dsp import dtmfgen
        from rrfw.line import progress
        self.lc = lc
        self.progress = progress.CallProgress(profile=lc.country)
        self.dtmfgen = dtmfgen.DtmfGenerator()
        self.item = None       # the request being called back
        self.number = None     # its number as dialled: digits that passed the plan
        self.dialled = False   # the number has been sent

    def start(self, item, t):
        lc = self.lc
        cb = lc.callbacks
        self.item = item
        lc.call = lc.records.new_call_id()
        lc.caller = {"number": item["number"], "name": None, "reason": None, "t": t}
        lc.rec = record.callback(lc.call, lc.line, lc.wall_clock(), item, t)
        cb.attempt(item, t)
        # never trust the stored number: the list is a file, the config may have changed
        number, why = numplan.check(item["number"], lc.country, cb.allow)
        if why is not None:
            lc.emit("dial_refused", number=str(number)[:24], why=why, flow="callback")
            cb.done(item, "refused_" + why)
            self.item = None
            lc.rec["outcome"] = "callback_refused"
            lc.release(t, "callback_refused", why, close=False)
            return
        self.number = number
        kind = "group" if item.get("target") in lc.cfg.get("groups", {}) else "ext"
        lc.emit("callback_start", number=item["number"], target=item.get("target"), tries=item["tries"])
        # the request keeps the caller's place: served in turn with the live callers
        failed = lc.leg.start(t, kind, item.get("target"), lc.ext_cadence, item.get("pri", 0),
                              None, item.get("place", router.NO_PLACE))
        if failed:
            self._end(t, "agent_" + failed, counted=False)
            return
        lc.enter(CB_AGENT, t)

    def step_agent(self, t):
        lc = self.lc
        hal = lc.hal
        if hal.ring_pulses(lc.line):
            # an incoming call wins over a call-back: try again later
            self._end(t, "incoming_call", counted=False)
            return
        outcome = lc.leg.step(t)
        if outcome == "answered":
            record.agent(lc.rec, lc.leg.ext)
            # Seize the line, and let the agent hear the progress (dial tone,
            # ringback, busy). Known limit: progress.py takes 0.4 s of voice for
            # the answer, so an agent talking before the callee answers is heard
            # as the answer; agents are told to wait for the callee's voice.
            hal.set_hook(lc.line, True)
            hal.xconnect(lc.line, lc.leg.port, True)
            self.progress.reset(t)
            self.dialled = False
            lc.emit("seize", ext=lc.leg.ext)
            lc.enter(CB_DIAL, t)
        elif outcome is not None:
            self._end(t, "agent_" + outcome, counted=False)

    def step_dial(self, t):
        lc = self.lc
        hal = lc.hal
        line = lc.line
        if not hal.ext_offhook(lc.leg.port):
            self._end(t, "agent_hangup", counted=False)
            return
        tx = hal.tx[line]
        pr = self.progress
        pr.process(hal.rx[line], t, hal.loop_current(line), hal.polarity(line))
        gen = self.dtmfgen
        if pr.state == PR_READY and not self.dialled and not gen.busy:
            gen.start(self.number)
            lc.emit("dial", number=self.number)
        if gen.busy:
            gen.fill(tx)
            if not gen.busy:
                pr.dialled(t)
                self.dialled = True
        else:
            lc.player.fill(tx)   # silence
        if pr.state == PR_DONE:
            if pr.result == "answer":
                record.connected(lc.rec, lc.leg.ext, t, waited=False)
                lc.emit("connect", ext=lc.leg.ext, port=lc.leg.port, direction="out")
                lc.callbacks.done(self.item, "reached")
                self.item = None
                lc.hangup.reset(t)
                lc.enter(CONNECTED, t)
            else:
                self._end(t, pr.result, counted=True)

    def close(self):
        """Exit action of CB_AGENT and CB_DIAL: stop ringing the agent, part the agent and the line."""
        lc = self.lc
        lc.leg.cancel()
        if lc.leg.port >= 0:
            lc.hal.xconnect(lc.line, lc.leg.port, False)
            lc.leg.hang_up()

    def _end(self, t, outcome, counted):
        """A call-back attempt ended without reaching the caller."""
        lc = self.lc
        item = self.item
        self.item = None
        if counted:
            lc.callbacks.failed(item, outcome)
        else:
            lc.callbacks.postpone(item, t + CALLBACK_AGENT_RETRY_MS)   # not the caller's fault
        self.close()
        lc.rec["outcome"] = "callback_" + outcome
        lc.release(t, "callback_failed", outcome, close=False)
