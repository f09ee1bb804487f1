# The call records' rare operations (store/records.py has the store, its
# files and the rules): boot's load (the export mark, a cut job finished, the
# segments counted), reading, an erasure, retention, the trim to `keep`, the
# export mark and what it leaves at risk. Each function takes the Records (r)
# first; Records answers the public ones as its methods and calls the rest
# itself, importing this module for the call and forgetting it after
# (records._rare): between them its code is not in the heap.
import json

from rrfw.store import atomic as store
from rrfw.store.recformat import INDEX, JOB, LEGACY, MARK, SameNumber, Scan, exactly, frame



def boot(r):
    """What Records() does after finding its segments: the host's mark, a job a
    cut left (finished), the counts, and the trim to `keep`."""
    read_mark(r)
    _recover(r)
    _load(r)
    if r.keep and r.count > r.keep:
        trim(r)


def segment_list(r):
    """[(segment, bytes)], oldest first (the console's records.list)."""
    r.flush()
    return [(s, r.sizes[s]) for s in sorted(r.sizes)]


def _scan_seg(r, seg):
    # count one segment's records, its unreadable frames and its highest call id
    sc = Scan(r.name(seg))
    n = 0
    last = 0
    for rec, _, _ in sc.each():
        n += 1
        cid = rec.get("call", 0)
        if type(cid) is int and cid > last:
            last = cid
    r.counts[seg] = n
    r.bad[seg] = sc.unreadable
    r.last[seg] = last


def _read_index(r):
    text = store.read_text(r.path(INDEX))
    try:
        rows = json.loads(text) if text else []
    except ValueError:
        rows = []
    out = {}
    if type(rows) is list:
        for row in rows:
            if type(row) is list and len(row) == 5:
                ok = True
                for v in row:
                    if type(v) is not int or v < 0:
                        ok = False
                if ok:
                    out[row[0]] = row
    return out


def _load(r):
    r.count = 0
    r.unreadable = 0
    r.scanned = 0
    last = 0
    idx = _read_index(r)
    segs = sorted(r.sizes)
    stale = False
    for seg in segs:
        row = idx.get(seg)
        if seg != segs[-1] and row is not None and row[1] == r.sizes[seg]:
            r.counts[seg] = row[2]
            r.bad[seg] = row[3]
            r.last[seg] = row[4]
        else:
            _scan_seg(r, seg)
            r.scanned += 1
            stale = stale or seg != segs[-1]
        r.count += r.counts[seg]
        r.unreadable += r.bad[seg]
        if r.last[seg] > last:
            last = r.last[seg]
    r.next_id = last + 1
    while len(r.sizes) > r.segments:
        r.drop_oldest()     # a cut between starting a segment and removing the oldest
    if stale:
        r.write_index()     # the next boot reads only the newest again


def read_mark(r):
    r.mark = None
    text = store.read_text(r.path(MARK))
    try:
        m = json.loads(text) if text else None
    except ValueError:
        m = None
    if type(m) is list and len(m) == 2 and type(m[0]) is int and type(m[1]) is int:
        r.mark = m


def mark_exported(r, seg, off):
    """The host has read every segment up to `seg`, and `seg` to byte `off`."""
    if type(seg) is not int or type(off) is not int or seg < 0 or off < 0:
        return False
    r.flush()
    newest = max(r.sizes) if r.sizes else 0
    if seg > newest or (seg in r.sizes and off > r.sizes[seg]):
        return False
    r.mark = [seg, off]
    r.unexp = None
    store.write_atomic(r.path(MARK), json.dumps(r.mark))
    r.warned = 0
    return True


def unexported_in(r, seg):
    """Records of one segment the host has not taken away."""
    m = r.mark
    if m is None or seg > m[0]:
        return r.counts.get(seg, 0)
    if seg < m[0]:
        return 0
    n = 0
    for _, start, _ in Scan(r.name(seg)).each():
        if start >= m[1]:
            n += 1
    return n


def unexported(r):
    """Records the host has not taken away (counted once, then kept up to date)."""
    if r.unexp is None:
        n = 0
        for seg in r.sizes:
            n += unexported_in(r, seg)
        r.unexp = n
    return r.unexp


def at_risk(r):
    """Never-exported records the next rotation would remove (0: none yet):
    the segments are all in use and the oldest holds such records."""
    if len(r.sizes) < r.segments:
        return 0
    return unexported_in(r, min(r.sizes))


def each(r):
    """Every record, oldest first, one at a time."""
    r.flush()
    bad = 0
    for seg in sorted(r.sizes):
        sc = Scan(r.name(seg))
        for rec, _, _ in sc.each():
            yield rec
        bad += sc.unreadable
    r.unreadable = bad


