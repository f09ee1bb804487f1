"""Runs the real firmware against the virtual world, one 10 ms block at a time.

The firmware runs in its own process (`micropython` by default, or CPython)
as `firmware/main.py --emu SOCKET`; this side owns the world and the lockstep
link (rremu.blockframe: both ends import the same module, so they share one
definition of the frames).
"""
import calendar
import datetime
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time

import numpy as np

from .. import audio, paths
from ..errors import RingrouteError
from . import world as world_mod

from rremu import blockframe as bf
from rrfw.line import profiles as fw_profiles

LINK_TIMEOUT_S = 30.0  # a firmware that neither answers a frame nor exits is stuck
# ... and a quiet run of n blocks may take n times this longer: a block of a run
# costs the firmware 15-60 us of CPU, and a loaded machine gives it a small share
# of a core (load 14 on 2 cores: 65535 blocks took over 30 s of wall time)
RUN_BLOCK_TIMEOUT_S = 0.002
# Without a set duration a run ends this long after the last call is over:
# long enough for the board to notice a caller who gave up while it rang
# (the longest ring-cadence silence, IT 4 s, plus the ring detector's margin).
IDLE_END_BLOCKS = 1000  # blocks (10 s)
# The MicroPython heap of the 64-bit engine when none is asked for. The unix
# port's own default is 2 MB, and the firmware's GcPolicy (rrfw/supervisor.py)
# asks gc.mem_free() every 10 quiet blocks, which walks the whole heap's
# allocation table: at 2 MB that walk was 53 % of the firmware's instructions
# in the demo call (callgrind: 1.90 G in all, gc_info 1.01 G; at 1 MB 1.37 G and
# 0.49 G). 1 MB is 2.6 times the week's largest idle heap on this port (379 KB,
# docs/notes/soak.md); a test or bench that measures the heap gives its own.
EMU_HEAP = "1M"


class EmulatorError(RingrouteError):
    pass


# The PyPI package's `micropython` (engine micropython) is a CPython console
# script that imports `re` and the port as an extension module (micropython_run),
# after CPython's site setup: 45 ms of CPU a start (-c pass, 20 starts), two thirds
# of a firmware's whole start-up. Started directly (python -S, the extension's
# folder on the path, the same run_main and arguments) it costs 16 ms.
_LAUNCH = {}


def _launch(cmd):
    """The engine's command with that wrapper replaced by the direct start (else as it is)."""
    exe = cmd[0]
    direct = _LAUNCH.get(exe)
    if direct is None:
        direct = _LAUNCH[exe] = _direct_start(exe) or ()
    return list(direct) + list(cmd[1:]) if direct else cmd


def _direct_start(exe):
    try:
        with open(exe, "rb") as f:
            head = f.read(1024)
    except OSError:
        return None
    if not head.startswith(b"#!") or b"from micropython_unix import main" not in head:
        return None   # a real binary, or a wrapper of another kind: started as it is
    interp = head[2:head.index(b"\n")].decode("utf-8", "replace").split()
    import importlib.util
    spec = importlib.util.find_spec("micropython_run")
    if spec is None or not spec.origin or len(interp) != 1 or not os.path.exists(interp[0]):
        return None
    code = ("import sys; sys.path.append(%r); from micropython_run import run_main; "
            "sys.exit(run_main([%r] + sys.argv[1:]))" % (os.path.dirname(spec.origin), exe))
    return [interp[0], "-S", "-c", code]


def prepare_flash(flash, cfg, prompt_dirs=()):
    """Lay out the emulated board's flash: config.json and prompts/NAME.ulaw."""
    os.makedirs(os.path.join(flash, "prompts"), exist_ok=True)
    with open(os.path.join(flash, "config.json"), "w") as f:
        json.dump(cfg, f)
    for d in prompt_dirs:
        if not d or not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            base, ext = os.path.splitext(name)
            src = os.path.join(d, name)
            dst = os.path.join(flash, "prompts", base + ".ulaw")
            if ext.lower() == ".wav":
                with open(dst, "wb") as f:
                    f.write(_ulaw_of(src))
            elif ext.lower() == ".ulaw":
                shutil.copyfile(src, dst)


ULAW_CACHE = os.path.join(paths.ROOT, "build", "ulaw-cache")


def _ulaw_of(src):
    """The WAV file as the board's mu-law, converted once per version of the file
    (kept in build/ulaw-cache by path, size and mtime): a short run spent more on
    converting the prompts than on its call."""
    import hashlib
    st = os.stat(src)
    key = hashlib.sha1(("%s|%d|%d" % (os.path.abspath(src), st.st_size, st.st_mtime_ns)).encode()).hexdigest()
    cached = os.path.join(ULAW_CACHE, key + ".ulaw")
    try:
        with open(cached, "rb") as f:
            return f.read()
    except OSError:
        pass
    data = audio.ulaw_encode(audio.read_wav_8k(src))
    try:
        os.makedirs(ULAW_CACHE, exist_ok=True)
        tmp = paths.tmp_name(cached)
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, cached)   # parallel runs: a whole file or none
    except OSError:
        pass   # a read-only tree: convert every time
    return data


