"""`ringroute flash`: install the ringroute firmware on a board running stock MicroPython."""
import hashlib
import os
import shutil
import subprocess
import sys

from . import fwbuild, paths
from .errors import RingrouteError, UsageError

HELP = "compile the firmware for the ESP32 and copy it to the board (mpremote), verify, reset"
DESCRIPTION = """\
The board must already run stock MicroPython (docs/quickstart.md shows how
to put it there with esptool). This command:
  1. compiles what firmware/rrfw/manifest.py ships with mpy-cross
     -march=xtensawin (the board loads precompiled .mpy: compiling source
     on the board costs heap it lacks); main.py and boot.py stay source, as
     MicroPython runs them at boot (boot.py after every soft reset too: it
     keeps the watchdog fed while mpremote has the REPL); the emulated board's code never ships;
  2. copies them and boards/BOARD/board.json to the board's flash with
     mpremote, and removes every firmware file the build no longer holds
     (a stale .mpy, an old .py that would shadow the new .mpy);
  3. reads back every file's SHA-256 and compares;
  4. resets the board, which then starts the ringroute firmware.
The office's config, prompts, records and PIN on the board are kept.
A board already running ringroute is asked for its REPL first: with calls
in progress the command says which and waits for the lines to be idle
(--wait seconds), or with --force cuts them (each call keeps its record).

examples:
  ringroute flash
  ringroute flash --port /dev/ttyUSB0 --board reference
  ringroute flash --build-only          # just build/esp32/*.mpy
  ringroute flash --force               # an urgent update: cut the calls in progress
"""

MPREMOTE_TIMEOUT = 300                         # s; mpremote can wait forever on a silent port
IDLE_WAIT_S = 600                              # s the update waits for the calls in progress to end


def _calls_text(calls):
    return ", ".join("line %d %s (call %s)" % (c["line"], c["state"], c["call"]) for c in calls)


def _handover(port, force, wait_s):
    """A board that runs the ringroute firmware gives its console to the REPL
    (the console's `repl` command) before mpremote takes it, so no call is cut
    without being asked for and recorded; a board that does not answer (stock
    MicroPython, or already in its REPL) is mpremote's at once."""
    import time
    from . import session, transport
    from .errors import SerialError
    try:
        t = transport.Transport(port).open()
    except SerialError:
        return   # mpremote says what is wrong with the port
    with session.Board(t) as b:
        try:
            b.request("hello", timeout=0.8, retries=1)
        except (SerialError, session.ProtocolError):
            return
        calls = b.request("repl", {"check": True})["calls"]
        deadline = time.monotonic() + wait_s
        if calls and not force:
            print("the board has %d call(s) in progress: %s; waiting up to %d s for the lines to be idle "
                  "(--force cuts them, each keeping its record)" % (len(calls), _calls_text(calls), wait_s),
                  flush=True)
        while calls and not force:
            if time.monotonic() > deadline:
                raise RingrouteError("calls still in progress after %d s (%s): try again later, or cut them "
                                     "with --force (their records are kept)" % (wait_s, _calls_text(calls)))
            time.sleep(1.0)
            calls = b.request("repl", {"check": True})["calls"]
        res = b.request("repl", {"force": force})
        if res["handover"] == "cut":
            print("cut %d call(s) for the update (%s); their records are kept" % (
                len(res["calls"]), _calls_text(res["calls"])), flush=True)
        while res["handover"] == "when_idle":   # a call came in meanwhile: the board opens its REPL after it
            if time.monotonic() > deadline:
                raise RingrouteError("a call is still in progress after %d s: try again later, or --force" % wait_s)
            time.sleep(1.0)
            try:
                b.request("hello", timeout=0.8, retries=0)
            except SerialError:
                break   # it has gone to its REPL
        b.t.drain()


def configure(p):
    from .session import add_port_args
    add_port_args(p)
    p.add_argument("--board", default="reference", help="board definition in boards/ (default: reference)")
    p.add_argument("--build-only", action="store_true", help="compile into build/esp32 and stop")
    p.add_argument("--force", action="store_true",
                   help="cut the calls in progress for the update (their records are kept)")
    p.add_argument("--wait", type=float, default=IDLE_WAIT_S, metavar="S",
                   help="seconds to wait for the lines to be idle (default %d)" % IDLE_WAIT_S)
    p.add_argument("--out", default=os.path.join(paths.ROOT, "build", "esp32"), help=argparse_suppress())


def argparse_suppress():
    import argparse
    return argparse.SUPPRESS


def build(out):
    """Compile what the manifest ships into `out` for the ESP32; returns the
    files to copy, relative to `out` (rrfw/dsp/dtmf.mpy, ..., main.py, boot.py)."""
    return fwbuild.build(out, "xtensawin")


