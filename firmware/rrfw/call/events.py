# The firmware's event log: every event gets a monotonic sequence number and
# the block clock's time, is kept in a bounded ring (so the console can hand a
# reconnecting host "everything since seq N") and is passed to the sinks
# (the emulator link, the console's live monitor).
#
# The ring is one byte buffer made at boot, not a string per event: the
# texts of the last RING_SIZE events, as many of them as fit RING_BYTES
# (heap: 64 strings of a busy board's events held about 11 KB and churned
# the heap with every event; docs/notes/heap.md). Each text is stored whole
# and in one piece; the oldest go first, so what the ring holds is always a
# run of sequence numbers, first_seq() to seq.
from array import array
import json

from rrfw.compat import const

RING_SIZE = 64  # events kept for replay at most; older ones are overwritten (counted in .overwritten)
RING_BYTES = const(6144)  # bytes of event text kept: about 45 events of busy traffic (a record event is ~500)

# MicroPython's str exposes its UTF-8 bytes as a buffer: a memoryview of the
# text goes into the ring without the copy .encode() makes (up to ~500 bytes
# an event, a short-lived block that fragmented the heap: docs/notes/heap.md).
# CPython's str has no buffer, so it encodes.
try:
    memoryview("")
    STR_BUF = True
except TypeError:
    STR_BUF = False


def _holds(obj, holds):
    # any value of an event, nested ones too (a record event carries the record)
    if type(obj) is dict:
        for k in obj:
            if _holds(obj[k], holds):
                return True
        return False
    if type(obj) is list:
        for v in obj:
            if _holds(v, holds):
                return True
        return False
    return holds(obj)


class Clock:
    """The one clock: advanced once per 10 ms block by App."""

    def __init__(self):
        self.block = 0
        self.ms = 0


class Events:
    def __init__(self, clock, size=RING_SIZE, nbytes=RING_BYTES, buf=None):
        # buf: the ring's bytes made ahead (supervisor.py makes them first at boot)
        self.clock = clock
        self.seq = 0
        self._buf = buf if buf is not None else bytearray(nbytes)
        self._mv = memoryview(self._buf)
        self._off = array("H", bytes(2 * size))   # where event seq's text starts (slot seq % size)
        self._len = array("H", bytes(2 * size))   # its length in bytes
        self._size = size
        self._first = 1       # the oldest seq still in the ring (seq + 1 when it is empty)
        self._pos = 0         # where the next text goes
        self.overwritten = 0
        self.sinks = []

    def emit(self, event, **fields):
        self.seq += 1
        fields["t_ms"] = self.clock.ms
        fields["seq"] = self.seq
        fields["event"] = event
        text = json.dumps(fields)
        self._keep(memoryview(text) if STR_BUF else text.encode())
        for sink in self.sinks:
            sink(text)
        return self.seq

    def _drop_oldest(self):
        self._first += 1
        self.overwritten += 1

    def _keep(self, data):
        seq = self.seq
        n = len(data)
        size = self._size
        cap = len(self._buf)
        if n > cap:   # cannot be kept at all: the ring empties, the sinks still have it
            while self._first < seq:
                self._drop_oldest()
            self._first = seq + 1
            self.overwritten += 1
            return
        off = self._off
        pos = self._pos
        if pos + n > cap:
            # wrap: texts past pos are the oldest (the ring went round before);
            # they go first, so the ring stays a run of sequence numbers
            while self._first < seq and off[self._first % size] >= pos:
                self._drop_oldest()
            pos = 0
        end = pos + n
        while self._first < seq and (self._first <= seq - size or (
                off[self._first % size] < end and off[self._first % size] + self._len[self._first % size] > pos)):
            self._drop_oldest()
        self._buf[pos:end] = data
        i = seq % size
        off[i] = pos
        self._len[i] = n
        self._pos = end

    def first_seq(self):
        """The oldest sequence number still in the ring (1 before any wraps)."""
        return self._first

    def view(self, seq):
        """The bytes of event `seq` (which must be in the ring): a view, valid until the next emit."""
        i = seq % self._size
        return self._mv[self._off[i]:self._off[i] + self._len[i]]

    def text(self, seq):
        """The JSON text of event `seq` (which must be in the ring)."""
        return str(self.view(seq), "utf-8")

    def count_where(self, holds):
        """Events in the ring with a value for which holds(value) is true (an access request)."""
        n = 0
        for s in range(self._first, self.seq + 1):
            if _holds(json.loads(self.text(s)), holds):
                n += 1
        return n

    def forget_where(self, holds):
        """An erasure request: every such event keeps its seq and time but loses
        its fields (it reads {"event": "erased"}). Returns how many."""
        return self._erase(lambda d: _holds(d, holds))

    def forget_before(self, t_ms):
        """Retention: events older than t_ms keep their seq and time and lose
        their fields, as forget_where does. Returns how many."""
        return self._erase(lambda d: d.get("event") != "erased" and type(d.get("t_ms")) is int
                           and d["t_ms"] < t_ms)

    def _erase(self, which):
        n = 0
        for s in range(self._first, self.seq + 1):
            d = json.loads(self.text(s))
            if which(d):
                new = json.dumps({"t_ms": d.get("t_ms"), "seq": d.get("seq"), "event": "erased"}).encode()
                i = s % self._size
                k = len(new)
                if k > self._len[i]:
                    # longer than its place: an event with hardly a field, so
                    # nothing personal (one that holds a number is always longer)
                    continue
                self._buf[self._off[i]:self._off[i] + k] = new
                self._len[i] = k
                n += 1
        return n

    def since(self, seq):
        """Event texts with sequence number > seq still in the ring, oldest first."""
        out = []
        first = seq + 1 if seq + 1 > self._first else self._first
        for s in range(first, self.seq + 1):
            out.append(self.text(s))
        return out
