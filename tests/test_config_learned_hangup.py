"""What `ringroute board learn` proposes goes into a line's hangup settings,
including an exchange's own busy tone, and reaches the hang-up detector."""
from rrfw.line import hangup
from ringroute.configlang import check_config, compile_config
from rrfw.store import cfgcheck

CFG = """\
version: 1
lines:
  - country: DE
    hangup: {methods: [cpc, busy_tone, silence, max_length], cpc_min: 150ms,
             busy_tone: {freqs: [425], cadence: [480ms, 480ms]}}
extensions:
  101: {port: 0, name: Desk}
prompts: [welcome]
operator: ext 101
menus:
  main: {greeting: welcome, keys: {0: operator}}
"""


def test_learned_busy_tone_compiles_and_builds_the_detector(tmp_path):
    p = tmp_path / "office.yaml"
    p.write_text(CFG)
    cfg = compile_config(str(p))
    h = cfg["lines"][0]["hangup"]
    assert h["busy_tone"] == {"freqs": [425.0], "cadence_ms": [480, 480]} and h["cpc_min_ms"] == 150
    assert cfgcheck.check(cfg) is None
    hangup.HangupDetector(profile="DE", **h)   # the firmware takes the settings as they are


def test_bad_learned_busy_tone_is_reported_in_place(tmp_path):
    p = tmp_path / "office.yaml"
    p.write_text(CFG.replace("freqs: [425], cadence: [480ms, 480ms]", "freqs: [5], cadence: [480ms]"))
    cfg, probs = check_config(str(p))
    assert cfg is None
    assert any(":5:" in str(x) and "not a frequency" in str(x) for x in probs), [str(x) for x in probs]
