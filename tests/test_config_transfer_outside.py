"""The `transfer` section's `outside` prefix (a flash, the prefix and an outside
number: call/transfer.py X_OUT): compiled, mistakes at FILE:LINE:COL, and the
board's own check refusing what the firmware cannot run."""
import copy

from rrfw.store import cfgcheck
from cfgtest import check, problems, where

BASE = """\
version: 1
lines:
  - country: US
  - country: US
extensions:
  101: {port: 0}
  102: {port: 1}
prompts: [welcome]
transfer:
  outside: "9"
operator: ext 101
menus:
  main:
    greeting: welcome
    keys:
      1: ext 101
"""


def test_the_outside_prefix_compiles_to_what_the_firmware_reads(tmp_path):
    cfg, probs = check(tmp_path, BASE)
    assert problems(probs) == [] and problems(probs, "warning") == [], [str(p) for p in probs]
    assert cfg["transfer"] == {"outside": "9"} and cfgcheck.check(cfg) is None


def test_outside_prefix_mistakes_are_errors_at_their_place(tmp_path):
    for new, marker, needle in (('  outside: "*9"', '"*9"', "1 to 3 digits"),
                                ('  outside: "9999"', '"9999"', "1 to 3 digits"),
                                ('  outside: "1"', '"1"', "extension 101 starts with the prefix '1'")):
        text = BASE.replace('  outside: "9"', new)
        cfg, probs = check(tmp_path, text)
        errs = problems(probs)
        assert cfg is None and len(errs) == 1 and needle in errs[0][2], errs
        assert errs[0][:2] == where(text, marker), (errs, where(text, marker))


def test_one_line_cannot_transfer_outside_and_is_warned(tmp_path):
    text = BASE.replace("  - country: US\n  - country: US\n", "  - country: US\n")
    cfg, probs = check(tmp_path, text)
    warns = problems(probs, "warning")
    assert cfg is not None and len(warns) == 1 and "one line" in warns[0][2], warns


def test_the_board_refuses_an_outside_prefix_it_cannot_run(tmp_path):
    cfg, _ = check(tmp_path, BASE)
    for bad in ("", "9a", "1234", 9, "10"):
        c = copy.deepcopy(cfg)
        c["transfer"]["outside"] = bad
        why = cfgcheck.check(c)
        assert why is not None and "outside" in why, (bad, why)
    c = copy.deepcopy(cfg)
    c["transfer"]["outside"] = "8"
    assert cfgcheck.check(c) is None
