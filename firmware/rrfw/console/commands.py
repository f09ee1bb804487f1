# The console's commands (docs/console.md), loaded by console.py when the
# first request arrives and unloaded again after 10 quiet seconds: their code
# is heap the board needs for calls only while a technician is connected.
# Each takes the Console and the request's args and returns the result
# (a dict, or JSON text) or raises console.CmdError.
import binascii
import gc
import json
import os

from rrfw.console import auth as auth_mod
from rrfw.store import cfgstore
from rrfw.store import atomic as store
from rrfw.compat import unload
from rrfw.console.protocol import CHUNK, MAX_LINE, PROTO
from rrfw.errors import CmdError

_CFG_MAX = const(32768)    # bytes; a compiled config is a few KB
_PROMPT_MAX = const(1048576)  # bytes; 131 s of 8 kHz mu-law, a quarter of a 4 MB flash
_NAME_MAX = const(32)      # characters in a prompt name (and in names shown by status)
_UTC_MIN = const(1577836800)  # s, 2020-01-01T00:00Z: no board of this design has a clock set earlier
_UTC_MAX = const(2145916800)  # s, 2038-01-01T00:00Z: MicroPython's time.gmtime takes a 32-bit int on the ESP32
_SPARE = const(16384)      # bytes of flash kept free after an upload (records, config swap)
_PAGE = const(1400)        # bytes of items in a paged reply (events, records, prompts): the reply is
                           # streamed through the console's output queue, so it may be longer than a
                           # request line (MAX_LINE); each page holds one item at least

PROMPTS = "prompts"
INDEX = PROMPTS + "/index.json"   # name -> [size, crc] of prompts uploaded through the console
# What `get` serves besides prompts, each only to the admin's session: the config, the
# previous one, records ({"seg": n}, one of records.list's segments; default: the newest)
# and records.old (the one before it: the two files of older hosts). A constant tuple: in
# flash (a dict of the paths was made in RAM).
_DOWNLOADS = ("config", "config.prev", "records", "records.old")
# Loaded by these commands alone (the config check, privacy requests, a factory reset):
# unloaded with them (unload_own), or they would stay after the commands go (cfgcheck
# 1.1 KB, privacy 0.6, wipe 0.4 of module objects on mp32-frozen). The job store and
# the do-not-call list only when no campaign / dialer holds them in its globals.
_ALONE = ("rrfw.store.cfgcheck", "rrfw.call.privacy", "rrfw.store.wipe")


def unload_own():
    """Before the commands are unloaded (server.py): what only they loaded."""
    import sys
    for name in _ALONE:
        unload(name)
    if "rrfw.call.campaign" not in sys.modules:
        unload("rrfw.store.jobstore")
    if "rrfw.call.dialer" not in sys.modules:
        unload("rrfw.store.dnc")


def _name_ok(name):
    if type(name) is not str or not name or len(name) > _NAME_MAX:
        return False
    for c in name:
        if not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9" or c in "_-"):
            return False
    return True


def _size(path):
    try:
        return os.stat(path)[6]
    except OSError:
        return -1


def _file_crc(path):
    crc = 0
    buf = bytearray(512)
    with open(path, "rb") as f:
        while True:
            n = f.readinto(buf)
            if not n:
                break
            crc = binascii.crc32(memoryview(buf)[:n], crc)
    return crc & 0xFFFFFFFF


def _records_reserve(con):
    # the room the record segments can still grow into (store/records.py's
    # budget): a prompt may never take the space of the calls' records
    r = con.app.records
    return max(0, r.budget() - r.bytes_on_flash())


def _free_bytes():
    try:
        st = os.statvfs(".")
        return st[0] * st[3]
    except (OSError, AttributeError):
        return -1


def hello(con, a):
    # hello opens a conversation. A session left open stays its own client's
    # (its token), but the live monitor is bytes on the shared port: a hello
    # without the token stops it, so a new program on the port reads none of
    # it (the session's own client renews it with `monitor`, losing nothing)
    au = con.get_auth()
    if not (au.open_session(con.clock.ms) and au.mine()):
        con.monitor_stop()
    return {"proto": PROTO, "fw": _fw_version(), "board": _board_name(con.hal),
            "max_line": MAX_LINE, "chunk": CHUNK, "pin_set": con.get_auth().has_pin(),
            "session": con.get_auth().authorised(con.clock.ms), "seq": con.events.seq}


