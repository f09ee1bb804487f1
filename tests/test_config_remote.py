"""The config language's remote agents and one-group login codes (issue 11):
what compiles, and each setting that cannot work reported at its FILE:LINE:COL
(errors) or as a warning; the board's own check (cfgcheck) refuses the rest."""
import copy

import pytest

from rrfw.store import cfgcheck
from cfgtest import check, reported_at, where

BASE = """\
version: 1
lines:
  - country: US
  - country: US
extensions:
  101: {port: 0, name: Desk}
  150: {number: "(617) 555-0150", name: Ann at home, ring: 25s}
agents:
  max_no_answer: 2
groups:
  sales:
    members: [101, 150]
    strategy: linear
    whisper: [sales_whisper]
  support: {members: [101]}
prompts: [welcome, sales_whisper, remote_whisper]
operator: ext 101
feature_codes:
  login: "*41"
  logout: "*42"
  login_group: {sales: "*451", support: "*452"}
  logout_group: {sales: "*461"}
callers:
  priority:
    "5551234": {group: sales, remote_agents: false}
menus:
  main:
    greeting: welcome
    keys:
      1: group sales
      2: group support
"""


def test_a_remote_agent_and_group_codes_compile_to_what_the_firmware_reads(tmp_path):
    cfg, probs = check(tmp_path, BASE)
    assert [str(p) for p in probs] == []
    assert cfg["extensions"]["150"] == {"number": "6175550150", "name": "Ann at home", "ring_ms": 25000}
    assert cfg["groups"]["sales"]["whisper"] == ["sales_whisper"]
    fc = cfg["feature_codes"]
    assert fc["*451"] == ["agent", "login_group", "sales"] and fc["*461"] == ["agent", "logout_group", "sales"]
    assert cfg["callers"]["priority"][0]["action"] == {"do": "group", "to": "sales", "remote": False}
    assert cfgcheck.check(cfg) is None


@pytest.mark.parametrize("old,new,marker,needle", [
    ('150: {number: "(617) 555-0150", name: Ann at home, ring: 25s}',
     '150: {number: "1 900 555 0100", name: Ann at home}', '"1 900', "refuses it: premium"),
    ('150: {number: "(617) 555-0150", name: Ann at home, ring: 25s}',
     '150: {number: "011 44 20 7946 0000"}', '"011', "refuses it: international"),
    ('150: {number: "(617) 555-0150", name: Ann at home, ring: 25s}',
     '150: {number: "617-555-0150", port: 3}', "port: 3", "not both"),
    ('150: {number: "(617) 555-0150", name: Ann at home, ring: 25s}',
     '150: {number: "call Ann"}', '"call Ann"', "is not a phone number"),
    ('150: {number: "(617) 555-0150", name: Ann at home, ring: 25s}',
     '150: {port: 1, ring: 25s}', "ring: 25s", "needs a number"),
    ('150: {number: "(617) 555-0150", name: Ann at home, ring: 25s}',
     '150: {number: "6175550150", accept_key: "12"}', '"12"', "accept_key: one key"),
    ('150: {number: "(617) 555-0150", name: Ann at home, ring: 25s}',
     '150: {number: "6175550150", ring: 2s}', "2s", "out of range"),
    ("    whisper: [sales_whisper]", "    whisper: [sales_wisper]", "sales_wisper", "unknown prompt"),
    ('  login_group: {sales: "*451", support: "*452"}', '  login_group: {sale: "*451"}', "sale:",
     "unknown group 'sale'"),
])
def test_each_mistake_is_reported_at_its_place(tmp_path, old, new, marker, needle):
    assert old in BASE
    cfg, _ = reported_at(tmp_path, BASE.replace(old, new), marker, needle)
    assert cfg is None


def test_an_allowed_international_number_passes_with_the_offices_warning(tmp_path):
    text = BASE.replace('"(617) 555-0150"', '"011 44 20 7946 0000"') + \
        'outbound:\n  allow: ["01144*"]\n'
    cfg, probs = check(tmp_path, text)
    assert not [p for p in probs if p.severity == "error"], [str(p) for p in probs]
    assert cfg["extensions"]["150"]["number"] == "011442079460000"


def _warnings(probs):
    return [p for p in probs if p.severity == "warning"]


def test_a_one_line_board_can_never_reach_a_remote_agent(tmp_path):
    text = BASE.replace("  - country: US\n  - country: US\n", "  - country: US\n")
    cfg, probs = check(tmp_path, text)
    w = [p for p in _warnings(probs) if "can never be reached" in p.message]
    assert w and (w[0].line, w[0].col) == where(text, '"(617)'), [str(p) for p in probs]
    assert cfg is not None       # a warning: the office may add the second line later


