# The emulated board's UART (emulator only): the console's bytes on this
# process's stdin/stdout. Its own module, apart from repl.py, so a board that
# never enters the REPL does not load the REPL's code (issue 14: the heap).
import os
import sys


class Port:
    """The emulated UART: this process's stdin/stdout, a pty that the runner
    set up raw with VMIN=0/VTIME=0 so a read returns what is there at once."""

    def __init__(self):
        self._fd = sys.stdin.fileno() if hasattr(sys.stdin, "fileno") else 0
        self._in = sys.stdin.buffer
        self._out = sys.stdout.buffer
        self._cpython = hasattr(os, "read")
        self._held = b""   # what came after a Ctrl-C that stopped the app: the REPL's

    def read_raw(self, buf):
        """Bytes waiting on the console into buf (0 when none); never blocks."""
        if self._held:
            n = min(len(buf), len(self._held))
            buf[:n] = self._held[:n]
            self._held = self._held[n:]
            return n
        if self._cpython:
            try:
                data = os.read(self._fd, len(buf))
            except BlockingIOError:
                return 0
            buf[:len(data)] = data
            return len(data)
        n = self._in.readinto(buf)
        return n or 0

    def read_into(self, buf, brk=True):
        """For the app's console: as read_raw, but with the break on
        (hal.set_break: the lines are idle) a Ctrl-C stops the app, as
        MicroPython's UART interrupt does on the board; the bytes after it
        (mpremote's Ctrl-A) are kept for the REPL. With the break off it is
        data for the console (a call is up)."""
        n = self.read_raw(buf)
        if n and brk:
            k = buf.find(b"\x03", 0, n)
            if k >= 0:
                self._held = bytes(buf[k + 1:n]) + self._held
                raise KeyboardInterrupt
        return n

    def write(self, data):
        if self._cpython:
            sys.stdout.flush()
        self._out.write(data)
        if self._cpython:
            self._out.flush()
