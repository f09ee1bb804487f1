# record_cases.py - one record per call, complete (rrfw/call/record.py): what
# each event adds, the outcomes kept apart, the bounds, and the bytes on flash,
# under CPython (tests/test_record_cases.py) and the real micropython binary.
from rrfw.call import record
from rrfw.store import records

T0 = 25 * 86400000     # the board clock after 25 days up: times take their largest form


def _call(events, end_reason="caller_hangup", t_end=None, short_ms=5000):
    """A record opened at T0 (answer 1 s later), fed (t, event, fields) in order, then closed."""
    caller = {"number": "6175550142", "name": None, "reason": None}
    rec = record.inbound(7, 0, 1795392000, T0, T0 + 1000, 2, caller)
    last = T0 + 1000
    for t, ev, f in events:
        if ev == "digit":
            record.digit(rec, f)
        elif ev == "connected":
            record.connected(rec, f, T0 + t)
        elif ev == "talk_ended":
            record.talk_ended(rec, T0 + t)
        elif ev == "wrapped":
            record.wrapped(rec, f)
        elif ev == "rung":
            record.rung(rec, f[0], f[1], f[2], T0 + t)
        else:
            record.note(rec, ev, f, T0 + t)
        last = T0 + t
    return record.close(rec, t_end if t_end is not None else last + 100, end_reason, "cpc", 0, short_ms)


def _fresh():
    # one flash folder for every case under micropython: start each from none
    import os
    for n in os.listdir("."):
        if n.startswith("rec") or n.startswith("records."):
            os.remove(n)
    return records.Records()


ROUTE = (2000, "route", {"kind": "group", "target": "sales"})


def case_a_queued_call_keeps_join_leave_rings_answer_talk_and_wrap():
    rec = _call([(1500, "menu", {"menu": "main"}), (1900, "digit", "1"), ROUTE,
                 (2000, "ext_ring", {"ext": "101"}),
                 (8000, "ring_noanswer", {"ext": "101", "ring_ms": 6000}),
                 (8000, "queue", {"target": "sales", "position": 2}),
                 (8000, "queue", {"target": "sales", "position": 1}),      # only the first join counts
                 (21000, "ext_ring", {"ext": "102"}),
                 (23500, "queue_leave", {"reason": "answered", "position": 0, "waited_ms": 21500}),
                 (23500, "connected", "102"), (83500, "talk_ended", None), (83500, "wrapped", 8000)],
                end_reason="agent_hangup")
    assert rec["outcome"] == "connected" and rec["queue"] == "answered"
    assert rec["queue_ms"] == T0 + 8000 and rec["position"] == 2
    assert "left_ms" not in rec and "left_pos" not in rec            # connect_ms says when it left
    assert rec["agents"] == [["101", 6000, "no_answer", 6000]]       # stopped 6 s after the route
    assert rec["rang_ms"] == T0 + 21000 and rec["connect_ms"] - rec["rang_ms"] == 2500
    assert rec["wait_ms"] == 22500 and rec["talk_ms"] == 60000 and rec["wrap_ms"] == 8000
    # on flash and back: every field as it was
    r = _fresh()
    r.append(dict(rec))
    assert records.Records().read_all() == [rec]
    # the bytes: the queue (join, position, why it left: 5), the ring that went
    # unanswered (15), the answering phone's ring start (4), the wrap-up (3) and
    # the key bitmap's 3 more bytes (the new keys sit past bit 37) cost 33 bytes
    plain = _call([ROUTE, (2000, "ext_ring", {"ext": "102"}), (4000, "connected", "102"),
                   (64000, "talk_ended", None)], end_reason="agent_hangup")
    assert "rang_ms" not in plain and "agents" not in plain and "queue" not in plain   # nothing to say
    n, n0 = len(records.frame(rec)), len(records.frame(plain))
    assert n0 <= 80 and n - n0 <= 34, (n, n0)


