"""One record per call, complete, on the emulated board (micropython): the
queue joined and left with the reason, every agent rung and for how long,
who answered, talk and wrap-up, and each outcome apart; then the same
records as an Asterisk queue_log (RINGNOANSWER, CONNECT's ring time,
EXITWITHKEY, EXITWITHTIMEOUT, ABANDON, JOINEMPTY). Expected values come
from the run's own events, not written in."""
import copy

from emuboard import cli
from emuhelp import emulate, of
from rrfw.store import records

EXTS = {"101": {"port": 0}, "102": {"port": 1}, "103": {"port": 2}}
CFG = {"version": 1,
       "lines": [{"country": "US", "answer_on_ring": 1, "answer_on_callerid": False}] * 2,
       "extensions": EXTS, "ext_ring_timeout_ms": 20000, "start": "main",
       "agents": {"wrapup_ms": 8000, "max_no_answer": 0},
       "service_level": {"short_abandon_ms": 5000},
       "groups": {"sales": {"members": ["101", "102"], "strategy": "linear", "member_ring_ms": 6000,
                            "queue_ms": 20000, "exit_keys": {"0": {"do": "ext", "to": "103"}}}},
       "menus": {"main": {"greeting": ["welcome"], "keys": {"1": {"do": "group", "to": "sales"}}}}}


def caller(at, line, n, keys=((1.0, "1"),), talk=10.0, patience=150.0):
    return {"at": at, "line": line, "caller_id": "55500000%02d" % n,
            "keys": [{"at": k[0], "digits": k[1]} for k in keys],
            "hangup": {"after_connect": talk, "patience": patience}}


def run(cfg, sc, tmp_path, engine="micropython"):
    code, ev, err = emulate(cfg, sc, engine, tmp_path)
    assert code == 0, err
    assert not of(ev, "fault"), of(ev, "fault")
    return ev, {e["record"]["call"]: e["record"] for e in of(ev, "record")}


def _queue_log(tmp_path, recs):
    seg = tmp_path / "rec000001.bin"
    seg.write_bytes(b"".join(bytes(records.frame(r)) for r in recs))
    rc, out, err = cli("records", "--file", seg, "--queue-log", "--full")
    assert rc == 0, err
    by = {}
    for ln in out.splitlines():
        f = ln.split("|")
        by.setdefault(int(f[1].split(".")[1]), []).append((int(f[0]), f[3], f[4], f[5:]))
    return by


def test_rings_the_answer_and_the_wrap_up_are_in_the_record(tmp_path):
    # 101 lets it ring out (6 s), 102 answers after 1 s; 10 s talk, 8 s wrap-up
    sc = {"calls": [caller(1.0, 1, 1)], "duration": 40,
          "extensions": {"101": {"answer": False}, "102": {"answer_after": 1.0}}}
    ev, recs = run(CFG, sc, tmp_path)
    (rec,) = recs.values()
    rna = of(ev, "ring_noanswer")[0]
    rings = of(ev, "ext_ring")
    con = of(ev, "connect")[0]
    route = of(ev, "route")[0]
    assert rec["outcome"] == "connected" and rec["ext"] == "102"
    assert rec["agents"] == [["101", rna["ring_ms"], "no_answer", rna["t_ms"] - route["t_ms"]]]
    assert rec["rang_ms"] == rings[1]["t_ms"] and rings[1]["ext"] == "102"
    assert rec["connect_ms"] - rec["rang_ms"] == con["t_ms"] - rings[1]["t_ms"]
    assert rec["wrap_ms"] == 8000 and [e for e in of(ev, "agent") if e.get("state") == "wrapup"]
    assert "queue" not in rec      # a free agent was rung at once: it never waited
    # the queue_log: a RINGNOANSWER for 101 with its ring time in ms, CONNECT with 102's own ring time
    (evs,) = _queue_log(tmp_path, [rec]).values()
    assert [e[2] for e in evs] == ["ENTERQUEUE", "RINGNOANSWER", "CONNECT", "COMPLETECALLER"]
    assert evs[1][1] == "Ext/101" and evs[1][3][0] == str(rna["ring_ms"])
    hold = round((rec["connect_ms"] - rec["route_ms"]) / 1000.0)
    ring = round((rec["connect_ms"] - rec["rang_ms"]) / 1000.0)
    assert evs[2][3] == [str(hold), evs[2][3][1], str(ring)] and ring < hold


