"""The technician's tools against the emulated board through a real pty.

The firmware runs under the `micropython` binary (`ringroute emulate --pty`);
the host side is what a technician runs: the `ringroute` CLI over pyserial,
and the real mpremote (always with a timeout)."""
import binascii
import json
import math
import os
import shutil
import struct
import subprocess
import time
import wave

import pytest

from emuboard import EmuBoard, cli, mpremote
from ringroute import framing, session, transport

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIN = "731902"


def _config(name="Test Office", pad=0, prompts=("hello", "bye")):
    with open(os.path.join(ROOT, "tests", "data", "basic.json")) as f:
        cfg = json.load(f)
    cfg["name"] = name
    cfg["menus"]["main"]["greeting"] = list(prompts)
    cfg["menus"]["main"]["short"] = list(prompts[:1])
    cfg["menus"]["main"]["invalid_prompt"] = list(prompts[:1])
    cfg["menus"]["main"]["timeout_prompt"] = list(prompts[:1])
    cfg["menus"]["main"]["keys"]["1"]["else"]["prompts"] = list(prompts[1:])
    cfg["menus"]["main"]["keys"]["9"]["prompts"] = list(prompts[1:])
    if pad:
        cfg["extensions"]["103"]["name"] = "Dr Patel " + "x" * pad
    return cfg


def _tone_wav(path, hz, seconds, rate=16000, amp=8000):
    w = wave.open(str(path), "wb")
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(rate)
    w.writeframes(b"".join(struct.pack("<h", int(amp * math.sin(2 * math.pi * hz * i / rate)))
                           for i in range(int(rate * seconds))))
    w.close()


def _office(tmp, **kw):
    """An office folder: office.json and prompts/hello.wav, prompts/bye.wav."""
    d = tmp / "office"
    (d / "prompts").mkdir(parents=True)
    _tone_wav(d / "prompts" / "hello.wav", 440, 0.5)
    _tone_wav(d / "prompts" / "bye.wav", 660, 0.4, rate=44100)
    with open(d / "office.json", "w") as f:
        json.dump(_config(**kw), f)
    return d


@pytest.fixture
def board(tmp_path):
    b = EmuBoard(tmp_path, config=_config("Factory default"), speed=4.0).start()
    yield b
    b.stop()


def _open(port, pin=None):
    t = transport.Transport(port).open()
    b = session.Board(t)
    b.hello()
    if pin:
        b.login(pin)
    return b


def test_console_pty_mpremote_fs_ls_and_cp(board, tmp_path):
    rc, out, err = mpremote(board.port, "fs", "ls")
    assert rc == 0, err
    assert "config.json" in out and "prompts/" in out
    src = tmp_path / "notes.txt"
    src.write_bytes(bytes(range(256)) * 20)
    back = tmp_path / "back.txt"
    rc, out, err = mpremote(board.port, "fs", "cp", str(src), ":notes.txt", "+", "fs", "cp", ":notes.txt", str(back))
    assert rc == 0, err
    assert back.read_bytes() == src.read_bytes()
    assert (tmp_path / "flash" / "notes.txt").read_bytes() == src.read_bytes()  # on the board's flash, not the host's /
    # mpremote leaves the board in its REPL; the next ringroute command brings the app back
    rc, out, err = cli("status", "--port", board.port)
    assert rc == 0, err
    assert "Factory default" in out
    # an mpremote killed while the board runs its code: Ctrl-C still takes the board back
    with pytest.raises(subprocess.TimeoutExpired):
        mpremote(board.port, "exec", "while True: pass", timeout=3)
    rc, out, err = cli("status", "--port", board.port)
    assert rc == 0 and "Factory default" in out, err


