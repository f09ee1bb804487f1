"""Static checks of the firmware, run by `make check` (and so by `make test`).

1. Every file the manifest ships (firmware/rrfw/manifest.py), main.py and boot.py,
   compiles with mpy-cross for the ESP32 (xtensawin): the device cannot load
   a file that does not. Every module under firmware/rrfw is either shipped
   or a plain twin (*_plain.py), so nothing is left out by accident.
2. The firmware's import graph (every import, lazy ones too) has no cycle,
   and no module reads another module's `_private` names (obj._x where _x is
   not defined in the reading module itself). Only the HAL (and boot.py,
   which runs before the firmware) imports `machine`;
   nothing in rrfw imports the emulator's rremu.
3. The ESP32 HAL (and anything else that imports `machine`) type-checks
   against MicroPython's ESP32 API stubs, so a wrong keyword argument on
   machine.Pin / I2S / I2C / WDT fails the build. The stubs are installed
   once into build/typings from the pinned versions below.

Exit status 1 and one line per problem when anything fails.
"""
import ast
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRMWARE = os.path.join(ROOT, "firmware")
TYPINGS = os.path.join(ROOT, "build", "typings")
STUBS = ["micropython-esp32-esp32-generic-stubs==1.29.0.post1", "micropython-stdlib-stubs==1.29.0.post2"]
BIN = os.path.dirname(sys.executable)
# Files checked against the ESP32 API: those that touch the hardware.
HARDWARE_FILES = ["rrfw/hal/esp32.py", "boot.py"]
NOT_SHIPPED_OK = ("manifest.py",)   # the list itself; plain twins end in _plain.py


def board_files():
    """What the board runs: the manifest's files, main.py and boot.py (relative to firmware/)."""
    from ringroute import fwbuild
    return fwbuild.shipped() + list(fwbuild.ROOT_SOURCES)


def unlisted():
    """Modules under firmware/rrfw the manifest neither ships nor excuses."""
    listed = set(board_files())
    out = []
    for dp, _, fs in os.walk(os.path.join(FIRMWARE, "rrfw")):
        for f in fs:
            rel = os.path.relpath(os.path.join(dp, f), FIRMWARE)
            if f.endswith(".py") and rel not in listed and not f.endswith("_plain.py") \
                    and f not in NOT_SHIPPED_OK:
                out.append("firmware/%s: not in firmware/rrfw/manifest.py (ship it, or name it *_plain.py)" % rel)
    return out


def _modules():
    """{dotted name: path} of every firmware module (rrfw, rremu, main, boot)."""
    mods = {n[:-3]: os.path.join(FIRMWARE, n) for n in ("main.py", "boot.py")
            if os.path.exists(os.path.join(FIRMWARE, n))}
    for pkg in ("rrfw", "rremu"):
        for dp, _, fs in os.walk(os.path.join(FIRMWARE, pkg)):
            for f in fs:
                if f.endswith(".py") and f != "manifest.py":
                    rel = os.path.relpath(os.path.join(dp, f), FIRMWARE)[:-3].replace(os.sep, ".")
                    mods[rel[:-len(".__init__")] if rel.endswith(".__init__") else rel] = os.path.join(dp, f)
    return mods


def _imports(tree, mods):
    """Firmware modules a module imports (anywhere in it, lazy imports too)."""
    out = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [node.module + "." + a.name for a in node.names]
        for n in names:
            if n in mods:
                out.add(n)
    return out


def _defined_private(tree):
    """_names a module defines itself: functions, classes, globals, attributes it assigns."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name.startswith("_"):
            out.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id.startswith("_"):
            out.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                and node.attr.startswith("_"):
            out.add(node.attr)
    return out


def structure():
    """Import cycles, reads of other modules' private names, and layer rules broken."""
    mods = _modules()
    trees = {}
    for name, path in mods.items():
        with open(path) as f:
            trees[name] = ast.parse(f.read(), path)
    graph = dict((n, _imports(t, mods) - {n}) for n, t in trees.items())
    # a package's __init__ is imported with its submodules; it is not an edge
    for n in graph:
        graph[n] = set(m for m in graph[n] if not n.startswith(m + "."))
    fails = []
    # cycles: depth-first search, reporting each cycle once
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                cyc = stack[stack.index(m):] + [m]
                fails.append("import cycle: " + " -> ".join(cyc))
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2
    for n in sorted(graph):
        if n not in state:
            visit(n)
    for n, t in sorted(trees.items()):
        mine = _defined_private(t)
        rel = os.path.relpath(mods[n], FIRMWARE)
        for node in ast.walk(t):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                v = node.value
                if isinstance(v, ast.Name) and v.id in ("self", "cls"):
                    continue
                if node.attr not in mine:
                    fails.append("firmware/%s:%d: reads another module's private name %s" % (
                        rel, node.lineno, ast.unparse(node)))
        for m in graph[n]:
            if m.startswith("rremu") and n.startswith("rrfw"):
                fails.append("firmware/%s: imports the emulator's %s (never on the board)" % (rel, m))
        if n not in ("rrfw.hal.esp32", "boot"):
            for node in ast.walk(t):
                if isinstance(node, ast.Import) and any(a.name == "machine" for a in node.names):
                    fails.append("firmware/%s:%d: imports machine outside the HAL" % (rel, node.lineno))
    return fails


def mpy_cross_all(files=None):
    fails = []
    mpy = os.path.join(BIN, "mpy-cross")
    for f in [os.path.join(FIRMWARE, r) for r in (files or board_files())]:
        p = subprocess.run([mpy, "-march=xtensawin", "-o", os.devnull, f],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            msg = (p.stderr or p.stdout).strip().splitlines()
            fails.append("%s: mpy-cross (xtensawin): %s" % (os.path.relpath(f, ROOT), msg[-1] if msg else "failed"))
    return fails


def ensure_stubs():
    if os.path.exists(os.path.join(TYPINGS, "machine.pyi")):
        return
    for attempt in range(3):   # a registry hiccup should not fail the build
        p = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                            "--no-deps", "--target", TYPINGS] + STUBS)
        if p.returncode == 0:
            return
        time.sleep(5 * (attempt + 1))
    raise SystemExit("check: could not install the ESP32 API stubs (%s)" % ", ".join(STUBS))


def typecheck(files, cwd=FIRMWARE):
    """mypy against the ESP32 stubs; returns problems found in `files` themselves."""
    ensure_stubs()
    env = dict(os.environ, MYPYPATH=TYPINGS + os.pathsep + FIRMWARE)
    p = subprocess.run(
        [os.path.join(BIN, "mypy"), "--custom-typeshed-dir", TYPINGS, "--follow-imports=silent",
         "--ignore-missing-imports", "--no-error-summary", "--check-untyped-defs",
         "--cache-dir", os.path.join(ROOT, "build", "mypy-cache")] + files,
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    names = tuple(f + ":" for f in files)
    # the stubs themselves have a few errors of their own; only ours count
    return [ln for ln in p.stdout.splitlines() if ln.startswith(names) and ": error:" in ln]


def main():
    fails = unlisted() + structure() + mpy_cross_all()
    fails += ["firmware/" + ln for ln in typecheck(HARDWARE_FILES)]
    for f in fails:
        print(f)
    n = len(board_files())
    if fails:
        print("check: %d problem(s)" % len(fails))
        return 1
    print("check: %d firmware files compile for the ESP32; no import cycle, no private reads; "
          "%s type-check against the ESP32 stubs" % (n, ", ".join(HARDWARE_FILES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
