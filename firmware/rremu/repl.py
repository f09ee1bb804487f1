# The emulated board's REPL (emulator only; the ESP32 has MicroPython's own).
#
# When Ctrl-C stops the app, main.py hands the console to Repl, which speaks
# what mpremote and a human expect of MicroPython on a UART
# (docs/console.md, micropython-notes.md "mpremote against an emulated board"):
#   friendly REPL  ">>> ", line input, Ctrl-A raw, Ctrl-B banner, Ctrl-C clear,
#                  Ctrl-D soft reset ("MPY: soft reboot"): the app starts again;
#                  machine.reset() resets the board (hal.reboot(): a new process,
#                  a fresh heap, as the ESP32's reset is)
#   raw REPL       Ctrl-A -> "raw REPL; CTRL-B to exit\r\n>"; code until Ctrl-D,
#                  "OK", stdout, 0x04, traceback, 0x04, ">"; Ctrl-D on an empty
#                  buffer soft-resets and stays raw; raw-paste ("\x05A\x01") with
#                  flow control; Ctrl-B back to friendly
# The board's flash folder is mounted as "/" while the REPL runs, so
# `mpremote fs ls :` and `fs cp x :` see the board's files, not the host's.
# While it waits for input, and between reads while input streams in (a copy),
# the REPL keeps the lockstep link to the emulated world turning
# (hal.idle_block) whenever the world has its next block ready, so the world's
# clock runs at its usual pace (real time x --speed on a pty), as the real
# board's hardware keeps running while its REPL works.
# The watchdog (rremu/board.py, as hal/esp32.py's): the REPL feeds it while a
# technician uses it, and stops when the console has been quiet for
# --repl-idle-ms (REPL_IDLE_MS): the watchdog then resets the board, which
# goes back to answering by itself. A soft reset in the raw REPL (mpremote's)
# stops that feeding, as MicroPython stops machine timers, and runs boot.py,
# as MicroPython does (firmware/boot.py beside main.py, or one on the flash:
# it starts the feeder again): its machine.WDT, machine.Timer and reset_cause are modelled
# here (BootMachine), its timer ticks with the block clock, and the heap it
# watches for "in use" is the console's input (BootGc). No boot.py
# (--no-boot-py), or one that starts no feeder: the watchdog resets the
# board 5 s after the soft reset, as it would the ESP32. Any bytes are taken (code that is not
# UTF-8 is an error printed, never a crash).
import os
import struct
import sys

BANNER = b"MicroPython on the ringroute emulated board (unix port)\r\nType \"help()\" for more information.\r\n"
RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n"
_PASTE_WINDOW = 128  # bytes the host may send before waiting for 0x01 (MicroPython uses 128 on most ports too)
REPL_IDLE_MS = 120000  # ms of a quiet console after which the REPL gives the board back to the calls


def _firmware_boot(argv):
    """The firmware's boot.py (beside main.py, as `ringroute flash` puts them on
    the board), or None: --no-boot-py (a board flashed before boot.py shipped)."""
    if "--no-boot-py" in argv or not argv:
        return None
    main = argv[0]
    i = main.rfind("/")
    try:
        with open((main[:i + 1] if i >= 0 else "") + "boot.py") as f:
            return f.read()
    except OSError:
        return None


def _idle_blocks(argv):
    if "--repl-idle-ms" in argv:
        i = argv.index("--repl-idle-ms")
        if i + 1 < len(argv):
            return int(argv[i + 1]) // 10
    return REPL_IDLE_MS // 10


class _Reset(Exception):
    pass


class _MachineShim:
    """What mpremote's `reset` and simple scripts need of `machine` here."""

    @staticmethod
    def reset():
        raise _Reset("hard")

    @staticmethod
    def soft_reset():
        raise _Reset("soft")

    @staticmethod
    def unique_id():
        return b"\x00emu\x00\x01"

    @staticmethod
    def freq(*a):
        return 240000000

    @staticmethod
    def idle():
        pass


SOFT_RESET = 5   # machine.SOFT_RESET's value on the ESP32 port


