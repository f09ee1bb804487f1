"""A caller's access and erasure requests end to end: `ringroute privacy
export/erase` over the serial link against the emulated board (micropython,
through a pty), with the number in every file the board keeps; then the
flash itself is searched from outside."""
import json
import os
import time

from emuboard import cli, one_call_board
from rrfw.store import records

PIN = "731902"
N = "6175550142"
OTHER = "5559990000"


def _flash(tmp_path):
    """The board's flash before it starts: yesterday's records (N once in its
    international form), a call-back waiting for N, N on the block list."""
    flash = tmp_path / "flash"
    flash.mkdir()
    old = [{"call": 1, "line": 1, "utc": 1795300000, "caller": "1" + N, "outcome": "connected"},
           {"call": 2, "line": 1, "utc": 1795300100, "caller": OTHER, "outcome": "connected"},
           {"call": 3, "line": 1, "utc": 1795300200, "direction": "out", "caller": N, "callee": N,
            "outcome": "connected"}]
    (flash / "rec000001.bin").write_bytes(b"".join(bytes(records.frame(r)) for r in old))
    (flash / "rec000002.bin").write_bytes(b"")   # the segment the last rotation started
    (flash / "callbacks.json").write_text(json.dumps([
        {"number": N, "target": "101", "utc": 1795300300, "tries": 1, "next_ms": 0},
        {"number": OTHER, "target": "101", "utc": 1795300400, "tries": 0, "next_ms": 0}]))
    (flash / "ivr_state.json").write_text(json.dumps({"override": None, "blocked": [OTHER, N]}))
    return flash


def _packed(digits):
    # the record segments pack a number two digits a byte (store/records.py
    # NIBBLES): its bytes from an even and from an odd start, searched as they are
    def pack(s):
        return bytes(int(s[i]) << 4 | int(s[i + 1]) for i in range(0, len(s) - 1, 2))
    return pack(digits), pack(digits[1:])


def _holding(flash, digits):
    out = []
    for d, _, files in os.walk(flash):
        for f in files:
            with open(os.path.join(d, f), "rb") as fh:
                data = fh.read()
            if digits.encode() in data or any(p in data for p in _packed(digits)):
                out.append(os.path.relpath(os.path.join(d, f), flash))
    return sorted(out)


def test_privacy_export_and_erase_over_the_console(tmp_path):
    flash = _flash(tmp_path)
    with one_call_board(tmp_path, N, flash=str(flash)) as b:
        rc, out, err = cli("status", "--port", b.port)
        assert rc == 0, err
        # the live call ends and is recorded: N is in the old records and the new one
        t_end = time.time() + 60
        while time.time() < t_end and not (flash / "rec000002.bin").stat().st_size:
            time.sleep(0.2)
        assert _holding(flash, N) == ["callbacks.json", "ivr_state.json", "rec000001.bin", "rec000002.bin"]
        assert [r["call"] for r in records.decode((flash / "rec000002.bin").read_bytes())[0]] == [4]
        # the PIN is set here (first use), then the access request, in the form the caller gives
        rc, out, err = cli("privacy", "export", "--number", "+1 (617) 555-0142", "--port", b.port, "--pin", PIN,
                           "-o", tmp_path / "export.json")
        assert rc == 0, err
        doc = json.loads((tmp_path / "export.json").read_text())
        assert sorted(r["call"] for r in doc["records"]) == [1, 3, 4]     # not OTHER's call 2
        w = doc["where"]
        assert w["records"] == 3 and [c["number"] for c in w["callbacks"]] == [N]
        assert w["blocked"] == 1 and w["blocked_on_flash"] == 1 and w["last_caller"] is True
        assert w["events"] >= 1 and w["in_call"] == [] and w["config"] == []
        # a wrong PIN, no data
        rc, out, err = cli("privacy", "export", "--number", N, "--port", b.port, "--pin", "000000")
        assert rc != 0 and "wrong PIN" in err and N not in out
        # a number too short to be one caller's is refused on both sides
        rc, out, err = cli("privacy", "erase", "--number", "0142", "--port", b.port, "--pin", PIN, "--yes")
        assert rc == 1 and "at least 7 digits" in err
        # erasure without --yes and without a terminal changes nothing
        rc, out, err = cli("privacy", "erase", "--number", N, "--port", b.port, "--pin", PIN)
        assert rc == 1 and "--yes" in err
        assert len(_holding(flash, N)) == 4
        rc, out, err = cli("privacy", "erase", "--number", N, "--port", b.port, "--pin", PIN, "--yes")
        assert rc == 0, out + err
        assert "erased: 3 record(s), 1 call-back(s), 1 block-list entry, last caller yes" in out
        assert "board check clean; export clean, 0 record(s); record files 0 match(es)" in out
        assert "nothing of %s is left" % N in out
        # from outside: not one file on the flash holds the number; the other caller's data stays
        assert _holding(flash, N) == []
        assert _holding(flash, OTHER) == ["callbacks.json", "ivr_state.json", "rec000001.bin"]
        assert [r["call"] for r in records.decode((flash / "rec000001.bin").read_bytes())[0]] == [2]
        # the live event log no longer carries it either
        rc, out, err = cli("monitor", "--port", b.port, "--pin", PIN, "--since", "0", "--json", "--count", "200",
                           "--seconds", "2")
        assert N not in out and '"erased"' in out
        # and a second erase finds nothing to do, and proves it again
        rc, out, err = cli("privacy", "erase", "--number", N, "--port", b.port, "--pin", PIN, "--yes")
        assert rc == 0 and "erased: 0 record(s), 0 call-back(s)" in out
