# The board's console protocol on the REPL UART (docs/console.md).
#
# One framed message per line, printable text only, so no byte of it can be
# taken for a REPL control key (Ctrl-A..E); Ctrl-C still breaks into the REPL
# at any time (MicroPython raises KeyboardInterrupt), so mpremote can always
# take over the board.
#
#   request   ~RR1 <id> <command> <json args>*<crc32>\n
#   reply     ~RR1 <id> ok <json result>*<crc32>\n   or   ~RR1 <id> err {"code":..,"msg":..}*<crc32>\n
#   unsolicited (id 0): ev <event json>, gap {"from":N,"to":M}
#
# <crc32> is 8 lowercase hex digits: CRC-32 (binascii.crc32, ITU-T V.42 /
# IEEE 802.3 polynomial) of every byte before the '*'. "RR1" is the protocol
# version; a board answers another version with err "version".
#
# Runs inside App.step(), once per 10 ms block: reads what the UART has,
# handles complete lines, sends at most _TX_PER_BLOCK bytes (about what the
# line carries in 10 ms at 115200 baud, so a write never stalls the block
# clock). With nothing to do, poll() allocates nothing.
import binascii
import gc
import json
import os

from compat import const
import auth as auth_mod
import cfgstore
import store

PROTO = const(1)
MAX_LINE = const(1600)     # bytes per line: a CHUNK in base64 (1368) plus header and CRC
CHUNK = const(1024)        # bytes of file data per put/get message
_READ = const(256)         # bytes taken from the UART per block: 115200 baud brings 115 per 10 ms
_TX_PER_BLOCK = const(128) # bytes sent per 10 ms block; 115200 baud (10 bits a byte) carries 115
_OUT_MAX = const(2048)     # bytes queued for sending (a reply is at most MAX_LINE)
MONITOR_MS = const(30000) # ms a monitor subscription lasts unless the host renews it
_EV_PER_BLOCK = const(4)   # events sent per block at most while monitoring
_HINT_MS = const(2000)     # ms between hints to a human typing at the console
_CFG_MAX = const(32768)    # bytes; a compiled config is a few KB
_PROMPT_MAX = const(1048576)  # bytes; 131 s of 8 kHz mu-law, a quarter of a 4 MB flash
_NAME_MAX = const(32)      # characters in a prompt name
_SPARE = const(16384)      # bytes of flash kept free after an upload (records, config swap)

_MAGIC = b"~RR1"  # the version this board speaks (PROTO)
PROMPTS = "prompts"
INDEX = PROMPTS + "/index.json"   # name -> [size, crc] of prompts uploaded through the console
_DOWNLOADS = {"config": cfgstore.CURRENT, "config.prev": cfgstore.PREVIOUS,
              "records": "records.jsonl", "records.old": "records.1.jsonl"}
_PRIVATE = ("config", "config.prev", "records", "records.old")  # need a session to read


class Reboot(Exception):
    """Raised out of App.run() when the board must restart its app: after a
    reboot or factory-reset command, or to switch to a newly installed config."""

    def __init__(self, why):
        super().__init__(why)
        self.why = why


class CmdError(Exception):
    def __init__(self, code, msg, extra=None):
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.extra = extra


def crc_hex(data):
    return "%08x" % (binascii.crc32(data) & 0xFFFFFFFF)


def frame(rid, verb, payload):
    """One protocol line (bytes) for request/reply id `rid`; `payload` is JSON text."""
    body = "~RR%d %s %s %s" % (PROTO, rid, verb, payload)
    return (body + "*" + crc_hex(body.encode()) + "\n").encode()


