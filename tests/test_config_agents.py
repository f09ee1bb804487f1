"""The config language's call-distributor keys (issue 11): agents, a group's ringing
rules and queue, agent feature codes; each problem with FILE:LINE:COL, and the
board's own check (cfgcheck) refusing what the firmware cannot run."""
import copy

import pytest

from rrfw.store import cfgcheck
from cfgtest import check, problems

BASE = """\
version: 1
lines:
  - country: US
extensions:
  101: {port: 0, name: Ann}
  102: {port: 1, name: Bob, wrapup: 5s}
  103: {port: 2, name: Cy}
agents:
  wrapup: 10s
  max_no_answer: 2
groups:
  sales:
    members: {101: 0, 102: 0, 103: 1}
    member_ring: 10s
    tiers: {0s: 0, 45s: 1}
    max_queue: 3
    exit_keys: {0: operator}
    hold_prompt: please_hold
    announce_every: 20s
operator: ext 101
prompts: [welcome, please_hold]
feature_codes:
  login: "*41"
  logout: "*42"
  pause_reasons: {lunch: "*47"}
callers:
  priority:
    "5551234": {group: sales, priority: 5}
menus:
  main:
    greeting: welcome
    keys:
      1: group sales
"""


def test_the_call_distributor_compiles_to_what_the_firmware_reads(tmp_path):
    cfg, probs = check(tmp_path, BASE)
    assert problems(probs) == [] and problems(probs, "warning") == []
    g = cfg["groups"]["sales"]
    assert g["strategy"] == "longest-idle"          # the default with an agents section
    assert g["members"] == ["101", "102", "103"] and g["penalty"] == {"103": 1}
    assert g["tiers"] == [[0, 0], [45000, 1]] and g["max_queue"] == 3 and g["announce_ms"] == 20000
    assert g["exit_keys"] == {"0": {"do": "operator"}}
    assert cfg["agents"] == {"wrapup_ms": 10000, "max_no_answer": 2}
    assert cfg["extensions"]["102"]["wrapup_ms"] == 5000
    assert cfg["feature_codes"] == {"*41": ["agent", "login"], "*42": ["agent", "logout"],
                                    "*47": ["agent", "pause", "lunch"]}
    assert cfg["callers"]["priority"][0]["action"] == {"do": "group", "to": "sales", "priority": 5}
    assert "member_ring_ms" not in cfg      # each group keeps its own member ring time
    assert cfgcheck.check(cfg) is None


def test_without_agents_the_old_default_and_every_old_name_stay(tmp_path):
    text = BASE.replace("agents:\n  wrapup: 10s\n  max_no_answer: 2\n", "")
    text = text.replace('  login: "*41"\n  logout: "*42"\n  pause_reasons: {lunch: "*47"}\n', '  night: "*81"\n')
    cfg, probs = check(tmp_path, text)
    assert problems(probs) == []
    assert cfg["groups"]["sales"]["strategy"] == "ring_all"
    for name in ("ringall", "linear", "rrmemory", "rrordered", "leastrecent", "fewestcalls", "random",
                 "wrandom", "longest-idle", "ring_all", "sequential", "round_robin"):
        cfg, probs = check(tmp_path, text.replace("    member_ring: 10s", "    strategy: %s\n    member_ring: 10s" % name))
        assert problems(probs) == [], name
        assert cfg["groups"]["sales"]["strategy"] == name


