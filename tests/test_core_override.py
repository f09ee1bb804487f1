"""The day/night override and the feature-code block list live on flash: a
reboot keeps them. The host sets the override through the console."""
import json
import os

import pytest

from rrfw.call import app as app_mod
from rrfw.console import commands as conscmd
from rrfw.errors import CmdError
from ringroute.configlang import compile_config
from standin_hal import ConsoleStub, StandInHal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield compile_config(os.path.join(ROOT, "examples", "day-night.yaml"))


def test_override_from_the_console_survives_a_reboot(cfg):
    a = app_mod.App(StandInHal(), cfg)
    seen = []
    a.events.sinks.append(lambda t: seen.append(json.loads(bytes(t))))
    assert conscmd.override(ConsoleStub(a), {"mode": "night"}) == {"override": "night"}
    assert [e["mode"] for e in seen if e["event"] == "override"] == ["night"]
    a = app_mod.App(StandInHal(), cfg)     # power off (RAM is gone), boot: a new board state
    assert a.board.override == "night"
    conscmd.override(ConsoleStub(a), {"mode": None})
    a = app_mod.App(StandInHal(), cfg)
    assert a.board.override is None


def test_override_to_an_unknown_mode_is_refused(cfg):
    a = app_mod.App(StandInHal(), cfg)
    with pytest.raises(CmdError) as e:
        conscmd.override(ConsoleStub(a), {"mode": "party"})
    assert "night" in str(e.value.args) or "night" in str(e.value)
    assert a.board.override is None


def test_feature_code_block_list_survives_a_reboot(cfg):
    a = app_mod.App(StandInHal(), cfg)
    a.board.last_caller = "5550009999"
    assert a.feature_code(cfg, "*89") == ("block_last", "5550009999")
    a = app_mod.App(StandInHal(), cfg)     # power off, boot
    assert "5550009999" in a.board.blocked
