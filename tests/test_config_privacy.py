"""The config keys of issue 12's privacy part: the notice before the menu
and the records' retention in days, compiled, placed when wrong, and
re-checked by the board."""
from rrfw.store import cfgcheck
from ringroute.configlang import check_config, compile_config

GOOD = """\
version: 1
lines: [{country: US}]
extensions:
  101: {port: 0, name: Desk}
prompts: [welcome, privacy_notice]
notice: privacy_notice
records:
  retention_days: 60
menus:
  main:
    greeting: welcome
    keys: {0: ext 101}
"""


def write(tmp_path, text):
    p = tmp_path / "office.yaml"
    p.write_text(text)
    return str(p)


def test_notice_and_retention_compile(tmp_path):
    cfg = compile_config(write(tmp_path, GOOD))
    assert cfg["notice"] == ["privacy_notice"]
    assert cfg["records"] == {"enabled": True, "keep": 0, "caller_id": "full", "retention_days": 60}
    assert cfgcheck.check(cfg) is None
    cfg = compile_config(write(tmp_path, GOOD.replace("notice: privacy_notice\n", "").replace(
        "records:\n  retention_days: 60\n", "")))
    assert "notice" not in cfg and "records" not in cfg


def test_notice_and_retention_mistakes_are_placed(tmp_path):
    cfg, probs = check_config(write(tmp_path, GOOD.replace("prompts: [welcome, privacy_notice]", "prompts: [welcome]")))
    assert cfg is None and any("privacy_notice" in str(x) for x in probs), probs
    cfg, probs = check_config(write(tmp_path, GOOD.replace("retention_days: 60", "retention_days: -3")))
    assert cfg is None and any("office.yaml:8:19" in str(x) and "retention_days" in str(x) for x in probs), probs
    cfg, probs = check_config(write(tmp_path, GOOD.replace("retention_days: 60", "retention_day: 60")))
    assert cfg is None and any("retention_day" in str(x) and "did you mean" in str(x) for x in probs), probs


def test_board_refuses_a_bad_notice_or_retention():
    base = {"version": 1, "lines": [{"country": "US"}], "extensions": {"101": {"port": 0}},
            "menus": {"main": {"greeting": ["welcome"], "keys": {}}}, "start": "main",
            "notice": ["privacy_notice"], "records": {"retention_days": 30}}
    assert cfgcheck.check(base) is None
    for key, bad in (("notice", "privacy_notice"), ("notice", [3]), ("records", {"retention_days": -1}),
                     ("records", {"retention_days": "30"}), ("records", {"retention_days": True})):
        cfg = dict(base)
        cfg[key] = bad
        assert cfgcheck.check(cfg) is not None, (key, bad)
