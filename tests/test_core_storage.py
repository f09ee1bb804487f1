"""Storage that survives power cuts, call records and the event ring:
the same cases under CPython and under the real `micropython` binary."""
import os
import subprocess

import pytest

import casetest
import core_cases
from ringroute import paths

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    # the firmware's sources, not its .mpy build, as these cases always ran
    return casetest.run_micropython(os.path.join(HERE, "core_cases.py"),
                                    [tmp_path_factory.mktemp("core_mpy")], source=True)


@casetest.each_case(core_cases.CASES)
def test_core_case(engine, name, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    casetest.check(request, engine, name, core_cases.CASES, core_cases.call)


def test_per_block_path_allocates_nothing_under_micropython(tmp_path):
    """Every 10 ms step of a whole call, under the real micropython binary,
    allocates nothing unless it emitted an event or opened a prompt file."""
    env = casetest.micropython_env()
    p = subprocess.run(paths.engine_command("micropython") + [
        os.path.join(HERE, "heap_cases.py"), os.path.join(HERE, "data", "basic.json"), str(tmp_path)],
        capture_output=True, text=True, timeout=300, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.strip().endswith("done")
    stats = {}
    for line in p.stdout.splitlines()[:-1]:
        state, alloc, total = line.split()
        stats[state] = (int(alloc), int(total))
    # the walk really went through the whole call
    for state in ("idle", "ringing", "ivr", "routing", "connected", "guard"):
        assert state in stats and stats[state][1] > 50, (state, stats)
    assert all(a == 0 for a, _ in stats.values()), stats


def _heap_cases(tmp_path, cfg, mode):
    """tests/heap_cases.py in `mode` on config `cfg`, under the real micropython binary."""
    import json
    p_cfg = tmp_path / ("%s.json" % mode)
    p_cfg.write_text(json.dumps(cfg))
    p = subprocess.run(paths.engine_command("micropython") + [
        os.path.join(HERE, "heap_cases.py"), str(p_cfg), str(tmp_path), mode],
        capture_output=True, text=True, timeout=300, env=casetest.micropython_env())
    assert p.returncode == 0, p.stdout + p.stderr
    return p


def test_the_transfer_path_allocates_nothing_under_micropython(tmp_path):
    """The same walk with a transfer section on two lines: the agent flashes, the
    caller is on hold (hold prompt), dial tone on the other line's pair, then
    reorder, then the caller is given back: no step of it allocates either
    (the hook detector runs every block; the transfer flow's states too)."""
    import json
    with open(os.path.join(HERE, "data", "basic.json")) as f:
        cfg = json.load(f)
    cfg["lines"] = cfg["lines"] * 2
    cfg["transfer"] = {}
    p = _heap_cases(tmp_path, cfg, "flash")
    assert p.stdout.strip().endswith("done")
    stats = {}
    for line in p.stdout.splitlines()[:-1]:
        state, alloc, total = line.split()
        stats[state] = (int(alloc), int(total))
    for state in ("connected", "transfer", "guard"):
        assert state in stats and stats[state][1] > 50, (state, stats)
    assert stats["transfer"][1] > 1500, stats       # 10 s of dial tone, 10 s of reorder
    assert all(a == 0 for a, _ in stats.values()), stats


def test_a_quiet_board_allocates_nothing_and_holds_no_caller_id_decoder(tmp_path):
    """The board left alone, as it is most of a week (2 lines, 8 extensions with
    feature codes and transfers, the console attached): no step of 30 quiet
    seconds allocates, under the real micropython binary; the idle lines hold no
    caller-ID decoder, so the live heap grows by at least one at the first ring."""
    import json
    with open(os.path.join(HERE, "data", "basic.json")) as f:
        cfg = json.load(f)
    cfg["lines"] = cfg["lines"] * 2
    cfg["extensions"] = {str(101 + i): {"port": i, "name": "Agent %d" % (i + 1)} for i in range(8)}
    cfg["transfer"] = {}
    cfg["feature_codes"] = {"*81": ["override", "night"], "*80": ["override", None]}
    p = _heap_cases(tmp_path, cfg, "quiet")
    out = dict((w[0], w[1:]) for w in (ln.split() for ln in p.stdout.splitlines()))
    assert "done" in out, p.stdout
    alloc, total = int(out["quiet"][0]), int(out["quiet"][1])
    assert total == 3000 and alloc == 0, out
    growth, one = int(out["decoder"][0]), int(out["decoder"][1])
    assert one > 0 and growth >= one, out
