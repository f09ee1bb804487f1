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
#
# emit() writes the JSON straight into the ring (json.dump to _RingWriter):
# no whole text is made as a str (a record event's 464-608 bytes were the
# allocation that failed busy runs near the heap gate: docs/notes/heap.md).
# The sinks get the event's bytes in the ring.
from io import IOBase
import json

from rrfw.compat import filled

RING_SIZE = 32  # events kept for replay at most; older ones are overwritten (counted in .overwritten)
# bytes of event text kept. The ring serves the monitor that fell behind and
# the host that reconnects (`since`: ringroute monitor's reconnect, hello and
# login take about 4 s, the PIN's hash 2.56 s of it). In the busy run (2 lines,
# 15 min: tests/support/busytraffic.py) events are 60-608 bytes (a record
# event 455-608), 132 on average; replayed through this ring (docs/notes/heap.md
# "heapcfg"), 2.5 KB always held the last 10 s (32 slots never the limit
# there: 19 events of that traffic fit), so a host back within 10 s sees no
# gap; 3 KB held 14 s, 2 KB only 4.1 s. What left the ring reaches the host
# as a gap line.
RING_BYTES = const(2560)

# MicroPython's str exposes its UTF-8 bytes as a buffer: the text of an event
# too large for the ring reaches the sinks as a view, without the copy
# .encode() makes. CPython's str has no buffer, so it encodes.
try:
    memoryview("")
    STR_BUF = True
except TypeError:
    STR_BUF = False


class _RingWriter(IOBase):
    """json.dump's stream: the text of one event goes into the ring's bytes
    from `start` on. If it would run past the end it is moved to the front
    (wrapped) once; if it cannot fit even there, `over` is set and the rest
    is dropped. MicroPython's json.dump writes only to a stream, and a class
    on io.IOBase is one; it hands write() a view of its own scratch, so the
    bytes are copied at once (CPython hands it str pieces)."""

    def __init__(self, buf):
        self.buf = buf
        self.mv = memoryview(buf)
        self.cap = len(buf)
        self.begin(0)

    def begin(self, pos):
        self.start = pos
        self.pos = pos
        self.wrapped = False
        self.over = False

    def write(self, b):
        # MicroPython calls this about once per byte of the text (a record
        # event: ~480 calls), so the common case is kept short
        p = self.pos
        n = len(b)
        if p + n > self.cap:
            return self._wrap(b, n)
        if n == 1:
            self.buf[p] = b[0]
        else:
            self.buf[p:p + n] = b
        self.pos = p + n
        return n

    def _wrap(self, b, n):
        p = self.pos
        buf = self.buf
        k = p - self.start
        if self.over or self.start == 0 or k + n > self.cap:
            self.over = True
            return n
        # to the front, in pieces no longer than the distance moved, so no
        # piece overlaps its source
        s = self.start
        i = 0
        while i < k:
            c = s if k - i > s else k - i
            buf[i:i + c] = self.mv[s + i:s + i + c]
            i += c
        self.start = 0
        self.wrapped = True
        buf[k:k + n] = b
        self.pos = k + n
        return n


class _StrRingWriter(_RingWriter):
    # CPython's json.dump writes str pieces
    def write(self, b):
        return _RingWriter.write(self, b.encode())


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
        self._w = (_RingWriter if STR_BUF else _StrRingWriter)(self._buf)
        self._off = filled("H", size)   # where event seq's text starts (slot seq % size)
        self._len = filled("H", size)   # its length in bytes
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
        w = self._w
        w.begin(self._pos)
        json.dump(fields, w)
        if w.over:
            # cannot be kept at all: the ring empties; the sinks get the text made apart
            self._empty()
            text = json.dumps(fields)
            data = memoryview(text) if STR_BUF else text.encode()
        else:
            self._keep(w.start, w.pos, w.wrapped)
            data = self.view(self.seq)
        for sink in self.sinks:
            sink(data)
        return self.seq

    def _drop_oldest(self):
        self._first += 1
        self.overwritten += 1

    def _empty(self):
        seq = self.seq
        while self._first < seq:
            self._drop_oldest()
        self._first = seq + 1
        self.overwritten += 1

    def _keep(self, pos, end, wrapped):
        # event seq's text is in the ring at pos..end (json.dump put it there):
        # the events it overwrote go, oldest first, and it is indexed
        seq = self.seq
        size = self._size
        off = self._off
        if wrapped:
            # texts past the old position are the oldest (the ring went round
            # before); they go first, so the ring stays a run of sequence numbers
            while self._first < seq and off[self._first % size] >= self._pos:
                self._drop_oldest()
        while self._first < seq and (self._first <= seq - size or (
                off[self._first % size] < end and off[self._first % size] + self._len[self._first % size] > pos)):
            self._drop_oldest()
        i = seq % size
        off[i] = pos
        self._len[i] = end - pos
        self._pos = end

    def first_seq(self):
        """The oldest sequence number still in the ring (1 before any wraps)."""
        return self._first

    def view(self, seq):
        """The bytes of event `seq` (which must be in the ring): a view, valid
        until the next emit. The sinks get this view of each new event."""
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
