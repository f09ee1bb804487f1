# Call records: one JSON object per line in records.jsonl on flash.
# Appends are flushed at once; a power cut can at worst cut the last line
# short, and readers skip a line that does not parse. The file is rotated to
# records.1.jsonl when it passes MAX_BYTES so flash never fills.
#
# Privacy (the caller's number is personal data): erase(number) removes every
# record of one caller, expire(before_utc) enforces a retention period, and
# matching(number) is what a caller's access request hands over. A rewrite
# goes to records.new.tmp, is renamed records.new once complete, and only
# then replaces both files; a cut at any point leaves either the old records
# or the new ones, and boot finishes a rewrite that was complete.
# Records are streamed line by line, never loaded whole (the board's heap is
# smaller than its record files).
import json
import os

from rrfw.store import atomic as store

PATH = "records.jsonl"
OLD = "records.1.jsonl"
NEW = "records.new"
MAX_BYTES = 64 * 1024  # bytes per file before rotation (two files on flash at most)


def _mask(number, mode):
    # the config's records caller_id: full, last4 (****1234) or none
    if number is None or mode == "full":
        return number
    if mode == "last4":
        return "*" * max(0, len(number) - 4) + number[-4:]
    return None


def _exactly(number):
    return lambda v: v is not None and v == number


class Records:
    def __init__(self, path=PATH, old=OLD, max_bytes=MAX_BYTES, settings=None):
        st = settings or {}
        self.enabled = st.get("enabled", True)   # the config's records: enabled: false keeps none
        self.keep = st.get("keep", 0)            # most records kept (0: bounded by MAX_BYTES only)
        self.caller_id = st.get("caller_id", "full")
        self.path = path
        self.old = old
        self.max_bytes = max_bytes
        self.lost = 0            # records that could not be written (full or failing flash)
        self.error = None        # the last write error, for status
        self._recover()
        self.count = 0
        self.next_id = self._last_id() + 1
        self.ids = None   # store/callid.py's counter when the App gives one (ids across reboots)
        if self.keep and self.count > self.keep:
            self._trim()
        # A power cut during an append can leave the last line cut short; the
        # next record must start on a fresh line or it would be lost with it.
        self._need_nl = not self._ends_clean()

    def _ends_clean(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(0, 2)
                if f.tell() == 0:
                    return True
                f.seek(-1, 2)
                return f.read(1) == b"\n"
        except OSError:
            return True

    def _last_id(self):
        last = 0
        for rec in self.each():
            self.count += 1
            cid = rec.get("call", 0)
            if isinstance(cid, int) and cid > last:
                last = cid
        return last

    def _recover(self):
        # a rewrite that reached records.new was complete: finish it
        store.remove(NEW + ".tmp")
        if store.exists(NEW):
            store.remove(self.old)
            os.rename(NEW, self.path)

    def new_call_id(self):
        if self.ids is not None:
            return self.ids.take()
        cid = self.next_id
        self.next_id += 1
        return cid

    def _trim(self):
        """Keep the newest `keep` records (the config's records: keep)."""
        drop = self.count - self.keep
        seen = [0]

        def keep(rec):
            seen[0] += 1
            return seen[0] > drop
        self._rewrite(keep)

    def append(self, rec):
        """Write one record; False when the flash refused it (counted in
        `lost`, never raised: a full flash must not turn a call into a fault)."""
        cid = rec.get("call")
        if isinstance(cid, int) and cid >= self.next_id:
            self.next_id = cid + 1   # ids stay unique even for records made elsewhere
        if self.ids is not None:
            self.ids.seen(cid)
        if not self.enabled:
            return True
        if self.caller_id != "full":
            for k in ("caller", "callee"):
                if k in rec:
                    rec[k] = _mask(rec[k], self.caller_id)
            if "caller_name" in rec:
                rec["caller_name"] = None

        line = json.dumps(rec) + "\n"
        try:
            self._write(line)
            if self.keep and self.count > self.keep + self.keep // 4:
                self._trim()   # in batches: a rewrite per quarter of `keep`, not per call
        except OSError as e:   # ENOSPC, EIO: the call itself went well
            self.lost += 1
            self.error = repr(e)[:60]
            self._need_nl = True   # a part of the line may have reached the flash
            store.remove(NEW + ".tmp")
            return False
        return True

    def _write(self, line):
        if self._need_nl:
            line = "\n" + line
        try:
            size = os.stat(self.path)[6]
        except OSError:
            size = 0
        if size + len(line) > self.max_bytes:
            store.remove(self.old)
            os.rename(self.path, self.old)
        with open(self.path, "a") as f:
            f.write(line)
            f.flush()
        self._need_nl = False
        self.count += 1

    def each(self):
        """Every record, oldest first, one at a time."""
        for name in (self.old, self.path):
            try:
                f = open(name)
            except OSError:
                continue
            with f:
                for line in f:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by a power loss
                    yield rec

    def read_all(self):
        return list(self.each())

    def matching(self, number, same=None):
        """A caller's records (an access request); same(value) decides what matches."""
        same = same or _exactly(number)
        return [r for r in self.each() if same(r.get("caller")) or same(r.get("callee"))]

    def _rewrite(self, keep):
        """Keep only the records for which keep(rec) is true. Returns how many went."""
        gone = 0
        tmp = NEW + ".tmp"
        with open(tmp, "w") as f:
            for rec in self.each():
                if keep(rec):
                    f.write(json.dumps(rec) + "\n")
                else:
                    gone += 1
            f.flush()
        if not gone:
            store.remove(tmp)
            return 0
        os.rename(tmp, NEW)     # complete: from here on boot finishes the job
        self._recover()
        self._need_nl = False
        self.count -= gone
        return gone

    def erase(self, number, same=None):
        """Erase every record of one caller, as caller or callee (an erasure request)."""
        same = same or _exactly(number)
        return self._rewrite(lambda r: not (same(r.get("caller")) or same(r.get("callee"))))

    def expire(self, before_utc):
        """Retention: drop records of calls that started before before_utc."""
        return self._rewrite(lambda r: not isinstance(r.get("utc"), int) or r["utc"] >= before_utc)
