# A stand-in for the board with the HAL's members (ARCHITECTURE.md, "The HAL"),
# driven directly by a test: no emulator process, no audio world. Runs under
# CPython and MicroPython (tests/heap_cases.py, tests/test_core_faults.py).
import json
import os
from array import array


class StandInHal:
    def __init__(self):
        self.n_lines = 2
        self.n_exts = 4
        self.rx = [array("h", bytes(160)) for _ in range(2)]
        self.tx = [array("h", bytes(160)) for _ in range(2)]
        self.block = -1
        self.hook = [False, False]
        self.ring = 0
        self.xmask = [0, 0]
        self.pulses = 0
        self.loop = False
        self.offhook_ports = 0
        self.utc = 1767607200

    def next_block(self):
        self.block += 1
        return True

    def ring_pulses(self, line):
        return self.pulses if line == 0 else 0

    def loop_current(self, line):
        return self.loop and line == 0

    def polarity(self, line):
        return 1

    def set_hook(self, line, off):
        self.hook[line] = off

    def ext_offhook(self, port):
        return bool(self.offhook_ports & (1 << port))

    def set_ext_ring(self, port, on):
        if on:
            self.ring |= 1 << port
        else:
            self.ring &= ~(1 << port)

    def xconnect(self, line, port, on):
        if on:
            self.xmask[line] |= 1 << port
        else:
            self.xmask[line] &= ~(1 << port)

    def rtc_utc(self):
        return self.utc

    def console_read(self, buf):
        return 0

    def console_write(self, data):
        pass

    def feed_watchdog(self):
        pass


def board_dir(cfg_path, work, prompts=("welcome", "main_opts", "no_input", "invalid", "callback", "hours")):
    """Make `work` the board's flash (cwd) with 1 s quiet prompts; returns the config."""
    with open(cfg_path) as f:
        cfg = json.load(f)
    os.chdir(work)
    try:
        os.mkdir("prompts")
    except OSError:
        pass
    for name in prompts:
        with open("prompts/" + name + ".ulaw", "wb") as f:
            f.write(bytes([0x55, 0xD5]) * 4000)   # 1 s of quiet mu-law
    return cfg


def us_ring_pulses(t_ms):
    """Ring-detect pulses in the block at t_ms of a US ring from t=0: 2 s on /
    4 s off, two pulses per 50 ms (40 per second, a 20 Hz ring) while on."""
    return 1 if (t_ms % 6000) < 2000 and (t_ms // 10) % 5 in (0, 2) else 0


class ConsoleStub:
    """What conscmd's commands use of the console: the app and the HAL."""

    def __init__(self, a):
        self.app = a
        self.hal = a.hal


def make_app(cfg_path):
    """(App on a stand-in board, its HAL, the list of events it emits) in the cwd."""
    from rrfw.call import app as app_mod
    with open(cfg_path) as f:
        cfg = json.load(f)
    hal = StandInHal()
    a = app_mod.App(hal, cfg)
    seen = []
    a.events.sinks.append(lambda text: seen.append(json.loads(text)))
    return a, hal, seen
