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
# Without a set duration a run ends this long after the last call is over:
# long enough for the board to notice a caller who gave up while it rang
# (the longest ring-cadence silence, IT 4 s, plus the ring detector's margin).
IDLE_END_BLOCKS = 1000  # blocks (10 s)


class EmulatorError(RingrouteError):
    pass


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
                    f.write(audio.ulaw_encode(audio.read_wav_8k(src)))
            elif ext.lower() == ".ulaw":
                shutil.copyfile(src, dst)


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
    module), every reply and event line read back each block so the board's
    output never backs up. Counts what it saw (`counts`)."""
    RENEW_BLOCKS = 2000   # the monitor lasts 30 s (protocol.MONITOR_MS): renewed every 20 s

    def __init__(self, pin):
        from . import ptylink
        self.pin = pin
        self._ma, self.board_fd = os.openpty()
        ptylink._board_tty(self.board_fd)
        os.set_blocking(self._ma, False)
        self._rid = 0
        self._partial = b""
        self.token = None     # the session's (pin.set's reply), sent with every request after
        self.counts = {"ev": 0, "gap": 0, "ok": 0, "err": 0, "bytes": 0}
        self.errors = []

    def started(self):
        os.close(self.board_fd)
        self.board_fd = None

    def _send(self, verb, args):
        from rrfw.console import protocol
        self._rid += 1
        if self.token is not None:
            args = dict(args, tok=self.token)
        os.write(self._ma, protocol.frame(str(self._rid), verb, json.dumps(args)))

    def step(self, block):
        if block == 20:
            self._send("pin.set", {"new": self.pin})
        elif block == 40 or (block > 40 and block % self.RENEW_BLOCKS == 40):
            self._send("monitor", {})
        while True:
            try:
                data = os.read(self._ma, 65536)
            except (BlockingIOError, OSError):
                break
            if not data:
                break
            self.counts["bytes"] += len(data)
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
                    elif verb == "ok" and b'"token"' in parts[3]:
                        self.token = json.loads(parts[3][:parts[3].rindex(b"*")])["token"]

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
                 monitor_pin=None, extra_argv=()):
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
        self.events = []
        self.stderr = ""
        self.blocks = 0
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
        cmd = paths.engine_command(self.engine, self.heapsize) + [
            paths.firmware_main(self.engine), "--emu", sock_path,
            "--lines", str(nl), "--exts", str(ne), "--root", flash] + self.extra_argv
        errf = open(os.path.join(tmp, "stderr"), "w+")
        if self.pty:
            from . import ptylink
            self.bridge = ptylink.PtyBridge()
            cmd += ["--console", "stdio"]
            proc = subprocess.Popen(cmd, env=paths.engine_env(self.engine), stdin=self.bridge.board_fd,
                                    stdout=self.bridge.board_fd, stderr=errf, preexec_fn=ptylink.take_ctty)
            self.bridge.start(proc.pid)
        elif self.monitor_pin:
            self.monitor = ConsoleMonitor(self.monitor_pin)
            cmd += ["--console", "stdio"]
            proc = subprocess.Popen(cmd, env=paths.engine_env(self.engine), stdin=self.monitor.board_fd,
                                    stdout=self.monitor.board_fd, stderr=errf)
            self.monitor.started()
        else:
            proc = subprocess.Popen(cmd, env=paths.engine_env(self.engine), stdout=errf, stderr=errf,
                                    stdin=subprocess.DEVNULL)
        t0 = time.time()
        try:
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
            # on a pty the firmware may sit in its REPL running a technician's code: no deadline
            conn.settimeout(None if self.pty else LINK_TIMEOUT_S)
            if self.on_ready and self.bridge:
                self.on_ready(self.bridge.path)
            self._loop(conn, world, nl)
            conn.sendall(self._frame(bf.STOP_BLOCK, 0, [0] * nl, [0] * nl, 0, np.zeros((nl, 80), np.int16)))
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        except (OSError, EmulatorError) as e:
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
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                self.bridge.close()
        return self.events

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

    @staticmethod
    def _frame(block, utc, pulses, flags, ext_bits, pcm):
        head = struct.pack("<IIH", block, utc, ext_bits)
        per = bytes(b for i in range(len(pulses)) for b in (min(pulses[i], 255), flags[i]))
        return head + per + pcm.astype("<i2").tobytes()

    def _recv_exact(self, conn, n):
        buf = bytearray(n)
        mv = memoryview(buf)
        got = 0
        while got < n:
            k = conn.recv_into(mv[got:])
            if not k:
                raise EmulatorError("the firmware closed the link at %.2f s of the scenario" % (
                    self.blocks * 0.01))
            got += k
        return buf

    def _loop(self, conn, world, nl):
        utc0 = start_utc(self.sc.get("start"))
        fixed = bf.out_fixed_size(nl)
        max_blocks = int(self.sc["duration"] * 100)
        idle_blocks = 0
        if self.pty:
            import itertools
            blocks = itertools.count()
            t_start = time.monotonic()
            pace = bf.BLOCK_MS / 1000.0 / self.speed
        else:
            blocks = range(max_blocks)
        for block in blocks:
            if self.pty:  # real time (or --speed x): the block clock waits for the wall clock
                ahead = t_start + block * pace - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            self.blocks = block + 1
            t = block * bf.BLOCK_MS
            pulses, flags, ext_bits, pcm = world.inputs(block)
            conn.sendall(self._frame(block, utc0 + t // 1000, pulses, flags, ext_bits, pcm))
            # event parts (blockframe.py), then the frame
            parts = []
            while True:
                n = struct.unpack("<H", self._recv_exact(conn, 2))[0]
                if not n:
                    break
                parts.append(bytes(self._recv_exact(conn, n)))
            out = self._recv_exact(conn, fixed + 2)
            echo, hook, bflags, ring = struct.unpack_from(bf.OUT_HDR, out, 0)
            if self.bridge is not None:
                self.bridge.break_on = bool(bflags & bf.BF_BREAK)
            if echo != block:
                raise EmulatorError("link out of step: sent block %d, firmware answered %d" % (block, echo))
            xm = [struct.unpack_from("<H", out, bf.OUT_XMASK + 2 * i)[0] for i in range(nl)]
            tx = np.frombuffer(bytes(out[bf.out_audio_offset(nl, 0):fixed]), "<i2").reshape(nl, 80)
            nev = struct.unpack_from("<H", out, fixed)[0]
            if nev:
                parts.append(bytes(self._recv_exact(conn, nev)))
            if parts:
                text = b"".join(parts).decode("utf-8", "replace")
                for line in text.splitlines():
                    if line.strip():
                        ev = json.loads(line)
                        ev["src"] = "board"
                        self._emit(ev)
            world.outputs(t, hook, ring, xm, tx)
            if self.monitor:
                self.monitor.step(block)
            # Without a set duration, stop 10 s after the last call has ended and
            # the board is back on-hook with nothing ringing.
            if not self.sc.get("duration_given") and not self.pty:
                done = all(c.state in ("done", "gone_before_answer", "blocked") for c in world.callers)
                quiet = not any(world.hook) and not any(world.ext_ring)
                idle_blocks = idle_blocks + 1 if (done and quiet) else 0
                if idle_blocks >= IDLE_END_BLOCKS:
                    break
        world.finish(self.blocks * bf.BLOCK_MS)
        self.world = world
