"""The config-language tests' helpers: compile a YAML text, list its problems,
and find where a problem should be reported (FILE:LINE:COL)."""
import textwrap

from ringroute.configlang import check_config


def check(tmp_path, text):
    """(compiled config or None, problems) for `text` written as office.yaml."""
    p = tmp_path / "office.yaml"
    p.write_text(textwrap.dedent(text))
    return check_config(str(p))


def problems(probs, severity="error"):
    return [(p.line, p.col, p.message) for p in probs if p.severity == severity]


def where(text, marker, nth=0):
    """(line, column), 1-based, of the nth line of `text` holding `marker`."""
    rows = text.splitlines()
    i = [k for k, r in enumerate(rows) if marker in r][nth]
    return i + 1, rows[i].index(marker) + 1


# The small office most section tests start from: two US lines, two phones, the
# operator at 101 and one menu; a test adds the section it is about.
OFFICE = """\
version: 1
lines:
  - country: US
  - country: US
extensions:
%(extensions)sprompts: %(prompts)s
%(section)soperator: ext 101
menus:
  main:
    greeting: welcome
    keys:
      1: ext 101
"""
TWO_PHONES = "  101: {port: 0}\n  102: {port: 1}\n"
# (old, new) that leaves the office with one line
ONE_LINE = ("  - country: US\n  - country: US\n", "  - country: US\n")


def office(section, extensions=TWO_PHONES, prompts="[welcome]"):
    """The small office's YAML with `section` (YAML text) added."""
    return OFFICE % {"extensions": extensions, "prompts": prompts, "section": section}


def clean(tmp_path, text):
    """The compiled config of `text`, which must give no error and no warning."""
    cfg, probs = check(tmp_path, text)
    assert problems(probs) == [] and problems(probs, "warning") == [], [str(p) for p in probs]
    return cfg


def one_error(tmp_path, text, marker, needle):
    """`text` is refused with one error, holding `needle`, at `marker`'s place."""
    cfg, probs = check(tmp_path, text)
    errs = problems(probs)
    assert cfg is None and len(errs) == 1 and needle in errs[0][2], errs
    assert errs[0][:2] == where(text, marker), (errs, where(text, marker))


def board_refuses(cfg, spoil, needle):
    """The board's own check (cfgcheck) refuses a copy of `cfg` spoilt by `spoil`
    with a reason holding `needle`."""
    import copy
    from rrfw.store import cfgcheck
    c = copy.deepcopy(cfg)
    spoil(c)
    why = cfgcheck.check(c)
    assert why is not None and needle in why, (needle, why)


def reported_at(tmp_path, text, marker, needle, severity="error"):
    """A problem of `severity` holding `needle` is reported at `marker`'s place
    (other problems may come too); (compiled config or None, problems)."""
    cfg, probs = check(tmp_path, text)
    hits = [p for p in probs if needle in p.message and p.severity == severity]
    assert hits, [str(p) for p in probs]
    assert (hits[0].line, hits[0].col) == where(text, marker), str(hits[0])
    return cfg, probs
