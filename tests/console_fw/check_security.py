# The attacker at the console (issue 16): probing without a PIN, sessions
# that outlive their client, trivial admin PINs, an old PIN file, a weak
# config pushed as raw JSON. Plain asserts on the Rig of check_console.py,
# run under CPython (tests/test_security_console.py) and the unix port:
#   check_security.py WORKDIR [NAME...]
import binascii
import json
import os
import sys

if __name__ == "__main__":   # run as a script: its own folder holds check_console.py
    sys.path.append(sys.argv[0].rsplit("/", 1)[0])
from check_console import Rig, fresh, PIN, b64, crc   # noqa: E402
from rrfw.console import auth as auth_mod             # noqa: E402
from rrfw.store import cfgstore, pins                  # noqa: E402


class _Talking:
    """A line whose call talks to the phone on port 0 (what status reports)."""
    line = 0
    call = 3

    def state_name(self):
        return "connected"

    def ringing_ports(self):
        return 0

    def talking_port(self):
        return 0


def check_probing_without_a_pin_shows_nothing_personal(r):
    r.app.lines = [_Talking()]
    r.ok("pin.set", {"new": PIN})
    st = r.ok("status")                      # the session pin.set opened: everything
    assert st["exts"][0]["name"] == "Front" and st["exts"][0]["line"] == 1 and st["exts"][0]["state"] == "talking"
    r.ok("logout")
    st = r.ok("status")
    ext = st["exts"][0]
    assert ext["name"] is None and ext["line"] is None and ext["state"] == "busy", ext
    assert "Front" not in json.dumps(st)
    hello = r.ok("hello")
    assert "Front" not in json.dumps(hello) and hello["session"] is False
    for verb, args in (("events", {}), ("monitor", {}), ("time.set", {"utc": 1}), ("reboot", {}),
                       ("override", {"mode": "night"}), ("factory_reset", {"confirm": "erase"}),
                       ("put.begin", {"kind": "config", "size": 1, "crc": 0}), ("prompt.rm", {"name": "x"}),
                       ("learn", {})):
        assert r.err(verb, args) == "auth", verb
    for kind in ("config", "config.prev", "records", "records.old"):
        assert r.err("get", {"kind": kind}) == "auth", kind


def check_a_session_ends_with_its_client(r):
    r.ok("pin.set", {"new": PIN})
    r.ok("events")
    r.ok("logout")                                      # logout works
    assert r.err("events") == "auth"
    r.ok("login", {"pin": PIN})
    r.ok("monitor")
    first = r.tok
    r.tok = None                                        # another program on the port: no token
    r.ok("hello")                                       # a new client on the port: the old session is not its
    assert r.err("events") == "auth"
    r.app.events.emit("ring", line=1, n=1)
    r.poll(5)
    assert not [ln for ln in r.lines() if b" ev " in ln]   # and the monitor stopped at its hello
    r.tok = first
    r.ok("events")                                      # the first client's session goes on
    r.ok("logout")
    r.ok("login", {"pin": PIN})
    r.advance(auth_mod.SESSION_MS - 100)
    r.ok("events")                                      # used in time: renewed
    r.advance(auth_mod.SESSION_MS + 10)
    assert r.err("events") == "auth"                    # idle: expired
    assert auth_mod.SESSION_MS <= 60000


def check_trivial_admin_pins_are_refused(r):
    r.app.cfg["lines"] = [{"country": "US", "number": "+1 617 555 0142"}]
    for weak in ("123456", "111111", "654321", "121212", "147258", "6175550142", "555014"):
        kind, p = r.req("pin.set", {"new": weak})
        assert kind == "err" and p["code"] == "pin_form" and "easy" in p["msg"], (weak, p)
    long = "a long passphrase, 40+ characters: fine!"
    r.ok("pin.set", {"new": long.replace(" ", "_")})
    r.ok("logout")
    r.ok("login", {"pin": long.replace(" ", "_")})
    rec = json.loads(open(auth_mod.PATH).read())
    assert rec["rounds"] == pins.ADMIN_ROUNDS


