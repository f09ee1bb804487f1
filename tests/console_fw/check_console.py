# Firmware-side checks of the console protocol and the admin PIN, in plain
# asserts so that the same file runs under CPython (in-process, from
# tests/test_console_firmware.py) and the unix port
# (MICROPYPATH=firmware:tests/support):  check_console.py WORKDIR [NAME...]
# The checks run through tests/support/caserun.py, which prints the results.
import json
import os
import sys

import binascii
from rrfw.store import cfgstore
from rrfw.console import server as console
from rrfw.console import auth as auth_mod
from rrfw.console import authpin
from standin_hal import ConsoleApp, StandInHal


class Rig:
    """A Console on the stand-in board; the clock moves 10 ms per poll."""

    def __init__(self):
        self.hal = StandInHal(n_lines=1, n_exts=2, utc=1700000000)
        self.wire = self.hal.wire   # the console UART: inq from the host, out to it
        self.app = ConsoleApp(self.hal)
        self.con = console.Console(self.app, self.hal)
        self.rid = 0
        self.rebooted = None
        self.tok = None     # the session token, sent with every request as the host does (session.py)

    def poll(self, n=1):
        for _ in range(n):
            self.app.clock.ms += 10
            try:
                self.con.poll()
            except console.Reboot as e:  # as main.py: the app restarts
                self.rebooted = e.why

    def advance(self, ms):
        self.app.clock.ms += ms

    def lines(self):
        out = []
        while b"\n" in self.wire.out:
            i = self.wire.out.index(b"\n")
            out.append(bytes(self.wire.out[:i]))
            self.wire.out = self.wire.out[i + 1:]
        return out

    def send_raw(self, data):
        self.wire.inq += data

    def req(self, verb, args=None, rid=None):
        self.rid += 1
        rid = str(self.rid) if rid is None else rid
        args = dict(args or {})
        if self.tok is not None and "tok" not in args:
            args["tok"] = self.tok
        self.wire.inq += console.frame(rid, verb, json.dumps(args))
        kind, payload = self.reply(rid)
        if kind == "ok" and type(payload) is dict and payload.get("token"):
            self.tok = payload["token"]      # login, pin.set: the new session's
        elif kind == "ok" and verb == "logout":
            self.tok = None
        return kind, payload

    def reply(self, rid):
        # a request that hashes a PIN takes 256 blocks a hash (store/pins.py), up to four
        for _ in range(1200):
            self.poll()
            for line in self.lines():
                star = line.rindex(b"*")
                assert "%08x" % (binascii.crc32(line[:star]) & 0xFFFFFFFF) == line[star + 1:].decode(), line
                parts = line[:star].split(b" ", 3)
                if parts[1].decode() in (rid, "0") and parts[2] in (b"ok", b"err"):
                    return parts[2].decode(), json.loads(parts[3])
        raise AssertionError("no reply to request %s" % rid)

    def ok(self, verb, args=None):
        kind, payload = self.req(verb, args)
        assert kind == "ok", (verb, payload)
        return payload

    def err(self, verb, args=None):
        kind, payload = self.req(verb, args)
        assert kind == "err", (verb, payload)
        return payload["code"]


def fresh(workdir, name):
    d = workdir + "/" + name
    try:
        os.mkdir(d)
    except OSError:
        pass
    os.chdir(d)
    for f in os.listdir("."):
        if f != "prompts":
            os.remove(f)
    try:
        for f in os.listdir("prompts"):
            os.remove("prompts/" + f)
    except OSError:
        pass


PIN = "246810"


def b64(data):
    return binascii.b2a_base64(data).decode().strip()


def crc(data):
    return binascii.crc32(data) & 0xFFFFFFFF


