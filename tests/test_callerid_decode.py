"""Caller-ID decoder (firmware/callerid.py) under CPython: every standard and format,
absence reasons, checksums, the per-standard restriction, timing of the events."""
import numpy as np
import pytest

from ringroute.signals import callerid as G

from rrfw.dsp import callerid as fw
from callerid_helpers import decode_cpython, exact


@pytest.mark.parametrize("standard,fmt", [("bell202", "sdmf"), ("bell202", "mdmf"),
                                          ("v23", "mdmf"), ("v23", "sdmf")])
def test_fsk_number_name_and_date(standard, fmt):
    name = "SMITH JOHN" if fmt == "mdmf" else None
    x, span = G.on_hook_audio(standard, number="5551234567", name=name, format=fmt,
                              datetime="03150842", rng=np.random.default_rng(1))
    evs, _ = decode_cpython(x)
    assert exact(evs, {"event": "callerid", "standard": standard, "number": "5551234567",
                       "name": name, "datetime": "03150842", "reason": None})
    # start: the channel seizure; end: the checksum byte (within a few ms)
    assert abs(evs[0]["start_ms"] - span[0]) <= 20
    assert abs(evs[0]["end_ms"] - span[1]) <= 20


def test_dtmf_clip_number():
    x, span = G.on_hook_audio("dtmf", number="0201234567", rng=np.random.default_rng(2))
    evs, _ = decode_cpython(x)
    assert exact(evs, {"standard": "dtmf", "number": "0201234567", "name": None, "reason": None})
    assert abs(evs[0]["start_ms"] - span[0]) <= 20


@pytest.mark.parametrize("standard,fmt", [("bell202", "sdmf"), ("bell202", "mdmf"), ("v23", "mdmf"),
                                          ("dtmf", None)])
@pytest.mark.parametrize("reason", ["withheld", "unavailable"])
def test_absence_reasons_told_apart(standard, fmt, reason):
    x, _ = G.on_hook_audio(standard, reason=reason, format=fmt, rng=np.random.default_rng(3))
    evs, _ = decode_cpython(x)
    assert exact(evs, {"standard": standard, "number": None, "reason": reason})


def test_mdmf_without_number_or_reason_is_absent():
    msg = G.mdmf(number=None, name="ACME", datetime="01010000")
    x, _ = G.on_hook_audio("bell202", message=msg)
    evs, _ = decode_cpython(x)
    assert exact(evs, {"number": None, "name": "ACME", "reason": "absent"})


def test_name_withheld_with_number_present():
    msg = G.mdmf(number="442071234567", name=None, datetime="01010000", name_reason="withheld")
    x, _ = G.on_hook_audio("v23", message=msg)
    evs, _ = decode_cpython(x)
    assert exact(evs, {"number": "442071234567", "name": None, "reason": None,
                       "name_reason": "withheld"})


@pytest.mark.parametrize("digits,want", [("A0123456C", ("0123456", None)),
                                         ("A0123456#", ("0123456", None)),
                                         ("D1#", (None, "withheld")),
                                         ("D3#", (None, "unavailable")),
                                         ("D0612345C", ("0612345", None)),
                                         ("A5551234D777B1C", ("5551234", None))])
def test_dtmf_clip_variants(digits, want):
    x = np.concatenate([np.zeros(2400), G.dtmf_burst(digits, -15.0), np.zeros(2400)])
    evs, _ = decode_cpython(x)
    assert exact(evs, {"standard": "dtmf", "number": want[0], "reason": want[1]})


