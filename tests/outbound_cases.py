# outbound_cases.py - the outbound engine's rules in plain asserts (issue 13),
# under CPython (tests/test_outbound_cases.py) and the real micropython binary:
# the office's do-not-call list and the campaign's progress survive a power
# cut at every write; calling hours in the called person's local time (area
# codes, daylight time, the office's own zone when the number says nothing);
# one attempt of a number at a time; retry spacing per result; an
# interrupted attempt gets its record at boot and is not dialled again at once.
import json
import os

from rrfw.store import atomic
from rrfw.store import dnc as dnc_mod
from rrfw.store import jobstore as js
from rrfw.call import localtime
from rrfw.call import schedule
from cutfs import CutFS, with_cut

NY_TZ = {"std": -300, "dst": -240, "start": [3, 2, 0, 120], "end": [11, 1, 0, 120]}


def utc(y, m, d, hh, mm=0):
    return (schedule.days_from_civil(y, m, d) * 1440 + hh * 60 + mm) * 60


def _clean():
    # every file a case leaves (the record segments rec*.bin and the call-id
    # counter too: a record left by an earlier case would be counted again)
    for name in os.listdir("."):
        if os.stat(name)[0] & 0x4000 == 0:
            os.remove(name)


def write_list(numbers, name="t", region="US", zones=None, created=0, register=None):
    """A campaign list as the host writes it (ringroute/campaigns.py), built here
    so the case runs under micropython too."""
    body = ""
    for num, z in numbers:
        body += (num + " " * 14)[:14] + z + "\n"
    import binascii
    head = {"name": name, "id": binascii.crc32(body.encode()) & 0xFFFFFFFF, "n": len(numbers),
            "zones": zones or [], "region": region, "created": created, "register": register or []}
    with open(js.LIST, "w") as f:
        f.write(json.dumps(head) + "\n" + body)
    return head


# --- the office's do-not-call list ---------------------------------------------------
def case_dnc_add_check_remove_and_prefixes():
    _clean()
    d = dnc_mod.Dnc()
    assert d.count == 0 and d.listed("2125550100") is None
    assert d.add("2125550100") is None and d.add("646555*") is None
    assert d.add("2125550100") is None          # twice: one entry
    assert d.add("12-34") == "not a number" and d.add("") == "not a number" and d.add("*") == "not a number"
    d2 = dnc_mod.Dnc()                          # a reboot reads it back
    assert d2.count == 2
    assert d2.listed("2125550100") == "2125550100" and d2.listed("6465550199") == "646555*"
    assert d2.listed("2125550101") is None
    assert d2.entries() == ["2125550100", "646555*"]
    assert d2.remove("2125550100") and not d2.remove("2125550100")
    assert dnc_mod.Dnc().entries() == ["646555*"]


def case_dnc_addition_survives_a_cut_at_every_write():
    cuts = 0
    for n in range(1, 12):
        _clean()
        d = dnc_mod.Dnc()
        d.add("3125550001")
        cut = with_cut(CutFS(n, removals=False), (dnc_mod,), lambda: d.add("3125550002"))
        after = dnc_mod.Dnc().entries()
        assert "3125550001" in after, (n, after)             # never lost
        for e in after:
            assert e in ("3125550001", "3125550002"), (n, after)   # never a half number
        if not cut:
            assert after == ["3125550001", "3125550002"]
            break
        cuts += 1
    assert cuts >= 2, cuts


# --- the called person's local time ----------------------------------------------------
def case_area_codes_give_the_callee_zones():
    assert localtime.zones_of("2125550100", "US") == ("ET",)
    assert localtime.zones_of("12125550100", "US") == ("ET",)
    assert localtime.zones_of("3125550100", "US") == ("CT",)
    assert localtime.zones_of("3035550100", "US") == ("MT",)
    assert localtime.zones_of("6025550100", "US") == ("AZ",)
    assert localtime.zones_of("4155550100", "US") == ("PT",)
    assert localtime.zones_of("8505550100", "US") == ("ET", "CT")   # the Florida panhandle: both
    assert localtime.zones_of("5555550100", "US") == ()             # not an area code: the office's zone
    assert localtime.zones_of("0612345678", "IT") == ("IT",)
    et = localtime.ZONES["ET"]
    pt = localtime.ZONES["PT"]
    az = localtime.ZONES["AZ"]
    h = (480, 1260)
    # winter: 08:00 EST is 13:00 UTC
    assert not localtime.in_window(et, utc(2026, 1, 5, 12, 59), h)
    assert localtime.in_window(et, utc(2026, 1, 5, 13, 0), h)
    assert not localtime.in_window(et, utc(2026, 1, 6, 2, 0), h)     # 21:00 EST: closed
    # summer: 08:00 EDT is 12:00 UTC; Arizona keeps 08:00 MST = 15:00 UTC
    assert localtime.in_window(et, utc(2026, 7, 6, 12, 0), h)
    assert not localtime.in_window(az, utc(2026, 7, 6, 14, 59), h)
    assert localtime.in_window(az, utc(2026, 7, 6, 15, 0), h)
    assert not localtime.in_window(pt, utc(2026, 7, 6, 14, 59), h)   # 07:59 PDT
    assert localtime.on_holiday(et, utc(2026, 12, 25, 15), [[1225, 1225]])
    assert localtime.on_holiday(et, utc(2026, 12, 26, 4), [[1225, 1225]])       # still the 25th in New York
    assert not localtime.on_holiday(et, utc(2026, 12, 26, 6), [[1225, 1225]])


