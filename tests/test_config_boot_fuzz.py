"""A compiled config can never stop the board: damaged compiled JSON against the board's own check
and a boot with a call (tests/boot_fuzz_cases.py), under CPython and the real micropython binary."""
import glob
import json
import os

import pytest

import casetest
import boot_fuzz_cases
from ringroute.configlang import compile_config

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRIPT = os.path.join(HERE, "boot_fuzz_cases.py")


def _bases():
    # every section first (tests/data/everything.yaml), then the examples that are configs
    out = [compile_config(os.path.join(HERE, "data", "everything.yaml"))]
    for p in sorted(glob.glob(os.path.join(ROOT, "examples", "*.yaml"))):
        try:
            out.append(compile_config(p))
        except Exception:  # noqa: BLE001 - scenarios (calls:) are not configs
            continue
    return out


def _flash(d):
    with open(os.path.join(str(d), "bases.json"), "w") as f:
        json.dump(_bases(), f)
    return d


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    return casetest.run_micropython(SCRIPT, [_flash(tmp_path_factory.mktemp("boot_fuzz_mpy"))], source=True,
                                    timeout=600)


@casetest.each_case(boot_fuzz_cases.CASES)
def test_config_boot_fuzz(engine, name, request, tmp_path, monkeypatch):
    _flash(tmp_path)
    monkeypatch.chdir(tmp_path)
    casetest.check(request, engine, name, boot_fuzz_cases.CASES, boot_fuzz_cases.call)


def test_push_of_a_compiled_config_runs_the_boards_check_before_sending(tmp_path):
    from emuboard import cli
    good = _bases()[0]
    for path, value, bad in boot_fuzz_cases._bad([good]):
        p = tmp_path / "bad.json"
        p.write_text(json.dumps(bad))
        # no port at that path: a refused config never gets as far as opening one
        rc, out, err = cli("push", p, "--port", tmp_path / "ttyUSB9", "--pin", "731902")
        assert rc == 2 and "the board would refuse this config" in err, (path, value, err)
        assert err.count("\n") == 1 and "Traceback" not in err
    p = tmp_path / "good.json"
    p.write_text(json.dumps(good))
    rc, out, err = cli("push", p, "--port", tmp_path / "ttyUSB9", "--pin", "731902")
    assert rc == 4 and "does not exist" in err, err   # checked, then the port is looked for
