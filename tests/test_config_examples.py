"""The example configs (examples/*.yaml) validate cleanly, and the docs name only real keys."""
import glob
import os
import re

import pytest
import yaml

from ringroute.configlang import check_config
from ringroute.configlang.compile import TOP_KEYS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def configs():
    out = []
    for p in sorted(glob.glob(os.path.join(ROOT, "examples", "*.yaml"))):
        with open(p) as f:
            data = yaml.safe_load(f)
        if isinstance(data, dict) and "menus" in data:      # not a scenario
            out.append(p)
    return out


@pytest.mark.parametrize("path", configs(), ids=os.path.basename)
def test_example_validates_without_warnings(path):
    cfg, problems = check_config(path)
    assert cfg is not None, "\n".join(map(str, problems))
    assert problems == [], "\n".join(map(str, problems))


def test_docs_top_level_table_matches_the_schema():
    text = open(os.path.join(ROOT, "docs", "config.md")).read()
    table = text[text.index("## Top level"):text.index("### lines")]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M))
    assert documented == set(TOP_KEYS)