def _dialer(cfg, cbs=None):
    from rrfw.store import records
    from rrfw.call import callbacks
    from rrfw.call import dialer
    events = []

    def emit(event, **f):
        f["event"] = event
        events.append(f)
    recs = records.Records()
    cb = cbs or callbacks.Callbacks(cfg, emit)
    return dialer.Dialer(cfg, emit, recs, cb, lambda: 0), cb, events, recs


def _cfg(**ob):
    o = {"callback": True}
    o.update(ob)
    return {"version": 1, "lines": [{"country": "US"}, {"country": "US"}],
            "extensions": {"101": {"port": 0}, "102": {"port": 1}},
            "groups": {"sales": {"members": ["101", "102"]}}, "outbound": o}


def _agent(target, joined):
    return "101"


def case_callback_at_0630_local_waits_for_the_office_hours():
    # issue 13: a config with a time zone and no schedule; the number's area
    # code is not in the table (555), so the office's zone decides
    _clean()
    cfg = _cfg()
    cfg["tz"] = NY_TZ
    d, cb, ev, _ = _dialer(cfg)
    assert cb.request("5550000002", "101", 0, utc(2026, 1, 5, 11, 0)) is None
    assert d.next_job(0, utc(2026, 1, 5, 11, 30), _agent) is None      # 06:30 EST: held
    held = [e for e in ev if e["event"] == "outbound_held"]
    assert held and held[0]["until"] == utc(2026, 1, 5, 13, 0), held    # 08:00 EST
    assert d.next_job(0, utc(2026, 1, 5, 12, 45), _agent) is None      # not looked at before then
    job = d.next_job(0, utc(2026, 1, 5, 13, 0), _agent)
    assert job is not None and job["number"] == "5550000002"


def case_callback_obeys_the_callee_zone_and_the_office_list():
    _clean()
    cfg = _cfg(do_not_call=["3125550009"])
    d, cb, ev, _ = _dialer(cfg)
    t0 = utc(2026, 1, 5, 13, 30)   # 08:30 in New York, 07:30 in Chicago
    assert cb.request("3125550001", "101", 0, t0) is None   # Chicago
    assert cb.request("2125550001", "101", 0, t0) is None   # New York
    job = d.next_job(0, t0, _agent)
    assert job["number"] == "2125550001"                    # Chicago waits for 08:00 CST
    d.dnc.add("2125550001")                                 # the office's own list, since
    assert d.next_job(0, t0, _agent) is None
    skip = [e for e in ev if e["event"] == "outbound_skip"]
    assert skip[0]["number"] == "2125550001" and skip[0]["list"] == "office"
    assert [x["number"] for x in cb.pending] == ["3125550001"]   # the listed one is closed
    assert d.next_job(0, utc(2026, 1, 5, 14, 0), _agent)["number"] == "3125550001"
    assert d.skipped["office"] == 1


def case_never_two_attempts_of_one_number_and_spacing_per_result():
    _clean()
    cfg = _cfg(retry={"busy": 600000, "no_answer": 3600000})
    d, cb, ev, recs = _dialer(cfg)
    t0 = utc(2026, 1, 5, 15, 0)
    cb.request("2125550001", "101", 0, t0)
    job = d.next_job(0, t0, _agent)
    d.begin(job, t0)
    assert d.next_job(0, t0 + 3600, _agent) is None          # still ringing: no second attempt
    d.end(job, "busy", t0 + 30)
    assert d.next_job(0, t0 + 30 + 599, _agent) is None
    job = d.next_job(0, t0 + 30 + 600, _agent)
    assert job is not None
    d.begin(job, t0 + 630)
    d.end(job, "no_answer", t0 + 700)
    assert d.next_job(0, t0 + 700 + 3599, _agent) is None
    assert d.next_job(0, t0 + 700 + 3600, _agent) is not None
    # no dial tone is the line's fault: retried, not counted
    job = d.next_job(0, t0 + 4300, _agent)
    d.begin(job, t0 + 4300)
    tries = cb.pending[0]["tries"]
    d.end(job, "no_dial_tone", t0 + 4305)
    assert cb.pending[0]["tries"] == tries - 1


