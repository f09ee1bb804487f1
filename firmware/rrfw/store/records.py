# Call records on flash: compact binary frames in append-only segment files.
#
#   segments  rec000001.bin, rec000002.bin, ...: records are appended to the
#             newest; one that would take it past max_bytes starts the next,
#             and past `segments` files the oldest is removed. No file is ever
#             renamed or rewritten by an append, so the flash stays bounded.
#   frame     0xA7 | body length (varint) | body | CRC-32 of all before it (4 bytes, LE)
#   body      which of KEYS the record has (a varint, bit i = KEYS[i]), their
#             values in KEYS' order, then any other key as (name, value); a
#             value starts with a tag byte (_T_* below: small ints, table words
#             and digit strings in one or a few bytes; the board-clock times
#             after ring_ms as an offset from it).
# KEYS and _WORDS only ever grow at their ends: a frame written by an older
# firmware reads the same on a newer one (and the host reads both).
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
import binascii
import json
import os

from rrfw.compat import const
from rrfw.store import atomic as store

PREFIX = "rec"             # segment files: rec000001.bin ...
SUFFIX = ".bin"
JOB = "records.job"        # an erasure or purge in progress (boot finishes it)
MARK = "records.mark"      # how far the host has taken the records away: [segment, offset]
INDEX = "segments.idx"     # what boot needs of the sealed segments (counts, ids): see above
LEGACY = ("records.1.jsonl", "records.jsonl")   # the JSON-lines files of firmware before 1.x: migrated
MAX_BYTES = 32 * 1024      # bytes per segment before the next one starts
SEGMENTS = 10              # segment files at most: 320 KB of flash, 30+ days of 100 calls (docs/notes/report.md)
_QUEUE_MAX = const(8)       # records waiting for the flash (queue): 8 agents logged at once, two calls'
MIN_DIGITS = const(7)      # digits: a number shorter than this never matches (call/privacy.py)

_MAGIC = const(0xA7)       # first byte of a frame (any value works: the CRC decides)
_MAX_BODY = const(2048)    # bytes: larger than any record (record.py bounds path, digits)
_CHUNK = const(512)        # bytes read from flash at a time

# value tags (one byte; 0x00-0x7F are the ints 0-127 themselves)
_T_NONE = const(0x80)
_T_FALSE = const(0x81)
_T_TRUE = const(0x82)
_T_UINT = const(0x83)      # varint
_T_NEG = const(0x84)       # varint of -v - 1
_T_STR = const(0x85)       # varint byte length, UTF-8
_T_DIGITS = const(0x86)    # varint length in characters, two per byte (_NIBBLES)
_T_LIST = const(0x87)      # varint count, values
_T_DICT = const(0x88)      # varint count, (key, value) pairs
_T_FLOAT = const(0x89)     # its repr as a string
_T_AFTER = const(0x8A)     # varint ms after the record's ring_ms (_TIMES)
_T_WORD = const(0x90)      # 0x90 + index in _WORDS (112 at most)

_NIBBLES = const("0123456789*#ABCD") # DTMF keys and the mask's '*': a number packs two digits a byte
# One literal tuple (a frozen constant, in flash): a `+` at import would build it in RAM.
# Format 2 (report4) added the last four: a call's visits to several queues, the
# agent-state records (kind "agent": state, group). A frame of format 1 reads the
# same; format 1 firmware counts a frame with these keys unreadable.
KEYS = ("call", "line", "utc", "ring_ms", "answer_ms", "rings", "caller", "caller_name",
        "caller_reason", "path", "digits", "target", "ext", "wait_ms", "connect_ms",
        "route_ms", "talk_ms", "end_ms", "release", "method", "outcome", "dtmf_lost",
        "direction", "callee", "try", "dial_refused", "callback", "disa_line", "disa_number",
        "queue", "position", "agents", "wrap_ms", "kind", "campaign", "transfer", "reason",
        "queue_ms", "left_ms", "left_pos", "rang_ms", "mode", "blocked", "short", "rung_more", "left_key", "queued",
        "visits", "visits_more", "state", "group")                             # format 2
