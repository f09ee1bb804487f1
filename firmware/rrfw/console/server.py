# The board's console server on the REPL UART (docs/console.md): reads
# request lines, hands each to its command, queues the replies and the live
# event monitor. The framing is protocol.py; the commands are commands.py.
#
# The REPL without losing calls. While every line is idle a Ctrl-C breaks
# into the REPL at once (MicroPython raises KeyboardInterrupt: hal.set_break),
# as mpremote expects. While a call is up Ctrl-C is a byte like any other, so
# a stray one (line noise, a cable plugged in) drops nothing; the console
# reads what a person or a tool means by it:
#   Ctrl-C, then Ctrl-C or Ctrl-A (mpremote's raw REPL) within _BREAK_MS
#       -> the REPL is asked for: the board says which calls are up and opens
#          the REPL as soon as every line is idle (within _REPL_WAIT_MS, then
#          the request lapses)
#   then Ctrl-C three times within _BREAK_MS -> the calls are cut, each with
#          its record (release reason "repl"), and the REPL opens
# The `repl` command (`ringroute flash`) asks the same with a framed request.
#
# Runs inside App.step(), once per 10 ms block: reads what the UART has,
# handles complete lines, sends at most _TX_PER_BLOCK bytes (about what the
# line carries in 10 ms at 115200 baud, so a write never stalls the block
# clock). The output queue is small (_OUT_MAX): a reply longer than its room
# is streamed (the rest held as a tail and copied in as the queue drains);
# while a tail is out nothing else is queued, so no line is cut by another,
# and the requests, the monitor and a spread request's next slice wait. The
# monitor waits for room for its next event rather than drop it; if the
# ring overwrote events meanwhile the host gets a gap line (their seqs).
# With nothing to do, poll() allocates nothing. The commands themselves
# (commands.py) and the session's code (auth.py) are imported with the first
# request and freed after 10 quiet seconds, so the heap holds them only while
# a technician is working. What the session needs between requests stays as
# Auth.kept()'s list (_kept): the monitor's lease is served here from it, so
# a technician who only watches keeps neither module. A request that needs
# them back is answered in the block after their import (one block's work each).
import binascii
import gc
import json

from rrfw.compat import unload
from rrfw.console.protocol import MAX_LINE, MONITOR_MS, SESSION_MS, frame, parse, same
from rrfw.errors import CmdError, Reboot  # noqa: F401  (Reboot: raised by _do_pending)

_READ = const(256)         # bytes taken from the UART per block: 115200 baud brings 115 per 10 ms
_TX_PER_BLOCK = const(112) # bytes sent per 10 ms block: just under the 115.2 that 115200 baud (10 bits a byte) carries, so a write never waits for the UART
_OUT_MAX = const(800)      # bytes queued for sending: an event's monitor line fits (a record event's
                           # is 475-628 B in the busy run), as does a get chunk's reply (772 B at most:
                           # CHUNK's base64, a 32 KB config's crc); a longer line is streamed (_tail)
_EV_PER_BLOCK = const(4)   # events sent per block at most while monitoring
_BUSY_LEN = const(128)     # bytes a 'busy' reply takes at most (id, code, message, CRC)
_REPLY_ROOM = const(576)   # bytes of queue free before a request is read: most replies go in whole
                           # (hello, login, a put.chunk's, a monitor's); a longer one, or one behind a
                           # record event's line (a get chunk's), is streamed
_BUSY_RETRY_MS = const(200)  # ms the host is asked to wait: the queue drains 11 KB/s (_TX_PER_BLOCK)
_HINT_MS = const(2000)     # ms between hints to a human typing at the console
_UNLOAD_MS = const(10000)  # ms without requests after which the command code is freed: a burst's next request
                           # (ringroute's, a person's) finds it; the busy run's monitor logs in at boot, and
                           # its 2.5 KB held a minute were what the first calls lacked at 64-66 KB (issue 14)