def test_warnings_for_remote_settings_that_cannot_work(tmp_path):
    # a ring-all round shorter than a remote agent's answer; a whisper nobody hears;
    # the default whisper undeclared; a remote agent in no group
    text = BASE.replace("    strategy: linear\n", "    strategy: ringall\n    ring_timeout: 20s\n")
    text = text.replace("  support: {members: [101]}", "  support: {members: [101], whisper: [sales_whisper]}")
    text = text.replace("prompts: [welcome, sales_whisper, remote_whisper]", "prompts: [welcome, sales_whisper]")
    text = text.replace("  support: {members: [101], whisper: [sales_whisper]}",
                        "  support: {members: [101], whisper: [sales_whisper]}\n  extra:\n    members: [151]")
    text = text.replace("  150: {", '  151: {number: "6175550151"}\n  150: {')
    cfg, probs = check(tmp_path, text)
    msgs = [(p.line, p.col, p.message) for p in _warnings(probs)]
    assert any("ring_timeout 20s cuts a remote agent off" in m and (ln, c) == where(text, "sales:")
               for ln, c, m in msgs), msgs
    assert any("group 'support' whisper: no member is a remote agent" in m for _, _, m in msgs), msgs
    assert any("group 'extra': remote agents hear the whisper prompt 'remote_whisper'" in m
               for _, _, m in msgs), msgs
    text2 = BASE.replace("    members: [101, 150]", "    members: [101]")
    _, probs = check(tmp_path, text2)
    w = [p for p in _warnings(probs) if "in no group" in p.message]
    assert w and (w[0].line, w[0].col) == where(text2, '"(617)'), [str(p) for p in probs]


def test_a_campaign_group_with_a_remote_agent_is_warned(tmp_path):
    text = BASE + "outbound:\n  campaign: {group: sales}\n"
    _, probs = check(tmp_path, text)
    assert any("remote agents take inbound calls only" in p.message for p in _warnings(probs)), \
        [str(p) for p in probs]


def test_the_board_refuses_what_it_cannot_run(tmp_path):
    good, _ = check(tmp_path, BASE)
    bad = [(lambda c: c["extensions"]["150"].__setitem__("number", "617x"), "must be digits"),
           (lambda c: c["extensions"]["150"].__setitem__("accept_key", "11"), "accept_key"),
           (lambda c: c["extensions"]["150"].__setitem__("ring_ms", "25s"), "ring_ms"),
           (lambda c: c["extensions"]["150"].pop("number"), "bad port"),
           (lambda c: c["groups"]["sales"].__setitem__("whisper", "sales_whisper"), "whisper"),
           (lambda c: c["feature_codes"].__setitem__("*459", ["agent", "login_group"]), "needs a group"),
           (lambda c: c["feature_codes"].__setitem__("*459", ["agent", "login_group", "gone"]), "needs a group"),
           (lambda c: c["callers"]["priority"][0]["action"].__setitem__("remote", "no"), "remote")]
    for spoil, needle in bad:
        c = copy.deepcopy(good)
        spoil(c)
        err = cfgcheck.check(c)
        assert err is not None and needle in err, (needle, err)


def test_a_remote_agents_logout_key(tmp_path):
    # one key, not the accept key; without an agents section it is warned about
    from rrfw.store import cfgcheck
    from cfgtest import check, problems, reported_at, where
    base = """\
version: 1
lines:
  - country: US
  - country: US
extensions:
  101: {port: 0}
  150: {number: "617 555 0150", accept_key: "1", logout_key: "9"}
groups:
  sales: {members: [150, 101]}
agents: {}
prompts: [welcome, remote_whisper]
operator: ext 101
menus:
  main:
    greeting: welcome
    keys:
      1: group sales
"""
    cfg, probs = check(tmp_path, base)
    assert problems(probs) == [] and problems(probs, "warning") == [], [str(p) for p in probs]
    assert cfg["extensions"]["150"]["logout_key"] == "9" and cfgcheck.check(cfg) is None
    for new, needle in (('logout_key: "1"', "the accept key too"), ('logout_key: "99"', "one key")):
        text = base.replace('logout_key: "9"', new)
        cfg2, probs = check(tmp_path, text)
        errs = problems(probs)
        assert cfg2 is None and len(errs) == 1 and needle in errs[0][2], errs
        line, col = where(text, "logout_key")
        assert errs[0][:2] == (line, col + len("logout_key: ")), errs   # at the value
    cfg2, probs = check(tmp_path, base.replace("agents: {}\n", ""))
    warns = problems(probs, "warning")
    assert any("nobody is ever logged out" in w[2] for w in warns), warns
    for bad in ("1", "99", 9):
        c = dict(cfg, extensions=dict(cfg["extensions"], **{"150": dict(cfg["extensions"]["150"], logout_key=bad)}))
        assert "logout_key" in (cfgcheck.check(c) or ""), bad