class BootMachine:
    """`machine` for the flash's boot.py after a soft reset: what firmware/boot.py uses."""
    SOFT_RESET = SOFT_RESET
    PWRON_RESET = 1

    def __init__(self, repl):
        self.reset = _MachineShim.reset
        self.soft_reset = _MachineShim.soft_reset
        self.unique_id = _MachineShim.unique_id
        self.freq = _MachineShim.freq
        self.idle = _MachineShim.idle

        class WDT:
            def __init__(self, id=0, timeout=5000):
                pass

            def feed(self):
                repl.feed_if_used()

        class Timer:
            PERIODIC = 1
            ONE_SHOT = 0

            def __init__(self, id=-1):
                self.id = id

            def init(self, period=1000, mode=1, callback=None, freq=None):
                repl.timers[self.id] = [max(1, period // 10), 0, callback, self, mode]

            def deinit(self):
                repl.timers.pop(self.id, None)

        self.WDT = WDT
        self.Timer = Timer

    @staticmethod
    def reset_cause():
        return SOFT_RESET


class BootGc:
    """`gc` for boot.py: its "heap" moves with every byte the console brings
    (the emulated REPL's own allocations say nothing of a technician)."""

    def __init__(self, repl):
        self._repl = repl

    def mem_alloc(self):
        return self._repl.bytes_in

    def collect(self):
        pass


def _print_exc(e):
    if hasattr(sys, "print_exception"):
        sys.print_exception(e, sys.stdout)
    else:
        import traceback
        traceback.print_exception(type(e), e, e.__traceback__, file=sys.stdout)
        sys.stdout.flush()


class Repl:
    def __init__(self, hal, port, root):
        self.hal = hal
        self.port = port
        self.root = root
        self._buf = bytearray(256)
        self._pos = 0
        self._len = 0
        self.g = None
        self._mounted = False
        self._machine = None
        self._prev = 0
        self._poll = None
        self._idle = _idle_blocks(sys.argv)
        self._last_in = hal.block   # block of the last byte from the console
        self.bytes_in = 0           # bytes the console brought (BootGc)
        self.timers = None          # after a soft reset: boot.py's machine.Timers {id: [period, count, cb, t, mode]}
        self._boot_src = _firmware_boot(sys.argv)   # read now: the flash is "/" while the REPL runs
        link = hal.link()
        try:
            import select
            self._poll = select.poll()
            self._poll.register(sys.stdin, select.POLLIN)
            if link is not None:
                self._poll.register(link, select.POLLIN)
            self._link = link
        except (ImportError, OSError, TypeError, ValueError):
            self._poll = None

    def _link_ready(self, ready):
        for entry in ready:
            obj = entry[0]
            if obj is self._link or (hasattr(self._link, "fileno") and obj == self._link.fileno()):
                return True
        return False

    # --- input --------------------------------------------------------------
    def _turn(self):
        """One block of the world with the app stopped; the watchdog fed while the REPL is in use."""
        hal = self.hal
        if self.timers is None:
            self.feed_if_used()   # enter_repl's feeder (hal/esp32.py)
        else:
            self._tick()          # what boot.py started after the soft reset, if anything
        if not hal.idle_block():
            raise _Reset("stop")
        # this block's (silent) outputs go now: the world can make its next
        # block while the REPL waits, and the link shows it ready in time
        hal.send_now()

    def feed_if_used(self):
        """Feed the watchdog unless the console has been quiet for --repl-idle-ms."""
        if self.hal.block - self._last_in < self._idle:
            self.hal.feed_watchdog()

    def _tick(self):
        for tid in list(self.timers):
            e = self.timers.get(tid)
            if e is None:
                continue
            e[1] += 1
            if e[1] >= e[0]:
                e[1] = 0
                if e[4] == 0:
                    self.timers.pop(tid, None)
                try:
                    e[2](e[3])
                except Exception as err:  # noqa: BLE001 - as MicroPython reports an IRQ's error
                    self.timers.pop(tid, None)
                    self._w(b"boot.py timer: " + repr(err).encode() + b"\r\n")

    def _boot(self):
        """A soft reset: machine timers stop, then boot.py runs (BootMachine):
        one on the flash if a technician put one there, else the firmware's."""
        self.timers = {}
        try:
            with open("boot.py") as f:
                code = f.read()
        except OSError:
            code = self._boot_src
        if code is None:
            return
        saved = {n: sys.modules.get(n) for n in ("machine", "gc")}
        sys.modules["machine"] = BootMachine(self)
        sys.modules["gc"] = BootGc(self)
        try:
            err = self._exec(code, False)
        finally:
            for n, m in saved.items():
                if m is None:
                    sys.modules.pop(n, None)
                else:
                    sys.modules[n] = m
        if err is not None:
            _print_exc(err)

    def _getc(self):
        while self._pos >= self._len:
            n = self.port.read_raw(self._buf)
            if n:
                self._pos = 0
                self._len = n
                self._last_in = self.hal.block
                self.bytes_in += n
                # input streaming in: the world's block, if due, still runs
                if self._poll is not None and self._link_ready(self._poll.poll(0)):
                    self._turn()
                break
            # wait for whichever comes first: a key, or the world's next block
            if self._poll is not None:
                ready = self._poll.poll(50)
                if ready and not self._link_ready(ready):
                    continue  # only the console: read it at once
            self._turn()
        c = self._buf[self._pos]
        self._pos += 1
        return c

    def _w(self, data):
        self.port.write(data)

    # --- flash as "/" ---------------------------------------------------------
    def _enter(self):
        self._machine = sys.modules.get("machine")
        sys.modules["machine"] = _MachineShim
        if hasattr(os, "VfsPosix"):
            try:
                os.mount(os.VfsPosix(self.root), "/")
                self._mounted = True
            except OSError:
                pass
            os.chdir("/")
        else:
            os.chdir(self.root)  # CPython: no VFS; paths starting with "/" reach the host's root

    def _leave(self):
        if self._mounted:
            try:
                os.umount("/")
            except OSError:
                pass
            self._mounted = False
        os.chdir(self.root)
        if self._machine is None:
            sys.modules.pop("machine", None)
        else:
            sys.modules["machine"] = self._machine

    # --- the loop -------------------------------------------------------------
    def run(self, why="interrupt"):
        """Returns "soft" (restart the app) or "stop" (the world ended);
        machine.reset() ("hard") does not return: the board resets (hal.reboot(),
        rremu/board.py's BF_RESET), a fresh process and heap as on the ESP32."""
        try:
            why = self._loop(why)
        except _Reset as r:   # machine.reset() in boot.py, run by a soft reset
            why = r.args[0]
        if why == "hard":
            self.hal.reboot()
        return why

    def _loop(self, why):
        self._enter()
        self.g = {"__name__": "__main__"}
        try:
            if why == "interrupt":
                self._w(b"Traceback (most recent call last):\r\nKeyboardInterrupt: \r\n")
            self._w(BANNER + b">>> ")
            mode = "friendly"
            line = bytearray()
            while True:
                try:
                    if mode == "friendly":
                        mode = self._friendly(line)
                    else:
                        mode = self._raw(line)
                except KeyboardInterrupt:
                    # Ctrl-C as a signal (the pty's VINTR): like the key itself
                    line[:] = b""
                    if mode == "friendly":
                        self._w(b"\r\n>>> ")
                except _Reset as r:
                    why = r.args[0] if r.args else "soft"
                    if why == "raw-soft":
                        self.g = {"__name__": "__main__"}
                        self._w(b"MPY: soft reboot\r\n")
                        self._boot()
                        self._w(RAW_BANNER + b">")
                        mode = "raw"
                        continue
                    if why == "soft":
                        self._w(b"MPY: soft reboot\r\n")   # (a hard reset prints the ROM's boot lines)
                    return why
        finally:
            self._leave()

    def _friendly(self, line):
        c = self._getc()
        prev = self._prev
        self._prev = c
        if c == 0x0A and prev == 0x0D:
            return "friendly"  # the LF of a CR LF pair: the CR already ended the line
        if c == 0x01:
            line[:] = b""
            self._w(b"\r\n" + RAW_BANNER + b">")
            return "raw"
        if c == 0x02:
            line[:] = b""
            self._w(b"\r\n" + BANNER + b">>> ")
        elif c == 0x03:
            line[:] = b""
            self._w(b"\r\n>>> ")
        elif c == 0x04:
            if not line:
                self._w(b"\r\n")
                raise _Reset("soft")
        elif c == 0x0D or c == 0x0A:
            self._w(b"\r\n")
            try:
                code = bytes(line).decode()
            except (UnicodeError, ValueError):
                code = None
            line[:] = b""
            if code is None:
                self._w(b"SyntaxError: the line is not UTF-8\r\n")
            elif code.strip():
                err = self._exec(code, True)
                if err is not None:
                    _print_exc(err)
            self._w(b">>> ")
        elif c == 0x08 or c == 0x7F:
            if line:
                line[:] = line[:-1]
                self._w(b"\x08 \x08")
        elif c >= 0x20:
            line.append(c)
            self._w(bytes([c]))
        return "friendly"

    def _raw(self, line):
        c = self._getc()
        if c == 0x01:
            if bytes(line) == b"\x05A":
                line[:] = b""
                self._paste()
                self._w(b">")
                return "raw"
            line[:] = b""
            self._w(RAW_BANNER + b">")
        elif c == 0x02:
            line[:] = b""
            self._w(b"\r\n" + BANNER + b">>> ")
            return "friendly"
        elif c == 0x03:
            line[:] = b""
        elif c == 0x04:
            self._w(b"OK")
            if not line:
                self._w(b"\r\n")
                raise _Reset("raw-soft")
            code = bytes(line)
            line[:] = b""
            self._run_raw(code)
            self._w(b">")
        else:
            line.append(c)
        return "raw"

    def _paste(self):
        # raw-paste mode (MicroPython's pyexec.c): announce a window, grant a
        # new one (0x01) each time the host has used one up, 0x04 ends
        self._w(b"R\x01" + struct.pack("<H", _PASTE_WINDOW))
        code = bytearray()
        used = 0
        while True:
            c = self._getc()
            if c == 0x04:
                self._w(b"\x04")
                break
            code.append(c)
            used += 1
            if used == _PASTE_WINDOW:
                used = 0
                self._w(b"\x01")
        self._run_raw(bytes(code))

    def _run_raw(self, code):
        try:
            text = code.decode()
        except UnicodeError:
            text = None
        err = self._exec(text, False) if text is not None else ValueError("code is not UTF-8")
        self._w(b"\x04")
        if err is not None:
            _print_exc(err)
        self._w(b"\x04")

    def _exec(self, code, single):
        try:
            if single:
                exec(compile(code, "<stdin>", "single"), self.g)
            else:
                exec(code, self.g)
        except _Reset:
            raise
        except SystemExit:
            return None
        except BaseException as e:  # KeyboardInterrupt too: the REPL reports it and goes on
            return e
        finally:
            if hasattr(sys.stdout, "flush"):
                sys.stdout.flush()
        return None
