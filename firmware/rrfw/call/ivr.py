# ivr.py - the IVR menu engine: an explicit state machine, one step per 10 ms block.
#
# Input: the compiled config (host_tools/ringroute/configlang compiles the
# YAML; docs/config.md documents both), a prompt player and an event sink.
# Output: action tuples for the core (linecall/router):
#   ("route", "ext", "101") | ("route", "group", "sales") | ("hangup", reason)
#
# A menu is data: (menu, digits) -> action, looked up in cfg["menus"][name]["keys"];
# the engine has no per-menu code.  States:
#
#   PROMPT   a menu prompt is playing; keys are collected (barge-in stops it)
#   WAIT     prompt finished, waiting for the first digit   (first_ms)
#   DIGITS   part of an entry collected, waiting for more   (inter_ms)
#   MESSAGE  a closing/notice message plays to its end, then its "then" action
#   ROUTED   handed to the router; waiting for route_result()
#   PENDING  an action tuple is ready; the next step() returns it
#   DONE     nothing more for this call
#   CHECK    a DISA PIN entered: its hash is computed in slices (pins.SLICE_ROUNDS
#            a block; no deadline: it ends in rounds / SLICE_ROUNDS blocks), then
#            disa_ok or a failure
#
# Timeline of a two-digit entry with map {"1": sales, "12": support}
# (ambiguous after "1", so the engine waits the inter-digit time; the
# validator refuses such overlaps unless the menu says allow_overlap):
#   t=0      greeting starts (PROMPT)
#   t=1200   key "1" (barge-in: prompt stopped) -> DIGITS, deadline 1200+inter_ms
#   t=1700   key "2" -> "12" is complete and unambiguous -> route at once
# Entry stops as soon as it is complete or unambiguous (nobody waits out a
# timeout or must press #); the terminator ends an entry early.
#
# What belongs to the whole board (the day/night override, the block list,
# the last caller, DISA failures) is the app's BoardState (boardstate.py),
# handed to every line's Ivr.  say_number(n) gives prompt fragments for
# numbers.  A DISA success returns ("disa", max_call_ms): the core owns any
# outside-line path.
#
# Allocation: an idle step (no digit, nothing due) allocates nothing; a
# digit or an action allocates a few small objects (event dicts, strings),
# at most a few times per second.

try:
    import time as _time
    _default_clock = _time.time
except ImportError:  # pragma: no cover
    _default_clock = None

try:
    from rrfw.call import schedule as _schedule
except ImportError:  # pragma: no cover - schedule.py ships with ivr.py
    _schedule = None

_IDLE = const(0)
_PROMPT = const(1)
_WAIT = const(2)
_DIGITS = const(3)
_MESSAGE = const(4)
_ROUTED = const(5)
_PENDING = const(6)
_DONE = const(7)
_CHECK = const(8)

_STATE_NAMES = ("idle", "prompt", "wait", "digits", "message", "routed", "pending", "done", "check")
# The board's own DISA limits (issue 16), whatever the config says (cfgcheck refuses more):
_DISA_MAX_TRIES = const(5)         # wrong PINs before the lock-out, at most
_DISA_MIN_LOCK_MS = const(300000)  # ms: a lock-out lasts at least 5 minutes
_DISA_LOCK_MS = const(1800000)     # ms: 30 min when the config gives none

_FIRST_MS = const(5000)    # ms, first-digit timeout, counted from the END of the prompt (config default; Asterisk TIMEOUT(response) is 10 s, FreeSWITCH's demo_ivr 'timeout' 10 s, both counted from the prompt's start)
_INTER_MS = const(3000)    # ms, inter-digit timeout (Asterisk TIMEOUT(digit) default 5 s; FreeSWITCH demo_ivr 'inter-digit-timeout' 2 s)
_MAX_TRIES = const(3)      # attempts before the final action (FreeSWITCH demo_ivr max-failures 3, max-timeouts 3)
# Failed routes (busy / no answer) in one call before the IVR gives up, whatever
# the menu's fallbacks say: a loop of fallbacks must end. The one limit: the
# core relies on it.
MAX_ROUTE_FAILS = const(6)
_MAX_DIGITS = const(16)    # digits, longest entry kept (E.164 numbers are at most 15 digits)
_CLOCK_VALID_DAYS = const(19723)  # days since 1970: 2024-01-01; an earlier RTC reading means "never set"
_START_GRACE_MS = const(60)  # ms, a prompt that never reports busy (file missing) counts as ended after this

