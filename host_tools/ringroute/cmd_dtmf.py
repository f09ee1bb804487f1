"""`ringroute dtmf decode`: the keys pressed in recordings of a line, by the firmware's receiver."""
import json


HELP = "decode DTMF keys from recordings of a phone line, with the board's own receiver"
DESCRIPTION = """\
Runs the board's own DTMF receiver (firmware/dtmf.py, under the real
`micropython` binary by default, so the answer is exactly what the board
would hear) over recordings and prints the keys pressed. Any WAV works (any
rate, 8-32 bit, float, mu-law or A-law; stereo is mixed to mono): it is
converted to the codec's 8 kHz 16-bit first. Many files decode in one run.

The receiver follows ITU-T Q.24 and Telcordia GR-506: tones within 1.5 % of
nominal, -25..0 dBm0 per tone, twist from 8 dB (high group weaker) to 4 dB
(high group louder), 40 ms or longer; it ignores off-frequency tones (3.5 %),
bursts of 23 ms or less, and speech and music.

examples:
  ringroute dtmf decode call.wav
      0123#
  ringroute dtmf decode a.wav b.wav
      a.wav: 12
      b.wav: 4#
  ringroute dtmf decode call.wav --json
      {"digit": "0", "start_ms": 1234.0, "end_ms": 1290.0}
  ringroute dtmf decode calls/*.wav --json --engine cpython

With --json there is one object per key, with its start and end in ms from
the start of the recording; given several files each object also carries
"file" (the path as given). A recording without keys prints an empty line
(nothing with --json) and still exits 0.
"""


def configure(p):
    sub = p.add_subparsers(dest="dtmf_cmd", metavar="ACTION")
    sub.required = True
    d = sub.add_parser("decode", help="list the DTMF keys in WAV recordings",
                       description=p.description, formatter_class=p.formatter_class)
    d.add_argument("files", nargs="+", metavar="FILE.wav", help="recordings of the line")
    d.add_argument("--json", action="store_true", help="one JSON object per key, with its times")
    d.add_argument("--engine", choices=("micropython", "cpython"), default="micropython",
                   help="interpreter that runs the firmware receiver (default: micropython)")


def decode(files, engine="micropython"):
    """Keys per file: lists of {"digit", "start_ms", "end_ms"}."""
    from . import fwexec   # numpy: only when there is work to do, not for --help
    res = fwexec.run_decoder("dtmf:DtmfReceiver", files, engine)
    return [[{"digit": e["digit"], "start_ms": float(e["start_ms"]), "end_ms": float(e["end_ms"])}
             for e in evs if e.get("event") == "digit"] for evs in res]


def run(args):
    res = decode(args.files, args.engine)
    many = len(args.files) > 1
    for path, keys in zip(args.files, res):
        if args.json:
            for k in keys:
                if many:
                    k = dict(k, file=path)
                print(json.dumps(k))
        else:
            digits = "".join(k["digit"] for k in keys)
            print("%s: %s" % (path, digits) if many else digits)
    return 0