_COMMANDS = "rrfw.console.commands"
# Auth.kept()'s list, read (and the session in it renewed and ended, in place: no
# allocation a renewal) here while auth.py is unloaded: a PIN is set, and the
# session's end (board ms, -1: none), role and token
_K_PIN = const(0)
_K_UNTIL = const(4)
_K_ROLE = const(5)
_K_TOKEN = const(6)
_BREAK_MS = const(1000)     # ms in which the bytes of one REPL request (Ctrl-C Ctrl-C, Ctrl-C Ctrl-A) arrive
_REPL_WAIT_MS = const(600000)  # ms a REPL request waits for idle lines before it lapses
_EV_HEAD = b"~RR1 0 ev "   # protocol.frame("0", "ev", ...) up to its payload: MAGIC + b" 0 ev " (a literal: in flash)
_EV_LINE = const(20)       # bytes of an event's monitor line besides its text: _EV_HEAD, *CRC, newline
_GAP_LEN = const(64)       # bytes a gap line takes at most ({"from":N,"to":M}, 10-digit seqs)
# verbs served here, without commands.py: monitor needs a session (the supervisor's
# or the admin's: auth.py's names), monitor.stop none. A constant tuple (in flash)
_OWN = ("monitor", "monitor.stop")
_HEX = b"0123456789abcdef"


def buffers():
    """The console's buffers (read, request line, output queue: 1.9 KB, as
    long-lived as the board): main.py makes them first at boot, while the
    heap is in one piece, and hands them to Console."""
    return bytearray(_READ), bytearray(MAX_LINE), bytearray(_OUT_MAX)


def _job():
    yield


_JOB = type(_job())   # a handler that returns one of these is spread over blocks (login: pins.py)
_MORE = object()      # _resume: not done yet


def _resume(con, job):
    # one slice of a spread request: _MORE, or its result
    try:
        next(job)
    except StopIteration as e:
        return e.value
    return _MORE


