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


def test_docs_yaml_snippets_use_real_keys():
    text = open(os.path.join(ROOT, "docs", "config.md")).read()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert len(blocks) >= 6
    for b in blocks:
        data = yaml.safe_load(b)
        assert isinstance(data, dict), b
        assert set(data) <= set(TOP_KEYS), (set(data) - set(TOP_KEYS), b)


def test_docs_snippets_together_validate(tmp_path):
    """The docs' fragments, joined with the menus they refer to, make a valid config."""
    text = open(os.path.join(ROOT, "docs", "config.md")).read()
    merged = {}
    for b in re.findall(r"```yaml\n(.*?)```", text, re.S):
        for k, v in yaml.safe_load(b).items():
            if isinstance(v, dict) and isinstance(merged.get(k), dict):
                merged[k].update(v)
            else:
                merged[k] = v
    merged.pop("disa", None)         # its example key is not in the menus
    merged.update(version=1, operator="ext 101")
    exts = dict((str(k), v) for k, v in merged["extensions"].items())
    for num, port in (("101", 0), ("102", 1), ("103", 2), ("401", 4), ("402", 5), ("501", 6)):
        exts.setdefault(num, {"port": port})
    exts["502"]["port"] = 3
    merged["extensions"] = exts
    for name in ("sales", "support", "billing", "lunch", "night", "holiday"):
        merged["menus"].setdefault(name, {"greeting": "opts", "keys": {"0": "operator"}})
    merged["menus"]["main"]["allow_overlap"] = True
    p = tmp_path / "docs.yaml"
    p.write_text(yaml.safe_dump(merged))
    cfg, problems = check_config(str(p))
    assert cfg is not None, "\n".join(map(str, problems))