_WORDS = ("connected", "abandoned", "missed", "caller_hangup", "agent_hangup", "max_length",
          "cpc", "reversal", "tone", "silence", "busy_tone", "dial_tone", "out", "in",
          "withheld", "unavailable", "absent", "ivr_hangup", "after_hours", "no_agents",
          "timeout", "exit_key", "blocked", "callback_connected", "callback_failed",
          "callback_refused", "callback_no_answer", "callback_busy", "learn", "learned",
          "fault", "main", "menu_done", "route_failed", "no_answer", "busy", "hangup",
          "disa_far_end", "disa_max_length", "disa_no_number", "callback_gave_up", "erased",
          "answered", "callback", "full", "menu_abandoned", "queue_full", "callback_requested",
          "night", "lunch", "holiday", "closed", "day", "campaign", "answer",
          "agent", "logged_out", "available", "paused", "dnd", "login", "logout",       # format 2
          "elsewhere", "auto", "code", "group_code")    # ring-all losers: "elsewhere"
FORMAT = const(2)          # the format of the frames this firmware writes (KEYS, _WORDS above)
_RING = const(3)           # KEYS.index("ring_ms"): the times after it are offsets from it
_TIMES = ("answer_ms", "connect_ms", "route_ms", "end_ms",   # board-clock times: after ring_ms
         "queue_ms", "left_ms", "rang_ms")


def _mask(number, mode):
    # the config's records caller_id: full, last4 (****1234) or none
    if number is None or mode == "full":
        return number
    if mode == "last4":
        return "*" * max(0, len(number) - 4) + number[-4:]
    return None


def digits(s):
    out = ""
    for c in s:
        if "0" <= c <= "9":
            out += c
    return out


class SameNumber:
    """Is a stored value this number? Matched on the digits: the shorter of the
    two, if it has MIN_DIGITS, may be the end of the longer (a national number
    inside its international form); masked values (****0142) never match.
    A class, not a closure, so an erasure's job on flash can name it."""

    def __init__(self, number):
        self.number = number
        self.want = digits(number)

    def __call__(self, stored):
        if type(stored) is not str or "*" in stored:
            return False
        d = digits(stored)
        want = self.want
        if d == want:
            return True
        short, long_ = (d, want) if len(d) < len(want) else (want, d)
        return len(short) >= MIN_DIGITS and long_.endswith(short)


def _exactly(number):
    return lambda v: v is not None and v == number


# --- the frame codec (the host's tools decode with the same functions) -------
def _uv(out, n):
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _rv(b, i):
    n = 0
    s = 0
    while True:
        c = b[i]
        i += 1
        n |= (c & 0x7F) << s
        if c < 0x80:
            return n, i
        s += 7


def _packs(s):
    if len(s) < 3:
        return False
    for c in s:
        if c not in _NIBBLES:
            return False
    return True


def _key(out, k):
    if k in KEYS:
        out.append(KEYS.index(k) + 1)
    else:
        out.append(0)
        _val(out, str(k), None)


def _val(out, v, base):
    t = type(v)
    if v is None:
        out.append(_T_NONE)
    elif v is True:
        out.append(_T_TRUE)
    elif v is False:
        out.append(_T_FALSE)
    elif t is int:
        if 0 <= v < 0x80:
            out.append(v)
        elif v >= 0:
            out.append(_T_UINT)
            _uv(out, v)
        else:
            out.append(_T_NEG)
            _uv(out, -v - 1)
    elif t is str:
        if v in _WORDS:
            out.append(_T_WORD + _WORDS.index(v))
        elif _packs(v):
            out.append(_T_DIGITS)
            _uv(out, len(v))
            for i in range(0, len(v), 2):
                hi = _NIBBLES.index(v[i])
                lo = _NIBBLES.index(v[i + 1]) if i + 1 < len(v) else 0
                out.append((hi << 4) | lo)
        else:
            b = v.encode()
            out.append(_T_STR)
            _uv(out, len(b))
            out.extend(b)
    elif t is list or t is tuple:
        out.append(_T_LIST)
        _uv(out, len(v))
        for x in v:
            _val(out, x, None)
    elif t is dict:
        out.append(_T_DICT)
        _uv(out, len(v))
        for k in v:
            _key(out, k)
            _val(out, v[k], None)
    elif t is float:
        out.append(_T_FLOAT)
        _val(out, repr(v), None)
    else:
        _val(out, str(v), None)


