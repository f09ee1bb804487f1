# A campaign's call list and each number's progress, on flash (call/campaign.py
# runs it). Two files:
#
#   campaign.lst  what the host pushed, never changed on the board:
#                 line 1  a JSON header {"name", "id", "n", "zones", "region",
#                         "register", "scrubbed", "created", ...} (the host's
#                         ringroute/campaigns.py writes it)
#                 then n  entries of ENTRY bytes each: the national number
#                         left-aligned in 14 characters, one zone character
#                         ("-": the prefix table's; "0".."9", "a".."z": the
#                         header's zones[i]), "\n". Fixed width: entry i is
#                         read with one seek, the list is never loaded whole.
#   campaign.st   the progress, replaced whole (atomic.py) at every change:
#                 8 bytes  "RS", control, joined agents (port bit mask),
#                          the list's id (crc32, little-endian): a state file
#                          from another list is never applied to this one
#                 4 bytes per number: status, attempts, the earliest next
#                          try (minutes after the header's "created", 16 bits)
#
# Power cuts: the state goes to flash before anything it describes happens
# (an attempt is ACTIVE on flash before the line is seized), so a cut leaves
# at worst an ACTIVE entry with no record: campaign.py finds it at boot,
# writes the interrupted attempt's record and does not dial it again before
# the retry spacing.
# Heap: 4 bytes per number (a bytearray) plus one entry's buffer.
import json
import os

from rrfw.store import atomic

LIST = "campaign.lst"
STATE = "campaign.st"
ENTRY = const(16)           # bytes per number on flash: 14 digits, the zone, "\n"
_NUM_LEN = const(14)         # digits of a national number (E.164's 15 less a 1-3 digit country code)
_HEAD_MAX = const(4096)      # bytes of header (zones, register dates, counts)
MAX_NUMBERS = const(2000)   # numbers in one list: 8 KB of heap for their progress
_STATE_HEAD = const(8)
_MAX_NEXT = const(65535)    # minutes (45 days): the furthest next try one entry can hold

# status of one number (the low 6 bits; bit 7: it was held back by calling hours at least once)
PENDING = const(0)    # may be tried once its next time has come
ACTIVE = const(1)     # an attempt is under way (or was, when the power went)
DONE = const(2)       # reached: the agent's disposition closed it
DNC = const(3)        # on the office's own do-not-call list at the dial: never dialled
OPTED_OUT = const(4)  # asked during the call not to be called again
GAVE_UP = const(5)    # the maximum of attempts was reached
REFUSED = const(6)    # the numbering plan refuses it (numplan.py)
SKIPPED = const(7)    # the agent skipped it (preview)
ERASED = const(8)     # the person's erasure request (call/privacy.py): the number blanked, never dialled
_HELD = const(0x80)    # flag: held back by calling hours
STATUS_NAMES = ("pending", "active", "done", "dnc", "opted_out", "gave_up", "refused", "skipped", "erased")
_BLANK = b"0" + b" " * (_NUM_LEN - 1)   # what an erased entry holds: no one's number, still a valid entry


def list_bytes(n, head):
    """Flash a list of n numbers takes with a header of `head` bytes (both files)."""
    return head + 1 + n * ENTRY + _STATE_HEAD + 4 * n


def check_list(path):
    """(header dict, None) when `path` is a well-formed list, else (None, why)."""
    try:
        f = open(path, "rb")
    except OSError:
        return None, "no list"
    try:
        head = f.readline()
        if len(head) > _HEAD_MAX or not head.endswith(b"\n"):
            return None, "the header is missing or longer than %d bytes" % _HEAD_MAX
        try:
            h = json.loads(head)
        except ValueError:
            return None, "the header is not JSON"
        if type(h) is not dict or type(h.get("n")) is not int or not 0 < h["n"] <= MAX_NUMBERS:
            return None, "a list holds 1 to %d numbers" % MAX_NUMBERS
        if type(h.get("name")) is not str or type(h.get("id")) is not int:
            return None, "the header needs a name and an id"
        z = h.get("zones", [])
        if type(z) is not list or len(z) > 36:
            return None, "zones must be a list of at most 36 time zones"
        for tz in z:
            if type(tz) is not dict or type(tz.get("std", 0)) is not int:
                return None, "a zone is a compiled time zone"
        f.seek(0, 2)
        if f.tell() != len(head) + h["n"] * ENTRY:
            return None, "%d bytes of entries, %d expected" % (f.tell() - len(head), h["n"] * ENTRY)
        f.seek(len(head))
        buf = bytearray(ENTRY)
        for i in range(h["n"]):
            f.readinto(buf)
            if buf[ENTRY - 1] != 10:
                return None, "entry %d is not %d bytes" % (i + 1, ENTRY)
            for j in range(_NUM_LEN):
                c = buf[j]
                if not (48 <= c <= 57 or c == 32 and j > 0):
                    return None, "entry %d is not a number" % (i + 1)
        return h, None
    finally:
        f.close()