def check_an_old_pin_file_still_opens_and_is_sealed_again(r):
    # auth.json as issue 6 wrote it: 256 rounds
    salt = b"\x01" * 16
    old = {"salt": binascii.hexlify(salt).decode(), "rounds": 256,
           "hash": binascii.hexlify(pins.derive(salt, PIN, 256)).decode(), "fails": 0}
    with open(auth_mod.PATH, "w") as f:
        f.write(json.dumps(old))
    r2 = Rig()
    assert r2.err("login", {"pin": "000000"}) == "bad_pin"
    r2.ok("login", {"pin": PIN})
    rec = json.loads(open(auth_mod.PATH).read())
    assert rec["rounds"] == pins.ADMIN_ROUNDS and rec["salt"] != old["salt"] and rec["fails"] == 0
    r3 = Rig()
    r3.ok("login", {"pin": PIN})


def _push(r, data):
    r.ok("put.begin", {"kind": "config", "size": len(data), "crc": crc(data)})
    have = 0
    while have < len(data):
        have = r.ok("put.chunk", {"off": have, "data": b64(data[have:have + 300])})["have"]
    return r.req("put.end")


def _cfg(**disa):
    d = {"enabled": True, "pin": "481923", "max_attempts": 3, "lockout_ms": 1800000, "max_call_ms": 600000}
    d.update(disa)
    return {"version": 1, "lines": [{"country": "US"}], "start": "main", "extensions": {"101": {"port": 0}},
            "menus": {"main": {"greeting": ["welcome"], "keys": {"8": {"do": "disa"}}}}, "disa": d}


def check_a_weak_config_pushed_as_json_is_refused(r):
    r.ok("pin.set", {"new": PIN})
    for weak in (_cfg(pin="000000", max_attempts=1000000), _cfg(max_attempts=100), _cfg(lockout_ms=0),
                 _cfg(max_call_ms=10 ** 9), _cfg(allow=["0*"])):
        kind, p = _push(r, json.dumps(weak).encode())
        assert kind == "err" and p["code"] == "config", (weak["disa"], p)
    assert cfgstore.CURRENT not in os.listdir(".")
    kind, p = _push(r, json.dumps(_cfg()).encode())
    assert kind == "ok", p
    text = open(cfgstore.CURRENT).read()
    assert "481923" not in text and "pin_hash" in text      # sealed before it reached the flash
    got = binascii.a2b_base64(r.ok("get", {"kind": "config"})["data"])
    assert b"481923" not in got


SUP = "583920"     # the supervisor's PIN (issue 12)
NUMBER = "6175550142"


def check_the_supervisor_pin_can_only_look(r):
    r.app.lines = [_Talking()]
    r.ok("pin.set", {"new": PIN})
    assert r.err("pin.supervisor", {"new": PIN}) == "pin_same"        # never the admin's own
    assert r.err("pin.supervisor", {"new": "111111"}) == "pin_form"   # the admin PIN's rules
    assert r.ok("pin.supervisor", {"new": SUP}) == {"supervisor_set": True}
    r.app.records.append({"call": 1, "caller": NUMBER, "caller_name": "J SMITH", "outcome": "connected"})
    r.app.events.emit("callerid", line=1, number=NUMBER, name="J SMITH")
    r.ok("logout")
    assert r.ok("login", {"pin": SUP})["role"] == "supervisor"
    st = r.ok("status")                       # looks: the status with the staff's names
    assert st["exts"][0]["name"] == "Front" and st["auth"]["role"] == "supervisor"
    ev = json.dumps(r.ok("events"))           # the event log, the caller masked
    assert NUMBER not in ev and "******0142" in ev and "SMITH" not in ev, ev
    recs = r.ok("records.masked")             # the records a report reads, masked
    assert recs["records"] == [{"call": 1, "caller": "******0142", "caller_name": None, "outcome": "connected"}]
    r.ok("monitor", {"since": 0})             # the live monitor, masked
    r.app.events.emit("callerid", line=1, number=NUMBER, name="J SMITH")
    r.poll(5)
    live = b"".join(ln for ln in r.lines() if b" ev " in ln)
    assert b"******0142" in live and NUMBER.encode() not in live and b"SMITH" not in live, live
    r.ok("monitor.stop")
    # and it changes nothing, reads no full record, no config
    for verb, args in (("time.set", {"utc": 1800000000}), ("reboot", {}), ("override", {"mode": "night"}),
                       ("factory_reset", {"confirm": "erase"}), ("learn", {}),
                       ("put.begin", {"kind": "config", "size": 1, "crc": 0}), ("prompt.rm", {"name": "x"}),
                       ("privacy.export", {"number": NUMBER}), ("privacy.erase", {"number": NUMBER}),
                       ("records.list", {}), ("records.mark", {"seg": 1, "off": 0}),
                       ("pin.supervisor", {"new": "902817"}), ("pin.supervisor", {"new": None})):
        assert r.err(verb, args) == "role", verb
    for kind in ("config", "config.prev", "records", "records.old"):
        assert r.err("get", {"kind": kind, "seg": 1}) == "role", kind
    assert r.err("pin.set", {"old": SUP, "new": "902817"}) == "bad_pin"   # nor the admin's PIN
    assert r.rebooted is None and r.app.records.read_all()[0]["caller"] == NUMBER
    # the admin still can, and may take the supervisor's PIN away
    r.ok("logout")
    assert r.ok("login", {"pin": PIN})["role"] == "admin"
    assert NUMBER in json.dumps(r.ok("events"))
    assert r.ok("get", {"kind": "records"})["size"] > 0
    r.ok("pin.supervisor", {"new": None})
    r.ok("logout")
    assert r.err("login", {"pin": SUP}) == "bad_pin"


