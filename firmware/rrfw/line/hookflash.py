# Hook flash on the extension phones (the FXS side, the SLIC's switch-hook
# detect): an on-hook too short to be a hang-up is a flash ("recall", "link"),
# the agent's signal to put the caller on hold and dial. One detector for
# every port, stepped once per block before the lines (call/app.py owns it).
#
# Per port (t = ms the hook switch has been open, in whole 10 ms blocks):
#
#   H_ON (on-hook) ──closes──▶ H_OFF (off-hook: a lift)
#   H_OFF ──opens──▶ H_GAP                        (deadline: opened + max_ms)
#   H_GAP ──closes, t < min_ms──▶ H_OFF           a bounce, a dial-pulse break: nothing
#   H_GAP ──closes, min_ms <= t <= max_ms──▶ H_OFF   a flash (the `flashed` bit, one block)
#   H_GAP ──still open after max_ms──▶ H_ON       a hang-up (the `hung` bit, one block)
#   (closed again only after max_ms: a hang-up, then a lift: `hung`, H_OFF)
#
# While in H_GAP the phone still counts as off-hook (offhook()): a flash never
# drops a call, and a hang-up is seen max_ms after the handset went down.
#
# The figures (defaults; the config's transfer flash: [min, max] may change them):
#   min 100 ms: the lowest "Hook Flash Timer Min" of Cisco's SPA112/SPA122
#     adapters (range 0.1-0.4 s); a 10 pps dial pulse's break is about 60 ms
#     (a 60/40 break/make ratio), so pulse dialling and contact bounce stay
#     below it.
#   max 800 ms: TalkSwitch's default accepted flash is 200-800 ms, and "most
#     phones emit a 300 ms flash" (TalkSwitch user manual, Flash Lengths);
#     phones' flash switches commonly give 100, 300 or 600 ms, all inside.
#     Longer costs a slower hang-up (DAHDI accepts up to 1250 ms,
#     DAHDI_DEFAULT_RXFLASHTIME; Cisco's max range reaches 1.6 s).

H_ON = const(0)
_H_OFF = const(1)
_H_GAP = const(2)

FLASH_MIN_MS = const(100)   # ms, shortest on-hook taken as a flash (Cisco SPA112/122 minimum)
FLASH_MAX_MS = const(800)   # ms, longest on-hook taken as a flash (TalkSwitch default)


class HookFlash:
    def __init__(self, hal, min_ms=FLASH_MIN_MS, max_ms=FLASH_MAX_MS):
        self.hal = hal
        self.n = hal.n_exts
        self.min_ms = min_ms
        self.max_ms = max_ms
        self.state = bytearray(self.n)       # H_ON at boot: a phone off-hook then is a lift
        self.t_open = [0] * self.n           # board ms the hook switch opened (_H_GAP)
        self.flashed = 0                     # ports that flashed in this block (bit per port)
        self.hung = 0                        # ports that hung up in this block
        self.flashes = 0                     # flashes seen since boot (status, tests)
        self._seen = 0                       # the switches' mask as last stepped
        self._gaps = 0                       # ports in _H_GAP (bit per port): timing a gap

    def still(self):
        """step() does nothing while the switches stay as they are: none moved, no
        gap being timed, no flash or hang-up left from the last block (App.quiet_until)."""
        return not (self.flashed or self.hung or self._gaps) and self.hal.ext_hooks() == self._seen

    def step(self, t):
        """Once per block, after the HAL has read the hook switches."""
        hal = self.hal
        self.flashed = 0
        self.hung = 0
        m = hal.ext_hooks()
        if m == self._seen and not self._gaps:
            return      # no switch moved and no gap to time: every port stays as it is
        self._seen = m
        st = self.state
        for p in range(self.n):
            s = st[p]
            off = hal.ext_offhook(p)
            if s == _H_OFF:
                if not off:
                    st[p] = _H_GAP
                    self.t_open[p] = t
                    self._gaps |= 1 << p
            elif s == _H_GAP:
                gap = t - self.t_open[p]
                if off:
                    st[p] = _H_OFF
                    self._gaps &= ~(1 << p)
                    if gap > self.max_ms:
                        self.hung |= 1 << p      # down longer than a flash, and lifted again
                    elif gap >= self.min_ms:
                        self.flashed |= 1 << p
                        self.flashes += 1
                elif gap > self.max_ms:
                    st[p] = H_ON
                    self._gaps &= ~(1 << p)
                    self.hung |= 1 << p
            elif off:
                st[p] = _H_OFF

    def offhook(self, port):
        """Off-hook, or on-hook for less than a hang-up takes (maybe a flash)."""
        return self.state[port] != H_ON

    def flash(self, port):
        """The phone at `port` flashed in this block."""
        return bool(self.flashed & (1 << port))