# Run on the board after the copy: every firmware file there that this build
# does not hold goes (a module dropped or moved keeps no stale .mpy that could
# be imported instead). Only firmware files: the rrfw/ tree, and .py/.mpy
# modules at the root (the flat layout of older builds); the office's config,
# prompts, records and PIN stay. Runs in the flash root (the board's current
# folder after mpremote's soft reset).
_PRUNE = """import os
keep = set(%r)
def walk(d):
    for e in os.ilistdir(d):
        p = d + '/' + e[0]
        if e[1] & 0x4000:
            walk(p)
            try:
                os.rmdir(p)
            except OSError:
                pass
        elif p not in keep:
            os.remove(p)
            print('removed', p)
for e in os.ilistdir():
    n = e[0]
    if e[1] & 0x4000:
        if n == 'rrfw':
            walk(n)
    elif (n.endswith('.mpy') or (n.endswith('.py') and n not in ('boot.py', 'main.py'))) and n not in keep:
        os.remove(n)
        print('removed', n)
"""


def _mpremote(port, *cmd, timeout=MPREMOTE_TIMEOUT):
    argv = [paths.tool("mpremote"), "connect", port] + list(cmd)
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RingrouteError("mpremote got no answer from %s within %d s: is the board connected, and "
                             "is nothing else using the port?" % (port, timeout))
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
        raise RingrouteError("mpremote failed on %s: %s" % (port, " | ".join(tail) or "exit %d" % p.returncode))
    return p.stdout


def _copy(port, srcs, total):
    """One mpremote session copies every file; its per-file lines become progress."""
    import time
    argv = [paths.tool("mpremote"), "connect", port, "resume", "fs", "cp", "-r"] + srcs + [":"]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    t_end = time.monotonic() + MPREMOTE_TIMEOUT
    done = 0
    tail = []
    tty = sys.stderr.isatty()
    import threading
    timer = threading.Timer(MPREMOTE_TIMEOUT, p.kill)
    timer.start()
    try:
        for line in p.stdout:
            tail = (tail + [line.strip()])[-3:]
            if line.startswith("cp "):
                done += 1
                msg = "  [%d/%d] %s" % (done, total, os.path.basename(line.split()[1]))
                sys.stderr.write(("\r%-60s" if tty else "%s\n") % msg)
                sys.stderr.flush()
        p.wait()
    finally:
        timer.cancel()
    if tty:
        sys.stderr.write("\n")
    if time.monotonic() > t_end:
        raise RingrouteError("mpremote copy to %s timed out after %d s" % (port, MPREMOTE_TIMEOUT))
    if p.returncode != 0:
        raise RingrouteError("mpremote failed copying to %s: %s" % (port, " | ".join(tail)))


def run(args):
    from .transport import default_port
    board_json = os.path.join(paths.BOARDS, args.board, "board.json")
    if not os.path.exists(board_json):
        raise UsageError("no board definition %s (boards/ has: %s)" % (
            board_json, ", ".join(sorted(os.listdir(paths.BOARDS)))))
    files = build(args.out)
    shutil.copyfile(board_json, os.path.join(args.out, "board.json"))
    files.append("board.json")
    total = sum(os.path.getsize(os.path.join(args.out, f)) for f in files)
    print("built %d files (%.1f KB) in %s" % (len(files), total / 1024.0, args.out))
    if args.build_only:
        return 0
    port = default_port(args.port)
    _handover(port, args.force, args.wait)
    print("copying to %s ..." % port, flush=True)
    tops = sorted(set(f.split("/")[0] for f in files))
    _copy(port, [os.path.join(args.out, f) for f in tops], len(files))
    out = _mpremote(port, "resume", "exec", _PRUNE % (files,))
    removed = [ln.split(" ", 1)[1] for ln in out.splitlines() if ln.startswith("removed ")]
    if removed:
        print("removed %d file(s) the build no longer holds: %s" % (len(removed), " ".join(removed)))
    out = _mpremote(port, "resume", "fs", "sha256sum", *[":" + f for f in files])
    sums = [ln.strip() for ln in out.splitlines() if len(ln.strip()) == 64]
    bad = []
    for f, got in zip(files, sums):
        with open(os.path.join(args.out, f), "rb") as fh:
            if hashlib.sha256(fh.read()).hexdigest() != got:
                bad.append(f)
    if len(sums) != len(files) or bad:
        raise RingrouteError("verification failed for %s: run `ringroute flash` again" % (
            ", ".join(bad) or "%d of %d files" % (len(files) - len(sums), len(files))))
    print("verified %d files by SHA-256" % len(files))
    _mpremote(port, "reset", timeout=30)
    print("reset the board: it now starts the ringroute firmware (next: ringroute push office.yaml)")
    return 0