@pytest.mark.parametrize("old,new,marker,needle", [
    ("    member_ring: 10s", "    member_ring: 10s\n    strategy: leastrecnt", "leastrecnt", "unknown value 'leastrecnt'"),
    ("    exit_keys: {0: operator}", "    exit_keys: {0: operator, 1: callback}", "callback}",
     "'callback' needs call-backs on"),
    ("    exit_keys: {0: operator}", "    exit_keys: {00: operator}", "00:", "is not one key"),
    ("    hold_prompt: please_hold", "    hold_prompt: plese_hold", "plese_hold", "unknown prompt 'plese_hold'"),
    ("    announce_every: 20s", "    announce_every: 5s", "5s", "out of range"),
    ("    tiers: {0s: 0, 45s: 1}", "    tiers: {45s: 1, 10s: 2}", "10s: 2", "waits must grow"),
    ('  pause_reasons: {lunch: "*47"}', '  pause_reasons: {lunch: "*411"}', '"*411"', "starts with code '*41'"),
    ("    members: {101: 0, 102: 0, 103: 1}", "    members: {101: 0, 109: 0}", "109", "unknown extension '109'"),
    ("    members: {101: 0, 102: 0, 103: 1}", "    members: {101: x}", "x}", "must be a whole number"),
    ('    "5551234": {group: sales, priority: 5}', '    "5551234": {group: sales, priority: 12}', "12}", "must be in 0..9"),
    ("  max_no_answer: 2", "  max_no_answer: 2\n  start: busy", "busy", "agents start: unknown value 'busy'"),
    ("    announce_every: 20s", "    announce_every: 20s\n    retry: 500s", "500s", "retry: 500s is out of range"),
    ("    announce_every: 20s", "    announce_every: 20s\n    music: elevator", "elevator", "unknown prompt 'elevator'"),
    ("    announce_every: 20s", "    announce_every: 20s\n    overflow: ring 102", "ring 102",
     "overflow: unknown action 'ring'"),
])
def test_each_mistake_is_reported_at_its_place(tmp_path, old, new, marker, needle):
    assert old in BASE
    text = BASE.replace(old, new)
    # where the mistake is: the line (1-based) and column of `marker` in the new text
    rows = text.splitlines()
    line = [i for i, r in enumerate(rows) if marker in r and (r in new or new.endswith(r))][0] + 1
    where = (line, rows[line - 1].index(marker) + 1)
    cfg, probs = check(tmp_path, text)
    hits = [p for p in probs if needle in p.message and p.severity == "error"]
    assert hits, [str(p) for p in probs]
    assert (hits[0].line, hits[0].col) == where, str(hits[0])
    assert cfg is None


def test_every_agent_code_and_the_start_state_compile(tmp_path):
    text = BASE.replace('  logout: "*42"', '  logout: "*42"\n  pause: "*43"\n  unpause: "*44"\n  dnd: "*45"\n  dnd_off: "*46"')
    text = text.replace("  max_no_answer: 2", "  max_no_answer: 2\n  start: logged_out")
    cfg, probs = check(tmp_path, text)
    assert problems(probs) == [] and problems(probs, "warning") == [], [str(p) for p in probs]
    assert cfg["agents"]["start"] == "logged_out" and cfgcheck.check(cfg) is None
    assert {c: a[1] for c, a in cfg["feature_codes"].items()} == {
        "*41": "login", "*42": "logout", "*43": "pause", "*44": "unpause", "*45": "dnd", "*46": "dnd_off",
        "*47": "pause"}


def test_agent_codes_without_agents_are_an_error(tmp_path):
    cfg, probs = check(tmp_path, BASE.replace("agents:\n  wrapup: 10s\n  max_no_answer: 2\n", ""))
    msgs = problems(probs)
    assert any("agent codes need an 'agents' section" in m for _, _, m in msgs), msgs


def test_warnings_for_settings_that_cannot_work(tmp_path):
    text = BASE.replace("    member_ring: 10s", "    member_ring: 10s\n    strategy: linear\n    ring_timeout: 20s")
    cfg, probs = check(tmp_path, text)
    w = [p for p in probs if p.severity == "warning"]
    rows = text.splitlines()
    at = [i for i, r in enumerate(rows) if "ring_timeout: 20s" in r][0]
    assert len(w) == 1 and (w[0].line, w[0].col) == (at + 1, rows[at].index("20s") + 1), [str(p) for p in probs]
    assert "a hunt over 3 members at 10s each takes 30s" in w[0].message
    cfg, probs = check(tmp_path, BASE.replace("    tiers: {0s: 0, 45s: 1}", "    tiers: {0s: 0}"))
    assert any("penalty above 0 are never rung" in p.message for p in probs if p.severity == "warning")