def prepare_pty_flash(flash, cfg, prompt_dirs=()):
    """A board for `emulate --pty`: config and prompts only when given (else a
    blank board, as from the factory), and a flash folder kept with --flash
    is not overwritten except by what was asked for."""
    os.makedirs(os.path.join(flash, "prompts"), exist_ok=True)
    if cfg is not None:
        prepare_flash(flash, cfg, prompt_dirs)
    elif prompt_dirs:
        cfg_path = os.path.join(flash, "config.json")
        keep = open(cfg_path, "rb").read() if os.path.exists(cfg_path) else None
        prepare_flash(flash, {}, prompt_dirs)
        if keep is None:
            os.remove(cfg_path)
        else:
            with open(cfg_path, "wb") as f:
                f.write(keep)


def start_utc(start):
    """Scenario 'start' (ISO date-time, UTC unless it names an offset) as epoch seconds."""
    if not start:
        return calendar.timegm((2026, 1, 5, 10, 0, 0))  # a Monday, 10:00 UTC
    try:
        dt = datetime.datetime.fromisoformat(str(start))
    except ValueError:
        raise EmulatorError("scenario start %r is not 'YYYY-MM-DD HH:MM[:SS][+HH:MM]'" % start)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp())


class ConsoleMonitor:
    """A technician's monitor on the emulated board's console, in lockstep with
    the blocks: one pty (the firmware's stdin/stdout, raw, reads return at
    once), requests framed as the host's tools frame them (rrfw's protocol
    module), every reply and event line read back every few blocks so the
    board's output never backs up. Counts what it saw (`counts`).

    At each boot of the board (power-on, a power cut, a config switched in)
    the session is new: 20 blocks after it the monitor sets the admin PIN
    (the first time) or logs in, 20 later it starts the live monitor, and
    renews it every 20 s. push(cfg) uploads a config as `ringroute push`
    does (put.begin, put.chunk..., put.end), one request after the other's
    reply."""
    RENEW_BLOCKS = 2000   # the monitor lasts 30 s (protocol.MONITOR_MS): renewed every 20 s
    READ_BLOCKS = 8       # read what the board wrote every 8 blocks (and after a quiet run)

    def __init__(self, pin, script=()):
        from . import ptylink
        self.pin = pin          # None: no requests of its own (a script's bytes only)
        self._raw = sorted(script, key=lambda e: e[0])   # [(block, bytes)] typed on the console after that block
        self.output = bytearray()   # everything the board wrote
        self._ma, self.board_fd = os.openpty()
        self._slave = os.ttyname(self.board_fd)
        ptylink._board_tty(self.board_fd)
        os.set_blocking(self._ma, False)
        self._rid = 0
        self._partial = b""
        self.token = None     # the session's (pin.set's reply), sent with every request after
        self._base = 0          # the block the board's current session counts from
        self._pin_set = False
        self._login = None      # the id of this session's login (or pin.set) until its reply
        self._mon_due = False   # the monitor waits for that reply (the login hashes 256 blocks)
        self._script = []       # requests still to send, one at a time: [(verb, args)]
        self._waiting = None    # the id of the request whose reply the script waits for
        self.pushes = []        # put.end's replies
        self.push_blocks = []   # (block put.begin went, block put.end's reply was read) of each push
        self._block = 0
        self._push_from = 0
        self.counts = {"ev": 0, "gap": 0, "ok": 0, "err": 0, "bytes": 0}
        self.errors = []
        self.wrote = False      # bytes written to the board since the last frame (take_wrote)

    def board_end(self):
        """The board's side of the pty, for the firmware process to be started on."""
        if self.board_fd is None:
            from . import ptylink
            self.board_fd = os.open(self._slave, os.O_RDWR | os.O_NOCTTY)
            ptylink._board_tty(self.board_fd)
        return self.board_fd

    def started(self):
        os.close(self.board_fd)
        self.board_fd = None

    def restarted(self, block):
        """The board booted again (a power cut, a config switched in): a new session."""
        self._base = block
        self._login = None
        self._mon_due = False

    def push(self, data, kind="config", name=None):
        """Upload `data` (compiled config JSON, bytes) as the board's new config
        (kind "prompt" and a name: as a prompt, mu-law bytes)."""
        import binascii
        from rrfw.console import protocol
        crc = binascii.crc32(data) & 0xFFFFFFFF
        begin = {"kind": kind, "size": len(data), "crc": crc}
        if name:
            begin["name"] = name
        self._script.append(("put.begin", begin))
        for off in range(0, len(data), protocol.CHUNK):
            piece = data[off:off + protocol.CHUNK]
            self._script.append(("put.chunk", {"off": off, "data": binascii.b2a_base64(piece, newline=False)
                                               .decode(), "crc": binascii.crc32(piece) & 0xFFFFFFFF}))
        self._script.append(("put.end", {}))

    def _send(self, verb, args):
        from rrfw.console import protocol
        self._rid += 1
        if self.token is not None:
            args = dict(args, tok=self.token)
        os.write(self._ma, protocol.frame(str(self._rid), verb, json.dumps(args)))
        self.wrote = True
        return str(self._rid)

    def take_wrote(self):
        """True once after anything was written to the board's console (the next
        frame's IF_CONSOLE: the board reads its console only then)."""
        w = self.wrote
        self.wrote = False
        return w

    def next_send(self, block):
        """The first block from `block` on after which step() may send a request
        (a quiet run must end there: runner._loop)."""
        if self._script or self._mon_due or self._waiting is not None:
            return block   # (a reply awaited: read in the block it comes, not after a quiet run)
        if self._raw:
            first = max(block, self._raw[0][0])
            if self.pin is None:
                return first
            return min(first, self._next_request(block))
        if self.pin is None:
            return 1 << 62
        return self._next_request(block)

    def _next_request(self, block):
        rel = block - self._base
        if rel <= 20:
            return self._base + 20
        if rel <= 40:
            return self._base + 40
        return block + (40 - rel) % self.RENEW_BLOCKS

    def step(self, block, drain=False):
        self._block = block
        if drain:
            # after a quiet run: the replies that came meanwhile first (the login's
            # token goes with the next request, as it would have after a block-by-block run)
            self.read()
        while self._raw and self._raw[0][0] <= block:
            os.write(self._ma, self._raw.pop(0)[1])
            self.wrote = True
        rel = block - self._base
        if self.pin is None:
            pass
        elif rel == 20:
            if self._pin_set:
                self._login = self._send("login", {"pin": self.pin})
            else:
                self._login = self._send("pin.set", {"new": self.pin})
                self._pin_set = True
        elif rel == 40 or (rel > 40 and rel % self.RENEW_BLOCKS == 40):
            self._mon_due = True
        if self._mon_due and self._login is None:
            # after the login's reply (its token): the board hashes the PIN a
            # slice a block (console/server.py) and reads no request meanwhile
            self._mon_due = False
            self._send("monitor", {})
        elif self._script and self._waiting is None and rel > 40 and self._login is None:
            verb, args = self._script.pop(0)
            if verb == "put.begin":
                self._push_from = block
            self._waiting = (self._send(verb, args), verb)
        if drain or block % self.READ_BLOCKS == 0 or self._waiting is not None or self._login is not None:
            self.read()

    def read(self):
        """Take what the board wrote to its console (it waits in the pty meanwhile)."""
        while True:
            try:
                data = os.read(self._ma, 65536)
            except (BlockingIOError, OSError):
                break
            if not data:
                break
            self.counts["bytes"] += len(data)
            self.output += data
            lines = (self._partial + data).split(b"\n")
            self._partial = lines.pop()
            for ln in lines:
                parts = ln.split(b" ", 3)
                if len(parts) >= 3 and parts[0] == b"~RR1":
                    verb = parts[2].decode("ascii", "replace")
                    if verb in self.counts:
                        self.counts[verb] += 1
                    if verb == "err":
                        self.errors.append(ln.decode("utf-8", "replace"))
                    elif verb == "ok" and len(parts) > 3 and b'"token"' in parts[3]:
                        self.token = json.loads(parts[3][:parts[3].rindex(b"*")])["token"]
                    if self._login is not None and parts[1].decode("ascii", "replace") == self._login:
                        self._login = None
                    if self._waiting is not None and parts[1].decode("ascii", "replace") == self._waiting[0]:
                        if verb == "ok" and self._waiting[1] == "put.end" and len(parts) > 3:
                            self.pushes.append(json.loads(parts[3].rsplit(b"*", 1)[0]))
                            self.push_blocks.append((self._push_from, self._block))
                        if verb != "ok":
                            self._script = []   # the upload failed (the error is counted)
                        self._waiting = None

    def close(self):
        for fd in (self._ma, self.board_fd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass


class Emulation:
    def __init__(self, cfg, scenario, prompt_dirs=(), engine="micropython", heapsize=None,
                 n_lines=2, n_exts=4, flash=None, on_event=None, pty=False, speed=1.0, on_ready=None,
                 monitor_pin=None, extra_argv=(), batch=True, power_cuts=None, pushes=(), console_script=None,
                 boot_py=True):
        self.cfg = cfg
        self.sc = scenario
        self.engine = engine
        self.heapsize = heapsize
        self.n_lines = n_lines
        self.n_exts = n_exts
        self.prompt_dirs = prompt_dirs
        self.flash = flash
        self.on_event = on_event
        # --pty: the console on a pty (ptylink.py), the block clock paced to
        # `speed` x real time, running until stopped (after the scenario, if any)
        self.pty = pty
        self.speed = speed
        self.on_ready = on_ready  # called with the pty path once the board runs
        self.bridge = None
        # monitor_pin: a technician's tool on the console all along (lockstep, not
        # --pty): it sets the admin PIN, logs in and keeps a live monitor running
        # (ConsoleMonitor below); extra_argv: more firmware arguments (rremu/probe.py)
        self.monitor_pin = monitor_pin
        self.monitor = None
        self.extra_argv = list(extra_argv)
        # quiet runs (rremu/blockframe.py): off only to show they change nothing
        self.batch = batch
        # power_cuts: {block: ms without power}; pushes: [(block, config JSON bytes)]
        # sent through the monitor's session (monitor_pin needed); (block, bytes,
        # "prompt", name) uploads a prompt
        self.power_cuts = dict(power_cuts or {})
        # console_script: [(block, bytes)] typed on the console (a technician at
        # the REPL, in lockstep); boot_py=False: firmware without boot.py (a board
        # flashed before it shipped: rremu/repl.py)
        self.console_script = console_script
        self.boot_py = boot_py
        self.pushes = list(pushes)
        self._proc = None
        self._conn = None
        self.events = []
        self.stderr = ""
        self.blocks = 0
        self.frames = 0   # input frames sent (a quiet run is one)
        # batches during calls (_batch_ahead): how many were sent, the blocks they
        # stood for, how many the board cut short; the next one's size
        self.batch_frames = self.batch_blocks = self.batch_cut = 0
        self._batch_n = self.BATCH_MIN
        # tests: batch_bound False sends batches without World.batch_blocks's bound (the
        # world's own changes then fall inside them); batch_spans a list to get each
        # batch's (first block, blocks sent, blocks taken)
        self.batch_bound = True
        self.batch_spans = None
        self._rbuf = bytearray(1 << 16)   # what the firmware sent, not yet taken (_fill)
        self._rmv = memoryview(self._rbuf)
        self._rconn = None
        self._rpos = self._rend = 0
        self.wall_s = 0.0

    def log(self, t_ms, event, **fields):
        ev = {"t_ms": int(t_ms), "event": event, "src": "world"}
        ev.update(fields)
        self._emit(ev)

    def _emit(self, ev):
        self.events.append(ev)
        if self.on_event:
            self.on_event(ev)

    def run(self):
        tmp = tempfile.mkdtemp(prefix="ringroute-emu-")
        try:
            flash = self.flash or os.path.join(tmp, "flash")
            os.makedirs(flash, exist_ok=True)
            if self.pty:  # a board's flash persists: only what was asked for is written
                prepare_pty_flash(flash, self.cfg, self.prompt_dirs)
            else:
                prepare_flash(flash, self.cfg, self.prompt_dirs)
            return self._run(tmp, flash)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _run(self, tmp, flash):
        nl, ne = self.n_lines, self.n_exts
        world = world_mod.World(self.sc, self._world_cfg(flash), nl, ne, self.log, fw_profiles,
                                utc0=start_utc(self.sc.get("start")))
        sock_path = os.path.join(tmp, "board.sock")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(sock_path)
        srv.listen(1)
        srv.settimeout(LINK_TIMEOUT_S)
        heap = self.heapsize or (EMU_HEAP if self.engine == "micropython" else None)
        cmd = _launch(paths.engine_command(self.engine, heap)) + [
            paths.firmware_main(self.engine), "--emu", sock_path,
            "--lines", str(nl), "--exts", str(ne), "--root", flash] + self.extra_argv
        if not self.boot_py:
            cmd.append("--no-boot-py")
        errf = open(os.path.join(tmp, "stderr"), "w+")
        self._cmd, self._errf, self._srv = cmd, errf, srv
        # the engine's environment once a run, not again at every power cut (the .mpy
        # build: firmware_main above just brought it up to date)
        self._env = paths.engine_env(self.engine, built=True)
        if self.monitor_pin or self.console_script is not None:
            self.monitor = ConsoleMonitor(self.monitor_pin, self.console_script or ())
        t0 = time.time()
        proc = None
        try:
            proc = self._spawn()
            conn = self._accept(proc, t0)
            # on a pty the firmware may sit in its REPL running a technician's code: no deadline
            conn.settimeout(None if self.pty else LINK_TIMEOUT_S)
            if self.on_ready and self.bridge:
                self.on_ready(self.bridge.path)
            self._proc, self._conn = proc, conn
            self._loop(conn, world, nl)
            proc, conn = self._proc, self._conn   # a power cut starts a new process
            conn.sendall(self._frame(bf.STOP_BLOCK, 0, [0] * nl, [0] * nl, 0, np.zeros((nl, 80), np.int16)))
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        except (OSError, EmulatorError) as e:
            proc = getattr(self, "_proc", None) or proc
            if proc is not None:
                proc.kill()
                proc.wait()
            if isinstance(e, EmulatorError):
                raise EmulatorError("%s; firmware output: %s" % (e, self._tail(errf)))
            raise EmulatorError("the firmware stopped at %.2f s of the scenario: %s" % (
                self.blocks * 0.01, self._tail(errf)))
        finally:
            self.wall_s = time.time() - t0
            errf.seek(0)
            self.stderr = errf.read()
            errf.close()
            srv.close()
            if self.monitor:
                self.monitor.close()
            if self.bridge:
                if proc is not None and proc.poll() is None:
                    proc.kill()
                    proc.wait()
                self.bridge.close()
        return self.events

    def _spawn(self):
        """Start the firmware process (at power-on, and again after a power cut)."""
        cmd, errf = list(self._cmd), self._errf
        if self.pty:
            from . import ptylink
            if self.bridge is None:   # (a reset or a power cut: the same port for the user)
                self.bridge = ptylink.PtyBridge()
            cmd += ["--console", "stdio"]
            proc = subprocess.Popen(cmd, env=self._env, stdin=self.bridge.board_fd,
                                    stdout=self.bridge.board_fd, stderr=errf, preexec_fn=ptylink.take_ctty)
            self.bridge.start(proc.pid)
        elif self.monitor:
            cmd += ["--console", "stdio"]
            fd = self.monitor.board_end()
            proc = subprocess.Popen(cmd, env=self._env, stdin=fd, stdout=fd, stderr=errf)
            self.monitor.started()
        else:
            proc = subprocess.Popen(cmd, env=self._env, stdout=errf, stderr=errf,
                                    stdin=subprocess.DEVNULL)
        return proc

    def _accept(self, proc, t0):
        srv, errf = self._srv, self._errf
        conn = None
        srv.settimeout(0.1)
        while conn is None:
            try:
                conn, _ = srv.accept()
            except socket.timeout:
                if proc.poll() is not None:
                    raise EmulatorError("the firmware exited before connecting: %s" % self._tail(errf))
                if time.time() - t0 > LINK_TIMEOUT_S:
                    raise EmulatorError("the firmware did not connect within %d s: %s" % (
                        LINK_TIMEOUT_S, self._tail(errf)))
        return conn

    def _power_cut(self, world, block, nl):
        """The board loses power at `block` for a while (scenario power_cuts):
        the firmware process is killed where it stands (nothing of its RAM
        survives, a write it was making is cut), the relays drop (every line
        on-hook, the crosspoint open, no ringing), the world goes on; then
        the board boots again on what its flash holds. Returns the block the
        board runs again at."""
        off_ms = self.power_cuts[block]
        self._proc.kill()
        self._proc.wait()
        self._conn.close()
        t = block * bf.BLOCK_MS
        self.log(t, "power", state="off", off_ms=off_ms)
        silent = np.zeros((nl, 80), np.int16)
        end = block + off_ms // bf.BLOCK_MS
        while block < end:
            t = block * bf.BLOCK_MS
            world.inputs(block)
            world.outputs(t, 0, 0, [0] * nl, silent)
            block += 1
        self.log(block * bf.BLOCK_MS, "power", state="on")
        self._proc = self._spawn()
        self._conn = self._accept(self._proc, time.time())
        self._conn.settimeout(LINK_TIMEOUT_S)
        if self.monitor:
            self.monitor.restarted(block)
        return block

    def _board_reset(self, block):
        """The board reset itself after this block's frame (BF_RESET: hal.reboot(),
        machine.reset() on the ESP32: the RAM is gone, the flash stays): its
        process ends and the firmware starts again at once on the same flash,
        the world's clock going on from the next block (the boot takes no world
        time, as after a power cut)."""
        self.log(block * bf.BLOCK_MS, "reset")
        try:
            self._proc.wait(timeout=LINK_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise EmulatorError("the firmware did not end after its reset at %.2f s" % (block * 0.01))
        self._conn.close()
        self._proc = self._spawn()
        self._conn = self._accept(self._proc, time.time())
        self._conn.settimeout(None if self.pty else LINK_TIMEOUT_S)
        if self.monitor:
            self.monitor.restarted(block + 1)

    def _world_cfg(self, flash):
        """The config the world's phones follow: the one given, else (--pty with a
        kept flash) the board's own, else none (a blank board)."""
        if self.cfg is not None:
            return self.cfg
        try:
            with open(os.path.join(flash, "config.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {"version": 1, "lines": [], "extensions": {}}

    @staticmethod
    def _tail(errf):
        errf.flush()
        errf.seek(0)
        lines = errf.read().strip().splitlines()
        return " | ".join(lines[-6:]) or "(no output)"

    _HEADS = {}   # n_lines -> the input frame's header and per-line bytes as one Struct

    @staticmethod
    def _frame(block, utc, pulses, flags, ext_bits, pcm, count=1, board_in=bf.IF_CONSOLE):
        nl = len(pulses)
        hs = Emulation._HEADS.get(nl)
        if hs is None:
            hs = Emulation._HEADS[nl] = struct.Struct(bf.IN_HDR + "BB" * nl)
        per = [0] * (2 * nl)
        for i in range(nl):
            per[2 * i] = min(pulses[i], 255)
            per[2 * i + 1] = flags[i]
        # the world's audio is little-endian int16 already: no converted copy
        return hs.pack(block, utc, ext_bits, count, board_in, *per) + (
            pcm if pcm.dtype.str == "<i2" else pcm.astype("<i2")).tobytes()

    _DTYPES = {}   # n_lines -> the input frame as a numpy record (the same bytes as _frame's)

    @staticmethod
    def _frames(block, k, utc0, pulses, flags, ext_bits, pcm, count, board_in):
        """_frame() of k blocks from `block` on with the same hook bits (a steady
        stretch: World.steady_inputs), pulses and flags k x lines, pcm k x lines x 80,
        as one bytes; the first frame with count and board_in, the others 1 and 0."""
        nl = pcm.shape[1]
        dt = Emulation._DTYPES.get(nl)
        if dt is None:
            names = ["block", "utc", "ext", "count", "board_in"]
            fmts = ["<u4", "<u4", "<u2", "<u2", "<u2"]
            assert struct.calcsize(bf.IN_HDR) == 14 and bf.IN_HDR == "<IIHHH"
            dt = Emulation._DTYPES[nl] = np.dtype(list(zip(names, fmts)) + [
                ("per", "u1", (2 * nl,)), ("pcm", "<i2", (nl, bf.BLOCK_SAMPLES))])
        rec = np.zeros(k, dt)
        b = np.arange(block, block + k, dtype=np.int64)
        rec["block"] = b
        rec["utc"] = utc0 + b * bf.BLOCK_MS // 1000
        rec["ext"] = ext_bits
        rec["count"] = 1
        rec["count"][0] = count
        rec["board_in"][0] = board_in
        rec["per"][:, 0::2] = np.minimum(pulses, 255)
        rec["per"][:, 1::2] = flags
        rec["pcm"] = pcm
        return rec.tobytes()

    def _fill(self, conn, n):
        """At least n bytes from the firmware in _rbuf from _rpos on (returns _rpos).
        It writes a block's reply in one go and nothing more until the next input
        frame, so one recv usually brings the whole reply (event parts, frame,
        event text): the rest is taken from what that recv brought, without
        another system call."""
        buf = self._rbuf
        if conn is not self._rconn:   # a new link (a power cut): nothing of the old one is left
            self._rconn = conn
            self._rpos = self._rend = 0
        if self._rend - self._rpos < n:
            if self._rpos:
                buf[:self._rend - self._rpos] = buf[self._rpos:self._rend]
                self._rend -= self._rpos
                self._rpos = 0
            if len(buf) < n:
                buf.extend(bytes(n - len(buf)))
                self._rmv = memoryview(buf)
            mv = self._rmv
            while self._rend < n:
                k = conn.recv_into(mv[self._rend:])
                if not k:
                    raise EmulatorError("the firmware closed the link at %.2f s of the scenario" % (
                        self.blocks * 0.01))
                self._rend += k
        return self._rpos

    def _recv_exact(self, conn, n):
        """The next n bytes from the firmware."""
        at = self._fill(conn, n)
        self._rpos = at + n
        return bytes(self._rbuf[at:at + n])

    def _reply(self, conn, size):
        """One reply of the firmware: (its event text parts, the frame with the u16
        before it and the u16 of event text after it: `size` bytes)."""
        parts = None
        at = self._fill(conn, size)   # (a reply is never shorter: a part is a frame's size at most)
        buf = self._rbuf
        while buf[at] or buf[at + 1]:   # an event part first (blockframe.py)
            k = buf[at] | buf[at + 1] << 8
            self._rpos = at + 2
            if parts is None:
                parts = []
            parts.append(self._recv_exact(conn, k))
            at = self._fill(conn, 2)
        if parts is not None:
            at = self._fill(conn, size)
        self._rpos = at + size
        return parts, bytes(self._rbuf[at:at + size])

    # Batches during a call: the blocks a frame starts at BATCH_MIN, doubles while
    # the board takes a batch whole, and falls back to BATCH_MIN when it stops one
    # early (recomputing the blocks it took is the cost of a batch cut short).
    BATCH_MIN = 8
    BATCH_MAX = 256

    def _batch_ahead(self, conn, world, block, m, utc0, board_in):
        """Send blocks block..block+m-1 in one frame (blockframe.py "Batches"), the
        world stepped through them as if the board's outputs stayed as in its last
        reply (World.outputs_again; all but the last block's: that one waits for the
        reply). Returns the snapshot to go back to and the world events held meanwhile."""
        snap = world.snapshot()
        held = []
        log = world.log
        world.log = lambda t, event, **fields: held.append((t, event, fields))
        frames = []
        first = board_in | bf.IF_BATCH
        try:
            i = 0
            while i < m:
                b = block + i
                k = world.steady_blocks(b, m - i)
                if k:
                    # a steady stretch: its blocks' inputs at once (outputs_again changes
                    # nothing in one: World.steady_blocks)
                    pcm, pulses, flags, ext_bits = world.steady_inputs(b, k)
                    frames.append(self._frames(b, k, utc0, pulses, flags, ext_bits, pcm, m if i == 0 else 1,
                                               first if i == 0 else 0))
                    i += k
                    continue
                t = b * bf.BLOCK_MS
                pulses, flags, ext_bits, pcm = world.inputs(b)
                frames.append(self._frame(b, utc0 + t // 1000, pulses, flags, ext_bits, pcm, m if i == 0 else 1,
                                          first if i == 0 else 0))
                if i < m - 1:
                    world.outputs_again(t)
                i += 1
        finally:
            world.log = log
        conn.sendall(b"".join(frames))
        return snap, held

    def _batch_back(self, world, block, j, m, snap, held):
        """The board took blocks block..block+j of a batch of m: the world as it was
        after block+j's inputs. All of it taken: the world is there already and its
        held events go out; else it goes back to the snapshot and steps through the
        blocks taken again (the same inputs: the world is deterministic)."""
        if j == m - 1:
            for t, event, fields in held:
                world.log(t, event, **fields)
            self._batch_n = min(self.BATCH_MAX, 2 * self._batch_n)
            return
        self.batch_cut += 1
        self._batch_n = self.BATCH_MIN
        world.restore(snap)
        i = 0
        while i < j:
            k = world.steady_blocks(block + i, j - i)
            if k:
                world.steady_inputs(block + i, k)
                i += k
                continue
            world.inputs(block + i)
            world.outputs_again((block + i) * bf.BLOCK_MS)
            i += 1
        world.inputs(block + j)

    def _loop(self, conn, world, nl):
        utc0 = start_utc(self.sc.get("start"))
        fixed = bf.out_fixed_size(nl)
        xm_fmt = struct.Struct("<%dH" % nl)     # the crosspoint masks, one per line
        out_hdr = struct.Struct(bf.OUT_HDR)
        tx_at = bf.out_audio_offset(nl, 0)
        max_blocks = int(self.sc["duration"] * 100)
        idle_end = not self.sc.get("duration_given") and not self.pty
        idle_blocks = 0
        done = False
        if self.pty:
            t_start = time.monotonic()
            pace = bf.BLOCK_MS / 1000.0 / self.speed
        block = 0
        cuts = sorted(self.power_cuts)
        pushes = sorted(self.pushes)
        booted = 0
        run_timeout = False   # the link's timeout is a quiet run's longer one
        all_done = None       # world.all_done() at the end of the last block (idle_end only)
        while self.pty or block < max_blocks:
            if cuts and block == cuts[0]:
                cuts.pop(0)
                all_done = None
                block = self._power_cut(world, block, nl)
                conn = self._conn
                continue
            if pushes and block >= pushes[0][0] and self.monitor:
                self.monitor.push(*pushes.pop(0)[1:])
            if self.pty:  # real time (or --speed x): the block clock waits for the wall clock
                ahead = t_start + block * pace - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            # A quiet run (rremu/blockframe.py): n blocks in one frame while
            # nothing happens; it ends where the monitor sends, where the run
            # would end, or earlier when the board does something.
            n = 1
            if self.batch and not self.pty:
                limit = min(bf.COUNT_MAX, max_blocks - block)
                if cuts:
                    limit = min(limit, cuts[0] - block)
                if pushes:
                    limit = min(limit, max(1, pushes[0][0] - block))
                if self.monitor:
                    limit = min(limit, self.monitor.next_send(block) - block + 1)
                # (all_done as the last block's end found it: nothing moved the world since)
                done = idle_end and (world.all_done() if all_done is None else all_done)
                if done:
                    limit = min(limit, IDLE_END_BLOCKS - idle_blocks)
                n = max(1, world.quiet_blocks(block, limit))
            # A batch during a call (blockframe.py "Batches"): the board's outputs
            # silent and as in its last reply, the world computes the next blocks
            # as if they stayed so; `held` the world's events of those blocks
            m = 1
            if n == 1 and self.batch and not self.pty and limit > 1 and not any(world.tx_on):
                # (no idle end inside one: nor while a line rings, whose caller can only
                # finish where batch_blocks ends the batch)
                if not idle_end or any(world.hook) or any(world.ext_ring) or world.rings_a_line():
                    m = min(limit, self._batch_n)
                    if self.batch_bound:
                        m = world.batch_blocks(block, m)
            self.blocks = block + 1
            t = block * bf.BLOCK_MS
            # the console: a --pty tool writes when it likes (the board reads every
            # block); the lockstep monitor writes between frames, so the board reads
            # only after it did (and until a read finds nothing: rremu/board.py)
            board_in = bf.IF_CONSOLE if self.pty or (self.monitor is not None and self.monitor.take_wrote()) else 0
            k = max(n, m)
            if k > 1 or run_timeout:
                run_timeout = k > 1
                conn.settimeout(LINK_TIMEOUT_S + k * RUN_BLOCK_TIMEOUT_S if run_timeout else LINK_TIMEOUT_S)
            if m > 1:
                snap, held = self._batch_ahead(conn, world, block, m, utc0, board_in)
            else:
                pulses, flags, ext_bits, pcm = world.inputs(block)
                conn.sendall(self._frame(block, utc0 + t // 1000, pulses, flags, ext_bits, pcm, n, board_in))
            self.frames += 1
            # event parts (blockframe.py), then the frame (with the u16 0 before it)
            parts, out = self._reply(conn, fixed + 4)
            echo, hook, bflags, ring = out_hdr.unpack_from(out, 2)
            if m > 1:
                if not block <= echo < block + m:
                    raise EmulatorError("link out of step: sent blocks %d-%d, firmware answered %d" % (
                        block, block + m - 1, echo))
                self._batch_back(world, block, echo - block, m, snap, held)
                self.batch_frames += 1
                self.batch_blocks += echo - block + 1
                if self.batch_spans is not None:
                    self.batch_spans.append((block, m, echo - block + 1))
                n = echo - block + 1   # (the monitor drains after it, as after a quiet run)
                block = echo
                t = block * bf.BLOCK_MS
                self.blocks = block + 1
            if self.bridge is not None:
                self.bridge.break_on = bool(bflags & bf.BF_BREAK)
            if self.pty and bflags & bf.BF_BUSY:
                # the board hashes a PIN a slice a block (console/server.py): those
                # blocks need not wait for the wall clock; the clock's schedule moves
                # on with them (the board's time, block by block, is unchanged)
                t_start -= pace * (echo - block + 1)
            if not block <= echo < block + n:
                raise EmulatorError("link out of step: sent block %d, firmware answered %d" % (block, echo))
            if echo > block:
                # blocks block..echo-1 were quiet on both sides: as if each had been sent
                idle_blocks = idle_blocks + (echo - block) if done else 0
                block = echo
                t = block * bf.BLOCK_MS
                self.blocks = block + 1
            xm = list(xm_fmt.unpack_from(out, 2 + bf.OUT_XMASK))
            tx = np.frombuffer(out, "<i2", nl * bf.BLOCK_SAMPLES, 2 + tx_at).reshape(nl, bf.BLOCK_SAMPLES)
            nev = out[fixed + 2] | out[fixed + 3] << 8
            if nev:
                if parts is None:
                    parts = []
                parts.append(self._recv_exact(conn, nev))
            if parts:
                text = b"".join(parts).decode("utf-8", "replace")
                for line in text.splitlines():
                    if line.strip():
                        ev = json.loads(line)
                        ev["src"] = "board"
                        self._emit(ev)
                        if ev["event"] == "boot":
                            booted += 1
                            if booted > 1 and self.monitor:
                                self.monitor.restarted(block)   # a new App: a new console session
            world.outputs(t, hook, ring, xm, tx)
            if bflags & bf.BF_RESET:
                all_done = None
                self._board_reset(block)
                conn = self._conn
            if self.monitor:
                self.monitor.step(block, drain=n > 1)
            # Without a set duration, stop 10 s after the last call has ended and
            # the board is back on-hook with nothing ringing.
            if idle_end:
                quiet = not any(world.hook) and not any(world.ext_ring)
                all_done = world.all_done()
                idle_blocks = idle_blocks + 1 if (all_done and quiet) else 0
                if idle_blocks >= IDLE_END_BLOCKS:
                    break
            block += 1
        if self.monitor:
            self.monitor.read()
        world.finish(self.blocks * bf.BLOCK_MS)
        self.world = world
