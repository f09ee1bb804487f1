"""`ringroute prompts`: make and manage the board's voice prompts."""
import math
import os
import shutil
import subprocess
import tempfile

from .errors import RingrouteError, UsageError

HELP = "add, list and remove the board's voice prompts (any WAV -> 8 kHz telephone-band mu-law)"
DESCRIPTION = """\
Prompts are what callers hear: the board plays prompts/NAME.ulaw from its
flash (8 kHz G.711 mu-law). `prompts add` turns any WAV (any rate, mono or
stereo, 8-32 bit or float; other formats too when ffmpeg or sox is installed)
into that format the way a telephone line wants it:
  - resampled to 8 kHz, band-limited to the telephone band 300-3400 Hz
    (ITU-T G.712), silence trimmed at both ends;
  - loudness normalised to -20 dBm0 active speech level (ITU-T P.56, the
    level networks plan speech at), peaks kept below clipping;
  - mu-law encoded (ITU-T G.711).
`--say TEXT` speaks TEXT with espeak-ng (when installed) instead of a file.

examples:
  ringroute prompts add welcome recordings/welcome.wav
  ringroute prompts add closed --say "We are closed. Please call again tomorrow."
  ringroute prompts add hours hours.wav --out hours.ulaw      # convert only, no board
  ringroute prompts list
  ringroute prompts rm old_promo

`ringroute push office.yaml` uploads every prompt the config names that the
board lacks, converted the same way, so `prompts add` is for one-off changes.
"""

# numpy, scipy and ringroute.audio are imported by the functions that convert:
# `ringroute --help` builds every command's parser and must not pay for them.
BAND = (300.0, 3400.0)       # Hz, telephone channel (ITU-T G.712)
TARGET_DBM0 = -20.0          # dBm0 active speech level (ITU-T P.56 / G.223 planning level)
PEAK_MAX = 31000             # 16-bit peak kept below mu-law's 32635 clip with margin
# P.56 method B constants
_P56_TC = 0.03               # s, envelope time constant
_P56_HANG = 0.2              # s, hangover
_P56_MARGIN = 15.9           # dB between active level and the activity threshold
_TRIM_DBM0 = -50.0           # dBm0: below this, leading/trailing audio counts as silence
_TRIM_KEEP = 0.05            # s of silence kept before and after


def configure(p):
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    a = sub.add_parser("add", help="convert a WAV (or --say TEXT) and put it on the board as NAME")
    a.add_argument("name", help="prompt name, as the config uses it (letters, digits, _ and -)")
    a.add_argument("file", nargs="?", help="audio file (WAV; others need ffmpeg or sox)")
    a.add_argument("--say", metavar="TEXT", help="speak TEXT with espeak-ng instead of a file")
    a.add_argument("--voice", default="en-us", help="espeak-ng voice for --say (default en-us)")
    a.add_argument("--out", metavar="FILE", help="write the converted .ulaw here and do not touch a board")
    a.add_argument("--level", type=float, default=TARGET_DBM0, metavar="DBM0",
                   help="active speech level to normalise to (default %g dBm0)" % TARGET_DBM0)
    _port_args(a, pin=True)
    lst = sub.add_parser("list", help="the prompts on the board")
    _port_args(lst)
    rm = sub.add_parser("rm", help="remove a prompt from the board")
    rm.add_argument("name")
    _port_args(rm, pin=True)


def _port_args(p, pin=False):
    from .session import add_port_args
    add_port_args(p, pin=pin)


# --- conversion ---------------------------------------------------------------
def _read_any(path):
    """(float samples at 8 kHz) for a WAV, or any file ffmpeg/sox can read."""
    import numpy as np
    from . import audio
    with open(path, "rb") as f:
        head = f.read(12)
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return audio.read_wav_8k(path).astype(np.float64)
    tool = shutil.which("ffmpeg") or shutil.which("sox")
    if not tool:
        raise audio.AudioError("%s: not a WAV file; convert it first (e.g. `ffmpeg -i %s out.wav`), or "
                               "install ffmpeg or sox" % (path, os.path.basename(path)))
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "in.wav")
        cmd = ([tool, "-loglevel", "error", "-y", "-i", path, "-ac", "1", "-ar", str(audio.RATE), out]
               if tool.endswith("ffmpeg") else [tool, path, "-c", "1", "-r", str(audio.RATE), out])
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise audio.AudioError("%s: %s cannot read it: %s" % (path, os.path.basename(tool),
                                                                   p.stderr.strip()[-200:]))
        return audio.read_wav_8k(out).astype(np.float64)


def speak(text, voice="en-us"):
    """Samples (8 kHz float) of espeak-ng saying `text`."""
    import numpy as np
    from . import audio
    tool = shutil.which("espeak-ng")
    if not tool:
        raise RingrouteError("--say needs espeak-ng: install it (apt install espeak-ng), or record a WAV")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "say.wav")
        p = subprocess.run([tool, "-v", voice, "-s", "150", "-w", out, text], capture_output=True, text=True)
        if p.returncode != 0 or not os.path.exists(out):
            raise RingrouteError("espeak-ng failed: %s" % (p.stderr.strip() or "no output"))
        return audio.read_wav_8k(out).astype(np.float64)


def _envelope(x):
    """P.56 envelope: two cascaded one-pole smoothers of |x|."""
    import numpy as np
    from scipy.signal import lfilter
    from .audio import RATE
    g = math.exp(-1.0 / (RATE * _P56_TC))
    p = lfilter([1 - g], [1, -g], np.abs(x))
    return lfilter([1 - g], [1, -g], p)


