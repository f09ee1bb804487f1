"""The `transfer` section's `outside` prefix (a flash, the prefix and an outside
number: call/transfer.py X_OUT): compiled, mistakes at FILE:LINE:COL, and the
board's own check refusing what the firmware cannot run."""
from rrfw.store import cfgcheck
from cfgtest import ONE_LINE, board_refuses, check, clean, office, one_error, problems

BASE = office('transfer:\n  outside: "9"\n')


def test_the_outside_prefix_compiles_to_what_the_firmware_reads(tmp_path):
    cfg = clean(tmp_path, BASE)
    assert cfg["transfer"] == {"outside": "9"} and cfgcheck.check(cfg) is None


def test_outside_prefix_mistakes_are_errors_at_their_place(tmp_path):
    for new, marker, needle in (('  outside: "*9"', '"*9"', "1 to 3 digits"),
                                ('  outside: "9999"', '"9999"', "1 to 3 digits"),
                                ('  outside: "1"', '"1"', "extension 101 starts with the prefix '1'")):
        one_error(tmp_path, BASE.replace('  outside: "9"', new), marker, needle)


def test_one_line_cannot_transfer_outside_and_is_warned(tmp_path):
    text = BASE.replace(*ONE_LINE)
    cfg, probs = check(tmp_path, text)
    warns = problems(probs, "warning")
    assert cfg is not None and len(warns) == 1 and "one line" in warns[0][2], warns


def test_the_board_refuses_an_outside_prefix_it_cannot_run(tmp_path):
    cfg, _ = check(tmp_path, BASE)
    for bad in ("", "9a", "1234", 9, "10"):
        board_refuses(cfg, lambda c: c["transfer"].__setitem__("outside", bad), "outside")
    cfg["transfer"]["outside"] = "8"
    assert cfgcheck.check(cfg) is None
