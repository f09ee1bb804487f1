"""A conversation with a ringroute board: requests, uploads, downloads, live events.

    with open_board(args, need_pin=True) as b: # --port/--baud/--pin from the command line
        b.request("status")
        b.put_file("prompt", data, name="welcome", progress=Progress("welcome"))

Built on transport.py (the port) and framing.py (the lines). Every failure
is a SerialError (a RingrouteError): one line that says what went wrong and
what to do, never a traceback.
"""
import binascii
import getpass
import os
import random
import sys
import time

from rrfw.console import protocol

from .errors import RingrouteError, SerialError
from .framing import ProtocolError, decode, encode
from .transport import BAUD, Transport, default_port

DEFAULT_TIMEOUT = 5.0  # s for a reply; a board answers within a few 10 ms blocks
REPL_WAIT_S = 1.5    # s for a REPL prompt after Ctrl-B / Ctrl-C
REBOOT_WAIT_S = 4.0  # s for "soft reboot" after Ctrl-D
BOOT_WAIT_S = 4.0    # s per try for the app to answer after a reboot (3 tries)
# s for a reply to a request that hashes a PIN (login, pin.set, pin.supervisor):
# the board spreads each hash over 256 blocks, 2.56 s (rrfw/store/pins.py), and
# one request may run four (pin.set with the old PIN wrong, a supervisor set: 10.24 s)
PIN_TIMEOUT = 15.0


class NoBoard(SerialError):
    """The port answers, but not with the ringroute console protocol."""


class BoardError(SerialError):
    """The board answered with an error reply."""

    def __init__(self, verb, code, msg, extra=None):
        SerialError.__init__(self, "the board refused %s: %s" % (verb, msg))
        self.verb = verb
        self.code = code
        self.msg = msg
        self.extra = extra or {}


class AuthError(BoardError):
    exit_code = 5


