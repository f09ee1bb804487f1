"""`ringroute report` per agent and per group, and the queue_log of calls that
visit several queues, ring-all losers and outbound calls: an hour of records
made by hand (as the board writes them, through its own frame codec), every
figure computed by hand in the comments."""
import json

from emuboard import cli
from ringroute import queuelog, slreport
from rrfw.store import records

U0 = 1795424400      # 2026-11-23 09:00 UTC: the hour starts (boot: the agents' states)
T0 = 25 * 86400000   # the board clock then


def _in(call, at_s, route_s, end_s, connect_s=None, **kw):
    """An inbound call ringing at U0 + at_s, answered by the board 6 s later."""
    ring = T0 + at_s * 1000
    r = {"call": call, "line": 1, "utc": U0 + at_s + 6, "ring_ms": ring, "answer_ms": ring + 6000,
         "caller": "617555%04d" % call, "path": ["main"], "target": "front", "route_ms": ring + route_s * 1000,
         "connect_ms": None if connect_s is None else ring + connect_s * 1000, "end_ms": ring + end_s * 1000,
         "release": "caller_hangup", "method": "cpc", "ext": None, "wait_ms": None}
    if connect_s is not None:
        r["wait_ms"] = r["connect_ms"] - r["answer_ms"]
        r["talk_ms"] = (end_s - connect_s) * 1000
        r["outcome"] = "connected"
    r.update(kw)
    return r


def _agent(at_s, ext, state, **kw):
    return dict({"kind": "agent", "utc": U0 + at_s, "ext": ext, "state": state}, **kw)


def _hour():
    return [
        # boot: 101 available, 102 logged out
        _agent(0, "101", "available"), _agent(0, "102", "logged_out"),
        # call 1 at 0:01:40: ring-all 101 + 102; 101 lifts 4 s after the route (102 lost it);
        # 120 s talk, 10 s wrap-up
        _in(1, 100, 8, 132, connect_s=12, ext="101", wrap_ms=10000, agents=[["102", 4000, "elsewhere", 4000]]),
        _agent(600, "102", "available"),                     # 102 logs in at 0:10
        # call 2 at 0:15: 102 answers 5 s after the route, 300 s talk, a blind transfer to 103
        # 100 s in: 102 talked 100 s, 103 200 s; the wrap-up (10 s) is 103's, who had the caller last
        _in(2, 900, 8, 313, connect_s=13, ext="103", wrap_ms=10000,
            transfer=[{"kind": "blind", "from": "102", "to": "103", "ms": 100000}]),
        _agent(1800, "101", "paused", reason="lunch"),      # 101 on lunch 0:30-0:40 (600 s)
        _agent(2400, "101", "available"),
        # call 3 at 0:58:07: front for 30 s (timeout, 101 rang out 12 s), then back: 103 took it
        # 45 s after the first route, 60 s talk, 10 s wrap-up; the call ends at 1:00:00 (the span's end)
        _in(3, 3487, 8, 113, connect_s=53, ext="103", wrap_ms=10000, target="back", queued="front",
            queue="timeout", queue_ms=T0 + 3487000 + 8000, position=1, left_ms=T0 + 3487000 + 38000, left_pos=1,
            agents=[["101", 12000, "no_answer", 12000]],
            visits=[["front", 0, 0, 1, "timeout", 30000, 1], ["back", 30000, None, None, None, None, None]]),
        _agent(3000, "102", "logged_out"),                   # 102 logs out at 0:50
        # call 4 at 0:20: an abandon after 25 s of waiting (not within T)
        _in(4, 1200, 8, 33, outcome="abandoned"),
        # a call-back by 101 at 0:25: 30 s of talk, never counted as inbound
        {"call": 5, "line": 2, "utc": U0 + 1500, "direction": "out", "kind": "callback", "callee": "6175550004",
         "caller": "6175550004", "route_ms": T0 + 1500000, "connect_ms": T0 + 1520000, "answer_ms": T0 + 1520000,
         "talk_ms": 30000, "end_ms": T0 + 1550000, "ext": "101", "result": "answer", "try": 1,
         "outcome": "callback_answer", "ring_ms": 8000},
    ]


def _segment(tmp_path):
    p = tmp_path / "rec000001.bin"
    p.write_bytes(b"".join(bytes(records.frame(r)) for r in _hour()))
    return p


def _report(tmp_path):
    rc, out, err = cli("report", _segment(tmp_path), "--json")
    assert rc == 0, err
    return json.loads(out)


def test_per_agent_logged_in_time_and_occupancy(tmp_path):
    rep = _report(tmp_path)
    a = rep["per_extension"]
    # 101: logged in 0:00-1:00 (3600 s), paused 600 s of it; talk 120 s, call-back 30 s, wrap 10 s
    assert a["101"]["calls"] == 1 and a["101"]["talk_s"] == 120 and a["101"]["out_talk_s"] == 30
    assert a["101"]["logged_in_s"] == 3600 and a["101"]["paused_s"] == 600
    assert abs(a["101"]["occupancy"] - 160 / 3600.0) < 1e-9
    assert a["101"]["missed"] == 1 and a["101"]["lost"] == 0   # rang out on call 3
    # 102: logged in 0:10-0:50 (2400 s); answered call 2 and talked 100 s before the transfer
    assert a["102"]["calls"] == 1 and a["102"]["talk_s"] == 100 and a["102"]["logged_in_s"] == 2400
    assert abs(a["102"]["occupancy"] - 100 / 2400.0) < 1e-9
    assert a["102"]["lost"] == 1 and a["102"]["missed"] == 0   # the ring-all's loser: not a miss
    assert a["102"]["xfer_out"] == 1 and a["102"]["xfer_in"] == 0
    # 103: 200 s of call 2 (the transfer's target is not counted as answering it) + 60 s of call 3
    assert a["103"]["calls"] == 1 and a["103"]["talk_s"] == 260 and a["103"]["wrap_s"] == 20
    assert a["103"]["xfer_in"] == 1
    assert a["103"]["logged_in_s"] is None and a["103"]["occupancy"] is None   # no state record: unknown


