"""The emulated board's serial port: a pty a technician's tools open like a USB one.

Two ptys joined by a thread, as `socat pty,raw pty,raw` would:

    ringroute / mpremote / pyserial ──▶ user pty (slave, printed path)
                                          │ master ◀─ bridge thread ─▶ master
                                                             board pty (slave) = firmware stdin/stdout

Why two: the firmware (MicroPython's unix port) can read without blocking
only from a tty in VMIN=0 mode, which a pty master is not. The board pty is
also the firmware's controlling terminal, raw with no special keys. The
bridge plays MicroPython's UART interrupt (micropython.kbd_intr on the board):
while the board says a Ctrl-C stops it (the BF_BREAK flag of its block frames:
idle lines, or its REPL) a Ctrl-C from the user becomes SIGINT to the firmware,
KeyboardInterrupt wherever it is (a loop in the REPL too); while a call is up
it is passed on as a byte for the console to judge (rrfw/console/server.py).
Output nobody reads is
dropped (counted), as a UART's would be, so the firmware never blocks on it.
"""
import errno
import fcntl
import os
import select
import signal
import termios
import threading
import tty


def _board_tty(fd):
    tty.setraw(fd)
    a = termios.tcgetattr(fd)
    a[3] &= ~termios.ISIG                     # lflag: Ctrl-C is data (the firmware judges it)
    a[3] |= termios.NOFLSH                    # keep queued data
    cc = a[6]
    for i in range(len(cc)):
        if i not in (termios.VMIN, termios.VTIME):
            cc[i] = b"\x00"                    # _POSIX_VDISABLE on Linux: no special keys
    cc[termios.VMIN] = 0                       # a read returns what is there, at once
    cc[termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, a)


def take_ctty():
    """preexec_fn for the firmware: its own session, the board pty (fd 0) its terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyBridge:
    def __init__(self):
        self._ma, self.board_fd = os.openpty()
        self._mb, self._sb = os.openpty()
        _board_tty(self.board_fd)
        tty.setraw(self._sb)            # keep one user-side slave open: no EIO on the master
        self.path = os.ttyname(self._sb)
        os.set_blocking(self._mb, False)
        self.dropped = 0                # bytes of board output nobody was reading
        # everything the board writes, also to a file (for debugging the firmware)
        log = os.environ.get("RINGROUTE_CONSOLE_LOG")
        self._log = open(log, "ab") if log else None
        self._stop = False
        self.break_on = True            # the board's BF_BREAK, from its last block frame (runner.py)
        self._pid = None
        self._thread = threading.Thread(target=self._run, name="pty-bridge", daemon=True)

    def start(self, pid=None):
        """Call once the firmware (process `pid`) holds the board side. The copy
        here stays open: a firmware that resets (runner.py) is started again on
        the same board side, and the user's port stays the same."""
        self._pid = pid
        if not self._thread.is_alive():
            self._thread.start()

    def _to_board(self, data):
        while data:
            k = data.find(b"\x03") if self._pid is not None else -1
            part = data if k < 0 else data[:k]
            while part:
                n = os.write(self._ma, part)
                part = part[n:]
            if k < 0:
                return
            if self.break_on:
                try:
                    os.kill(self._pid, signal.SIGINT)   # a UART interrupt: the byte itself is not read
                except OSError:
                    pass
            else:
                os.write(self._ma, b"\x03")
            data = data[k + 1:]

    def _to_user(self, data):
        while data:
            try:
                n = os.write(self._mb, data)
            except BlockingIOError:
                self.dropped += len(data)
                return
            data = data[n:]

    def _run(self):
        while not self._stop:
            try:
                r, _, _ = select.select([self._ma, self._mb], [], [], 0.2)
                if self._ma in r:
                    data = os.read(self._ma, 4096)
                    if self._log:
                        self._log.write(data)
                        self._log.flush()
                    self._to_user(data)
                if self._mb in r:
                    self._to_board(os.read(self._mb, 4096))
            except OSError as e:
                if e.errno in (errno.EIO, errno.EBADF):  # the firmware has gone, or we closed
                    return
                raise

    def close(self):
        self._stop = True
        if self._thread.is_alive():
            self._thread.join(1.0)
        for fd in (self._ma, self._mb, self._sb, self.board_fd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass


# --- where `ringroute ports` finds running emulated boards -------------------
REGISTRY = os.path.join(os.environ.get("XDG_RUNTIME_DIR") or "/tmp", "ringroute-emulated")


def register(path, info=None):
    """Announce an emulated board's pty for `ringroute ports` (removed by unregister)."""
    import json
    os.makedirs(REGISTRY, exist_ok=True)
    entry = {"port": path, "pid": os.getpid(), "description": "ringroute emulated board"}
    entry.update(info or {})
    name = os.path.join(REGISTRY, "%d.json" % os.getpid())
    with open(name + ".tmp", "w") as f:
        json.dump(entry, f)
    os.replace(name + ".tmp", name)
    return name


def unregister():
    try:
        os.remove(os.path.join(REGISTRY, "%d.json" % os.getpid()))
    except OSError:
        pass


def emulated_ports():
    """[{port, pid, description}] of emulated boards still running."""
    import json
    out = []
    try:
        names = sorted(os.listdir(REGISTRY))
    except OSError:
        return out
    for name in names:
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(REGISTRY, name)) as f:
                entry = json.load(f)
            os.kill(int(entry["pid"]), 0)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a board that has gone (its emulator was killed)
        if os.path.exists(entry.get("port", "")):
            out.append(entry)
    return out
