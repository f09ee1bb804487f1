# Call progress when dialling out (call-backs, outbound calls): after seizing the
# line, wait for dial tone; once the number is dialled, tell ringback, busy,
# reorder and answer apart.
#
# States and what moves them (every input is per 10 ms block):
#   WAIT_DIAL --dial tone recognised (tones.py, >= 1 s steady)--> READY   event "dial_tone"
#             --no dial tone for dial_wait_ms--> done "no_dial_tone" (or READY if blind_dial)
#   READY     --dialled(t) called by the dialler--> WAIT_ANSWER
#   WAIT_ANSWER --ringback recognised--> RINGING                          event "ringback"
#             --busy / reorder recognised--> done "busy" / "reorder"
#             --special information tone (SIT)--> done "sit" (number not in service...: the
#               announcement after it must not count as an answer)
#             --polarity reversal (answer supervision)--> done "answer"
#             --voice: _VOICE_MS of non-tone signal above -40 dBm0--> done "answer"
#             --no_answer_ms since dialled--> done "no_answer"
#   RINGING   same exits; the ringback's own bursts are tone, not voice.
# Events: {"event": "progress", "state": name, "t_ms": t}; `result` holds the final one.
# Allocation happens only when an event is queued (pop() builds the dict).
from rrfw.compat import const

from rrfw.dsp import tones

WAIT_DIAL = const(0)
READY = const(1)
WAIT_ANSWER = const(2)
RINGING = const(3)
DONE = const(4)

_DIAL_WAIT_MS = const(5000)     # ms: ITU-T Q.35 / most exchanges give dial tone within 3 s
_NO_ANSWER_MS = const(60000)    # ms: about 10 US ring cycles
_VOICE_MS = const(400)          # ms of voice (leaky count) that means a person answered
# Voice level: window energy (tones.py units, 320 * A^2/2 / 512) of a -40 dBm0 sine:
# A = 22760 * 10^(-2) = 227.6 -> 16190.
_VOICE_E = const(16190)         # tones.py window energy at -40 dBm0
_REV_MS = const(30)             # ms a polarity reversal must hold (relay bounce < 10 ms)

STATE_NAMES = ("wait_dial", "ready", "wait_answer", "ringing", "done")


def prepare(profile="US"):
    """Make the tone tables a CallProgress for `profile` uses, now (at boot:
    tones.prepare), so a call-back later allocates only small objects."""
    tones.prepare(profile)


class CallProgress:
    def __init__(self, profile="US", dial_wait_ms=_DIAL_WAIT_MS, no_answer_ms=_NO_ANSWER_MS,
                 blind_dial=False):
        self.det = tones.ToneDetector(profile)
        self.dial_wait_ms = dial_wait_ms
        self.no_answer_ms = no_answer_ms
        self.blind_dial = blind_dial
        self._qs = ["", "", "", ""]
        self._qt = [0, 0, 0, 0]
        self.reset(0)

    def reset(self, t_ms):
        """Call when the line is seized (off-hook to dial out)."""
        self.det.reset()
        self.state = WAIT_DIAL
        self.result = None
        self._t0 = t_ms
        self._t_dialled = 0
        self._voice = 0
        self._pol = 0
        self._rev_since = -1
        self._qn = 0

    def dialled(self, t_ms):
        """The dialler has sent the last digit: now watch for the far end."""
        if self.state in (READY, WAIT_DIAL):
            self.state = WAIT_ANSWER
            self._t_dialled = t_ms
            self._voice = 0
            self._pol = 0

    def process(self, block, t_ms, loop_current=True, polarity=1):
        if self.state == DONE:
            return
        det = self.det
        det.process(block, t_ms)
        det.clear_events()   # verdicts are read from det.current; no event dicts built
        cur = det.current
        st = self.state
        if st == WAIT_DIAL:
            if cur == "dial":
                self.state = READY
                self._event("dial_tone", t_ms)
            elif t_ms - self._t0 >= self.dial_wait_ms:
                if self.blind_dial:
                    self.state = READY
                    self._event("blind_dial", t_ms)
                else:
                    self._done("no_dial_tone", t_ms)
            return
        if st == READY:
            return
        # WAIT_ANSWER / RINGING
        if cur == "busy" or cur == "reorder" or cur == "sit":
            self._done(cur, t_ms)   # "sit": an intercept announcement follows, not a person
            return
        if cur == "ringback" and st == WAIT_ANSWER:
            self.state = RINGING
            self._event("ringback", t_ms)
        # answer supervision: a reversal after dialling (many exchanges reverse on answer)
        if loop_current:
            if self._pol == 0:
                self._pol = polarity
            elif polarity != self._pol:
                if self._rev_since < 0:
                    self._rev_since = t_ms
                if t_ms + 10 - self._rev_since >= _REV_MS:
                    self._done("answer", t_ms)
                    return
            else:
                self._rev_since = -1
        # voice: signal that is no tone. The leaky count forgives short pauses; ringback
        # bursts and their tails are tone frames and drain it.
        if cur is None and det.frame_sig < 0 and det.energy >= _VOICE_E:
            self._voice += 10
            if self._voice >= _VOICE_MS:
                self._done("answer", t_ms)
                return
        elif self._voice > 0:
            self._voice -= 5
        if t_ms - self._t_dialled >= self.no_answer_ms:
            self._done("no_answer", t_ms)

    def _done(self, result, t_ms):
        self.state = DONE
        self.result = result
        self._event(result, t_ms)

    def _event(self, name, t_ms):
        if self._qn < 4:
            self._qs[self._qn] = name
            self._qt[self._qn] = t_ms
            self._qn += 1

    def pop(self):
        if not self._qn:
            return None
        ev = {"event": "progress", "state": self._qs[0], "t_ms": self._qt[0]}
        for i in range(1, self._qn):
            self._qs[i - 1] = self._qs[i]
            self._qt[i - 1] = self._qt[i]
        self._qn -= 1
        return ev