def test_per_group_counts_every_visit_and_the_outcome_in_the_last(tmp_path):
    g = _report(tmp_path)["per_group"]
    # front: calls 1, 2, 4 and call 3's first visit (routed on); back: call 3's end
    assert g["front"] == {"offered": 4, "connected": 2, "abandoned": 1, "routed_on": 1, "transfers": 1,
                          "talk_s": 420.0}
    assert g["back"] == {"offered": 1, "connected": 1, "abandoned": 0, "routed_on": 0, "transfers": 0,
                         "talk_s": 60.0}


def test_the_service_levels_of_the_hour_by_hand(tmp_path):
    rep = _report(tmp_path)
    # routed 4 (the call-back is apart); connected waits 4, 5, 45 s; abandoned after 25 s
    assert rep["offered"] == 4 and rep["routed"] == 4 and rep["connected"] == 3 and rep["abandoned"] == 1
    sl = rep["service_levels"]
    assert abs(sl["sl"] - 2 / 3.0) < 1e-9              # 2 of 3 connected within 20 s
    assert abs(sl["sl2"] - 2 / 4.0) < 1e-9             # (2 + 0 abandoned within 20 s) / (3 + 1)
    assert abs(sl["offered"] - 2 / 4.0) < 1e-9         # 2 / (4 routed - 0 short abandons)
    assert rep["asa_s"] == (4 + 5 + 45) / 3.0 and rep["longest_wait_s"] == 45
    assert rep["callbacks"] == {"made": 1, "reached": 1}


def test_the_text_report_names_the_agent_figures(tmp_path):
    rc, out, err = cli("report", _segment(tmp_path))
    assert rc == 0, err
    rows = {ln.split()[0]: ln.split() for ln in out.splitlines() if ln.startswith("  10")}
    assert rows["101"][1:] == ["1", "1", "0", "0:02:00", "0:00:10", "0:00:30", "0/0", "1:00:00", "0:10:00", "4.4", "%"]
    assert rows["102"][8:] == ["0:40:00", "0:00:00", "4.2", "%"]
    assert rows["103"][8:] == ["-", "-", "-"]
    assert "logged in" in out and "occupancy" in out


def test_the_queue_log_of_an_overflow_a_loser_and_a_call_back():
    recs = {r.get("call"): r for r in _hour() if not slreport.is_agent_state(r)}
    # call 3: its lines in front (in, 101 rang out, out after 30 s) then in back (in, connect, end)
    lines = [ln.split("|") for ln in queuelog.call_events(recs[3])]
    start = U0 + 3487 + 6          # the record's utc: the board answered 6 s after the ring
    assert [(f[2], f[3], f[4]) for f in lines] == [
        ("front", "NONE", "ENTERQUEUE"), ("front", "Ext/101", "RINGNOANSWER"), ("front", "NONE", "EXITWITHTIMEOUT"),
        ("back", "NONE", "ENTERQUEUE"), ("back", "Ext/103", "CONNECT"), ("back", "Ext/103", "COMPLETECALLER")]
    assert [int(f[0]) for f in lines] == [start + 2, start + 14, start + 32, start + 32, start + 47, start + 107]
    assert lines[2][5:] == ["1", "1", "30"] and lines[4][5] == "15"   # 15 s in back's queue before the connect
    assert len({f[1] for f in lines}) == 1                           # one callid throughout
    # call 1: the ring-all's loser has no line (Asterisk writes none)
    assert [f.split("|")[4] for f in queuelog.call_events(recs[1])] == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"]
    # the call-back: its own kind, masked
    cb = [ln.split("|") for ln in queuelog.call_events(recs[5])]
    assert [f[4] for f in cb] == ["OUTBOUND", "OUTBOUNDCONNECT", "OUTBOUNDEND"]
    assert cb[0][5:] == ["******0004", "1", "callback"] and cb[1][5:7] == ["20", "8"] and cb[2][5:] == ["answer", "30", ""]
    # a campaign attempt nobody answered: queue = the campaign, no connect
    camp = {"call": 6, "utc": U0 + 100, "direction": "out", "kind": "campaign", "campaign": "spring", "callee": "2125550101",
            "try": 2, "route_ms": T0, "end_ms": T0 + 40000, "result": "no_answer", "ext": "102"}
    c = [ln.split("|") for ln in queuelog.call_events(camp)]
    assert [(f[2], f[4]) for f in c] == [("spring", "OUTBOUND"), ("spring", "OUTBOUNDEND")]
    assert int(c[1][0]) == U0 + 140 and c[1][5:] == ["no_answer", "0", ""]
    # an agent-state record is no call: no line
    assert queuelog.call_events(_agent(0, "101", "available")) == []
