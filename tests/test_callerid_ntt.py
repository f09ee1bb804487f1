"""Japan's NTT caller ID (issue 17): the frame decoder (rrfw/dsp/callerid.py, _DLE),
the CAR handshake (rrfw/line/car.py, cases in tests/car_cases.py) and the emulated
exchange sending it (host_tools/ringroute/emu/world.py, _ntt), under CPython and
the real micropython binary."""
import os

import numpy as np
import pytest

import caserun
import casetest
import car_cases
from emuhelp import emulate, of

from ringroute.signals import callerid as G
from callerid_helpers import decode_batch, exact

pytestmark = pytest.mark.micropython
HERE = os.path.dirname(os.path.abspath(__file__))
CASES = caserun.discover(vars(car_cases))
ENGINES = ("micropython", "cpython")


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    return casetest.run_micropython(os.path.join(HERE, "car_cases.py"), [], timeout=60)


@casetest.each_case(CASES)
def test_car_case(engine, name, request):
    casetest.check(request, engine, name, CASES)


def _ntt(frame=None, level=-15.0, snr=None, seed=0, **kw):
    rng = np.random.default_rng(seed)
    m = frame if frame is not None else G.ntt_frame(**kw)
    x, _ = G.on_hook_audio("ntt", level_dbm0=level, snr_db=snr, rng=rng, message=m)
    return x


# (what, frame kwargs, number, reason)
GOOD = [
    ("number", {"number": "0312345678"}, "0312345678", None),
    ("withheld P", {"reason": "withheld"}, None, "withheld"),
    ("unavailable O", {"reason": "unavailable"}, None, "unavailable"),
    ("public phone C", {"reason": "public"}, None, "unavailable"),
    ("service conflict S", {"reason": "service"}, None, "unavailable"),
    ("called number skipped", {"number": "0451234567", "called": "0312340000"}, "0451234567", None),
    ("length 16 doubled DLE", {"number": "03123456789012"}, "03123456789012", None),
    ("length 16 single DLE", {"number": "03123456789012", "double_dle": False}, "03123456789012", None),
]


@pytest.mark.parametrize("engine", ENGINES)
def test_ntt_frames_decode(engine, tmp_path):
    sigs = [_ntt(**c[1]) for c in GOOD]
    # and across the level range at 20 dB SNR
    levels = (-5.0, -25.0, -40.0)
    sigs += [_ntt(number="09012345678", level=lv, snr=20.0, seed=i) for i, lv in enumerate(levels)]
    res = decode_batch(sigs, tmp_path, engine)
    want = [(c[2], c[3]) for c in GOOD] + [("09012345678", None)] * len(levels)
    for (number, reason), evs, what in zip(want, res, [c[0] for c in GOOD] + list(levels)):
        assert exact(evs, {"standard": "ntt", "number": number, "reason": reason}), (what, evs)


def _bad_parity():
    # one data byte with its parity bit wrong, the CRC made right again: only parity can tell
    f = bytearray(G.ntt_frame(number="0312345678"))
    f[9] ^= 0x80
    crc = G.crc16_v41(f[2:-2])
    f[-2], f[-1] = crc & 0xFF, crc >> 8
    return bytes(f)


@pytest.mark.parametrize("engine", ENGINES)
def test_damaged_or_foreign_ntt_frames_give_nothing(engine, tmp_path):
    good = G.ntt_frame(number="0312345678")
    bad_crc = bytearray(good)
    bad_crc[-1] ^= 0x01
    bad_data = bytearray(good)
    bad_data[9] ^= 0x03        # two bits: parity still even, the CRC catches it
    no_etx = good[:-4] + bytes([0x90, 0x84]) + good[-2:]     # DLE EOT instead of DLE ETX
    frames = [bytes(bad_crc), bytes(bad_data), _bad_parity(), no_etx,
              G.ntt_frame(number="0312345678", msg_type=0x41)]   # another NTT message type
    res = decode_batch([_ntt(frame=f) for f in frames], tmp_path, engine)
    assert [r for r in res if r] == []
    # the diagnostics decoder names why
    diag = decode_batch([_ntt(frame=f) for f in frames[:3]], tmp_path, engine,
                        spec="callerid:CallerIdDiagnostic")
    assert [[e["error"] for e in r] for r in diag] == [["checksum"]] * 3


