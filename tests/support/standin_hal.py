# A stand-in for the board, driven directly by a test: no emulator process,
# no audio world. It is the emulated board's own state (rremu.board.BoardState,
# the HAL members the firmware calls) with knobs a test sets between blocks.
# Runs under CPython and MicroPython (tests/heap_cases.py, test_core_*.py,
# tests/console_fw/check_console.py, bench/fw_heap.py).
import json
import os

from rremu import blockframe as bf
from rremu.board import BoardState


class ConsoleWire:
    """The console UART as two buffers: a test appends what the host sends
    to `inq` and takes what the board wrote from `out`."""

    def __init__(self):
        self.inq = bytearray()
        self.out = bytearray()
        self.breaks = False   # True: a Ctrl-C with the break on stops the app, as on the board
        self.interrupts = 0

    def read_into(self, buf, brk=False):
        n = min(len(buf), len(self.inq))
        if n:
            buf[0:n] = self.inq[0:n]
            self.inq = self.inq[n:]
            if brk and self.breaks and buf.find(b"\x03", 0, n) >= 0:
                self.interrupts += 1
                raise KeyboardInterrupt
        return n

    def write(self, data):
        self.out += bytes(data)


class _HookView:
    # hal.hook[line]: made once, so reading it between blocks allocates nothing
    def __init__(self, hal):
        self._hal = hal

    def __getitem__(self, line):
        return bool(self._hal._hook & (1 << line))


class StandInHal(BoardState):
    """The inputs a test drives are line 0's ring pulses (`pulses`) and loop
    current (`loop`), the ports off-hook (`offhook_ports`, a bit mask) and
    the console (`wire.inq`); what the firmware set reads back as `hook[line]`,
    `ring` (ports ringing, a mask), `xmask[line]` and `wire.out`."""

    def __init__(self, n_lines=2, n_exts=4, utc=1767607200):
        BoardState.__init__(self, n_lines, n_exts, console=ConsoleWire())
        self.wire = self._console
        self.utc = utc
        self.hook = _HookView(self)

    # --- the world, as a test sets it ------------------------------------
    @property
    def pulses(self):
        return self._line_in[0]   # (line 0's ring pulses, then its flags)

    @pulses.setter
    def pulses(self, n):
        self._line_in[0] = n

    @property
    def loop(self):
        return self.loop_current(0)

    @loop.setter
    def loop(self, on):
        if on:
            self._line_in[1] |= bf.LF_LOOP
        else:
            self._line_in[1] &= ~bf.LF_LOOP

    @property
    def offhook_ports(self):
        return self._ext_hook

    @offhook_ports.setter
    def offhook_ports(self, mask):
        self._ext_hook = mask

    # --- what the firmware set -------------------------------------------
    @property
    def ring(self):
        return self._ext_ring

    @property
    def xmask(self):
        return self._xmask


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
    a.events.sinks.append(lambda text: seen.append(json.loads(bytes(text))))
    return a, hal, seen


class ConsoleApp:
    """What the console server uses of the app, with no lines and no calls
    (tests/console_fw): the config, the clock, the event ring, idle()."""

    def __init__(self, hal):
        from rrfw.call import events as ev_mod
        from rrfw.store import records
        self.hal = hal
        self.records = records.Records()   # status reports what the flash refused
        self.cfg = {"version": 1, "name": "Test office", "lines": [{}],
                    "extensions": {"101": {"port": 0, "name": "Front"}}}
        self.clock = ev_mod.Clock()
        self.events = ev_mod.Events(self.clock)
        self.lines = []
        self.wall_clock = hal.rtc_utc

    def idle(self):
        return True   # no calls on the console rig: a new config switches in at once
