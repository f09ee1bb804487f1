"""`ringroute records`: CSV and JSON exports, the --since/--until window, and
callers' numbers masked unless --full (records read with --file here; over
the console in test_console_pty.py and test_privacy_pty.py)."""
import csv
import io
import json

from emuboard import cli

DAY = 1795392000   # 2026-11-23 00:00 UTC


def _records(tmp_path):
    recs = [
        {"call": 1, "line": 1, "utc": DAY + 8 * 3600 + 6, "ring_ms": 1000, "answer_ms": 7000, "caller": "6175550142",
         "caller_name": "J SMITH", "outcome": "connected", "path": ["main"], "ext": "101"},
        {"call": 2, "line": 1, "utc": DAY + 23 * 3600 + 59 * 60 + 4, "ring_ms": 1000, "end_ms": 5000,  # rang 23:59
         "caller": "6175550143", "outcome": "missed"},
        {"call": 3, "line": 2, "utc": DAY + 86400 + 60, "direction": "out", "route_ms": 0, "caller": "6175550142",
         "callee": "6175550142", "outcome": "connected"},
    ]
    p = tmp_path / "records.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in recs) + '{"call": 4, "utc": 17')   # the last line cut short
    return p


def test_csv_masks_numbers_and_names_by_default(tmp_path):
    p = _records(tmp_path)
    rc, out, err = cli("records", "--file", p)
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["call"] for r in rows] == ["1", "2", "3"]
    assert [r["caller"] for r in rows] == ["******0142", "******0143", "******0142"]
    assert rows[2]["callee"] == "******0142" and rows[0]["caller_name"] == ""
    assert "6175550142" not in out and "SMITH" not in out
    assert json.loads(rows[0]["path"]) == ["main"]
    rc, out, err = cli("records", "--file", p, "--full")
    assert rc == 0 and "6175550142" in out and "J SMITH" in out


def test_json_window_since_until(tmp_path):
    p = _records(tmp_path)
    out_path = tmp_path / "day.jsonl"
    rc, out, err = cli("records", "--file", p, "--since", "2026-11-23", "--until", "2026-11-24", "-o", out_path)
    assert rc == 0, err
    assert "wrote 2 call record(s)" in err and "masked" in err
    recs = [json.loads(ln) for ln in out_path.read_text().splitlines()]
    assert [r["call"] for r in recs] == [1, 2]
    # a window opens at its first second and closes before its last: 23:59 belongs to the 23rd only
    rc, out, err = cli("records", "--file", p, "--format", "json", "--since", "2026-11-23 23:59")
    assert [json.loads(ln)["call"] for ln in out.splitlines()] == [2, 3]
    rc, out, err = cli("records", "--file", p, "--format", "json", "--until", str(DAY + 8 * 3600))
    assert out == ""     # call 1 rang at 08:00:00 (answered 6 s later): not before 08:00
    rc, out, err = cli("records", "--file", p, "--since", "23 Nov")
    assert rc == 2 and "--since" in err and "Traceback" not in err
    rc, out, err = cli("records", "--file", p, "--since", "2026-02-30")
    assert rc == 2 and "not a real date" in err
