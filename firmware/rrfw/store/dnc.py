# The office's own do-not-call list on flash (dnc.txt): one number, or a
# "prefix*", per line. Checked before every outbound dial (call/dialer.py),
# whatever the host scrubbed: a number someone asked never to be called
# again stays out even from a list pushed later or a call-back request.
#
# Power cuts: an addition is confirmed (to the caller who pressed the
# opt-out key, to `ringroute dnc add`) only once the new file has replaced
# the old one (atomic.py: a copy to dnc.txt.tmp, then a rename), so a cut
# leaves the list with or without the number, never a half line.
# Heap: the file is streamed a line at a time, never loaded whole, so a
# list of thousands of numbers costs the board a line buffer.
import os

from rrfw.store import atomic

_PATH = const("dnc.txt")
MAX_LEN = const(24)        # characters in one entry: E.164 has 15 digits at most (ITU-T E.164 6.1)
_MAX_ENTRIES = const(5000)  # entries: 5000 x ~12 bytes = 60 KB of flash, a quarter of the config room


def valid(num):
    """A number of digits, or digits ending in * (a prefix); nothing else is kept."""
    if type(num) is not str or not 0 < len(num) <= MAX_LEN:
        return False
    body = num[:-1] if num[-1] == "*" else num
    if not body:
        return False
    for c in body:
        if not "0" <= c <= "9":
            return False
    return True


def matches(pat, number):
    if pat.endswith("*"):
        return number.startswith(pat[:-1])
    return number == pat


class Dnc:
    def __init__(self, path=_PATH):
        self.path = path
        self.count = self._count()

    def _scan(self, fn):
        """fn(entry) for each entry, until it returns something true: that is returned.
        (A loop, not a generator: a generator left half-way keeps its file open.)"""
        try:
            f = open(self.path)
        except OSError:
            return None
        try:
            for ln in f:
                ln = ln.strip()
                if ln:
                    r = fn(ln)
                    if r:
                        return r
        finally:
            f.close()
        return None

    def _count(self):
        n = [0]

        def one(ln):
            n[0] += 1
        self._scan(one)
        return n[0]

    def listed(self, number):
        """The entry that keeps `number` from being dialled, or None."""
        if not number:
            return None
        return self._scan(lambda ln: ln if matches(ln, number) else None)

    def has(self, entry):
        return bool(self._scan(lambda ln: ln == entry))

    def entries(self, start=0, n=50):
        """Up to n entries from the start-th on (the console's list, page by page)."""
        out = []
        i = [0]

        def take(ln):
            if i[0] >= start:
                if len(out) >= n:
                    return True
                out.append(ln)
            i[0] += 1
        self._scan(take)
        return out

    def _rewrite(self, skip, extra):
        # stream the list into the temporary file, then rename it over the old one
        tmp = self.path + ".tmp"
        kept = [0]
        with open(tmp, "w") as out:
            def copy(ln):
                if ln != skip:
                    out.write(ln + "\n")
                    kept[0] += 1
            self._scan(copy)
            if extra is not None:
                out.write(extra + "\n")
                kept[0] += 1
            out.flush()
        os.rename(tmp, self.path)
        self.count = kept[0]

    def add(self, number):
        """Add a number: None once it is on flash (or was already), else why not."""
        if not valid(number):
            return "not a number"
        if self.has(number):
            return None
        if self.count >= _MAX_ENTRIES:
            return "the list is full (%d entries)" % _MAX_ENTRIES
        self._rewrite(None, number)
        return None

    def remove(self, number):
        """True when the number was on the list (and is gone now)."""
        if not self.has(number):
            return False
        self._rewrite(number, None)
        return True

    def where(self, same):
        """The entries for which same(entry) is true (a caller's access request)."""
        out = []

        def take(ln):
            if same(ln):
                out.append(ln)
        self._scan(take)
        return out

    def forget(self, same):
        """An erasure request does NOT remove a do-not-call entry (keeping the
        objection is the point of it); says whether the number is listed."""
        return bool(self._scan(same))

    def wipe(self):
        atomic.remove(self.path)
        self.count = 0