def case_interrupted_callback_gets_a_record_and_waits():
    _clean()
    cfg = _cfg()
    d, cb, ev, recs = _dialer(cfg)
    t0 = utc(2026, 1, 5, 15, 0)
    cb.request("2125550001", "101", 0, t0)
    d.begin(d.next_job(0, t0, _agent), t0)        # the power goes during this attempt
    d2, cb2, ev2, recs2 = _dialer(cfg)           # the reboot
    d2.recover(recs2.new_call_id, t0 + 20)
    rec = [r for r in recs2.each() if r.get("result") == "interrupted"]
    assert len(rec) == 1 and rec[0]["callee"] == "2125550001" and rec[0]["direction"] == "out"
    assert d2.next_job(0, t0 + 60, _agent) is None   # spaced, not dialled again at once
    assert cb2.pending[0]["tries"] == 1


def case_a_callback_request_is_on_flash_from_the_next_block():
    # the request's block does not write the list (callbacks.py): App.step's next
    # block does (save); what a reboot then reads has it, in its place
    from rrfw.call import callbacks
    _clean()
    cfg = _cfg()
    cb = callbacks.Callbacks(cfg, lambda event, **f: None)
    t0 = utc(2026, 1, 5, 15, 0)
    assert cb.request("2125550001", "101", 0, t0, place=7, priority=1) is None
    assert cb.unsaved
    cb.save()                                   # the next block
    assert not cb.unsaved
    again = callbacks.Callbacks(cfg, lambda event, **f: None)   # the reboot
    assert [(x["number"], x["target"], x["pri"]) for x in again.pending] == [("2125550001", "101", 1)]
    assert again.request("2125550001", "101", 0, t0) is None and len(again.pending) == 1   # one per caller


# --- the campaign's list on flash ----------------------------------------------------------
def case_job_store_reads_entries_and_refuses_bad_lists():
    _clean()
    head = write_list([("2125550001", "-"), ("3125550002", "0"), ("4155550003", "-")],
                      zones=[NY_TZ])
    st = js.JobStore()
    assert st.load() and st.n == 3
    assert st.entry(1) == ("3125550002", "0") and st.entry(2) == ("4155550003", "-")
    assert os.stat(js.LIST)[6] == len(json.dumps(head)) + 1 + 3 * js.ENTRY   # 16 bytes a number
    st.set(1, status=js.ACTIVE, tries=1, next_min=90)
    st.save()
    st2 = js.JobStore()
    st2.load()
    assert st2.status(1) == js.ACTIVE and st2.tries(1) == 1 and st2.next_min(1) == 90
    # a different list never takes another's progress
    write_list([("2125550001", "-"), ("3125550002", "0"), ("4155550099", "-")])
    st3 = js.JobStore()
    st3.load()
    assert st3.status(1) == js.PENDING
    with open(js.LIST, "a") as f:
        f.write("12345")
    assert js.check_list(js.LIST)[0] is None
    with open(js.LIST, "w") as f:
        f.write('{"name": "x", "id": 1, "n": 1}\n21255*0001    -\n')
    h, why = js.check_list(js.LIST)
    assert h is None and "not a number" in why, why


def case_job_store_progress_survives_a_cut_at_every_write():
    cuts = 0
    for n in range(1, 8):
        _clean()
        write_list([("2125550001", "-"), ("3125550002", "-")])
        st = js.JobStore()
        st.load()
        st.set(0, status=js.DONE, tries=1)
        st.save()

        def change():
            st.set(1, status=js.ACTIVE, tries=1)
            st.save()
        cut = with_cut(CutFS(n, removals=False), (atomic,), change)
        st2 = js.JobStore()
        st2.load()
        assert st2.status(0) == js.DONE, n                 # the earlier progress is never lost
        assert st2.status(1) in (js.PENDING, js.ACTIVE), n
        if not cut:
            assert st2.status(1) == js.ACTIVE
            break
        cuts += 1
    assert cuts >= 2, cuts


