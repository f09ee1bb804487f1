"""What ships to the board, read from the one list (firmware/rrfw/manifest.py),
and the builds made from it.

MicroPython's own build runs the manifest to freeze the firmware; here the
same file is run with stand-ins for the manifest functions, so `ringroute
flash`, `make mpy`, the emulator's .mpy build and the static checks all ship
exactly what the manifest names.
"""
import os
import shutil
import subprocess

from . import paths
from .errors import ToolMissing

MANIFEST = os.path.join(paths.FIRMWARE, "rrfw", "manifest.py")
MAIN = "main.py"   # copied to the flash root as source: MicroPython runs main.py at boot
BOOT = "boot.py"   # likewise, run first after every reset, soft ones too (firmware/boot.py)
ROOT_SOURCES = (MAIN, BOOT)


def shipped(manifest=MANIFEST):
    """The firmware files the manifest names, as paths relative to firmware/
    ("rrfw/dsp/dtmf.py", ...), in manifest order."""
    here = os.path.dirname(os.path.abspath(manifest))
    out = []

    def package(package_path, files=None, base_path=".", opt=None):
        base = os.path.normpath(os.path.join(here, base_path))
        if files is None:   # the whole folder, as MicroPython's package() does
            root = os.path.join(base, package_path)
            files = sorted(os.path.relpath(os.path.join(dp, f), root)
                           for dp, _, fs in os.walk(root) for f in fs if f.endswith(".py"))
        for name in files:
            out.append(os.path.relpath(os.path.join(base, package_path, name), paths.FIRMWARE))

    def module(module_path, base_path=".", opt=None):
        base = os.path.normpath(os.path.join(here, base_path))
        out.append(os.path.relpath(os.path.join(base, module_path), paths.FIRMWARE))

    def ignored(*a, **k):
        return None

    g = {"package": package, "module": module, "metadata": ignored, "include": ignored,
         "require": ignored, "options": ignored, "__file__": manifest}
    with open(manifest) as f:
        exec(compile(f.read(), manifest, "exec"), g)
    return out


def emulator_files():
    """The emulated board's own modules (rremu/): built for the emulator, never shipped."""
    root = os.path.join(paths.FIRMWARE, "rremu")
    return sorted(os.path.relpath(os.path.join(root, f), paths.FIRMWARE)
                  for f in os.listdir(root) if f.endswith(".py"))


def build(out, arch, only_stale=False, extra=()):
    """Compile every shipped file with mpy-cross -march=ARCH into the tree
    `out` (rrfw/dsp/dtmf.mpy, ...), copy main.py and boot.py beside it, and delete from
    `out` what the manifest no longer names. Returns the built files,
    relative to `out`. Writes are atomic, so parallel builds never see half
    a file; with only_stale, files newer than their source are kept."""
    cross = paths.tool("mpy-cross")
    built = []
    for rel in list(shipped()) + list(extra):
        src = os.path.join(paths.FIRMWARE, rel)
        dst_rel = rel[:-3] + ".mpy"
        dst = os.path.join(out, dst_rel)
        built.append(dst_rel)
        if only_stale and os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(src):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        tmp = paths.tmp_name(dst)
        p = subprocess.run([cross, "-march=" + arch, "-o", tmp, src], capture_output=True, text=True)
        if p.returncode != 0:
            raise ToolMissing("mpy-cross failed on firmware/%s: %s" % (rel, p.stderr.strip()))
        os.replace(tmp, dst)
    for name in ROOT_SOURCES:
        src = os.path.join(paths.FIRMWARE, name)
        dst = os.path.join(out, name)
        if not (only_stale and os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(src)):
            os.makedirs(out, exist_ok=True)
            tmp = paths.tmp_name(dst)
            shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
        built.append(name)
    keep = set(built)
    for dp, _, fs in os.walk(out):
        for f in fs:
            rel = os.path.relpath(os.path.join(dp, f), out)
            if f.endswith(".mpy") and rel not in keep:
                os.remove(os.path.join(dp, f))   # a module dropped from the manifest goes too
    return built
