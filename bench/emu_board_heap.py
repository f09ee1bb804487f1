"""The emulated board's own heap after boot, beside the ESP32 HAL's (issue 14).

  python -m bench.emu_board_heap          # both tables, mp32-frozen (a few seconds)

rremu (the emulated board) never ships, but in the heap gate it runs inside the
same MicroPython heap as the firmware, so its bytes count against the gate. This
prints, under mp32-frozen, gc.mem_alloc() after a collection around each step:

- the emulated board as the busy run boots it (main.py's make_hal: 2 lines,
  8 extensions, --console stdio): `import rremu.board`, the Hal (connected to
  a socket this script listens on; no frame is exchanged), the UART (rremu.uart
  and its Port), the total after boot, which rremu modules are still in
  sys.modules and the Hal's instance attributes;
- rrfw/hal/esp32.py's Hal, for comparison, on boards/reference/board.json,
  against a stand-in `machine` module shaped as the ESP32 stubs the project
  type-checks against (scripts/check_firmware.py STUBS: Pin, I2S, I2C, WDT,
  Timer, RTC). Each hardware object is made before the measurement and handed
  out again, as the ESP32 port's Pin, I2C and WDT objects are static (in
  flash, not the heap); its I2S and Timer objects are heap objects on the
  board and are not counted here.

What both HALs import from rrfw (compat, errors, hal.base, hal.pcm) is loaded
first and not counted: it is the firmware's either way.
"""
import sys

_MP = sys.implementation.name == "micropython"

if _MP:
    import gc

    def _live():
        gc.collect()
        gc.collect()
        return gc.mem_alloc()

    def _firmware_first():
        # what both HALs take from rrfw: loaded and not counted
        import rrfw.compat  # noqa: F401
        import rrfw.errors  # noqa: F401
        import rrfw.hal.base  # noqa: F401
        import rrfw.hal.pcm  # noqa: F401

    def _rremu_mods():
        return sorted(m for m in sys.modules if m == "rremu" or m.startswith("rremu."))

    def emulated(sock):
        _firmware_first()
        rows = []
        base = a = _live()
        from rremu import board
        b = _live()
        rows.append(("import rremu.board (with what it imports)", b - a, " ".join(_rremu_mods())))
        a = b
        hal = board.Hal(sock, 2, 8, console=None)
        b = _live()
        rows.append(("Hal(sock, 2 lines, 8 exts)", b - a, "%d attributes" % len(hal.__dict__)))
        a = b
        from rremu import uart
        port = uart.Port()
        hal._console = port   # as main.py's make_hal passes it
        b = _live()
        rows.append(("rremu.uart and its Port (--console stdio)", b - a, ""))
        rows.append(("total after boot (rremu modules + objects)", b - base, " ".join(_rremu_mods())))
        for label, n, note in rows:
            print("  %-44s %6d  %s" % (label, n, note))
        print("  Hal attributes: %s" % " ".join(sorted(hal.__dict__)))
        hal.link().close()

    class _Hw:
        # one stand-in hardware object: every method the HAL calls does nothing
        def __init__(self, *a, **k):
            pass

        def __call__(self, *a, **k):
            return self

        def value(self, v=None):
            return 1

        def irq(self, *a, **k):
            pass

        def init(self, *a, **k):
            pass

        def deinit(self):
            pass

        def feed(self):
            pass

        def writeto_mem(self, *a):
            pass

        def readfrom_mem_into(self, *a):
            pass

        def datetime(self, *a):
            pass

    _ONE = _Hw()

    class _Kind:
        # Pin, I2S, I2C, WDT, Timer, RTC: the constructor hands out the one object
        # made before the measurement (static on the ESP32 port, not heap)
        IN = 1
        OUT = 3
        IRQ_FALLING = 2
        RX = 5
        TX = 6
        STEREO = 1
        PERIODIC = 1

        def __new__(cls, *a, **k):
            return _ONE

    class _Machine:
        # `machine` as the ESP32 stubs give it, as far as rrfw/hal/esp32.py uses it
        Pin = _Kind
        I2S = _Kind
        I2C = _Kind
        WDT = _Kind
        Timer = _Kind
        RTC = _Kind

        @staticmethod
        def disable_irq():
            return 0

        @staticmethod
        def enable_irq(state):
            pass

        @staticmethod
        def reset():
            pass

    def esp32(board_json):
        _firmware_first()
        import json
        with open(board_json) as f:
            board = json.load(f)
        sys.modules["machine"] = _Machine
        _Kind(1)   # (the first call: whatever the port makes once)
        rows = []
        base = a = _live()
        from rrfw.hal import esp32 as hal_esp32
        b = _live()
        rows.append(("import rrfw.hal.esp32", b - a, ""))
        a = b
        hal = hal_esp32.Hal(board)
        b = _live()
        rows.append(("Hal(board.json: %d lines, %d exts)" % (hal.n_lines, hal.n_exts), b - a,
                     "%d attributes" % len(hal.__dict__)))
        rows.append(("total after boot (module + objects)", b - base, ""))
        for label, n, note in rows:
            print("  %-44s %6d  %s" % (label, n, note))

    if __name__ == "__main__":
        if sys.argv[1] == "emu":
            emulated(sys.argv[2])
        else:
            esp32(sys.argv[2])

else:
    import os
    import socket
    import subprocess
    import tempfile

    ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, os.path.join(ROOT, "host_tools"))

    def _run(args):
        from ringroute import paths
        cmd = paths.engine_command("mp32-frozen", "400K") + [os.path.abspath(__file__)] + args
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=paths.engine_env("mp32-frozen"),
                           timeout=60)
        return (p.stdout + p.stderr).rstrip()

    def main(argv=()):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "link")
            srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            srv.bind(path)
            srv.listen(1)   # the Hal's connect completes on the backlog: no frame is sent
            try:
                print("the emulated board (rremu) after boot, mp32-frozen, bytes kept:")
                print(_run(["emu", path]))
            finally:
                srv.close()
        print("the ESP32 HAL (rrfw/hal/esp32.py) after boot, mp32-frozen, bytes kept:")
        print(_run(["esp32", os.path.join(ROOT, "boards", "reference", "board.json")]))
        return 0

    if __name__ == "__main__":
        sys.exit(main(sys.argv[1:]))