def case_campaign_rules_hours_dnc_attempts_and_recovery():
    _clean()
    t0 = utc(2026, 1, 5, 13, 30)   # 08:30 New York, 07:30 Chicago, 05:30 Los Angeles
    write_list([("2125550001", "-"), ("3125550002", "-"), ("4155550003", "-"), ("6465550004", "-")],
               created=t0, register=[{"name": "US-DNC", "date": 20260102}])
    cfg = _cfg(campaign={"group": "sales", "max_attempts": 2}, retry={"busy": 600000})
    d, cb, ev, recs = _dialer(cfg)
    camp = d.campaign
    assert camp.control_name() == "ready" and d.next_job(0, t0, _agent) is None
    assert camp.set_control("start", t0) is None
    d.dnc.add("6465550004")
    job = d.next_job(0, t0, _agent)
    assert job["number"] == "2125550001"
    d.begin(job, t0)
    assert d.next_job(0, t0, _agent) is None   # Chicago and LA are closed, New York is busy
    # the power goes; the reboot records the attempt and spaces it
    d2, cb2, ev2, recs2 = _dialer(cfg)
    d2.recover(recs2.new_call_id, t0 + 60)
    assert [r["callee"] for r in recs2.each() if r.get("result") == "interrupted"] == ["2125550001"]
    camp2 = d2.campaign
    assert camp2.store.status(0) == js.PENDING and camp2.store.tries(0) == 1
    assert d2.next_job(0, t0 + 120, _agent) is None
    job = d2.next_job(0, utc(2026, 1, 5, 14, 0), _agent)        # 08:00 in Chicago
    assert job["number"] == "3125550002", job
    d2.begin(job, utc(2026, 1, 5, 14, 0))
    d2.end(job, "answer", utc(2026, 1, 5, 14, 5), "sale")
    assert camp2.store.status(1) == js.DONE
    st = camp2.status(utc(2026, 1, 5, 14, 5))
    assert st["numbers_by_status"]["dnc"] == 1 and st["held_by_hours"] >= 2, st
    assert d2.dnc.listed("6465550004")


def case_stale_register_stops_the_campaign():
    _clean()
    t0 = utc(2026, 2, 10, 15, 0)
    write_list([("2125550001", "-")], created=t0, register=[{"name": "US-DNC", "date": 20260102}])
    d, cb, ev, recs = _dialer(_cfg(campaign={"group": "sales"}))
    why = d.campaign.set_control("start", t0)
    assert why is not None and "39 days old" in why and "US allows 31" in why, why
    assert d.campaign.control_name() == "stale" and d.next_job(0, t0, _agent) is None


def case_agents_leave_and_join_the_campaign_across_a_reboot():
    _clean()
    t0 = utc(2026, 1, 5, 15, 0)
    write_list([("2125550001", "-")], created=t0)
    d, cb, ev, recs = _dialer(_cfg(campaign={"group": "sales"}))
    assert d.campaign.joined_ports() == 255                  # every member is in when a list arrives
    assert d.campaign.agent(1, False) == ("campaign_leave", "ready")
    d2, _, _, _ = _dialer(_cfg(campaign={"group": "sales"}))
    assert d2.campaign.joined_ports() == 255 & ~2
    asked = []

    def agent(target, joined):
        asked.append((target, joined))
        return None                                          # nobody free: no job, nothing counted
    d2.campaign.set_control("start", t0)
    assert d2.next_job(0, t0, agent) is None and asked == [("sales", 253)]
    assert d2.campaign.store.tries(0) == 0
    assert d2.campaign.agent(1, True) == ("campaign_join", "running")


# --- a person's access and erasure requests reach the outbound data (call/privacy.py) ----
class _PrivApp:
    """What privacy.py asks of the App: the board's stores, and no call up."""

    def __init__(self, dialer, cb, recs):
        from rrfw.call.boardstate import BoardState
        from rrfw.call.events import Clock, Events
        from rrfw.call.router import Ports
        self.dialer = dialer
        self.callbacks = cb
        self.records = recs
        self.board = BoardState()
        self.events = Events(Clock())
        self.lines = []
        self.ports = Ports(2)


