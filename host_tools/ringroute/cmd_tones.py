"""`ringroute tones detect`: call-progress tones in recordings of a line, by the firmware's detector."""
import json

from .errors import UsageError


def load_profiles():
    # the firmware's own profile table, without numpy/scipy (keeps `--help` instant)
    from rrfw.line import profiles
    return profiles

HELP = "find call-progress tones in recordings of a line; learn a line's hang-up tone"
DESCRIPTION = """\
Runs the board's own call-progress tone detector (firmware/tones.py, under the
real `micropython` binary by default) over recordings of a phone line and
prints each tone it recognised (dial, busy, reorder, ringback, and sit: the
special information tone before a "number not in service" announcement)
with its start and end. Any WAV works (any
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

`tones learn` runs the board's 'learn my line' analyser (firmware/linelearn.py)
over a recording of what the line did after the caller hung up: it measures
the tone (frequencies, cadence, level), says which of the country's tones it
is, and proposes the line's `hangup:` settings (a recording has no loop
current or polarity, so CPC and reversal need the live learn call):
  ringroute tones learn after-hangup.wav --country DE
      after-hangup.wav: tone 425 Hz, 0.48/0.48 s, -10.0 dBm0 from 3.50 s: the busy tone
          proposed, in the office config under the line: hangup: {methods: [busy_tone, silence, max_length]}
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
    d.set_defaults(_action=run_detect)
    ln = sub.add_parser("learn", help="measure a recorded hang-up tone and propose settings",
                        description=p.description, formatter_class=p.formatter_class)
    ln.add_argument("files", nargs="+", metavar="FILE.wav", help="recordings of the line after a hang-up")
    ln.add_argument("--country", "-c", default="US", metavar="CC",
                    help="country profile of the line's exchange (default US)")
    ln.add_argument("--json", action="store_true", help="one JSON object per file")
    ln.add_argument("--engine", choices=("micropython", "cpython"), default="micropython",
                    help="interpreter that runs the firmware analyser (default: micropython)")
    ln.set_defaults(_action=run_learn)


def _country(country):
    cc = country.upper()
    if cc == "GB":
        cc = "UK"
    if cc not in _countries():
        raise UsageError("unknown country %r: known are %s" % (country, " ".join(_countries())))
    return cc


def _run(spec, files, engine):
    from . import fwexec   # numpy/scipy: only when there is work to do
    return fwexec.run_decoder(spec, files, engine)


def detect(files, country, engine="micropython"):
    """Events per file (list of lists of {"tone", "start_ms", "end_ms"})."""
    res = _run("tones:ToneDetector_%s" % _country(country), files, engine)
    out = []
    for evs in res:
        out.append([{"tone": e["tone"], "start_ms": e["start_ms"], "end_ms": e["end_ms"]}
                    for e in evs if e.get("event") == "tone"])
    return out


def learn(files, country, engine="micropython"):
    """The linelearn report per file (dict), from a recording (no loop current data)."""
    res = _run("linelearn:LineLearner_%s" % _country(country), files, engine)
    out = []
    for evs in res:
        rep = [e for e in evs if e.get("event") == "learn"]
        r = dict(rep[0]) if rep else {}
        r.pop("event", None)
        for k in ("cpc", "reversals"):   # meaningless on a recording
            r.pop(k, None)
        out.append(r)
    return out


def run(args):
    return args._action(args)


def run_learn(args):
    reps = learn(args.files, args.country, args.engine)
    many = len(args.files) > 1
    for path, r in zip(args.files, reps):
        if args.json:
            obj = dict(r)
            if many:
                obj["file"] = path
            print(json.dumps(obj, sort_keys=True))
            continue
        tone = r.get("tone")
        if not tone:
            print("%s: no tone after the hang-up; nothing but silence to go by" % path)
        else:
            cad = tone.get("cadence_ms")
            cads = "continuous" if not cad else "/".join("%.2f" % (c / 1000.0) for c in cad) + " s"
            what = ("the %s tone" % tone["matches"]) if tone.get("matches") else \
                "not one of this country's tones"
            print("%s: tone %s Hz, %s, %s dBm0 from %.2f s: %s" % (
                path, "+".join(str(f) for f in tone["freqs"]), cads, tone.get("level_dbm0"),
                (tone.get("start_ms") or 0) / 1000.0, what))
        hang = r.get("proposed", {}).get("hangup", {})
        print("    proposed, in the office config under the line: %s" % config_snippet(hang))
        if "busy_tone" in hang:
            print("    this line's own busy tone (firmware setting busy_tone): %s"
                  % json.dumps(hang["busy_tone"], sort_keys=True))
    return 0


def config_snippet(hang):
    """The proposed settings in the office configuration's own words (ringroute validate)."""
    parts = ["methods: [%s]" % ", ".join(hang.get("methods", []))]
    if "cpc_min_ms" in hang:
        parts.append("cpc_min: %dms" % hang["cpc_min_ms"])
    return "hangup: {%s}" % ", ".join(parts)


def run_detect(args):
    from . import fwexec
    res = detect(args.files, args.country, args.engine)

    def line(e):
        return "%-8s %7.2f s - %7.2f s (%.2f s)" % (
            e["tone"], e["start_ms"] / 1000.0, e["end_ms"] / 1000.0, (e["end_ms"] - e["start_ms"]) / 1000.0)
    fwexec.print_events(args.files, res, args.json, line, "no tone")
    return 0
