# Call records on flash: compact binary frames in append-only segment files.
#
#   segments  rec000001.bin, rec000002.bin, ...: records are appended to the
#             newest; one that would take it past max_bytes starts the next,
#             and past `segments` files the oldest is removed. No file is ever
#             renamed or rewritten by an append, so the flash stays bounded.
#   frame     one record, CRC-checked (store/recformat.py: the format, the
#             encoder and the reader, shared with the host's tools)
#
# A power cut at any byte of an append leaves a frame cut short at the end
# of the newest file. Its CRC fails; the reader steps on byte by byte to the
# next 0xA7 whose frame checks (the next record, appended after the reboot),
# so a cut loses at most the record being written. Any frame that does not
# check is skipped and counted (`unreadable`), never raised.
#
# Rewrites (a caller's erasure, retention, keep) replace one segment at a
# time (written to a .tmp, renamed over it: littlefs renames atomically).
# An erasure or a purge first writes its job to records.job; boot finishes a
# job it finds, so a cut leaves all of a caller's records or none.
#
# Boot reads only what it must: segments.idx holds, for every segment but the
# newest, [segment, bytes, records, unreadable, highest call id]; it is
# written (atomically, after the data) when a segment is sealed by the next
# one starting and after a rewrite. At boot a sealed segment whose size is
# what the index says is taken from it; the newest segment (still growing,
# where a cut lands) and any segment the index does not match are read
# through. A missing, damaged or stale index costs a slower boot, never a
# wrong count; a failed index write is ignored (the data is on flash).
#
# Export: the host's download marks how far it read (mark_exported); a
# rotation that would drop records never taken away warns first (`at_risk`,
# the records_at_risk event, then records_dropped).
#
# Privacy (the caller's number is personal data): erase(number) removes every
# record of one caller, expire(before_utc) enforces the retention period, and
# matching(number) is what a caller's access request hands over. Records are
# streamed a frame at a time, never loaded whole (the heap is smaller than
# the files).
#
# Two modules: this one is what every block and every call needs (the queue,
# the appends, rotation, the index); the rare operations (boot's load and
# recovery, reading, erasure, retention, the trim to `keep`, the export mark)
# are recrare.py's functions, imported when one runs and forgotten at once
# (_rare): its module objects (0.8 KB) are not in the heap between them.
# Records answers the public ones as its own methods (__getattr__).
import json
import os

from rrfw.compat import unload
from rrfw.store import atomic as store
# the format's and the files' names (recformat.py) that the firmware and the host's tools read as records.X
from rrfw.store.recformat import (FORMAT, INDEX, JOB, KEYS, LEGACY, MARK, MIN_DIGITS,  # noqa: F401
                                  SameNumber, decode, digits, frame, mask)

PREFIX = "rec"             # segment files: rec000001.bin ...
SUFFIX = ".bin"
MAX_BYTES = 32 * 1024      # bytes per segment before the next one starts
SEGMENTS = 10              # segment files at most: 320 KB of flash, 30+ days of 100 calls (docs/notes/report.md)
_QUEUE_MAX = const(8)       # records waiting for the flash (queue): 8 agents logged at once, two calls'
_RARE = "rrfw.store.recrare"
# Records' methods that are recrare.py's functions (called with the Records)
_OPS = ("each", "read_all", "matching", "erase", "expire", "mark_exported", "unexported",
        "unexported_in", "at_risk", "segment_list")


def _rare(name):
    # one of recrare.py's functions; the module is forgotten at once: the
    # function keeps its globals while it runs, the next use imports it again
    from rrfw.store import recrare
    fn = getattr(recrare, name)
    unload(_RARE)
    return fn