def case_privacy_export_shows_the_campaign_list_and_the_do_not_call_list():
    from rrfw.call import privacy
    _clean()
    t0 = utc(2026, 1, 5, 15, 0)     # 10:00 in New York
    write_list([("2125550001", "-"), ("6465550004", "-"), ("3125550002", "-")], created=t0,
               register=[{"name": "US-DNC", "date": 20260102}])
    cfg = _cfg(campaign={"group": "sales"})
    d, cb, ev, recs = _dialer(cfg)
    d.campaign.store.set(1, tries=1)
    d.dnc.add("6465550004")
    d.dnc.add("646555*")               # a prefix is the office's rule, not this person's data
    w = privacy.find(_PrivApp(d, cb, recs), "+1 (646) 555-0004")
    assert w["campaign"] == [{"campaign": "t", "entry": 2, "number": "6465550004", "status": "pending", "tries": 1}]
    assert w["dnc"] == ["6465550004"]
    # a config that no longer calls out: the files on flash are read all the same
    app = _PrivApp(None, cb, recs)
    w2 = privacy.find(app, "6465550004")
    assert w2["campaign"][0]["entry"] == 2 and w2["dnc"] == ["6465550004"]
    assert privacy.find(app, "2125550009")["campaign"] == []


def case_privacy_erase_closes_the_campaign_entry_and_keeps_the_do_not_call_entry():
    from rrfw.call import privacy
    _clean()
    t0 = utc(2026, 1, 5, 15, 0)
    write_list([("2125550001", "-"), ("6465550004", "-"), ("3125550002", "-")], created=t0,
               register=[{"name": "US-DNC", "date": 20260102}])
    cfg = _cfg(campaign={"group": "sales"})
    d, cb, ev, recs = _dialer(cfg)
    d.campaign.store.set(0, status=js.DONE, tries=1)
    d.campaign.store.save()
    d.dnc.add("6465550004")
    recs.append({"call": 1, "direction": "out", "kind": "campaign", "callee": "6465550004",
                 "caller": "6465550004", "outcome": "campaign_busy"})
    app = _PrivApp(d, cb, recs)
    gone = privacy.erase(app, "6465550004")
    assert gone["campaign"] == 1 and gone["records"] == 1
    left = privacy.find(app, "6465550004")
    assert left["campaign"] == [] and left["records"] == 0
    assert left["dnc"] == ["6465550004"]                       # kept, on purpose
    kept = privacy.kept(app, "6465550004")
    assert kept["dnc"] == ["6465550004"] and "Art. 21(3)" in kept["why"] and "17(3)(b)" in kept["why"]
    # from outside: the list file no longer holds the digits, and it is still a good list
    with open(js.LIST, "rb") as f:
        data = f.read()
    assert b"6465550004" not in data and b"2125550001" in data and b"3125550002" in data
    assert js.check_list(js.LIST)[0] is not None
    # after a reboot: the entry is closed (erased), the others keep their progress, never dialled
    d2, cb2, ev2, recs2 = _dialer(cfg)
    st = d2.campaign.store
    assert st.status(1) == js.ERASED and st.status(0) == js.DONE and st.status(2) == js.PENDING
    assert d2.campaign.status(t0)["numbers_by_status"]["erased"] == 1
    d2.campaign.set_control("start", t0)
    dialled = []
    for k in range(6):
        job = d2.next_job(0, t0 + 600 * k, _agent)
        if job is not None:
            dialled.append(job["number"])
            d2.begin(job, t0 + 600 * k)
            d2.end(job, "answer", t0 + 600 * k + 60, "sale")
    assert dialled == ["3125550002"], dialled
    # and a second erase finds nothing more to do
    assert privacy.erase(_PrivApp(d2, cb2, recs2), "6465550004")["campaign"] == 0


def case_privacy_erase_of_a_campaign_entry_survives_a_cut_at_every_write():
    from rrfw.call import privacy
    cuts = 0
    for n in range(1, 12):
        _clean()
        write_list([("2125550001", "-"), ("6465550004", "-")])
        cfg = _cfg(campaign={"group": "sales"})
        d, cb, ev, recs = _dialer(cfg)
        cut = with_cut(CutFS(n, removals=False), (atomic, js), lambda: privacy.erase(_PrivApp(d, cb, recs), "6465550004"))
        st = js.JobStore()
        assert st.load(), n                            # the list is whole after any cut
        assert st.status(0) == js.PENDING and st.entry(0)[0] == "2125550001", n
        # closed before the number goes: a cut leaves it pending and listed, or closed
        assert st.status(1) in (js.PENDING, js.ERASED), n
        if st.entry(1)[0] != "6465550004":
            assert st.status(1) == js.ERASED, n
        if not cut:
            assert st.status(1) == js.ERASED and st.entry(1)[0] == "0"
            break
        cuts += 1
    assert cuts >= 2, cuts


if __name__ == "__main__":
    import sys
    import caserun
    os.chdir(sys.argv[1])
    caserun.main(caserun.discover(globals()))