class Board:
    """A ringroute board on a transport: requests, uploads, downloads, live events."""

    def __init__(self, transport, timeout=DEFAULT_TIMEOUT):
        self.t = transport
        self.timeout = timeout
        self._id = random.randint(1, 50000)
        self.info = None
        self.events = []       # unsolicited (rid 0) messages seen while waiting for replies
        self.session = False   # logged in (logout on close)
        self.role = None       # whose PIN: "admin" or "supervisor" (login says)
        self.token = None      # the session's token (login / pin.set): sent with every request

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        # however the conversation ends (done, an error, Ctrl-C out of
        # `ringroute monitor`), the session ends with it (issue 16). The board
        # takes only requests with this client's token as the session's, so
        # one left open (the process killed) is still no one else's; logging
        # out ends it now, and its live monitor with it
        try:
            if self.session:
                self.request("logout", retries=0, timeout=1.0)
        except (SerialError, OSError):
            pass
        self.session = False
        self.token = None
        self.t.close()

    def request(self, verb, args=None, timeout=None, retries=2):
        """The board's result (a dict) for one command; BoardError for an error reply."""
        args = dict(args or {})
        if self.token is not None:
            args["tok"] = self.token   # the board answers a request without it as from a stranger
        last = None
        for attempt in range(retries + 1):
            self._id = self._id % 99999999 + 1
            rid = str(self._id)
            self.t.write(encode(rid, verb, args))
            deadline = time.monotonic() + (timeout or self.timeout)
            while True:
                line = self.t.readline(deadline)
                if line is None:
                    last = "timeout"
                    break
                try:
                    msg = decode(line)
                except ProtocolError as e:
                    last = str(e)
                    continue
                if msg is None:
                    continue  # REPL output, a hint: not ours
                mrid, mverb, payload = msg
                if mrid == "0" and mverb in ("ev", "gap"):
                    self.events.append((mverb, payload))
                    continue
                if mverb not in ("ok", "err"):
                    continue  # our own request echoed by a REPL
                if mrid != rid and not (mrid == "0" and mverb == "err"):
                    continue  # a late reply to an earlier try
                if mverb == "ok":
                    return payload
                code = payload.get("code")
                if code in ("crc", "frame") and attempt < retries:
                    last = payload.get("msg")
                    break  # damaged on the way: send again
                if code == "busy" and attempt < retries:
                    last = payload.get("msg")
                    time.sleep(payload.get("retry_ms", 200) / 1000.0)
                    break  # the board's reply queue was full: it did nothing, send again
                cls = AuthError if code in ("auth", "bad_pin", "wait", "locked", "pin_unset", "pin_form") \
                    else BoardError
                raise cls(verb, code, payload.get("msg", code), payload)
        if last == "timeout":
            raise NoBoard("no answer to %s from %s: is the board running the ringroute firmware "
                          "(`ringroute flash`), and not busy in its REPL?" % (verb, self.t.port))
        raise ProtocolError("the board's replies to %s arrive damaged (%s): check the cable" % (verb, last))

    def hello(self):
        """Check that a ringroute board is there; bring it out of its REPL if it sits in it."""
        try:
            self.info = self.request("hello", timeout=0.8, retries=1)
            return self.info
        except NoBoard:
            pass
        # A board left in the (raw) REPL by mpremote or a technician: Ctrl-B
        # leaves raw mode and shows the friendly prompt; Ctrl-D there is a soft
        # reset, which runs main.py (the app) again. A board whose REPL is busy
        # running something (an mpremote exec that was killed) shows nothing:
        # then Ctrl-C first. The app itself ignores both keys, and it only gets
        # here after ignoring two hellos.
        seen = b""
        # Waits are generous: an ESP32 importing the firmware after a soft
        # reset (or a busy host running the emulated one) takes seconds.
        for keys in (b"\x02", b"\r\x03\x03\x02"):
            self.t.write(keys)
            seen += self.t.read_for(REPL_WAIT_S, until=b">>> ")
            if b">>>" in seen:
                break
        if b">>>" in seen:
            self.t.write(b"\x04")
            seen += self.t.read_for(REBOOT_WAIT_S, until=b"soft reboot\r\n")
        self.t.drain()
        try:
            self.info = self.request("hello", timeout=BOOT_WAIT_S, retries=2)
            return self.info
        except NoBoard:
            hint = ""
            if b"soft reboot" in seen or b"MicroPython" in seen:
                hint = " It answers as a plain MicroPython board: install the firmware with `ringroute flash`."
            raise NoBoard("no ringroute board answers on %s.%s" % (self.t.port, hint))

    # --- the admin PIN --------------------------------------------------------
    def started(self, reply):
        """A login's or pin.set's reply: the session it opened is this client's."""
        self.token = reply.get("token")
        self.session = True
        self.role = reply.get("role", "admin")   # "supervisor": the read-only PIN (masked, no changes)

    def pin_set(self, new, old=None):
        """Set (first use) or change the admin PIN; opens an admin session."""
        req = {"new": new}
        if old:
            req["old"] = old
        self.started(self.request("pin.set", req, timeout=PIN_TIMEOUT))

    def login(self, pin, first_use_ok=True, say=None):
        """Open a session; on a board with no PIN yet, make `pin` its PIN (first use)."""
        if self.info is None:
            self.hello()
        if not self.info.get("pin_set"):
            if not first_use_ok:
                raise AuthError("login", "pin_unset", "the board has no admin PIN yet")
            self.pin_set(pin)
            if say:
                say("the board had no admin PIN; it now has the one you gave (keep it safe)")
            self.info["pin_set"] = True
            return
        self.token = None     # a login replaces any session this client had
        self.started(self.request("login", {"pin": pin}, timeout=PIN_TIMEOUT))

    # --- files ----------------------------------------------------------------
    def put_file(self, kind, data, name=None, progress=None, extra=None):
        """Upload `data` as a config, prompt or campaign list; resumes a transfer that was cut off."""
        crc = binascii.crc32(data) & 0xFFFFFFFF
        begin = {"kind": kind, "size": len(data), "crc": crc}
        if name:
            begin["name"] = name
        begin.update(extra or {})
        have = self.request("put.begin", begin)["have"]
        # the board says its chunk size in hello; the firmware's own is the fallback
        chunk = (self.info or {}).get("chunk", protocol.CHUNK)
        if progress:
            progress.start(len(data), have)
        while have < len(data):
            piece = data[have:have + chunk]
            try:
                have = self.request("put.chunk", {"off": have, "data": binascii.b2a_base64(piece, newline=False)
                                                  .decode(), "crc": binascii.crc32(piece) & 0xFFFFFFFF})["have"]
            except BoardError as e:
                if e.code != "offset":
                    raise
                have = e.extra.get("have", 0)  # a reply was lost: go on from where the board is
            if progress:
                progress.update(have)
        result = self.request("put.end", timeout=max(self.timeout, 10.0))
        if progress:
            progress.done()
        return result

    def get_file(self, kind, name=None, progress=None, seg=None):
        """A file from the board (bytes), or None when it has none (seg: which
        records segment, from records.list)."""
        args = {"kind": kind, "off": 0}
        if name:
            args["name"] = name
        if seg is not None:
            args["seg"] = seg
        first = self.request("get", args)
        size = first["size"]
        if size < 0:
            return None
        data = bytearray(binascii.a2b_base64(first["data"]))
        if progress:
            progress.start(size, len(data))
        while len(data) < size:
            args["off"] = len(data)
            got = self.request("get", args)
            piece = binascii.a2b_base64(got["data"])
            if not piece:
                break  # the file shrank (rotated) while we read it
            data += piece
            if progress:
                progress.update(len(data))
        if progress:
            progress.done()
        if "crc" in first and len(data) == size and binascii.crc32(bytes(data)) & 0xFFFFFFFF != first["crc"]:
            raise ProtocolError("the %s arrived damaged (CRC mismatch): try again" % kind)
        return bytes(data)

    def prompt_list(self):
        out = {}
        start = ""
        while True:
            r = self.request("prompt.list", {"from": start})
            out.update(r["prompts"])
            if not r.get("more"):
                return out
            start = r["more"]

    # --- live events ------------------------------------------------------------
    def monitor(self, since=None, on_event=None, until=None, renew_s=10.0):
        """Call on_event(kind, payload) for each live event until `until()` is true.

        kind is "ev" (an event dict) or "gap" ({from, to}: events lost from the
        board's ring). Returns the last sequence number seen."""
        args = {} if since is None else {"since": since}
        r = self.request("monitor", args)
        last = r["seq"] if since is None else since
        next_renew = time.monotonic() + renew_s
        while until is None or not until():
            for kind, payload in self._take_events():
                if kind == "ev":
                    seq = payload.get("seq", last)
                    if seq <= last:
                        continue
                    last = seq
                on_event(kind, payload)
            if time.monotonic() >= next_renew:
                self.request("monitor", {"since": last})
                next_renew = time.monotonic() + renew_s
                continue
            line = self.t.readline(time.monotonic() + 0.2)
            if line is None:
                continue
            try:
                msg = decode(line)
            except ProtocolError:
                continue
            if msg and msg[0] == "0" and msg[1] in ("ev", "gap"):
                self.events.append((msg[1], msg[2]))
        try:
            self.request("monitor.stop", retries=0, timeout=1.0)
        except SerialError:
            pass
        return last

    def _take_events(self):
        evs, self.events = self.events, []
        return evs


