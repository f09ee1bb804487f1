# The appliance: builds one LineCall per trunk line on top of a HAL and runs
# them, one step per 10 ms block (the one clock, ARCHITECTURE.md).
import gc

from rrfw.call import events as ev_mod
from rrfw.store import records as rec_mod
from rrfw.call import router
from rrfw.call import ivr
from rrfw.call import linecall
from rrfw.call.player import Player
from rrfw.errors import Reboot

# const: folded into App.step's block checks (no global lookup per block on MicroPython)
_CALLBACK_CHECK_BLOCKS = const(100)   # look for a due outbound job (call-back, campaign) once a second
_FAULTS_BEFORE_RESET = const(5)  # faults within _FAULT_WINDOW_MS that make the board restart
_FAULT_WINDOW_MS = const(60000)
_CALLBACK_IDLE_MS = const(8000)  # ms a line must have been idle: longer than a ring cadence's pause
_PURGE_CHECK_BLOCKS = const(6000)     # once a minute: is the retention purge due, and the board idle?
_PURGE_EVERY_MS = const(3600000)  # the purge runs once an hour (and after boot), never during a call
_QUIET_MAX_BLOCKS = const(60000)  # blocks a skip covers at most (10 min): a bound, not a deadline
_IDLE = const(0)   # = states.IDLE
_UTC_SET = const(1577836800)  # s, 2020-01-01: a wall clock before this was never set (no age to judge by)