def status(con, a):
    app = con.app
    hal = con.hal
    now = con.clock.ms
    # without a session: nothing personal (staff names, who talks on which line)
    private = con.get_auth().authorised(now)
    lines = []
    ringing = 0
    talking = {}
    for lc in app.lines:
        ringing |= lc.ringing_ports()
        port = lc.talking_port()
        if port >= 0:
            talking[port] = lc.line + 1
        lines.append({"line": lc.line + 1, "state": lc.state_name(), "call": lc.call})
    for i in range(len(lines), hal.n_lines):
        lines.append({"line": i + 1, "state": "unused", "call": None})
    exts = []
    for ext, e in sorted(app.cfg.get("extensions", {}).items()):
        port = e.get("port", -1)
        if 0 <= port < hal.n_exts:
            if port in talking:
                st = "talking"
            elif ringing & (1 << port):
                st = "ringing"
            elif hal.ext_offhook(port):
                st = "offhook"
            else:
                st = "idle"
        elif e.get("number"):
            st = "remote"    # an outside number (remote.py): its state is in `agents`
        else:
            st = "no_port"
        name = e.get("name")
        if not private and st in ("talking", "ringing", "offhook"):
            st = "busy"
        exts.append({"ext": ext, "name": name[:_NAME_MAX] if type(name) is str and private else None,
                     "port": port, "state": st,
                     "line": talking.get(port) if private else None})
    # the call distributor's agents and queue (agents.py, router.py), when the
    # config has one; who is on break or in a call is staff data: session only
    ag = getattr(app, "agents", None)
    ag = ag.shown(now, ringing, talking) if ag is not None and ag.on and private else None
    ports = getattr(app, "ports", None)
    gc.collect()
    prompts = _prompt_names()
    return {"agents": ag, "queue": len(ports.waiting) if ports is not None else 0, "fw": _fw_version(), "proto": PROTO, "board": _board_name(hal), "uptime_ms": con.uptime_ms(),
            "utc": app.wall_clock(), "config": con.config_source, "config_failed": con.fallback,
            "config_name": (app.cfg.get("name") or "")[:_NAME_MAX], "lines": lines, "exts": exts,
            "heap": {"free": _gc("mem_free"), "used": _gc("mem_alloc")},
            "storage": {"free": _free_bytes(), "prompts": len(prompts),
                        "records_bytes": app.records.bytes_on_flash(), "records_budget": app.records.budget(),
                        "records": app.records.count, "records_unreadable": app.records.unreadable,
                        "records_unexported": app.records.unexported(), "records_at_risk": app.records.at_risk(),
                        "records_dropped": app.records.dropped,
                        "records_lost": app.records.lost, "records_error": app.records.error},
            "events": {"seq": con.events.seq, "overwritten": con.events.overwritten},
            "console": {"requests": con.requests, "bad": con.bad, "busy": con.busy, "dropped": con.dropped},
            "auth": con.get_auth().state(now), "pending": con.pending}


# login, pin.set and pin.supervisor hash a PIN: they are spread over blocks
# (a generator: server.py steps it once a block, authpin.py has the cost)
def login(con, a):
    err, left = yield from con.get_auth().logging_in(a.get("pin"), con.clock.ms)
    if err:
        _auth_error(err, left)
    con.monitor_stop()     # a new session: the last one's monitor is not its
    return {"session_ms": auth_mod.SESSION_MS, "role": con.get_auth().role, "token": con.get_auth().token}


def logout(con, a):
    # only the session's own client ends it: another's logout changes nothing
    au = con.get_auth()
    if not au.mine():
        return {"ended": False}
    au.logout()
    con.monitor_stop()
    return {"ended": True}


