"""The serial port itself: the only module that imports pyserial.

    port = default_port(args.port)        # --port, $RINGROUTE_PORT, or the only board found
    t = Transport(port).open()            # bytes in and out, lines with a deadline
    line = t.readline(time.monotonic() + 5.0)

What the lines mean is framing.py's job; the conversation with the board is
session.py's. Every failure here is a SerialError naming the port and what to do.
"""
import errno
import os
import time

from .errors import SerialError

BAUD = 115200  # the board's REPL UART (reference-board.md)

# USB-serial bridges found on ESP32 boards (vendor id, product id): name
KNOWN_USB = {
    (0x10C4, 0xEA60): "Silicon Labs CP210x",
    (0x1A86, 0x7523): "WCH CH340",
    (0x1A86, 0x55D4): "WCH CH9102",
    (0x0403, 0x6001): "FTDI FT232R",
    (0x0403, 0x6015): "FTDI FT231X",
    (0x303A, 0x1001): "Espressif USB-serial/JTAG",
}


class PortNotFound(SerialError):
    pass


class PortBusy(SerialError):
    pass


class LinkError(SerialError):
    """The port failed mid-session (cable pulled, board reset)."""


# --- finding the board --------------------------------------------------------
def find_ports():
    """[{port, description, kind, usb}] for every port that may be a board."""
    out = []
    try:
        from serial.tools import list_ports
        for p in list_ports.comports():
            key = (p.vid, p.pid)
            if key in KNOWN_USB:
                out.append({"port": p.device, "description": "%s (%s)" % (KNOWN_USB[key], p.description),
                            "kind": "usb", "usb": "%04x:%04x" % key, "serial": p.serial_number})
    except ImportError:
        pass
    from .emu import ptylink
    for e in ptylink.emulated_ports():
        out.append({"port": e["port"], "description": e.get("description", "emulated board"),
                    "kind": "emulated", "usb": None, "serial": None, "pid": e.get("pid")})
    return out


def default_port(explicit=None):
    """--port, else $RINGROUTE_PORT, else the only board found."""
    if explicit:
        return explicit
    env = os.environ.get("RINGROUTE_PORT")
    if env:
        return env
    found = find_ports()
    if len(found) == 1:
        return found[0]["port"]
    if not found:
        raise PortNotFound("no board found: plug in its USB cable (it shows up as a CP210x/CH340 "
                           "serial port), or give --port (see `ringroute ports`)")
    raise PortNotFound("%d boards found (%s): choose one with --port" % (
        len(found), ", ".join(f["port"] for f in found)))


# --- the transport ------------------------------------------------------------
class Transport:
    """A serial port: bytes in and out, lines with a deadline.

    throttle_baud paces writes as a UART at that rate would (a pty has no
    baud rate; the benchmark uses this to measure 115200-baud transfers)."""

    def __init__(self, port, baud=BAUD, throttle_baud=None):
        self.port = port
        self.baud = baud
        self.throttle_baud = throttle_baud
        self._ser = None
        self._buf = b""
        self._t_free = 0.0

    def open(self):
        # imported here, not at the top: the parser, the emulator and the
        # decoders need no pyserial, and a missing one gets a one-line fix
        try:
            import serial
        except ImportError:
            raise SerialError("pyserial is not installed: run `make venv`")
        ser = serial.Serial()
        ser.port = self.port
        ser.baudrate = self.baud
        ser.timeout = 0.05
        ser.write_timeout = 10
        ser.exclusive = True
        try:
            ser.open()
        except serial.SerialException as e:
            raise self._open_error(e)
        except OSError as e:
            raise self._open_error(e)
        # ESP32 boards wire DTR/RTS to reset: leave both as pyserial set them
        # (both asserted = no reset). A pty has no modem lines at all.
        self._ser = ser
        try:
            ser.reset_input_buffer()
        except (OSError, serial.SerialException):
            pass
        return self

    def _open_error(self, e):
        no = getattr(e, "errno", None)
        text = str(e)
        if no == errno.ENOENT or "No such file" in text:
            return PortNotFound("%s does not exist: is the board plugged in? (`ringroute ports` lists boards)"
                                % self.port)
        if no == errno.EACCES or "Permission denied" in text:
            return SerialError("no permission to open %s: add yourself to the dialout group "
                               "(sudo usermod -aG dialout $USER, then log in again)" % self.port)
        if no in (errno.EBUSY, errno.EAGAIN) or "lock" in text.lower() or "busy" in text.lower():
            return PortBusy("%s is in use by another program (a terminal, mpremote, another ringroute?): "
                            "close it and try again" % self.port)
        return SerialError("cannot open %s: %s" % (self.port, text))

    def close(self):
        if self._ser is not None:
            try:
                self._ser.close()
            except Exception:
                pass
            self._ser = None

    def write(self, data):
        if self.throttle_baud:
            # as a UART would: the bytes leave one after another, 10 bits each
            # (start, 8 data, stop), so the board can read while they arrive
            step = 32
            for i in range(0, len(data), step):
                piece = data[i:i + step]
                now = time.monotonic()
                start = max(now, self._t_free)
                if start > now:
                    time.sleep(start - now)
                self._t_free = start + len(piece) * 10.0 / self.throttle_baud
                self._write(piece)
            return
        self._write(data)

    def _write(self, data):
        try:
            self._ser.write(data)
            self._ser.flush()
        except Exception as e:
            raise LinkError("lost the board on %s while sending (%s): check the cable" % (self.port, e))

    def read_some(self):
        try:
            n = self._ser.in_waiting
            return self._ser.read(max(1, n))
        except Exception as e:
            raise LinkError("lost the board on %s (%s): check the cable and that nothing else "
                            "uses the port" % (self.port, e))

    def readline(self, deadline):
        """The next line (bytes, without the newline), or None at the deadline."""
        while True:
            i = self._buf.find(b"\n")
            if i >= 0:
                line, self._buf = self._buf[:i], self._buf[i + 1:]
                return line.rstrip(b"\r")
            if time.monotonic() >= deadline:
                return None
            self._buf += self.read_some()

    def read_for(self, seconds, until=None):
        """What arrives within `seconds`, or up to `until` if that comes first (REPL recovery)."""
        end = time.monotonic() + seconds
        data = self._buf
        self._buf = b""
        while time.monotonic() < end and not (until and until in data):
            data += self.read_some()
        return data

    def drain(self):
        self._buf = b""
        try:
            self._ser.reset_input_buffer()
        except Exception:
            pass