def case_every_way_out_of_the_queue_is_its_own_outcome():
    base = [ROUTE, (2000, "ext_ring", {"ext": "101"}), (8000, "ring_noanswer", {"ext": "101", "ring_ms": 6000}),
            (8000, "queue", {"target": "sales", "position": 1})]
    got = {}
    for why in ("abandoned", "timeout", "no_agents", "exit_key", "callback"):
        evs = list(base)
        if why in ("exit_key", "callback"):
            evs.append((30000, "digit", "0" if why == "exit_key" else "1"))
        evs.append((30000, "queue_leave", {"reason": why, "position": 1, "waited_ms": 28000}))
        if why == "callback":
            evs.append((30000, "x", {}))
        rec = _call(evs, end_reason="caller_hangup" if why == "abandoned" else "menu_done", t_end=T0 + 30000)
        if why == "callback":
            rec2 = _call(evs[:-1], end_reason="callback_requested", t_end=T0 + 30000)
            rec2.pop("outcome")
            rec2["callback"] = True
            del rec2["end_ms"]
            rec = record.close(rec2, T0 + 33000, "callback_requested", None, 0)
        got[why] = rec["outcome"]
        assert rec["queue"] == why and rec["left_ms"] == T0 + 30000 and rec["left_pos"] == 1, rec
        assert rec.get("left_key") == {"exit_key": "0", "callback": "1"}.get(why), rec
    assert got == {"abandoned": "abandoned", "timeout": "timeout", "no_agents": "no_agents",
                   "exit_key": "exit_key", "callback": "callback_requested"}
    # refused at once: full
    rec = _call([ROUTE, (2000, "queue_leave", {"reason": "full", "position": 0, "waited_ms": 0})],
                end_reason="menu_done")
    assert rec["outcome"] == "queue_full" and "queue_ms" not in rec
    # an exit key that led to the operator, who answered: connected, the exit kept
    rec = _call(base + [(9000, "digit", "0"), (9000, "queue_leave", {"reason": "exit_key", "position": 1}),
                        (9000, "route", {"kind": "ext", "target": "104"}), (12000, "connected", "104")])
    assert rec["outcome"] == "connected" and rec["queue"] == "exit_key" and rec["left_key"] == "0"


def case_abandons_in_the_menu_and_short_ones_are_apart():
    rec = _call([(1500, "menu", {"menu": "main"})])
    assert rec["outcome"] == "menu_abandoned" and "short" not in rec
    # hung up while an agent rang, 3 s after the route (short under 5 s), then 7 s (not short)
    for wait, short in ((3000, True), (7000, False)):
        rec = _call([ROUTE, (2000, "ext_ring", {"ext": "101"}), (2000, "ext_ring", {"ext": "102"}),
                     (2000 + wait, "rung", ("101", wait, "hangup")), (2000 + wait, "rung", ("102", wait, "hangup"))])
        assert rec["outcome"] == "abandoned" and rec.get("short", False) is short, rec
        assert rec["agents"] == [["101", wait, "hangup", wait], ["102", wait, "hangup", wait]]
        assert "rang_ms" not in rec       # nobody answered: `agents` says how long each rang
    # the threshold is the config's: 2 s makes the 3 s abandon a real one
    rec = _call([ROUTE, (5000, "x", {})], short_ms=2000)
    assert rec["outcome"] == "abandoned" and "short" not in rec


def case_blocked_after_hours_and_the_reason_otherwise():
    rec = _call([(1000, "ivr", {"what": "blocked", "number": "6175550142"})], end_reason="blocked")
    assert rec["outcome"] == "blocked" and rec["blocked"] is True
    # a block_action that plays a message and hangs up is still a blocked call
    rec = _call([(1000, "ivr", {"what": "blocked"}), (1000, "menu", {"menu": "sorry"})], end_reason="menu_done")
    assert rec["outcome"] == "blocked"
    # the night message, then the caller hangs up or the menu does: after hours, either way
    for reason in ("caller_hangup", "menu_done"):
        rec = _call([(1000, "schedule", {"mode": "night", "menu": "night"})], end_reason=reason)
        assert rec["outcome"] == "after_hours" and rec["mode"] == "night", rec
    # in the opening hours the mode is not kept (it costs bytes and says nothing)
    rec = _call([(1000, "schedule", {"mode": "day", "menu": "main"})], end_reason="menu_done")
    assert "mode" not in rec and rec["outcome"] == "menu_done"
    # routed at night (an on-call phone) and answered: connected
    rec = _call([(1000, "schedule", {"mode": "night"}), ROUTE, (5000, "connected", "101")])
    assert rec["outcome"] == "connected" and rec["mode"] == "night"
    # no queue, the ring timed out and the menu's fallback said goodbye: the release reason
    rec = _call([ROUTE, (2000, "ext_ring", {"ext": "101"}), (22000, "ring_noanswer", {"ext": "101", "ring_ms": 20000})],
                end_reason="menu_done")
    assert rec["outcome"] == "menu_done" and rec["agents"] == [["101", 20000, "no_answer", 20000]]


