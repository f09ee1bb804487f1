"""`ringroute campaign` and `ringroute dnc` over the real serial link: the emulated
board (micropython) on a pty, the CLI as an office runs it (issue 13)."""
import json

import pytest

from emuboard import EmuBoard, cli
from emuhelp import load_json
from ringroute import session, transport

pytestmark = pytest.mark.micropython
PIN = "620418"


def _cfg():
    cfg = load_json("basic.json")
    cfg["lines"].append(dict(cfg["lines"][0]))
    cfg["groups"]["sales"] = {"members": ["101", "102"]}
    cfg["outbound"] = {"campaign": {"group": "sales"}}
    return cfg


@pytest.fixture
def board(tmp_path, monkeypatch):
    monkeypatch.setenv("RINGROUTE_HOME", str(tmp_path / "home"))
    # 03:00 in New York: nobody may be called, so nothing dials while the test talks to the board
    script = tmp_path / "quiet.yaml"
    script.write_text("start: '2026-01-05 08:00'\ncalls: []\n")
    b = EmuBoard(tmp_path, config=_cfg(), script=str(script), speed=4.0).start()
    yield b
    b.stop()


def test_office_do_not_call_list_over_the_console(board, tmp_path):
    p = ["--port", board.port, "--pin", PIN]
    rc, out, err = cli("dnc", "add", "+1 (617) 555-0142", *p)
    assert rc == 0 and "6175550142 is on the board's do-not-call list (1 entries)" in out, out + err
    rc, out, err = cli("dnc", "check", "617-555-0142", *p)
    assert rc == 0 and "listed" in out
    rc, out, err = cli("dnc", "list", *p)
    assert rc == 0 and out.split() == ["******0142"]
    rc, out, err = cli("dnc", "list", "--full", *p)
    assert out.split() == ["6175550142"]
    assert (tmp_path / "flash" / "dnc.txt").read_text() == "6175550142\n"
    rc, out, err = cli("dnc", "add", "12", *p)
    assert rc != 0 and "not a US number" in err
    rc, out, err = cli("dnc", "remove", "6175550142", *p)
    assert rc == 0 and "removed" in out
    rc, out, err = cli("dnc", "check", "6175550142", *p)
    assert rc == 1 and "not listed" in out
    # without the PIN, nothing
    rc, out, err = cli("dnc", "list", "--port", board.port, "--pin", "999999")
    assert rc != 0 and "PIN" in err


def test_campaign_push_status_and_control_over_the_console(board, tmp_path):
    p = ["--port", board.port, "--pin", PIN]
    reg = tmp_path / "reg.csv"
    reg.write_text("number\n2125550102\n")
    rc, out, err = cli("dnc", "import", str(reg), "--register", "US-DNC")
    assert rc == 0 and "1 numbers" in out, err
    lst = tmp_path / "leads.csv"
    lst.write_text("number,name,tz,notes\n2125550101,A,,\n2125550102,B,,\n3125550103,C,America/Chicago,\n"
                   "2125550101,A again,,\nnot-a-number,D,,\n")
    rc, out, err = cli("campaign", "push", str(lst), "--name", "spring", *p)
    assert rc == 0, err
    assert "spring: 2 numbers to call; scrubbed: US-DNC 1; duplicates 1" in out
    assert "on the board: spring, 2 numbers" in out and "started: running" in out
    assert "'not-a-number' is not a US number" in err
    rc, out, err = cli("campaign", "status", "--json", *p)
    st = json.loads(out)
    c = st["campaign"]
    assert c["name"] == "spring" and c["state"] == "running" and c["numbers"] == 2
    assert c["scrubbed"] == {"US-DNC": 1} and c["numbers_by_status"]["pending"] == 2
    for action, state in (("pause", "paused"), ("resume", "running"), ("stop", "stopped")):
        rc, out, err = cli("campaign", action, *p)
        assert rc == 0 and "campaign: %s" % state in out, out + err
    rc, out, err = cli("campaign", "resume", *p)
    assert rc != 0 and "stopped: push a list to start another" in err
    # the board's own limits, whatever the host sends
    t = transport.Transport(board.port).open()
    b = session.Board(t)
    try:
        b.hello()
        b.login(PIN)
        with pytest.raises(session.BoardError) as e:
            b.request("put.begin", {"kind": "campaign", "size": 100, "crc": 1, "numbers": 5000})
        assert e.value.code == "too_big" and "1 to 2000 numbers" in str(e.value)
        bad = b"not a list\n"
        with pytest.raises(session.BoardError) as e:
            b.put_file("campaign", bad, extra={"numbers": 1})
        assert e.value.code == "campaign" and "refused the list" in str(e.value)
    finally:
        t.close()
    rc, out, err = cli("campaign", "status", "--json", *p)
    assert json.loads(out)["campaign"]["name"] == "spring"      # the refused upload changed nothing


def test_a_list_too_big_for_the_board_is_refused_with_what_fits(tmp_path, monkeypatch):
    monkeypatch.setenv("RINGROUTE_HOME", str(tmp_path / "home"))
    lst = tmp_path / "big.csv"
    lst.write_text("".join("212555%04d,x,,\n" % i for i in range(2001)))
    rc, out, err = cli("campaign", "push", str(lst), "--name", "big", "--no-register", "--flash", str(tmp_path / "f"))
    assert rc != 0 and "2001 numbers: the board takes at most 2000" in err
