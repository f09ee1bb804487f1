"""The board's call-record files on the host: read with the firmware's own decoder.

The board keeps its records as compact binary frames in segment files
(rec000001.bin, ...; rrfw/store/records.py has the format). This module
downloads them over the console, decodes them with the same code the board
runs, and reads files already taken away: a segment (.bin), a folder of them
(an emulator --flash folder) or JSON lines (`ringroute records --format json`,
the board's files before the binary format).
"""
import json
import os

from rrfw.store import records as fw

from .errors import UsageError


def is_segment(path, data):
    return path.endswith(fw.SUFFIX) or data[:1] == bytes([0xA7])


def parse_json_lines(data):
    out = []
    for line in (data or b"").decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line:
            try:
                rec = json.loads(line)
            except ValueError:
                continue  # a line cut short by a power cut
            if isinstance(rec, dict):
                out.append(rec)
    return out


def paths_of(path):
    """A folder stands for its segment files, oldest first (then any old JSON-lines files)."""
    if not os.path.isdir(path):
        return [path]
    names = sorted(n for n in os.listdir(path) if n.startswith(fw.PREFIX) and n.endswith(fw.SUFFIX))
    names = [n for n in fw.LEGACY if os.path.exists(os.path.join(path, n))] + names
    return [os.path.join(path, n) for n in names]


def read_files(paths):
    """(records, unreadable frames) from files or folders."""
    recs = []
    bad = 0
    for p in paths:
        for f in paths_of(p):
            try:
                with open(f, "rb") as fh:
                    data = fh.read()
            except OSError as e:
                raise UsageError("%s: cannot read: %s" % (f, e.strerror))
            if is_segment(f, data):
                got, n = fw.decode(data)
                recs += got
                bad += n
            else:
                recs += parse_json_lines(data)
    return recs, bad


def download(b, progress=None):
    """Every record on the board, oldest first: (records, unreadable, point),
    where point is what mark() hands back to say they were taken away."""
    info = b.request("records.list")
    recs = []
    bad = 0
    point = None
    for seg, size in info["segments"]:
        data = b.get_file("records", seg=seg, progress=progress)
        if data is None:
            continue   # rotated away while we read the others
        got, n = fw.decode(data)
        recs += got
        bad += n
        point = (seg, len(data))
    return recs, bad, point


def download_masked(b):
    """What a supervisor's session may read: every record, numbers masked and
    names left out by the board itself (records.masked, paged)."""
    recs = []
    start = 0
    while start is not None:
        r = b.request("records.masked", {"from": start})
        recs += r["records"]
        start = r.get("more")
    return recs


def mark(b, point):
    """Tell the board its records up to point are stored here (not at risk any more)."""
    if point is None:
        return None
    return b.request("records.mark", {"seg": point[0], "off": point[1]})