def case_lists_are_bounded_whatever_the_call_does():
    evs = [ROUTE]
    for i in range(40):       # a caller left ringing unanswered phones for a long time
        evs.append((2000 + 6000 * (i + 1), "ring_noanswer", {"ext": "10%d" % (i % 4), "ring_ms": 6000}))
    for i in range(10):
        evs.append((300000 + i, "transfer", {"what": "done", "ext": "101", "to": "20%d" % i, "kind": "blind"}))
    for i in range(50):
        evs.append((400000 + i, "menu", {"menu": "m%d" % i}))
        evs.append((400000 + i, "digit", "5"))
    rec = _call(evs)
    assert len(rec["agents"]) == record.MAX_RUNG and rec["rung_more"] == 40 - record.MAX_RUNG
    assert len(rec["transfer"]) == record.MAX_TRANSFERS and rec["transfer"][0] == {"kind": "blind", "from": "101", "to": "200"}
    assert len(rec["path"]) == record.MAX_PATH and len(rec["digits"]) == record.MAX_DIGITS
    n = len(records.frame(rec))
    assert n < 400, n         # the worst call still fits a frame many times over (_MAX_BODY 2048)
    r = _fresh()
    r.append(dict(rec))
    assert records.Records().read_all() == [rec]


def case_a_transfer_has_its_place_after_the_answer():
    rec = _call([ROUTE, (4000, "connected", "101"),
                 (34000, "transfer", {"what": "done", "ext": "101", "to": "102", "kind": "blind"}),
                 (94000, "talk_ended", None)])
    assert rec["transfer"] == [{"kind": "blind", "from": "101", "to": "102", "ms": 30000}]
    assert rec["outcome"] == "connected" and rec["ext"] == "102"   # the one who has the caller last


# --- boot reads only what it must (store/records.py segments.idx) ---------------------------
def _full(n, L=300):
    r = _fresh()
    r.max_bytes = L
    for i in range(1, n + 1):
        rec = _call([ROUTE, (4000, "connected", "101"), (64000, "talk_ended", None)])
        rec["call"] = i
        rec["caller"] = "617555%04d" % (i % 3)
        r.append(rec)
    return r


def _boot(L=300):
    return records.Records(max_bytes=L)


def _figures(r):
    return (r.count, r.next_id, r.unreadable, sorted(r.segment_list()))


def case_an_overflow_keeps_every_queue_visited():
    # sales: joined at position 2, out after its 30 s queue time; support: rang 103 (no
    # answer), queued at 1, 104 took it. Times in the visits: ms after the first route.
    rec = _call([ROUTE, (2000, "ext_ring", {"ext": "101"}),
                 (8000, "queue", {"target": "sales", "position": 2}),
                 (32000, "queue_leave", {"target": "sales", "reason": "timeout", "position": 1}),
                 (32000, "route", {"kind": "group", "target": "support"}),
                 (32000, "ext_ring", {"ext": "103"}),
                 (44000, "ring_noanswer", {"ext": "103", "ring_ms": 12000}),
                 (44000, "queue", {"target": "support", "position": 1}),
                 (50000, "queue_leave", {"target": "support", "reason": "answered", "position": 0}),
                 (50000, "connected", "104"), (80000, "talk_ended", None)])
    assert rec["visits"] == [["sales", 0, 6000, 2, "timeout", 30000, 1],
                             ["support", 30000, 42000, 1, "answered", None, None]]
    assert rec["queued"] == "sales" and rec["target"] == "support" and rec["outcome"] == "connected"
    assert rec["queue_ms"] == T0 + 8000 and rec["position"] == 2       # the first join, as before
    assert records.decode(bytes(records.frame(rec)))[0] == [rec]
    # a call routed once has no visits (the flat fields say it all: nothing more on flash)
    once = _call([ROUTE, (8000, "queue", {"target": "sales", "position": 1}),
                  (9000, "queue_leave", {"target": "sales", "reason": "answered", "position": 0}),
                  (9000, "connected", "101"), (20000, "talk_ended", None)])
    assert "visits" not in once
    # bounded: a call sent round more groups than MAX_VISITS keeps the first ones and counts the rest
    evs = [ROUTE]
    for i in range(record.MAX_VISITS + 3):
        evs.append((3000 + i * 1000, "route", {"kind": "group", "target": "g%d" % i}))
        evs.append((3000 + i * 1000, "queue", {"target": "g%d" % i, "position": 1}))
    big = _call(evs)
    assert len(big["visits"]) == record.MAX_VISITS and big["visits_more"] == 4
    assert big["visits"][-1] == ["g2", 3000, 3000, 1, None, None, None]   # g3's join changed nothing kept