def read_all(r):
    return list(each(r))


def matching(r, number, same=None):
    """A caller's records (an access request); same(value) decides what matches."""
    same = same or exactly(number)
    return [rec for rec in each(r) if same(rec.get("caller")) or same(rec.get("callee"))]


def _rewrite_seg(r, seg, keep):
    """Keep only the records of one segment for which keep(rec, i) is true
    (i: its index in that segment); returns how many went."""
    path = r.name(seg)
    tmp = path + ".tmp"
    gone = 0
    size = 0
    n = 0
    m = r.mark
    new_off = None
    last = 0
    sc = Scan(path)
    with store.create(tmp) as f:
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
    store.rename(tmp, path)
    r.unexp = None
    r.sizes[seg] = size
    r.counts[seg] = n - gone
    r.bad[seg] = 0
    r.last[seg] = last
    r.count -= gone
    if m is not None and m[0] == seg:
        mark_exported(r, seg, new_off or 0)
    return gone


def _run_job(r, job):
    if job.get("erase") is not None:
        number = job["erase"]
        same = SameNumber(number) if job.get("digits") else exactly(number)
        return _apply(r, lambda rec, i: not (same(rec.get("caller")) or same(rec.get("callee"))))
    before = job.get("expire")
    if type(before) is int:
        return _apply(r, lambda rec, i: type(rec.get("utc")) is not int or rec["utc"] >= before)
    return 0


def _apply(r, keep):
    gone = 0
    segs = sorted(r.sizes)
    for seg in segs:
        gone += _rewrite_seg(r, seg, keep)
        if r.sizes[seg] == 0 and seg != segs[-1]:
            store.remove(r.name(seg))   # emptied: its slot is free again
            del r.sizes[seg]
            r.counts.pop(seg, None)
            r.bad.pop(seg, None)
            r.last.pop(seg, None)
    return gone


def _job(r, job):
    r.flush()   # an erasure or a purge takes the queued records too
    path = r.path(JOB)
    store.write_atomic(path, json.dumps(job))   # from here on boot finishes it
    gone = _run_job(r, job)
    store.remove(path)
    if gone:
        r.write_index()   # the rewritten segments' new sizes and counts
    return gone


def _recover(r):
    # an erasure or a purge cut short: finish it (it is idempotent)
    store.remove(r.path(JOB + ".tmp"))
    store.remove(r.path(MARK + ".tmp"))
    _migrate(r)
    text = store.read_text(r.path(JOB))
    if text is None:
        return
    try:
        job = json.loads(text)
    except ValueError:
        job = {}
    if type(job) is dict:
        _run_job(r, job)
    store.remove(r.path(JOB))


def _migrate(r):
    # records.jsonl of the firmware before this format: turned into frames
    # once, then removed; records.job says how far a cut left it
    olds = [r.path(n) for n in LEGACY if store.exists(r.path(n))]
    if not olds:
        return
    text = store.read_text(r.path(JOB))
    if text is None and r.sizes:
        return               # not ours to convert: segments already exist
    if text != '{"migrated": 1}':
        store.write_atomic(r.path(JOB), '{"migrate": 1}')
        for seg in list(r.sizes):
            store.remove(r.name(seg))
        r.sizes = {}
        r.counts = {}
        for p in olds:
            with open(p) as f:
                for line in f:
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue
                    if type(rec) is dict:
                        r.write_frame(frame(rec))
        store.write_atomic(r.path(JOB), '{"migrated": 1}')
    for p in olds:
        store.remove(p)
    store.remove(r.path(JOB))


def trim(r):
    """Keep the newest `keep` records (the config's records: keep): whole
    old segments go, the one at the edge is rewritten. Recomputed at boot,
    so a cut leaves more records, never fewer."""
    drop = r.count - r.keep
    for seg in sorted(r.sizes):
        if drop <= 0:
            break
        n = r.counts.get(seg, 0)
        if n <= drop and seg != max(r.sizes):
            r.drop_oldest()
            drop -= n
        else:
            k = drop
            drop -= _rewrite_seg(r, seg, lambda rec, i: i >= k)
    r.write_index()


def erase(r, number, same=None):
    """Erase every record of one caller, as caller or callee (an erasure
    request). same: a SameNumber (matched on digits) or None (exactly)."""
    return _job(r, {"erase": number, "digits": isinstance(same, SameNumber)})


def expire(r, before_utc):
    """Retention: drop records of calls that started before before_utc."""
    return _job(r, {"expire": before_utc})
