# Storage on the board's flash (littlefs on the ESP32, a folder here).
# Every write that replaces a file goes to a temporary name first and is
# renamed over the old one: littlefs renames atomically, so a power cut in
# the middle of a write leaves either the old file or the new one, never half.
import os


def exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


def read_text(path):
    """The file's text, or None when it does not exist or cannot be read."""
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def write_atomic(path, data):
    """Replace `path` with `data` (str or bytes) so that a cut leaves old or new."""
    tmp = path + ".tmp"
    with open(tmp, "wb" if isinstance(data, (bytes, bytearray)) else "w") as f:
        f.write(data)
        f.flush()
    os.rename(tmp, path)


def ensure_dir(path):
    try:
        os.mkdir(path)
    except OSError:
        pass


# A rewrite's .tmp and its rename (store/recrare.py): through this module, as
# every other write of the stores, so a power cut lands in them alike
# (tests/support/cutfs.py stands in for this module's open and os).
def create(path):
    return open(path, "wb")


def rename(old, new):
    os.rename(old, new)
