# wipe_cases.py - a factory reset forgets everything even when the power is
# cut during it: the flash is filled by the firmware modules that own each
# file, then the console's reset (store/wipe.py) runs on a file layer that
# loses power at its Nth removal, rename or write, for every N. After each
# cut: no file with personal data is left on a board without its admin PIN,
# and the next boot (main.py) finishes the reset.
# Run by pytest under CPython and the real `micropython` binary
# (tests/test_console_factory_reset.py):  micropython wipe_cases.py WORKDIR
import os

from rrfw.store import atomic, wipe
from cutfs import CutFS, with_cut

FIRMWARE = ["board.json", "main.py", "rrfw"]


def _boot():
    # what main.py does first at every boot (firmware/ is on the path: the test file, MICROPYPATH)
    from rrfw import supervisor
    supervisor.finish_factory_reset()


def _wipe():
    # the module as the firmware imports it now (main.py unloads it after a boot)
    from rrfw.store import wipe as w
    return w


def _run_cut(fs, fn):
    return with_cut(fs, (atomic, _wipe()), fn)


def _clean(path="."):
    for name in os.listdir(path):
        p = path + "/" + name
        if os.stat(p)[0] & 0x4000:
            _clean(p)
            os.rmdir(p)
        else:
            os.remove(p)


def _fill():
    """Every file the office's use leaves, each written by its owner."""
    from rrfw.store import cfgstore, records, callid
    from rrfw.call import callbacks, boardstate, agents
    from rrfw.console import auth
    assert cfgstore.install('{"version": 1, "lines": [], "extensions": {}}') is None
    assert cfgstore.install('{"version": 1, "lines": [], "extensions": {}, "name": "b"}') is None
    r = records.Records()
    r.append({"call": r.new_call_id(), "caller": "5551234", "outcome": "missed"})
    r.append({"call": r.new_call_id(), "caller": "5554321", "outcome": "answered"})
    callid.CallIds(3).take()
    cb = callbacks.Callbacks({"outbound": {"callback": True}}, lambda *a, **k: None)
    assert cb.request("5559876", "sales", 0, 1767607200) is None
    cb.save()   # on flash in the request's next block (App.step)
    b = boardstate.BoardState()
    b.last_caller = "5550001"
    b.block_last_caller()
    b.set_override("night")
    b.save()
    agents.Agents({"agents": {}, "extensions": {"101": {"port": 0, "name": "Ann"}}}, 4,
                  lambda *a, **k: None).save()
    # a campaign's call list and progress (names from store/jobstore.py; the list's
    # format is checked by jobstore's own cases) and the office's do-not-call list
    from rrfw.store import jobstore, dnc
    atomic.write_atomic(jobstore.LIST, b"RRJ1" + b"5550100" + b"\x00" * 9)
    atomic.write_atomic(jobstore.STATE, b"\x00" * 8)
    assert dnc.Dnc().add("5550199") is None
    atomic.write_atomic("notes.txt", "Call Mrs Smith back on 5550111")
    assert auth.Auth().set_pin("48151623", None, 0)[0] is None
    atomic.ensure_dir("prompts")
    atomic.write_atomic("prompts/greeting.ulaw", b"\xff" * 80)
    atomic.write_atomic("cfgup.0000abcd.part", "{")
    atomic.ensure_dir("exports")
    atomic.write_atomic("exports/day.jsonl", '{"caller": "5551234"}\n')
    atomic.write_atomic("main.py", "# the firmware's entry point\n")
    atomic.write_atomic("board.json", '{"name": "emulated"}')
    atomic.ensure_dir("rrfw")
    atomic.write_atomic("rrfw/__init__.mpy", b"M")


def _files(path="."):
    out = []
    for name in os.listdir(path):
        p = name if path == "." else path + "/" + name
        if os.stat(p)[0] & 0x4000:
            out.append(p + "/")
            out.extend(_files(p))
        else:
            out.append(p)
    return sorted(out)


REC = "rec000001.bin"   # the first record segment (store/records.py)


def _wiped(files):
    return [f for f in files if f not in ("board.json", "main.py", "rrfw/", "rrfw/__init__.mpy", "prompts/")]


def case_factory_reset_cut_at_every_step_leaves_nothing_personal_without_a_pin():
    from rrfw.console import commands
    n = 1
    cuts = 0
    decided = 0
    while True:
        _clean()
        _fill()
        full = _files()
        for f in (REC, "callbacks.json", "ivr_state.json", "agents.json", "callid",
                  "campaign.lst", "campaign.st", "dnc.txt", "auth.json", "config.json", "config.prev.json",
                  "prompts/greeting.ulaw", "exports/day.jsonl"):
            assert f in full, (f, full)   # every owner really wrote its file
        fs = CutFS(n)
        cut = _run_cut(fs, commands.factory_wipe)
        left = _files()
        if cut:
            cuts += 1
            # the invariant at every cut: personal data only where the PIN still guards it
            if "auth.json" not in left:
                assert _wiped(left) in ([], [wipe.MARKER]), (n, left)
            if not atomic.exists(wipe.MARKER):
                # cut before the reset was decided (its marker half-written): nothing erased
                assert "auth.json" in left and REC in left, (n, left)
            else:
                decided += 1
        # the next boot finishes a decided reset before it reads anything
        _boot()
        left = _files()
        if not cut or atomic.exists(wipe.MARKER) or REC not in left:
            assert left == ["board.json", "main.py", "prompts/", "rrfw/", "rrfw/__init__.mpy"], (n, left)
        if not cut:
            break
        n += 1
    # every removal (about one per file) was cut once, the decision too
    assert cuts >= len(_wiped(full)), (cuts, full)
    assert decided >= cuts - 2, (decided, cuts)


def case_personal_data_goes_before_the_pin():
    # the order itself, as a list of removals: the PIN after every other file
    _clean()
    _fill()
    gone = []
    real = os.remove

    class Spy:
        def __getattr__(self, name):
            return getattr(os, name)

        def remove(self, p):
            gone.append(p)
            real(p)
    w = _wipe()
    atomic.os = Spy()
    w.os = atomic.os
    try:
        w.start()
        w.finish()
    finally:
        atomic.os = os
        w.os = os
    assert gone[-2:] == ["auth.json", wipe.MARKER], gone
    first = gone.index(REC)
    assert first < gone.index("config.json") and gone.index("callbacks.json") < gone.index("config.json"), gone
    for f in ("campaign.lst", "campaign.st", "dnc.txt"):   # callees' numbers: with the callers' data
        assert gone.index(f) < gone.index("config.json"), (f, gone)
    assert "prompts/greeting.ulaw" in gone and "exports/day.jsonl" in gone, gone


def case_boot_without_a_reset_pending_erases_nothing():
    _clean()
    _fill()
    before = _files()
    _boot()
    assert _files() == before


CASES = [case_factory_reset_cut_at_every_step_leaves_nothing_personal_without_a_pin,
         case_personal_data_goes_before_the_pin,
         case_boot_without_a_reset_pending_erases_nothing]

if __name__ == "__main__":
    import sys
    import caserun
    os.chdir(sys.argv[1])
    caserun.main(CASES, None, sys.argv[2:])