def parse(line):
    """(rid, verb, args dict) for one request line (no newline); raises CmdError.

    Returns None for a line that is not a protocol line at all."""
    if not line.startswith(b"~RR"):
        return None
    rid = "0"
    parts = line.split(b" ", 3)
    if len(parts) >= 2 and parts[1].isdigit() and len(parts[1]) <= 9:
        rid = parts[1].decode()
    star = line.rfind(b"*")
    if star < 0 or len(line) - star != 9:
        raise CmdError("frame", "a line must end with *CRC (8 hex digits)", rid)
    try:
        want = int(line[star + 1:], 16)
    except ValueError:
        raise CmdError("frame", "the CRC is not 8 hex digits", rid)
    if binascii.crc32(line[:star]) & 0xFFFFFFFF != want:
        raise CmdError("crc", "CRC mismatch: the line was damaged on the way", rid)
    if parts[0] != _MAGIC:
        raise CmdError("version", "this board speaks protocol %d, not %s" % (
            PROTO, parts[0][3:].decode()), rid)
    if len(parts) < 4 or not parts[1].isdigit():
        raise CmdError("frame", "expected: ~RR1 ID COMMAND {ARGS}*CRC", rid)
    try:
        args = json.loads(line[len(parts[0]) + len(parts[1]) + len(parts[2]) + 3:star])
    except ValueError:
        raise CmdError("args", "the arguments are not valid JSON", rid)
    if not isinstance(args, dict):
        raise CmdError("args", "the arguments must be a JSON object", rid)
    return rid, parts[2].decode(), args


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


def _free_bytes():
    try:
        st = os.statvfs(".")
        return st[0] * st[3]
    except (OSError, AttributeError):
        return -1