def test_console_pty_push_status_pull_prompts_records(board, tmp_path):
    office = _office(tmp_path)
    from ringroute.transport import find_ports
    assert board.port in [p["port"] for p in find_ports()]  # what `ringroute ports` lists
    rc, out, err = cli("push", office / "office.json", "--port", board.port, "--pin", PIN)
    assert rc == 0, err
    assert "2 prompt(s) uploaded" in out and "no admin PIN" in err  # first use set the PIN
    flash = tmp_path / "flash"
    assert (flash / "prompts" / "hello.ulaw").stat().st_size == 4000  # 0.5 s at 8 kHz, 1 byte a sample
    assert json.loads((flash / "config.json").read_text())["name"] == "Test Office"
    assert json.loads((flash / "config.prev.json").read_text())["name"] == "Factory default"
    # the same push again sends only the config
    rc, out, err = cli("push", office / "office.json", "--port", board.port, "--pin", PIN)
    assert rc == 0 and "0 prompt(s) uploaded" in out and "2 already on the board" in out, out + err
    assert "already runs this config" in out
    rc, out, err = cli("status", "--port", board.port)
    assert rc == 0, err
    assert "Test Office" in out and "ext 101" in out and "admin PIN  set" in out
    rc, out, err = cli("pull", "--port", board.port, "--pin", PIN)
    assert rc == 0, err
    assert json.loads(out) == _config()
    wav = tmp_path / "greeting.wav"
    _tone_wav(wav, 1000, 0.8, rate=22050, amp=20000)
    rc, out, err = cli("prompts", "add", "greeting", wav, "--port", board.port, "--pin", PIN)
    assert rc == 0, err
    assert "-20.0 dBm0" in out
    assert len((flash / "prompts" / "greeting.ulaw").read_bytes()) == 6400  # 0.8 s at 8 kHz
    rc, out, err = cli("records", "--port", board.port, "--pin", "000000")
    assert rc == 5 and "wrong PIN" in err and "Traceback" not in err
    with _open(board.port, PIN) as b:
        assert json.loads(b.get_file("config.prev"))["name"] == "Factory default"  # kept by the repeat push
        assert set(b.prompt_list()) == {"hello", "bye", "greeting"}
        r = b.request("time.set", {"utc": 1900000000})
        assert b.request("time.get")["utc"] - 1900000000 in (0, 1, 2)
        assert b.get_file("records") is None  # no calls yet
    rc, out, err = cli("board", "pin", "--port", board.port, "--pin", PIN, "--new", "NEW-PIN-42")
    assert rc == 0 and "changed" in out, err
    rc, out, err = cli("board", "factory-reset", "--yes", "--port", board.port, "--pin", "NEW-PIN-42")
    assert rc == 0, err
    time.sleep(0.5)
    with _open(board.port) as b:
        assert b.info["pin_set"] is False
        assert b.request("status")["config"].startswith("config.json: missing")
    assert sorted(os.listdir(flash)) == ["prompts"] and os.listdir(flash / "prompts") == []


def test_console_pty_wrong_pin_refused_then_locked(tmp_path):
    b = EmuBoard(tmp_path, config=_config(), speed=10.0).start()
    try:
        with _open(b.port) as board:
            board.login(PIN)  # first use: this becomes the PIN
        rc, out, err = cli("pull", "--port", b.port, "--pin", "123123")
        assert rc == 5 and "wrong PIN" in err, err
        codes = []
        with _open(b.port) as board:
            # ten wrong PINs at most; a "wait" (asked too soon) is no try: the board's
            # clock runs at 10x real time when the machine keeps up, slower when loaded
            t_end = time.time() + 120
            while len([c for c in codes if c != "wait"]) < 10 and time.time() < t_end:
                try:
                    board.login("999999")
                except session.AuthError as e:
                    codes.append(e.code)
                    if e.code == "locked":
                        break
                    time.sleep(e.extra.get("retry_ms", 0) / 10000.0 + 0.05)
            assert codes[-1] == "locked", codes
            assert codes[0] == "bad_pin", codes
            with pytest.raises(session.AuthError) as ei:
                board.login(PIN)  # even the right PIN while locked
            assert ei.value.code == "locked"
        rc, out, err = cli("pull", "--port", b.port, "--pin", PIN)
        assert rc == 5 and "locked" in err, err
        with _open(b.port) as board:
            assert board.request("status")["auth"]["locked"] is True
    finally:
        b.stop()


