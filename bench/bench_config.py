"""Config language and IVR engine: validation time on the host, compiled size, and what the
board pays: RAM to hold the compiled config, cfgcheck time, IVR step time (micropython unix port).

    .venv/bin/python -m bench config
"""
import glob
import json
import os
import subprocess
import tempfile
import time

import yaml

from ringroute.configlang import compile_config, to_json
from ringroute.paths import ROOT, engine_command, engine_env

BOARD_SCRIPT = r"""
import gc, json, time, sys
from rrfw.store import cfgcheck
from rrfw.call import ivr
text = open(sys.argv[1]).read()
gc.collect(); a0 = gc.mem_alloc()
cfg = json.loads(text)
gc.collect(); a1 = gc.mem_alloc()
t0 = time.ticks_us()
for i in range(20):
    err = cfgcheck.check(cfg)
t_check = time.ticks_diff(time.ticks_us(), t0) / 20
class P:
    busy = False
    last = None
    def play(self, names): pass
    def stop(self): pass
def emit(event, **f): pass
iv = ivr.Ivr(cfg, P(), emit, clock=lambda: 1795687200)
iv.start(0, {"number": "5551234", "reason": None})
iv.step(10, None, False)
t0 = time.ticks_us()
n = 10000
for i in range(n):
    iv.step(100 + i * 10, None, False)
t_step = time.ticks_diff(time.ticks_us(), t0) / n
t0 = time.ticks_us()
for i in range(200):
    iv.start(0, {"number": "5551234", "reason": None})
t_start = time.ticks_diff(time.ticks_us(), t0) / 200
print(json.dumps({"ram": a1 - a0, "check_us": t_check, "step_us": t_step, "start_us": t_start, "err": err}))
"""


def configs():
    out = []
    for p in sorted(glob.glob(os.path.join(ROOT, "examples", "*.yaml"))):
        with open(p) as f:
            d = yaml.safe_load(f)
        if isinstance(d, dict) and "menus" in d:
            out.append(p)
    return out


def main():
    print("%-16s %9s %8s %9s %10s %9s %10s" % ("config", "validate", "json B", "board RAM", "cfgcheck",
                                             "ivr step", "ivr start"))
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "b.py")
        with open(script, "w") as f:
            f.write(BOARD_SCRIPT)
        for p in configs():
            t0 = time.perf_counter()
            for _ in range(10):
                cfg = compile_config(p)
            t_val = (time.perf_counter() - t0) / 10
            text = to_json(cfg)
            jp = os.path.join(tmp, "config.json")
            with open(jp, "w") as f:
                f.write(text)
            r = subprocess.run(engine_command("micropython") + [script, jp], env=engine_env("micropython"),
                               capture_output=True, text=True, timeout=120)
            if r.returncode:
                raise RuntimeError(r.stderr.strip().splitlines()[-1])
            b = json.loads(r.stdout)
            print("%-16s %7.1fms %8d %8dB %8.0fus %7.2fus %8.0fus" % (
                os.path.basename(p), t_val * 1000, len(text), b["ram"], b["check_us"], b["step_us"],
                b["start_us"]))
    print("validate: CPython, whole file; board columns: micropython unix port on this machine "
          "(RAM counts 8-byte pointers: about half on the ESP32). ivr step = an idle 10 ms block.")