def frame(rec):
    """One record as the bytes of its frame."""
    body = bytearray()
    bits = 0
    for i in range(len(KEYS)):
        if KEYS[i] in rec:
            bits |= 1 << i
    _uv(body, bits)
    base = rec.get("ring_ms")
    if type(base) is not int or base < 0:
        base = None
    for k in KEYS:                 # the table's keys: in its order, names left out
        if k in rec:
            v = rec[k]
            if base is not None and k in _TIMES and type(v) is int and v >= base:
                body.append(_T_AFTER)
                _uv(body, v - base)
            else:
                _val(body, v, None)
    for k in rec:                  # any other key: its name, then its value
        if k not in KEYS:
            _val(body, str(k), None)
            _val(body, rec[k], None)
    out = bytearray()
    out.append(_MAGIC)
    _uv(out, len(body))
    out.extend(body)
    crc = binascii.crc32(out) & 0xFFFFFFFF
    out.extend(crc.to_bytes(4, "little"))
    return out


def _rkey(b, i):
    c = b[i]
    if c == 0:
        return _rval(b, i + 1, None)
    return KEYS[c - 1], i + 1


def _rval(b, i, base):
    tag = b[i]
    i += 1
    if tag < 0x80:
        return tag, i
    if tag >= _T_WORD:
        return _WORDS[tag - _T_WORD], i
    if tag == _T_NONE:
        return None, i
    if tag == _T_TRUE:
        return True, i
    if tag == _T_FALSE:
        return False, i
    if tag == _T_UINT:
        return _rv(b, i)
    if tag == _T_NEG:
        n, i = _rv(b, i)
        return -n - 1, i
    if tag == _T_STR:
        n, i = _rv(b, i)
        if i + n > len(b):
            raise ValueError("string past the frame")
        return bytes(b[i:i + n]).decode(), i + n
    if tag == _T_DIGITS:
        n, i = _rv(b, i)
        s = ""
        for k in range(n):
            c = b[i + k // 2]
            s += _NIBBLES[(c >> 4) if k % 2 == 0 else (c & 15)]
        return s, i + (n + 1) // 2
    if tag == _T_LIST:
        n, i = _rv(b, i)
        out = []
        for _ in range(n):
            v, i = _rval(b, i, None)
            out.append(v)
        return out, i
    if tag == _T_DICT:
        n, i = _rv(b, i)
        out = {}
        for _ in range(n):
            k, i = _rkey(b, i)
            out[k], i = _rval(b, i, None)
        return out, i
    if tag == _T_FLOAT:
        s, i = _rval(b, i, None)
        return float(s), i
    if tag == _T_AFTER and base is not None:
        n, i = _rv(b, i)
        return base + n, i
    raise ValueError("tag %d" % tag)


def decode_body(b, i, end):
    """The record in b[i:end] (a frame's body)."""
    rec = {}
    bits, i = _rv(b, i)
    if bits >> len(KEYS):
        raise ValueError("a key this firmware does not know")
    base = None
    k = 0
    while bits:
        if bits & 1:
            rec[KEYS[k]], i = _rval(b, i, base)
            if k == _RING and type(rec["ring_ms"]) is int:
                base = rec["ring_ms"]
        bits >>= 1
        k += 1
    while i < end:
        name, i = _rval(b, i, None)
        rec[name], i = _rval(b, i, None)
    if i != end:
        raise ValueError("body overrun")
    return rec


class Scan:
    """The frames of one file (or bytes), oldest first: each() yields
    (record, start, end) byte offsets; frames that do not check are skipped
    and counted in .unreadable (a run of bad bytes counts once)."""

    def __init__(self, src):
        self.src = src           # a path, or bytes (the host's download)
        self.unreadable = 0

    def each(self):
        src = self.src
        if type(src) is str:
            try:
                f = open(src, "rb")
            except OSError:
                return
            with f:
                for x in self._frames(f):
                    yield x
        else:
            for x in self._frames(None):
                yield x

    def _frames(self, f):
        if f is None:
            buf = self.src
            eof = True
        else:
            buf = f.read(_CHUNK) or b""
            eof = len(buf) < _CHUNK
        off = 0        # file offset of buf[0]
        i = 0
        bad = False
        while True:
            # keep a whole largest frame in the buffer (or the rest of the file)
            if not eof and len(buf) - i < _MAX_BODY + 8:
                more = f.read(_MAX_BODY + _CHUNK)
                if not more:
                    eof = True
                else:
                    off += i
                    buf = buf[i:] + more
                    i = 0
            if i >= len(buf):
                break
            good = False
            if buf[i] == _MAGIC:
                try:
                    n, j = _rv(buf, i + 1)
                    end = j + n + 4
                    if n <= _MAX_BODY and end <= len(buf):
                        crc = binascii.crc32(memoryview(buf)[i:j + n]) & 0xFFFFFFFF
                        if crc == int.from_bytes(bytes(buf[j + n:end]), "little"):
                            good = True
                except IndexError:
                    pass     # a header cut short at the end
            if not good:
                if not bad:
                    self.unreadable += 1
                    bad = True
                i += 1
                continue
            bad = False
            try:
                rec = decode_body(buf, j, j + n)
            except (ValueError, IndexError, KeyError, UnicodeError):
                self.unreadable += 1    # checks, but holds what this firmware cannot read
                i = end
                continue
            yield rec, off + i, off + end
            i = end


def decode(data):
    """(records, unreadable) from a segment's bytes (the host's download)."""
    s = Scan(data)
    return [r for r, _, _ in s.each()], s.unreadable


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
        self._unexp = None       # records not taken away yet (None: count them again)
        self._sizes = {}         # segment -> bytes
        self._counts = {}        # segment -> records
        self._bad = {}           # segment -> frames that did not check
        self._last = {}          # segment -> highest call id in it
        self.scanned = 0         # segments boot read through (the index did not cover them)
        self._warned = 0         # the segment the at-risk warning was given for
        self.mark = None         # [segment, offset] the host has read to
        self._waiting = []       # records queued, oldest first (queue, step)
        self._frame = None       # (frame bytes, call id): the next slice appends it
        self._seal = False       # a segment was sealed: the index is the next slice
        self._trim_due = False   # over `keep`: a trim is the next slice
        self._hold = False       # a record was queued in this block: the slices start at the next
        d = prefix.rfind("/")
        self._dir = prefix[:d] if d >= 0 else "."
        self._base = prefix[d + 1:]
        self._find()
        self._read_mark()
        self._recover()
        self._load()
        if self.keep and self.count > self.keep:
            self._trim()

    # --- the segment files --------------------------------------------------
    def name(self, seg):
        return "%s%06d%s" % (self.prefix, seg, SUFFIX)

    def _find(self):
        self._sizes = {}
        try:
            names = os.listdir(self._dir)
        except OSError:
            names = []
        b = self._base
        for n in names:
            if n.startswith(b) and n.endswith(SUFFIX) and len(n) == len(b) + 6 + len(SUFFIX):
                num = n[len(b):len(b) + 6]
                if digits(num) == num:
                    self._sizes[int(num)] = self._stat(self.name(int(num)))
            elif n.startswith(b) and n.endswith(SUFFIX + ".tmp"):
                store.remove(self._dir + "/" + n if self._dir != "." else n)  # a rewrite cut short

    def _stat(self, path):
        try:
            return os.stat(path)[6]
        except OSError:
            return 0

    def segment_list(self):
        """[(segment, bytes)], oldest first (the console's records.list)."""
        self.flush()
        return [(s, self._sizes[s]) for s in sorted(self._sizes)]

    def bytes_on_flash(self):
        n = 0
        for s in self._sizes:
            n += self._sizes[s]
        return n

    def budget(self):
        return self.max_bytes * self.segments

    def _scan_seg(self, seg):
        # count one segment's records, its unreadable frames and its highest call id
        sc = Scan(self.name(seg))
        n = 0
        last = 0
        for rec, _, _ in sc.each():
            n += 1
            cid = rec.get("call", 0)
            if type(cid) is int and cid > last:
                last = cid
        self._counts[seg] = n
        self._bad[seg] = sc.unreadable
        self._last[seg] = last

    def _read_index(self):
        text = store.read_text(self._path(INDEX))
        try:
            rows = json.loads(text) if text else []
        except ValueError:
            rows = []
        out = {}
        if type(rows) is list:
            for r in rows:
                if type(r) is list and len(r) == 5:
                    ok = True
                    for v in r:
                        if type(v) is not int or v < 0:
                            ok = False
                    if ok:
                        out[r[0]] = r
        return out

    def _write_index(self):
        """The sealed segments' counts for the next boot (never raises OSError:
        without it boot reads the segments through)."""
        segs = sorted(self._sizes)[:-1]
        rows = []
        for seg in segs:
            if seg in self._counts:
                rows.append([seg, self._sizes[seg], self._counts[seg], self._bad.get(seg, 0), self._last.get(seg, 0)])
        try:
            store.write_atomic(self._path(INDEX), json.dumps(rows))
        except OSError:
            store.remove(self._path(INDEX + ".tmp"))

    def _load(self):
        self.count = 0
        self.unreadable = 0
        self.scanned = 0
        last = 0
        idx = self._read_index()
        segs = sorted(self._sizes)
        stale = False
        for seg in segs:
            row = idx.get(seg)
            if seg != segs[-1] and row is not None and row[1] == self._sizes[seg]:
                self._counts[seg] = row[2]
                self._bad[seg] = row[3]
                self._last[seg] = row[4]
            else:
                self._scan_seg(seg)
                self.scanned += 1
                stale = stale or seg != segs[-1]
            self.count += self._counts[seg]
            self.unreadable += self._bad[seg]
            if self._last[seg] > last:
                last = self._last[seg]
        self.next_id = last + 1
        while len(self._sizes) > self.segments:
            self._drop_oldest()     # a cut between starting a segment and removing the oldest
        if stale:
            self._write_index()     # the next boot reads only the newest again

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
                    rec[k] = _mask(rec[k], self.caller_id)
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
                self._seal = self._write(data, cid)
                if self.keep and self.count > self.keep + self.keep // 4:
                    self._trim_due = True   # in batches: a rewrite per quarter of `keep`, not per call
            elif self._seal:
                self._seal = False
                self._write_index()   # the segment before is sealed: boot need not read it again
            elif self._trim_due:
                self._trim_due = False
                self._trim()
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
            if self._write(frame(rec), rec.get("call")):
                self._write_index()
            if self.keep and self.count > self.keep + self.keep // 4:
                self._trim()
        except OSError as e:
            self._refused(e)
            return False
        return True

    def _write(self, data, cid=None):
        segs = self._sizes
        seg = max(segs) if segs else 0
        new = not segs or (segs[seg] > 0 and segs[seg] + len(data) > self.max_bytes)
        if new:
            seg += 1
            while len(segs) >= self.segments:
                self._drop_oldest()   # first: a full flash gets its room back before the write
            segs[seg] = 0
            self._counts[seg] = 0
            self._bad[seg] = 0
            self._last[seg] = 0
        if type(cid) is int and cid > self._last.get(seg, 0):
            self._last[seg] = cid
        with open(self.name(seg), "ab") as f:
            f.write(data)
            f.flush()
        segs[seg] += len(data)
        self._counts[seg] = self._counts.get(seg, 0) + 1
        self.count += 1
        if self._unexp is not None:
            self._unexp += 1
        if new:
            self._warn(seg)
        return new and len(segs) > 1   # a segment sealed: the index is due

    def _drop_oldest(self):
        self._unexp = None
        old = min(self._sizes)
        lost = self.unexported_in(old)
        store.remove(self.name(old))
        del self._sizes[old]
        self._bad.pop(old, None)
        self._last.pop(old, None)
        n = self._counts.pop(old, 0)
        self.count -= n
        if lost:
            self.dropped += lost
            self._event("records_dropped", records=lost, dropped=self.dropped)

    def _event(self, name, **fields):
        if self.emit is not None:
            self.emit(name, **fields)

    # --- what the host has taken away -------------------------------------------
    def _read_mark(self):
        self.mark = None
        text = store.read_text(self._path(MARK))
        try:
            m = json.loads(text) if text else None
        except ValueError:
            m = None
        if type(m) is list and len(m) == 2 and type(m[0]) is int and type(m[1]) is int:
            self.mark = m

    def _path(self, name):
        return name if self._dir == "." else self._dir + "/" + name

    def mark_exported(self, seg, off):
        """The host has read every segment up to `seg`, and `seg` to byte `off`."""
        if type(seg) is not int or type(off) is not int or seg < 0 or off < 0:
            return False
        self.flush()
        newest = max(self._sizes) if self._sizes else 0
        if seg > newest or (seg in self._sizes and off > self._sizes[seg]):
            return False
        self.mark = [seg, off]
        self._unexp = None
        store.write_atomic(self._path(MARK), json.dumps(self.mark))
        self._warned = 0
        return True

    def unexported_in(self, seg):
        """Records of one segment the host has not taken away."""
        m = self.mark
        if m is None or seg > m[0]:
            return self._counts.get(seg, 0)
        if seg < m[0]:
            return 0
        n = 0
        for _, start, _ in Scan(self.name(seg)).each():
            if start >= m[1]:
                n += 1
        return n

    def unexported(self):
        """Records the host has not taken away (counted once, then kept up to date)."""
        if self._unexp is None:
            n = 0
            for seg in self._sizes:
                n += self.unexported_in(seg)
            self._unexp = n
        return self._unexp

    def at_risk(self):
        """Never-exported records the next rotation would remove (0: none yet):
        the segments are all in use and the oldest holds such records."""
        if len(self._sizes) < self.segments:
            return 0
        return self.unexported_in(min(self._sizes))

    def _warn(self, seg):
        # a new segment took the last free slot: the next one drops the oldest
        if len(self._sizes) >= self.segments and self._warned != seg:
            n = self.at_risk()
            if n:
                self._warned = seg
                self._event("records_at_risk", records=n, unexported=self.unexported())

    # --- reading --------------------------------------------------------------
    def each(self):
        """Every record, oldest first, one at a time."""
        self.flush()
        bad = 0
        for seg in sorted(self._sizes):
            sc = Scan(self.name(seg))
            for rec, _, _ in sc.each():
                yield rec
            bad += sc.unreadable
        self.unreadable = bad

    def read_all(self):
        return list(self.each())

    def matching(self, number, same=None):
        """A caller's records (an access request); same(value) decides what matches."""
        same = same or _exactly(number)
        return [r for r in self.each() if same(r.get("caller")) or same(r.get("callee"))]

    # --- rewriting: erasure, retention, keep ------------------------------------
    def _remove_tmp(self):
        for seg in list(self._sizes):
            store.remove(self.name(seg) + ".tmp")

    def _rewrite_seg(self, seg, keep):
        """Keep only the records of one segment for which keep(rec, i) is true
        (i: its index in that segment); returns how many went."""
        path = self.name(seg)
        tmp = path + ".tmp"
        gone = 0
        size = 0
        n = 0
        m = self.mark
        new_off = None
        last = 0
        sc = Scan(path)
        with open(tmp, "wb") as f:
            for rec, start, _ in sc.each():
                if keep(rec, n):
                    cid = rec.get("call", 0)
                    if type(cid) is int and cid > last:
                        last = cid
                    data = frame(rec)
                    f.write(data)
                    size += len(data)
                    if m is not None and m[0] == seg and start < m[1]:
                        new_off = size
                else:
                    gone += 1
                n += 1
            f.flush()
        if not gone and not sc.unreadable:
            store.remove(tmp)
            return 0
        os.rename(tmp, path)
        self._unexp = None
        self._sizes[seg] = size
        self._counts[seg] = n - gone
        self._bad[seg] = 0
        self._last[seg] = last
        self.count -= gone
        if m is not None and m[0] == seg:
            self.mark_exported(seg, new_off or 0)
        return gone

    def _run_job(self, job):
        if job.get("erase") is not None:
            number = job["erase"]
            same = SameNumber(number) if job.get("digits") else _exactly(number)
            return self._apply(lambda r, i: not (same(r.get("caller")) or same(r.get("callee"))))
        before = job.get("expire")
        if type(before) is int:
            return self._apply(lambda r, i: type(r.get("utc")) is not int or r["utc"] >= before)
        return 0

    def _apply(self, keep):
        gone = 0
        segs = sorted(self._sizes)
        for seg in segs:
            gone += self._rewrite_seg(seg, keep)
            if self._sizes[seg] == 0 and seg != segs[-1]:
                store.remove(self.name(seg))   # emptied: its slot is free again
                del self._sizes[seg]
                self._counts.pop(seg, None)
                self._bad.pop(seg, None)
                self._last.pop(seg, None)
        return gone

    def _job(self, job):
        self.flush()   # an erasure or a purge takes the queued records too
        path = self._path(JOB)
        store.write_atomic(path, json.dumps(job))   # from here on boot finishes it
        gone = self._run_job(job)
        store.remove(path)
        if gone:
            self._write_index()   # the rewritten segments' new sizes and counts
        return gone

    def _recover(self):
        # an erasure or a purge cut short: finish it (it is idempotent)
        store.remove(self._path(JOB + ".tmp"))
        store.remove(self._path(MARK + ".tmp"))
        self._migrate()
        text = store.read_text(self._path(JOB))
        if text is None:
            return
        try:
            job = json.loads(text)
        except ValueError:
            job = {}
        if type(job) is dict:
            self._run_job(job)
        store.remove(self._path(JOB))

    def _migrate(self):
        # records.jsonl of the firmware before this format: turned into frames
        # once, then removed; records.job says how far a cut left it
        olds = [self._path(n) for n in LEGACY if store.exists(self._path(n))]
        if not olds:
            return
        text = store.read_text(self._path(JOB))
        if text is None and self._sizes:
            return               # not ours to convert: segments already exist
        if text != '{"migrated": 1}':
            store.write_atomic(self._path(JOB), '{"migrate": 1}')
            for seg in list(self._sizes):
                store.remove(self.name(seg))
            self._sizes = {}
            self._counts = {}
            for p in olds:
                with open(p) as f:
                    for line in f:
                        try:
                            rec = json.loads(line)
                        except ValueError:
                            continue
                        if type(rec) is dict:
                            self._write(frame(rec))
            store.write_atomic(self._path(JOB), '{"migrated": 1}')
        for p in olds:
            store.remove(p)
        store.remove(self._path(JOB))

    def _trim(self):
        """Keep the newest `keep` records (the config's records: keep): whole
        old segments go, the one at the edge is rewritten. Recomputed at boot,
        so a cut leaves more records, never fewer."""
        drop = self.count - self.keep
        for seg in sorted(self._sizes):
            if drop <= 0:
                break
            n = self._counts.get(seg, 0)
            if n <= drop and seg != max(self._sizes):
                self._drop_oldest()
                drop -= n
            else:
                k = drop
                drop -= self._rewrite_seg(seg, lambda r, i: i >= k)
        self._write_index()

    def erase(self, number, same=None):
        """Erase every record of one caller, as caller or callee (an erasure
        request). same: a SameNumber (matched on digits) or None (exactly)."""
        return self._job({"erase": number, "digits": isinstance(same, SameNumber)})

    def expire(self, before_utc):
        """Retention: drop records of calls that started before before_utc."""
        return self._job({"expire": before_utc})
