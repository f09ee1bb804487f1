"""`ringroute dtmf decode` as a technician uses it."""
import json
import subprocess
import sys

import numpy as np
import pytest
from scipy.signal import resample_poly

from ringroute import audio, cli
from ringroute.signals import dtmf as gen


def run_cli(args, capsys):
    rc = cli.main(args)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def wavs(tmp_path):
    x, truth = gen.tape("0123#", on_ms=70, off_ms=80)
    a = tmp_path / "a.wav"
    audio.write_wav(str(a), x)
    # 44.1 kHz stereo float: the second key string, in the left channel only
    y, _ = gen.tape("4*", on_ms=70, off_ms=80, level_dbm0=-14)
    y44 = resample_poly(y, 441, 80) / 32768.0 * 2
    st = np.stack([y44, np.zeros_like(y44)], axis=1).astype("<f4")
    b = tmp_path / "b.wav"
    import struct
    data = st.tobytes()
    hdr = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 3, 2, 44100, 44100 * 8, 8, 32) + b"data" + struct.pack("<I", len(data))
    b.write_bytes(hdr + data)
    c = tmp_path / "silence.wav"
    audio.write_wav(str(c), np.zeros(8000))
    return str(a), str(b), str(c), truth


@pytest.mark.micropython
def test_plain_output_is_the_digits(wavs, capsys):
    a, b, c, truth = wavs
    rc, out, err = run_cli(["dtmf", "decode", a], capsys)
    assert rc == 0 and out == "0123#\n"


@pytest.mark.micropython
def test_several_files_any_rate_and_channels(wavs, capsys):
    a, b, c, truth = wavs
    rc, out, err = run_cli(["dtmf", "decode", a, b, c], capsys)
    assert rc == 0
    assert out.splitlines() == ["%s: 0123#" % a, "%s: 4*" % b, "%s: " % c]


def test_json_with_times_and_files_cpython_engine(wavs, capsys):
    a, b, c, truth = wavs
    rc, out, err = run_cli(["dtmf", "decode", a, "--json", "--engine", "cpython"], capsys)
    objs = [json.loads(l) for l in out.splitlines()]
    assert [o["digit"] for o in objs] == list("0123#")
    assert set(objs[0]) == {"digit", "start_ms", "end_ms"}
    for o, k in zip(objs, truth):
        assert abs(o["start_ms"] - k["start_ms"]) <= 5 and abs(o["end_ms"] - k["end_ms"]) <= 5
    rc, out, err = run_cli(["dtmf", "decode", a, c, "--json", "--engine", "cpython"], capsys)
    objs = [json.loads(l) for l in out.splitlines()]
    assert len(objs) == 5 and all(o["file"] == a for o in objs)


def test_unreadable_file_is_one_line_error(tmp_path, capsys):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav at all")
    rc, out, err = run_cli(["dtmf", "decode", str(bad)], capsys)
    assert rc != 0 and out == ""
    assert err.count("\n") == 1 and "bad.wav" in err and "Traceback" not in err


def test_help_teaches_with_examples():
    p = subprocess.run([sys.executable, "-m", "ringroute.cli", "dtmf", "decode", "--help"],
                       capture_output=True, text=True)
    assert p.returncode == 0
    assert "ringroute dtmf decode call.wav --json" in p.stdout
    assert "--engine" in p.stdout and "Q.24" in p.stdout
