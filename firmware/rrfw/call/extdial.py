# Feature codes dialled on an extension phone (*81 night, *82 day, *80 back
# to the schedule, *89 block the last caller: the config's feature_codes).
#
# Timeline of one session (the extension's own audio reaches the codec
# through an idle trunk line's pair, joined to it in the crosspoint while that
# line is on-hook):
#   extension lifted, not in a call, a line idle
#     -> join port to the idle line's pair, dial tone to the phone   (DIALTONE)
#   first key -> dial tone stops; keys collected                     (DIGITS)
#   the digits match a code -> apply it, confirmation tone           (DONE)
#   no match possible, or DIGIT_TIMEOUT_MS without a key -> reorder (DONE)
#   block-last after a call without a number (nothing to block) -> reorder (DONE)
#   pick-up with a call ringing another phone -> the pair is split and the
#     line's call takes this phone (inbound.picked_up); none ringing -> reorder (DONE)
#   an extension's number, with an `intercom` section -> that phone rings (CALL:
#     call/intercom.py has its states); busy, DND, logged out -> the busy tone
#   extension hung up, or a call rings that line -> the pair is split again
# The line's pair is lent to the session meanwhile (LineCall.lent): no transfer,
# call-back or DISA leg takes it, and a call ringing it is answered once it is back.
# A call ringing in always wins: the session ends at once and the line is free.
from rrfw.compat import const
from rrfw.dsp import tonegen

IDLE = const(0)
DIALTONE = const(1)
DIGITS = const(2)
DONE = const(3)
CALL = const(4)     # an intercom call (intercom.py) holds the session

DIGIT_TIMEOUT_MS = const(4000)   # ms without a key before the session gives up
MAX_CODE = const(6)              # digits in the longest feature code
# Tones to the extension, (Hz, cadence ms, dBm0): dial tone 350+440 Hz
# continuous (ANSI T1.401 precise tone plan); confirmation: three short beeps
# of 440 Hz (a common PBX "stutter" acknowledgment); error: reorder 480+620 Hz
# at 250/250 ms (T1.401).
DIAL_TONE = ((350, 440), (), -13)
CONFIRM_TONE = ((440,), (100, 100, 100, 100, 100, 2000), -13)
ERROR_TONE = ((480, 620), (250, 250), -24)


class ExtDial:
    def __init__(self, hal, cfg, emit, apply_code):
        self.hal = hal
        self.cfg = cfg
        self.emit = emit
        self.apply_code = apply_code      # app.feature_code(cfg, code, port) -> (what, value) or None
        self.codes = cfg.get("feature_codes") or {}
        self.dial = tonegen.ToneGen(DIAL_TONE[0], DIAL_TONE[1], DIAL_TONE[2])
        self.ok = tonegen.ToneGen(CONFIRM_TONE[0], CONFIRM_TONE[1], CONFIRM_TONE[2])
        self.err = tonegen.ToneGen(ERROR_TONE[0], ERROR_TONE[1], ERROR_TONE[2])
        self.state = IDLE
        self.port = -1
        self.line = -1
        self.digits = ""
        self.t_key = 0
        self.tone = None
        self._was_off = 0     # ports seen off-hook last block (edge detection)
        self._ports = None    # router.Ports (given with every step)
        self._lines = None    # the LineCall objects (given with every step)
        self._lc = None       # the LineCall whose idle pair this session uses (lent to it)
        self.intercom = None  # intercom.Intercom: extension numbers dialled here ring that phone
        if cfg.get("intercom") is not None:
            from rrfw.call import intercom
            self.intercom = intercom.Intercom(hal, cfg, emit)

    def _ext_of(self, port):
        for ext, e in self.cfg.get("extensions", {}).items():
            if e.get("port") == port:
                return ext
        return None

    def step(self, t, lines, ports, dtmf):
        """Once per block. lines: the LineCall objects; ports: router.Ports."""
        hal = self.hal
        self._ports = ports
        self._lines = lines
        if self.state == IDLE:
            if not self.codes and self.intercom is None:
                return
            for p in range(hal.n_exts):
                bit = 1 << p
                off = hal.ext_offhook(p)
                lifted = off and not (self._was_off & bit)
                self._was_off = (self._was_off | bit) if off else (self._was_off & ~bit)
                if lifted and not (ports.engaged & bit):
                    self._start(t, p, lines, ports, dtmf)
                    return
            return
        lc = lines[self.line]
        if not hal.ext_offhook(self.port) or lc.state != 0:   # hung up, or a call rings that line
            self.end(t, ports, "caller_hangup" if lc.state == 0 else "cut")
            return
        rx = hal.rx[self.line]
        tx = hal.tx[self.line]
        if self.state == CALL:
            self.intercom.step(t, tx)
            return
        if self.state != DONE:
            dtmf.process(rx, t, tx)
            ev = dtmf.pop()
            if ev is not None:
                self.digits += ev["digit"]
                self.t_key = t
                self.state = DIGITS
                self._match(t)
            elif self.state == DIGITS and t - self.t_key >= DIGIT_TIMEOUT_MS:
                self._finish(t, None)
        if self.state == DIALTONE:
            self.dial.fill(tx, t)
        elif self.tone is not None:
            self.tone.fill(tx, t)
        else:
            for i in range(80):
                tx[i] = 0

    def _start(self, t, port, lines, ports, dtmf):
        for lc in lines:
            if lc.state == 0 and not lc.ringdet.ringing and lc.lent is None:   # linecall.IDLE, pair free
                lc.lent = self
                self._lc = lc
                self.port = port
                self.line = lc.line
                self.digits = ""
                self.t_key = t
                self.tone = None
                self.state = DIALTONE
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
            self.state = CALL
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
        self.state = DONE

    def end(self, t, ports, why="caller_hangup"):
        """The session is over (why, for an intercom call: caller_hangup, cut)."""
        hal = self.hal
        if self.state == CALL:
            self.intercom.end(t, why)
        hal.xconnect(self.line, self.port, False)
        tx = hal.tx[self.line]
        for i in range(80):
            tx[i] = 0
        ports.engaged &= ~(1 << self.port)
        if self._lc is not None:
            self._lc.lent = None
            self._lc = None
        self.state = IDLE
        self.port = -1
        self.line = -1