_NO_MENU = {"keys": {}}


def say_number(n, prefix="num-"):
    """Prompt fragments that say a number 0..999999 in English: 342 ->
    ["num-3", "num-hundred", "num-40", "num-2"]; chain them with other prompts
    ("you-are", *say_number(3), "in-queue").  Needs prompts num-0..num-19,
    num-20, num-30 .. num-90, num-hundred, num-thousand."""
    out = []
    if n < 0 or n > 999999:
        return out
    if n >= 1000:
        out += say_number(n // 1000, prefix)
        out.append(prefix + "thousand")
        n %= 1000
        if n == 0:
            return out
    if n >= 100:
        out.append(prefix + str(n // 100))
        out.append(prefix + "hundred")
        n %= 100
        if n == 0:
            return out
    if n >= 20:
        out.append(prefix + str(n - n % 10))
        if n % 10:
            out.append(prefix + str(n % 10))
    elif n or not out:
        out.append(prefix + str(n))
    return out


def _num_match(pattern, number):
    # "5551234" exact; "555*" prefix (a trailing * matches any rest)
    if pattern.endswith("*"):
        return number.startswith(pattern[:-1])
    return number == pattern



def needs_number(cfg):
    """True when the config's caller rules look at the caller's number or its
    reason: any 'callers' section (its block and priority lists, the board's
    block list, withheld / unavailable: _caller_rule). The line must not answer
    before caller ID can have arrived (inbound.py; `ringroute validate` warns)."""
    return bool(cfg.get("callers"))

class Ivr:
    def __init__(self, cfg, player, emit, clock=None, board=None):
        self.cfg = cfg
        if board is None:
            from rrfw.call.boardstate import BoardState
            board = BoardState()   # an IVR on its own (tests): a board of its own
        self.board = board
        self.player = player
        self.emit = emit
        self.clock = clock if clock is not None else _default_clock
        self.menus = cfg.get("menus") or {}
        self.exts = cfg.get("extensions") or {}
        # a line may have its own first menu (a support hotline, a second number)
        line = getattr(player, "line", 0)
        lines = cfg.get("lines") or []
        self.line_menu = lines[line].get("menu") if type(line) is int and 0 <= line < len(lines) else None
        self.stack = []
        self.visited = {}
        self.state = _IDLE
        self.menu = None
        self.menu_name = None
        self.start_menu = None
        self.mode = None
        self.buf = ""
        self.exact = None        # action for the buffer when it is complete but still ambiguous
        self.deadline = 0
        self.play_t = 0
        self.seen_busy = False
        self.n_invalid = 0
        self.n_timeout = 0
        self.then = None         # action after a MESSAGE
        self.fallback = None     # action after a route that failed
        self.result = None       # the tuple a PENDING step returns
        self.caller = None
        self.pin_mode = False    # collecting the DISA PIN (digits are never logged)
        self.kdf = None          # pins.Kdf while a DISA PIN is checked (CHECK)
        self.n_failed = 0        # routes not answered in this call
        self.priority = 0        # queue priority (a caller rule's action may raise it)
        self.remote_ok = True    # remote agents may take this call (a caller rule may forbid it)

    def state_name(self):
        return _STATE_NAMES[self.state]

    # ---- the interface used by the core -------------------------------
    def start(self, t_ms, caller):
        """At answer: pick the start menu (schedule, override, caller rules) and play its greeting."""
        self.stack = []
        self.visited = {}
        self.buf = ""
        self.exact = None
        self.then = None
        self.fallback = None
        self.result = None
        self.pin_mode = False
        self.kdf = None
        self.menu = None
        self.menu_name = None
        self.n_failed = 0
        self.priority = 0
        self.remote_ok = True
        self.caller = caller or {}
        number = self.caller.get("number")
        # None after a call without a number: block-last then has nothing to block
        # (the caller before it is someone else)
        self.board.last_caller = number or None
        self.board.last_caller_ms = t_ms      # its age, for the retention purge (app.py)
        self.start_menu, self.mode = self._pick_start()
        if self.mode is not None:
            self.emit("schedule", mode=self.mode, menu=self.start_menu)
        act = self._caller_rule(number, self.caller.get("reason"))
        if act is not None:
            self._do(t_ms, act)
            return
        notice = self.cfg.get("notice")
        if notice:
            # the office's notice (the call is logged, how to ask for the data)
            # plays first, as a message on the way to the menu: a key skips it
            # and counts in the menu
            self._do(t_ms, {"do": "message", "prompts": notice, "then": {"do": "menu", "to": self.start_menu}})
            return
        self._enter(t_ms, self.start_menu)

    def step(self, t_ms, digit, tone_present):
        st = self.state
        if st == _IDLE or st == _DONE or st == _ROUTED:
            return None
        if st == _CHECK:
            self._pin_checking(t_ms)
            return self._take()
        if st == _PENDING:
            r = self.result
            self.result = None
            self.state = _ROUTED if r[0] == "route" else _DONE
            return r
        if st == _MESSAGE:
            then = self.then
            if digit is not None and then is not None and then.get("do") == "menu":
                # a message on the way back to a menu ("our hours are..."): a key
                # skips the rest and counts in that menu
                self.player.stop()
                self.then = None
                self._do(t_ms, then)
                if self.state == _PROMPT:
                    self.player.stop()
                    self._digit(t_ms, digit)
                return self._take()
            if self._prompt_over(t_ms):
                act = self.then
                self.then = None
                if act is None:
                    self._finish("hangup", "menu_done")
                else:
                    self._do(t_ms, act)
                return self._take()
            return None
        # PROMPT / WAIT / DIGITS: collecting
        if tone_present and st == _PROMPT and self.player.busy:
            self.player.stop()       # barge-in
        if digit is not None:
            if self.player.busy:
                self.player.stop()
            if self.pin_mode:
                self._pin_digit(t_ms, digit)
            else:
                self._digit(t_ms, digit)
            return self._take()
        if st == _PROMPT:
            if self._prompt_over(t_ms):
                self.state = _WAIT
                self.deadline = t_ms + self.menu.get("first_ms", _FIRST_MS)
            return None
        if t_ms >= self.deadline:
            if self.pin_mode:
                self._pin_fail(t_ms)
            elif st == _DIGITS:
                self._entry_timeout(t_ms)
            else:
                self._no_input(t_ms)
            return self._take()
        return None

    def route_result(self, t_ms, outcome):
        """The router's outcome for the last route: "answered", "no_answer" or "busy"."""
        if self.state != _ROUTED:
            return None
        if outcome == "answered":
            self.state = _DONE
            return None
        self.emit("ivr", what=outcome, menu=self.menu_name)
        act = self.fallback
        self.fallback = None
        self.n_failed += 1
        if self.n_failed > MAX_ROUTE_FAILS:
            # everyone busy again and again (or a fallback that routes back to
            # the same busy phone): stop before the caller waits forever
            self._finish("hangup", "no_answer")
            return None
        if act is None and self.menu is not None:
            act = self.menu.get("on_no_answer")
        if act is None:
            act = self.cfg.get("on_no_answer")
        if act is None:
            # safe default: back to the menu the caller was in
            act = {"do": "menu", "to": self.menu_name or self.start_menu, "reentry": True}
        self._do(t_ms, act)
        return None

    def call_returned(self, t_ms):
        """A call an agent had taken came back to the board unanswered (a transfer
        nobody took, transfer.py): the route's fallback, as for a route nobody answered."""
        self.state = _ROUTED
        self.route_result(t_ms, "no_answer")

    def awaits_key(self):
        """Waiting for the caller's key, with a deadline of its own (first_ms, inter_ms)."""
        return self.state == _WAIT or self.state == _DIGITS

    def take_action(self, t_ms, act):
        """Carry out `act` now (a queue exit key: the caller left the queue on purpose,
        not a failed route); the next step() returns what it leads to."""
        self.fallback = None
        self._do(t_ms, act)

    # ---- helpers -------------------------------------------------------
    def _take(self):
        # PENDING results go out on the step that produced them
        if self.state == _PENDING:
            r = self.result
            self.result = None
            self.state = _ROUTED if r[0] == "route" else _DONE
            return r
        return None

    def _finish(self, kind, a, b=None):
        self.result = (kind, a) if b is None else (kind, a, b)
        self.state = _PENDING

    def _play(self, t_ms, names):
        self.play_t = t_ms
        self.seen_busy = False
        if names:
            self.player.play(names)
            if self.player.busy:
                self.seen_busy = True

    def _prompt_over(self, t_ms):
        if self.player.busy:
            self.seen_busy = True
            return False
        return self.seen_busy or t_ms - self.play_t >= _START_GRACE_MS

    def _pick_start(self):
        if self.line_menu is not None:
            return self.line_menu, None      # this line's own menu beats the schedule
        start = self.cfg.get("start") or "main"
        sch = self.cfg.get("schedule")
        if sch and _schedule is not None and self.clock is not None:
            utc = int(self.clock())
            ov = self.board.override
            if utc // 86400 < _CLOCK_VALID_DAYS and ov is None:
                # the RTC was never set (or lost power): the schedule would be
                # nonsense, so take the config's choice for that case
                mode = sch.get("unset") or sch.get("default")
                menu = (sch.get("modes") or {}).get(mode)
                self.emit("ivr", what="clock_unset", utc=utc)
                if menu:
                    return menu, mode
                return start, None
            mode, menu = _schedule.menu_at(sch, utc, ov)
            if menu:
                return menu, mode
        return start, None

    def _caller_rule(self, number, reason):
        rules = self.cfg.get("callers")
        if not rules:
            return None
        if number:
            blocked = rules.get("block") or []
            for p in blocked:
                if _num_match(p, number):
                    self.emit("ivr", what="blocked", number=number)
                    return rules.get("block_action") or {"do": "hangup", "reason": "blocked"}
            if self.board.is_blocked(number):
                self.emit("ivr", what="blocked", number=number)
                return rules.get("block_action") or {"do": "hangup", "reason": "blocked"}
            pri = rules.get("priority") or []
            for rule in pri:
                if _num_match(rule["number"], number):
                    self.emit("ivr", what="priority", number=number)
                    return rule["action"]
            return None
        # "withheld": the caller chose to hide it (Bell 202 'P' / ETSI 'private');
        # "unavailable": out of area / international ('O'); anything else (no
        # caller ID service, nothing decoded) follows the normal menu
        if reason != "withheld" and reason != "unavailable":
            return None
        act = rules.get(reason)
        if act is not None:
            self.emit("ivr", what=reason, reason=reason)
        return act

    def _enter(self, t_ms, name, reentry=False, long=False):
        menu = self.menus.get(name)
        if menu is None:
            # cfgcheck refuses such configs; never leave a caller in silence
            self._fallback_final(t_ms)
            return
        self.menu = menu
        self.menu_name = name
        self.buf = ""
        self.exact = None
        self.n_invalid = 0
        self.n_timeout = 0
        self.emit("menu", menu=name)
        seen = name in self.visited or reentry
        self.visited[name] = True
        if seen and not long:
            prompts = menu.get("short") or menu.get("greeting")
        else:
            prompts = menu.get("greeting")
        self.state = _PROMPT
        self._play(t_ms, prompts)

    def _replay(self, t_ms, before):
        # notice prompt(s) then the menu's short greeting, as one chain
        menu = self.menu
        names = list(before or [])
        names += menu.get("short") or menu.get("greeting") or []
        self.buf = ""
        self.exact = None
        self.state = _PROMPT
        self._play(t_ms, names)

    def _candidates(self, buf):
        """(action for buf or None, True if a longer entry starts with buf)."""
        menu = self.menu
        keys = menu.get("keys") or {}
        exact = keys.get(buf)
        longer = False
        for k in keys:
            if len(k) > len(buf) and k.startswith(buf):
                longer = True
                break
        if menu.get("dial_ext"):
            for e in self.exts:
                if e == buf:
                    if exact is None and self.exts[e].get("dial", True):
                        exact = self._dial_action(e)
                elif not longer and len(e) > len(buf) and e.startswith(buf) and self.exts[e].get("dial", True):
                    longer = True
        return exact, longer

    def _dial_action(self, e):
        # a directly dialled extension; announced digit by digit when configured
        # ("connecting you to" + "digit-1" "digit-0" "digit-2": fragments chained)
        act = {"do": "ext", "to": e}
        ann = self.cfg.get("announce_ext")
        if ann:
            names = list(ann)
            for c in e:
                names.append("digit-" + c)
            act = {"do": "message", "prompts": names, "then": act}
        return act

    # ---- DISA: an outside line only after the PIN (cfgcheck: 6+ digits) ----
    # Failed PINs count across calls, lines and reboots (boardstate.py keeps
    # them on flash); max_attempts failures lock DISA for lockout_ms of board
    # time. The PIN is kept hashed (pins.py: the config on flash has
    # pin_hash); a plain "pin" is only met before cfgstore sealed it.
    # Success returns ("disa", max_call_ms) to the core, which owns the
    # trunk-to-trunk path, the number check and its time limit (disa.py).
    def _disa_start(self, t_ms):
        d = self.cfg.get("disa") or {}
        if not d.get("enabled") or not (d.get("pin") or d.get("pin_hash")):
            self._fallback_final(t_ms)
            return
        if self.board.disa_locked(t_ms):
            self.emit("ivr", what="disa_locked")
            self._finish("hangup", "disa_locked")
            return
        self.pin_mode = True
        self.buf = ""
        if self.menu is None:
            self.menu = _NO_MENU     # reached from a caller rule: default timeouts
        self.state = _PROMPT
        self._play(t_ms, d.get("prompt"))

    def _pin_digit(self, t_ms, c):
        d = self.cfg["disa"]
        pin = d.get("pin")
        n = len(pin) if pin else d.get("pin_len", 0)
        entry = self.buf if c == "#" else self.buf + c
        if c == "#" or len(entry) >= n:
            self.buf = ""
            if self._disa_now_locked(t_ms):
                return
            from rrfw.store import pins   # only a board whose callers use DISA pays for it
            if pin:
                self._pin_result(t_ms, pins.same(entry.encode(), pin.encode()))
                return
            self.kdf = pins.start_check(d["pin_hash"], entry)
            self.state = _CHECK
            return
        self.buf = entry
        self.state = _DIGITS
        self.deadline = t_ms + self.menu.get("inter_ms", _INTER_MS)

    def _pin_checking(self, t_ms):
        from rrfw.store import pins
        if self.kdf.run(pins.SLICE_ROUNDS):
            ok = pins.matches(self.cfg["disa"]["pin_hash"], self.kdf)
            self.kdf = None
            if not self._disa_now_locked(t_ms):
                self._pin_result(t_ms, ok)

    def _pin_result(self, t_ms, ok):
        if ok:
            self.board.disa_ok()
            self.pin_mode = False
            self.emit("ivr", what="disa_ok")
            self._finish("disa", self.cfg["disa"].get("max_call_ms", 0))
        else:
            self._pin_fail(t_ms)

    def _disa_now_locked(self, t_ms):
        # another line's caller set off the lock-out while this one was keying:
        # no guess is checked, none counted, during a lock-out
        if not self.board.disa_locked(t_ms):
            return False
        self.emit("ivr", what="disa_locked")
        self.pin_mode = False
        self.kdf = None
        self._finish("hangup", "disa_locked")
        return True

    def _pin_fail(self, t_ms):
        if self._disa_now_locked(t_ms):
            return
        d = self.cfg["disa"]
        attempts = d.get("max_attempts", _MAX_TRIES)
        if type(attempts) is not int or attempts < 1 or attempts > _DISA_MAX_TRIES:
            attempts = _DISA_MAX_TRIES
        lock = d.get("lockout_ms", _DISA_LOCK_MS)
        if type(lock) is not int or lock < _DISA_MIN_LOCK_MS:
            lock = _DISA_MIN_LOCK_MS
        n = self.board.disa_failed(t_ms, attempts, lock)
        self.buf = ""
        self.emit("ivr", what="disa_bad_pin", n=n)
        if n >= attempts:
            self.emit("ivr", what="disa_lockout", until_ms=self.board.disa_lock_until)
            self.pin_mode = False
            self._finish("hangup", "disa_locked")
            return
        self.state = _PROMPT
        self._play(t_ms, d.get("prompt"))

    def _digit(self, t_ms, d):
        menu = self.menu
        term = menu.get("terminator", "#")
        if d == term and self.buf:
            act = self.exact
            if act is None:
                act, _ = self._candidates(self.buf)
            self.emit("ivr", what="entry", digits=self.buf, menu=self.menu_name)
            if act is None:
                self._invalid(t_ms)
            else:
                self._do(t_ms, act)
            return
        if len(self.buf) >= _MAX_DIGITS:
            self._invalid(t_ms)
            return
        buf = self.buf + d
        exact, longer = self._candidates(buf)
        if exact is not None and not longer:
            self.emit("ivr", what="entry", digits=buf, menu=self.menu_name)
            self.buf = ""
            self._do(t_ms, exact)
            return
        if exact is None and not longer:
            self.emit("ivr", what="entry", digits=buf, menu=self.menu_name)
            self._invalid(t_ms)
            return
        self.buf = buf
        self.exact = exact
        self.state = _DIGITS
        self.deadline = t_ms + menu.get("inter_ms", _INTER_MS)

    def _entry_timeout(self, t_ms):
        act = self.exact
        self.emit("ivr", what="entry", digits=self.buf, menu=self.menu_name)
        if act is not None:
            self._do(t_ms, act)
        else:
            self._invalid(t_ms)

    def _invalid(self, t_ms):
        menu = self.menu
        self.n_invalid += 1
        self.emit("ivr", what="invalid", menu=self.menu_name, n=self.n_invalid)
        if self.n_invalid >= menu.get("max_invalid", _MAX_TRIES):
            self._final(t_ms, menu.get("on_invalid"))
            return
        self._replay(t_ms, menu.get("invalid_prompt"))

    def _no_input(self, t_ms):
        menu = self.menu
        self.n_timeout += 1
        self.emit("ivr", what="timeout", menu=self.menu_name, n=self.n_timeout)
        if self.n_timeout >= menu.get("max_timeout", _MAX_TRIES):
            self._final(t_ms, menu.get("on_timeout"))
            return
        self._replay(t_ms, menu.get("timeout_prompt"))

    def _final(self, t_ms, act):
        if act is None:
            self._fallback_final(t_ms)
        else:
            self._do(t_ms, act)

    def _fallback_final(self, t_ms):
        # never a bare hang-up when a safe fallback exists: the operator
        op = self.cfg.get("operator")
        if op is not None:
            self._do(t_ms, op)
        else:
            self._finish("hangup", "menu_done")

    def _do(self, t_ms, act):
        kind = act.get("do")
        pri = act.get("priority")
        if pri is not None:
            self.priority = pri      # a priority caller: served first in any queue (router.py)
        if act.get("remote") is False:
            self.remote_ok = False   # a caller rule: never to a remote agent (remote.py)
        if kind == "menu":
            if self.menu_name is not None and act.get("to") != self.menu_name:
                self.stack.append(self.menu_name)
            self._enter(t_ms, act.get("to"), act.get("reentry", False))
        elif kind == "back":
            name = self.stack.pop() if self.stack else self.start_menu
            self._enter(t_ms, name)
        elif kind == "top":
            self.stack = []
            self._enter(t_ms, self.start_menu)
        elif kind == "repeat":
            self._enter(t_ms, self.menu_name, False, True)
        elif kind == "ext" or kind == "group":
            self.fallback = act.get("else")   # the core logs the "route" event itself
            if self.fallback is None and kind == "group":
                # the group's own overflow (a full queue, its wait over, nobody logged in)
                self.fallback = ((self.cfg.get("groups") or {}).get(act.get("to")) or {}).get("overflow")
            self._finish("route", kind, act.get("to"))
        elif kind == "operator":
            op = self.cfg.get("operator")
            if op is None or op.get("do") == "operator":
                self._finish("hangup", "no_operator")
            else:
                self._do(t_ms, op)
        elif kind == "message":
            self.then = act.get("then")
            self.state = _MESSAGE
            self._play(t_ms, act.get("prompts"))
        elif kind == "hangup":
            self._finish("hangup", act.get("reason", "menu_done"))
        elif kind == "disa":
            self._disa_start(t_ms)
        elif kind == "callback":
            self._finish("callback", None)   # a group's overflow: inbound.py registers it
        else:
            # unknown action kinds are refused by cfgcheck; be safe anyway
            self._fallback_final(t_ms)
