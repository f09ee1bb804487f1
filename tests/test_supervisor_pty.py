"""The supervisor's PIN end to end (issue 12): over the serial link against
the emulated board (micropython, through a pty), it reads status, the
records a report needs and the live monitor, all with numbers masked, and
every change or full read is refused; the admin's PIN still does all."""
import json
import time

from emuboard import cli, one_call_board

PIN = "731902"
SUP = "583920"
N = "6175550142"


def test_supervisor_pin_looks_with_masked_numbers_and_changes_nothing(tmp_path):
    flash = tmp_path / "flash"
    with one_call_board(tmp_path, N) as b:
        (tmp_path / "office.json").write_text(json.dumps(b.cfg))
        # the admin sets the supervisor's PIN (and, on this new board, the admin PIN with it)
        rc, out, err = cli("board", "supervisor-pin", "--new", SUP, "--port", b.port, "--pin", PIN)
        assert rc == 0 and "supervisor PIN is set" in out, out + err
        t_end = time.time() + 60
        while time.time() < t_end and not (flash / "rec000001.bin").exists():
            time.sleep(0.2)
        # status and the records for a report: masked
        rc, out, err = cli("status", "--port", b.port)
        assert rc == 0, err
        rc, out, err = cli("records", "--port", b.port, "--pin", SUP, "--format", "json")
        assert rc == 0, err
        recs = [json.loads(ln) for ln in out.splitlines()]
        assert [r["caller"] for r in recs] == ["******0142"] and N not in out
        rc, out, err = cli("records", "--port", b.port, "--pin", SUP, "--full")
        assert rc != 0 and "masked records only" in err and N not in out
        rc, out, err = cli("monitor", "--port", b.port, "--pin", SUP, "--since", "0", "--json", "--count", "200",
                           "--seconds", "2")
        assert "******0142" in out and N not in out, out
        # no change, no erasure, no full record, no config
        for args in (("push", tmp_path / "office.json"), ("board", "reboot"), ("board", "override", "night"),
                     ("privacy", "erase", "--number", N, "--yes"), ("privacy", "export", "--number", N),
                     ("pull", "-o", tmp_path / "pulled.yaml"), ("board", "supervisor-pin", "--remove")):
            rc, out, err = cli(*(list(args) + ["--port", b.port, "--pin", SUP]))
            assert rc != 0 and "admin PIN" in err, (args, out, err)
            assert N not in out
        rc, out, err = cli("board", "pin", "--new", "902817", "--port", b.port, "--pin", SUP)
        assert rc != 0 and "wrong PIN" in err
        # the admin's PIN still reads everything, and nothing was erased or changed
        rc, out, err = cli("records", "--port", b.port, "--pin", PIN, "--format", "json", "--full")
        assert rc == 0 and [json.loads(ln)["caller"] for ln in out.splitlines()] == [N], out + err
        rc, out, err = cli("status", "--port", b.port)
        assert "[switching" not in out
