# Feature codes dialled on an extension phone (*81 night, *82 day, *80 back
# to the schedule, *89 block the last caller: the config's feature_codes).
#
# Timeline of one session (the extension's own audio reaches the codec
# through an idle trunk line's pair, joined to it in the crosspoint while that
# line is on-hook):
#   extension lifted, not in a call, a line idle
#     -> join port to the idle line's pair, dial tone to the phone   (_DIALTONE)
#   first key -> dial tone stops; keys collected                     (_DIGITS)
#   the digits match a code -> apply it, confirmation tone           (_DONE)
#   no match possible, or _DIGIT_TIMEOUT_MS without a key -> reorder (_DONE)
#   block-last after a call without a number (nothing to block) -> reorder (_DONE)
#   pick-up with a call ringing another phone -> the pair is split and the
#     line's call takes this phone (inbound.picked_up); none ringing -> reorder (_DONE)
#   an extension's number, with an `intercom` section -> that phone rings (_CALL:
#     call/intercom.py has its states); busy, DND, logged out -> the busy tone
#   extension hung up (on-hook longer than a flash, line/hookflash.py, when the
#     board has the detector: a transfer or an intercom section) -> the pair is split
#   a call rings that line -> the session moves to another free pair (its phones
#     split and joined in the same block), else: two phones talking (intercom
#     I_TALK) keep the pair and hear the call-waiting tone while the line holds off
#     answering; any other session ends (the caller wins) and the line is free
# The pair: the idle line the exchange would ring last (it hunts the office's lines
# from line 1, so the highest-numbered free line is the one least likely to ring).
# The line's pair is lent to the session meanwhile (LineCall.lent): no transfer,
# call-back or DISA leg takes it, and a call ringing it is answered once it is back.
# A flash (a short on-hook) is never a hang-up and means nothing here: the
# session and an intercom call go on as if it had not happened.
from rrfw.dsp import tonegen

_IDLE = const(0)
_DIALTONE = const(1)
_DIGITS = const(2)
_DONE = const(3)
_CALL = const(4)     # an intercom call (intercom.py) holds the session

_DIGIT_TIMEOUT_MS = const(4000)   # ms without a key before the session gives up
_MAX_CODE = const(6)              # digits in the longest feature code
# Tones to the extension, (Hz, cadence ms, dBm0): dial tone 350+440 Hz
# continuous (ANSI T1.401 precise tone plan); confirmation: three short beeps
# of 440 Hz (a common PBX "stutter" acknowledgment); error: reorder 480+620 Hz
# at 250/250 ms (T1.401).
_DIAL_TONE = ((350, 440), (), -13)
_CONFIRM_TONE = ((440,), (100, 100, 100, 100, 100, 2000), -13)
_ERROR_TONE = ((480, 620), (250, 250), -24)
# call waiting: 440 Hz bursts of 300 ms (Telcordia GR-506-CORE's call-waiting
# tone), here every 10 s while a call rings the pair's line (the confirmation's table)
_WAITING_CADENCE = (300, 9700)


