# 'Learn my line' (console `learn`): the technician's call on one line.
#
#   arm() ─▶ the next call: IDLE ─▶ RINGING ─▶ answer ─▶ LEARN (no menu, just listen;
#            deadline _LEARN_MAX_MS)
#     ├─ listened long enough after the first hang-up sign ─▶ report, release "learned"
#     └─ the deadline with no sign at all                  ─▶ report, release "learned"
#
# line/learn.py measures how the exchange signals the caller's hang-up; the
# report is logged (`line_learned`) and kept for `learn --result`.
from rrfw.compat import unload

_LEARN = const(9)   # = states.LEARN

_LEARN_MAX_MS = const(300000)   # ms: a learn call with no hang-up sign ends anyway (5 min)


class LearnCall:
    def __init__(self, lc):
        self.lc = lc

    def arm(self):
        from rrfw.line import learn
        self.lc.learner = learn.LineLearner(profile=self.lc.country)

    def armed(self):
        return self.lc.learner is not None

    def start(self, t):
        lc = self.lc
        lc.learner.reset(t)
        lc.emit("learn_start")
        lc.enter(_LEARN, t, t + _LEARN_MAX_MS)

    def step(self, t):
        lc = self.lc
        hal = lc.hal
        lr = lc.learner
        lr.process(hal.rx[lc.line], t, hal.loop_current(lc.line), hal.polarity(lc.line))
        lc.player.fill(hal.tx[lc.line])
        if not lr.done and (lr.listened_enough(t) or t >= lc.deadline):
            lr.finish(t)
        if lr.done:
            rep = lr.report()
            lc.learned = rep
            lc.emit("line_learned", report=rep)
            lc.learner = None
            lc.rec["outcome"] = "learn"
            lc.release(t, "learned", None)
            # the learner's code goes with its call (1.6 KB of module objects on
            # mp32-frozen, this module's 0.4 more): the console's next `learn` loads it again
            lc.learncall = None
            for other in lc.siblings:
                if other.learncall is not None:
                    return
            unload("rrfw.line.learn")
            unload("rrfw.call.learncall")