# --- checks ---------------------------------------------------------------------
def check_framing(r):
    rid, verb, args = console.parse(console.frame("7", "status", '{"a": 1}').strip())
    assert (rid, verb, args) == ("7", "status", {"a": 1})
    good = console.frame("8", "hello", "{}").strip()
    bad = good[:10] + (b"X" if good[10:11] != b"X" else b"Y") + good[11:]
    try:
        console.parse(bad)
        raise AssertionError("a damaged line was accepted")
    except console.CmdError as e:
        assert e.code == "crc", e.code
    body = b"~RR2 9 hello {}"
    v2 = body + b"*" + ("%08x" % crc(body)).encode()
    try:
        console.parse(v2)
        raise AssertionError("another protocol version was accepted")
    except console.CmdError as e:
        assert e.code == "version", e.code
    assert console.parse(b"print('hi')") is None
    # over the wire: unknown command, damaged line, noise, an over-long line
    assert r.err("no.such") == "unknown"
    r.send_raw(bad + b"\n")
    assert r.reply("8")[1]["code"] == "crc"
    r.send_raw(b"hello board\r\n")
    r.poll(3)
    assert any(b"framed requests only" in ln for ln in r.lines())
    r.send_raw(b"~RR1 " + b"x" * 2000 + b"\n")
    kind, p = r.reply("0")
    assert p["code"] == "too_long", p
    hello = r.ok("hello")
    assert hello["proto"] == 1 and hello["pin_set"] is False


def check_pin_first_use_and_lock(r):
    assert r.err("get", {"kind": "records"}) == "auth"   # no session, no records
    assert r.err("put.begin", {"kind": "config", "size": 1, "crc": 0}) == "pin_unset"
    assert r.err("pin.set", {"new": "123"}) == "pin_form"
    assert r.err("login", {"pin": "000000"}) == "pin_unset"  # no default that works
    r.ok("pin.set", {"new": PIN})
    text = open(auth_mod.PATH).read()
    assert PIN not in text and "hash" in text and "salt" in text, text  # only a salted hash on flash
    r.ok("logout")
    assert r.err("get", {"kind": "config"}) == "auth"
    assert r.err("pin.set", {"new": "999999", "old": "111111"}) == "bad_pin"  # changing needs the old one
    assert r.err("login", {"pin": "111111"}) == "bad_pin"
    codes = []
    for i in range(12):
        kind, p = r.req("login", {"pin": "111111"})
        codes.append(p["code"])
        if p["code"] == "locked":
            break
        r.advance(p.get("retry_ms", 0))  # wait exactly as long as the board asks
    assert codes[-1] == "locked", codes
    assert "bad_pin" in codes and len(codes) < 8, codes
    # the right PIN during the lock is refused unchecked
    assert r.err("login", {"pin": PIN}) == "locked"
    # a reboot does not lift the lock
    r2 = Rig()
    assert r2.err("login", {"pin": PIN}) == "locked"
    r2.advance(authpin.LOCK_MS)
    r2.ok("login", {"pin": PIN})
    assert r2.con.get_auth().fails == 0
    r2.ok("get", {"kind": "records"})


def check_wait_after_typos(r):
    r.ok("pin.set", {"new": PIN})
    r.ok("logout")
    for i in range(authpin.FREE_TRIES):
        assert r.err("login", {"pin": "000000"}) == "bad_pin"
    kind, p = r.req("login", {"pin": PIN})
    assert p["code"] == "wait" and p["retry_ms"] > 0, p   # even the right PIN must wait
    r.advance(p["retry_ms"])
    r.ok("login", {"pin": PIN})


OLD = '{"version": 1, "name": "old", "lines": [], "extensions": {}}'
NEW = json.dumps({"version": 1, "name": "new", "lines": [{"country": "US"}], "start": "main",
                  "extensions": {"101": {"port": 0, "name": "Front " + "x" * 200}},
                  "operator": {"do": "ext", "to": "101"},
                  "menus": {"main": {"greeting": ["welcome"], "keys": {"1": {"do": "ext", "to": "101"}}}}})


def check_config_cut_anywhere(r):
    assert cfgstore.install(OLD) is None
    r.ok("pin.set", {"new": PIN})
    data = NEW.encode()
    step = 37
    for cut in range(0, len(data) + 1, step):
        rr = Rig()  # a new connection each time, as after a pulled cable
        rr.ok("login", {"pin": PIN})
        have = rr.ok("put.begin", {"kind": "config", "size": len(data), "crc": crc(data)})["have"]
        assert have <= cut or cut == 0, (have, cut)
        have = 0 if have > cut else have
        while have < cut:
            piece = data[have:min(cut, have + 50)]
            have = rr.ok("put.chunk", {"off": have, "data": b64(piece)})["have"]
        # cut here: the board must still run, and boot, the old config
        cfg, src = cfgstore.load()
        assert cfg["name"] == "old" and src == cfgstore.CURRENT, (cut, cfg, src)
        assert open(cfgstore.CURRENT).read() == OLD
    # a cut in the middle of a line: the damaged line is refused, the next works
    rr = Rig()
    rr.ok("login", {"pin": PIN})
    half = console.frame("50", "put.chunk", json.dumps({"off": 0, "data": b64(data[:40])}))
    rr.send_raw(half[:len(half) // 2])
    have = rr.ok("put.begin", {"kind": "config", "size": len(data), "crc": crc(data)})["have"]
    assert have > 0  # resumes: what was sent before the cuts is kept
    # an offset that does not follow on is refused and says where to go on
    kind, p = rr.req("put.chunk", {"off": have + 5, "data": b64(b"zz")})
    assert p["code"] == "offset" and p["have"] == have, p
    while have < len(data):
        have = rr.ok("put.chunk", {"off": have, "data": b64(data[have:have + 300]),
                                   "crc": crc(data[have:have + 300])})["have"]
    res = rr.ok("put.end")
    assert res["installed"] == cfgstore.CURRENT
    assert open(cfgstore.CURRENT).read() == NEW and open(cfgstore.PREVIOUS).read() == OLD
    assert [f for f in os.listdir(".") if f.endswith(".part")] == []
    # the switch happens once the reply is out and the lines are idle
    rr.poll(20)
    assert rr.rebooted == "config"
    # pull: the running config, in chunks, with a whole-file CRC
    rr2 = Rig()
    rr2.ok("login", {"pin": PIN})
    got = rr2.ok("get", {"kind": "config"})
    assert binascii.a2b_base64(got["data"]) == data and got["crc"] == crc(data)
    prev = rr2.ok("get", {"kind": "config.prev"})
    assert binascii.a2b_base64(prev["data"]) == OLD.encode()


def check_config_refused(r):
    assert cfgstore.install(OLD) is None
    r.ok("pin.set", {"new": PIN})
    for bad in (b'{"version": 1, "lines": [', b'[1, 2]'):
        r.ok("put.begin", {"kind": "config", "size": len(bad), "crc": crc(bad)})
        r.ok("put.chunk", {"off": 0, "data": b64(bad)})
        assert r.err("put.end") == "config"
        assert open(cfgstore.CURRENT).read() == OLD
    wrong = b'{"version": 1}'
    r.ok("put.begin", {"kind": "config", "size": len(wrong), "crc": crc(wrong) ^ 1})
    r.ok("put.chunk", {"off": 0, "data": b64(wrong)})
    assert r.err("put.end") == "crc"
    assert open(cfgstore.CURRENT).read() == OLD


def check_prompt_upload(r):
    r.ok("pin.set", {"new": PIN})
    data = bytes(range(256)) * 9
    assert r.err("put.begin", {"kind": "prompt", "name": "../x", "size": 3, "crc": 0}) == "args"
    chunk = r.ok("hello")["chunk"]   # the host sends chunks of the size the board announces
    r.ok("put.begin", {"kind": "prompt", "name": "welcome", "size": len(data), "crc": crc(data)})
    r.ok("put.chunk", {"off": 0, "data": b64(data[:chunk - 24])})
    # the transfer stops; a new one resumes
    r2 = Rig()
    r2.ok("login", {"pin": PIN})
    have = r2.ok("put.begin", {"kind": "prompt", "name": "welcome", "size": len(data), "crc": crc(data)})["have"]
    assert have == chunk - 24, have
    assert r2.err("put.chunk", {"off": have, "data": b64(data[have:have + 10]), "crc": 5}) == "crc"
    while have < len(data):
        have = r2.ok("put.chunk", {"off": have, "data": b64(data[have:have + chunk]),
                                   "crc": crc(data[have:have + chunk])})["have"]
    r2.ok("put.end")
    assert open("prompts/welcome.ulaw", "rb").read() == data
    lst = r2.ok("prompt.list")["prompts"]
    assert lst["welcome"] == [len(data), crc(data)], lst
    got = r2.ok("get", {"kind": "prompt", "name": "welcome", "off": chunk})
    assert binascii.a2b_base64(got["data"]) == data[chunk:2 * chunk]
    r2.ok("prompt.rm", {"name": "welcome"})
    assert "welcome" not in r2.ok("prompt.list")["prompts"]


def check_events_and_monitor(r):
    r.ok("pin.set", {"new": PIN})
    ev = r.app.events
    for i in range(5):
        ev.emit("ring", line=1, n=i + 1)
    got = r.ok("events", {"since": 2})
    assert [e["seq"] for e in got["events"]] == [3, 4, 5], got
    m = r.ok("monitor", {"since": 5})
    ev.emit("answer", line=1, call=7)
    r.poll(5)
    lines = [ln for ln in r.lines() if b" ev " in ln]
    evs = [json.loads(ln[ln.index(b"{"):ln.rindex(b"*")]) for ln in lines]
    assert [(e["event"], e["seq"]) for e in evs] == [("answer", 6)], evs
    # written straight into the queue, byte for byte the line frame() makes (MAGIC, CRC)
    assert lines[0] == console.frame("0", "ev", ev.text(6)).rstrip(b"\n"), lines
    for i in range(100):  # more than the ring holds, while the host is away
        ev.emit("digit", line=1, digit="5")
    r.poll(150)
    lines = r.lines()
    gaps = [ln for ln in lines if b" gap " in ln]
    assert gaps, lines[:3]
    seqs = [json.loads(ln[ln.index(b"{"):ln.rindex(b"*")])["seq"] for ln in lines if b" ev " in ln]
    assert seqs == list(range(seqs[0], 107)) and seqs[0] > 7, seqs
    r.advance(console.MONITOR_MS + 10)   # not renewed: the subscription lapses
    r.poll()
    ev.emit("release", line=1)
    r.poll(5)
    assert not [ln for ln in r.lines() if b" ev " in ln]


def _monitor_lines(r, blocks):
    # what the monitor sent over `blocks` blocks: [("ev", seq) / ("gap", from, to)]
    got = []
    for _ in range(blocks):
        r.poll()
        for ln in r.lines():
            star = ln.rindex(b"*")
            assert "%08x" % crc(ln[:star]) == ln[star + 1:].decode(), ln
            parts = ln[:star].split(b" ", 3)
            if parts[2] == b"ev":
                got.append(("ev", json.loads(parts[3])["seq"]))
            elif parts[2] == b"gap":
                g = json.loads(parts[3])
                got.append(("gap", g["from"], g["to"]))
            elif parts[2] == b"ok":
                got.append(("ok", json.loads(parts[3])))
    return got


def _covered(got):
    # every seq the monitor accounts for, in order: sent, or named in a gap line
    seqs = []
    for g in got:
        seqs += [g[1]] if g[0] == "ev" else list(range(g[1], g[2] + 1))
    return seqs


def check_monitor_falls_behind_gets_gaps_not_silence(r):
    # record-sized events (~500 bytes, as a call's record event) come faster
    # than the UART carries them (112 bytes a block): the monitor waits for
    # room in the output queue rather than drop one; what the ring overwrote
    # meanwhile arrives as a gap line, so every seq is accounted for
    r.ok("pin.set", {"new": PIN})
    ev = r.app.events
    start = r.ok("monitor")["seq"]
    for i in range(4):      # a burst the ring holds but the output queue does not
        ev.emit("note", line=1, text="x" * 450, n=i)
    got = _monitor_lines(r, 40)
    assert got == [("ev", s) for s in range(start + 1, start + 5)], got
    assert r.ok("status")["console"]["dropped"] == 0
    last = start + 4
    for i in range(40):     # one a block for 40 blocks: ~20 KB, far more than the ring
        ev.emit("note", line=1, text="y" * 450, n=i)
        r.poll()
    got = _monitor_lines(r, 300)
    assert any(g[0] == "gap" for g in got), got
    assert _covered(got) == list(range(last + 1, ev.seq + 1)), got   # each seq sent or named lost
    assert got[-1] == ("ev", ev.seq), got
    assert r.ok("status")["console"]["dropped"] == 0
    # a host that went away asks again from the last seq it saw: what the ring
    # still holds comes again, and a gap for what it no longer has
    r.send_raw(console.frame("950", "monitor", json.dumps({"since": last, "tok": r.tok})))
    got = _monitor_lines(r, 300)
    m = [g[1] for g in got if g[0] == "ok"]
    assert len(m) == 1 and m[0]["first"] > last + 1, got[:3]
    got = [g for g in got if g[0] != "ok"]
    assert got[0] == ("gap", last + 1, m[0]["first"] - 1), got[:2]
    assert _covered(got) == list(range(last + 1, ev.seq + 1)), got


def check_long_replies_are_streamed(r):
    # a reply longer than the output queue goes out whole, streamed as the UART
    # drains; the request sent right behind it waits and is answered after it
    r.ok("pin.set", {"new": PIN})
    ev = r.app.events
    for i in range(8):
        ev.emit("note", line=1, text="z" * 300, n=i)
    r.send_raw(console.frame("900", "events", json.dumps({"since": 0, "tok": r.tok})) +
               console.frame("901", "hello", "{}"))
    replies = []
    for _ in range(200):
        r.poll()
        for ln in r.lines():
            star = ln.rindex(b"*")
            assert "%08x" % crc(ln[:star]) == ln[star + 1:].decode(), ln[:60]
            parts = ln[:star].split(b" ", 3)
            replies.append((parts[1], parts[2], len(ln), json.loads(parts[3])))
    assert [x[:2] for x in replies] == [(b"900", b"ok"), (b"901", b"ok")], [x[:3] for x in replies]
    assert replies[0][2] > 800, replies[0][2]      # longer than the 800-byte output queue (server.py)
    page = replies[0][3]
    notes = [e["n"] for e in page["events"] if e["event"] == "note"]
    assert len(notes) >= 3 and notes == list(range(notes[0], notes[0] + len(notes))), page["first"]
    assert page["last"] == page["events"][-1]["seq"]
    assert replies[1][3]["proto"] == 1
    assert r.ok("status")["console"]["dropped"] == 0


def check_status_time_reboot(r):
    st = r.ok("status")
    assert st["lines"][0]["line"] == 1 and st["exts"][0]["ext"] == "101"
    assert st["auth"]["pin_set"] is False and st["config_name"] == "Test office"
    assert r.err("time.set", {"utc": 1800000000}) == "pin_unset"
    r.ok("pin.set", {"new": PIN})
    res = r.ok("time.set", {"utc": 1800000000})
    assert res["utc"] == 1800000000 and res["was"] == 1700000000
    assert r.ok("time.get")["utc"] == 1800000000
    r.ok("reboot")
    r.poll(20)
    assert r.rebooted == "reboot"


def check_factory_reset(r):
    assert cfgstore.install(OLD) is None
    r.ok("pin.set", {"new": PIN})
    assert r.err("factory_reset") == "args"
    r.ok("factory_reset", {"confirm": "erase"})
    r.poll(20)
    assert r.rebooted == "factory"
    left = [f for f in os.listdir(".") if f != "prompts"]
    assert left == [], left
    assert Rig().ok("hello")["pin_set"] is False


def check_idle_poll_allocates_nothing(r):
    try:
        import micropython
        lock = micropython.heap_lock
    except (ImportError, AttributeError):
        return "skip"  # CPython has no heap lock: shown as skipped, proved under micropython
    r.poll(3)
    lock()
    try:
        for _ in range(100):
            r.con.poll()
    finally:
        micropython.heap_unlock()


# Values of the wrong type or out of any range, for every argument a command reads
JUNK = (None, 0, -1, 1 << 70, -(1 << 70), 1.5, 1e300, "x", "", [], {}, [1], {"a": 1}, True, "\u00ff")
ARG_KEYS = ("utc", "mode", "line", "result", "confirm", "since", "from", "name", "kind", "size", "crc",
            "off", "data", "pin", "new", "old")


def _answered(r, rid):
    kind, payload = r.reply(rid)
    assert kind in ("ok", "err"), kind
    return kind, payload


def _sweep(r, logged_in):
    from rrfw.console import commands
    n = 0
    for verb in sorted(commands.COMMANDS):
        if verb in ("reboot", "factory_reset") or (logged_in and verb in ("login", "pin.set", "logout")):
            continue   # these end the session or restart the board by design (their own checks)
        for i, k in enumerate(ARG_KEYS):
            if logged_in:
                r.ok("login", {"pin": "731902"})
            for j in range(4):   # four of the values per argument, in turn: every value, every command
                v = JUNK[(i * 4 + j + n) % len(JUNK)]
                kind, payload = r.req(verb, {k: v})   # r.poll raises whatever the console lets out
                assert kind in ("ok", "err"), (verb, k, v)
                n += 1
    return n


def check_no_frame_stops_the_console(r):
    n = _sweep(r, False)                 # before any PIN
    r.ok("pin.set", {"new": "731902"})
    n += _sweep(r, True)                 # and behind the PIN
    r.con.monitor_stop()
    # bytes that are not UTF-8 where the command and the protocol tag go
    for body in (b"~RR1 5 \xff\xfe {}", b"~RR\xff 6 hello {}", b"~RR1 7 hel\xc3lo {}",
                 b'~RR1 8 hello {"a": "\xff"}'):
        r.send_raw(body + b"*" + ("%08x" % crc(body)).encode() + b"\n")
        kind, p = _answered(r, body.split(b" ")[1].decode())
        assert kind == "err" and p["code"] in ("frame", "args", "version"), (body, p)
    assert r.ok("hello")["proto"] == 1
    assert n > 500, n


def check_flood_gets_busy_not_silence(r):
    # hello's replies go in whole (status's is longer than the output queue: streamed,
    # and a request behind a streamed reply waits in the UART, never busy)
    r.send_raw(b"".join(console.frame(str(100 + i), "hello", "{}") for i in range(40)))
    got = {}
    for _ in range(400):
        r.poll()
        for line in r.lines():
            parts = line[:line.rindex(b"*")].split(b" ", 3)
            got[parts[1].decode()] = (parts[2].decode(), json.loads(parts[3]))
    assert len(got) > 10, len(got)
    kinds = [k if k == "ok" else p["code"] for k, p in got.values()]
    assert "ok" in kinds and "busy" in kinds, kinds
    assert set(kinds) <= {"ok", "busy"}, kinds
    busy = [p for k, p in got.values() if k == "err"]
    assert busy[0]["retry_ms"] > 0
    st = r.ok("status")
    assert st["console"]["busy"] >= len(busy) and st["console"]["busy"] + st["console"]["dropped"] > 0


def check_time_set_refuses_absurd_times(r):
    r.ok("pin.set", {"new": "731902"})
    for utc in (0, -1, 1 << 40, 1 << 70, 1.5, "1800000000", 946684800, 2147483648):
        assert r.err("time.set", {"utc": utc}) == "args", utc
    assert r.ok("time.get")["utc"] == 1700000000
    assert r.ok("time.set", {"utc": 1800000000})["utc"] == 1800000000


def check_command_code_goes_after_a_quiet_minute(r):
    # the commands and what they loaded for a request (the config check) are heap
    # only while a technician works: a quiet minute later they are unloaded
    assert cfgstore.install(OLD) is None
    r.ok("pin.set", {"new": PIN})
    bad = b'[1, 2]'
    r.ok("put.begin", {"kind": "config", "size": len(bad), "crc": crc(bad)})
    r.ok("put.chunk", {"off": 0, "data": b64(bad)})
    assert r.err("put.end") == "config"
    assert "rrfw.console.commands" in sys.modules and "rrfw.store.cfgcheck" in sys.modules
    r.advance(61000)
    r.poll()
    assert "rrfw.console.commands" not in sys.modules and "rrfw.store.cfgcheck" not in sys.modules
    r.ok("login", {"pin": PIN})                         # the session ended with the quiet minute
    r.ok("put.begin", {"kind": "config", "size": len(bad), "crc": crc(bad)})
    r.ok("put.chunk", {"off": 0, "data": b64(bad)})
    assert r.err("put.end") == "config"                 # loaded again, the check with them
    assert "rrfw.store.cfgcheck" in sys.modules
    assert open(cfgstore.CURRENT).read() == OLD


def check_the_monitor_lease_needs_no_session_code(r):
    # a technician who only watches: after the quiet time the commands and auth.py
    # are freed; the monitor's renewals are served from the session they kept (its
    # token, lease, role), and the next command finds that same session
    r.ok("pin.set", {"new": PIN})
    r.ok("monitor")
    r.advance(11000)
    r.poll()
    assert "rrfw.console.auth" not in sys.modules and "rrfw.console.commands" not in sys.modules
    for i in range(6):          # 66 s: past SESSION_MS, open only through the renewals
        r.advance(11000)
        r.ok("monitor")
        assert "rrfw.console.auth" not in sys.modules
    assert r.req("monitor", {"tok": "0" * 32})[1]["code"] == "auth"   # another token: nothing
    r.app.events.emit("callerid", line=1, number="6175550142")
    got = _monitor_lines(r, 10)
    assert got == [("ev", r.app.events.seq)], got
    assert "rrfw.console.auth" not in sys.modules
    assert r.ok("status")["auth"]["role"] == "admin"    # loaded again: the same session
    assert "rrfw.console.auth" in sys.modules
    # the supervisor's monitor, masked with auth.py freed too
    r.ok("pin.supervisor", {"new": "97531864"})
    r.tok = None
    assert r.ok("login", {"pin": "97531864"})["role"] == "supervisor"
    r.ok("monitor")
    r.advance(11000)
    r.poll()
    assert "rrfw.console.auth" not in sys.modules
    r.app.events.emit("callerid", line=1, number="6175550142")
    r.poll(5)
    evs = [ln for ln in r.lines() if b" ev " in ln]
    assert len(evs) == 1 and b"******0142" in evs[0] and b"6175550142" not in evs[0], evs
    # the lease lapses from the kept state as from the Auth: the session with it
    r.advance(11000)
    r.poll()
    assert "rrfw.console.auth" not in sys.modules
    r.advance(auth_mod.SESSION_MS + 10)
    assert r.err("monitor") == "auth"
    assert r.ok("hello")["session"] is False


CHECKS = [("framing", check_framing), ("pin_first_use_and_lock", check_pin_first_use_and_lock),
          ("wait_after_typos", check_wait_after_typos), ("config_cut_anywhere", check_config_cut_anywhere),
          ("config_refused", check_config_refused), ("prompt_upload", check_prompt_upload),
          ("events_and_monitor", check_events_and_monitor),
          ("monitor_falls_behind_gets_gaps_not_silence", check_monitor_falls_behind_gets_gaps_not_silence),
          ("long_replies_are_streamed", check_long_replies_are_streamed),
          ("status_time_reboot", check_status_time_reboot),
          ("factory_reset", check_factory_reset), ("idle_poll_allocates_nothing", check_idle_poll_allocates_nothing),
          ("no_frame_stops_the_console", check_no_frame_stops_the_console),
          ("flood_gets_busy_not_silence", check_flood_gets_busy_not_silence),
          ("time_set_refuses_absurd_times", check_time_set_refuses_absurd_times),
          ("command_code_goes_after_a_quiet_minute", check_command_code_goes_after_a_quiet_minute),
          ("the_monitor_lease_needs_no_session_code", check_the_monitor_lease_needs_no_session_code)]


def call_in(workdir):
    """How the runner calls a check: in a fresh folder of its own, on a new rig."""
    def call(name, check):
        fresh(workdir, name)
        return check(Rig())
    return call


if __name__ == "__main__":
    import caserun
    caserun.main(CHECKS, call_in(sys.argv[1]), sys.argv[2:])
