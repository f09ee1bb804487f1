"""`ringroute callerid decode`: caller-ID messages in recordings of a line, by the firmware's decoder."""

from .errors import UsageError

HELP = "decode caller ID (Bell 202, ETSI V.23 FSK, DTMF CLIP) from recordings of a line"
DESCRIPTION = """\
Runs the board's own caller-ID decoder (firmware/callerid.py, under the real
`micropython` binary by default) over recordings of a phone line taken while
it rings, and prints every caller-ID message whose checksum and contents are
valid: the standard, the number (or why it is absent), the name and the
date/time the exchange sent. Any WAV works (any rate, 8-32 bit, mu-law,
A-law; stereo is mixed to mono): it is converted to the codec's 8 kHz first.

Standards: Bell 202 FSK, SDMF and MDMF (North America, Telcordia GR-30-CORE);
ETSI V.23 FSK (EN 300 659, BT SIN 227); DTMF CLIP (A<number>C, B00C, B10C,
D1#..D3#). All are tried unless --standard narrows it down.

examples:
  ringroute callerid decode ring.wav
      ring.wav: 0.30 s bell202 5551234567 "SMITH JOHN" 11-22 09:30
  ringroute callerid decode a.wav b.wav --json
      {"file": "a.wav", "standard": "v23", "number": null, "name": null,
       "datetime": "11220930", "reason": "withheld", "start_ms": 300, "end_ms": 750}
  ringroute callerid decode line.wav --standard dtmf --engine cpython
  ringroute callerid decode noisy.wav --errors
      noisy.wav: 0.30 s v23 message failed: checksum (ignored)

Absence reasons: withheld (the caller asked for privacy: 'P', B10C, D1#),
unavailable (the network has no number: 'O', B00C, D2#, D3#), absent (a
message with no number and no reason). A recording with no valid message
prints "no caller ID" (nothing with --json) and still exits 0. --errors also
lists FSK messages that started but were not accepted (error: checksum,
format, broken), which tells a bad line from one that sends no caller ID.
"""

_CLASSES = {"any": "CallerIdDecoder", "bell202": "CallerIdBell202", "v23": "CallerIdV23",
            "fsk": "CallerIdFsk", "dtmf": "CallerIdDtmf"}
_FIELDS = ("standard", "number", "name", "datetime", "reason", "start_ms", "end_ms")


def configure(p):
    sub = p.add_subparsers(dest="callerid_cmd", metavar="ACTION")
    sub.required = True
    d = sub.add_parser("decode", help="list the caller-ID messages in WAV recordings",
                       description=p.description, formatter_class=p.formatter_class)
    d.add_argument("files", nargs="+", metavar="FILE.wav", help="recordings of the line while it rings")
    d.add_argument("--json", action="store_true", help="one JSON object per message")
    d.add_argument("--standard", choices=sorted(_CLASSES), default="any",
                   help="decode only this standard (default: any)")
    d.add_argument("--engine", choices=("micropython", "cpython"), default="micropython",
                   help="interpreter that runs the firmware decoder (default: micropython)")
    d.add_argument("--errors", action="store_true",
                   help="also list FSK messages that failed (checksum, format, broken)")


def decode(files, engine="micropython", standard="any", errors=False):
    """Messages per file: lists of dicts with the _FIELDS keys (errors: {"error", "standard",
    "start_ms", "end_ms"} dicts too, in time order)."""
    from . import fwexec   # numpy: only when there is work to do, not for --help
    cls = _CLASSES[standard]
    if errors:
        if standard != "any":
            raise UsageError("--errors works with every standard only (leave out --standard)")
        cls = "CallerIdDiagnostic"
    res = fwexec.run_decoder("callerid:" + cls, files, engine)
    out = []
    for evs in res:
        msgs = []
        for e in evs:
            if e.get("event") == "callerid":
                msgs.append(dict((k, e.get(k)) for k in _FIELDS))
            elif e.get("event") == "callerid_error" and errors:
                msgs.append(dict((k, e.get(k)) for k in ("error", "standard", "start_ms", "end_ms")))
        out.append(msgs)
    return out


def _plain(e):
    if "error" in e:
        return "%.2f s %s message failed: %s (ignored)" % (e["start_ms"] / 1000.0, e["standard"], e["error"])
    parts = ["%.2f s" % (e["start_ms"] / 1000.0), e["standard"]]
    if e["number"] is not None:
        parts.append(e["number"])
    else:
        parts.append("(number %s)" % e["reason"])
    if e["name"] is not None:
        parts.append('"%s"' % e["name"])
    dt = e["datetime"]
    if dt:
        parts.append("%s-%s %s:%s" % (dt[0:2], dt[2:4], dt[4:6], dt[6:8]))
    return " ".join(parts)


def run(args):
    from . import fwexec
    res = decode(args.files, args.engine, args.standard, args.errors)
    fwexec.print_events(args.files, res, args.json, _plain, "no caller ID")
    return 0