def test_the_board_refuses_what_it_cannot_run(tmp_path):
    good, _ = check(tmp_path, BASE)
    bad = [(lambda c: c["groups"]["sales"].__setitem__("strategy", "best"), "unknown strategy"),
           (lambda c: c["groups"]["sales"].__setitem__("tiers", [[0]]), "tier rule"),
           (lambda c: c["groups"]["sales"].__setitem__("penalty", {"999": 1}), "bad penalty"),
           (lambda c: c["groups"]["sales"].__setitem__("exit_keys", {"1": {"do": "callback"}}), "call-backs are off"),
           (lambda c: c["groups"]["sales"].__setitem__("max_queue", -1), "max_queue"),
           (lambda c: c["groups"]["sales"].__setitem__("join_empty", 1), "join_empty"),
           (lambda c: c["agents"].__setitem__("wrapup_ms", "10s"), "agents wrapup_ms"),
           (lambda c: c.pop("agents"), "agent codes need an agents section"),
           (lambda c: c["feature_codes"].__setitem__("*49", ["agent", "fly"]), "agent codes"),
           (lambda c: c["callers"]["priority"][0]["action"].__setitem__("priority", -2), "priority")]
    for spoil, needle in bad:
        c = copy.deepcopy(good)
        spoil(c)
        err = cfgcheck.check(c)
        assert err is not None and needle in err, (needle, err)


def test_announcements_and_kept_places_compile_and_are_checked(tmp_path):
    from rrfw.call import queuetalk
    names = queuetalk.prompt_names()
    text = BASE.replace("    announce_every: 20s", "    announce_every: 20s\n    announce: [position, wait]\n"
                                                  "    keep_place: 2min")
    # with every announcement prompt declared: clean
    full = text.replace("prompts: [welcome, please_hold]", "prompts: [welcome, please_hold, %s]" % ", ".join(names))
    cfg, probs = check(tmp_path, full)
    assert problems(probs) == [] and problems(probs, "warning") == [], [str(p) for p in probs]
    g = cfg["groups"]["sales"]
    assert g["announce"] == ["position", "wait"] and g["keep_place_ms"] == 120000
    assert cfgcheck.check(cfg) is None
    # prompts not declared: one warning at `announce`, naming them
    cfg, probs = check(tmp_path, text)
    rows = text.splitlines()
    at = [i for i, r in enumerate(rows) if "announce: [position" in r][0]
    w = [p for p in probs if p.severity == "warning"]
    assert len(w) == 1 and (w[0].line, w[0].col) == (at + 1, rows[at].index("[position") + 1), [str(p) for p in w]
    assert "queue_next" in w[0].message and "n-90" in w[0].message
    # no queue: nobody waits to hear it
    cfg, probs = check(tmp_path, full.replace("    max_queue: 3", "    max_queue: 3\n    queue: 0s"))
    assert any("no queue" in p.message for p in probs if p.severity == "warning")
    # errors at their place: an unknown announcement, a window longer than the limit
    for old, new, marker, needle in (("[position, wait]", "[position, weight]", "weight", "is not one of"),
                                     ("keep_place: 2min", "keep_place: 1h", "1h", "out of range")):
        bad = full.replace(old, new)
        rows = bad.splitlines()
        line = [i for i, r in enumerate(rows) if marker in r][0]
        cfg, probs = check(tmp_path, bad)
        hits = [p for p in probs if needle in p.message and p.severity == "error"]
        assert hits and (hits[0].line, hits[0].col) == (line + 1, rows[line].index(marker) + 1), [str(p) for p in probs]
    # the board's own check
    good, _ = check(tmp_path, full)
    for spoil, needle in ((lambda g: g.__setitem__("announce", ["pos"]), "announce"),
                          (lambda g: g.__setitem__("announce", "position"), "announce must be a list"),
                          (lambda g: g.__setitem__("keep_place_ms", -5), "keep_place_ms")):
        c = copy.deepcopy(good)
        spoil(c["groups"]["sales"])
        err = cfgcheck.check(c)
        assert err is not None and needle in err, (needle, err)


def test_the_pickup_code_compiles_and_one_line_is_warned(tmp_path):
    text = BASE.replace('  login: "*41"\n', '  login: "*41"\n  pickup: "*8"\n')
    cfg, probs = check(tmp_path, text.replace("lines:\n  - country: US\n", "lines:\n  - country: US\n  - country: US\n"))
    assert problems(probs) == [] and problems(probs, "warning") == [], [str(p) for p in probs]
    assert cfg["feature_codes"]["*8"] == ["pickup"] and cfgcheck.check(cfg) is None
    cfg, probs = check(tmp_path, text)   # one line: no idle line to hear the code while a call rings
    w = [p for p in probs if p.severity == "warning"]
    rows = text.splitlines()
    at = [i for i, r in enumerate(rows) if r.startswith("  pickup:")][0]
    assert len(w) == 1 and (w[0].line, w[0].col) == (at + 1, 3) and "idle line" in w[0].message, [str(p) for p in w]
