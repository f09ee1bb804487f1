# fallback_cases.py - whatever slips through the board's check, the board
# keeps answering: firmware/main.py runs on the stand-in board with a check
# weaker than the board's own (one that lets a config through which stops
# the App at start), and must fall back to the previous config, then to the
# built-in answering mode, say so (event, status) and answer the calls.
# Run by pytest under CPython and by the real `micropython` binary
# (tests/test_config_fallback.py), through tests/support/caserun.py:
#   micropython fallback_cases.py WORKDIR [CASE...]   (WORKDIR holds good.json)
import json
import os

import main as board_main
from rrfw.console.protocol import frame
from standin_hal import StandInHal, us_ring_pulses

CALL_EVERY_MS = 30000   # ms: one call a cycle: rings from 0 s, the caller hangs up at 20 s
RUN_MS = 55000          # ms the world runs: two calls


class World(StandInHal):
    """A call on line 1 every CALL_EVERY_MS; the agents lift when rung; a
    status request on the console at the end."""

    def __init__(self, run_ms=RUN_MS):
        StandInHal.__init__(self, n_lines=2, n_exts=4)
        self.seen = []
        self.end_block = run_ms // 10

    def event_sink(self):
        return lambda text: self.seen.append(json.loads(bytes(text)))

    def next_block(self):
        StandInHal.next_block(self)
        t = (self.block * 10) % CALL_EVERY_MS
        self.pulses = us_ring_pulses(t) if t < 8000 and not self.hook[0] else 0
        self.loop = self.hook[0] and t < 20000
        self.offhook_ports = (self.offhook_ports | self.ring) if t < 20000 else 0
        if self.block == self.end_block - 100:
            self.wire.inq += frame("7", "status", "{}")
        return self.block < self.end_block

    def status(self):
        for line in bytes(self.wire.out).split(b"\n"):
            if line.startswith(b"~RR1 7 ok "):
                return json.loads(line[10:line.rindex(b"*")])
        raise AssertionError("no status reply: %r" % bytes(self.wire.out)[-300:])

    def kinds(self):
        return [e["event"] for e in self.seen]


def weak_check(cfg):
    # an older or damaged checker: looks at the version only
    return None if cfg.get("version") == 1 else "bad version"


def _write(name, cfg):
    with open(name, "w") as f:
        f.write(json.dumps(cfg))


def _clean():
    for name in os.listdir("."):
        if name != "good.json" and not name.startswith("prompts"):
            os.remove(name)


def _stopper(good):
    bad = json.loads(json.dumps(good))
    bad["name"] = "stops the app"
    bad["lines"][0]["country"] = "XX"       # no such profile: the App cannot build the line
    return bad


def _answered(w):
    ans = [e for e in w.seen if e["event"] == "answer"]
    rel = [e for e in w.seen if e["event"] == "release" and e.get("reason") != "fault"]
    errors = [e for e in w.seen if e["event"] == "error"]
    return len(ans), len(rel), errors


def case_a_config_that_cannot_start_falls_back_to_the_previous(good):
    _clean()
    _write("config.prev.json", good)
    _write("config.json", _stopper(good))
    w = World()
    board_main.main(["main.py"], hal=w, check=weak_check)
    boots = [e for e in w.seen if e["event"] == "boot"]
    assert [b["config"] for b in boots] == ["config.prev.json"], boots
    fb = [e for e in w.seen if e["event"] == "config_fallback"]
    assert len(fb) == 1 and fb[0]["failed"] == "config.json" and fb[0]["running"] == "config.prev.json", fb
    assert "XX" in fb[0]["error"]
    n_ans, n_rel, errors = _answered(w)
    assert n_ans == 2 and n_rel == 2 and not errors, (n_ans, n_rel, errors)
    assert "connect" in w.kinds()
    st = w.status()
    assert st["config"] == "config.prev.json" and st["config_failed"][0][0] == "config.json", st
    # the flash is left as it was: a push of a good config replaces the bad one
    with open("config.json") as f:
        assert json.loads(f.read())["name"] == "stops the app"


