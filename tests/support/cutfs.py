# cutfs.py - a power cut at the Nth flash operation, for the case files that
# run under both engines (core_cases, wipe_cases, callid_cases,
# outbound_cases). It stands in for a store module's `open` and `os`
# (with_cut): at operation number cut_at the power goes. The write being cut
# lands in part (half of it, or `keep` bytes); a rename or removal either
# happened or did not (littlefs does both atomically). Plain MicroPython.
import os


class PowerCut(Exception):
    pass


class CutFS:
    """open/os for store modules: power lost at operation number cut_at (a
    write, rename, and unless removals=False, a removal or rmdir)."""

    def __init__(self, cut_at, keep=None, removals=True):
        self.cut_at = cut_at
        self.keep = keep           # bytes of the cut write that land (None: half of them)
        self.removals = removals   # removals count as operations (and may be cut)
        self.ops = 0
        self.real_open = open
        self.real_os = os

    def _tick(self):
        self.ops += 1
        if self.ops == self.cut_at:
            raise PowerCut()

    def open(self, path, mode="r"):
        f = self.real_open(path, mode)
        if "w" not in mode and "a" not in mode:
            return f
        fs = self

        class CutFile:
            def write(self, data):
                try:
                    fs._tick()
                except PowerCut:
                    f.write(data[:len(data) // 2 if fs.keep is None else fs.keep])   # a part reaches the flash
                    f.close()
                    raise
                return f.write(data)

            def flush(self):
                f.flush()

            def close(self):
                f.close()

            def __enter__(self):
                return self

            def __exit__(self, *a):
                f.close()
        return CutFile()

    def remove(self, p):
        if self.removals:
            self._tick()
        self.real_os.remove(p)

    def rmdir(self, p):
        if self.removals:
            self._tick()
        self.real_os.rmdir(p)

    def rename(self, a, b):
        self._tick()               # cut: the rename did not happen
        self.real_os.rename(a, b)

    def stat(self, p):
        return self.real_os.stat(p)

    def listdir(self, p="."):
        return self.real_os.listdir(p)

    def mkdir(self, p):
        return self.real_os.mkdir(p)


def with_cut(fs, mods, fn):
    """Run fn with the modules' open and os on fs; True if the power was cut."""
    for m in mods:
        m.open = fs.open
        m.os = fs
    try:
        fn()
        return False
    except PowerCut:
        return True
    finally:
        for m in mods:
            m.open = fs.real_open
            m.os = fs.real_os