class ExtDial:
    def __init__(self, hal, cfg, emit, apply_code):
        self.hal = hal
        self.cfg = cfg
        self.emit = emit
        self.apply_code = apply_code      # app.feature_code(cfg, code, port) -> (what, value) or None
        self.codes = cfg.get("feature_codes") or {}
        self.dial = tonegen.ToneGen(_DIAL_TONE[0], _DIAL_TONE[1], _DIAL_TONE[2])
        self.ok = tonegen.ToneGen(_CONFIRM_TONE[0], _CONFIRM_TONE[1], _CONFIRM_TONE[2])
        self.err = tonegen.ToneGen(_ERROR_TONE[0], _ERROR_TONE[1], _ERROR_TONE[2])
        self.state = _IDLE
        self.port = -1
        self.line = -1
        self.digits = ""
        self.t_key = 0
        self.tone = None
        self._was_off = 0     # ports seen off-hook last block (edge detection)
        self._ports = None    # router.Ports (given with every step)
        self._lines = None    # the LineCall objects (given with every step)
        self._lc = None       # the LineCall whose idle pair this session uses (lent to it)
        self.hooks = None     # line/hookflash.HookFlash (set by App): a flash is not a hang-up
        self.intercom = None  # intercom.Intercom: extension numbers dialled here ring that phone
        if cfg.get("intercom") is not None:
            from rrfw.call import intercom
            self.intercom = intercom.Intercom(hal, cfg, emit)
            self.intercom.waiting_tone = tonegen.ToneGen(_CONFIRM_TONE[0], _WAITING_CADENCE, _CONFIRM_TONE[2],
                                                         like=self.ok)

    def _ext_of(self, port):
        for ext, e in self.cfg.get("extensions", {}).items():
            if e.get("port") == port:
                return ext
        return None

    def still(self):
        """No session, and step() returns at once while the phones' hooks stay as
        they are (App.quiet_until)."""
        return self.state == _IDLE and (
            (not self.codes and self.intercom is None) or self.hal.ext_hooks() == self._was_off)

    def step(self, t, lines, ports, dtmf):
        """Once per block. lines: the LineCall objects; ports: router.Ports."""
        hal = self.hal
        self._ports = ports
        self._lines = lines
        if self.state == _IDLE:
            if not self.codes and self.intercom is None:
                return
            if hal.ext_hooks() == self._was_off:
                return      # no phone lifted or put down: the idle block
            for p in range(hal.n_exts):
                bit = 1 << p
                off = hal.ext_offhook(p)
                lifted = off and not (self._was_off & bit)
                self._was_off = (self._was_off | bit) if off else (self._was_off & ~bit)
                if lifted and not (ports.engaged & bit):
                    self._start(t, p, lines, ports, dtmf)
                    return
            return
        hooks = self.hooks
        if not (hal.ext_offhook(self.port) if hooks is None else hooks.offhook(self.port)):
            self.end(t, ports, "caller_hangup")
            return
        waiting = False
        if lines[self.line].state != 0:       # states.IDLE no more: a call rings that line
            o = self._free_pair(lines)
            if o is not None:
                self._move(t, o)
            elif self.state == _CALL and self.intercom.talking():
                waiting = True                # the line holds off answering until the pair is back
            else:
                self.end(t, ports, "cut")
                return
        rx = hal.rx[self.line]
        tx = hal.tx[self.line]
        if self.state == _CALL:
            self.intercom.step(t, tx, waiting)
            return
        if self.state != _DONE:
            dtmf.process(rx, t, tx)
            ev = dtmf.pop()
            if ev is not None:
                self.digits += ev["digit"]
                self.t_key = t
                self.state = _DIGITS
                self._match(t)
            elif self.state == _DIGITS and t - self.t_key >= _DIGIT_TIMEOUT_MS:
                self._finish(t, None)
        if self.state == _DIALTONE:
            self.dial.fill(tx, t)
        elif self.tone is not None:
            self.tone.fill(tx, t)
        else:
            for i in range(80):
                tx[i] = 0

    def _free_pair(self, lines):
        """The free pair the exchange is least likely to ring: the highest-numbered
        line idle, not ringing and not lent (the exchange hunts from line 1), or None."""
        i = len(lines) - 1
        while i >= 0:
            if lines[i].free_for_outside_leg():
                return lines[i]
            i -= 1
        return None

    def _move(self, t, lc):
        """A call rings the session's line: its phones go to lc's pair in this block."""
        hal = self.hal
        old = self._lc
        hal.xconnect(old.line, self.port, False)
        tx = hal.tx[old.line]
        for i in range(80):
            tx[i] = 0
        old.lent = None                       # the line answers its call once it is due
        lc.lent = self
        self._lc = lc
        self.line = lc.line
        hal.xconnect(lc.line, self.port, True)
        if self.state == _CALL:
            self.intercom.move(t, lc)
        self.emit("ext_pair", ext=self._ext_of(self.port), from_line=old.line + 1, to_line=lc.line + 1,
                  why="ring")

    def _start(self, t, port, lines, ports, dtmf):
        lc = self._free_pair(lines)
        if lc is not None:
            lc.lent = self
            self._lc = lc
            self.port = port
            self.line = lc.line
            self.digits = ""
            self.t_key = t
            self.tone = None
            self.state = _DIALTONE
            ports.engaged |= 1 << port
            self.hal.xconnect(lc.line, port, True)
            dtmf.reset()
            self.dial.start(t)
            return

    def _match(self, t):
        d = self.digits
        if d in self.codes:
            self._finish(t, d)
            return
        ic = self.intercom
        if ic is not None and ic.is_number(d):
            self.state = _CALL
            self.tone = None
            ic.start(t, self.port, self._ext_of(self.port), d, self._lc, self._lines, self._ports)
            return
        for code in self.codes:
            if code.startswith(d):
                return                  # could still become a code: wait for more
        if ic is not None and ic.could_be(d):
            return                      # could still become an extension's number
        self._finish(t, None)

    def _finish(self, t, code):
        result = self.apply_code(self.cfg, code, self.port) if code is not None else None
        ext = self._ext_of(self.port)
        if result is None:
            self.emit("feature_code", ext=ext, code=self.digits, ok=False)
            self.tone = self.err
        elif result[0] == "pickup":
            # the phone leaves this session's line and takes the ringing call
            # (result: ("pickup", rung exts, the line's inbound)); no tone: the caller is there
            port = self.port
            ext_ = ext
            self.emit("feature_code", ext=ext, code=code, ok=True, what="pickup", value=result[1])
            self.end(t, self._ports)
            result[2].picked_up(t, port, ext_)
            return
        elif result[0] == "block_last" and result[1] is None:
            # the last call had no number (withheld, unavailable, none sent): nothing to block
            self.emit("feature_code", ext=ext, code=code, ok=False, what="block_last", why="nothing_to_block")
            self.tone = self.err
        else:
            self.emit("feature_code", ext=ext, code=code, ok=True, what=result[0], value=result[1])
            self.tone = self.ok
        self.tone.start(t)
        self.state = _DONE

    def end(self, t, ports, why="caller_hangup"):
        """The session is over (why, for an intercom call: caller_hangup, cut)."""
        hal = self.hal
        if self.state == _CALL:
            self.intercom.end(t, why)
        hal.xconnect(self.line, self.port, False)
        tx = hal.tx[self.line]
        for i in range(80):
            tx[i] = 0
        ports.engaged &= ~(1 << self.port)
        if self._lc is not None:
            self._lc.lent = None
            self._lc = None
        self.state = _IDLE
        self.port = -1
        self.line = -1