def _office_numbers(cfg):
    # the office's numbers (config lines[].number), which a PIN may not be made of;
    # pins.py imported here, not at the top: Auth.done unloads it after each request
    from rrfw.store import pins
    return pins.office_numbers(cfg)


def pin_supervisor(con, a):
    """{"new": PIN} sets the read-only supervisor PIN, {"new": null} removes it (admin only)."""
    from rrfw.console import authpin   # here, not at the top: Auth.done unloads it after each request
    au = con.get_auth()
    err = yield from au.setting_supervisor(a.get("new"), _office_numbers(con.app.cfg))
    if err == authpin.E_FORM:
        raise CmdError(err, authpin.pin_problem(a.get("new"), _office_numbers(con.app.cfg)))
    if err:
        raise CmdError(err, "the supervisor PIN must differ from the admin PIN")
    return {"supervisor_set": au.has_supervisor()}


def pin_set(con, a):
    from rrfw.console import authpin
    avoid = _office_numbers(con.app.cfg)
    err, left = yield from con.get_auth().setting_pin(a.get("new"), a.get("old"), con.clock.ms, avoid)
    if err:
        if err == authpin.E_FORM:
            raise CmdError(err, authpin.pin_problem(a.get("new"), avoid))
        if err == authpin.E_SAME:
            raise CmdError(err, "the admin PIN must differ from the supervisor PIN")
        _auth_error(err, left)
    con.monitor_stop()
    return {"session_ms": auth_mod.SESSION_MS, "role": auth_mod.ADMIN, "token": con.get_auth().token}


def time_get(con, a):
    return {"utc": con.app.wall_clock()}


def time_set(con, a):
    utc = a["utc"]
    if type(utc) is not int or not _UTC_MIN <= utc <= _UTC_MAX:
        raise CmdError("args", "utc must be whole seconds since 1970, between %d (2020) and %d (2038)" % (
            _UTC_MIN, _UTC_MAX))
    was = con.app.wall_clock()
    try:
        con.hal.set_rtc(utc)
    except NotImplementedError:
        raise CmdError("unsupported", "this board has no settable clock")
    return {"utc": con.app.wall_clock(), "was": was}


def override(con, a):
    """Day/night override: {"mode": "night"} forces a schedule mode, {"mode": null} follows the schedule."""
    mode = a.get("mode")
    modes = ((con.app.cfg.get("schedule") or {}).get("modes")) or {}
    if mode is not None and (type(mode) is not str or mode not in modes):
        raise CmdError("args", "mode must be one of %s, or null for the schedule" % ", ".join(sorted(modes)))
    con.app.set_override(mode)
    return {"override": mode}


def learn(con, a):
    """'Learn my line': {"line": 1} makes the next call on line 1 the technician's
    measurement call; {"line": 1, "result": true} returns the last report."""
    n = a.get("line", 1)
    lines = con.app.lines
    if type(n) is not int or not 1 <= n <= len(lines):
        raise CmdError("args", "line must be 1..%d" % len(lines))
    lc = lines[n - 1]
    if a.get("result"):
        return {"line": n, "waiting": lc.learner is not None, "report": lc.learned}
    lc.learn_next_call()
    return {"line": n, "waiting": True}


def reboot(con, a):
    con.pending = "reboot"
    return {"rebooting": True}


def repl(con, a):
    """Hand the board to the REPL (`ringroute flash`): {"check": true} says
    which calls are up; {} opens it when every line is idle; {"force": true}
    cuts the calls first, each keeping its record."""
    calls = [{"line": ln, "state": st, "call": c} for ln, st, c in con.app.busy_lines()]
    if a.get("check"):
        return {"calls": calls}
    return {"calls": calls, "handover": con.want_repl(a.get("force") is True)}


def factory_reset(con, a):
    if a.get("confirm") != "erase":
        raise CmdError("args", 'factory reset erases config, prompts, records and the PIN: '
                               'send {"confirm":"erase"}')
    # decided before the reply goes out: a power cut from here on still ends
    # in an erased board (supervisor.py finishes the reset at boot)
    from rrfw.store import wipe
    wipe.start()
    con.pending = "factory"
    return {"erasing": True}