class JobStore:
    def __init__(self, path=LIST, state_path=STATE):
        self.path = path
        self.state_path = state_path
        self.head = None     # the list's header (dict), None: no list on flash
        self.n = 0
        self.st = None       # bytearray: the state file's bytes
        self._off = 0        # where entry 0 starts in the list file
        self._buf = bytearray(ENTRY)

    def load(self):
        """Read the header and the progress; False when there is no usable list."""
        h, why = check_list(self.path)
        if h is None:
            self.head = None
            self.n = 0
            self.st = None
            return False
        self.head = h
        self.n = h["n"]
        with open(self.path, "rb") as f:
            self._off = len(f.readline())
        st = None
        try:
            with open(self.state_path, "rb") as f:
                st = bytearray(f.read())
        except OSError:
            pass
        if (st is None or len(st) != _STATE_HEAD + 4 * self.n or st[0:2] != b"RS"
                or self._id(st) != h["id"] & 0xFFFFFFFF):
            st = self.fresh(h)   # a new list (or a damaged state): every number pending
        self.st = st
        return True

    @staticmethod
    def _id(st):
        return st[4] | st[5] << 8 | st[6] << 16 | st[7] << 24

    def fresh(self, h):
        st = bytearray(_STATE_HEAD + 4 * h["n"])
        st[0:2] = b"RS"
        st[3] = 255          # every agent of the campaign's group is in
        i = h["id"] & 0xFFFFFFFF
        st[4] = i & 255
        st[5] = i >> 8 & 255
        st[6] = i >> 16 & 255
        st[7] = i >> 24 & 255
        return st

    def save(self):
        atomic.write_atomic(self.state_path, self.st)

    # --- the control bytes ---------------------------------------------------------
    def control(self):
        return self.st[2]

    def set_control(self, v):
        self.st[2] = v

    def joined(self):
        return self.st[3]

    def set_joined(self, mask):
        self.st[3] = mask & 255

    # --- one number ------------------------------------------------------------------
    def entry(self, i):
        """(number, zone character) of entry i, read from flash."""
        with open(self.path, "rb") as f:
            f.seek(self._off + i * ENTRY)
            f.readinto(self._buf)
        b = self._buf
        k = 0
        while k < _NUM_LEN and b[k] != 32:
            k += 1
        return bytes(b[0:k]).decode(), chr(b[_NUM_LEN])

    def find(self, number):
        """Every index whose number is `number` (a scan of the list)."""
        out = []
        for i in range(self.n):
            if self.entry(i)[0] == number:
                out.append(i)
        return out

    def where(self, same):
        """[(index, number)] of the entries for which same(number) is true (one pass over the file)."""
        out = []
        if self.head is None:
            return out
        b = self._buf
        with open(self.path, "rb") as f:
            f.seek(self._off)
            for i in range(self.n):
                f.readinto(b)
                k = 0
                while k < _NUM_LEN and b[k] != 32:
                    k += 1
                num = bytes(b[0:k]).decode()
                if same(num):
                    out.append((i, num))
        return out

    def erase(self, indices):
        """Close the entries (ERASED, saved first: a cut after it leaves them closed,
        never dialled), then blank their numbers in the list: a copy streamed to
        a .tmp and renamed over it. The header (and its id) stays, so the
        progress of every other number stays too."""
        if not indices:
            return 0
        for i in indices:
            self.set(i, status=ERASED)
        self.save()
        tmp = self.path + ".tmp"
        b = self._buf
        with open(self.path, "rb") as src:
            with open(tmp, "wb") as out:
                out.write(src.readline())
                for i in range(self.n):
                    src.readinto(b)
                    if i in indices:
                        b[0:_NUM_LEN] = _BLANK
                    out.write(b)
                out.flush()
        os.rename(tmp, self.path)
        return len(indices)

    def status(self, i):
        return self.st[_STATE_HEAD + 4 * i] & 0x7F

    def held(self, i):
        return bool(self.st[_STATE_HEAD + 4 * i] & _HELD)

    def tries(self, i):
        return self.st[_STATE_HEAD + 4 * i + 1]

    def next_min(self, i):
        """The earliest next try, in minutes after the header's created minute."""
        o = _STATE_HEAD + 4 * i
        return self.st[o + 2] | self.st[o + 3] << 8

    def set(self, i, status=None, tries=None, next_min=None, held=None):
        o = _STATE_HEAD + 4 * i
        st = self.st
        if status is not None:
            st[o] = (st[o] & _HELD) | status
        if held:
            st[o] |= _HELD
        if tries is not None:
            st[o + 1] = min(255, tries)
        if next_min is not None:
            v = max(0, min(_MAX_NEXT, next_min))
            st[o + 2] = v & 255
            st[o + 3] = v >> 8

    def counts(self):
        """{status name: count} and how many were held back by calling hours."""
        c = [0] * len(STATUS_NAMES)
        held = 0
        for i in range(self.n):
            s = self.st[_STATE_HEAD + 4 * i]
            c[s & 0x7F] += 1
            if s & _HELD:
                held += 1
        out = {}
        for k in range(len(STATUS_NAMES)):
            out[STATUS_NAMES[k]] = c[k]
        return out, held

    def remove(self):
        atomic.remove(self.path)
        atomic.remove(self.state_path)
        self.head = None
        self.n = 0
        self.st = None


def install(part):
    """Take an uploaded list (a file checked by check_list) as the campaign;
    returns the header or raises ValueError."""
    h, why = check_list(part)
    if h is None:
        raise ValueError(why)
    # The old progress file stays: it names the old list's id, so the new list
    # starts fresh (and the same list pushed again keeps its progress). A cut
    # before the rename leaves the old campaign as it was.
    os.rename(part, LIST)
    return h