# The national forms of EN 300 659-1 DTMF CLIP (firmware/rrfw/dsp/callerid.py lists them
# with their sources), each with the timing that network uses; and, on the other side
# of each bound, strings that are not a caller ID.
NATIONAL_CLIP = [
    # (what, digits, tone ms, pause ms, number, reason)
    ("ETSI / Sweden A..C", "A0812345678C", 70, 70, "0812345678", None),
    ("Sweden, redirected", "A0812345678D0701234567C", 70, 70, "0812345678", None),
    ("Sweden, info code with number", "A0812345678B01C", 70, 70, "0812345678", None),
    ("Sweden restricted B10C", "B10C", 70, 70, None, "withheld"),
    ("Sweden unavailable B00C", "B00C", 70, 70, None, "unavailable"),
    ("ETSI other info code, no number", "B01C", 70, 70, None, "unavailable"),
    ("Brazil / India A..C", "A1133334444C", 60, 60, "1133334444", None),
    ("Denmark A..#", "A33445566#", 50, 50, "33445566", None),
    ("Denmark restricted D1#", "D1#", 50, 50, None, "withheld"),
    ("Denmark international D2#", "D2#", 50, 50, None, "unavailable"),
    ("Denmark technical D3#", "D3#", 50, 50, None, "unavailable"),
    ("Denmark, no start code", "33445566#", 50, 50, "33445566", None),
    ("Netherlands, no start code", "0201234567#", 70, 70, "0201234567", None),
    ("no start code, C", "0201234567C", 70, 70, "0201234567", None),
    ("Netherlands unknown D0..0C", "D0000000000C", 70, 70, None, "unavailable"),
    ("Taiwan / Kuwait D..C", "D0223456789C", 70, 70, "0223456789", None),
]
NOT_CLIP = [
    ("keys without a start or stop", "123456789", 70, 70),
    ("too short for a number without a start code", "12345#", 70, 70),
    ("a star inside a bare number", "1234*5678#", 70, 70),
    ("unknown absence code D4#", "D4#", 50, 50),
    ("a star for an info code", "B*C", 70, 70),
]


def national_signal(digits, on_ms, off_ms, level=-15.0):
    return np.concatenate([np.zeros(2400), G.dtmf_burst(digits, level, on_ms=on_ms, off_ms=off_ms),
                           np.zeros(4000)])


@pytest.mark.parametrize("what,digits,on_ms,off_ms,number,reason", NATIONAL_CLIP,
                         ids=[c[0] for c in NATIONAL_CLIP])
def test_dtmf_clip_national_forms(what, digits, on_ms, off_ms, number, reason):
    evs, _ = decode_cpython(national_signal(digits, on_ms, off_ms))
    assert exact(evs, {"standard": "dtmf", "number": number, "reason": reason})


@pytest.mark.parametrize("what,digits,on_ms,off_ms", NOT_CLIP, ids=[c[0] for c in NOT_CLIP])
def test_dtmf_strings_that_are_not_caller_id(what, digits, on_ms, off_ms):
    assert decode_cpython(national_signal(digits, on_ms, off_ms))[0] == []


@pytest.mark.parametrize("standard", ["bell202", "v23"])
@pytest.mark.parametrize("index", [1, 5, 12])
def test_bad_checksum_rejected(standard, index):
    msg = G.corrupt(G.mdmf("5551234567", "SMITH JOHN", "11220930"), index=index, xor=0x04)
    x, _ = G.on_hook_audio(standard, message=msg)
    evs, d = decode_cpython(x)
    assert evs == []
    assert d.rejected >= 1


def test_wrong_length_rejected_even_with_good_checksum():
    # a parameter claiming more bytes than the message holds
    body = bytes([0x80, 6, 0x02, 9]) + b"5551"
    msg = body + bytes([G.checksum(body)])
    x, _ = G.on_hook_audio("bell202", message=msg)
    evs, d = decode_cpython(x)
    assert evs == [] and d.rejected == 1


def test_restricted_standard():
    x, _ = G.on_hook_audio("v23", number="123456", rng=np.random.default_rng(4))
    assert decode_cpython(x, standard="bell202")[0] == []
    assert exact(decode_cpython(x, standard="v23")[0], {"standard": "v23", "number": "123456"})
    assert exact(decode_cpython(x, standard="fsk")[0], {"standard": "v23", "number": "123456"})
    assert decode_cpython(x, standard="dtmf")[0] == []
    xd, _ = G.on_hook_audio("dtmf", number="123456")
    assert decode_cpython(xd, standard="fsk")[0] == []
    with pytest.raises(ValueError):
        fw.CallerIdDecoder(standard="v21")


def test_two_calls_in_one_recording_and_reset():
    a, _ = G.on_hook_audio("bell202", number="111", format="sdmf")
    b, _ = G.on_hook_audio("bell202", number="222", name="B", format="mdmf")
    evs, d = decode_cpython(np.concatenate([a, b]))
    assert [e["number"] for e in evs] == ["111", "222"]
    d.reset()
    assert d.pop() is None


def test_shortest_mark_and_seizure_bt_sin227():
    # SIN 227: 96..315 bits of seizure, 55..90 bits of mark
    msg = G.mdmf("01632960000", None, "11220930")
    x, _ = G.on_hook_audio("v23", message=msg, seizure_bits=96, mark_bits=55)
    assert exact(decode_cpython(x)[0], {"number": "01632960000"})


