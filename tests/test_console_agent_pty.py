"""`ringroute agent` against the emulated board through a real pty (issue 11): the
admin sets an agent's state as the agent's handset codes would; `ringroute status`
shows it; the supervisor's PIN may not; mistakes are one line, nothing changed."""
import json
import os

from emuboard import EmuBoard, cli
from ringroute import session, transport

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIN = "731902"
SUP = "583920"


def _config():
    with open(os.path.join(ROOT, "tests", "data", "basic.json")) as f:
        cfg = json.load(f)
    cfg["agents"] = {}
    cfg["groups"]["help"] = {"members": ["101"]}
    return cfg


def test_console_agent_sets_states_for_the_admin_only(tmp_path):
    b = EmuBoard(tmp_path, config=_config(), speed=4.0).start()
    try:
        t = transport.Transport(b.port).open()
        with session.Board(t) as s:
            s.hello()
            s.pin_set(PIN)
            s.request("pin.supervisor", {"new": SUP})
        rc, out, err = cli("agent", "101", "pause", "--reason", "lunch", "--port", b.port, "--pin", PIN)
        assert rc == 0 and out.strip() == "101: paused (lunch)", out + err
        rc, out, err = cli("agent", "102", "logout", "--group", "front", "--port", b.port, "--pin", PIN)
        assert rc == 0 and out.strip() == "102: logged_out", out + err
        rc, out, err = cli("status", "--port", b.port, "--pin", PIN)
        assert rc == 0, err
        assert "agent 101  paused      (lunch)" in out and "agent 102  logged_out" in out, out
        flash = json.loads((tmp_path / "flash" / "agents.json").read_text())
        assert flash["101"][:2] == [2, "lunch"] and flash["102"][0] == 0     # kept across a reboot
        # mistakes: one line each, the state unchanged
        rc, out, err = cli("agent", "102", "unpause", "--port", b.port, "--pin", PIN)
        assert rc != 0 and "nothing to undo" in err and "Traceback" not in err, err
        rc, out, err = cli("agent", "101", "dnd", "--reason", "x", "--port", b.port, "--pin", PIN)
        assert rc == 2 and "--reason goes with pause" in err, err
        rc, out, err = cli("agent", "999", "login", "--port", b.port, "--pin", PIN)
        assert rc != 0 and "extensions" in err and len(err.strip().splitlines()) == 1, err
        # the supervisor's PIN only looks
        rc, out, err = cli("agent", "101", "unpause", "--port", b.port, "--pin", SUP)
        assert rc != 0 and "Traceback" not in err, err
        rc, out, err = cli("status", "--port", b.port, "--pin", SUP)
        assert "agent 101  paused" in out, out
        rc, out, err = cli("agent", "101", "unpause", "--port", b.port, "--pin", PIN)
        assert rc == 0 and out.strip() == "101: available", out + err
    finally:
        b.stop()
