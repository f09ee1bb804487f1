"""The board re-checks a compiled config (firmware/cfgcheck.py): good ones pass, damaged ones are refused
and the running config stays."""
import copy
import glob
import json
import os
import subprocess
import sys

import pytest

from ringroute.configlang import compile_config
from ringroute.paths import engine_command, engine_env

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from rrfw.store import cfgcheck  # noqa: E402

def _configs():
    import yaml
    out = []
    for p in sorted(glob.glob(os.path.join(ROOT, "examples", "*.yaml"))):
        with open(p) as f:
            data = yaml.safe_load(f)
        if isinstance(data, dict) and "menus" in data:     # scenarios have 'calls' instead
            out.append(p)
    return out


CONFIGS = _configs()


def compiled(name="nested.yaml"):
    return compile_config(os.path.join(ROOT, "examples", name))


@pytest.mark.parametrize("path", CONFIGS, ids=os.path.basename)
def test_every_example_passes_the_board_check(path):
    cfg = compile_config(path)
    assert cfgcheck.check(cfg) is None
    assert cfgcheck.check(json.loads(json.dumps(cfg))) is None


def _mut(fn, name="nested.yaml"):
    cfg = copy.deepcopy(compiled(name))
    fn(cfg)
    return cfgcheck.check(cfg)


@pytest.mark.parametrize("mutate,needle", [
    (lambda c: c.update(version=2), "version"),
    (lambda c: c.update(lines=[]), "no lines"),
    (lambda c: c["extensions"]["402"].update(port=0), "port 0 already used"),
    (lambda c: c["extensions"]["402"].update(port="1"), "bad port"),
    (lambda c: c["extensions"]["402"].update(port=True), "bad port"),
    (lambda c: c["groups"]["sales"]["members"].append("999"), "unknown extension 999"),
    (lambda c: c["menus"]["main"]["keys"].update({"1": {"do": "menu", "to": "nowhere"}}), "unknown menu"),
    (lambda c: c["menus"]["main"]["keys"].update({"1": {"do": "dial_out"}}), "unknown action"),
    (lambda c: c["menus"]["main"]["keys"].update({"1": {"do": "disa"}}), "outside calls (disa)"),
    (lambda c: c["menus"]["main"]["keys"].update({"x": {"do": "top"}}), "bad key"),
    (lambda c: c["menus"]["main"].update(first_ms=0), "first_ms"),
    (lambda c: c["menus"]["main"].update(greeting="welcome"), "greeting"),
    (lambda c: c.update(start="gone"), "start menu"),
    (lambda c: c.pop("operator"), "operator used but none"),
    (lambda c: c.update(menus={}), "no menus"),
])
def test_damaged_configs_are_refused(mutate, needle):
    err = _mut(mutate)
    assert err is not None and needle in err, err


def test_schedule_damage_is_refused():
    assert _mut(lambda c: c["schedule"]["modes"].update(day="gone"), "day-night.yaml").startswith("schedule")
    assert "default" in _mut(lambda c: c["schedule"].update(default="party"), "day-night.yaml")
    assert "daylight" in _mut(lambda c: c["schedule"]["tz"].update(start=[3, 2]), "day-night.yaml")


def test_feature_code_damage_is_refused():
    assert "unknown feature" in _mut(lambda c: c["feature_codes"].update({"*77": ["party"]}), "day-night.yaml")
    assert "without a menu" in _mut(lambda c: c["feature_codes"].update({"*77": ["override", "x"]}),
                                    "day-night.yaml")
    assert "bad entry" in _mut(lambda c: c["feature_codes"].update({"*77": "night"}), "day-night.yaml")


def test_deep_nesting_is_bounded():
    def deep(c):
        a = {"do": "ext", "to": "401"}
        for _ in range(20):
            a = {"do": "message", "prompts": ["goodbye"], "then": a}
        c["menus"]["main"]["keys"]["1"] = a
    assert "nested too deeply" in _mut(deep)


def test_disa_enabled_with_pin_passes():
    def on(c):
        c["disa"] = {"enabled": True, "pin": "481923", "max_attempts": 3, "max_call_ms": 1200000}
        c["menus"]["main"]["keys"]["8"] = {"do": "disa"}
    assert _mut(on) is None


def test_bad_config_is_refused_and_the_running_one_stays(tmp_path, monkeypatch):
    from rrfw.store import cfgstore
    monkeypatch.chdir(tmp_path)
    good = json.dumps(compiled())
    assert cfgstore.install(good, cfgcheck.check) is None
    bad = copy.deepcopy(compiled())
    bad["menus"]["main"]["keys"]["1"] = {"do": "menu", "to": "nowhere"}
    err = cfgstore.install(json.dumps(bad), cfgcheck.check)
    assert err is not None and "unknown menu" in err
    cfg, src = cfgstore.load(cfgcheck.check)
    assert src == "config.json" and cfg["menus"]["main"]["keys"]["1"] == {"do": "menu", "to": "sales"}


@pytest.mark.micropython
def test_micropython_agrees(tmp_path):
    good = compiled()
    bad = copy.deepcopy(good)
    bad["extensions"]["402"]["port"] = 0
    data = tmp_path / "cfgs.json"
    data.write_text(json.dumps([good, bad, compiled("day-night.yaml"), compiled("one-level.yaml")]))
    script = ("import json\nfrom rrfw.store import cfgcheck\n"
              "for c in json.load(open(%r)):\n"
              "    print(cfgcheck.check(c))\n" % str(data))
    out = subprocess.run(engine_command("micropython") + ["-c", script], env=engine_env("micropython"),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["None", cfgcheck.check(bad), "None", "None"]


def test_host_valid_feature_codes_without_schedule_are_accepted(tmp_path):
    p = tmp_path / "c.yaml"
    text = open(os.path.join(ROOT, "examples", "one-level.yaml")).read()
    p.write_text(text + 'feature_codes: {night: "*81", block_last: "*89"}\n')
    cfg = compile_config(str(p))
    assert cfgcheck.check(cfg) is None
