# Call ids: unique and increasing across reboots, lost records and power cuts.
#
# The id of a call used to be the last record's on flash plus one, so a record
# the flash refused (or a cut before it was written) gave its id to the next
# call as well. Here the flash holds the end of a block of ids reserved
# (PATH, written with atomic.write_atomic: a cut leaves the old end or the
# new one), and an id is handed out only once its block is on flash:
#   boot      next = max(saved end, newest record's id + 1); nothing written
#             (a board that takes no call, a factory-reset one, stays blank)
#   take()    the first call of a boot, and the one at the end of each block,
#             reserves the next block before its id is given
# A boot skips whatever was left of the last block: ids stay increasing and
# unique, with gaps (at most BLOCK per boot) that mean nothing.
# One write per BLOCK calls: a few flash pages a year at a busy office.
# When the flash refuses the write (full, failing) the ids of this boot stay
# unique in RAM and the write is tried again at the next call; the newest
# record's id is the floor the next boot starts from.
from rrfw.store import atomic

PATH = "callid"
BLOCK = const(64)   # ids reserved per flash write


class CallIds:
    def __init__(self, floor=1, path=PATH):
        """floor: the lowest id this boot may give (the newest record's + 1)."""
        self.path = path
        self.error = None        # the last write error, for status
        saved = self._saved()
        self.next = saved if saved > floor else floor
        if self.next < 1:
            self.next = 1
        self.limit = self.next   # nothing reserved in this boot yet

    def _saved(self):
        try:
            text = atomic.read_text(self.path)
            return int(text) if text else 0
        except ValueError:   # not a number, not even text (UnicodeError is one)
            return 0   # unreadable: the records' floor stands in

    def _reserve(self):
        end = self.next + BLOCK
        try:
            atomic.write_atomic(self.path, "%d" % end)
        except OSError as e:
            self.error = repr(e)[:60]
            return
        self.error = None
        self.limit = end

    def take(self):
        if self.next >= self.limit:
            self._reserve()
        cid = self.next
        self.next += 1
        return cid

    def seen(self, cid):
        """An id given elsewhere (a record written by other code): never again."""
        if type(cid) is int and cid >= self.next:
            self.next = cid + 1
