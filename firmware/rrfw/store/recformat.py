# The call records' frame format (store/records.py keeps them on flash):
#
#   frame     0xA7 | body length (varint) | body | CRC-32 of all before it (4 bytes, LE)
#   body      which of KEYS the record has (a varint, bit i = KEYS[i]), their
#             values in KEYS' order, then any other key as (name, value); a
#             value starts with a tag byte (_T_* below: small ints, table words
#             and digit strings in one or a few bytes; the board-clock times
#             after ring_ms as an offset from it).
# KEYS and _WORDS only ever grow at their ends: a frame written by an older
# firmware reads the same on a newer one (and the host reads both).
#
# A reader (Scan) steps over a frame that does not check byte by byte to the
# next 0xA7 whose frame checks, and counts it (`unreadable`), never raises:
# a power cut mid-append loses at most the record being written.
#
# A module of its own so that records.py (always in the heap) and
# recrare.py (its rare operations, loaded only while one runs) share it
# without importing each other.
import binascii


# the store's files beside its segments (records.py has what each holds)
JOB = "records.job"        # an erasure or purge in progress (boot finishes it)
MARK = "records.mark"      # how far the host has taken the records away: [segment, offset]
INDEX = "segments.idx"     # what boot needs of the sealed segments (counts, ids)
LEGACY = ("records.1.jsonl", "records.jsonl")   # the JSON-lines files of firmware before 1.x: migrated
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

def mask(number, mode):
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


def exactly(number):
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
