# Factory reset: the flash back to what `ringroute flash` put there.
#
# What stays: the firmware (main.py, boot.py, board.json, rrfw/, lib/, *.mpy).
# Everything else is the office's and may hold personal data, so it goes; a
# file some later feature adds is erased by default.
#
# A power cut may come at any removal, so the reset is a journal of one file:
#   start()   MARKER written (atomic): from here on the reset is decided, and
#             every boot finishes it before anything else runs (main.py)
#   finish()  1. the files with callers' data (records, call-back list, last
#                caller and block list, agents' states, events, campaigns, DNC)
#             2. everything else of the office's (config, prompts, uploads,
#                files this list does not know)
#             3. the admin PIN (auth.json)
#             4. MARKER
# The PIN goes after every file with personal data, so a cut never leaves a
# board holding callers' data that anyone can read without the PIN; and as
# long as MARKER is there the next boot carries on from wherever it stopped
# (removals are idempotent: a file already gone is skipped).
import os

from rrfw.store import atomic

MARKER = "factory_reset.pending"
_PIN_FILE = "auth.json"   # console/auth.py PATH (the console is above this layer)
_KEEP_FILES = ("main.py", "boot.py", "board.json")
_KEEP_DIRS = ("rrfw", "lib")
_KEPT_EMPTY = ("prompts",)   # folders that stay, emptied (the console writes into them)
# Callers' data first: records (store/records.py's segments, job and mark;
# the old JSON files' names too),
# call-backs (call/callbacks.py), last caller, block list, override
# (call/boardstate.py), agents (call/agents.py), a campaign's call list and
# progress (store/jobstore.py LIST, STATE) and the office's do-not-call list
# (store/dnc.py PATH). A name here that is not on the flash costs one failed stat.
_PERSONAL = ("records.jsonl", "records.1.jsonl", "records.new", "records.new.tmp",
            "callbacks.json", "ivr_state.json", "agents.json", "events.jsonl",
            "campaign.lst", "campaign.st", "dnc.txt")


def pending():
    return atomic.exists(MARKER)


def start():
    """Decide the reset: from here on it completes, across any power cut."""
    atomic.write_atomic(MARKER, "1")


def _is_dir(path):
    try:
        return os.stat(path)[0] & 0x4000 != 0   # S_IFDIR, on littlefs and POSIX alike
    except OSError:
        return False


def _wipe_dir(path):
    for name in os.listdir(path):
        p = path + "/" + name
        if _is_dir(p):
            _wipe_dir(p)
            try:
                os.rmdir(p)
            except OSError:
                pass
        else:
            atomic.remove(p)


def _kept(name):
    return name in _KEEP_FILES or name in _KEEP_DIRS or name.endswith(".mpy")


def _records_files(names):
    # store/records.py's segments (rec000001.bin ...), its job, export mark and index
    from rrfw.store import records
    return [n for n in names if (n.startswith(records.PREFIX) and n.endswith(records.SUFFIX))
            or n == records.JOB or n == records.MARK or n == records.INDEX]


def finish():
    """Erase in the order above; safe to run again after a cut anywhere."""
    for name in _records_files(sorted(os.listdir("."))):
        atomic.remove(name)
    for name in _PERSONAL:
        if atomic.exists(name):
            atomic.remove(name)
    for name in sorted(os.listdir(".")):
        if _kept(name) or name in (_PIN_FILE, MARKER):
            continue
        if _is_dir(name):
            _wipe_dir(name)
            if name not in _KEPT_EMPTY:
                try:
                    os.rmdir(name)
                except OSError:
                    pass
        else:
            atomic.remove(name)
    atomic.remove(_PIN_FILE)
    atomic.remove(MARKER)


def resume():
    """At boot: finish a reset a power cut interrupted. True if there was one."""
    if not pending():
        return False
    finish()
    return True
