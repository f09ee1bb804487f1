# One outgoing dial on a seized trunk line: wait for dial tone, send the
# number with the DTMF generator, let call progress judge the far end. The
# call-backs and campaigns (call/callout.py), DISA (call/disa.py), remote
# agents (call/remote.py) and outside transfers (call/transfer.py) all dial
# through this one object; what they do with the result is theirs.
#
#   IDLE ──start(number, t): the line was just seized──▶ TONE
#   TONE   (deadline: t + progress.dial_wait_ms) progress listens for dial tone
#     ├─ dial tone (>= 1 s steady, progress.py) ─▶ SEND   step() returns STARTED
#     └─ the deadline: progress's "no_dial_tone" ─▶ DONE
#   SEND   (deadline: the number's own length, digits x DIGIT_MS; the generator
#          ends itself there) the generator's digits go to the line, nothing else
#     └─ the last digit's pause is over ─▶ JUDGE          step() returns SENT
#   JUDGE  (deadline: SENT + progress.no_answer_ms) progress hears the far end
#     ├─ answer (voice or a reversal) / busy / reorder / sit ─▶ DONE
#     └─ the deadline: progress's "no_answer" ─▶ DONE
#   DONE   result holds progress's verdict ("answer" or why not); stays until
#          the next start()
# The owner may give up earlier on its own deadline (a remote agent's ring
# time, DISA's cap): it simply stops stepping and calls stop().
#
# Whoever owns the line fills tx only when step() has not: step() writes the
# digits while sending and silence in TONE and JUDGE (the far end never hears
# the caller's own keys, DISA's rule). Nothing is allocated per block; the
# progress detector is made once per owner (__init__). The DTMF generator is
# needed only until the number is out: SENT drops it and forgets dsp/dtmfgen.py
# (0.6 KB with the object, mp32-frozen: the busy run's peak is a call-back waiting
# for its answer, docs/notes/heap.md, cbheap); start() and generator() make
# another (its import: the block that seizes the line, or a campaign's beep).
# Another line's generator of the old module's code keeps it until its own SENT
# (two lines dialling at once: a second copy meanwhile, never a wrong one).
from rrfw.compat import unload

from rrfw.hal import pcm
from rrfw.line import progress

IDLE = const(0)
_TONE = const(1)
_SEND = const(2)
_JUDGE = const(3)
DONE = const(4)

# step()'s news for the block it happens in (else 0)
STARTED = const(1)   # dial tone heard: the first digit goes out this block
SENT = const(2)      # the last digit and its pause are out: progress judges from now

# ms per key: the generator's 100 ms tone + 100 ms pause (dsp/dtmfgen.py's defaults,
# ETSI ES 201 235-2 >= 65 ms each)
_DIGIT_MS = const(200)


class Dialler:
    def __init__(self, country, share=None):
        # share: the line's hang-up tone detector, idle while this one dials (progress.py)
        self.progress = progress.CallProgress(profile=country, share=share)
        self.gen = None
        self.generator()
        self.state = IDLE
        self.deadline = 0      # board ms: the current state's (see the header)
        self.number = None
        self.result = None     # DONE: progress's verdict
        self.t_sent = 0        # board ms the last digit went out

    def start(self, number, t):
        """The line has just been seized: dial `number` (digits that passed the plan)."""
        self.number = number
        self.result = None
        self.t_sent = 0
        self.generator().stop()
        self.progress.reset(t)
        self.state = _TONE
        self.deadline = t + self.progress.dial_wait_ms

    def stop(self):
        if self.gen is not None:
            self.gen.stop()
        self.state = IDLE

    def generator(self):
        """The DTMF generator (dsp/dtmfgen.py), made when there is none: the
        owner's beeps play on it too (call/callout.py)."""
        if self.gen is None:
            from rrfw.dsp import dtmfgen
            self.gen = dtmfgen.DtmfGenerator()
        return self.gen

    def step(self, rx, tx, t, loop_current, polarity):
        """One block of the line: rx heard, tx to send. Returns STARTED, SENT or 0."""
        st = self.state
        if st == IDLE or st == DONE:
            return 0
        pr = self.progress
        pr.process(rx, t, loop_current, polarity)
        news = 0
        gen = self.gen
        if st == _TONE and pr.state == progress.READY:
            gen.start(self.number)
            self.state = _SEND
            self.deadline = t + len(self.number) * _DIGIT_MS
            news = STARTED
        if gen is not None and gen.busy:
            gen.fill(tx)
            if not gen.busy:
                self.gen = gen = None   # the number is out (see the header)
                unload("rrfw.dsp.dtmfgen")
                pr.dialled(t)
                self.t_sent = t
                self.state = _JUDGE
                self.deadline = t + pr.no_answer_ms
                news = SENT
        else:
            pcm.fill16(tx, 0, 80)
        if pr.state == progress.DONE:
            self.result = pr.result
            self.state = DONE
        return news