class Console:
    def __init__(self, app, hal=None, auth=None, config_source=None, bufs=None):
        self.app = app
        self.hal = hal or app.hal
        self.clock = app.clock
        self.events = app.events
        self.auth = auth           # auth.Auth while auth.py is loaded (get_auth), else None
        self._kept = None          # Auth.kept() while auth.py is unloaded (None: not loaded yet)
        self.config_source = config_source
        self.fallback = None       # [(config, error)] that failed to start before this one (main.py)
        self._rbuf, self._line, self._out = bufs or buffers()
        self._fill = 0
        self._discard = False
        self._out_mv = memoryview(self._out)
        self._out_pos = 0
        self._out_len = 0
        self._tail = None        # the rest of a reply longer than the queue's room (bytes), or None
        self._tail_pos = 0
        self._fed = 0            # request bytes of _rbuf handled so far (the rest waits for a tail)
        self._got = 0            # bytes read into _rbuf
        self._mon_until = 0
        self._mon_next = 0       # board ms the monitor looks at its session again (poll)
        self._mon_seq = 0
        self._hint_t = -_HINT_MS
        self.xfer = None         # upload in progress: dict(kind, name, size, crc, path, have)
        self._mod = None         # conscmd while loaded
        self._last_cmd = 0       # board ms commands.py or auth.py was last needed (_UNLOAD_MS from it)
        self.pending = None      # "reboot" / "factory" / "config" / "repl": done once the reply is out
        self.dropped = 0         # bytes of output dropped (queue full)
        self.bad = 0             # damaged or malformed request lines
        self.busy = 0            # requests told 'busy' (a flood)
        self.requests = 0
        self._t0 = -1            # block clock at boot (the first poll): uptime counts from there
        self._brk_on = None      # what hal.set_break was last told (None: not yet)
        self._brk_n = 0          # Ctrl-Cs within _BREAK_MS of each other (a call is up)
        self._brk_t = 0
        self.repl_until = 0      # a REPL was asked for during calls: open it when idle, until then
        self._later = None       # (rid, verb, job): a request spread over blocks (_run); (rid, verb,
                                 # args dict): one whose code was imported this block, run in the next
        self._busy_on = False    # what hal.set_busy was last told

    # --- the per-block step -----------------------------------------------------
    def poll(self):
        if self._t0 < 0:
            self._t0 = self.clock.ms
        # a host that sends faster than the replies go out waits in the UART
        # (flow control by not reading); what was read and has no room is told 'busy'
        idle = self.app.idle()
        if idle is not self._brk_on:
            self._brk_on = idle
            self.hal.set_break(idle)
        later = self._later
        if later is not None and self._tail is None:
            if type(later[2]) is dict:
                self._later = None
                self._dispatch(later[0], later[1], later[2])   # its code was imported last block
            else:
                self._run(later[0], later[1], _resume, later[2])   # the next slice (a PIN's hash)
        busy = self._later is not None
        if busy is not self._busy_on:
            self._busy_on = busy
            self.hal.set_busy(busy)
        # while a request is spread over blocks the next ones wait in the UART
        # (an empty output queue has all the room: the idle block's case, no call)
        if not busy and self._tail is None and (not self._out_len or self.room() >= _REPLY_ROOM):
            if self._fed < self._got:
                self._feed(self._fed, self._got)   # the requests read while a reply was streamed
            else:
                n = self.hal.console_read(self._rbuf)
                if n:
                    self._breaks(n)
                    self._feed(0, n)
        if self.repl_until:
            if idle:
                self.repl_until = 0
                self.pending = "repl"
            elif self.clock.ms > self.repl_until:
                self.repl_until = 0
                self._queue(b"ringroute: the REPL request lapsed; the calls go on\r\n")
        # the live monitor: only when an event is new, or the stream or the session
        # may have ended (_mon_next: the earlier of the two as last seen)
        if self._mon_until and self._tail is None and (
                self._mon_seq != self.events.seq or self.clock.ms >= self._mon_next):
            self._monitor()
        if self._out_len:
            self._flush()  # in the same block as the request: a reply costs no extra 10 ms
        if self.pending is not None and not self._out_len:
            self._do_pending()
        if (self._mod is not None or self.auth is not None) and self.clock.ms - self._last_cmd > _UNLOAD_MS \
                and self.xfer is None and self.pending is None and self._later is None:
            self._unload()

    def quiet_until(self):
        """Board ms before which poll() has nothing to do while no byte comes in and
        no event is emitted (App.quiet_until: the emulated board may skip those
        blocks); 0: it has something to do now. -1: nothing due."""
        if (self._t0 < 0 or self._later is not None or self._tail is not None or self._out_len
                or self._fed < self._got or self.pending is not None or self.repl_until
                or self._busy_on or self._brk_on is not self.app.idle()):
            return 0
        until = -1
        if self._mon_until:
            if self._mon_seq != self.events.seq:
                return 0
            until = self._mon_next   # the monitor looks at its session again
        if (self._mod is not None or self.auth is not None) and self.xfer is None:
            u = self._last_cmd + _UNLOAD_MS   # the command code is freed after this
            if until < 0 or u < until:
                until = u
        return until

    def _commands(self):
        if self._mod is None:
            from rrfw.console import commands
            self._mod = commands
        return self._mod

    def _unload(self):
        if self._mod is not None:
            self._mod.unload_own()   # what the commands loaded for themselves (the config check, ...)
            self._mod = None
            unload(_COMMANDS)
        if self.auth is not None:
            self._kept = self.auth.kept()   # the session goes on without auth.py (_session)
            self.auth = None
        unload("rrfw.console.auth")    # after commands.py, which holds it in its globals
        gc.collect()

    def get_auth(self):
        """The Auth (auth.py imported again if it was freed: from the state kept)."""
        if self.auth is None:
            from rrfw.console import auth
            au = auth.Auth(random_bytes=self.hal.random_bytes, kept=self._kept)
            au.clock = self.clock
            self.auth = au
            self._kept = None
            self._last_cmd = self.clock.ms   # freed again _UNLOAD_MS after its last use
        return self.auth

    def _session(self, now):
        """While auth.py is unloaded, as Auth.open_session: the kept state if some
        client's session is open (None: none; one idle SESSION_MS ends here)."""
        k = self._kept
        if k is None or k[_K_TOKEN] is None:
            return None
        if now >= k[_K_UNTIL]:
            k[_K_UNTIL] = -1     # idle: the token ends with it (as Auth.logout)
            k[_K_ROLE] = None
            k[_K_TOKEN] = None
            return None
        return k

    def _authorised(self, now, tok):
        # Auth.authorised: the request carries (tok) the open session's token; the use
        # extends it. Served from the kept state while auth.py is unloaded
        if self.auth is None and self._kept is None:
            self.get_auth().hear(tok)   # the first request since boot: auth.json read
        if self.auth is not None:
            return self.auth.authorised(now)
        k = self._session(now)
        if k is None or not same(tok, k[_K_TOKEN]):
            return False
        k[_K_UNTIL] = now + SESSION_MS
        return True

    def uptime_ms(self):
        return self.clock.ms - self._t0 if self._t0 >= 0 else 0

    def monitor_start(self, since):
        """Stream events after `since` (None: from now) for MONITOR_MS."""
        self._mon_seq = self.events.seq if since is None else since
        self._mon_until = self.clock.ms + MONITOR_MS
        self._mon_next = self.clock.ms

    def monitor_stop(self):
        self._mon_until = 0

    def _flush(self):
        k = self._out_len - self._out_pos
        if k > _TX_PER_BLOCK:
            k = _TX_PER_BLOCK
        self.hal.console_write(self._out_mv[self._out_pos:self._out_pos + k])
        self._out_pos += k
        if self._out_pos >= self._out_len:
            self._out_pos = 0
            self._out_len = 0
        if self._tail is not None:
            self._more_tail()

    def _more_tail(self):
        # as much of the streamed reply as the queue has room for
        t = self._tail
        p = self._tail_pos
        k = len(t) - p
        self._compact()
        room = _OUT_MAX - self._out_len
        if k > room:
            k = room
        self._out[self._out_len:self._out_len + k] = memoryview(t)[p:p + k]
        self._out_len += k
        p += k
        if p >= len(t):
            self._tail = None
            p = 0
        self._tail_pos = p

    def _compact(self):
        # what was sent goes: the unsent bytes to the front, in pieces no
        # longer than the distance moved, so no piece overlaps its source
        # (a copy of them all would be up to _OUT_MAX bytes of heap)
        d = self._out_pos
        if d:
            rest = self._out_len - d
            out = self._out
            mv = self._out_mv
            i = 0
            while i < rest:
                c = d if rest - i > d else rest - i
                out[i:i + c] = mv[d + i:d + i + c]
                i += c
            self._out_pos = 0
            self._out_len = rest

    def _room_for(self, n):
        # n bytes at the end of the queue: what was sent is moved out first if need be
        if self._out_len + n > _OUT_MAX:
            self._compact()
        return self._out_len + n <= _OUT_MAX

    def _queue(self, data):
        # a whole line; one longer than the room is streamed (what fits now, the
        # rest as the tail). False: a tail is still out (data dropped, counted)
        if self._tail is not None:
            self.dropped += len(data)
            return False
        n = len(data)
        if not self._room_for(n):
            self._tail = data
            self._tail_pos = 0
            self._more_tail()
            return True
        self._out[self._out_len:self._out_len + n] = data
        self._out_len += n
        return True

    def _queue_event(self, text):
        """The monitor's line for one event (protocol.frame("0", "ev", text)),
        written straight into the output queue from the event ring's bytes:
        no line, body or CRC string is built (heap: a record event's line is
        ~520 bytes, and building it took four copies)."""
        h = len(_EV_HEAD)
        n = len(text)
        if not self._room_for(h + n + 10):
            self.dropped += h + n + 10
            return False
        out = self._out
        p = self._out_len
        out[p:p + h] = _EV_HEAD
        out[p + h:p + h + n] = text
        q = p + h + n
        crc = binascii.crc32(self._out_mv[p:q]) & 0xFFFFFFFF
        out[q] = 42   # "*"
        for k in range(8):
            out[q + 1 + k] = _HEX[(crc >> (28 - 4 * k)) & 15]
        out[q + 9] = 10   # "\n"
        self._out_len = q + 10
        return True

    def room(self):
        return _OUT_MAX - (self._out_len - self._out_pos)

    def _feed(self, i, n):
        # request bytes i..n of _rbuf; a reply streamed (a tail), a request
        # spread over blocks, or a queue without room even for a busy reply
        # stops it: the rest is fed later (the host's next requests wait)
        rb = self._rbuf
        self._got = n
        while i < n:
            if self._tail is not None or self._later is not None or self.room() < _BUSY_LEN:
                self._fed = i
                return
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
                self._fed = n
                return
            if not self._discard:
                line = bytes(self._line[:self._fill]).strip()
                if line:
                    self._handle(line)
            self._fill = 0
            self._discard = False
            i = j + 1
        self._fed = n

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
        now = self.clock.ms
        if self.room() < _REPLY_ROOM:
            # a flood: the replies so far are still going out
            self.busy += 1
            if self.room() >= _BUSY_LEN:
                self._error(rid, "busy", "replies are queued; send again in %d ms" % _BUSY_RETRY_MS,
                            {"retry_ms": _BUSY_RETRY_MS})
            else:
                self.dropped += 1
            return
        # the session token travels in the args (docs/console.md); no command sees it
        tok = args.pop("tok", None) if type(args) is dict else None
        if self.auth is not None:
            self.auth.hear(tok)
        if verb in _OWN:
            # the monitor's lease: renewed every 20-30 s for as long as a
            # technician watches, so it is served here and never holds the
            # command code in the heap (it is freed after 10 quiet seconds)
            self._own(rid, verb, "supervisor" if verb == "monitor" else None, args, now, tok)
            return
        self._last_cmd = now
        if self._mod is None or self.auth is None:
            # the commands (and auth.py with them) imported in this block, the
            # request run in the next: each block one part of the work
            try:
                self._commands()
                self.get_auth().hear(tok)
            except MemoryError:
                gc.collect()
                self._error(rid, "memory", "not enough heap for the console's commands now; try again")
                return
            self._later = (rid, verb, args)
            return
        self._dispatch(rid, verb, args)

    def _dispatch(self, rid, verb, args):
        # a command's request, its code loaded: the role it needs, then its handler
        now = self.clock.ms
        self._last_cmd = now
        cmds = self._mod.COMMANDS
        entry = cmds.get(verb)
        if entry is None:
            self._error(rid, "unknown", "no command %r; this board knows: %s" % (
                verb, " ".join(sorted(list(cmds) + list(_OWN)))))
            return
        handler, need = entry   # the role it needs (commands.py); True from an older table: admin
        if not self._allowed(rid, verb, need, now, self.auth.heard()):
            return
        self._run(rid, verb, handler, args)

    def _run(self, rid, verb, fn, x):
        """fn(self, x): a command's handler, or the next slice of one spread over
        blocks (a generator, stepped by poll: a PIN's hash); its reply, or the
        error every command may end in."""
        done = True
        try:
            result = fn(self, x)
            if type(result) is _JOB:
                self._later = (rid, verb, result)
                result = _resume(self, result)   # its first slice in this block
            if result is _MORE:
                done = False
                return
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
        except Exception as e:  # noqa: BLE001 - no request may stop the board (issue 15)
            self.bad += 1
            self._error(rid, "internal", "%s failed on its arguments: %s" % (verb, repr(e)[:80]))
            return
        finally:
            if done:
                self._later = None
                if self.auth is not None:
                    self.auth.done()   # pins.py, if the request loaded it, goes with it
        self._reply(rid, verb, result)

    def _reply(self, rid, verb, result):
        # streamed if longer than the queue's room (_queue)
        self._queue(frame(rid, "ok", result if isinstance(result, str) else json.dumps(result)))

    def _allowed(self, rid, verb, need, now, tok):
        """Whether the session of the request's token (tok) holds the role a verb needs
        (None: anyone); if not, the error is sent."""
        if not need:
            return True
        if not self._authorised(now, tok):
            if not (self.auth.pin_set if self.auth is not None else self._kept[_K_PIN]):
                self._error(rid, "pin_unset", "no admin PIN yet: set one first (pin.set)")
            elif tok is not None:
                self._error(rid, "auth", "this session has ended (logout, a minute idle, or a newer "
                                         "login): log in again")
            else:
                self._error(rid, "auth", "log in with the admin PIN first (login)")
            return False
        if need != "supervisor" and (self.auth.role if self.auth is not None else self._kept[_K_ROLE]) != "admin":
            self._error(rid, "role", "the supervisor PIN can only look: %s needs the admin PIN" % verb)
            return False
        return True

    def _own(self, rid, verb, need, args, now, tok):
        """A verb of _OWN: the role check as for a command, then its reply."""
        if not self._allowed(rid, verb, need, now, tok):
            return
        if verb == "monitor.stop":
            self.monitor_stop()
            self._reply(rid, verb, {})
            return
        since = args.get("since") if type(args) is dict else None
        if since is not None and (type(since) is not int or since < 0):
            self._error(rid, "args", "since must be an event sequence number (0 or more)")
            return
        self.monitor_start(since)
        self._reply(rid, verb, {"seq": self.events.seq, "first": self.events.first_seq(),
                                "lease_ms": MONITOR_MS})

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
        self.app.records.flush()   # the queued records on flash before a reboot, the REPL, a wipe
        if why == "repl":
            raise KeyboardInterrupt   # main.py hands the board to the REPL (hal.enter_repl)
        if why == "factory":
            self._commands().factory_wipe()
        raise Reboot(why)

    def idle(self):
        return self.app.idle()

    # --- the REPL ---------------------------------------------------------------
    def _breaks(self, n):
        rb = self._rbuf
        i = rb.find(b"\x03", 0, n)
        if i < 0 and not self._brk_n:
            return
        now = self.clock.ms
        while i >= 0:
            if now - self._brk_t > _BREAK_MS:
                self._brk_n = 0
            self._brk_n += 1
            self._brk_t = now
            i = rb.find(b"\x03", i + 1, n)
        if now - self._brk_t > _BREAK_MS:
            self._brk_n = 0
            return
        if self._brk_n == 1 and rb.find(b"\x01", 0, n) >= 0:
            self._brk_n = 2   # mpremote: Ctrl-C, then Ctrl-A for its raw REPL
        if self.repl_until:
            if self._brk_n >= 3:
                self._brk_n = 0
                self.want_repl(True)
                self._queue(b"ringroute: calls cut for the REPL (their records are kept)\r\n")
        elif self._brk_n >= 2:
            self._brk_n = 0
            calls = self.app.busy_lines()
            if self.want_repl(False) == "when_idle":
                self._queue(("ringroute: the REPL was asked for during %d call(s) (%s): it opens when every "
                             "line is idle (within %d s); Ctrl-C three times within a second cuts them, "
                             "each keeping its record\r\n" % (
                                 len(calls), ", ".join("line %d %s call %s" % c for c in calls),
                                 _REPL_WAIT_MS // 1000)).encode())

    def want_repl(self, force):
        """The REPL is asked for: "now" (idle lines), "cut" (force: the calls
        released with their records), or "when_idle" (it waits for them)."""
        if self.app.idle():
            self.pending = "repl"
            return "now"
        if force:
            self.app.cut_calls("repl")
            self.repl_until = 0
            self.pending = "repl"
            return "cut"
        self.repl_until = self.clock.ms + _REPL_WAIT_MS
        return "when_idle"

    # --- live events (monitor) -------------------------------------------------
    def _monitor(self):
        # the stream is the session's: it ends with it (logout, idle, a newer login)
        now = self.clock.ms
        au = self.auth
        if au is not None:
            end = au.session_end() if au.open_session(now) else -1
            admin = au.role == "admin"
        else:
            k = self._session(now)
            end = k[_K_UNTIL] if k is not None else -1
            admin = end >= 0 and k[_K_ROLE] == "admin"
        if now >= self._mon_until or end < 0:
            self._mon_until = 0
            return
        self._mon_next = end if end < self._mon_until else self._mon_until
        ev = self.events
        sent = 0
        # an event waits for room for its whole line (the UART drains 112 B a
        # block); one longer than the whole queue is streamed. While it waits
        # the ring may overwrite it: then the gap line says which were lost
        while self._mon_seq < ev.seq and sent < _EV_PER_BLOCK and self._tail is None:
            nxt = self._mon_seq + 1
            first = ev.first_seq()
            if nxt < first:
                if self.room() < _GAP_LEN:
                    return
                self._queue(frame("0", "gap", '{"from":%d,"to":%d}' % (nxt, first - 1)))
                self._mon_seq = first - 1
                continue
            if not admin:
                # a supervisor's monitor: numbers masked, so through the text (auth.py)
                line = frame("0", "ev", self.get_auth().mask(ev.text(nxt)))
                if self.room() < len(line) <= _OUT_MAX:
                    return
                self._queue(line)
            else:
                view = ev.view(nxt)
                need = len(view) + _EV_LINE
                if need > _OUT_MAX:
                    self._queue(frame("0", "ev", ev.text(nxt)))   # streamed
                elif self.room() < need:
                    return
                else:
                    self._queue_event(view)
            self._mon_seq = nxt
            sent += 1
