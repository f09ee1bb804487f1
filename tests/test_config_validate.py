"""`ringroute validate` and the config checker: every class of problem, with its line and column."""
import json
import os
import textwrap

import pytest

from ringroute.configlang import ConfigError, check_config, compile_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BASE = """\
version: 1
lines:
  - country: US
extensions:
  101: {port: 0, name: Reception}
  102: {port: 1, name: Sales}
  401: {port: 2, name: Support}
groups:
  sales: [101, 102]
operator: ext 101
prompts: [welcome, opts, invalid, goodbye]
menus:
  main:
    greeting: [welcome, opts]
    keys:
      1: group sales
      2: menu support
      0: operator
  support:
    greeting: opts
    keys:
      1: ext 401
      "*": back
"""


def check(tmp_path, text, name="office.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    cfg, probs = check_config(str(p))
    return str(p), cfg, probs


def one(probs, needle, severity="error"):
    hits = [p for p in probs if needle in p.message and p.severity == severity]
    assert hits, "no %s containing %r in:\n%s" % (severity, needle, "\n".join(map(str, probs)))
    return hits[0]


def test_base_is_valid_and_compiles_to_what_the_core_reads(tmp_path):
    path, cfg, probs = check(tmp_path, BASE)
    assert [p for p in probs if p.severity == "error"] == []
    assert cfg["version"] == 1
    assert cfg["lines"] == [{"country": "US", "answer_on_ring": 2, "answer_on_callerid": False}]
    assert cfg["extensions"]["101"] == {"port": 0, "name": "Reception"}
    assert cfg["groups"]["sales"] == {"members": ["101", "102"], "strategy": "ring_all"}
    assert cfg["ext_ring_timeout_ms"] == 20000
    assert cfg["start"] == "main"
    assert cfg["menus"]["main"]["keys"]["1"] == {"do": "group", "to": "sales"}
    json.dumps(cfg)      # plain JSON data


def test_syntax_error_has_line_and_column(tmp_path):
    path, cfg, probs = check(tmp_path, BASE.replace('      "*": back', '      *: back'))
    assert cfg is None
    p = one(probs, "YAML syntax error")
    assert (p.line, p.col) == (23, 8)
    assert "quote" in p.message
    assert str(p).startswith("%s:23:8: " % path)


def test_unknown_key_says_did_you_mean(tmp_path):
    path, cfg, probs = check(tmp_path, BASE.replace("    greeting: opts", "    greting: opts"))
    p = one(probs, "unknown key 'greting'")
    assert "did you mean 'greeting'" in p.message
    assert (p.line, p.col) == (20, 5)
    one(probs, "missing 'greeting'")


def test_wrong_types(tmp_path):
    text = BASE.replace("  101: {port: 0, name: Reception}", "  101: {port: zero, name: Reception}")
    text = text.replace("    keys:\n      1: group", "    timeout: soon\n    keys:\n      1: group")
    path, cfg, probs = check(tmp_path, text)
    p = one(probs, "port must be a whole number")
    assert (p.line, p.col) == (5, 15)
    p = one(probs, "must be a duration")
    assert p.line == 15


@pytest.mark.parametrize("old,new,needle,line,col", [
    ("2: menu support", "2: menu suport", "unknown menu 'suport' (did you mean 'support'?)", 17, 10),
    ("1: ext 401", "1: ext 404", "unknown extension '404'", 22, 10),
    ("1: group sales", "1: group sale", "unknown group 'sale'", 16, 10),
    ("greeting: opts", "greeting: optz", "unknown prompt 'optz' (did you mean 'opts'?)", 20, 15),
    ("sales: [101, 102]", "sales: [101, 109]", "unknown extension '109'", 9, 16),
    ("operator: ext 101", "operator: ext 999", "unknown extension '999'", 10, 11),
])
def test_dangling_references(tmp_path, old, new, needle, line, col):
    path, cfg, probs = check(tmp_path, BASE.replace(old, new))
    assert cfg is None
    p = one(probs, needle)
    assert (p.line, p.col) == (line, col), str(p)


def test_unreachable_menu_is_a_warning(tmp_path):
    text = BASE + "  orphan:\n    greeting: opts\n    keys: {1: ext 102}\n"
    path, cfg, probs = check(tmp_path, text)
    assert cfg is not None                      # warnings do not make it invalid
    p = one(probs, "menu 'orphan' is never reached", "warning")
    assert (p.line, p.col) == (24, 3)


def test_loop_with_no_way_out(tmp_path):
    text = BASE.replace("      1: ext 401\n", "      1: menu main\n")
    text = text.replace("  support:\n", "  support:\n    invalid: {then: menu main}\n    no_input: {then: menu main}\n")
    text = text.replace("      2: menu support\n      0: operator\n", "      2: menu support\n")
    text = text.replace("      1: group sales\n", "      1: menu support\n")
    text = text.replace("  main:\n", "  main:\n    invalid: {then: menu support}\n    no_input: {then: menu support}\n")
    path, cfg, probs = check(tmp_path, text)
    assert cfg is None
    p = one(probs, "loop with no way out")
    assert "main" in p.message and "support" in p.message


def test_caller_who_presses_nothing_loops_forever(tmp_path):
    text = BASE.replace("  support:\n", "  support:\n    no_input: {then: menu main}\n")
    text = text.replace("  main:\n", "  main:\n    no_input: {then: menu support}\n")
    path, cfg, probs = check(tmp_path, text)
    p = one(probs, "presses nothing loops forever")
    assert "main -> support -> main" in p.message


def test_overlapping_digit_maps(tmp_path):
    text = BASE.replace("      0: operator\n", "      0: operator\n      11: ext 102\n")
    path, cfg, probs = check(tmp_path, text)
    p = one(probs, "key 11 starts with key 1")
    assert (p.line, p.col) == (19, 7)
    # allowed on request, then only a warning
    text2 = text.replace("    greeting: [welcome, opts]\n", "    greeting: [welcome, opts]\n    allow_overlap: true\n")
    path, cfg, probs = check(tmp_path, text2)
    assert cfg is not None
    one(probs, "key 11 starts with key 1", "warning")


def test_key_overlaps_dial_by_extension(tmp_path):
    text = BASE.replace("    greeting: [welcome, opts]\n", "    greeting: [welcome, opts]\n    dial_extensions: true\n")
    path, cfg, probs = check(tmp_path, text)
    p = one(probs, "key 1 is the start of extension 101")
    assert p.line == 17
    # extensions 4xx do not collide with keys 0/1/2: only 1xx do
    assert not [q for q in probs if "401" in q.message]


def test_duplicate_keys(tmp_path):
    text = BASE.replace("      0: operator\n", "      0: operator\n      1: ext 102\n")
    path, cfg, probs = check(tmp_path, text)
    p = one(probs, "duplicate key '1' (first on line 16)")
    assert p.line == 19


def test_disa_is_off_unless_enabled_with_a_long_pin(tmp_path):
    text = BASE.replace("      0: operator\n", "      0: operator\n      8: disa\n")
    path, cfg, probs = check(tmp_path, text)
    one(probs, "'disa' (calling out through the trunk) is off")
    text2 = text + "disa: {enabled: true, pin: '1234', max_call: 20min}\n"
    path, cfg, probs = check(tmp_path, text2)
    one(probs, "disa pin: must be 6 to 12 digits")
    text3 = text + "disa: {enabled: true, pin: '111111', max_call: 20min}\n"
    path, cfg, probs = check(tmp_path, text3)
    one(probs, "trivially guessable")
    text4 = text + "disa: {enabled: true, pin: '481923'}\n"
    path, cfg, probs = check(tmp_path, text4)
    one(probs, "'max_call'")


def test_bare_hangup_with_an_operator_is_warned(tmp_path):
    text = BASE.replace("  support:\n", "  support:\n    invalid: {then: hangup}\n")
    path, cfg, probs = check(tmp_path, text)
    assert cfg is not None
    one(probs, "'then: operator' is the safe fallback", "warning")
    # the default final action is the operator, never silence
    assert cfg["menus"]["main"]["on_timeout"] == {"do": "operator"}


def test_every_error_class_at_once(tmp_path):
    """One run reports all classes, sorted by place, each as FILE:LINE:COL: message."""
    text = BASE.replace("  - country: US", "  - country: US\n    answr_on_ring: 2")
    text = text.replace("2: menu support", "2: menu suport")
    text = text.replace("      0: operator\n", "      0: operator\n      11: ext 102\n")
    text += "  orphan:\n    greeting: opts\n    keys: {1: ext 102}\n"
    path, cfg, probs = check(tmp_path, text)
    with pytest.raises(ConfigError) as ei:
        compile_config(path)
    lines = str(ei.value).splitlines()
    assert len(lines) == len(ei.value.problems) >= 4
    assert all(ln.startswith(path + ":") for ln in lines)
    assert [(p.line, p.col) for p in ei.value.problems] == sorted((p.line, p.col) for p in ei.value.problems)
    for needle in ("unknown key 'answr_on_ring'", "unknown menu 'suport'", "key 11 starts with key 1",
                   "never reached"):
        assert any(needle in ln for ln in lines), needle


def test_empty_and_missing_files(tmp_path):
    path, cfg, probs = check(tmp_path, "")
    one(probs, "the file is empty")
    cfg, probs = check_config(str(tmp_path / "nope.yaml"))
    one(probs, "cannot read the file")
    path, cfg, probs = check(tmp_path, "- just\n- a list\n")
    one(probs, "a config is a mapping")


def test_schema_version(tmp_path):
    path, cfg, probs = check(tmp_path, BASE.replace("version: 1", "version: 2"))
    p = one(probs, "version 2 is not supported")
    assert (p.line, p.col) == (1, 10)


def test_extension_numbers_keep_their_text(tmp_path):
    # YAML would read 011 as octal 9 and 0101 as 101: extension numbers are text
    text = BASE.replace("  401: {port: 2, name: Support}", "  0101: {port: 2, name: Support}")
    text = text.replace("1: ext 401", "1: ext 0101")
    path, cfg, probs = check(tmp_path, text)
    assert "0101" in cfg["extensions"]


# ---- the command line ---------------------------------------------------------------
class Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def ringroute(*args):
    """Run the CLI in this process (as `ringroute ARGS`), capturing what it prints."""
    import contextlib
    import io
    from ringroute.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(list(args))
        except SystemExit as e:
            rc = e.code
    return Result(rc, out.getvalue(), err.getvalue())


def test_cli_exit_codes_and_format(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(BASE)
    r = ringroute("validate", str(good), "--output", str(tmp_path / "out" / "config.json"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "valid" in r.stderr
    assert json.load(open(tmp_path / "out" / "config.json"))["version"] == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.replace("1: ext 401", "1: ext 404"))
    r = ringroute("validate", str(bad))
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == "%s:22:10: menu 'support' key 1: unknown extension '404' (did you mean '401'?)" % bad
    assert "invalid: 1 error(s)" in r.stderr
    r = ringroute("validate", str(bad), "--json")
    assert r.returncode == 1
    j = json.loads(r.stdout)
    assert j["valid"] is False and j["problems"][0]["line"] == 22
    r = ringroute("validate", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr


def test_cli_strict_counts_warnings(tmp_path):
    f = tmp_path / "w.yaml"
    f.write_text(BASE + "  orphan:\n    greeting: opts\n    keys: {1: ext 102}\n")
    assert ringroute("validate", str(f)).returncode == 0
    assert ringroute("validate", str(f), "--strict").returncode == 1


def test_cli_help_teaches():
    r = ringroute("validate", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "FILE:LINE:COL" in r.stdout


def test_line_hangup_settings(tmp_path):
    text = BASE.replace("  - country: US\n", "  - country: US\n    hangup: {methods: [cpc, busy], silence: 45s}\n")
    path, cfg, probs = check(tmp_path, text)
    p = one(probs, "unknown method 'busy' (did you mean 'busy_tone'?)")
    assert (p.line, p.col) == (4, 29)
    text = BASE.replace("  - country: US\n", "  - country: US\n    hangup: {methods: [cpc, busy_tone, max_length], "
                                                "silence: 45s, max_call: 1h, cpc_min: 300ms}\n")
    path, cfg, probs = check(tmp_path, text)
    assert cfg["lines"][0]["hangup"] == {"methods": ["cpc", "busy_tone", "max_length"], "silence_ms": 45000,
                                         "max_call_ms": 3600000, "cpc_min_ms": 300}


def test_callers_features_and_schedule_compile(tmp_path):
    text = BASE + """\
callers:
  block: ["+15550000666", "1900*"]
  when_blocked: hangup
  priority: {"5559999": ext 102}
  withheld: menu support
  unavailable: operator
feature_codes: {night: "*81", day: "*82", auto: "*80", block_last: "*89"}
timezone: Europe/Paris
schedule:
  menus: {day: main, night: support}
  hours: {mon-fri: "09:00-18:00"}
"""
    path, cfg, probs = check(tmp_path, text)
    assert cfg is not None, "\n".join(map(str, probs))
    assert cfg["callers"]["block"] == ["+15550000666", "1900*"]
    assert cfg["callers"]["priority"] == [{"number": "5559999", "action": {"do": "ext", "to": "102"}}]
    assert cfg["callers"]["unavailable"] == {"do": "operator"}
    assert cfg["feature_codes"]["*81"] == ["override", "night"]
    assert cfg["feature_codes"]["*80"] == ["override", None]
    assert cfg["schedule"]["rules"] == [{"mode": "day", "days": 31, "from": 540, "to": 1080}]
    assert cfg["schedule"]["tz"]["std"] == 60 and cfg["schedule"]["tz"]["dst"] == 120


def test_bad_schedule_entries(tmp_path):
    text = BASE + """\
timezone: Mars/Olympus
schedule:
  menus: {day: main, nite: support}
  hours: {mon-fry: "09:00-18:00", sat: "9-5"}
  holidays: [2026-02-30, "2026-12-31..2026-12-01"]
feature_codes: {night: "81"}
"""
    path, cfg, probs = check(tmp_path, text)
    one(probs, "unknown time zone 'Mars/Olympus'")
    one(probs, "unknown day 'fry' (did you mean 'fri'?)")
    one(probs, "'9-5' is not a time range")
    one(probs, "'2026-02-30' is not a date")
    one(probs, "ends before it starts")
    one(probs, "mode 'night' has no menu (did you mean 'nite'?)")
    one(probs, "must start with * or #")


def test_ports_checked_against_the_board(tmp_path):
    text = "board: emulated\n" + BASE.replace("  401: {port: 2, name: Support}", "  401: {port: 4, name: Support}")
    path, cfg, probs = check(tmp_path, text)
    p = one(probs, "port 4 does not exist (the board has ports 0..3)")
    assert p.line == 8
    path, cfg, probs = check(tmp_path, "board: emulatd\n" + BASE)
    one(probs, "unknown board 'emulatd' (did you mean 'emulated'?)")


def test_self_referring_alias_is_refused_not_a_crash(tmp_path):
    text = BASE.replace("      0: operator\n", "      0: operator\n      5: &x {message: goodbye, then: *x}\n")
    path, cfg, probs = check(tmp_path, text)
    p = one(probs, "nested more than 8 deep")
    assert p.line == 19


def test_line_menu(tmp_path):
    text = BASE.replace("  - country: US\n", "  - country: US\n  - {country: US, menu: support}\n")
    path, cfg, probs = check(tmp_path, text)
    assert cfg["lines"][1]["menu"] == "support"
    text = BASE.replace("  - country: US\n", "  - country: US\n  - {country: US, menu: suport}\n")
    path, cfg, probs = check(tmp_path, text)
    one(probs, "line 2: unknown menu 'suport' (did you mean 'support'?)")


def test_board_limits_are_checked_on_the_host(tmp_path):
    many = "".join("  m%d:\n    greeting: opts\n    keys: {1: ext 101}\n" % i for i in range(64))
    path, cfg, probs = check(tmp_path, BASE + many)
    one(probs, "66 menus; the board takes at most 64")


def test_cli_tree_shows_what_each_key_does():
    r = ringroute("validate", os.path.join(ROOT, "examples", "nested.yaml"), "--tree", "--quiet")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "menu main: plays welcome + main_opts"
    assert "  key 1: menu sales: plays sales_opts" in lines
    assert "    key 2: ring 402 (Sales desk); if no answer: play callback, then hang up" in lines
    assert "  key 9: play goodbye, then hang up" in lines


def test_override_codes_without_a_schedule_are_warned(tmp_path):
    path, cfg, probs = check(tmp_path, BASE + 'feature_codes: {night: "*81", block_last: "*89"}\n')
    assert cfg is not None
    one(probs, "there is no schedule", "warning")
    assert cfg["feature_codes"]["*89"] == ["block_last"]


def test_tab_indentation_gets_a_hint(tmp_path):
    path, cfg, probs = check(tmp_path, BASE.replace("    greeting: opts", "\tgreeting: opts"))
    p = one(probs, "never tabs")
    assert (p.line, p.col) == (20, 1)


@pytest.mark.parametrize("country,ring,rules,warned", [
    ("US", 1, True, True),     # Bell 202 comes between the 1st and 2nd ring (GR-30-CORE)
    ("US", 2, True, False),
    ("US", 1, False, False),   # no rule needs the number: answering at once is the owner's choice
    ("DE", 1, True, True),     # V.23 after the 1st ring
    ("UK", 1, True, False),    # BT sends it before the 1st ring (SIN 227)
    ("NL", 1, True, False),    # DTMF before the 1st ring (KPN)
])
def test_answering_before_caller_id_with_a_rule_that_needs_the_number(tmp_path, country, ring, rules, warned):
    text = BASE.replace("  - country: US\n", "  - {country: %s, answer_on_ring: %d}\n" % (country, ring))
    if rules:
        text += 'callers:\n  block: ["+15550000666"]\n'
    path, cfg, probs = check(tmp_path, text)
    assert not [p for p in probs if p.severity == "error"], probs
    hits = [p for p in probs if "send caller ID" in p.message]
    assert bool(hits) == warned, probs
    if warned:
        p = one(probs, "line 1 answers on ring 1", "warning")
        assert (p.line, p.col) == (3, 35) and "answers on ring 2 at the latest" in p.message


@pytest.mark.parametrize("shape", ["block", "flow"])
def test_a_file_nested_hundreds_deep_is_a_problem_with_its_place_not_a_traceback(tmp_path, shape):
    if shape == "block":
        text = BASE + "notes:\n" + "".join("  " * i + "k%d:\n" % i for i in range(1, 400)) + "  " * 400 + "x: 1\n"
        where = BASE.count("\n") + 1 + 64   # the first key of the mapping one level too deep (k64)
    else:
        text = BASE + "notes: " + "[" * 1000 + "]" * 1000 + "\n"
        where = BASE.count("\n") + 1
    p = tmp_path / "office.yaml"
    p.write_text(text)
    cfg, probs = check_config(str(p))
    assert cfg is None
    hit = one(probs, "nested more than 64 levels deep")
    assert hit.line == where, (hit.line, where)
    assert str(hit).startswith("%s:%d:%d: " % (p, hit.line, hit.col))
    # a config nested as deep as real ones are is fine
    path, cfg, probs = check(tmp_path, BASE)
    assert cfg is not None


def test_a_nul_byte_is_reported_on_its_own_line_and_column(tmp_path):
    lines = BASE.splitlines(True)
    lines[5] = lines[5].replace("Sales", "Sa\x00les")   # line 6: `  102: {port: 1, name: Sa\0les}`
    p = tmp_path / "office.yaml"
    p.write_text("".join(lines))
    cfg, probs = check_config(str(p))
    assert cfg is None
    hit = one(probs, "NUL (0x00)")
    assert (hit.line, hit.col) == (6, lines[5].index("\x00") + 1), (hit.line, hit.col)
