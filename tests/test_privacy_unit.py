"""The firmware's privacy module on its own: which stored numbers count as
the asked one, and the refusal while that caller's call is up."""
import pytest

from rrfw.call import privacy
from rrfw.call.boardstate import BoardState
from rrfw.call.events import Clock, Events
from rrfw.errors import CmdError
from rrfw.store.records import Records


def test_numbers_match_on_their_digits():
    same = privacy.matcher("+1 (617) 555-0142")
    assert same("6175550142") and same("16175550142") and same("+16175550142")
    assert not same("6175550143") and not same("******0142") and not same("617*") and not same(None)
    assert privacy.matcher("5550142")("6175550142")
    assert not privacy.matcher("5550142")("0142")
    for bad in ("0142", "", None, 6175550142):
        with pytest.raises(CmdError):
            privacy.matcher(bad)


class _Line:
    def __init__(self, line, number):
        self.line = line
        self.caller = {"number": number} if number else None
        self.rec = None


class _Callbacks:
    def __init__(self):
        self.pending = []

    def forget(self, same):
        return 0


class _App:
    def __init__(self, tmp_path, busy_number):
        self.records = Records(prefix=str(tmp_path / "r"))
        self.board = BoardState(path=str(tmp_path / "ivr_state.json"))
        self.events = Events(Clock())
        self.callbacks = _Callbacks()
        self.lines = [_Line(0, None), _Line(1, busy_number)]
        from rrfw.call.router import Ports
        self.ports = Ports(2)   # the queue places kept for callers who call again


def test_erase_is_refused_while_that_callers_call_is_up(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = _App(tmp_path, "6175550142")
    app.records.append({"call": 1, "caller": "6175550142"})
    with pytest.raises(CmdError) as e:
        privacy.erase(app, "6175550142")
    assert e.value.code == "busy" and "line 2" in e.value.msg
    assert app.records.matching("6175550142")            # nothing went
    app.lines[1].caller = None                            # the call ended
    app.ports.remember("6175550142", "sales", 1000, 2000)
    gone = privacy.erase(app, "6175550142")
    assert gone["records"] == 1 and not app.records.read_all()
    assert gone["queue_places"] == 1 and not app.ports.places
