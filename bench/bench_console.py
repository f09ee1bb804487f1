"""Console benchmark: how long `ringroute push` takes over a 115200-baud link.

Runs the real firmware (micropython) on the emulated board in real time
(`ringroute emulate --pty --speed 1`), and pushes the example config with
all its prompts as a technician would, with the host's writes paced to
115200 baud (10 bits a byte): a pty has no baud rate of its own, so without
pacing the figure would be the pty's, not the cable's. The board side paces
itself (it takes at most 256 bytes per 10 ms block and sends at most 112).

    .venv/bin/python -m bench console
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _example():
    for cand in ("examples/office.yaml",):
        if os.path.exists(os.path.join(ROOT, cand)):
            return os.path.join(ROOT, cand), []
    return os.path.join(ROOT, "tests", "data", "basic.json"), [os.path.join(ROOT, "examples", "prompts")]


def _start(flash):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools"))
    p = subprocess.Popen([sys.executable, "-m", "ringroute.cli", "emulate", "--pty", "--flash", flash,
                          "--speed", "1", "--json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, env=env, cwd=ROOT)
    t_end = time.time() + 60
    while time.time() < t_end:
        line = p.stdout.readline()
        if "console is on" in line:
            return p, line.split("console is on ")[1].split()[0]
        if not line:
            break
    p.kill()
    raise RuntimeError("the emulated board did not start")


def _push(port, config, dirs, baud):
    from ringroute import cmd_push
    ap = argparse.ArgumentParser()
    cmd_push.configure(ap)
    argv = [config, "--port", port, "--pin", "314159", "--quiet"]
    for d in dirs:
        argv += ["--prompts", d]
    if baud:
        argv += ["--throttle-baud", str(baud)]
    args = ap.parse_args(argv)
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        cmd_push.run(args)
    return args.stats


def main():
    config, dirs = _example()
    rows = []
    for baud in (115200, None):
        flash = tempfile.mkdtemp(prefix="bench-console-")
        proc, port = _start(flash)
        try:
            first = _push(port, config, dirs, baud)
            again = _push(port, config, dirs, baud)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
            shutil.rmtree(flash, ignore_errors=True)
        rows.append((baud, first, again))
    print("push of %s with its prompts to the emulated board (real time), host paced to the baud rate" %
          os.path.relpath(config, ROOT))
    print("%-14s %7s %9s %8s %7s %10s %9s %8s" % ("link", "prompts", "prompt KB", "config B", "push s",
                                                 "transfer s", "KB/s", "repeat s"))
    for baud, first, again in rows:
        kb = first["prompt_bytes"] / 1024.0
        print("%-14s %7d %9.1f %8d %7.1f %10.1f %9.2f %8.1f" % (
            "%d baud" % baud if baud else "pty (no limit)", first["prompts_sent"], kb, first["config_bytes"],
            first["seconds"], first["transfer_s"],
            (first["prompt_bytes"] + first["config_bytes"]) / 1024.0 / first["transfer_s"], again["seconds"]))
    print("(115200 baud carries 11.25 KB/s raw; base64 in the frames costs 4/3, so ~8.4 KB/s of file data "
          "is the ceiling; 'push s' includes checking the config and converting the WAVs, 'KB/s' is over the "
          "transfer only; 'repeat' is a second push with nothing new to upload)")


if __name__ == "__main__":
    main()