def _stranger(r, verb, args=None):
    """A request from another program on the port: no token, or one it made up."""
    mine = r.tok
    r.tok = None
    try:
        return r.req(verb, args)
    finally:
        r.tok = mine


def check_a_session_is_its_clients_token(r):
    r.app.lines = [_Talking()]
    first = r.ok("pin.set", {"new": PIN})["token"]
    assert type(first) is str and len(first) == 2 * auth_mod.TOKEN_BYTES, first
    int(first, 16)
    again = r.ok("login", {"pin": PIN})["token"]           # a new login: a new token, not the same one
    assert again != first
    r.tok = first
    assert r.err("events") == "auth"                        # the replaced token opens nothing
    r.tok = again
    r.ok("events")
    r.ok("monitor")
    # another program on the port, while the session is open: nothing the
    # session could see, nothing it could change; its guesses and its logout
    # touch nothing
    for verb, args in (("events", {}), ("monitor", {}), ("records.masked", {}), ("time.set", {"utc": 1800000000}),
                       ("reboot", {}), ("privacy.export", {"number": "6175550142"}),
                       ("put.begin", {"kind": "config", "size": 1, "crc": 0})):
        for tok in (None, "", "0" * 32, first, again[:-1] + ("0" if again[-1] != "0" else "1")):
            kind, p = _stranger(r, verb, dict(args, tok=tok) if tok is not None else args)
            assert kind == "err" and p["code"] == "auth", (verb, tok, p)
    for kind in ("config", "records"):
        k, p = _stranger(r, "get", {"kind": kind})
        assert k == "err" and p["code"] == "auth", (kind, p)
    k, st = _stranger(r, "status")
    assert k == "ok" and st["exts"][0]["name"] is None and st["exts"][0]["line"] is None, st
    assert st["auth"]["role"] is None and again not in json.dumps(st), st["auth"]
    k, p = _stranger(r, "logout")
    assert k == "ok" and p == {"ended": False}, p
    k, p = _stranger(r, "hello")
    assert k == "ok" and p["session"] is False
    # the first client keeps working: its session, its names, its events
    st = r.ok("status")
    assert st["exts"][0]["name"] == "Front" and st["auth"]["role"] == "admin"
    assert r.ok("hello")["session"] is True
    r.ok("events")
    # its own logout ends it: the token opens nothing after
    assert r.ok("logout") == {"ended": True}
    r.tok = again
    assert r.err("events") == "auth"
    # a session idle past SESSION_MS: its token is gone with it
    r.tok = None
    tok = r.ok("login", {"pin": PIN})["token"]
    r.advance(auth_mod.SESSION_MS + 10)
    assert r.err("events") == "auth"
    assert r.con.get_auth().token is None and r.ok("hello")["session"] is False
    r.tok = tok
    assert r.ok("status")["exts"][0]["name"] is None       # an expired token: status as anyone sees it


def check_the_monitor_ends_with_its_session(r):
    r.ok("pin.set", {"new": PIN})
    r.ok("monitor")
    r.advance(auth_mod.SESSION_MS + 10)                     # the client vanished (kill -9): no logout
    r.app.events.emit("callerid", line=1, number="6175550142")
    r.poll(5)
    assert not [ln for ln in r.lines() if b" ev " in ln]   # the stream ended with the session
    r.tok = None
    r.ok("login", {"pin": PIN})
    r.ok("monitor")
    r.lines()
    r.tok = None
    r.ok("login", {"pin": PIN})                             # a newer login: the old monitor was not its
    r.app.events.emit("callerid", line=1, number="6175550142")
    r.poll(5)
    assert not [ln for ln in r.lines() if b" ev " in ln]


