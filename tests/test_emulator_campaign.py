"""Outbound campaigns end to end on the emulated board under micropython (issue 13).

The list is pushed as an office pushes it (`ringroute dnc import`, `ringroute
campaign push`, here into the emulated board's flash folder), the board runs
it against the emulated world, and every verdict on what was dialled comes
from the emulated exchange: the digits it decoded from the board's own DTMF
("dialled", and "outbound_end" for a number cut short), never from what the
firmware says it did. The world knows each called person's time zone from
its own zone database (zoneinfo), not from the board's area-code table."""
import calendar
import datetime
import json
import os

import pytest

from emuboard import cli
from emuhelp import emulate, load_json, of

pytestmark = pytest.mark.micropython

START = "2026-01-05 15:50"          # a Monday: 10:50 New York, 09:50 Chicago, 07:50 Los Angeles
T0 = calendar.timegm((2026, 1, 5, 15, 50, 0))
LA_OPENS_MS = 600000               # 16:00 UTC = 08:00 PST, 600 s into the run
RETRY_MS = 180000
REGISTER = ("2125550204", "3125550205")       # on the national register copy
OFFICE = "6465550206"                          # on the office's own list
OPT_OUT = "2125550207"
BUSY = "3125550202"
NO_ANSWER = "7135550209"
LA = "4155550203"
LA_BY_LIST = "2125550210"                      # a New York area code, but the list says Los Angeles
ALASKA = "9075550208"                          # 06:50 AKST: opens at 17:00 UTC, after the run
LIST = [("2125550201", "New York", ""), (BUSY, "Chicago busy", ""), (LA, "Los Angeles", ""),
        (REGISTER[0], "on the register", ""), (REGISTER[1], "on the register", ""),
        (OFFICE, "asked us never to call", ""), (OPT_OUT, "presses 9", ""),
        (ALASKA, "Anchorage", ""), (NO_ANSWER, "Houston", ""),
        (LA_BY_LIST, "moved to LA", "America/Los_Angeles")]
CALLEES = {"2125550201": {"answer_after": 5, "talk": 20, "tz": "America/New_York", "disposition": "1"},
           BUSY: {"busy": True, "tz": "America/Chicago"},
           LA: {"answer_after": 6, "talk": 15, "tz": "America/Los_Angeles", "disposition": "2"},
           OPT_OUT: {"answer_after": 4, "talk": 30, "opt_out_after": 5, "tz": "America/New_York"},
           ALASKA: {"tz": "America/Anchorage"},
           NO_ANSWER: {"answer": False, "tz": "America/Chicago"},
           LA_BY_LIST: {"answer_after": 5, "talk": 10, "tz": "America/Los_Angeles", "disposition": "3"}}


def campaign_cfg(**ob):
    cfg = load_json("basic.json")
    cfg["lines"].append(dict(cfg["lines"][0]))
    cfg["groups"]["sales"] = {"members": ["101", "102"]}
    o = {"campaign": {"group": "sales", "max_attempts": 3},
         "retry": {"busy": RETRY_MS, "no_answer": RETRY_MS}}
    o.update(ob)
    cfg["outbound"] = o
    return cfg


def dialled(ev):
    """[(t_ms, number)] of every number the exchange heard, complete or cut short."""
    out = [(d["t_ms"], d["number"]) for d in of(ev, "dialled")]
    for e in of(ev, "outbound_end"):
        if e.get("number") is None and e.get("digits"):
            out.append((e["t_ms"], e["digits"]))
    return sorted(out)


def write_csv(path, rows):
    with open(path, "w") as f:
        f.write("number,name,tz,notes\n")
        for n, name, tz in rows:
            f.write("%s,%s,%s,\n" % (n, name, tz))


def push(tmp_path, monkeypatch, rows, flash, name="winter", reg_date="2026-01-02", today="2026-01-05",
         extra=()):
    monkeypatch.setenv("RINGROUTE_HOME", str(tmp_path / "home"))
    reg = tmp_path / "us-dnc.txt"
    reg.write_text("\n".join(REGISTER) + "\n+1 (999) 555-0000\n")
    rc, out, err = cli("dnc", "import", str(reg), "--register", "US-DNC", "--date", reg_date)
    assert rc == 0, err
    lst = tmp_path / (name + ".csv")
    write_csv(str(lst), rows)
    return cli("campaign", "push", str(lst), "--name", name, "--flash", str(flash), "--today", today, *extra)


