"""`ringroute ports`: find boards among the serial ports."""
import json

HELP = "list the serial ports where a ringroute board may be (USB bridges and emulated boards)"
DESCRIPTION = """\
Lists USB-serial bridges that ESP32 boards use (CP210x, CH340, CH9102, FTDI,
Espressif USB) and emulated boards started with `ringroute emulate --pty`.
Other commands use the only board found when --port is not given.

examples:
  ringroute ports
  ringroute ports --probe        # also ask each one whether it runs ringroute
"""


def configure(p):
    p.add_argument("--json", action="store_true", help="one JSON object per port")
    p.add_argument("--probe", action="store_true", help="ask each port for the ringroute firmware's hello")


def run(args):
    from .errors import SerialError
    from .session import Board
    from .transport import Transport, find_ports
    found = find_ports()
    for f in found:
        if args.probe:
            try:
                t = Transport(f["port"]).open()
                try:
                    info = Board(t).request("hello", timeout=1.0, retries=0)
                    f["firmware"] = "ringroute %s" % info.get("fw")
                finally:
                    t.close()
            except SerialError as e:
                f["firmware"] = "no answer (%s)" % e.__class__.__name__
        if args.json:
            print(json.dumps(f))
    if args.json:
        return 0
    if not found:
        print("no board found: plug in the board's USB cable (or start one: ringroute emulate --pty)")
        return 1
    for f in found:
        extra = "  " + f["firmware"] if "firmware" in f else ""
        usb = f["usb"] or "-"
        print("%-16s %-9s %-10s %s%s" % (f["port"], f["kind"], usb, f["description"], extra))
    return 0
