# boot_cases.py - firmware/boot.py, the watchdog's feeder after a soft reset
# (docs/console.md): with stand-ins for `machine` and `gc` it is run as the
# board runs it after a power-on and after a soft reset, and its timer's
# callback is called as the hardware timer would, once a second.
# Run by pytest under CPython and the real `micropython` binary
# (tests/test_boot_watchdog.py):  micropython boot_cases.py FIRMWARE_DIR
import sys

import caserun

FIRMWARE = sys.argv[1] if len(sys.argv) > 1 and __name__ == "__main__" else None


class FakeWdt:
    made = []

    def __init__(self, timeout=0):
        self.timeout = timeout
        self.feeds = 0
        FakeWdt.made.append(self)

    def feed(self):
        self.feeds += 1


class FakeTimer:
    PERIODIC = 1
    ONE_SHOT = 0
    made = []

    def __init__(self, tid):
        self.id = tid
        self.cb = None
        self.period = None
        FakeTimer.made.append(self)

    def init(self, period=0, mode=0, callback=None):
        self.period = period
        self.mode = mode
        self.cb = callback

    def deinit(self):
        self.cb = None


class FakeMachine:
    SOFT_RESET = 5
    PWRON_RESET = 1
    WDT = FakeWdt
    Timer = FakeTimer

    def __init__(self, cause):
        self.cause = cause

    def reset_cause(self):
        return self.cause


class FakeGc:
    def __init__(self):
        self.heap = 1000

    def mem_alloc(self):
        return self.heap


def _run_boot(machine, g):
    """Run boot.py with `machine` and `gc` standing in; its globals."""
    saved = {n: sys.modules.get(n) for n in ("machine", "gc")}
    sys.modules["machine"] = machine
    sys.modules["gc"] = g
    ns = {"__name__": "__main__"}
    try:
        with open(FIRMWARE + "/boot.py") as f:
            exec(f.read(), ns)
    finally:
        for n, m in saved.items():
            if m is None:
                del sys.modules[n]
            else:
                sys.modules[n] = m
    return ns


def _boot(cause):
    """Run boot.py as the board would after a reset of `cause`; (its globals, gc)."""
    FakeWdt.made = []
    FakeTimer.made = []
    g = FakeGc()
    return _run_boot(FakeMachine(cause), g), g


def case_power_on_starts_nothing():
    # at power-on no watchdog runs yet: main.py's HAL starts it; boot.py stays out of the way
    _boot(FakeMachine.PWRON_RESET)
    assert FakeWdt.made == [] and FakeTimer.made == []


def case_soft_reset_feeds_while_the_repl_is_used_then_lets_the_board_reset():
    ns, g = _boot(FakeMachine.SOFT_RESET)
    assert len(FakeWdt.made) == 1 and FakeWdt.made[0].timeout == 5000   # the HAL's watchdog, same timeout
    t = FakeTimer.made[0]
    wdt = FakeWdt.made[0]
    assert t.id == 0 and t.period == 1000 and t.mode == FakeTimer.PERIODIC and t.cb is not None
    # a technician at work (a flash: the heap moves every second): fed every look, for as long as it lasts
    for i in range(600):
        g.heap += 48
        t.cb(t)
    assert wdt.feeds == 600
    # then nothing: fed for the idle allowance, then never again (the watchdog resets the board)
    before = wdt.feeds
    for i in range(300):
        t.cb(t)
    fed_idle = wdt.feeds - before
    assert fed_idle == ns["_IDLE_S"] - 1, fed_idle
    assert ns["_IDLE_S"] * 1000 >= 60000 and ns["_TICK_MS"] < ns["_WDT_MS"]


def case_the_callback_allocates_nothing():
    # it runs as a timer interrupt's callback: no heap may be taken there
    try:
        import micropython
        lock = micropython.heap_lock
    except (ImportError, AttributeError):
        return caserun.SKIP   # CPython: nothing to prove
    ns, g = _boot(FakeMachine.SOFT_RESET)
    t = FakeTimer.made[0]
    wdt = FakeWdt.made[0]
    lock()
    try:
        for i in range(5):
            g.heap += 16
            t.cb(t)
        for i in range(5):
            t.cb(t)
    finally:
        micropython.heap_unlock()
    assert wdt.feeds == 10


def case_a_failing_watchdog_never_stops_the_boot():
    # boot.py must let main.py run whatever happens in it (it prints what went wrong)
    class Broken(FakeMachine):
        def WDT(self, timeout=0):
            raise OSError(22)
    FakeTimer.made = []
    _run_boot(Broken(FakeMachine.SOFT_RESET), FakeGc())
    assert [t for t in FakeTimer.made if t.cb is not None] == []


CASES = caserun.discover(globals())

if __name__ == "__main__":
    caserun.main(CASES)