def test_console_pty_push_cut_off_keeps_previous_config(tmp_path):
    b = EmuBoard(tmp_path, config=_config("Old Office"), speed=4.0).start()
    new = json.dumps(_config("New Office", pad=3000)).encode()
    crc = binascii.crc32(new)
    try:
        with _open(b.port, PIN):
            pass
        for chunks in (0, 1, 2, 3):
            board = _open(b.port, PIN)
            have = board.request("put.begin", {"kind": "config", "size": len(new), "crc": crc})["have"]
            for _ in range(chunks):
                if have >= len(new):
                    break
                piece = new[have:have + board.info["chunk"]]   # the chunk size the board announced
                have = board.request("put.chunk", {"off": have, "data": binascii.b2a_base64(piece).decode()})["have"]
            if chunks == 2:  # cut in the middle of a line
                half = framing.encode("77", "put.chunk", {"off": have, "data": "AAAA" * 200})
                board.t.write(half[:len(half) // 2])
            board.t.close()  # the cable is pulled
            with _open(b.port, PIN) as check:
                got = json.loads(check.get_file("config"))
                assert got["name"] == "Old Office", chunks
                assert check.request("status")["config_name"] == "Old Office"
        with _open(b.port, PIN) as board:  # pushing again resumes and completes
            assert board.put_file("config", new)["switch"] == "now"
        time.sleep(0.3)
        with _open(b.port) as board:
            assert board.request("status")["config_name"] == "New Office"
    finally:
        b.stop()


@pytest.mark.slow
def test_console_pty_power_cut_during_push_keeps_previous_config(tmp_path):
    b = EmuBoard(tmp_path, config=_config("Old Office"), speed=4.0).start()
    new = json.dumps(_config("New Office", pad=3000)).encode()
    try:
        board = _open(b.port, PIN)
        board.request("put.begin", {"kind": "config", "size": len(new), "crc": binascii.crc32(new)})
        piece = new[:board.info["chunk"]]
        board.request("put.chunk", {"off": 0, "data": binascii.b2a_base64(piece).decode()})
    finally:
        b.stop()  # the power goes: the firmware process is killed mid-upload
    b2 = EmuBoard(tmp_path, flash=b.flash, speed=4.0).start()
    try:
        with _open(b2.port, PIN) as check:
            assert check.request("status")["config_name"] == "Old Office"
            res = check.put_file("config", new)  # the interrupted push resumes and completes
            assert res["installed"] == "config.json"
        time.sleep(0.5)
        with _open(b2.port, PIN) as check:
            assert check.request("status")["config_name"] == "New Office"
            assert json.loads(check.get_file("config.prev"))["name"] == "Old Office"
    finally:
        b2.stop()


CALL = """
description: a short call, then a long one answered by reception
calls:
  - at: 1.0
    line: 1
    caller_id: "5551234567"
    keys: [{at: 2.0, digits: "1"}]
    hangup: {after: 12.0, method: cpc}
  - at: 20.0
    line: 1
    caller_id: "5559876543"
    keys: [{at: 2.0, digits: "1"}]
    hangup: {after_connect: 120.0, method: cpc}
extensions:
  "101": {answer_after: 1.0}
"""


def test_console_pty_monitor_then_ctrl_c_reaches_the_repl_during_a_call(tmp_path):
    script = tmp_path / "call.yaml"
    script.write_text(CALL)
    b = EmuBoard(tmp_path, config=_config(), script=str(script), speed=3.0).start()
    try:
        with _open(b.port, PIN):
            pass
        rc, out, err = cli("monitor", "--port", b.port, "--pin", PIN, "--since", "0", "--json", "--count", "3",
                           "--seconds", "30")
        assert rc == 0, err
        evs = [json.loads(ln) for ln in out.splitlines()]
        assert [e["event"] for e in evs][:2] == ["boot", "ring"], evs
        assert [e["seq"] for e in evs] == sorted(e["seq"] for e in evs)
        # the first call ends: its record can be taken away
        t_end = time.time() + 40
        while time.time() < t_end and not (tmp_path / "flash" / "rec000001.bin").exists():
            time.sleep(0.2)
        csv_path = tmp_path / "calls.csv"
        rc, out, err = cli("records", "--port", b.port, "--pin", PIN, "-o", csv_path, "--full")
        assert rc == 0, err
        rows = csv_path.read_text().splitlines()
        assert rows[0].startswith("call,line,caller") and len(rows) == 2, rows
        assert "5551234567" in rows[1]
        # without --full (issue 12): the number masked, the name left out
        rc, out, err = cli("records", "--port", b.port, "--pin", PIN, "-o", csv_path)
        rows = csv_path.read_text().splitlines()
        assert rc == 0 and "******4567" in rows[1] and "5551234567" not in rows[1], rows
        # wait until the second call is up (answered: the line is off-hook)
        with _open(b.port, PIN) as board:
            t_end = time.time() + 40
            while time.time() < t_end:
                lines = board.request("status")["lines"]
                if lines[0]["state"] in ("ivr", "routing", "connected") and lines[0]["call"] == 2:
                    break
                time.sleep(0.2)
            assert lines[0]["state"] in ("ivr", "routing", "connected"), lines
            t = board.t
            # a stray Ctrl-C (issue 15) drops nothing: the call goes on, the console answers
            t.write(b"\x03")
            time.sleep(1.5)
            assert board.request("status")["lines"][0]["call"] == 2
            # a technician's Ctrl-C Ctrl-C: the board says what is up and waits for idle lines
            t.write(b"\x03\x03")
            seen = b""
            t_end = time.time() + 10
            while b"Ctrl-C three times" not in seen and time.time() < t_end:
                seen += t.read_some()
            assert b"the REPL was asked for during 1 call(s) (line 1 " in seen and b"call 2" in seen, seen
            time.sleep(1.5)
            t.drain()
            assert board.request("status")["lines"][0]["call"] == 2
            # three more: the call is cut, with its record, and the REPL opens
            t.write(b"\x03\x03\x03")
            seen = b""
            t_end = time.time() + 10
            while b">>> " not in seen and time.time() < t_end:
                seen += t.read_some()
            assert b"KeyboardInterrupt" in seen and b">>> " in seen, seen
            assert b"calls cut for the REPL" in seen, seen
            t.write(b"print(6 * 7)\r")
            seen = b""
            t_end = time.time() + 10
            while b"42" not in seen and time.time() < t_end:
                seen += t.read_some()
            assert b"42" in seen, seen
            t.write(b"\x04")  # soft reset: the app starts again
            seen = b""
            t_end = time.time() + 10
            while b"soft reboot" not in seen and time.time() < t_end:
                seen += t.read_some()
            assert b"MPY: soft reboot" in seen
            time.sleep(0.3)
            t.drain()
            assert board.request("hello")["proto"] == 1
        # the call the REPL cut has its record
        rc, out, err = cli("records", "--port", b.port, "--pin", PIN, "-o", csv_path, "--full")
        assert rc == 0, err
        import csv
        rows = list(csv.DictReader(open(csv_path)))
        assert [(r["call"], r["release"]) for r in rows] == [("1", "caller_hangup"), ("2", "repl")], rows
    finally:
        b.stop()


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="needs espeak-ng (scripts/sysdeps.txt)")
def test_console_prompts_say_makes_a_telephone_prompt(tmp_path):
    out_file = tmp_path / "closed.ulaw"
    rc, out, err = cli("prompts", "add", "closed", "--say", "We are closed.", "--out", out_file)
    assert rc == 0, err
    from ringroute import audio
    from ringroute.cmd_prompts import active_level_dbm0
    x = audio.ulaw_decode(out_file.read_bytes())
    assert len(x) > 4000
    assert abs(active_level_dbm0(x) + 20.0) < 1.0
    spec = abs(__import__("numpy").fft.rfft(x.astype(float)))
    f = __import__("numpy").fft.rfftfreq(len(x), 1 / 8000.0)
    assert spec[f < 200].sum() < 0.02 * spec.sum()  # band-limited: little below 300 Hz


def test_console_cli_errors_are_one_line(tmp_path):
    rc, out, err = cli("push", os.path.join(ROOT, "tests", "data", "basic.json"), "--port",
                       str(tmp_path / "ttyUSB9"), "--pin", PIN)
    assert rc == 4 and "does not exist" in err and err.count("\n") == 1, err


@pytest.mark.slow
def test_console_pty_flash_installs_the_firmware_with_mpremote(tmp_path):
    b = EmuBoard(tmp_path, config=_config(), speed=2.0).start()
    try:
        rc, out, err = cli("flash", "--port", b.port, "--board", "emulated", "--out", tmp_path / "build")
        assert rc == 0, err
        assert "verified" in out and "reset the board" in out
        flash = tmp_path / "flash"
        assert (flash / "rrfw" / "console" / "server.mpy").exists() and (flash / "main.py").exists()
        assert not (flash / "rremu").exists() and not (flash / "rrfw" / "manifest.mpy").exists()
        assert json.loads((flash / "board.json").read_text())["name"] == "emulated"
        with _open(b.port) as board:  # the reset board runs the app again
            assert board.request("status")["board"] == "emulated"
    finally:
        b.stop()


@pytest.mark.slow
def test_console_pty_flash_removes_what_the_build_no_longer_holds(tmp_path):
    flash = tmp_path / "flash"
    (flash / "rrfw" / "call").mkdir(parents=True)
    (flash / "dtmf.mpy").write_bytes(b"M old flat layout")          # a module of an older build
    (flash / "linecall.py").write_text("x = 1\n")                   # an old source copy
    (flash / "rrfw" / "call" / "queue_old.mpy").write_bytes(b"M")   # a module since dropped
    (flash / "boot.py").write_text("# MicroPython's own\n")
    b = EmuBoard(tmp_path, config=_config(), speed=2.0, flash=str(flash)).start()
    try:
        rc, out, err = cli("flash", "--port", b.port, "--board", "emulated", "--out", tmp_path / "build")
        assert rc == 0, err
        assert "removed 3 file(s)" in out, out
        for gone in ("dtmf.mpy", "linecall.py", "rrfw/call/queue_old.mpy"):
            assert not (flash / gone).exists(), gone
        # the office's files and MicroPython's boot.py stay
        assert (flash / "boot.py").exists() and (flash / "config.json").exists()
        built = sorted(str(p.relative_to(tmp_path / "build")) for p in (tmp_path / "build").rglob("*.mpy"))
        on_board = sorted(str(p.relative_to(flash)) for p in flash.rglob("*.mpy"))
        assert on_board == built
    finally:
        b.stop()


def test_flash_prune_keeps_the_build_and_the_office_files_only(tmp_path):
    """What `ringroute flash` runs on the board after the copy, under the real
    micropython in a folder laid out as a board's flash (fast twin of the
    mpremote test above, which is in `make soak`)."""
    from ringroute import cmd_flash, paths
    flash = tmp_path / "flash"
    (flash / "rrfw" / "call").mkdir(parents=True)
    (flash / "prompts").mkdir()
    keep = ["main.py", "board.json", "rrfw/__init__.mpy", "rrfw/call/app.mpy"]
    for f in keep + ["config.json", "records.jsonl", "prompts/hello.ulaw", "boot.py", "notes.txt",
                     "dtmf.mpy", "linecall.py", "rrfw/call/queue_old.mpy", "rrfw/old.py"]:
        (flash / f).write_bytes(b"x")
    script = tmp_path / "prune.py"
    script.write_text(cmd_flash._PRUNE % (keep,))
    p = subprocess.run(paths.engine_command("micropython") + [str(script)], cwd=str(flash),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    removed = sorted(ln.split(" ", 1)[1] for ln in p.stdout.splitlines() if ln.startswith("removed "))
    assert removed == ["dtmf.mpy", "linecall.py", "rrfw/call/queue_old.mpy", "rrfw/old.py"]
    left = sorted(str(x.relative_to(flash)) for x in flash.rglob("*") if x.is_file())
    assert left == sorted(keep + ["config.json", "records.jsonl", "prompts/hello.ulaw", "boot.py", "notes.txt"])


def _raw_frame(body):
    return body + b"*" + ("%08x" % (binascii.crc32(body) & 0xFFFFFFFF)).encode() + b"\n"


def test_console_pty_frames_that_stopped_the_firmware_get_errors_while_a_call_stays_up(tmp_path):
    script = tmp_path / "call.yaml"
    script.write_text(CALL)
    b = EmuBoard(tmp_path, config=_config(), script=str(script), speed=3.0).start()
    try:
        with _open(b.port) as board:
            t_end = time.time() + 60
            while time.time() < t_end:   # the second call (2 min with the agent) is up
                lines = board.request("status")["lines"]
                if lines[0]["state"] == "connected" and lines[0]["call"] == 2:
                    break
                time.sleep(0.2)
            assert lines[0]["state"] == "connected", lines
            # before any PIN: bytes that are not UTF-8 in the command and the tag, and a
            # monitor subscription from a sequence number that is not a number
            for rid, body in (("41", b"~RR1 41 \xff\xfe {}"), ("42", b"~RR\xff 42 hello {}"),
                              ("43", b'~RR1 43 monitor {"since": "x"}'),
                              ("44", b'~RR1 44 events {"since": [1]}')):
                board.t.write(_raw_frame(body))
                line = board.t.readline(time.monotonic() + 10)
                assert line is not None and line.startswith(b"~RR1 %s err " % rid.encode()), (rid, line)
            board.login(PIN)
            for args in ({"utc": 1 << 70}, {"utc": -5}, {"utc": "now"}):
                with pytest.raises(session.BoardError) as ei:
                    board.request("time.set", args)
                assert ei.value.code == "args"
            # a flood: every request answered (ok, or busy while the output queue is
            # full; the rest wait in the UART while a long reply is streamed), never
            # silence, never a crash
            board.t.write(b"".join(framing.encode(str(500 + i), "status", {}) for i in range(30)))
            got = b""
            t_end = time.time() + 20
            while time.time() < t_end and got.count(b"\n") < 30:
                got += board.t.read_some()
            replies = [framing.decode(ln) for ln in got.split(b"\n") if ln.startswith(b"~RR1 5")]
            assert sorted(int(r[0]) for r in replies) == list(range(500, 530)), got[-500:]
            assert all(r[1] == "ok" or r[2]["code"] == "busy" for r in replies), got[-500:]
            board.t.drain()
            st = board.request("status")
            assert st["lines"][0]["state"] == "connected" and st["lines"][0]["call"] == 2, st["lines"]
            assert st["console"]["bad"] >= 2 and st["console"]["dropped"] == 0, st["console"]
        evs = b.events()
        assert not [e for e in evs if e.get("event") in ("error",) or e.get("reason") == "fault"], evs
        assert not [e for e in evs if e.get("event") == "boot" and e.get("seq", 0) > 1], evs   # no restart
    finally:
        b.stop()


LONG_CALL = """
description: one call answered by reception, the caller hangs up 60 s later
calls:
  - at: 1.0
    line: 1
    caller_id: "5551234567"
    keys: [{at: 2.0, digits: "1"}]
    hangup: {after_connect: 60.0, method: cpc}
extensions:
  "101": {answer_after: 1.0}
"""


def _wait_connected(port, timeout=60):
    with _open(port) as board:
        t_end = time.time() + timeout
        while time.time() < t_end:
            lines = board.request("status")["lines"]
            if lines[0]["state"] == "connected":
                return lines[0]["call"]
            time.sleep(0.2)
    raise AssertionError("the call never connected: %s" % lines)


def _app_answers(port, timeout):
    """The app's console answers hello (without the host's REPL recovery: the board came back by itself)."""
    t_end = time.time() + timeout
    while time.time() < t_end:
        t = transport.Transport(port).open()
        try:
            return session.Board(t).request("hello", timeout=0.8, retries=0)
        except session.NoBoard:
            pass
        finally:
            t.close()
    return None


def test_console_pty_mpremote_during_a_call_waits_for_idle_lines_and_the_repl_gives_the_board_back(tmp_path):
    script = tmp_path / "call.yaml"
    script.write_text(LONG_CALL)
    b = EmuBoard(tmp_path, config=_config(), script=str(script), speed=4.0, extra=["--repl-idle", "6"]).start()
    try:
        call = _wait_connected(b.port)
        # mpremote while the call is up: the board keeps the call and says so (on a pty
        # mpremote waits for the REPL banner for ever: the timeout ends it)
        with pytest.raises(subprocess.TimeoutExpired):
            mpremote(b.port, "exec", "print(6 * 7)", timeout=5)
        with _open(b.port) as board:
            assert board.request("status")["lines"][0]["state"] == "connected"
        # the caller hangs up: the board opens its REPL by itself (its console goes quiet),
        # and mpremote gets in
        t_end = time.time() + 60
        t = transport.Transport(b.port).open()
        try:
            while time.time() < t_end:
                try:
                    session.Board(t).request("status", timeout=0.8, retries=0)
                except session.NoBoard:
                    break
                time.sleep(0.5)
        finally:
            t.close()
        rc, out, err = mpremote(b.port, "exec", "print(6 * 7)", timeout=30)
        assert rc == 0 and "42" in out, out + err
        # left alone in the REPL (nothing on the console: a hello is input too) for the
        # 6 s of --repl-idle and the watchdog's 5 s, the board goes back to answering
        time.sleep(16 / 4.0 + 2)
        info = _app_answers(b.port, 20)
        assert info is not None and info["proto"] == 1
        rc, out, err = cli("records", "--port", b.port, "--pin", PIN, "-o", tmp_path / "r.csv", "--full")
        assert rc == 0, err
        import csv
        rows = list(csv.DictReader(open(tmp_path / "r.csv")))
        assert [(r["call"], r["release"]) for r in rows] == [(str(call), "caller_hangup")], rows
    finally:
        b.stop()


@pytest.mark.slow
def test_console_pty_flash_during_a_call_waits_or_cuts_it_with_force(tmp_path):
    script = tmp_path / "call.yaml"
    script.write_text(LONG_CALL.replace("60.0", "600.0"))
    b = EmuBoard(tmp_path, config=_config(), script=str(script), speed=2.0).start()
    try:
        call = _wait_connected(b.port)
        rc, out, err = cli("flash", "--port", b.port, "--board", "emulated", "--out", tmp_path / "build",
                           "--wait", "2")
        assert rc != 0 and "calls still in progress" in err and "line 1 connected" in err, out + err
        assert "--force" in err
        with _open(b.port) as board:
            assert board.request("status")["lines"][0]["state"] == "connected"
        rc, out, err = cli("flash", "--port", b.port, "--board", "emulated", "--out", tmp_path / "build",
                           "--force")
        assert rc == 0, out + err
        assert "cut 1 call(s) for the update" in out and "verified" in out, out
        # the flash ends with a reset (a new process, a fresh heap): the app answers again by itself
        assert _app_answers(b.port, 60) is not None, "the board did not come back after the flash"
        rc, out, err = cli("records", "--port", b.port, "--pin", PIN, "-o", tmp_path / "r.csv", "--full")
        assert rc == 0, err
        import csv
        rows = list(csv.DictReader(open(tmp_path / "r.csv")))
        assert [(r["call"], r["release"]) for r in rows] == [(str(call), "repl")], rows
    finally:
        b.stop()
