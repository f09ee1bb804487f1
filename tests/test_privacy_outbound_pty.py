"""A person's access and erasure requests reach the outbound data, end to end
over the serial link against the emulated board (micropython, through a pty):
the campaign's call list and the office's do-not-call list. Erase closes the
campaign entry and removes the number from the list file; the do-not-call
entry stays, and the host says why."""
import json
import os

from emuboard import ROOT, EmuBoard, cli
from test_privacy_pty import PIN, N, OTHER, _holding


def _list(numbers):
    # a campaign list as ringroute/campaigns.py writes it (store/jobstore.py's format)
    import binascii
    body = "".join((n + " " * 14)[:14] + "-\n" for n in numbers)
    head = {"name": "spring", "id": binascii.crc32(body.encode()) & 0xFFFFFFFF, "n": len(numbers),
            "zones": [], "region": "US", "created": 1795300000, "register": []}
    return json.dumps(head) + "\n" + body


def test_privacy_reaches_the_campaign_list_and_keeps_the_do_not_call_entry(tmp_path):
    with open(os.path.join(ROOT, "tests", "data", "basic.json")) as f:
        cfg = json.load(f)
    flash = tmp_path / "flash"
    flash.mkdir()
    (flash / "campaign.lst").write_text(_list(["2125550001", N, OTHER]))
    (flash / "dnc.txt").write_text("3125550002\n%s\n" % N)
    b = EmuBoard(tmp_path, config=cfg, flash=str(flash)).start()
    try:
        assert _holding(flash, N) == ["campaign.lst", "dnc.txt"]
        rc, out, err = cli("privacy", "export", "--number", "+1 617 555 0142", "--port", b.port, "--pin", PIN,
                           "-o", tmp_path / "export.json")
        assert rc == 0, err
        w = json.loads((tmp_path / "export.json").read_text())["where"]
        assert w["campaign"] == [{"campaign": "spring", "entry": 2, "number": N, "status": "pending", "tries": 0}]
        assert w["dnc"] == [N]
        assert "1 campaign list entry" in err + out and "the do-not-call list (%s)" % N in err + out
        rc, out, err = cli("privacy", "erase", "--number", N, "--port", b.port, "--pin", PIN, "--yes")
        assert rc == 0, out + err
        assert "1 campaign list entry" in out
        kept = [ln for ln in out.splitlines() if ln.startswith("kept on purpose: %s" % N)]
        assert kept and "objection" in kept[0] and "Art. 21(3)" in kept[0] and "17(3)(b)" in kept[0], out
        assert "nothing of %s is left" % N in out
        # from outside: only the do-not-call list holds it; the other numbers are all there
        assert _holding(flash, N) == ["dnc.txt"]
        lst = (flash / "campaign.lst").read_text()
        assert "2125550001" in lst and OTHER in lst and N not in lst
        assert (flash / "dnc.txt").read_text() == "3125550002\n%s\n" % N
        # the export now: the entry closed as erased, its number gone; the do-not-call entry kept
        rc, out, err = cli("privacy", "export", "--number", N, "--port", b.port, "--pin", PIN)
        assert rc == 0, err
        w = json.loads(out)["where"]
        assert w["campaign"] == [] and w["dnc"] == [N]
    finally:
        b.stop()