class Console:
    def __init__(self, app, hal=None, auth=None, config_source=None):
        self.app = app
        self.hal = hal or app.hal
        self.clock = app.clock
        self.events = app.events
        self.auth = auth or auth_mod.Auth()
        self.config_source = config_source
        self._rbuf = bytearray(_READ)
        self._line = bytearray(MAX_LINE)
        self._fill = 0
        self._discard = False
        self._out = bytearray(_OUT_MAX)
        self._out_mv = memoryview(self._out)
        self._out_pos = 0
        self._out_len = 0
        self._mon_until = 0
        self._mon_seq = 0
        self._hint_t = -_HINT_MS
        self._xfer = None        # upload in progress: dict(kind, name, size, crc, path, have)
        self.pending = None      # "reboot" / "factory" / "config": done once the reply is out
        self.dropped = 0         # bytes of output dropped (queue full)
        self.bad = 0             # damaged or malformed request lines
        self.requests = 0
        self._t0 = -1            # block clock at boot (the first poll): uptime counts from there

    # --- the per-block step -----------------------------------------------------
    def poll(self):
        if self._t0 < 0:
            self._t0 = self.clock.ms
        n = self.hal.console_read(self._rbuf)
        if n:
            self._feed(n)
        if self._mon_until:
            self._monitor()
        if self._out_len:
            self._flush()  # in the same block as the request: a reply costs no extra 10 ms
        if self.pending is not None and not self._out_len:
            self._do_pending()

    def _flush(self):
        k = self._out_len - self._out_pos
        if k > _TX_PER_BLOCK:
            k = _TX_PER_BLOCK
        self.hal.console_write(self._out_mv[self._out_pos:self._out_pos + k])
        self._out_pos += k
        if self._out_pos >= self._out_len:
            self._out_pos = 0
            self._out_len = 0

    def _queue(self, data):
        n = len(data)
        if self._out_len + n > _OUT_MAX and self._out_pos:
            rest = self._out_len - self._out_pos
            self._out[0:rest] = self._out[self._out_pos:self._out_len]
            self._out_pos = 0
            self._out_len = rest
        if self._out_len + n > _OUT_MAX:
            self.dropped += n
            return False
        self._out[self._out_len:self._out_len + n] = data
        self._out_len += n
        return True

    def room(self):
        return _OUT_MAX - (self._out_len - self._out_pos)

    def _feed(self, n):
        rb = self._rbuf
        i = 0
        while i < n:
            j = rb.find(b"\n", i, n)
            end = n if j < 0 else j
            k = end - i
            if not self._discard:
                if self._fill + k > MAX_LINE:
                    self._discard = True
                    self.bad += 1
                    self._queue(frame("0", "err", json.dumps(
                        {"code": "too_long", "msg": "a line may be at most %d bytes" % MAX_LINE})))
                else:
                    self._line[self._fill:self._fill + k] = rb[i:end]
                    self._fill += k
            if j < 0:
                return
            if not self._discard:
                line = bytes(self._line[:self._fill]).strip()
                if line:
                    self._handle(line)
            self._fill = 0
            self._discard = False
            i = j + 1

    def _handle(self, line):
        try:
            try:
                req = parse(line)
            except CmdError as e:
                # the rest of a line cut off mid-way, then a whole new request:
                # resynchronise on the last frame start
                k = line.rfind(b"~RR")
                if e.code not in ("crc", "frame") or k <= 0:
                    raise
                req = parse(line[k:])
        except CmdError as e:
            self.bad += 1
            self._error(e.extra or "0", e.code, e.msg)
            return
        if req is None:
            # a human at a terminal: say once in a while what this port speaks
            now = self.clock.ms
            if now - self._hint_t >= _HINT_MS:
                self._hint_t = now
                self._queue(b"ringroute console: framed requests only (docs/console.md); "
                            b"Ctrl-C for the REPL\r\n")
            return
        rid, verb, args = req
        self.requests += 1
        entry = COMMANDS.get(verb)
        if entry is None:
            self._error(rid, "unknown", "no command %r; this board knows: %s" % (
                verb, " ".join(sorted(COMMANDS))))
            return
        handler, private = entry
        now = self.clock.ms
        if private and not self.auth.authorised(now):
            if not self.auth.has_pin():
                self._error(rid, "pin_unset", "no admin PIN yet: set one first (pin.set)")
            else:
                self._error(rid, "auth", "log in with the admin PIN first (login)")
            return
        try:
            result = handler(self, args)
        except CmdError as e:
            self._error(rid, e.code, e.msg, e.extra)
            return
        except (KeyError, TypeError, ValueError) as e:
            self._error(rid, "args", "bad arguments for %s: %r" % (verb, e))
            return
        except OSError as e:
            self._error(rid, "storage", "flash error %s during %s" % (e, verb))
            return
        except MemoryError:
            gc.collect()
            self._error(rid, "memory", "out of memory during %s" % verb)
            return
        line = frame(rid, "ok", result if isinstance(result, str) else json.dumps(result))
        if len(line) > _OUT_MAX or not self._queue(line):
            self._error(rid, "too_big", "the reply to %s (%d bytes) does not fit the console's buffer" % (
                verb, len(line)))

    def _error(self, rid, code, msg, extra=None):
        obj = {"code": code, "msg": msg}
        if extra:
            obj.update(extra)
        self._queue(frame(rid, "err", json.dumps(obj)))

    def _do_pending(self):
        why = self.pending
        if why == "config" and not self.idle():
            return  # switch configs between calls, never in the middle of one
        self.pending = None
        if why == "factory":
            factory_wipe()
        raise Reboot(why)

    def idle(self):
        for lc in getattr(self.app, "lines", ()):
            if getattr(lc, "state", 0) != 0:  # linecall.IDLE
                return False
        return True

    # --- live events (monitor) -------------------------------------------------
    def _first_seq(self):
        ev = self.events
        first = ev.seq - len(ev._ring) + 1
        return first if first > 1 else 1

    def _monitor(self):
        if self.clock.ms >= self._mon_until:
            self._mon_until = 0
            return
        ev = self.events
        sent = 0
        while self._mon_seq < ev.seq and sent < _EV_PER_BLOCK and self.room() > 600:
            nxt = self._mon_seq + 1
            first = self._first_seq()
            if nxt < first:
                self._queue(frame("0", "gap", '{"from":%d,"to":%d}' % (nxt, first - 1)))
                self._mon_seq = first - 1
                continue
            self._queue(frame("0", "ev", ev._ring[nxt % len(ev._ring)]))
            self._mon_seq = nxt
            sent += 1

    # --- commands ------------------------------------------------------------
    def c_hello(self, a):
        return {"proto": PROTO, "fw": _fw_version(), "board": _board_name(self.hal),
                "max_line": MAX_LINE, "chunk": CHUNK, "pin_set": self.auth.has_pin(),
                "session": self.auth.authorised(self.clock.ms), "seq": self.events.seq}

    def c_status(self, a):
        app = self.app
        hal = self.hal
        now = self.clock.ms
        try:
            from linecall import STATE_NAMES
        except ImportError:
            STATE_NAMES = ()
        lines = []
        ringing = 0
        talking = {}
        for lc in getattr(app, "lines", ()):
            st = getattr(lc, "state", 0)
            leg = getattr(lc, "leg", None)
            if leg is not None:
                ringing |= getattr(leg, "ringing", 0)
                if st == 4 and getattr(leg, "port", -1) >= 0:  # linecall.CONNECTED
                    talking[leg.port] = lc.line + 1
            lines.append({"line": lc.line + 1, "state": STATE_NAMES[st] if st < len(STATE_NAMES) else st,
                          "call": getattr(lc, "call", None)})
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
            else:
                st = "no_port"
            name = e.get("name")
            exts.append({"ext": ext, "name": name[:_NAME_MAX] if type(name) is str else None,
                         "port": port, "state": st,
                         "line": talking.get(port)})
        gc.collect()
        prompts = _prompt_names()
        return {"fw": _fw_version(), "proto": PROTO, "board": _board_name(hal), "uptime_ms": now - self._t0 if self._t0 >= 0 else 0,
                "utc": app.wall_clock(), "config": self.config_source,
                "config_name": (app.cfg.get("name") or "")[:_NAME_MAX], "lines": lines, "exts": exts,
                "heap": {"free": _gc("mem_free"), "used": _gc("mem_alloc")},
                "storage": {"free": _free_bytes(), "prompts": len(prompts),
                            "records_bytes": max(0, _size("records.jsonl")) + max(0, _size("records.1.jsonl"))},
                "events": {"seq": self.events.seq, "overwritten": self.events.overwritten},
                "console": {"requests": self.requests, "bad": self.bad, "dropped": self.dropped},
                "auth": self.auth.state(now), "pending": self.pending}

    def c_login(self, a):
        err, left = self.auth.login(a.get("pin"), self.clock.ms)
        if err:
            _auth_error(err, left)
        return {"session_ms": auth_mod.SESSION_MS}

    def c_logout(self, a):
        self.auth.logout()
        self._mon_until = 0
        return {}

    def c_pin_set(self, a):
        err, left = self.auth.set_pin(a.get("new"), a.get("old"), self.clock.ms)
        if err:
            if err == auth_mod.E_FORM:
                raise CmdError(err, auth_mod.pin_problem(a.get("new")))
            _auth_error(err, left)
        return {"session_ms": auth_mod.SESSION_MS}

    def c_time_get(self, a):
        return {"utc": self.app.wall_clock()}

    def c_time_set(self, a):
        utc = a["utc"]
        if type(utc) is not int or utc < 0:
            raise CmdError("args", "utc must be whole seconds since 1970")
        setter = getattr(self.hal, "set_rtc", None)
        if setter is None:
            raise CmdError("unsupported", "this board has no settable clock")
        was = self.app.wall_clock()
        setter(utc)
        return {"utc": self.app.wall_clock(), "was": was}

    def c_reboot(self, a):
        self.pending = "reboot"
        return {"rebooting": True}

    def c_factory_reset(self, a):
        if a.get("confirm") != "erase":
            raise CmdError("args", 'factory reset erases config, prompts, records and the PIN: '
                                   'send {"confirm":"erase"}')
        self.pending = "factory"
        return {"erasing": True}

    def c_events(self, a):
        since = a.get("since", 0)
        first = self._first_seq()
        start = since + 1 if since + 1 > first else first
        out = []
        size = 0
        for text in self.events.since(since):
            if size + len(text) > MAX_LINE - 120:
                break
            out.append(text)
            size += len(text) + 1
        return '{"seq":%d,"first":%d,"last":%d,"events":[%s]}' % (
            self.events.seq, first, start + len(out) - 1, ",".join(out))

    def c_monitor(self, a):
        since = a.get("since")
        self._mon_seq = self.events.seq if since is None else since
        self._mon_until = self.clock.ms + MONITOR_MS
        return {"seq": self.events.seq, "first": self._first_seq(), "lease_ms": MONITOR_MS}

    def c_monitor_stop(self, a):
        self._mon_until = 0
        return {}

    def c_prompt_list(self, a):
        index = _read_index()
        start = a.get("from", "")
        out = {}
        size = 0
        more = None
        for name in sorted(_prompt_names()):
            if name < start:
                continue
            if size > MAX_LINE - 200:
                more = name
                break
            ent = index.get(name)
            sz = _size(PROMPTS + "/" + name + ".ulaw")
            crc = ent[1] if ent and ent[0] == sz else None  # a file changed behind our back
            out[name] = [sz, crc]
            size += len(name) + 24
        return {"prompts": out, "more": more, "free": _free_bytes()}

    def c_prompt_rm(self, a):
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
    def c_put_begin(self, a):
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
        else:
            raise CmdError("args", "kind must be config or prompt")
        if size > limit:
            raise CmdError("too_big", "%d bytes is more than the %d a %s may have" % (size, limit, kind))
        if kind == "config":
            part = "cfgup.%08x.part" % crc
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
            if 0 <= free < size + _SPARE:
                raise CmdError("no_space", "the flash has %d bytes free; %d needed" % (free, size + _SPARE))
            open(path, "wb").close()
            have = 0
        self._xfer = {"kind": kind, "name": name, "size": size, "crc": crc, "path": path, "have": have}
        return {"have": have}

    def c_put_chunk(self, a):
        x = self._xfer
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

    def c_put_end(self, a):
        x = self._xfer
        if x is None:
            raise CmdError("state", "no upload in progress")
        path = x["path"]
        have = _size(path)
        if have != x["size"]:
            raise CmdError("short", "the board has %d of %d bytes" % (have, x["size"]), {"have": have})
        if _file_crc(path) != x["crc"]:
            store.remove(path)
            self._xfer = None
            raise CmdError("crc", "the whole file's CRC does not match; upload it again")
        self._xfer = None
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
            import cfgcheck
            check = cfgcheck.check
        except ImportError:
            pass
        err = cfgstore.install(text, check)
        store.remove(path)
        text = None
        check = None
        if err:
            raise CmdError("config", "the board refused the config: %s" % err)
        self.config_source = cfgstore.CURRENT
        self.pending = "config"
        return {"installed": cfgstore.CURRENT, "switch": "now" if self.idle() else "after the calls in progress"}

    def c_get(self, a):
        kind = a["kind"]
        off = a.get("off", 0)
        if kind == "prompt":
            if not _name_ok(a.get("name")):
                raise CmdError("args", "bad prompt name")
            path = PROMPTS + "/" + a["name"] + ".ulaw"
        elif kind in _DOWNLOADS:
            if kind in _PRIVATE and not self.auth.authorised(self.clock.ms):
                raise CmdError("auth", "log in with the admin PIN first (login)")
            path = _DOWNLOADS[kind]
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
    msgs = {auth_mod.E_UNSET: "no admin PIN yet: set one first (pin.set)",
            auth_mod.E_BAD: "wrong PIN",
            auth_mod.E_WAIT: "too many wrong PINs: wait %d s before trying again" % ((left + 999) // 1000),
            auth_mod.E_LOCKED: "console locked after repeated wrong PINs; try again in %d s" % (
                (left + 999) // 1000)}
    raise CmdError(err, msgs.get(err, err), {"retry_ms": left} if left else None)


def _fw_version():
    try:
        import app
        return app.VERSION
    except ImportError:
        return None


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
    """Erase what the office put on the board: config, prompts, records, PIN."""
    for name in os.listdir("."):
        if name.startswith("config") or name.startswith("cfgup.") \
                or name.startswith("records") or name.startswith("auth.json"):
            store.remove(name)
    try:
        for name in os.listdir(PROMPTS):
            store.remove(PROMPTS + "/" + name)
    except OSError:
        pass


# command name -> (handler, needs an open session)
COMMANDS = {
    "hello": (Console.c_hello, False),
    "status": (Console.c_status, False),
    "login": (Console.c_login, False),
    "logout": (Console.c_logout, False),
    "pin.set": (Console.c_pin_set, False),
    "time.get": (Console.c_time_get, False),
    "time.set": (Console.c_time_set, True),
    "reboot": (Console.c_reboot, True),
    "factory_reset": (Console.c_factory_reset, True),
    "events": (Console.c_events, True),      # events carry callers' numbers
    "monitor": (Console.c_monitor, True),
    "monitor.stop": (Console.c_monitor_stop, False),
    "prompt.list": (Console.c_prompt_list, False),
    "prompt.rm": (Console.c_prompt_rm, True),
    "put.begin": (Console.c_put_begin, True),
    "put.chunk": (Console.c_put_chunk, True),
    "put.end": (Console.c_put_end, True),
    "get": (Console.c_get, False),           # config and records need a session (checked inside)
}
