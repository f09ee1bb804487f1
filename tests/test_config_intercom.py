"""The config language's `intercom` section (an extension's number dialled on a
handset rings that phone, call/intercom.py): what it compiles to, mistakes at
FILE:LINE:COL, warnings for settings that cannot work, and the board's own check."""
from rrfw.store import cfgcheck
from cfgtest import ONE_LINE, board_refuses, check, clean, office, one_error, problems, where

BASE = office("intercom:\n  ring: 25s\n")


def test_the_intercom_section_compiles_to_what_the_firmware_reads(tmp_path):
    cfg = clean(tmp_path, BASE)
    assert cfg["intercom"] == {"ring_ms": 25000} and cfgcheck.check(cfg) is None
    for short, want in (("intercom: on\n", {}), ("intercom: {}\n", {}), ("intercom:\n", {}),
                        ("intercom: off\n", None)):
        text = BASE.replace("intercom:\n  ring: 25s\n", short)
        cfg, probs = check(tmp_path, text)
        assert problems(probs) == [], (short, [str(p) for p in probs])
        assert cfg.get("intercom") == want and cfgcheck.check(cfg) is None, short


def test_intercom_mistakes_are_errors_at_their_place(tmp_path):
    for old, new, marker, needle in (("  ring: 25s", "  ring: 1s", "1s", "out of range"),
                                     ("  ring: 25s", "  ring: soon", "soon", "duration"),
                                     ("  ring: 25s", "  rings: 25s", "rings", "unknown key 'rings'")):
        one_error(tmp_path, BASE.replace(old, new), marker, needle)


def test_intercom_settings_that_cannot_work_are_warned(tmp_path):
    # one line: a call ringing in waits for the two phones (they talk on that line's pair)
    text = BASE.replace(*ONE_LINE)
    cfg, probs = check(tmp_path, text)
    warns = problems(probs, "warning")
    assert cfg is not None and len(warns) == 1 and "one line" in warns[0][2], warns
    assert warns[0][:2] == where(text, "intercom:")
    # one phone: nobody to call
    text = BASE.replace("  102: {port: 1}\n", "")
    cfg, probs = check(tmp_path, text)
    assert any("nobody to call" in w[2] for w in problems(probs, "warning")), problems(probs, "warning")
    # an extension number that starts like another: never reached from a handset
    text = BASE.replace("  102: {port: 1}\n", "  102: {port: 1}\n  1011: {port: 2}\n")
    cfg, probs = check(tmp_path, text)
    warns = problems(probs, "warning")
    assert len(warns) == 1 and "1011 starts like 101" in warns[0][2], warns
    # a ring shorter than one ring cycle
    text = BASE.replace("  ring: 25s", "  ring: 4s")
    cfg, probs = check(tmp_path, text)
    warns = problems(probs, "warning")
    assert len(warns) == 1 and "ring cycle" in warns[0][2] and warns[0][:2] == where(text, "4s"), warns


def test_the_board_refuses_an_intercom_it_cannot_run(tmp_path):
    cfg, _ = check(tmp_path, BASE)
    for bad in ({"ring_ms": "25s"}, {"ring_ms": 0}, {"ring_ms": -5}, [1]):
        board_refuses(cfg, lambda c: c.__setitem__("intercom", bad), "intercom")
