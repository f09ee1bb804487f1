# Call records: one JSON object per line in records.jsonl on flash.
# Appends are flushed at once; a power cut can at worst cut the last line
# short, and readers skip a line that does not parse. The file is rotated to
# records.1.jsonl when it passes MAX_BYTES so flash never fills.
import json
import os

import store

PATH = "records.jsonl"
OLD = "records.1.jsonl"
MAX_BYTES = 64 * 1024  # bytes per file before rotation (two files on flash at most)


class Records:
    def __init__(self, path=PATH, old=OLD, max_bytes=MAX_BYTES):
        self.path = path
        self.old = old
        self.max_bytes = max_bytes
        self.next_id = self._last_id() + 1
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
        for rec in self.read_all():
            cid = rec.get("call", 0)
            if isinstance(cid, int) and cid > last:
                last = cid
        return last

    def new_call_id(self):
        cid = self.next_id
        self.next_id += 1
        return cid

    def append(self, rec):
        cid = rec.get("call")
        if isinstance(cid, int) and cid >= self.next_id:
            self.next_id = cid + 1   # ids stay unique even for records made elsewhere
        line = json.dumps(rec) + "\n"
        if self._need_nl:
            line = "\n" + line
            self._need_nl = False
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

    def read_all(self):
        out = []
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
                        out.append(json.loads(line))
                    except ValueError:
                        pass  # a line cut short by a power loss
        return out