def test_standard_restrictions(tmp_path):
    ntt = _ntt(number="0312345678")
    v23, _ = G.on_hook_audio("v23", number="0312345678")
    res = decode_batch([ntt, v23], tmp_path, spec="callerid:CallerIdBell202")
    assert res == [[], []]
    res = decode_batch([ntt, v23], tmp_path, spec="callerid:CallerIdNtt")
    assert [len(r) for r in res] == [1, 0] and res[0][0]["standard"] == "ntt"


def _spandsp_jclip(number):
    """An NTT frame from spandsp 0.0.6's own transmitter (Debian libspandsp2), or None."""
    import ctypes
    try:
        lib = ctypes.CDLL("libspandsp.so.2")
    except OSError:
        return None
    u8p = ctypes.POINTER(ctypes.c_uint8)
    lib.adsi_tx_init.restype = ctypes.c_void_p
    lib.adsi_tx_init.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.adsi_add_field.argtypes = [ctypes.c_void_p, u8p, ctypes.c_int, ctypes.c_uint8, u8p, ctypes.c_int]
    lib.adsi_tx_put_message.argtypes = [ctypes.c_void_p, u8p, ctypes.c_int]
    lib.adsi_tx.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int]
    lib.adsi_tx_free.argtypes = [ctypes.c_void_p]
    st = lib.adsi_tx_init(None, 4)             # ADSI_STANDARD_JCLIP
    msg = (ctypes.c_uint8 * 256)()
    n = lib.adsi_add_field(st, msg, -1, 0x40, None, 0)
    num = (ctypes.c_uint8 * 32)(*number.encode())
    n = lib.adsi_add_field(st, msg, n, 0x02, num, len(number))
    lib.adsi_tx_put_message(st, msg, n)
    buf = (ctypes.c_int16 * 160)()
    out = []
    while True:
        k = lib.adsi_tx(st, buf, 160)
        out.extend(buf[:k])
        if k < 160:
            break
    lib.adsi_tx_free(st)
    return np.concatenate([np.zeros(2400), np.array(out, dtype=np.float64), np.zeros(2400)])


@pytest.mark.parametrize("engine", ENGINES)
def test_a_frame_from_an_independent_transmitter(engine, tmp_path):
    x = _spandsp_jclip("0312345678")
    if x is None:
        pytest.skip("needs Debian's libspandsp2")
    res = decode_batch([x], tmp_path, engine)
    assert exact(res[0], {"standard": "ntt", "number": "0312345678", "reason": None}), res


def _jp_config():
    return {"version": 1,
            "lines": [{"country": "JP", "answer_on_ring": 2, "answer_on_callerid": False}],
            "extensions": {"101": {"port": 0, "name": "Desk"}},
            "start": "main",
            "menus": {"main": {"greeting": ["welcome"], "keys": {"1": {"do": "ext", "to": "101"}},
                               "first_ms": 3000, "inter_ms": 2000, "max_invalid": 1, "max_timeout": 1,
                               "on_invalid": {"do": "hangup"}, "on_timeout": {"do": "hangup"}}}}


@pytest.mark.parametrize("engine", ENGINES)
def test_emulated_ntt_exchange_and_the_board(engine, tmp_path):
    calls = [{"at": 1.0, "line": 1, "caller_id": "0312345678", "hangup": {"after": 4.0}},
             {"at": 40.0, "line": 1, "caller_id": "withheld", "hangup": {"after": 4.0}},
             {"at": 80.0, "line": 1, "caller_id": "none", "hangup": {"after": 4.0}}]
    code, ev, err = emulate(_jp_config(), {"calls": calls}, engine, tmp_path)
    assert code == 0, err
    # the board answers the CAR twice (not for the call without caller ID), hangs up on the
    # data, and the exchange then rings: the answer comes on the 2nd ring of IR
    assert len(of(ev, "car_answered", src="world")) == 2
    assert len(of(ev, "car_received", src="world")) == 2
    assert [e["state"] for e in of(ev, "car", src="board")] == ["offhook", "onhook"] * 2
    cids = of(ev, "callerid", src="board")
    assert [(c["number"], c["reason"], c.get("standard")) for c in cids] == [
        ("0312345678", None, "ntt"), (None, "withheld", "ntt"), (None, "none_sent", None)]
    answers = of(ev, "answer", src="board")
    assert [a["rings"] for a in answers] == [2, 2, 2]
    assert of(ev, "fault") == []
