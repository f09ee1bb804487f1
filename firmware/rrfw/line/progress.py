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
# Heap (a call-back's start makes one, docs/notes/heap.md): the small counters and
# the event queue are one array. The tone detector is made per phase: until the
# number is dialled only dial tone counts, so the seizure makes a dial-tone-only
# detector (no SIT bands: 9 probes and a matcher fewer, no ringback matcher);
# dialled() drops it and makes the full one (dial tone kept: a dial tone that goes
# on after the digits is tone, not an answering voice), which shares the busy and
# reorder matchers of the line's hang-up detector (share=), idle while this runs.

from rrfw.compat import filled

from rrfw.dsp import tones

_WAIT_DIAL = const(0)
READY = const(1)      # (dialler.py reads these two)
_WAIT_ANSWER = const(2)
_RINGING = const(3)
DONE = const(4)

_DIAL_WAIT_MS = const(5000)     # ms: ITU-T Q.35 / most exchanges give dial tone within 3 s
_NO_ANSWER_MS = const(60000)    # ms: about 10 US ring cycles
_VOICE_MS = const(400)          # ms of voice (leaky count) that means a person answered
# Voice level: window energy (tones.py units, 320 * A^2/2 / 512) of a -40 dBm0 sine:
# A = 22760 * 10^(-2) = 227.6 -> 16190.
_VOICE_E = const(16190)         # tones.py window energy at -40 dBm0
_REV_MS = const(30)             # ms a polarity reversal must hold (relay bounce < 10 ms)

# the events' names, by their code in the queue
_EVENTS = ("dial_tone", "blind_dial", "no_dial_tone", "ringback", "busy", "reorder", "sit",
           "answer", "no_answer")
# the state array (_s): leaky voice count (ms), polarity after dialling, start of a
# reversal (-1 none), queued events, then the queue: _QLEN codes, _QLEN times. Times
# are ms since the seizure (reset): int32 holds 24 days, a call-back lasts minutes
_VOICE = const(0)
_POL = const(1)
_REV = const(2)
_QN = const(3)
_QC = const(4)
_QLEN = const(4)
_QT = const(8)
_DIAL_ONLY = ("dial",)   # the tones the dial phase's detector matches


def prepare(profile="US"):
    """Kept for app.py's remote agents: the tone tables are constants in flash
    (tonetab.py), nothing to make at boot."""


class CallProgress:
    def __init__(self, profile="US", dial_wait_ms=_DIAL_WAIT_MS, no_answer_ms=_NO_ANSWER_MS,
                 blind_dial=False, share=None):
        # share: the line's hang-up ToneDetector (tones.py: its matchers are used, not copied)
        self.profile = profile
        self.share = share
        self.det = None
        self._full = False   # det matches all the tones (after dialled())
        self.dial_wait_ms = dial_wait_ms
        self.no_answer_ms = no_answer_ms
        self.blind_dial = blind_dial
        self._s = filled("i", _QT + _QLEN)
        self.reset(0)

    def reset(self, t_ms):
        """Call when the line is seized (off-hook to dial out)."""
        if self.det is None or self._full:
            self._detector(_DIAL_ONLY)
        else:
            self.det.reset()
        self.state = _WAIT_DIAL
        self.result = None
        self._t0 = t_ms
        self._t_dialled = 0
        s = self._s
        s[_VOICE] = 0
        s[_POL] = 0
        s[_REV] = -1
        s[_QN] = 0

    def dialled(self, t_ms):
        """The dialler has sent the last digit: now watch for the far end."""
        if self.state in (READY, _WAIT_DIAL):
            self._detector(None)   # all the profile's tones, SIT included
            self.state = _WAIT_ANSWER
            self._t_dialled = t_ms
            self._s[_VOICE] = 0
            self._s[_POL] = 0

    def _detector(self, names):
        # the dial phase's detector has rings and values large enough for the answer
        # phase's (room), which takes them over at dialled(): no large array is made
        # there (tones.py); the rest of the last phase's detector is garbage before
        # the next is made
        last = self.det if names is None else None
        self.det = None
        self.det = tones.ToneDetector(self.profile, names, share=self.share, room=names is not None,
                                      take=last)
        self._full = names is None

    def process(self, block, t_ms, loop_current=True, polarity=1):
        if self.state == DONE:
            return
        det = self.det
        det.process(block, t_ms)
        det.clear_events()   # verdicts are read from det.current; no event dicts built
        cur = det.current
        st = self.state
        if st == _WAIT_DIAL:
            if cur == "dial":
                self.state = READY
                self._event(0, t_ms)   # dial_tone
            elif t_ms - self._t0 >= self.dial_wait_ms:
                if self.blind_dial:
                    self.state = READY
                    self._event(1, t_ms)   # blind_dial
                else:
                    self._done(2, t_ms)    # no_dial_tone
            return
        if st == READY:
            return
        # WAIT_ANSWER / RINGING
        if cur == "busy" or cur == "reorder" or cur == "sit":
            self._done(_EVENTS.index(cur), t_ms)   # "sit": an intercept announcement follows, not a person
            return
        if cur == "ringback" and st == _WAIT_ANSWER:
            self.state = _RINGING
            self._event(3, t_ms)   # ringback
        s = self._s
        # answer supervision: a reversal after dialling (many exchanges reverse on answer)
        if loop_current:
            if s[_POL] == 0:
                s[_POL] = polarity
            elif polarity != s[_POL]:
                if s[_REV] < 0:
                    s[_REV] = t_ms - self._t0
                if t_ms - self._t0 + 10 - s[_REV] >= _REV_MS:
                    self._done(7, t_ms)   # answer
                    return
            else:
                s[_REV] = -1
        # voice: signal that is no tone. The leaky count forgives short pauses; ringback
        # bursts and their tails are tone frames and drain it.
        if cur is None and det.frame_sig < 0 and det.energy >= _VOICE_E:
            s[_VOICE] += 10
            if s[_VOICE] >= _VOICE_MS:
                self._done(7, t_ms)   # answer
                return
        elif s[_VOICE] > 0:
            s[_VOICE] -= 5
        if t_ms - self._t_dialled >= self.no_answer_ms:
            self._done(8, t_ms)   # no_answer

    def _done(self, code, t_ms):
        self.state = DONE
        self.result = _EVENTS[code]
        self._event(code, t_ms)
        self.det = None   # the verdict is in: the detector is garbage (reset() makes the next)

    def _event(self, code, t_ms):
        s = self._s
        n = s[_QN]
        if n < _QLEN:
            s[_QC + n] = code
            s[_QT + n] = t_ms - self._t0
            s[_QN] = n + 1

    def pop(self):
        s = self._s
        n = s[_QN]
        if not n:
            return None
        ev = {"event": "progress", "state": _EVENTS[s[_QC]], "t_ms": s[_QT] + self._t0}
        for i in range(1, n):
            s[_QC + i - 1] = s[_QC + i]
            s[_QT + i - 1] = s[_QT + i]
        s[_QN] = n - 1
        return ev