def active_level_dbm0(x):
    """Active speech level (ITU-T P.56 method B) in dBm0; -inf for silence."""
    import numpy as np
    from . import audio
    x = np.asarray(x, dtype=np.float64)
    if not len(x) or not np.any(x):
        return -math.inf
    env = _envelope(x)
    hang = int(_P56_HANG * audio.RATE)
    energy = float(np.sum(x * x))
    ref = audio.DBM0_PEAK / math.sqrt(2)  # RMS of a 0 dBm0 sine
    prev = None
    for j in range(16):  # thresholds c_j = 2^j (16-bit units), from 1 to 32768
        c = 2.0 ** j
        above = (env >= c).astype(np.int64)
        cs = np.concatenate([[0], np.cumsum(above)])
        idx = np.arange(len(x))
        active = (cs[idx + 1] - cs[np.maximum(idx + 1 - hang, 0)]) > 0  # hangover
        n = int(np.sum(active))
        if n == 0:
            break
        a_db = 10 * math.log10(energy / n)     # active power (dB re 1 unit^2)
        c_db = 20 * math.log10(c)
        diff = a_db - c_db
        if diff <= _P56_MARGIN:
            if prev is None:
                level = a_db
            else:  # interpolate where A - C crosses the margin
                pa, pd = prev
                f = (pd - _P56_MARGIN) / (pd - diff) if pd != diff else 0.0
                level = pa + f * (a_db - pa)
            return level - 20 * math.log10(ref)
        prev = (a_db, diff)
    # never crossed: the signal is active throughout
    return 10 * math.log10(energy / len(x)) - 20 * math.log10(ref)


def _trim(x):
    import numpy as np
    from . import audio
    env = _envelope(x)
    thr = audio.dbm0_to_peak(_TRIM_DBM0)
    on = np.nonzero(env > thr)[0]
    if not len(on):
        return x
    keep = int(_TRIM_KEEP * audio.RATE)
    return x[max(0, on[0] - keep):min(len(x), on[-1] + keep)]


def to_telephone(x, level=TARGET_DBM0):
    """8 kHz float samples -> (int16 samples in the telephone band at `level`, info dict)."""
    import numpy as np
    from scipy.signal import butter, sosfiltfilt
    from . import audio
    from .audio import RATE
    x = np.asarray(x, dtype=np.float64)
    if len(x) < 32:
        raise audio.AudioError("the recording is empty")
    sos = butter(4, [BAND[0] / (RATE / 2), BAND[1] / (RATE / 2)], btype="bandpass", output="sos")
    y = sosfiltfilt(sos, x)
    y = _trim(y)
    before = active_level_dbm0(y)
    if before == -math.inf or before < -70:
        raise audio.AudioError("the recording is silent")
    gain = 10 ** ((level - before) / 20.0)
    y = y * gain
    peak = float(np.max(np.abs(y)))
    limited = 0.0
    if peak > PEAK_MAX:  # keep peaks clear of clipping, at some cost in loudness
        limited = 20 * math.log10(peak / PEAK_MAX)
        y = y * (PEAK_MAX / peak)
    out = audio.to_int16(y)
    return out, {"input_dbm0": before, "level_dbm0": active_level_dbm0(out), "limited_db": limited,
                 "seconds": len(out) / float(RATE)}


def convert_file(path, level=TARGET_DBM0):
    """(mu-law bytes, info) for an audio file; .ulaw files pass through unchanged."""
    from . import audio
    if path.lower().endswith(".ulaw"):
        with open(path, "rb") as f:
            data = f.read()
        return data, {"seconds": len(data) / float(audio.RATE), "level_dbm0": None, "limited_db": 0.0}
    samples, info = to_telephone(_read_any(path), level)
    return audio.ulaw_encode(samples), info


# --- the command -----------------------------------------------------------------
def _name_ok(name):
    return 0 < len(name) <= 32 and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)


def run(args):
    if args.action == "add":
        return _add(args)
    from .audio import RATE
    from .session import open_board
    if args.action == "list":
        with open_board(args) as b:
            prompts = b.prompt_list()
        if not prompts:
            print("the board has no prompts")
        for name in sorted(prompts):
            size, crc = prompts[name]
            print("%-24s %7.1f s  %8d bytes%s" % (name, size / float(RATE), size,
                                                    "" if crc is not None else "  (not uploaded by ringroute)"))
        return 0
    if args.action == "rm":
        with open_board(args, need_pin=True) as b:
            b.request("prompt.rm", {"name": args.name})
        print("removed %s from the board" % args.name)
        return 0
    return 2


def _add(args):
    from . import audio
    from .session import open_board, Progress
    if not _name_ok(args.name):
        raise UsageError("%r is not a prompt name: 1-32 letters, digits, _ and -" % args.name)
    if bool(args.file) == bool(args.say):
        raise UsageError("give either a FILE or --say TEXT")
    if args.say:
        samples, info = to_telephone(speak(args.say, args.voice), args.level)
        data = audio.ulaw_encode(samples)
    else:
        data, info = convert_file(args.file, args.level)
    desc = "%.1f s" % info["seconds"]
    if info.get("level_dbm0") is not None:
        desc += ", %.1f dBm0 active level" % info["level_dbm0"]
    if info.get("limited_db", 0) > 0.5:
        desc += " (peaks limited: %.1f dB below the target)" % info["limited_db"]
    if args.out:
        with open(args.out, "wb") as f:
            f.write(data)
        print("wrote %s: %s, %d bytes of 8 kHz mu-law" % (args.out, desc, len(data)))
        return 0
    with open_board(args, need_pin=True) as b:
        b.put_file("prompt", data, name=args.name, progress=Progress(args.name + ".ulaw"))
    print("prompt %s is on the board: %s" % (args.name, desc))
    return 0