class Records:
    def __init__(self, prefix=PREFIX, max_bytes=MAX_BYTES, segments=SEGMENTS, settings=None, emit=None):
        st = settings or {}
        self.enabled = st.get("enabled", True)   # the config's records: enabled: false keeps none
        self.keep = st.get("keep", 0)            # most records kept (0: bounded by the flash budget only)
        self.caller_id = st.get("caller_id", "full")
        self.retention_days = st.get("retention_days", 0)   # 0: kept until rotation drops them
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.segments = segments
        self.emit = emit         # events.emit, set by the App: the export warnings
        self.lost = 0            # records that could not be written (full or failing flash)
        self.error = None        # the last write error, for status
        self.unreadable = 0      # frames that did not check at the last full read
        self.dropped = 0         # records rotation removed before any export
        self.count = 0
        self.ids = None   # store/callid.py's counter when the App gives one (ids across reboots)
        self.next_id = 1
        # (the segment tables are public for recrare.py, which is this class's other half)
        self.unexp = None        # records not taken away yet (None: count them again)
        self.sizes = {}          # segment -> bytes
        self.counts = {}         # segment -> records
        self.bad = {}            # segment -> frames that did not check
        self.last = {}           # segment -> highest call id in it
        self.scanned = 0         # segments boot read through (the index did not cover them)
        self.warned = 0          # the segment the at-risk warning was given for
        self.mark = None         # [segment, offset] the host has read to
        self._waiting = []       # records queued, oldest first (queue, step)
        self._frame = None       # (frame bytes, call id): the next slice appends it
        self._seal = False       # a segment was sealed: the index is the next slice
        self._trim_due = False   # over `keep`: a trim is the next slice
        self._hold = False       # a record was queued in this block: the slices start at the next
        d = prefix.rfind("/")
        self.folder = prefix[:d] if d >= 0 else "."
        self._base = prefix[d + 1:]
        self._find()
        _rare("boot")(self)      # the export mark, a cut job finished, the counts (recrare.py)

    def __getattr__(self, name):
        # the rare operations (_OPS): recrare.py's functions, called with this Records
        if name not in _OPS:
            raise AttributeError(name)
        fn = _rare(name)
        return lambda *a: fn(self, *a)

    # --- the segment files --------------------------------------------------
    def name(self, seg):
        return "%s%06d%s" % (self.prefix, seg, SUFFIX)

    def _find(self):
        self.sizes = {}
        try:
            names = os.listdir(self.folder)
        except OSError:
            names = []
        b = self._base
        for n in names:
            if n.startswith(b) and n.endswith(SUFFIX) and len(n) == len(b) + 6 + len(SUFFIX):
                num = n[len(b):len(b) + 6]
                if digits(num) == num:
                    self.sizes[int(num)] = self._stat(self.name(int(num)))
            elif n.startswith(b) and n.endswith(SUFFIX + ".tmp"):
                store.remove(self.folder + "/" + n if self.folder != "." else n)  # a rewrite cut short

    def _stat(self, path):
        try:
            return os.stat(path)[6]
        except OSError:
            return 0

    def bytes_on_flash(self):
        n = 0
        for s in self.sizes:
            n += self.sizes[s]
        return n

    def budget(self):
        return self.max_bytes * self.segments

    def write_index(self):
        """The sealed segments' counts for the next boot (never raises OSError:
        without it boot reads the segments through)."""
        segs = sorted(self.sizes)[:-1]
        rows = []
        for seg in segs:
            if seg in self.counts:
                rows.append([seg, self.sizes[seg], self.counts[seg], self.bad.get(seg, 0), self.last.get(seg, 0)])
        try:
            store.write_atomic(self.path(INDEX), json.dumps(rows))
        except OSError:
            store.remove(self.path(INDEX + ".tmp"))

    def new_call_id(self):
        if self.ids is not None:
            return self.ids.take()
        cid = self.next_id
        self.next_id += 1
        return cid

    # --- appending ------------------------------------------------------------
    # A record is queued in the block that closes it and written by step(), one
    # slice a block: encode the frame; append it (open, write, close); the
    # index after a sealed segment; a trim. On the ESP32 an append is 25-70 ms
    # (bench/bench_steptime.py: 1-1.5 ms here, x30-50), several blocks' worth
    # if all ran in one. A power cut loses at most what waits (one record,
    # seldom more, a block or two); every reader flushes first (each,
    # segment_list, erase, expire, mark), and so do reboot, the REPL and a
    # factory reset (server.py, App.run).
    def _accept(self, rec):
        # the id and the caller-ID mask at once: the queue holds only what is kept
        cid = rec.get("call")
        if type(cid) is int and cid >= self.next_id:
            self.next_id = cid + 1   # ids stay unique even for records made elsewhere
        if self.ids is not None:
            self.ids.seen(cid)
        if not self.enabled:
            return False
        if self.caller_id != "full":
            for k in ("caller", "callee"):
                if k in rec:
                    rec[k] = mask(rec[k], self.caller_id)
            if "caller_name" in rec:
                rec["caller_name"] = None
        return True

    def queue(self, rec):
        """Keep one record, written in the next blocks (step). A flash that
        refuses it is counted (`lost`) and told (`record_lost`) when written."""
        if not self._accept(rec):
            return
        if len(self._waiting) >= _QUEUE_MAX:
            self._slice()        # a burst beyond the queue: the oldest goes now (a late block, nothing lost)
        self._waiting.append(rec)
        self._hold = True        # not in the block that closed the call: that one did enough

    def waiting(self):
        """Records queued and not on flash yet (status; a cut would lose these)."""
        return len(self._waiting) + (1 if self._frame is not None else 0)

    def busy(self):
        """True while queued work is left: the next step() writes a slice."""
        return self._frame is not None or len(self._waiting) > 0 or self._seal or self._trim_due

    def step(self):
        """One slice of the queued work (App.step, once a block); True if it did any."""
        if self._hold or not (self._frame is not None or self._waiting or self._seal or self._trim_due):
            self._hold = False   # (busy() written out: this runs every block, nearly always idle)
            return False
        self._slice()
        return True

    def flush(self):
        """Everything queued, on flash now (before a read, a reboot, a wipe)."""
        while self.busy():
            self._slice()

    def _slice(self):
        try:
            if self._frame is not None:
                data, cid = self._frame
                self._frame = None
                self._seal = self.write_frame(data, cid)
                if self.keep and self.count > self.keep + self.keep // 4:
                    self._trim_due = True   # in batches: a rewrite per quarter of `keep`, not per call
            elif self._seal:
                self._seal = False
                self.write_index()   # the segment before is sealed: boot need not read it again
            elif self._trim_due:
                self._trim_due = False
                _rare("trim")(self)
            elif self._waiting:
                rec = self._waiting.pop(0)
                self._frame = (frame(rec), rec.get("call"))
        except OSError as e:
            self._refused(e)
            self._event("record_lost", lost=self.lost, error=self.error)

    def _refused(self, e):
        # ENOSPC, EIO: the call itself went well
        self.lost += 1
        self.error = repr(e)[:60]
        self._seal = False
        self._trim_due = False
        self._find()       # what reached the flash, as it is now
        self._remove_tmp()

    def append(self, rec):
        """Write one record now (what is queued first); False when the flash
        refused it (counted in `lost`, never raised: a full flash must not
        turn a call into a fault)."""
        self.flush()
        if not self._accept(rec):
            return True
        try:
            if self.write_frame(frame(rec), rec.get("call")):
                self.write_index()
            if self.keep and self.count > self.keep + self.keep // 4:
                _rare("trim")(self)
        except OSError as e:
            self._refused(e)
            return False
        return True

    def write_frame(self, data, cid=None):
        segs = self.sizes
        seg = max(segs) if segs else 0
        new = not segs or (segs[seg] > 0 and segs[seg] + len(data) > self.max_bytes)
        if new:
            seg += 1
            while len(segs) >= self.segments:
                self.drop_oldest()   # first: a full flash gets its room back before the write
            segs[seg] = 0
            self.counts[seg] = 0
            self.bad[seg] = 0
            self.last[seg] = 0
        if type(cid) is int and cid > self.last.get(seg, 0):
            self.last[seg] = cid
        with open(self.name(seg), "ab") as f:
            f.write(data)
            f.flush()
        segs[seg] += len(data)
        self.counts[seg] = self.counts.get(seg, 0) + 1
        self.count += 1
        if self.unexp is not None:
            self.unexp += 1
        if new:
            self._warn(seg)
        return new and len(segs) > 1   # a segment sealed: the index is due

    def drop_oldest(self):
        self.unexp = None
        old = min(self.sizes)
        lost = _rare("unexported_in")(self, old)
        store.remove(self.name(old))
        del self.sizes[old]
        self.bad.pop(old, None)
        self.last.pop(old, None)
        n = self.counts.pop(old, 0)
        self.count -= n
        if lost:
            self.dropped += lost
            self._event("records_dropped", records=lost, dropped=self.dropped)

    def _event(self, name, **fields):
        if self.emit is not None:
            self.emit(name, **fields)

    # --- the paths; what the host has taken away --------------------------------
    def path(self, name):
        return name if self.folder == "." else self.folder + "/" + name

    def _warn(self, seg):
        # a new segment took the last free slot: the next one drops the oldest
        if len(self.sizes) >= self.segments and self.warned != seg:
            n = _rare("at_risk")(self)
            if n:
                self.warned = seg
                self._event("records_at_risk", records=n, unexported=_rare("unexported")(self))

    def _remove_tmp(self):
        for seg in list(self.sizes):
            store.remove(self.name(seg) + ".tmp")
