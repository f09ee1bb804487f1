"""`ringroute records --queue-log`: a day of the board's records (read from a
record segment, as the board writes it) as an Asterisk queue_log, parsed
back line by line: the format, each call's events in order, the figures
hand-computed from the records, callers masked unless --full."""
from emuboard import cli
from rrfw.store import records

DAY = 1795392000   # 2026-11-23 00:00 UTC
T0 = 25 * 86400000  # the board clock after 25 days up


def _rec(call, hour, **kw):
    ring = T0 + call * 600000
    r = {"call": call, "line": 1, "utc": DAY + hour * 3600 + call * 60, "ring_ms": ring, "answer_ms": ring + 6000,
         "caller": "617555%04d" % call, "path": ["main"], "target": "front", "ext": None, "wait_ms": None,
         "connect_ms": None, "route_ms": ring + 9000, "end_ms": ring + 40000, "release": "caller_hangup",
         "method": "cpc"}
    r.update(kw)
    return r


def _day():
    return [
        # answered after 12 s in the queue, talked 95 s, the caller hung up
        _rec(1, 8, ext="101", connect_ms=T0 + 600000 + 21000, talk_ms=95000, end_ms=T0 + 600000 + 116000,
             outcome="connected", position=2),
        # answered after 3 s, the agent hung up
        _rec(2, 9, ext="102", connect_ms=T0 + 1200000 + 12000, talk_ms=60000, end_ms=T0 + 1200000 + 72000,
             outcome="connected", release="agent_hangup"),
        # gave up after 31 s in the queue
        _rec(3, 10, outcome="abandoned", end_ms=T0 + 1800000 + 40000, position=3),
        # nobody took it: the menu's fallback after 45 s
        _rec(4, 11, outcome="menu_done", release="menu_done", end_ms=T0 + 2400000 + 54000),
        # no queue: a menu abandon, a missed call, a call-back
        _rec(5, 12, route_ms=None, outcome="abandoned"),
        {"call": 6, "line": 1, "utc": DAY + 13 * 3600, "ring_ms": T0, "rings": 1, "caller": "6175550006",
         "outcome": "missed", "end_ms": T0 + 4000},
        {"call": 7, "line": 1, "utc": DAY + 14 * 3600, "direction": "out", "callee": "6175550001",
         "caller": "6175550001", "route_ms": T0, "connect_ms": T0 + 9000, "ext": "101", "outcome": "callback_connected"},
    ]


def _segment(tmp_path):
    p = tmp_path / "rec000001.bin"
    p.write_bytes(b"".join(bytes(records.frame(r)) for r in _day()))
    return p


def _parse(text):
    out = []
    for ln in text.splitlines():
        f = ln.split("|")
        assert len(f) == 8, ln                       # epoch|callid|queue|agent|event|data1|data2|data3
        epoch, callid, queue, agent, event = int(f[0]), f[1], f[2], f[3], f[4]
        assert callid.split(".")[0].isdigit() and callid.split(".")[1].isdigit(), ln
        out.append((epoch, callid, queue, agent, event, f[5:]))
    return out


def test_a_days_queue_log_parses_and_adds_up(tmp_path):
    rc, out, err = cli("records", "--file", _segment(tmp_path), "--queue-log")
    assert rc == 0, err
    evs = _parse(out)
    assert [e[0] for e in evs] == sorted(e[0] for e in evs)   # one file in time order
    by_call = {}
    for e in evs:
        by_call.setdefault(e[1], []).append(e)
    cb = "%d.7" % (DAY + 14 * 3600)
    assert sorted(by_call) == ["%d.%d" % (DAY + h * 3600 + c * 60, c) for c, h in ((1, 8), (2, 9), (3, 10), (4, 11))
                               ] + [cb]
    # the call-back: its own kind (ringroute's OUTBOUND events in its own queue), never ENTERQUEUE or CONNECT
    assert [(e[2], e[3], e[4]) for e in by_call[cb]] == [("callback", "Ext/101", "OUTBOUND"),
                                                         ("callback", "Ext/101", "OUTBOUNDCONNECT"),
                                                         ("callback", "Ext/101", "OUTBOUNDEND")]
    assert by_call[cb][0][5] == ["******0001", "1", "callback"] and by_call[cb][1][5][0] == "9"
    c1, c2, c3, c4 = (by_call["%d.%d" % (DAY + h * 3600 + c * 60, c)] for c, h in ((1, 8), (2, 9), (3, 10), (4, 11)))
    # call 1: entered 9 s after the ring (3 s after the answer: the record's utc), connected
    # after 12 s in the queue, 95 s talk, position 2
    assert [e[4] for e in c1] == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"]
    start = DAY + 8 * 3600 + 60
    assert [e[0] for e in c1] == [start + 3, start + 15, start + 110]
    assert c1[0][3] == "NONE" and c1[0][5] == ["", "******0001", ""] and c1[0][2] == "front"
    assert c1[1][3] == "Ext/101" and c1[1][5] == ["12", c1[0][1] + "-101", "12"]
    assert c1[2][5] == ["12", "95", "2"]
    # call 2: the agent hung up
    assert [e[4] for e in c2] == ["ENTERQUEUE", "CONNECT", "COMPLETEAGENT"] and c2[2][5] == ["3", "60", "1"]
    # call 3: gave up after 31 s at position 3; call 4: nobody took it in 45 s
    assert [e[4] for e in c3] == ["ENTERQUEUE", "ABANDON"] and c3[1][5] == ["3", "3", "31"]
    assert [e[4] for e in c4] == ["ENTERQUEUE", "EXITWITHTIMEOUT"] and c4[1][5] == ["1", "1", "45"]
    assert "6175550001" not in out
    # --full: the caller's own number in ENTERQUEUE, for the office's own tools
    rc, out, err = cli("records", "--file", _segment(tmp_path), "--queue-log", "--full")
    assert rc == 0 and _parse(out)[0][5] == ["", "6175550001", ""]
    # a window: only that hour's calls
    rc, out, err = cli("records", "--file", _segment(tmp_path), "--queue-log", "--since", "2026-11-23 10:00",
                       "--until", "2026-11-23 11:00")
    assert rc == 0 and [e[4] for e in _parse(out)] == ["ENTERQUEUE", "ABANDON"]


def test_the_report_and_the_csv_read_the_boards_segments(tmp_path):
    seg = _segment(tmp_path)
    rc, out, err = cli("report", seg)        # a segment as the board wrote it
    assert rc == 0, err
    offered = [ln for ln in out.splitlines() if ln.startswith("calls offered")][0]
    assert offered.split()[2] == "6", offered   # inbound calls that rang: all but the call-back
    rc, out, err = cli("records", "--file", tmp_path)    # a folder (an emulator --flash folder)
    assert rc == 0 and len(out.splitlines()) == 1 + 7, out
