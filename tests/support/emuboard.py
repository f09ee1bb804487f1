"""An emulated board on a pty for the console tests: `ringroute emulate --pty` as a user starts it."""
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/support/ -> the repo
ENV = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools"))
ENV.pop("RINGROUTE_PORT", None)
ENV.pop("RINGROUTE_PIN", None)


class EmuBoard:
    def __init__(self, tmp, config=None, script=None, speed=1.0, flash=None, engine="micropython", extra=()):
        self.tmp = str(tmp)
        self.flash = flash or os.path.join(self.tmp, "flash")
        self.args = [sys.executable, "-m", "ringroute.cli", "emulate", "--pty", "--flash", self.flash,
                     "--speed", str(speed), "--engine", engine, "--json"]
        if config:
            if isinstance(config, dict):
                p = os.path.join(self.tmp, "config.json")
                with open(p, "w") as f:
                    json.dump(config, f)
                config = p
            self.args.insert(4, config)
        if script:
            self.args += ["--script", script]
        self.args += [str(a) for a in extra]
        self.log_path = os.path.join(self.tmp, "emulate-%d.log" % time.time_ns())
        self.proc = None
        self.port = None

    def start(self, timeout=60):
        self.log = open(self.log_path, "w+")
        # unbuffered: the pipe is read straight (_lines), so select() sees every byte not yet
        # taken; a Python buffer in between can hold whole lines select() cannot see
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self.log, bufsize=0,
                                     env=ENV, cwd=ROOT)
        self._buf = b""
        self._pending = []
        t_end = time.time() + timeout
        while time.time() < t_end and self.proc.poll() is None:
            lines = self._lines(0.5)
            for i, line in enumerate(lines):
                if "console is on" in line:
                    self.port = line.split("console is on ")[1].split()[0]
                    self._pending = lines[i + 1:]
                    return self
        self.stop()
        raise RuntimeError("the emulated board did not start: %s" % self.output())

    def _lines(self, timeout):
        """The whole lines the emulator has printed since the last call, waiting up to
        `timeout` s for the first bytes."""
        fd = self.proc.stdout.fileno()
        while select.select([fd], [], [], timeout)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            self._buf += chunk
            timeout = 0
        *whole, self._buf = self._buf.split(b"\n")
        return [line.decode() for line in whole]

    def events(self):
        """Board events the emulator printed since the last call (does not wait)."""
        lines, self._pending = self._pending + self._lines(0), []
        return [json.loads(line) for line in lines if line.startswith("{")]

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-3000:]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


ONE_CALL = """\
calls:
  - at: %.1f
    line: 1
    caller_id: "%s"
    keys: [{at: 2.0, digits: "1"}]
    hangup: {after_connect: %.1f, method: cpc}
extensions:
  "101": {answer_after: 1.0}
"""


def basic_config():
    """tests/data/basic.json: the console tests' office (key 1 rings extension 101)."""
    with open(os.path.join(ROOT, "tests", "data", "basic.json")) as f:
        return json.load(f)


@contextlib.contextmanager
def one_call_board(tmp, number, at=1.0, after_connect=3.0, speed=4.0, flash=None):
    """The console tests' board (basic.json, its config as .cfg) on a pty: one call
    from `number` at `at` s, key 1, answered by 101, the caller hangs up
    `after_connect` s later; stopped when the block ends, whatever happened."""
    cfg = basic_config()
    script = os.path.join(str(tmp), "call.yaml")
    with open(script, "w") as f:
        f.write(ONE_CALL % (at, number, after_connect))
    b = EmuBoard(tmp, config=cfg, script=script, speed=speed, flash=flash)
    b.cfg = cfg
    try:
        yield b.start()
    finally:
        b.stop()


def cli(*args):
    """Run `ringroute ARGS` (its main(), in this process: the same code a user
    runs, without paying the CLI's start-up per call): (exit code, stdout, stderr)."""
    import contextlib
    import io
    from ringroute import cli as cli_mod
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.pop(k) for k in ("RINGROUTE_PORT", "RINGROUTE_PIN") if k in os.environ}
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = cli_mod.main([str(a) for a in args])
            except SystemExit as e:
                rc = e.code
    finally:
        os.environ.update(saved)
    return rc or 0, out.getvalue(), err.getvalue()


def mpremote(port, *args, timeout=60):
    tool = os.path.join(os.path.dirname(sys.executable), "mpremote")
    p = subprocess.run([tool, "connect", port] + list(args), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr
