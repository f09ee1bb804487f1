"""The emulated exchange sends DTMF caller ID in its national forms (issue 17:
numbers without a start code, # as the stop code, the national absence codes) and
the board reads each one on a DTMF-CLIP line (the Netherlands' profile), under both
engines. The decoder's own table of forms: tests/test_callerid_decode.py."""
import pytest

from emuhelp import emulate, of

pytestmark = pytest.mark.micropython

# (clip_form, caller_id sent, number the board must read, reason)
CALLS = [
    ("etsi", "0201234567", "0201234567", None),
    ("brazil", "1133334444", "1133334444", None),
    ("denmark", "33445566", "33445566", None),
    ("denmark", "withheld", None, "withheld"),
    ("denmark_bare", "33445566", "33445566", None),
    ("denmark_bare", "unavailable", None, "unavailable"),
    ("netherlands", "0201234567", "0201234567", None),
    ("netherlands", "unavailable", None, "unavailable"),
    ("taiwan", "0223456789", "0223456789", None),
]


def _config():
    return {"version": 1,
            "lines": [{"country": "NL", "answer_on_ring": 2, "answer_on_callerid": False}],
            "extensions": {"101": {"port": 0, "name": "Desk"}},
            "start": "main",
            "menus": {"main": {"greeting": ["welcome"], "keys": {"1": {"do": "ext", "to": "101"}},
                               "first_ms": 3000, "inter_ms": 2000, "max_invalid": 1, "max_timeout": 1,
                               "on_invalid": {"do": "hangup"}, "on_timeout": {"do": "hangup"}}}}


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_board_reads_every_national_dtmf_form_the_exchange_sends(engine, tmp_path):
    calls = [{"at": 1.0 + 25.0 * i, "line": 1, "caller_id": c[1], "clip_form": c[0],
              "hangup": {"after": 3.0}} for i, c in enumerate(CALLS)]
    code, ev, err = emulate(_config(), {"calls": calls}, engine, tmp_path)
    assert code == 0, err
    got = [(c["number"], c["reason"], c.get("standard")) for c in of(ev, "callerid", src="board")]
    assert got == [(c[2], c[3], "dtmf") for c in CALLS]
    assert len(of(ev, "answer", src="board")) == len(CALLS)


def test_an_unknown_form_is_refused_with_its_place(tmp_path):
    calls = [{"at": 1.0, "line": 1, "caller_id": "0201234567", "clip_form": "klingon"}]
    code, ev, err = emulate(_config(), {"calls": calls}, "micropython", tmp_path)
    assert code != 0 and "calls[0].clip_form" in err and "netherlands" in err
