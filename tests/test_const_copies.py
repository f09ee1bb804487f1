"""Private constant copies (issue 14's heap): under MicroPython a module-level
`_NAME = const(3)` costs nothing at run time (the compiler folds it and keeps
no global), while a public `NAME = const(3)` is a slot in the module's globals
dict, and `from a import NAME` is a second slot in the importer's. So a module
that only needs another's number keeps its own private copy, marked with its
source:

    _IDLE = const(0)   # = states.IDLE

(the marker is `# = MODULE.NAME`, MODULE one of the firmware's modules under
rrfw/, by its last part or dotted path). This test holds every copy to its
source, so a renumbered state or a changed limit cannot leave a stale copy.
"""
import importlib
import os
import re

FW = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "firmware")
COPY = re.compile(r"^(_[A-Za-z0-9_]+)\s*=\s*const\((-?(?:0x[0-9a-fA-F]+|\d+))\)\s*#\s*=\s*([\w.]+)\.([A-Za-z0-9_]+)\b")


def _modules():
    """{last part and dotted tail: dotted module} for every firmware module."""
    names = {}
    for top, _dirs, files in os.walk(os.path.join(FW, "rrfw")):
        for f in files:
            if f.endswith(".py") and f != "__init__.py":
                rel = os.path.relpath(os.path.join(top, f), FW)[:-3].replace(os.sep, ".")
                parts = rel.split(".")
                for k in range(1, len(parts) + 1):
                    names.setdefault(".".join(parts[-k:]), rel)
    return names


def copies():
    """[(file, line, private name, value, module, name)] of every marked copy."""
    out = []
    for top, _dirs, files in os.walk(FW):
        for f in sorted(files):
            if not f.endswith(".py"):
                continue
            path = os.path.join(top, f)
            with open(path) as fh:
                for n, ln in enumerate(fh, 1):
                    m = COPY.match(ln)
                    if m:
                        out.append((os.path.relpath(path, FW), n, m.group(1), int(m.group(2), 0),
                                    m.group(3), m.group(4)))
    return out


def problems(found):
    """What is wrong with the copies `found` (copies()' rows): a missing source, a stale value."""
    mods = _modules()
    wrong = []
    for path, line, _priv, value, mod, name in found:
        if mod not in mods:
            wrong.append("%s:%d: no firmware module %r" % (path, line, mod))
            continue
        src = importlib.import_module(mods[mod])
        if not hasattr(src, name):
            wrong.append("%s:%d: %s has no %s" % (path, line, mods[mod], name))
        elif getattr(src, name) != value:
            wrong.append("%s:%d: %s is %r, the copy %r" % (path, line, name, getattr(src, name), value))
    return wrong


def test_every_private_copy_equals_its_source():
    found = copies()
    assert len(found) >= 40   # the states' and limits' copies across call/, line/, dsp/, store/
    wrong = problems(found)
    assert not wrong, "\n".join(wrong)


def test_the_check_finds_a_stale_copy(tmp_path):
    """The pattern matches the marker the firmware uses (a typo'd marker would make
    the test above pass on nothing), and a stale or unsourced copy is reported."""
    m = COPY.match("_IDLE = const(7)   # = states.IDLE")
    assert m and m.group(1) == "_IDLE" and m.group(2) == "7" and m.group(3) == "states"
    from rrfw.call import states
    assert states.IDLE != 7
    row = ("x.py", 1, m.group(1), int(m.group(2)), m.group(3), m.group(4))
    assert problems([row]) and "the copy 7" in problems([row])[0]
    assert problems([("x.py", 2, "_Y", 0, "nosuchmodule", "Y")])
    assert problems([("x.py", 3, "_Y", 0, "states", "NO_SUCH_STATE")])
    assert not problems([("x.py", 4, "_IDLE", states.IDLE, "states", "IDLE")])


def test_no_firmware_module_binds_const():
    """`const` is never imported (rrfw/__init__.py): MicroPython folds const() by name, and
    an imported name is a slot in the module's dict. The ESP32 HAL, type-checked against
    the ESP32 stubs, keeps its `from micropython import const`."""
    bound = []
    for top, _dirs, files in os.walk(FW):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(top, f)
                rel = os.path.relpath(path, FW)
                with open(path) as fh:
                    for n, ln in enumerate(fh, 1):
                        if re.match(r"\s*(from\s+\S+\s+)?import\s.*\bconst\b", ln) and rel not in (
                                os.path.join("rrfw", "hal", "esp32.py"),):
                            bound.append("%s:%d: %s" % (rel, n, ln.strip()))
    assert not bound, "\n".join(bound)