def test_mark_gaps_between_bytes_gr30():
    # GR-30-CORE lets the exchange put marks between characters
    msg = G.mdmf("5551234567", "SMITH JOHN", "11220930")
    x, _ = G.on_hook_audio("bell202", message=msg, gap_bits=12, rng=np.random.default_rng(5))
    assert exact(decode_cpython(x)[0], {"number": "5551234567", "name": "SMITH JOHN"})


def test_quiet_line_costs_nothing_and_gives_nothing():
    evs, d = decode_cpython(np.zeros(8000 * 3))
    assert evs == [] and d.rejected == 0 and d._st[fw._C_OPEN] == 0


def test_queue_is_bounded_and_counts_drops():
    d = fw.CallerIdDecoder(queue=2)
    for i in range(4):
        d._emit({"event": "callerid", "n": i})
    assert d.dropped == 2
    assert d.pop()["n"] == 0 and d.pop()["n"] == 1 and d.pop() is None


def _clip(parts):
    """parts: list of (key or None, ms): tones and silences, in order."""
    out = [np.zeros(2400)]
    for key, ms in parts:
        out.append(G.dtmf_tone(key, ms, -12.0) if key else np.zeros(int(8 * ms)))
    out.append(np.zeros(2400))
    return np.concatenate(out)


@pytest.mark.parametrize("parts,number", [
    # the timeline's rows (firmware/callerid.py, "Digit timeline")
    ([("A", 50), (None, 50), ("1", 40), (None, 50), ("2", 50), (None, 50), ("C", 50)], "12"),
    ([("A", 50), (None, 50), ("1", 15), (None, 50), ("2", 50), (None, 50), ("C", 50)], "2"),       # 15 ms: no digit
    ([("A", 50), (None, 50), ("7", 50), (None, 30), ("7", 50), (None, 50), ("C", 50)], "77"),      # 30 ms gap: two 7s
    ([("A", 50), (None, 50), ("7", 50), (None, 300), ("8", 50), (None, 50), ("C", 50)], "78"),     # slow but in time
    ([("A", 50), (None, 50), ("7", 50), (None, 600), ("8", 50), (None, 50), ("C", 50)], None),     # abandoned
])
def test_dtmf_clip_timeline(parts, number):
    evs, _ = decode_cpython(_clip(parts))
    if number is None:
        assert evs == []
    else:
        assert exact(evs, {"standard": "dtmf", "number": number})


def test_diagnostics_name_the_failure_only_when_asked():
    bad = G.corrupt(G.mdmf("5551234567", "SMITH JOHN", "11220930"), 5)
    x, span = G.on_hook_audio("v23", message=bad)
    evs, d = decode_cpython(x, diagnostics=True)
    assert [(e["event"], e["error"], e["standard"]) for e in evs] == [("callerid_error", "checksum", "v23")]
    assert abs(evs[0]["start_ms"] - span[0]) <= 20
    assert decode_cpython(x)[0] == []            # the core's decoder: only callerid events
    # the signal stops half way through the message
    good, _ = G.on_hook_audio("bell202", message=G.mdmf("5551234567", "SMITH JOHN", "11220930"),
                              tail_ms=0)
    cut = np.concatenate([good[:len(good) - 2400], np.zeros(4000)])
    evs, _ = decode_cpython(cut, diagnostics=True)
    assert [(e["event"], e["error"]) for e in evs] == [("callerid_error", "broken")]


def _mdmf_raw(params):
    body = bytes([0x80, len(params)]) + params
    return body + bytes([G.checksum(body)])


def test_etsi_binary_parameters_are_skipped_and_8bit_names_shown():
    # EN 300 659-3 call type (0x11, binary 0x01) before the number; a Latin-1 name
    params = (bytes([0x01, 8]) + b"11220930" + bytes([0x11, 1, 0x01]) + bytes([0x02, 6]) + b"301234"
              + bytes([0x07, 6]) + "Müller".encode("latin-1"))
    x, _ = G.on_hook_audio("v23", message=_mdmf_raw(params))
    assert exact(decode_cpython(x)[0], {"number": "301234", "name": "M?ller", "datetime": "11220930"})


def test_absence_letter_in_the_number_parameter():
    x, _ = G.on_hook_audio("bell202", message=_mdmf_raw(bytes([0x02, 1]) + b"P"))
    assert exact(decode_cpython(x)[0], {"number": None, "reason": "withheld"})


def test_message_with_nothing_caller_id_carries_is_rejected():
    x, _ = G.on_hook_audio("bell202", message=_mdmf_raw(bytes([0x11, 1, 0x01, 0x13, 1, 0x05])))
    evs, d = decode_cpython(x)
    assert evs == [] and d.rejected == 1