@pytest.fixture(scope="module")
def morning(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("campaign")
    mp = pytest.MonkeyPatch()
    try:
        flash = tmp / "flash"
        rc, out, err = push(tmp, mp, LIST, flash)
        assert rc == 0, err
        (flash / "dnc.txt").write_text(OFFICE + "\n")   # the office's own list, kept on the board
        # an inbound caller while the campaign runs: the second line is kept for them
        sc = {"start": START, "duration": 1260, "callees": CALLEES,
              "calls": [{"at": 300.0, "line": "any", "lines": [1, 2], "caller_id": "5550000001",
                         "keys": [{"at": 1.0, "digits": "9"}],
                         "hangup": {"after": 30.0}}],
              "extensions": {"101": {"answer_after": 1.0}, "102": {"answer_after": 1.0}}}
        code, ev, err = emulate(campaign_cfg(), sc, "micropython", tmp, extra=["--flash", str(flash)])
        assert code == 0, err
        return ev, flash, out
    finally:
        mp.undo()


def test_no_listed_number_is_ever_dialled(morning):
    ev, flash, out = morning
    assert "scrubbed: US-DNC 2" in out
    heard = [n for _, n in dialled(ev)]
    assert heard, "nothing was dialled"
    for n in REGISTER + (OFFICE,):
        assert n not in heard, n
    skip = of(ev, "outbound_skip", number=OFFICE)
    assert len(skip) == 1 and skip[0]["list"] == "office"    # counted once, closed, never again
    assert not of(ev, "fault") and not of(ev, "error")


def test_nobody_is_called_outside_their_local_hours(morning):
    ev, flash, out = morning
    for d in of(ev, "dialled"):
        assert d.get("local") and "08:00" <= d["local"] < "21:00", d
    assert all(t >= LA_OPENS_MS for t, n in dialled(ev) if n in (LA, LA_BY_LIST))
    assert [n for _, n in dialled(ev)].count(LA) == 1 and LA_BY_LIST in [n for _, n in dialled(ev)]
    assert ALASKA not in [n for _, n in dialled(ev)]
    held = set(h["number"] for h in of(ev, "outbound_held"))
    assert {LA, LA_BY_LIST, ALASKA} <= held


def test_retries_are_spaced_and_counted(morning):
    ev, flash, out = morning
    for number in (BUSY, NO_ANSWER):
        ts = [t for t, n in dialled(ev) if n == number]
        assert 2 <= len(ts) <= 3, (number, ts)
        for a, b in zip(ts, ts[1:]):
            assert b - a >= RETRY_MS, (number, ts)
    recs = [r["record"] for r in of(ev, "record") if r["record"].get("kind") == "campaign"]
    busy = [r for r in recs if r["callee"] == BUSY]
    assert [r["result"] for r in busy] == ["busy"] * len(busy) and [r["try"] for r in busy] == list(
        range(1, len(busy) + 1))
    # every number the exchange heard has a record of its attempt, of its own kind
    assert sorted(n for _, n in dialled(ev)) == sorted(r["callee"] for r in recs if r.get("dial_ms") is not None)
    assert all(r["direction"] == "out" for r in recs)


def test_opt_out_key_puts_the_number_on_the_office_list(morning):
    ev, flash, out = morning
    assert [n for _, n in dialled(ev)].count(OPT_OUT) == 1
    oo = of(ev, "opt_out", number=OPT_OUT)
    assert oo and oo[0]["ok"] and oo[0]["why"] == "callee_key"
    key = of(ev, "callee_key", number=OPT_OUT)[0]
    assert oo[0]["t_ms"] - key["t_ms"] < 1000              # on flash within a second of the key
    assert OPT_OUT in (flash / "dnc.txt").read_text().split()
    rec = [r["record"] for r in of(ev, "record") if r["record"].get("callee") == OPT_OUT][0]
    assert rec["disposition"] == "do_not_call" and rec["opt_out"] is True


def test_dispositions_and_the_line_kept_for_inbound(morning):
    ev, flash, out = morning
    recs = {r["record"]["callee"]: r["record"] for r in of(ev, "record") if r["record"].get("kind") == "campaign"
            and r["record"].get("result") == "answer"}
    assert recs["2125550201"]["disposition"] == "sale" and recs["2125550201"]["talk_ms"] > 15000
    assert recs[LA]["disposition"] == "callback_later"     # called again later: not within this morning
    assert recs[LA_BY_LIST]["disposition"] == "not_interested"
    # one outbound line at a time (lines_for_inbound 1): the office's other line stays free for callers
    up = {}
    most = 0
    for e in ev:
        if e.get("src") != "world":
            continue
        if e["event"] == "seized":
            up[e["line"]] = True
        elif e["event"] == "hook" and e["state"] == "on":
            up.pop(e["line"], None)
        most = max(most, len(up))
    assert most == 1, most
    caller = of(ev, "call", caller_id="5550000001")
    assert caller and of(ev, "answer", line=caller[0]["line"]), "the caller was not answered"
    assert not of(ev, "blocked")


def test_the_report_gives_the_morning_figures(morning, tmp_path):
    ev, flash, out = morning
    p = tmp_path / "events.jsonl"
    p.write_text("".join(json.dumps(e) + "\n" for e in ev))
    png = tmp_path / "c.png"
    rc, text, err = cli("campaign", "report", "--file", str(p), "--name", "winter", "--chart", str(png))
    assert rc == 0, err
    rc, js, err = cli("campaign", "report", "--file", str(p), "--name", "winter", "--json")
    rep = json.loads(js)
    f = rep["figures"]
    assert f["attempts"] == len(dialled(ev)) and f["connects"] == 4
    assert f["abandoned"] == 0 and f["dispositions"]["sale"] == 1
    assert rep["skipped_by_list"]["office"] == 1
    assert rep["held_by_hours"] >= 3
    assert "contact rate" in text and png.stat().st_size > 1000
    assert "2125550201" not in text and "****0201" in js     # masked by default


# --- across a reboot, and a power cut mid-campaign ---------------------------------------------
def test_opt_out_stops_later_calls_across_a_reboot(tmp_path, monkeypatch):
    flash = tmp_path / "flash"
    rows = [(OPT_OUT, "presses 9", "")]
    rc, out, err = push(tmp_path, monkeypatch, rows, flash, name="first")
    assert rc == 0, err
    sc = {"start": START, "duration": 90, "callees": CALLEES, "calls": [],
          "extensions": {"101": {"answer_after": 1.0}, "102": {"answer_after": 1.0}}}
    code, ev, err = emulate(campaign_cfg(), sc, "micropython", tmp_path, extra=["--flash", str(flash)])
    assert code == 0, err
    assert [n for _, n in dialled(ev)] == [OPT_OUT] and of(ev, "opt_out", number=OPT_OUT)
    # the next day: a new list with the same number, pushed again; the board restarts
    rc, out, err = push(tmp_path, monkeypatch, rows + [("2125550299", "another", "")], flash, name="second",
                        today="2026-01-06")
    assert rc == 0, err
    sc["start"] = "2026-01-06 15:50"
    code, ev2, err = emulate(campaign_cfg(), sc, "micropython", tmp_path, extra=["--flash", str(flash)])
    assert code == 0, err
    assert [n for _, n in dialled(ev2)] == ["2125550299"]
    assert of(ev2, "outbound_skip", number=OPT_OUT)[0]["list"] == "office"


def test_a_power_cut_mid_campaign_loses_no_record_and_dials_nothing_twice(tmp_path, monkeypatch):
    flash = tmp_path / "flash"
    rows = [("2125550301", "first", ""), ("2125550302", "rings long", ""), ("2125550303", "third", "")]
    callees = {"2125550301": {"answer_after": 3, "talk": 8, "disposition": "1"},
               "2125550302": {"answer_after": 40, "talk": 8}, "2125550303": {"answer_after": 3, "talk": 8}}
    rc, out, err = push(tmp_path, monkeypatch, rows, flash, name="cut")
    assert rc == 0, err
    cfg = campaign_cfg()
    cfg["groups"]["sales"] = {"members": ["101"]}    # one agent: one call at a time
    # the power goes while the second number rings
    sc = {"start": START, "duration": 60, "callees": callees, "calls": [],
          "extensions": {"101": {"answer_after": 1.0}}}
    code, ev, err = emulate(cfg, sc, "micropython", tmp_path, extra=["--flash", str(flash)])
    assert code == 0, err
    first = [n for _, n in dialled(ev)]
    assert first == ["2125550301", "2125550302"], first
    assert not [r for r in of(ev, "record") if r["record"].get("callee") == "2125550302"]   # cut before it
    sc["start"] = "2026-01-05 15:52"
    sc["duration"] = 120
    code, ev2, err = emulate(cfg, sc, "micropython", tmp_path, extra=["--flash", str(flash)])
    assert code == 0, err
    from ringroute import recfiles
    recs, bad = recfiles.read_files([str(flash)])   # the board's record segments, decoded
    assert bad == 0
    cut = [r for r in recs if r.get("callee") == "2125550302"]
    assert len(cut) == 1 and cut[0]["result"] == "interrupted" and cut[0]["release"] == "power_cut"
    again = [n for _, n in dialled(ev2)]
    assert again == ["2125550303"], again   # neither the completed number nor the cut one again


def test_a_stale_register_copy_stops_the_campaign(tmp_path, monkeypatch):
    flash = tmp_path / "flash"
    rc, out, err = push(tmp_path, monkeypatch, LIST[:2], flash, reg_date="2025-11-26")
    assert rc != 0
    assert "the US-DNC copy of 2025-11-26 is 40 days old; US allows 31 (16 CFR 310.4(b)(3)(iv))" in err, err
    assert not (flash / "campaign.lst").exists()
    # pushed while fresh; the board runs it 40 days after the copy was taken
    rc, out, err = push(tmp_path, monkeypatch, LIST[:2], flash, reg_date="2025-11-26", today="2025-12-01")
    assert rc == 0, err
    sc = {"start": START, "duration": 30, "callees": CALLEES, "calls": [],
          "extensions": {"101": {"answer_after": 1.0}}}
    code, ev, err = emulate(campaign_cfg(), sc, "micropython", tmp_path, extra=["--flash", str(flash)])
    assert code == 0, err
    stop = of(ev, "campaign_stopped")
    assert stop and stop[0]["why"] == "register_stale"
    assert "US-DNC copy of 2025-11-26 is 40 days old; US allows 31" in stop[0]["message"]
    assert not dialled(ev) and not of(ev, "seize")


# --- call-backs on the same engine --------------------------------------------------------------
def test_callback_obeys_the_office_zone_and_the_office_list(tmp_path):
    # issue 13: a time zone and no schedule; the number's area code (555) says
    # nothing, so the office's zone (New York) decides: 07:58 EST is too early
    flash = tmp_path / "flash"
    flash.mkdir()
    (flash / "dnc.txt").write_text("5550000003\n")
    cfg = load_json("basic.json")
    cfg["lines"].append(dict(cfg["lines"][0]))
    cfg["tz"] = {"std": -300, "dst": -240, "start": [3, 2, 0, 120], "end": [11, 1, 0, 120]}
    cfg["outbound"] = {"callback": True, "callback_key": "1"}
    sc = {"start": "2026-01-05 12:58", "duration": 240,
          "calls": [{"at": 1.0, "line": 1, "caller_id": "5550000001", "keys": [{"at": 1.0, "digits": "1"}],
                     "hangup": {"after_connect": 60.0}},
                    {"at": 3.0, "line": 2, "caller_id": "5550000002",
                     "keys": [{"at": 1.0, "digits": "1"}, {"at": 9.0, "digits": "1"}], "hangup": {"after": 60.0}},
                    {"at": 30.0, "line": 2, "caller_id": "5550000003",
                     "keys": [{"at": 1.0, "digits": "1"}, {"at": 9.0, "digits": "1"}], "hangup": {"after": 60.0}}],
          "extensions": {"101": {"answer_after": 1.0}}}
    code, ev, err = emulate(cfg, sc, "micropython", tmp_path, extra=["--flash", str(flash)])
    assert code == 0, err
    assert [r["ok"] for r in of(ev, "callback_request")] == [True, True]
    heard = dialled(ev)
    assert [n for _, n in heard] == ["5550000002"], heard
    assert heard[0][0] >= 120000                       # 13:00 UTC = 08:00 EST, not before
    assert of(ev, "outbound_held", number="5550000002")
    assert of(ev, "outbound_skip", number="5550000003")[0]["list"] == "office"
    done = dict((d["number"], d["outcome"]) for d in of(ev, "callback_done"))
    assert done == {"5550000003": "do_not_call", "5550000002": "reached"}


def test_preview_mode_reads_the_number_and_the_agent_dials_or_skips(tmp_path, monkeypatch):
    flash = tmp_path / "flash"
    rows = [("2125550401", "dial me", ""), ("2125550402", "skip me", "")]
    rc, out, err = push(tmp_path, monkeypatch, rows, flash, name="preview")
    assert rc == 0, err
    cfg = campaign_cfg(lines_for_inbound=0)
    cfg["outbound"]["campaign"]["mode"] = "preview"
    sc = {"start": START, "duration": 70, "calls": [],
          "callees": {"2125550401": {"answer_after": 3, "talk": 5, "disposition": "1"}},
          "extensions": {"101": {"answer_after": 1.0, "preview": "1"}, "102": {"answer_after": 1.0, "preview": "2"}}}
    code, ev, err = emulate(cfg, sc, "micropython", tmp_path, extra=["--flash", str(flash)])
    assert code == 0, err
    pv = dict((p["ext"], p["number"]) for p in of(ev, "preview"))
    assert pv == {"101": "2125550401", "102": "2125550402"}, pv
    assert any(p["name"].startswith("digit-2,digit-1,digit-2") for p in of(ev, "prompt"))   # read out
    assert [n for _, n in dialled(ev)] == ["2125550401"]
    keys = dict((k["ext"], k["what"]) for k in of(ev, "preview_key"))
    assert keys == {"101": "dial", "102": "skip"}
    rec = [r["record"] for r in of(ev, "record") if r["record"].get("callee") == "2125550402"][0]
    assert rec["result"] == "skipped" and rec.get("dial_ms") is None
    # the seize only after the agent's key
    seize = [e for e in of(ev, "seize") if e["ext"] == "101"][0]
    key = [k for k in of(ev, "preview_key") if k["ext"] == "101"][0]
    assert seize["t_ms"] >= key["t_ms"]