def _seq_arg(a, default):
    since = a.get("since", default)
    if since is not None and (type(since) is not int or since < 0):
        raise CmdError("args", "since must be an event sequence number (0 or more)")
    return since


def events(con, a):
    since = _seq_arg(a, 0)
    first = con.events.first_seq()
    start = since + 1 if since + 1 > first else first
    out = []
    size = 0
    au = con.get_auth()
    for text in con.events.since(since):
        text = au.mask(text)      # a supervisor sees the numbers masked
        if out and size + len(text) > _PAGE:
            break
        out.append(text)
        size += len(text) + 1
    return '{"seq":%d,"first":%d,"last":%d,"events":[%s]}' % (
        con.events.seq, first, start + len(out) - 1, ",".join(out))


def prompt_list(con, a):
    index = _read_index()
    start = a.get("from", "")
    out = {}
    size = 0
    more = None
    for name in sorted(_prompt_names()):
        if name < start:
            continue
        if size > _PAGE:
            more = name
            break
        ent = index.get(name)
        sz = _size(PROMPTS + "/" + name + ".ulaw")
        crc = ent[1] if ent and ent[0] == sz else None  # a file changed behind our back
        out[name] = [sz, crc]
        size += len(name) + 24
    return {"prompts": out, "more": more, "free": _free_bytes()}


def prompt_rm(con, a):
    name = a["name"]
    if not _name_ok(name):
        raise CmdError("args", "bad prompt name")
    store.remove(PROMPTS + "/" + name + ".ulaw")
    index = _read_index()
    if name in index:
        del index[name]
        store.write_atomic(INDEX, json.dumps(index))
    return {}


# uploads: put.begin {kind, name?, size, crc} -> put.chunk {off, data} ... -> put.end
def put_begin(con, a):
    kind = a["kind"]
    size = a["size"]
    crc = a["crc"]
    if type(size) is not int or type(crc) is not int or size < 0:
        raise CmdError("args", "size and crc must be integers")
    if kind == "config":
        name = None
        limit = _CFG_MAX
        prefix = "cfgup."
        folder = "."
    elif kind == "prompt":
        name = a["name"]
        if not _name_ok(name):
            raise CmdError("args", "a prompt name is 1-%d letters, digits, _ or -" % _NAME_MAX)
        limit = _PROMPT_MAX
        store.ensure_dir(PROMPTS)
        prefix = name + "."
        folder = PROMPTS
    elif kind == "campaign":
        name = None
        limit = _campaign_room(con, a.get("numbers"), size)
        prefix = "campup."
        folder = "."
    else:
        raise CmdError("args", "kind must be config, prompt or campaign")
    if size > limit:
        raise CmdError("too_big", "%d bytes is more than the %d a %s may have" % (size, limit, kind))
    if kind != "prompt":
        part = "%s%08x.part" % (prefix, crc)
    else:
        part = "%s%08x.part" % (prefix, crc)
    # an earlier, different upload of the same thing is dropped; the same
    # one (same crc in the name) resumes where it stopped
    for f in os.listdir(folder):
        if f.endswith(".part") and f.startswith(prefix) and f != part:
            store.remove(f if folder == "." else folder + "/" + f)
    path = part if folder == "." else folder + "/" + part
    have = _size(path)
    if have > size:
        store.remove(path)
        have = -1
    if have < 0:
        free = _free_bytes()
        need = size + _SPARE + _records_reserve(con)
        if 0 <= free < need:
            raise CmdError("no_space", "the flash has %d bytes free; %d needed (records keep %d in reserve)" % (
                free, need, _records_reserve(con)))
        open(path, "wb").close()
        have = 0
    con.xfer = {"kind": kind, "name": name, "size": size, "crc": crc, "path": path, "have": have}
    return {"have": have}


