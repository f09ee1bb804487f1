"""Where the project's parts live, for tools that run the firmware."""
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIRMWARE = os.path.join(ROOT, "firmware")
BOARDS = os.path.join(ROOT, "boards")


class ToolMissing(Exception):
    pass


def micropython_binary():
    """The unix-port `micropython` next to this Python (the project venv), else on PATH."""
    cand = os.path.join(os.path.dirname(sys.executable), "micropython")
    if os.path.exists(cand):
        return cand
    found = shutil.which("micropython")
    if not found:
        raise ToolMissing("the `micropython` binary is not installed: run `make venv`")
    return found


def engine_command(engine, heapsize=None):
    """argv prefix that runs a firmware script under the chosen engine."""
    if engine == "micropython":
        cmd = [micropython_binary()]
        if heapsize:
            cmd += ["-X", "heapsize=%s" % heapsize]
        return cmd
    if engine == "cpython":
        return [sys.executable, "-u"]
    raise ValueError("unknown engine %r (micropython or cpython)" % engine)


def engine_env(engine):
    """Environment in which `import dtmf` etc. find the firmware modules."""
    env = dict(os.environ)
    if engine == "micropython":
        env["MICROPYPATH"] = FIRMWARE + ":.frozen"
    else:
        env["PYTHONPATH"] = FIRMWARE + os.pathsep + env.get("PYTHONPATH", "")
    return env