class App:
    def __init__(self, hal, cfg, wall_clock=None, board=None, ring=None):
        # ring: the event ring's bytes, made by supervisor.py first at boot (heap fragmentation)
        self.hal = hal
        self.cfg = cfg
        # the board's own state (override, block list, DISA lock-out); supervisor.py
        # hands the last app's on, so a config switch keeps it
        if board is None:
            from rrfw.call.boardstate import BoardState
            board = BoardState()
            board.load()
        self.board = board
        self.clock = ev_mod.Clock()
        self.events = ev_mod.Events(self.clock, buf=ring)
        self.records = rec_mod.Records(settings=cfg.get("records"), emit=self.events.emit)
        n_lines = min(hal.n_lines, len(cfg.get("lines", [])))
        # a board that calls out loads callout.py only while an attempt runs (its
        # tone tables are constants in flash: nothing to make first)
        # call ids from a counter on flash, not from the newest record (one
        # lost record would give its id twice)
        from rrfw.store import callid
        self.records.ids = callid.CallIds(self.records.next_id)
        # the agents' states (agents.py): an `agents` section makes the board a call distributor
        from rrfw.call import agents
        self.agents = agents.Agents(cfg, hal.n_exts, self.events.emit)
        self.ports = router.Ports(hal.n_exts, self.agents)
        remote = n_lines > 1 and self.agents.n > hal.n_exts
        if remote:
            # remote agents (remote.py): the call-progress tables now, while the heap is in one piece
            from rrfw.line import progress
            for c in set(ln.get("country", "US") for ln in cfg["lines"][:n_lines]):
                progress.prepare(c)
        # position and wait announcements (queuetalk.py): only a config that asks pays for them
        for g in (cfg.get("groups") or {}).values():
            if g.get("announce"):
                from rrfw.call import queuetalk
                self.ports.talk = queuetalk.QueueTalk(cfg, self.agents, self.agents.n)
                break
        self.wall_clock = wall_clock or hal.rtc_utc
        # the agents' sessions on flash (agents.py): each status change, and once the
        # clock is set after a boot every agent's status (the report's start of a session)
        self._agents_unlogged = self.agents.on
        if self.agents.on:
            self.agents.log = self._agent_log
        from rrfw.dsp import dtmf
        from rrfw.line import ringdet
        from rrfw.line import hangup
        try:
            from rrfw.dsp import callerid
            cid_cls = callerid.CallerIdDecoder
        except ImportError:  # a board build may leave caller ID out
            cid_cls = None
        self.lines = []
        # Only the lines the config uses get a call (and its decoders' buffers):
        # the rest of the board's lines stay on-hook, costing no heap.
        for i in range(n_lines):
            player = Player(i, self._emitter(i))
            self.lines.append(linecall.LineCall(
                i, hal, cfg, self.clock, self.events, self.records, self.ports,
                self._ivr_factory, dtmf.DtmfReceiver, ringdet.RingDetector, hangup.HangupDetector,
                cid_cls, player, self.wall_clock, self.lines[-1] if self.lines else None))
        from rrfw.call import callbacks
        self.callbacks = callbacks.Callbacks(cfg, self.events.emit)
        # the outbound engine (dialer.py): only a config that calls out (or a
        # call-back list left on flash) pays for it; campaigns load with it
        self.dialer = None
        self._ob_line = None   # an outbound attempt between its job's pick and its start (_start_outbound)
        self._ob_job = None
        self._ob_packed = False   # the collection before its Callout is made has run
        ob = cfg.get("outbound") or {}
        if ob.get("callback") or ob.get("campaign") is not None or self.callbacks.pending:
            from rrfw.call import dialer
            self.dialer = dialer.Dialer(cfg, self.events.emit, self.records, self.callbacks, self.wall_clock)
        # feature codes dialled on extension phones (*81 night mode, ...) and
        # extension numbers (intercom.py): only a config with either pays for
        # the code and the receiver
        self.extdial = None
        self._ext_dtmf = None
        if cfg.get("feature_codes") or cfg.get("intercom") is not None:
            from rrfw.call import extdial
            self.extdial = extdial.ExtDial(hal, cfg, self.events.emit, self.feature_code)
            self._ext_dtmf = dtmf.DtmfReceiver()
        # the lines not IDLE, a bit each, kept by LineCall.enter (the one place a state
        # changes): idle() is asked every block (the console's break) and is one test
        self._busy = [0]
        for lc in self.lines:
            lc.callbacks = self.callbacks
            lc.siblings = self.lines
            lc.busy_mask = self._busy
        if remote:
            # agents who are outside numbers: called on a free second line (a one-line
            # board never reaches them: `ringroute validate` warns)
            from rrfw.call import remote as remote_mod
            self.ports.remote = remote_mod.Remotes(cfg, self.agents, self.lines)
        # transfers and supervisor escalation by hook flash (transfer.py): only a
        # config with a `transfer` section pays for the detector, the flows and their tones
        # (an intercom call needs the detector too: a flash on either phone is no hang-up)
        self.hooks = None
        tc = cfg.get("transfer")
        if tc is not None or cfg.get("intercom") is not None:
            from rrfw.line import hookflash
            fc = tc or {}
            self.hooks = hookflash.HookFlash(hal, fc.get("flash_min_ms", hookflash.FLASH_MIN_MS),
                                             fc.get("flash_max_ms", hookflash.FLASH_MAX_MS))
            if self.extdial is not None and self.extdial.intercom is not None:
                self.extdial.hooks = self.hooks
                self.extdial.intercom.hooks = self.hooks
        if tc is not None:
            from rrfw.call import transfer
            first = None
            for lc in self.lines:
                first = transfer.tones(first)
                lc.hooks = self.hooks
                lc.transfer = transfer.Transfer(lc, self.hooks, first)
        self.console = None  # set by main when the board has a console protocol
        self.faults = 0      # calls released because their step raised
        self._purge_ms = -1  # board ms of the last retention purge
        self._fault_window_t = 0
        self._fault_window_n = 0

    def _agent_log(self, ext, state, reason, group):
        # an agent's status change kept with the call records (agents.py): the
        # report's time logged in; a record the flash refuses is counted as a call's is
        rec = {"kind": "agent", "utc": self.wall_clock(), "ext": ext, "state": state}
        if reason is not None:
            rec["reason"] = reason
        if group is not None:
            rec["group"] = group
        self.records.queue(rec)

    def _emitter(self, line):
        def emit(event, **fields):
            lc = self.lines[line]
            lc.emit(event, **fields)
        return emit

    def step(self):
        hal = self.hal
        self.clock.block = hal.block
        self.clock.ms = hal.block * 10
        ended = self.dialer is not None and len(self.dialer.ending) > 0
        if ended:
            # an attempt that ended in the block before (answered, failed: callout.py):
            # its close on flash, before this block's lines can end another
            self.dialer.finish_ended()
        if self.callbacks.unsaved:
            self.callbacks.save()   # a call-back request of the block before (callbacks.py)
        if self.hooks is not None:
            self.hooks.step(self.clock.ms)   # flashes and hang-ups on the phones, for every line
        for lc in self.lines:
            try:
                lc.step()
            except Exception as e:  # noqa: BLE001 - a fault in one call must not stop the board
                self._fault(lc, e)
        self.agents.step(self.clock.ms)
        if self._ext_dtmf is not None:
            try:
                self.extdial.step(self.clock.ms, self.lines, self.ports, self._ext_dtmf)
            except Exception as e:  # noqa: BLE001 - same rule as a call: log, release, carry on
                self.events.emit("error", error="extdial: " + repr(e)[:100])
                self.extdial.end(self.clock.ms, self.ports)
        if self._agents_unlogged and hal.block % _CALLBACK_CHECK_BLOCKS == 0 and self.wall_clock() >= _UTC_SET:
            self._agents_unlogged = False
            self.agents.log_all()
        if ended:
            pass   # one piece of outbound work a block
        elif self._ob_line is not None or (self.dialer is not None and hal.block % _CALLBACK_CHECK_BLOCKS == 0
                                           and self.dialer.wants_line()):
            self._outbound_work()
        if hal.block % _PURGE_CHECK_BLOCKS == 0 and self.records.retention_days:
            if (self._purge_ms < 0 or self.clock.ms - self._purge_ms >= _PURGE_EVERY_MS) and self.idle():
                self.purge()
        self.records.step()   # one slice of a queued record's write (records.py)
        if self.console is not None:
            self.console.poll()
        hal.feed_watchdog()

    def _ivr_factory(self, cfg, player, emit, clock=None):
        return ivr.Ivr(cfg, player, emit, clock=clock, board=self.board)

    # --- the day/night override and block list survive a reboot ------------------
    def feature_code(self, cfg, code, port=-1):
        """An extension dialled a feature code (extdial.py): apply it and keep it on flash.
        Agent codes (["agent", what, reason]) change the state of the agent at `port`."""
        fc = (cfg.get("feature_codes") or {}).get(code)
        if fc is not None and fc[0] == "agent":
            return self.agents.feature(port, fc[1], fc[2] if len(fc) > 2 else None, self.clock.ms)
        if fc is not None and fc[0] == "pickup":
            return self._pickup(port)
        if fc is not None and fc[0] == "campaign":
            # an agent joins or leaves the campaign from the handset
            camp = self.dialer.campaign if self.dialer is not None else None
            if camp is None or port < 0:
                return None
            return camp.agent(port, fc[1] == "join")
        result = self.board.feature_code(cfg, code)
        if result is not None:
            self.board.save()
        return result

    def _pickup(self, port):
        """The call that has rung an agent's phone the longest, for the phone at
        `port` to take: ("pickup", rung exts, its inbound flow), or None (error tone)."""
        best = None
        for lc in self.lines:
            if lc.inbound.can_pick_up(port) and (best is None or
                                                 lc.leg.ringing_since() < best.leg.ringing_since()):
                best = lc
        if best is None:
            return None
        return ("pickup", ",".join(best.leg.rung_exts()), best.inbound)

    def set_override(self, mode):
        """Day/night override from the host (console): a schedule mode, or None to follow the schedule."""
        self.board.set_override(mode)
        self.board.save()
        self.events.emit("override", mode=mode)

    def _start_outbound(self):
        """A due outbound job goes out on a line that has been idle a while
        (never on a line that might be about to ring), when more lines are
        idle than the config keeps for inbound calls, no caller waits in a
        queue, and an agent is free for it; a call-back holding its caller's
        queue place only needs the line (dialer.py has the rules)."""
        t = self.clock.ms
        if not self.dialer.clock_ok(self.wall_clock()):
            return    # no clock yet
        idle = 0
        line = None
        for lc in self.lines:
            if lc.state == _IDLE and not lc.ringdet.ringing:
                idle += 1
                if line is None and lc.idle_for(t) >= _CALLBACK_IDLE_MS:
                    line = lc
        if line is None:
            return
        # callers waiting for an agent come first, and lines are kept for inbound
        # (a call-back holding a queue place excepted: dialer.next_job)
        job = self.dialer.next_job(t, self.wall_clock(), self.free_agent,
                                   not self.ports.waiting and self.dialer.may_take_line(idle))
        if job is None:
            return
        if line.callout is not None:
            line.start_outbound(self.dialer, job, t)
            return
        # the attempt over four blocks, none of them long on the board
        # (x30-50: each of these was 2-8 ms here in one block, heap.md):
        # this one picked the job, the next collects, the next makes the
        # Callout (imports, its dialler and progress detector), the one after
        # starts it (flash, record, the agent's phone rung): the agent hears
        # it 30 ms later
        self._ob_line = line
        self._ob_job = job
        self._ob_packed = False

    def _outbound_work(self):
        """This block's piece of an outbound attempt's start. One that fails (no
        heap for its Callout, a bug) is its line's fault, as a call's is: the
        line released, the job due again, the other line's call and the board
        go on (a restart of the App would drop them)."""
        lc = self._ob_line
        try:
            if lc is not None:
                self._outbound_next()
            else:
                self._start_outbound()
        except Exception as e:  # noqa: BLE001 - a fault in one attempt must not stop the board
            lc = lc or self._ob_line
            self._ob_line = self._ob_job = None
            if lc is None:
                self.events.emit("error", error="outbound: " + repr(e)[:100])
                return
            lc.forget_callout()
            self._fault(lc, e)

    def _outbound_next(self):
        lc = self._ob_line
        if lc.state != _IDLE or lc.ringdet.ringing:
            # a call rang in on the line in between: it wins, as it would a
            # block later (callout.py step_agent); the job comes due again
            self._ob_line = self._ob_job = None
            lc.forget_callout()
            return
        if lc.callout is None:
            if not self._ob_packed:
                # the Callout next block is the run's peak (5-6 KB of code and objects,
                # some 300-400 bytes each): made right after a collection it packs into
                # the lowest holes, not above the garbage of the blocks before (heap.md
                # "Branch frag"); the collection (0.3-0.6 ms here) in a block of its own
                gc.collect()
                self._ob_packed = True
                return
            lc.make_callout()
            return
        job = self._ob_job
        self._ob_line = self._ob_job = None
        lc.start_outbound(self.dialer, job, self.clock.ms)

    def free_agent(self, target, joined):
        """The extension to reserve for an outbound call to `target` (a group or
        an extension): free, available, out of wrap-up, longest idle first;
        `joined` (a port bit mask) narrows a campaign to the agents who joined."""
        exts = self.cfg.get("extensions") or {}
        g = (self.cfg.get("groups") or {}).get(target)
        members = g.get("members", []) if g is not None else ([target] if target in exts else [])
        t = self.clock.ms
        best = None
        best_idle = 0
        for ext in members:
            e = exts.get(ext)
            p = e.get("port", -1) if e is not None else -1
            if not 0 <= p < self.hal.n_exts:
                continue
            if joined is not None and p < 8 and not (joined >> p) & 1:
                continue
            if not self.ports.free(self.hal, p) or not self.agents.can_ring(p, t, True):
                continue
            if best is None or self.agents.idle_since[p] < best_idle:
                best = ext
                best_idle = self.agents.idle_since[p]
        return best

    def _fault(self, lc, e):
        """A bug or a bad input broke one line's call: release that line (never
        leave the office's number blocked), log it, and carry on; a board that
        keeps faulting is reset by the main loop (_FAULTS_BEFORE_RESET)."""
        self.faults += 1
        self.events.emit("error", line=lc.line + 1, call=lc.call, error=repr(e)[:120])
        t = self.clock.ms
        if t - self._fault_window_t > _FAULT_WINDOW_MS:
            self._fault_window_t = t
            self._fault_window_n = 0
        self._fault_window_n += 1
        try:
            lc.force_release(self.clock.ms)
        except Exception as e2:  # noqa: BLE001 - last resort: the hardware side alone
            self.events.emit("error", line=lc.line + 1, error="release: " + repr(e2)[:100])
            lc.hal.set_hook(lc.line, False)
        if self._fault_window_n >= _FAULTS_BEFORE_RESET:
            # the same fault again and again: a fresh start is the safest state
            # (supervisor.py resets the board; the emulated one restarts its app)
            self.events.emit("error", error="%d faults in %d s: restarting" % (
                self._fault_window_n, _FAULT_WINDOW_MS // 1000))
            raise Reboot("faults")

    def busy_lines(self):
        """[(line, state name, call id)] of the lines not idle (what the REPL would cut)."""
        return [(lc.line + 1, lc.state_name(), lc.call) for lc in self.lines if lc.state != _IDLE]

    def cut_calls(self, reason):
        """Release every line now, each call's record kept (the REPL was forced)."""
        if self.dialer is not None:
            self.dialer.finish_ended()   # a call-back answered in this very block: closed first
        for lc in self.lines:
            if lc.state != _IDLE:
                lc.force_release(self.clock.ms, reason)

    def purge(self):
        """Retention (the config's records: retention_days): what is older goes
        from the records, the call-back list, the event ring and the last
        caller. Runs off the block path's calls: once an hour while idle."""
        self._purge_ms = self.clock.ms
        days = self.records.retention_days
        age_ms = days * 86400000
        gone = {"records": 0, "callbacks": 0}
        utc = self.wall_clock()
        if utc >= _UTC_SET:   # an unset clock cannot say what is old: the board's own ms still can
            before = utc - days * 86400
            gone["records"] = self.records.expire(before)
            gone["callbacks"] = self.callbacks.expire(before)
        cut_ms = self.clock.ms - age_ms
        gone["events"] = self.events.forget_before(cut_ms) if cut_ms > 0 else 0
        bs = self.board
        gone["last_caller"] = bs.last_caller is not None and bs.last_caller_ms < cut_ms
        if gone["last_caller"]:
            bs.last_caller = None
        if gone["records"] or gone["callbacks"] or gone["events"] or gone["last_caller"]:
            self.events.emit("purged", days=days, records=gone["records"], callbacks=gone["callbacks"],
                             events=gone["events"], last_caller=gone["last_caller"])
        return gone

    def idle(self):
        """No call on any line: a new config may be switched in now."""
        return not self._busy[0]

    def quiet_until(self):
        """The first block after this one in which the board may have something to
        do, if every line stays idle and the inputs stay as they are now: the blocks
        before it would step to no effect (the emulated board skips them: run,
        HalBase.skip_to). hal.block + 1: something may happen in the next block."""
        b = self.hal.block
        nxt = b + 1
        if self._busy[0] or self._ob_line is not None or self.callbacks.unsaved or (
                self.dialer is not None and len(self.dialer.ending)):
            return nxt
        for lc in self.lines:
            if lc.enabled and not lc.inbound.idle_still():
                return nxt
        if (self.hooks is not None and not self.hooks.still()) or (
                self._ext_dtmf is not None and not self.extdial.still()) or self.records.busy():
            return nxt
        until = -1   # board ms: the earliest deadline of a part that has one
        due = self.agents.next_due()
        if due >= 0:
            until = due
        con = self.console
        if con is not None:
            due = con.quiet_until()
            if due == 0:
                return nxt
            if due > 0 and (until < 0 or due < until):
                until = due
        last = b + _QUIET_MAX_BLOCKS
        if until >= 0 and until // 10 < last:
            last = until // 10   # (a block at or before the deadline: early costs one idle step)
        if self.dialer is not None or self._agents_unlogged:
            n = (b // _CALLBACK_CHECK_BLOCKS + 1) * _CALLBACK_CHECK_BLOCKS
            if n < last:
                last = n
        if self.records.retention_days:
            n = (b // _PURGE_CHECK_BLOCKS + 1) * _PURGE_CHECK_BLOCKS
            if n < last:
                last = n
        return last if last > nxt else nxt

    def run(self, after=None):
        """One step a block until the world stops; after(): supervisor.py's garbage
        collection policy, given the block once the step is done. On a board that
        skips (the emulator) the idle blocks with nothing due are not stepped
        (quiet_until), nor given to after(): they allocate nothing."""
        hal = self.hal
        skips = hal.skips
        try:
            while hal.next_block():
                self.step()
                if after is not None:
                    after()
                if skips and not self._busy[0]:
                    b = self.quiet_until()
                    if b > hal.block + 1:
                        hal.skip_to(b)
        except (Reboot, KeyboardInterrupt) as e:
            self.records.flush()   # a reset, the REPL: the queued records first
            if not isinstance(e, Reboot) or e.why != "factory":
                self.callbacks.save()   # and a call-back request of this block (not onto a wiped flash)
            raise
        self.records.flush()       # the emulated world stopped
        self.callbacks.save()
