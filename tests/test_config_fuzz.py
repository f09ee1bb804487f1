"""Damaged configs never crash the checker, and whatever the host calls valid the board accepts."""
import glob
import os
import random
import sys

import yaml

from ringroute.configlang import check_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from rrfw.store import cfgcheck  # noqa: E402

JUNK = [None, 0, -1, 99999, "x", "", [], {}, [1, "a"], {"a": 1}, True, "menu", "ext 999", "message",
        "12:00", "2026-13-01", "*", "mon-fri", {"ext": 1, "menu": "x"}, {"message": []}, {"then": "hangup"}]


def _mutate(rnd, d):
    if isinstance(d, dict) and d:
        k = rnd.choice(list(d))
        r = rnd.random()
        if r < 0.3:
            d[k] = rnd.choice(JUNK)
        elif r < 0.45:
            del d[k]
        elif r < 0.5:
            d[rnd.choice(["zzz", "keys", "greeting", "1", "then"])] = rnd.choice(JUNK)
        else:
            _mutate(rnd, d[k])
    elif isinstance(d, list) and d:
        i = rnd.randrange(len(d))
        if rnd.random() < 0.4:
            d[i] = rnd.choice(JUNK)
        else:
            _mutate(rnd, d[i])


def _examples():
    out = []
    for p in sorted(glob.glob(os.path.join(ROOT, "examples", "*.yaml"))):
        with open(p) as f:
            text = f.read()
        data = yaml.safe_load(text)
        if isinstance(data, dict) and "menus" in data:
            out.append((p, text, data))
    return out


def test_mutated_configs_never_crash_and_valid_means_accepted():
    rnd = random.Random(20261122)
    ex = _examples()
    valid = 0
    for _ in range(80):
        path, text, data = rnd.choice(ex)
        d = yaml.safe_load(text)
        for _ in range(rnd.randint(1, 3)):
            _mutate(rnd, d)
        cfg, problems = check_config(path, yaml.safe_dump(d))
        if cfg is None:
            assert any(p.severity == "error" for p in problems)
        else:
            valid += 1
            assert cfgcheck.check(cfg) is None, (cfgcheck.check(cfg), yaml.safe_dump(d))
    assert valid > 5       # the mutations leave some configs valid, so the second property is exercised


def test_damaged_text_gives_problems_not_tracebacks():
    rnd = random.Random(7)
    ex = _examples()
    for _ in range(100):
        path, text, data = rnd.choice(ex)
        i = rnd.randrange(len(text))
        t2 = text[:i] + rnd.choice(["", " ", ":", "-", "\t", "'", "{", "[", "*", "&a"]) + text[i + rnd.randint(1, 20):]
        cfg, problems = check_config(path, t2)
        assert cfg is not None or problems
        for p in problems:
            assert p.line >= 1 and p.col >= 1
