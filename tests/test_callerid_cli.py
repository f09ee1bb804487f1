"""`ringroute callerid decode` and the caller-ID signal generator's timing against rings."""
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from ringroute import audio
from ringroute.signals import callerid as G


def _ringroute(*args):
    return subprocess.run([sys.executable, "-m", "ringroute.cli"] + list(args),
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def wavs(tmp_path_factory):
    d = tmp_path_factory.mktemp("cid")
    rng = np.random.default_rng(1)
    a = str(d / "bell.wav")
    audio.write_wav(a, G.on_hook_audio("bell202", number="5551234567", name="SMITH JOHN",
                                       datetime="11220930", rng=rng)[0])
    b = str(d / "private.wav")
    audio.write_wav(b, G.on_hook_audio("v23", reason="withheld", rng=rng)[0])
    c = str(d / "quiet.wav")
    audio.write_wav(c, np.zeros(8000))
    return a, b, c


def test_plain_output_one_line_per_message(wavs):
    a, b, c = wavs
    p = _ringroute("callerid", "decode", a, b, c)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert re.fullmatch(r'%s: 0\.[23]\d s bell202 5551234567 "SMITH JOHN" 11-22 09:30' % re.escape(a), lines[0])
    assert re.fullmatch(r"%s: 0\.[23]\d s v23 \(number withheld\) 11-22 09:30" % re.escape(b), lines[1])
    assert lines[2] == "%s: no caller ID" % c


def test_json_one_object_per_message_with_file_when_several(wavs):
    a, b, c = wavs
    p = _ringroute("callerid", "decode", a, b, c, "--json")
    objs = [json.loads(l) for l in p.stdout.splitlines()]
    assert [o["file"] for o in objs] == [a, b]
    assert objs[0]["standard"] == "bell202" and objs[0]["number"] == "5551234567"
    assert objs[0]["name"] == "SMITH JOHN" and abs(objs[0]["start_ms"] - 300) <= 20
    assert objs[1]["number"] is None and objs[1]["reason"] == "withheld"
    one = [json.loads(l) for l in _ringroute("callerid", "decode", a, "--json").stdout.splitlines()]
    assert "file" not in one[0]


def test_standard_filter_and_cpython_engine(wavs):
    a, b, c = wavs
    p = _ringroute("callerid", "decode", b, "--standard", "bell202", "--engine", "cpython", "--json")
    assert p.returncode == 0 and p.stdout == ""


def test_errors_are_one_line(tmp_path):
    bad = tmp_path / "x.wav"
    bad.write_bytes(b"not audio")
    p = _ringroute("callerid", "decode", str(bad))
    assert p.returncode == 1 and "not a WAV file" in p.stderr and "Traceback" not in p.stderr


def test_help_teaches():
    p = _ringroute("callerid", "--help")
    assert "examples:" in p.stdout and "withheld" in p.stdout


@pytest.mark.parametrize("standard,when", [("bell202", "after_first_ring"), ("v23", "after_first_ring"),
                                           ("v23", "before_ring_dtas"), ("v23", "before_ring_rpas"),
                                           ("dtmf", "before_ring")])
def test_plan_places_caller_id_as_the_standards_say(standard, when):
    p = G.plan(standard, number="0123456789", when=when, cadence_ms=(2000, 4000))
    s, e = p.cid
    if when == "after_first_ring":
        assert s >= p.rings[0][1] + 500 and e <= p.rings[1][0] - 200     # GR-30-CORE window
    else:
        assert e <= p.first_ring_ms - 200                                   # data before ringing
    if when == "before_ring_dtas":
        assert p.reversal_ms is not None and p.reversal_ms + 100 <= s
    # the audio really holds the signal at the stated level there
    i = int((s - p.t0_ms) * 8)
    seg = p.audio[i + 80:i + 800]
    assert abs(audio.rms_dbm0(seg) - G.NOMINAL_LEVEL[standard]) < 2.5
    blk = p.block(s + 50)
    assert len(blk) == 80 and np.any(blk != 0)


@pytest.mark.parametrize("standard,when", [("bell202", "after_first_ring"), ("v23", "before_ring_dtas"),
                                           ("v23", "before_ring_rpas"), ("dtmf", "before_ring")])
def test_decoder_reads_a_whole_plan(standard, when):  # noqa: D103
    from callerid_helpers import decode_cpython, exact
    p = G.plan(standard, number="0123456789", name=None, when=when, snr_db=30,
               rng=np.random.default_rng(3))
    evs, _ = decode_cpython(p.audio)
    assert exact(evs, {"standard": standard, "number": "0123456789"})
    # event times are relative to the recording; the plan's start is t0_ms
    assert abs(evs[0]["start_ms"] + p.t0_ms - p.cid[0]) <= 30


def test_plan_after_a_burst_group_goes_in_the_long_silence():
    # AU / UK style cadence 0.4 on, 0.2 off, 0.4 on, 2.0 off: not between the two bursts
    p = G.plan("v23", number="0298765432", when="after_first_ring", cadence_ms=(400, 200, 400, 2000))
    s, e = p.cid
    assert s >= 1000 + 500 and e <= 3000 - 200
    assert all(not (a < e and s < b) for a, b in p.rings)


def test_errors_flag_lists_failed_messages(tmp_path, wavs):
    bad = str(tmp_path / "bad.wav")
    audio.write_wav(bad, G.on_hook_audio("v23", message=G.corrupt(G.mdmf("123456", None, "11220930"), 5))[0])
    p = _ringroute("callerid", "decode", bad, wavs[0], "--errors")
    lines = p.stdout.splitlines()
    assert re.fullmatch(r"%s: 0\.\d\d s v23 message failed: checksum \(ignored\)" % re.escape(bad), lines[0])
    assert "5551234567" in lines[1]
    assert _ringroute("callerid", "decode", bad).stdout.strip() == "%s: no caller ID" % bad
    p = _ringroute("callerid", "decode", bad, "--errors", "--standard", "v23")
    assert p.returncode == 2 and "--errors" in p.stderr
