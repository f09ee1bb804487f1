"""`ringroute tones detect`: call-progress tones in recordings of a line, by the firmware's detector."""
import importlib.util
import json
import os
import sys

from . import paths
from .errors import RingrouteError, UsageError

_PROFILES = None


def load_profiles():
    # the firmware's own profile table, without numpy/scipy (keeps `--help` instant)
    global _PROFILES
    if _PROFILES is None:
        spec = importlib.util.spec_from_file_location(
            "ringroute_fw_profiles_cli", os.path.join(paths.FIRMWARE, "profiles.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _PROFILES = mod
    return _PROFILES

HELP = "find call-progress tones (dial, busy, reorder, ringback) in recordings of a line"
DESCRIPTION = """\
Runs the board's own call-progress tone detector (firmware/tones.py, under the
real `micropython` binary by default) over recordings of a phone line and
prints each tone it recognised with its start and end. Any WAV works (any
rate, 8-32 bit, mu-law, A-law; stereo is mixed to mono): it is converted to
the codec's 8 kHz first. Tones are told apart by frequency and cadence, so
the country matters: a German busy tone (425 Hz, 0.48 s on/off) is not a
US one (480+620 Hz, 0.5 s on/off).

examples:
  ringroute tones detect hangup.wav --country DE
      hangup.wav: busy 12.34 s - 20.10 s (7.76 s)
  ringroute tones detect a.wav b.wav --country UK --json
      {"file": "a.wav", "tone": "ringback", "start_ms": 480, "end_ms": 10520}
  ringroute tones detect call.wav --country US --engine cpython

With --json: one object per tone: tone, start_ms, end_ms (and file when
several files are given). Countries: %s. A recording with no tone in it
prints "no tone" (nothing with --json) and still exits 0.
"""


def _countries():
    return load_profiles().codes()


def configure(p):
    p.description = DESCRIPTION % ", ".join(_countries())
    sub = p.add_subparsers(dest="tones_cmd", metavar="ACTION")
    sub.required = True
    d = sub.add_parser("detect", help="list the tones in WAV recordings",
                       description=p.description, formatter_class=p.formatter_class)
    d.add_argument("files", nargs="+", metavar="FILE.wav", help="recordings of the line")
    d.add_argument("--country", "-c", default="US", metavar="CC",
                   help="country profile of the line's exchange (default US; one of %s)"
                   % " ".join(_countries()))
    d.add_argument("--json", action="store_true", help="one JSON object per tone")
    d.add_argument("--engine", choices=("micropython", "cpython"), default="micropython",
                   help="interpreter that runs the firmware detector (default: micropython)")


def detect(files, country, engine="micropython"):
    """Events per file (list of lists of {"tone", "start_ms", "end_ms"})."""
    cc = country.upper()
    if cc == "GB":
        cc = "UK"
    if cc not in _countries():
        raise UsageError("unknown country %r: known are %s" % (country, " ".join(_countries())))
    from . import fwexec   # numpy/scipy: only when there is work to do
    try:
        res = fwexec.run_decoder("tones:ToneDetector_%s" % cc, files, engine)
    except fwexec.DecodeError as e:
        raise RingrouteError(str(e))
    out = []
    for evs in res:
        out.append([{"tone": e["tone"], "start_ms": e["start_ms"], "end_ms": e["end_ms"]}
                    for e in evs if e.get("event") == "tone"])
    return out


def run(args):
    res = detect(args.files, args.country, args.engine)
    many = len(args.files) > 1
    for path, evs in zip(args.files, res):
        if args.json:
            for e in evs:
                obj = dict(e)
                if many:
                    obj = dict([("file", path)] + list(obj.items()))
                print(json.dumps(obj))
            continue
        if not evs:
            print("%s: no tone" % path)
        for e in evs:
            print("%s: %-8s %7.2f s - %7.2f s (%.2f s)" % (
                path, e["tone"], e["start_ms"] / 1000.0, e["end_ms"] / 1000.0,
                (e["end_ms"] - e["start_ms"]) / 1000.0))
    sys.stdout.flush()
    return 0