# --- command-line glue ----------------------------------------------------------
def add_port_args(p, pin=False):
    p.add_argument("--port", help="serial port of the board (default: $RINGROUTE_PORT, or the only "
                                  "board found; see `ringroute ports`)")
    p.add_argument("--baud", type=int, default=BAUD, help="baud rate (default %d)" % BAUD)
    if pin:
        p.add_argument("--pin", help="the board's admin PIN (default: $RINGROUTE_PIN, or asked for); "
                                     "on a board that has none yet, this becomes its PIN")


def get_pin(args, confirm_new=False):
    pin = getattr(args, "pin", None) or os.environ.get("RINGROUTE_PIN")
    if pin:
        return pin
    if sys.stdin.isatty():
        pin = getpass.getpass("admin PIN for the board: ")
        if confirm_new and getpass.getpass("the board has no PIN yet; the same PIN again: ") != pin:
            raise RingrouteError("the two PINs differ; nothing was changed")
        return pin
    raise RingrouteError("this command needs the board's admin PIN: give --pin or set RINGROUTE_PIN")


def say(msg):
    print("ringroute: %s" % msg, file=sys.stderr)


def open_board(args, need_pin=False, throttle_baud=None):
    """Open --port, check it is a ringroute board, log in when asked; a Board (a context manager)."""
    port = default_port(getattr(args, "port", None))
    t = Transport(port, getattr(args, "baud", BAUD), throttle_baud=throttle_baud).open()
    b = Board(t)
    try:
        b.hello()
        if need_pin:
            pin = get_pin(args, confirm_new=not b.info.get("pin_set"))
            b.login(pin, say=say)
    except BaseException:
        t.close()
        raise
    return b


class Progress:
    """Progress of one transfer on stderr: a live line on a terminal, one line per file otherwise."""

    def __init__(self, label, stream=None, quiet=False):
        self.label = label
        self.s = stream or sys.stderr
        self.quiet = quiet
        self.tty = hasattr(self.s, "isatty") and self.s.isatty()
        self.total = 0
        self.t0 = 0.0
        self.first = 0
        self.n = 0

    def start(self, total, have=0):
        self.total = total
        self.first = have
        self.n = have
        self.t0 = time.monotonic()
        if have and not self.quiet:
            self.s.write("  %s: resuming at %d of %d bytes\n" % (self.label, have, total))

    def _line(self):
        dt = max(time.monotonic() - self.t0, 1e-6)
        rate = (self.n - self.first) / dt
        pct = 100.0 * self.n / self.total if self.total else 100.0
        return "  %-24s %8.1f KB %3.0f%%  %6.1f KB/s" % (self.label, self.n / 1024.0, pct, rate / 1024.0)

    def update(self, n):
        self.n = n
        if self.tty and not self.quiet:
            self.s.write("\r" + self._line())
            self.s.flush()

    def done(self):
        self.n = self.total
        if not self.quiet:
            self.s.write(("\r" if self.tty else "") + self._line() + "  done\n")
            self.s.flush()