def case_no_config_that_starts_gives_the_safe_answering_mode(good):
    _clean()
    _write("config.prev.json", _stopper(good))
    _write("config.json", _stopper(good))
    w = World()
    board_main.main(["main.py"], hal=w, check=weak_check)
    boots = [e for e in w.seen if e["event"] == "boot"]
    assert [b["config"] for b in boots] == ["safe mode"], boots
    fb = [e["failed"] for e in w.seen if e["event"] == "config_fallback"]
    assert fb == ["config.json", "config.prev.json"], fb
    n_ans, n_rel, errors = _answered(w)
    assert n_ans == 2 and n_rel == 2 and not errors, (n_ans, n_rel, errors)
    rings = [e for e in w.seen if e["event"] == "ext_ring"]
    assert len(set(e["port"] for e in rings)) == 4, rings    # every phone rings
    assert "connect" in w.kinds()
    st = w.status()
    assert st["config"] == "safe mode" and len(st["config_failed"]) == 2, st


def case_the_boards_own_check_refuses_what_the_weak_one_let_through(good):
    _clean()
    _write("config.prev.json", good)
    _write("config.json", _stopper(good))
    w = World(run_ms=25000)
    board_main.main(["main.py"], hal=w)    # the board's own check: the bad one never starts
    boots = [e["config"] for e in w.seen if e["event"] == "boot"]
    assert boots == ["config.prev.json"], boots
    assert "config_fallback" not in w.kinds()
    n_ans, n_rel, errors = _answered(w)
    assert n_ans == 1 and n_rel == 1 and not errors, (n_ans, n_rel, errors)


class Resets(World):
    """The World, whose App meets `fail` {block: exception} in those blocks
    (raised out of next_block, as out of a step) and that records each
    hal.reboot() (the block it came in); a reset gives a fresh heap
    (`on_reset`)."""

    def __init__(self, fail, on_reset=None):
        World.__init__(self)
        self.fail = fail
        self.resets = []
        self.on_reset = on_reset

    def next_block(self):
        more = World.next_block(self)
        e = self.fail.pop(self.block, None)
        if e is not None:
            raise e
        return more

    def reboot(self):
        self.resets.append(self.block)
        if self.on_reset is not None:
            self.on_reset()


def case_a_boot_out_of_memory_after_a_run_resets_the_board(good):
    # issue 15: the App fails for want of memory at 25 s (between the calls); its boot again in the same
    # heap finds no hole for the long-lived buffers: a reset, not a retry in that heap
    from rrfw import supervisor
    _clean()
    _write("config.json", good)
    made = supervisor.long_lived
    tries = []

    def broken_heap():
        tries.append(1)
        if len(tries) > 1:
            raise MemoryError("memory allocation failed, allocating 6144 bytes")
        return made()

    supervisor.long_lived = broken_heap
    w = Resets({2500: MemoryError("memory allocation failed, allocating 296 bytes")},
               on_reset=lambda: setattr(supervisor, "long_lived", made))   # a fresh heap
    try:
        board_main.main(["main.py"], hal=w, check=weak_check)
    finally:
        supervisor.long_lived = made
    assert w.resets == [2500] and len(tries) == 2, (w.resets, tries)
    assert [e["config"] for e in w.seen if e["event"] == "boot"] == ["config.json"] * 2
    assert "config_fallback" not in w.kinds()   # the config was never at fault
    n_ans, n_rel, errors = _answered(w)
    assert n_ans == 2 and n_rel == 2 and not errors, (n_ans, n_rel, errors)   # the second call: after the reset


def case_a_memory_error_in_a_fresh_heap_is_the_configs_fault(good):
    # no App ran in this heap yet: the config that cannot start in it falls back, no reset
    from rrfw import supervisor
    _clean()
    _write("config.prev.json", good)
    _write("config.json", good)
    real = supervisor.start

    def start(hal, cfg, source, *rest):
        if source == "config.json":
            raise MemoryError("memory allocation failed, allocating 4096 bytes")
        return real(hal, cfg, source, *rest)

    supervisor.start = start
    w = Resets({})
    try:
        board_main.main(["main.py"], hal=w, check=weak_check)
    finally:
        supervisor.start = real
    assert w.resets == [], w.resets
    assert [e["config"] for e in w.seen if e["event"] == "boot"] == ["config.prev.json"]
    fb = [e for e in w.seen if e["event"] == "config_fallback"]
    assert len(fb) == 1 and fb[0]["failed"] == "config.json" and "MemoryError" in fb[0]["error"], fb