def put_chunk(con, a):
    x = con.xfer
    if x is None:
        raise CmdError("state", "no upload in progress: put.begin first")
    off = a["off"]
    if off != x["have"]:
        raise CmdError("offset", "the board has %d bytes; send from there" % x["have"], {"have": x["have"]})
    try:
        data = binascii.a2b_base64(a["data"])
    except ValueError:
        raise CmdError("args", "data is not base64")
    if "crc" in a and a["crc"] != binascii.crc32(data) & 0xFFFFFFFF:
        raise CmdError("crc", "chunk CRC mismatch")
    if x["have"] + len(data) > x["size"]:
        raise CmdError("too_big", "more data than put.begin announced")
    with open(x["path"], "ab") as f:
        f.write(data)
    x["have"] += len(data)
    return {"have": x["have"]}


def put_end(con, a):
    x = con.xfer
    if x is None:
        raise CmdError("state", "no upload in progress")
    path = x["path"]
    have = _size(path)
    if have != x["size"]:
        raise CmdError("short", "the board has %d of %d bytes" % (have, x["size"]), {"have": have})
    if _file_crc(path) != x["crc"]:
        store.remove(path)
        con.xfer = None
        raise CmdError("crc", "the whole file's CRC does not match; upload it again")
    con.xfer = None
    if x["kind"] == "campaign":
        return _campaign_install(con, path)
    if x["kind"] == "prompt":
        dst = PROMPTS + "/" + x["name"] + ".ulaw"
        os.rename(path, dst)
        index = _read_index()
        index[x["name"]] = [x["size"], x["crc"]]
        store.write_atomic(INDEX, json.dumps(index))
        return {"installed": dst}
    # config: taken only after it parses and passes the board's own check;
    # cfgstore keeps the previous one and swaps atomically
    text = store.read_text(path)
    if text == store.read_text(cfgstore.CURRENT):
        # the same config again: keep the real previous one, no switch
        store.remove(path)
        return {"installed": cfgstore.CURRENT, "switch": "unchanged"}
    check = None
    try:
        from rrfw.store import cfgcheck
        check = cfgcheck.check
    except ImportError:
        pass
    err = cfgstore.install(text, check)
    store.remove(path)
    text = None
    check = None
    if err:
        raise CmdError("config", "the board refused the config: %s" % err)
    con.config_source = cfgstore.CURRENT
    con.pending = "config"
    return {"installed": cfgstore.CURRENT, "switch": "now" if con.idle() else "after the calls in progress"}


def get(con, a):
    kind = a["kind"]
    off = a.get("off", 0)
    if kind == "prompt":
        if not _name_ok(a.get("name")):
            raise CmdError("args", "bad prompt name")
        path = PROMPTS + "/" + a["name"] + ".ulaw"
    elif kind in _DOWNLOADS:
        if not con.get_auth().is_admin(con.clock.ms):
            if con.get_auth().authorised(con.clock.ms):
                raise CmdError(auth_mod.E_ROLE, "the supervisor PIN cannot read the config or full records: "
                                                "that needs the admin PIN")
            raise CmdError("auth", "log in with the admin PIN first (login)")
        if kind == "config":
            path = cfgstore.CURRENT
        elif kind == "config.prev":
            path = cfgstore.PREVIOUS
        else:
            seg = a.get("seg")
            segs = dict(con.app.records.segment_list())
            if seg is None:
                order = sorted(segs)
                back = 2 if kind == "records.old" else 1
                seg = order[-back] if len(order) >= back else None
            if seg not in segs:
                return {"size": -1, "off": 0, "data": ""}
            path = con.app.records.name(seg)
    else:
        raise CmdError("args", "kind must be one of: prompt %s" % " ".join(sorted(_DOWNLOADS)))
    size = _size(path)
    if size < 0:
        return {"size": -1, "off": 0, "data": ""}
    data = b""
    if off < size:
        with open(path, "rb") as f:
            f.seek(off)
            data = f.read(CHUNK)
    res = {"size": size, "off": off, "data": binascii.b2a_base64(data).decode().strip()}
    if off == 0 and size <= _CFG_MAX and kind.startswith("config"):
        res["crc"] = _file_crc(path)
    return res


