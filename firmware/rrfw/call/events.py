# The firmware's event log: every event gets a monotonic sequence number and
# the block clock's time, is kept in a bounded ring (so the console can hand a
# reconnecting host "everything since seq N") and is passed to the sinks
# (the emulator link, the console's live monitor).
import json

RING_SIZE = 64  # events kept for replay; older ones are overwritten (counted in .overwritten)


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
    def __init__(self, clock, size=RING_SIZE):
        self.clock = clock
        self.seq = 0
        self._ring = [None] * size
        self.overwritten = 0
        self.sinks = []

    def emit(self, event, **fields):
        self.seq += 1
        fields["t_ms"] = self.clock.ms
        fields["seq"] = self.seq
        fields["event"] = event
        text = json.dumps(fields)
        i = self.seq % len(self._ring)
        if self._ring[i] is not None:
            self.overwritten += 1
        self._ring[i] = text
        for sink in self.sinks:
            sink(text)
        return self.seq

    def first_seq(self):
        """The oldest sequence number still in the ring (1 before any wraps)."""
        first = self.seq - len(self._ring) + 1
        return first if first > 1 else 1

    def text(self, seq):
        """The JSON text of event `seq` (which must be in the ring)."""
        return self._ring[seq % len(self._ring)]

    def count_where(self, holds):
        """Events in the ring with a value for which holds(value) is true (an access request)."""
        n = 0
        for text in self._ring:
            if text is not None and _holds(json.loads(text), holds):
                n += 1
        return n

    def forget_where(self, holds):
        """An erasure request: every such event keeps its seq and time but loses
        its fields (it reads {"event": "erased"}). Returns how many."""
        n = 0
        for i in range(len(self._ring)):
            text = self._ring[i]
            if text is not None:
                d = json.loads(text)
                if _holds(d, holds):
                    self._ring[i] = json.dumps({"t_ms": d.get("t_ms"), "seq": d.get("seq"), "event": "erased"})
                    n += 1
        return n

    def forget_before(self, t_ms):
        """Retention: events older than t_ms keep their seq and time and lose
        their fields, as forget_where does. Returns how many."""
        n = 0
        for i in range(len(self._ring)):
            text = self._ring[i]
            if text is not None:
                d = json.loads(text)
                if d.get("event") != "erased" and type(d.get("t_ms")) is int and d["t_ms"] < t_ms:
                    self._ring[i] = json.dumps({"t_ms": d["t_ms"], "seq": d.get("seq"), "event": "erased"})
                    n += 1
        return n

    def since(self, seq):
        """Event texts with sequence number > seq still in the ring, oldest first."""
        out = []
        n = len(self._ring)
        first = max(seq + 1, self.seq - n + 1, 1)
        for s in range(first, self.seq + 1):
            out.append(self._ring[s % n])
        return out