def _agents(r):
    from rrfw.call import agents
    cfg = {"extensions": {"101": {"port": 0}, "102": {"port": 1}}, "agents": {},
           "groups": {"sales": {"members": ["101", "102"]}, "help": {"members": ["101"]}}}
    r.app.cfg.update(cfg)
    r.app.agents = agents.Agents(r.app.cfg, 2, r.app.events.emit)
    return r.app.agents


def _agent_events(r):
    return [e for e in r.ok("events")["events"] if e.get("event") == "agent"]


def check_agent_set_is_the_admins(r):
    ag = _agents(r)
    r.ok("pin.set", {"new": PIN})
    assert r.ok("agent.set", {"ext": "101", "do": "pause", "reason": "lunch"}) == \
        {"ext": "101", "do": "pause", "status": "paused", "reason": "lunch"}
    assert ag.state_name(0, 0) == "paused"
    ev = _agent_events(r)[-1]
    assert ev["ext"] == "101" and ev["state"] == "paused" and ev["reason"] == "lunch" and ev["why"] == "console"
    assert json.loads(open(agents_path()).read())["101"][:2] == [2, "lunch"]   # kept across a reboot
    assert r.ok("agent.set", {"ext": "101", "do": "unpause"})["status"] == "available"
    assert r.err("agent.set", {"ext": "101", "do": "unpause"}) == "agent"   # not paused: nothing to undo
    assert r.ok("agent.set", {"ext": "102", "do": "dnd"})["status"] == "dnd"
    assert r.ok("agent.set", {"ext": "102", "do": "dnd_off"})["status"] == "available"
    assert r.ok("agent.set", {"ext": "101", "do": "logout_group", "group": "help"})["status"] == "available"
    assert ag.groups_out(0) == ["help"]
    assert r.err("agent.set", {"ext": "102", "do": "login_group", "group": "help"}) == "agent"   # no member
    assert r.ok("agent.set", {"ext": "101", "do": "logout"})["status"] == "logged_out"
    assert r.ok("agent.set", {"ext": "101", "do": "login"})["status"] == "available"
    for bad in ({"ext": "999", "do": "login"}, {"ext": 101, "do": "login"}, {"ext": "101", "do": "nap"},
                {"ext": "101", "do": "pause", "reason": ""}, {"ext": "101", "do": "pause", "reason": "x" * 17},
                {"ext": "101", "do": "login_group", "group": "nope"}):
        assert r.err("agent.set", bad) == "args", bad
    assert r.ok("agent.set", {"ext": "101", "do": "pause"})["reason"] is None   # a reason is optional
    # the supervisor's session only looks
    r.ok("pin.supervisor", {"new": SUP})
    r.ok("logout")
    r.ok("login", {"pin": SUP})
    assert r.err("agent.set", {"ext": "101", "do": "unpause"}) == "role"
    assert ag.state_name(0, 0) == "paused"
    r.ok("logout")
    assert r.err("agent.set", {"ext": "101", "do": "unpause"}) == "auth"    # nor anyone without a PIN
    # a config without an agents section: every extension is always available
    r.ok("login", {"pin": PIN})
    r.app.cfg.pop("agents")
    from rrfw.call import agents
    r.app.agents = agents.Agents(r.app.cfg, 2, r.app.events.emit)
    assert r.err("agent.set", {"ext": "101", "do": "pause"}) == "state"


def agents_path():
    from rrfw.call import agents
    return agents.PATH


CHECKS = [("probing_without_a_pin", check_probing_without_a_pin_shows_nothing_personal),
          ("session_ends_with_its_client", check_a_session_ends_with_its_client),
          ("session_is_its_clients_token", check_a_session_is_its_clients_token),
          ("monitor_ends_with_its_session", check_the_monitor_ends_with_its_session),
          ("trivial_admin_pins", check_trivial_admin_pins_are_refused),
          ("old_pin_file", check_an_old_pin_file_still_opens_and_is_sealed_again),
          ("weak_config_pushed", check_a_weak_config_pushed_as_json_is_refused),
          ("supervisor_only_looks", check_the_supervisor_pin_can_only_look),
          ("agent_set_is_the_admins", check_agent_set_is_the_admins)]


def call_in(workdir):
    def call(name, check):
        fresh(workdir, name)
        return check(Rig())
    return call


if __name__ == "__main__":
    import caserun
    caserun.main(CHECKS, call_in(sys.argv[1]), sys.argv[2:])
