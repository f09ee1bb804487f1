"""Run a firmware decoder over recordings, inside the chosen engine.

`dtmf decode`, `callerid decode` and `tones detect` all use this: the
recordings are converted to the codec's 8 kHz 16-bit format on the host,
then the firmware's own decoder runs over them in one process (MicroPython
by default), so a technician's diagnosis uses exactly the code on the board.
"""
import json
import os
import subprocess
import sys
import tempfile

from . import audio, paths

RUNNER = os.path.join(paths.FIRMWARE, "rremu", "decode.py")


from .errors import DecodeError  # noqa: E402,F401


def run_decoder(spec, files, engine="micropython", timeout=3600):
    """Decode each WAV in `files` with firmware decoder `spec` ("module:Class").

    Returns a list (one per file, in order) of lists of event dicts.
    Raises audio.AudioError for an unreadable file, DecodeError if the engine fails.
    """
    results = [[] for _ in files]
    with tempfile.TemporaryDirectory(prefix="ringroute-") as tmp:
        raws = []
        for i, path in enumerate(files):
            samples = audio.read_wav_8k(path)
            raw = os.path.join(tmp, "%d.raw" % i)
            with open(raw, "wb") as f:
                f.write(samples.astype("<i2").tobytes())
            raws.append(raw)
        cmd = paths.engine_command(engine) + [RUNNER, spec] + raws
        try:
            proc = subprocess.run(cmd, env=paths.engine_env(engine), capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise DecodeError("the %s decoder did not finish within %d s" % (engine, timeout))
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            raise DecodeError("the %s engine failed decoding: %s" % (engine, " | ".join(tail)))
        for line in proc.stdout.splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            ev = json.loads(line)
            idx = ev.pop("file_index")
            results[idx].append(ev)
    return results


def print_events(files, results, as_json, fmt, nothing):
    """Print decoded events the way every `decode`/`detect` command does:
    JSON lines (with "file" when there are several files), or one readable
    line per event, `nothing` for a file without any."""
    many = len(files) > 1
    for path, evs in zip(files, results):
        if as_json:
            for e in evs:
                obj = dict(e)
                if many:
                    obj = dict([("file", path)] + list(obj.items()))
                print(json.dumps(obj))
            continue
        if not evs:
            print("%s: %s" % (path, nothing))
        for e in evs:
            print("%s: %s" % (path, fmt(e)))
    sys.stdout.flush()
