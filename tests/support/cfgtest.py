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