def _auth_error(err, left):
    from rrfw.console import authpin
    msgs = {authpin.E_UNSET: "no admin PIN yet: set one first (pin.set)",
            authpin.E_BAD: "wrong PIN",
            authpin.E_WAIT: "too many wrong PINs: wait %d s before trying again" % ((left + 999) // 1000),
            authpin.E_LOCKED: "console locked after repeated wrong PINs; try again in %d s" % (
                (left + 999) // 1000)}
    raise CmdError(err, msgs.get(err, err), {"retry_ms": left} if left else None)


def _fw_version():
    from rrfw import VERSION
    return VERSION


def _gc(name):
    f = getattr(gc, name, None)  # MicroPython only; CPython has no such heap figures
    return f() if f else -1


def _board_name(hal):
    name = getattr(hal, "board_name", None)
    if name:
        return name
    text = store.read_text("board.json")
    if text:
        try:
            return json.loads(text).get("name")
        except ValueError:
            pass
    return None


def _prompt_names():
    try:
        files = os.listdir(PROMPTS)
    except OSError:
        return []
    return [f[:-5] for f in files if f.endswith(".ulaw")]


def _read_index():
    text = store.read_text(INDEX)
    if text:
        try:
            return json.loads(text)
        except ValueError:
            pass
    return {}


def factory_wipe():
    """Erase everything the office put on the board, personal data first and
    the PIN last (store/wipe.py: a power cut anywhere is finished at boot)."""
    from rrfw.store import wipe
    wipe.start()
    wipe.finish()


# --- call records: the segment files and how far the host has taken them ----
def records_list(con, a):
    """The record segments [[segment, bytes], ...] oldest first, to fetch with
    get {"kind": "records", "seg": n}, and what the host has not taken yet."""
    r = con.app.records
    return {"segments": r.segment_list(), "budget": r.budget(), "records": r.count, "mark": r.mark,
            "unexported": r.unexported(), "at_risk": r.at_risk(), "unreadable": r.unreadable}


def records_masked(con, a):
    """{"from": i}: the records from the i-th on as JSON, numbers masked and
    names left out (what a supervisor's report reads); "more": where to go on."""
    start = a.get("from", 0)
    if type(start) is not int or start < 0:
        raise CmdError("args", "from must be a record index, 0 or more")
    out = []
    size = 0
    i = 0
    more = None
    for rec in con.app.records.each():
        if i >= start:
            text = json.dumps(auth_mod.masked(rec))
            if out and size + len(text) > _PAGE:
                more = i
                break
            out.append(text)
            size += len(text) + 1
        i += 1
    return '{"from":%d,"more":%s,"records":[%s]}' % (start, json.dumps(more), ",".join(out))


def records_mark(con, a):
    """{"seg": n, "off": b}: the host has stored every record up to byte b of
    segment n (the end of its download): those no longer count as unexported."""
    r = con.app.records
    if not r.mark_exported(a.get("seg"), a.get("off")):
        raise CmdError("args", "seg and off must name a point in records.list's segments")
    return {"mark": r.mark, "unexported": r.unexported()}


# --- privacy: one caller's access and erasure requests (call/privacy.py) -----
def privacy_export(con, a):
    """{"number": N, "from": i}: where the board holds N, and N's records from
    the i-th on (as many as fit a reply; "more" says where to go on)."""
    from rrfw.call import privacy
    start = a.get("from", 0)
    if type(start) is not int or start < 0:
        raise CmdError("args", "from must be a record index, 0 or more")
    where = json.dumps(privacy.find(con.app, a.get("number")) if start == 0 else {})
    texts, more = privacy.records_page(con.app, a.get("number"), start, _PAGE - len(where))
    return '{"from":%d,"more":%s,"records":[%s],"where":%s}' % (start, json.dumps(more), ",".join(texts), where)


def privacy_erase(con, a):
    """{"number": N}: remove N from records, call-backs, block list, last caller,
    the event ring and the campaign's list, then look again (read back from
    flash) for the proof; "kept": what stays on purpose (the do-not-call list)."""
    from rrfw.call import privacy
    gone = privacy.erase(con.app, a.get("number"))
    gc.collect()
    return {"erased": gone, "left": privacy.find(con.app, a.get("number")),
            "kept": privacy.kept(con.app, a.get("number"))}


# --- outbound: the campaign's list and the office's do-not-call list (issue 13) ----
def _campaign_room(con, numbers, size):
    """The bytes a campaign list may take: the flash left after the spare, the
    records' reserve and the progress file; refused with what would fit."""
    from rrfw.store import jobstore
    if type(numbers) is not int or not 0 < numbers <= jobstore.MAX_NUMBERS:
        raise CmdError("too_big", "a list holds 1 to %d numbers (the board keeps 4 bytes of heap for "
                       "each)" % jobstore.MAX_NUMBERS)
    free = _free_bytes()
    old = max(0, _size(jobstore.LIST)) + max(0, _size(jobstore.STATE))   # replaced by the new one
    room = free + old - _SPARE - _records_reserve(con) - 8 - 4 * numbers if free >= 0 else size
    if size > room:
        fits = max(0, room // (jobstore.ENTRY + 4))
        raise CmdError("too_big", "the list takes %d bytes for %d numbers; the board has room for %d "
                       "bytes: about %d numbers" % (size, numbers, max(0, room), fits),
                       {"room": max(0, room), "fits": fits})
    return size


def _dialer(con):
    d = getattr(con.app, "dialer", None)
    if d is None or d.campaign is None:
        raise CmdError("state", "the config has no outbound campaign section (outbound: campaign: group: ...)")
    return d


def _campaign_install(con, path):
    from rrfw.store import jobstore
    d = getattr(con.app, "dialer", None)
    if d is None or d.campaign is None:
        store.remove(path)
        raise CmdError("state", "the config has no outbound campaign section (outbound: campaign: group: ...)")
    if d.campaign.active():
        store.remove(path)
        raise CmdError("busy", "a campaign call is under way: push again when it has ended")
    try:
        h = jobstore.install(path)
    except ValueError as e:
        store.remove(path)
        raise CmdError("campaign", "the board refused the list: %s" % e)
    d.campaign.load()
    return {"installed": jobstore.LIST, "name": h["name"], "numbers": h["n"],
            "state": d.campaign.control_name()}


def campaign_status(con, a):
    d = getattr(con.app, "dialer", None)
    if d is None:
        return {"outbound": False}
    st = d.status(con.app.wall_clock())
    st["outbound"] = True
    return st


def campaign_control(con, a):
    """{"do": "start" | "pause" | "resume" | "stop"}"""
    d = _dialer(con)
    why = d.campaign.set_control(a.get("do"), con.app.wall_clock())
    if why is not None:
        raise CmdError("campaign", why)
    return {"state": d.campaign.control_name()}


# what agent.set may do: the handset's agent codes (agents.py), one name each
_AGENT_DO = ("login", "logout", "pause", "unpause", "dnd", "dnd_off", "login_group", "logout_group")
_REASON_MAX = const(16)   # characters of a pause reason (the handset's codes give short words)


def agent_set(con, a):
    """{"ext": "101", "do": "login" | "logout" | "pause" | "unpause" | "dnd" | "dnd_off" |
    "login_group" | "logout_group", "reason": R (pause), "group": G (*_group)}: the admin sets
    an agent's state as the agent's own code would (an `agent` event, why "console")."""
    ag = getattr(con.app, "agents", None)
    if ag is None or not ag.on:
        raise CmdError("state", "the config has no agents section: every extension is always available")
    ext = a.get("ext")
    port = ag.port_of(ext) if type(ext) is str else -1
    if port < 0:
        raise CmdError("args", "ext must be one of the config's extensions")
    what = a.get("do")
    if what not in _AGENT_DO:
        raise CmdError("args", "do must be one of " + ", ".join(_AGENT_DO))
    arg = None
    if what == "pause":
        arg = a.get("reason")
        if arg is not None and (type(arg) is not str or not 0 < len(arg) <= _REASON_MAX):
            raise CmdError("args", "reason is a word of 1..%d characters" % _REASON_MAX)
    elif what == "login_group" or what == "logout_group":
        arg = a.get("group")
        if type(arg) is not str or arg not in (con.app.cfg.get("groups") or {}):
            raise CmdError("args", "group must be one of the config's groups")
    r = ag.feature(port, what, arg, con.app.clock.ms, "console")
    if r is None:
        if what == "login_group" or what == "logout_group":
            raise CmdError("agent", "%s is not a member of %s" % (ext, arg))
        raise CmdError("agent", "nothing to undo: %s is not %s" % (ext, "paused" if what == "unpause" else "on DND"))
    return {"ext": ext, "do": what, "status": r[1], "reason": ag.reason[port]}


def _dnc(con):
    d = getattr(con.app, "dialer", None)
    if d is not None:
        return d.dnc
    from rrfw.store import dnc
    return dnc.Dnc()


def _dnc_number(a):
    from rrfw.store import dnc
    n = a.get("number")
    if not dnc.valid(n):
        raise CmdError("args", "a number is digits (a prefix ends in *), at most %d characters" % dnc.MAX_LEN)
    return n


def dnc_add(con, a):
    err = _dnc(con).add(_dnc_number(a))
    if err is not None:
        raise CmdError("dnc", err)
    return {"listed": True, "count": _dnc(con).count}


def dnc_remove(con, a):
    gone = _dnc(con).remove(_dnc_number(a))
    return {"removed": gone, "count": _dnc(con).count}


def dnc_check(con, a):
    entry = _dnc(con).listed(_dnc_number(a))
    return {"listed": entry is not None, "entry": entry}


def dnc_list(con, a):
    start = a.get("from", 0)
    if type(start) is not int or start < 0:
        raise CmdError("args", "from must be an index, 0 or more")
    d = _dnc(con)
    page = d.entries(start, 100)
    more = start + len(page) if start + len(page) < d.count else None
    return {"from": start, "entries": page, "count": d.count, "more": more}


# command name -> (handler, the role it needs): None (anyone on the port),
# _SUP (a session with the supervisor's or the admin's PIN: looking only),
# _ADMIN (the admin's PIN: every change, and anything with full numbers)
_SUP = auth_mod.SUPERVISOR
_ADMIN = auth_mod.ADMIN
COMMANDS = {
    "hello": (hello, None),
    "status": (status, None),       # names and who talks where only with a session
    "login": (login, None),
    "logout": (logout, None),       # ends only the caller's own session (its token)
    "pin.set": (pin_set, None),     # the old PIN is checked inside
    "pin.supervisor": (pin_supervisor, _ADMIN),
    "time.get": (time_get, None),
    "time.set": (time_set, _ADMIN),
    "reboot": (reboot, _ADMIN),
    "override": (override, _ADMIN),
    "learn": (learn, _ADMIN),
    "factory_reset": (factory_reset, _ADMIN),
    # the port is the REPL's anyway (Ctrl-C): whoever holds it may ask, as a person holding the board
    "repl": (repl, None),
    "events": (events, _SUP),        # events carry callers' numbers: masked for a supervisor
    # "monitor", "monitor.stop": served by server.py itself (masked for a supervisor too)
    "prompt.list": (prompt_list, None),
    "prompt.rm": (prompt_rm, _ADMIN),
    "put.begin": (put_begin, _ADMIN),
    "put.chunk": (put_chunk, _ADMIN),
    "put.end": (put_end, _ADMIN),
    "get": (get, None),             # config and records need the admin's session (checked inside)
    "records.list": (records_list, _ADMIN),
    "records.mark": (records_mark, _ADMIN),
    "records.masked": (records_masked, _SUP),
    "privacy.export": (privacy_export, _ADMIN),   # a caller's data: admin only
    "privacy.erase": (privacy_erase, _ADMIN),
    "campaign.status": (campaign_status, _ADMIN),   # numbers and agents: admin only
    "campaign.control": (campaign_control, _ADMIN),
    "agent.set": (agent_set, _ADMIN),   # the supervisor's session is read-only
    "dnc.add": (dnc_add, _ADMIN),
    "dnc.remove": (dnc_remove, _ADMIN),
    "dnc.check": (dnc_check, _ADMIN),
    "dnc.list": (dnc_list, _ADMIN),
}