def case_a_reboot_from_the_app_resets_the_board_a_config_switch_does_not(good):
    # Reboot("faults") (five faults in a minute, app.py), the same path as the console's
    # reboot and factory reset and the emulated watchdog: hal.reboot(); Reboot("config")
    # (a pushed config switched in) boots again in the same heap, the board's state kept
    from rrfw.errors import Reboot
    _clean()
    _write("config.json", good)
    w = Resets({2200: Reboot("faults"), 2600: Reboot("config")})   # (between the calls)
    board_main.main(["main.py"], hal=w, check=weak_check)
    assert w.resets == [2200], w.resets
    assert len([e for e in w.seen if e["event"] == "boot"]) == 3
    n_ans, n_rel, errors = _answered(w)
    assert n_ans == 2 and n_rel == 2 and not errors, (n_ans, n_rel, errors)


class FullHeap(Resets):
    """Resets, whose App fills the heap at `at` (the filler hangs on the App's
    event sink, so it goes with the App) and then fails with a MemoryError: the
    supervisor's handler finds no room for anything until the App is let go."""

    def __init__(self, at):
        Resets.__init__(self, {})
        self.at = at
        self._sink = None

    def event_sink(self):
        self._sink = Sink(self.seen)
        return self._sink

    def next_block(self):
        more = Resets.next_block(self)
        if self.block == self.at and self._sink is not None:
            sink, self._sink = self._sink, None
            sink.filler = _fill_heap()
            raise MemoryError("memory allocation failed, allocating 112 bytes")
        return more


class Sink:
    def __init__(self, seen):
        self.seen = seen
        self.filler = None

    def __call__(self, text):
        self.seen.append(json.loads(bytes(text)))


def _fill_heap():
    """Every free block of the heap taken (MicroPython; CPython has no heap to fill)."""
    import sys
    held = None
    if sys.implementation.name != "micropython":
        return held
    n = 4096
    while n:
        try:
            held = (bytearray(n), held)   # a chain: no list to grow
        except MemoryError:
            n //= 2
    for _ in range(64):   # the last small holes
        try:
            held = (held,)
        except MemoryError:
            pass
    return held


def case_a_memory_error_in_a_full_heap_still_falls_back(good):
    # issue 15: the App fails with the heap full (at 62-67 KB the busy run's did); the
    # handler's own report would find no room while the failed App is still held,
    # and an error out of the handler stops the board: it lets the App go first
    _clean()
    _write("config.prev.json", good)
    _write("config.json", good)
    w = FullHeap(2500)   # 25 s, between the calls
    board_main.main(["main.py"], hal=w, check=weak_check)
    assert w.resets == [], w.resets
    assert [e["config"] for e in w.seen if e["event"] == "boot"] == ["config.json", "config.prev.json"]
    fb = [e for e in w.seen if e["event"] == "config_fallback"]
    assert len(fb) == 1 and "MemoryError" in fb[0]["error"], fb   # it failed inside its first minute
    n_ans, n_rel, errors = _answered(w)
    assert n_ans == 2 and n_rel == 2, (n_ans, n_rel, errors)   # the second call: after the new boot


CASES = [case_a_config_that_cannot_start_falls_back_to_the_previous,
         case_no_config_that_starts_gives_the_safe_answering_mode,
         case_the_boards_own_check_refuses_what_the_weak_one_let_through,
         case_a_boot_out_of_memory_after_a_run_resets_the_board,
         case_a_memory_error_in_a_fresh_heap_is_the_configs_fault,
         case_a_reboot_from_the_app_resets_the_board_a_config_switch_does_not,
         case_a_memory_error_in_a_full_heap_still_falls_back]


def call(name, case):
    with open("good.json") as f:
        return case(json.load(f))


if __name__ == "__main__":
    import sys
    import caserun
    os.chdir(sys.argv[1])
    caserun.main(CASES, call, sys.argv[2:])
