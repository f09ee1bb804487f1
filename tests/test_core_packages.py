"""What MicroPython does with the firmware's packages, checked under the real
micropython binary with the .mpy build the board runs: a lazily loaded module
is only freed when its parent package lets go of it too (compat.unload), and
every module the manifest ships imports as part of its package."""
import subprocess

from ringroute import fwbuild, paths

UNLOAD = r"""
import gc, sys
from rrfw.compat import unload
import rrfw.console
from rrfw.console import protocol, auth
from rrfw.store import cfgstore
gc.collect(); base = gc.mem_alloc()
from rrfw.console import commands
commands = None
gc.collect(); loaded = gc.mem_alloc()
del sys.modules["rrfw.console.commands"]          # what a flat layout's unload did
gc.collect(); half = gc.mem_alloc()
print("parent_keeps", "commands" in rrfw.console.__dict__)
from rrfw.console import commands
commands = None
unload("rrfw.console.commands")
gc.collect(); gone = gc.mem_alloc()
print("parent_after", "commands" in rrfw.console.__dict__, "in_modules", "rrfw.console.commands" in sys.modules)
print("bytes", loaded - base, half - base, gone - base)
"""


def _run(code):
    p = subprocess.run(paths.engine_command("micropython") + ["-c", code], env=paths.engine_env("micropython"),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def test_unloading_a_module_frees_it_only_off_its_parent_package_too():
    out = dict((ln.split(" ", 1)[0], ln.split(" ", 1)[1]) for ln in _run(UNLOAD).splitlines())
    assert out["parent_keeps"] == "True"            # sys.modules alone: the package still holds it
    assert out["parent_after"] == "False in_modules False"
    loaded, half, gone = [int(x) for x in out["bytes"].split()]
    assert loaded > 10000                           # the console's commands are KBs of code
    assert half >= loaded - 512                     # ... and deleting from sys.modules freed nothing
    # unload() gives the code back; what stays is the names the module interned
    # and its string constants, which a .mpy loads as qstrs (MicroPython never
    # frees its qstr pools; a frozen build keeps them in flash): measured 5.4 of
    # 19.4 KB here
    assert gone < loaded // 3


def test_every_shipped_module_imports_from_the_board_build():
    names = [f[:-3].replace("/", ".").replace(".__init__", "") for f in fwbuild.shipped()
             if f != "rrfw/hal/esp32.py"]            # the ESP32 HAL needs the real machine module
    code = "import sys\nfor m in %r:\n    __import__(m)\nprint('imported', len(%r))\n" % (names, names)
    assert _run(code).strip() == "imported %d" % len(names)
