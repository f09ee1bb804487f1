"""The attacker's suite, part 3 over the wire (issue 16): a console session is
its own client's. The firmware runs under micropython on the emulated board
(`ringroute emulate --pty`); the first client is `ringroute`'s own session
layer over pyserial, the second another program on the same pty: plain
pyserial, not honouring the lock `ringroute` takes (flock is advisory), as
an attacker's script would not."""
import json
import time

import pytest
import serial

from emuboard import one_call_board
from ringroute import framing, session, transport

PIN = "731902"
NUMBER = "6175550142"
SPEED = 4.0
# s of emulated time: well after both clients have had their turn (their three PIN
# hashes, 2.56 s each, run at compute speed but count in the board's time: BF_BUSY)
CALL_AT = 100.0


class Stranger:
    """Another program on the port: frames by hand, whatever token it likes."""

    def __init__(self, port):
        self.ser = serial.Serial(port, timeout=0.05)     # no exclusive lock
        self.rid = 70000
        self.heard = []          # every protocol line it read

    def req(self, verb, args=None, timeout=8.0):
        self.rid += 1
        rid = str(self.rid)
        self.ser.write(framing.encode(rid, verb, args or {}))
        buf = b""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            buf += self.ser.read(256)
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                msg = framing.decode(line.rstrip(b"\r"))
                if msg is None:
                    continue
                self.heard.append(msg)
                if msg[0] == rid:
                    return msg[1], msg[2]
        raise AssertionError("no reply to %s" % verb)

    def listen(self, seconds):
        buf = b""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            buf += self.ser.read(256)
        for line in buf.split(b"\n"):
            msg = framing.decode(line.rstrip(b"\r")) if line.startswith(b"~RR") else None
            if msg:
                self.heard.append(msg)

    def close(self):
        self.ser.close()


def _client(port):
    b = session.Board(transport.Transport(port).open())
    b.hello()
    return b


def _refused(stranger, verb, args=None):
    kind, p = stranger.req(verb, args)
    assert kind == "err" and p["code"] == "auth", (verb, args, kind, p)


PRIVATE = [("events", {}), ("monitor", {}), ("records.masked", {}), ("records.list", {}),
           ("get", {"kind": "config"}), ("get", {"kind": "records"}),
           ("privacy.export", {"number": NUMBER}), ("time.set", {"utc": 1900000000}),
           ("override", {"mode": "night"}), ("put.begin", {"kind": "config", "size": 1, "crc": 0})]


@pytest.mark.micropython
def test_a_second_client_without_the_token_is_refused_while_the_first_keeps_working(tmp_path):
    with one_call_board(tmp_path, NUMBER, at=CALL_AT, after_connect=2.0, speed=SPEED) as board:
        first = second = stranger = None
        try:
            first = _client(board.port)
            first.login(PIN)                                   # first use: this becomes the PIN
            assert first.token and first.request("status")["exts"][0]["name"]
            first.request("events")
            stranger = Stranger(board.port)
            kind, hello = stranger.req("hello")
            assert kind == "ok" and hello["session"] is False
            for verb, args in PRIVATE:
                _refused(stranger, verb, args)
                _refused(stranger, verb, dict(args, tok="0" * 32))        # a made-up token
            kind, st = stranger.req("status")
            assert kind == "ok" and all(e["name"] is None for e in st["exts"]) and st["auth"]["role"] is None
            assert first.token not in json.dumps(stranger.heard)          # no reply ever shows it
            assert stranger.req("logout") == ("ok", {"ended": False})     # nor ends it
            # the first client, on the same port all along, keeps its session
            st = first.request("status")
            assert st["exts"][0]["name"] and st["auth"]["role"] == "admin"
            assert first.request("events")["seq"] >= 1
            # the first client is killed (no logout): its session is open, and still not the stranger's
            old = first.token
            first.t.close()
            for verb, args in PRIVATE[:4]:
                _refused(stranger, verb, args)
            # a new login (another ringroute, with the PIN) replaces the token: the old one opens nothing
            second = _client(board.port)
            second.login(PIN)
            assert second.token != old
            second.request("events")
            _refused(stranger, "events", {"tok": old})
            # and this one is killed with its monitor running: no logout, no monitor.stop
            second.request("monitor")                           # the lease is open (30 s)
            second.t.close()
            early = board.events()
            seq = stranger.req("hello")[1]["seq"]               # the next program on the port
            # the test means something only if the call comes after that hello
            assert not [e for e in early if e.get("event") in ("ring", "answer", "record")], \
                "the call rang before the stranger's hello: CALL_AT is too early for this machine"
            for verb, args in PRIVATE[:3]:
                _refused(stranger, verb, args)
                _refused(stranger, verb, dict(args, tok=old))
            # the call rings after that hello: not a byte of it reaches this program
            stranger.heard = []
            t_end = time.time() + 120
            done = False
            while time.time() < t_end and not done:
                stranger.listen(0.5)
                done = any(e.get("event") == "record" for e in board.events())
            assert done, "the call did not end in time"
            stranger.listen(1.0)
            assert not [m for m in stranger.heard if m[1] in ("ev", "gap")], stranger.heard[:3]
            stranger.close()
            stranger = None
            with _client(board.port) as admin:
                admin.login(PIN)
                evs = admin.request("events", {"since": seq})["events"]
            assert [e for e in evs if e["event"] == "callerid" and e.get("number") == NUMBER], evs
        finally:
            if stranger is not None:
                stranger.close()
            for c in (first, second):
                if c is not None:
                    c.t.close()