def case_the_outcome_is_how_the_last_route_ended():
    # out of sales after its queue time, on to support: the caller hangs up while 103
    # rings there. Abandoned (in support), not the timeout that sent the call on.
    out = [ROUTE, (8000, "queue", {"target": "sales", "position": 1}),
           (38000, "queue_leave", {"target": "sales", "reason": "timeout", "position": 1}),
           (38000, "route", {"kind": "group", "target": "support"}),
           (38000, "ext_ring", {"ext": "103"})]
    rec = _call(out + [(45000, "ring_noanswer", {"ext": "103", "ring_ms": 7000})])
    assert rec["outcome"] == "abandoned" and rec["queue"] == "timeout"
    assert [v[4] for v in rec["visits"]] == ["timeout", None]
    # timed out of support's queue too: that is how it ended
    rec = _call(out + [(50000, "queue", {"target": "support", "position": 1}),
                       (80000, "queue_leave", {"target": "support", "reason": "timeout", "position": 1})],
                end_reason="menu_done")
    assert rec["outcome"] == "timeout"
    # one queue, out on its timeout to the menu's goodbye (no second route): timeout
    rec = _call(out[:3], end_reason="menu_done")
    assert rec["outcome"] == "timeout"


def case_a_ring_alls_losers_are_listed():
    # 101 and 102 ring at once; 102 lifts after 6 s: 101 lost it (not a ring-no-answer)
    rec = _call([ROUTE, (2000, "ext_ring", {"ext": "101"}), (2000, "ext_ring", {"ext": "102"}),
                 (8000, "ring_lost", {"ext": "101", "ring_ms": 6000}),
                 (8000, "connected", "102"), (20000, "talk_ended", None)])
    assert rec["agents"] == [["101", 6000, "elsewhere", 6000]] and rec["ext"] == "102"
    assert records.decode(bytes(records.frame(rec)))[0] == [rec]


def case_an_agent_state_record_is_small_and_reads_back():
    rec = {"kind": "agent", "utc": 1795392000, "ext": "101", "state": "paused", "reason": "lunch"}
    data = bytes(records.frame(rec))
    assert records.decode(data)[0] == [rec]
    assert len(data) <= 28, len(data)   # bytes (27 measured: an 8-byte key mask, utc 6, ext 4, CRC 4)
    assert records.FORMAT == 2 and records.KEYS[:3] == ("call", "line", "utc")   # format 1's order kept


def case_boot_reads_only_the_newest_segment_and_counts_the_same():
    import os
    r = _full(60)
    assert len(r.segment_list()) == records.SEGMENTS     # the whole budget in use
    want = (r.count, r.next_id, 0, sorted(r.segment_list()))
    b = _boot()
    assert b.scanned == 1 and _figures(b) == want
    assert [x["call"] for x in b.read_all()] == list(range(60 - b.count + 1, 61))
    # without the index every segment is read, and the figures are the same
    os.remove(records.INDEX)
    b = _boot()
    assert b.scanned == records.SEGMENTS and _figures(b) == want
    b = _boot()                                         # that boot wrote the index again
    assert b.scanned == 1 and _figures(b) == want
    # a damaged index, or one that does not match a segment's size, is not believed
    for text in ("{not json", "[[1, 2]]", '[["x", 1, 2, 3, 4]]', "[[-1, 0, 0, 0, 0]]"):
        with open(records.INDEX, "w") as f:
            f.write(text)
        b = _boot()
        assert b.scanned == records.SEGMENTS and _figures(b) == want, text
    seg = sorted(b.segment_list())[2][0]
    with open(b.name(seg), "ab") as f:
        f.write(b"\xa7\x05junk")                          # a sealed segment changed behind its back
    b = _boot()
    assert b.scanned == 2 and b.count == want[0] and b.unreadable == 1


def case_the_index_follows_erasure_rotation_and_retention():
    r = _full(60)
    n_before = r.count
    gone = r.erase("6175550001")
    assert gone > 0
    b = _boot()
    assert b.scanned == 1 and b.count == n_before - gone == len(b.read_all())
    assert not [x for x in b.read_all() if x["caller"] == "6175550001"]
    for i in range(61, 75):                              # more calls: rotations
        rec = _call([ROUTE])
        rec["call"] = i
        b.append(rec)
    c = _boot()
    assert c.scanned == 1 and c.count == len(c.read_all()) and c.next_id == 75
    n = c.count
    assert c.expire(1795392000 + 1) == n                  # retention: every record is older
    d = _boot()
    assert d.count == 0 and d.read_all() == [] and d.scanned == 1


if __name__ == "__main__":
    import os
    import sys
    import caserun
    os.chdir(sys.argv[1])   # the board's flash folder: a temporary one
    caserun.main(caserun.discover(globals()))