def test_each_way_out_of_the_queue_is_an_outcome_of_its_own(tmp_path):
    # 101 takes call 1 and keeps it (70 s): later callers wait. Call 2 gives up
    # after 3 s (a short abandon), call 3 presses the exit key (0: extension 103), call 4
    # waits out the 20 s queue time
    cfg = copy.deepcopy(CFG)
    cfg["groups"]["sales"]["members"] = ["101"]
    cfg["groups"]["sales"]["strategy"] = "ringall"
    sc = {"calls": [caller(1.0, 1, 1, talk=70.0), caller(6.0, 2, 2, patience=3.0),
                    caller(14.0, 2, 3, keys=((1.0, "1"), (6.0, "0")), talk=3.0),
                    caller(30.0, 2, 4, patience=100.0)],
          "duration": 110,
          "extensions": {"101": {"answer_after": 0.5}, "103": {"answer_after": 1.0}}}
    ev, recs = run(cfg, sc, tmp_path)
    by_out = {r["outcome"]: r for r in recs.values() if r["call"] != 1}
    assert sorted(r["outcome"] for r in recs.values()) == ["abandoned", "connected", "connected", "timeout"]
    leave = {e["call"]: e for e in of(ev, "queue_leave")}
    joined = {e["call"]: e for e in of(ev, "queue")}
    for r in recs.values():
        if r["call"] in joined:
            assert r["queue_ms"] == joined[r["call"]]["t_ms"] and r["position"] == joined[r["call"]]["position"]
            assert r["queue"] == leave[r["call"]]["reason"]
            assert r["left_ms"] == leave[r["call"]]["t_ms"]
    ab = by_out["abandoned"]
    assert ab["queue"] == "abandoned" and ab["short"] is True and ab["end_ms"] - ab["route_ms"] < 5000
    to = by_out["timeout"]
    assert to["queue"] == "timeout" and to["left_ms"] - to["route_ms"] == 20000
    ex = [r for r in recs.values() if r.get("queue") == "exit_key"]
    assert len(ex) == 1 and ex[0]["outcome"] == "connected" and ex[0]["ext"] == "103" and ex[0]["left_key"] == "0"
    assert ex[0]["queued"] == "sales" and ex[0]["target"] == "103"   # the queue it left, where it went
    # the queue_log has each exit by its own name
    ql = _queue_log(tmp_path, list(recs.values()))
    kinds = {c: [e[2] for e in evs] for c, evs in ql.items()}
    assert kinds[ab["call"]] == ["ENTERQUEUE", "ABANDON"]
    assert kinds[to["call"]] == ["ENTERQUEUE", "EXITWITHTIMEOUT"]
    assert ql[to["call"]][-1][3][2] == "20"                       # waited 20 s
    # the exit key: its own line in sales (key, position, origposition, waittime); the
    # operator's call after it is no queue's
    exl = ql[ex[0]["call"]]
    assert [e[2] for e in exl] == ["ENTERQUEUE", "EXITWITHKEY"] and exl[1][3][0] == "0"
    assert exl[1][3][3] == str(round((ex[0]["left_ms"] - ex[0]["route_ms"]) / 1000.0))


def test_no_agents_and_a_menu_abandon(tmp_path):
    cfg = copy.deepcopy(CFG)
    cfg["agents"]["start"] = "logged_out"
    sc = {"calls": [caller(1.0, 1, 1), caller(2.0, 2, 2, keys=(), patience=3.0)], "duration": 30,
          "extensions": {}}
    sc["calls"][1]["hangup"] = {"after": 4.0, "method": "cpc"}
    ev, recs = run(cfg, sc, tmp_path)
    outs = sorted(r["outcome"] for r in recs.values())
    assert outs == ["menu_abandoned", "no_agents"], outs
    na = [r for r in recs.values() if r["outcome"] == "no_agents"][0]
    assert na["queue"] == "no_agents" and "queue_ms" not in na     # refused at once
    ql = _queue_log(tmp_path, [na])
    assert [e[2] for e in ql[na["call"]]] == ["JOINEMPTY"]
