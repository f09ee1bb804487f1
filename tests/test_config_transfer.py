"""The config language's `transfer` section (hook-flash transfers, the supervisor):
what it compiles to, each mistake at its FILE:LINE:COL, warnings for settings
that cannot work, and the board's own check (cfgcheck) refusing what the
firmware cannot run."""
import copy

import pytest

from rrfw.store import cfgcheck
from cfgtest import check, problems, reported_at

BASE = """\
version: 1
lines:
  - country: US
  - country: US
extensions:
  101: {port: 0}
  102: {port: 1}
  105: {port: 3, name: Supervisor}
prompts: [welcome, hold_music]
transfer:
  flash: [150ms, 700ms]
  ring: 20s
  recall: 10s
  music: hold_music
  supervisor: {ext: 105, join: "*55", takeover: "*56"}
operator: ext 101
menus:
  main:
    greeting: welcome
    keys:
      1: ext 101
"""


def test_the_transfer_section_compiles_to_what_the_firmware_reads(tmp_path):
    cfg, probs = check(tmp_path, BASE)
    assert problems(probs) == [] and problems(probs, "warning") == [], [str(p) for p in probs]
    assert cfg["transfer"] == {"flash_min_ms": 150, "flash_max_ms": 700, "ring_ms": 20000, "recall_ms": 10000,
                               "music": ["hold_music"], "supervisor": "105", "join": "*55", "takeover": "*56"}
    assert cfgcheck.check(cfg) is None
    # an empty section: the defaults (the firmware's), still a valid config
    cfg, probs = check(tmp_path, BASE[:BASE.index("transfer:")] + "transfer: {}\n" +
                       BASE[BASE.index("operator:"):])
    assert problems(probs) == [] and cfg["transfer"] == {} and cfgcheck.check(cfg) is None


@pytest.mark.parametrize("old,new,marker,needle", [
    ("  flash: [150ms, 700ms]", "  flash: [700ms, 150ms]", "[700ms", "must be below the longest"),
    ("  flash: [150ms, 700ms]", "  flash: [150ms]", "[150ms]", "[shortest, longest]"),
    ("  flash: [150ms, 700ms]", "  flash: [150ms, 7x]", "7x", "must be a duration"),
    ("  ring: 20s", "  ring: 1s", "1s", "out of range"),
    ("  music: hold_music", "  music: hold_musik", "hold_musik", "unknown prompt 'hold_musik'"),
    ("{ext: 105,", "{ext: 106,", "106", "unknown extension '106'"),
    ('join: "*55"', 'join: "55"', '"55"', "starts with * or #"),
    ('takeover: "*56"', 'takeover: "*5"', '"*5"', "start alike"),
    ('takeover: "*56"', 'takeover: "*55"', '"*55"}', "both join and takeover"),
    ("  recall: 10s", "  recal: 10s", "recal", "unknown key 'recal'"),
])
def test_each_mistake_is_reported_at_its_place(tmp_path, old, new, marker, needle):
    assert old in BASE
    cfg, _ = reported_at(tmp_path, BASE.replace(old, new), marker, needle)
    assert cfg is None


@pytest.mark.parametrize("old,new,marker,needle", [
    ("  - country: US\n  - country: US\n", "  - country: US\n", "transfer:", "with one line a flash cannot"),
    ("  flash: [150ms, 700ms]", "  flash: [50ms, 700ms]", "[50ms", "dial pulse"),
    ("  flash: [150ms, 700ms]", "  flash: [100ms, 250ms]", "[100ms", "their flash would drop the caller"),
    ("  flash: [150ms, 700ms]", "  flash: [100ms, 2s]", "[100ms", "seen only 2000 ms after"),
    ("  ring: 20s", "  ring: 4s", "4s", "shorter than one ring cycle"),
    ("  recall: 10s", "  recall: 5s", "5s", "shorter than one ring cycle"),
    ('{ext: 105, join: "*55", takeover: "*56"}', "{ext: 105}", "{ext: 105}", "no join or takeover code"),
])
def test_settings_that_cannot_work_are_warned_about(tmp_path, old, new, marker, needle):
    assert old in BASE
    cfg, probs = reported_at(tmp_path, BASE.replace(old, new), marker, needle, "warning")
    assert cfg is not None and problems(probs) == []


def test_the_board_refuses_a_transfer_section_it_cannot_run(tmp_path):
    cfg, _ = check(tmp_path, BASE)
    for bad, needle in (({"flash_min_ms": 800, "flash_max_ms": 100}, "flash_min_ms"),
                        ({"flash_min_ms": 0}, "flash_min_ms"),
                        ({"ring_ms": "15s"}, "ring_ms"),
                        ({"supervisor": "999"}, "not an extension"),
                        ({"join": "5x"}, "join"),
                        ({"music": "hold"}, "music")):
        c = copy.deepcopy(cfg)
        c["transfer"].update(bad)
        why = cfgcheck.check(c)
        assert why is not None and needle in why, (bad, why)
    c = copy.deepcopy(cfg)
    c["transfer"] = ["not", "a", "mapping"]
    assert "transfer" in cfgcheck.check(c)
