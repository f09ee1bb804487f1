# NTT's caller-ID handshake (Japan, "Number Display"): the exchange rings the CAR
# signal (short bursts, 0.5 s on / 0.5 s off) instead of the ring; the terminal
# answers it (primary response: the loop closed), the exchange sends the caller
# ID as V.23 FSK on the closed loop, the terminal hangs up again ("reception
# complete"), and the exchange then rings normally (IR). An exchange that gets no
# primary response within 6 s rings without caller ID. Sources: see _jp in
# line/profiles.py.
#
#   WAIT ──a ring burst of CAR length ended──▶ OFFHOOK ──caller ID read (+ _HOLD_MS),
#     ▲     (on_ms x 0.6 .. x 1.5)                │     or _DATA_MS without it──┐
#     └────────────────────────── on-hook: the ringing that follows is a ring ◀┘
#
# Entry actions: OFFHOOK closes the loop (offhook = True; the decoder listens);
# leaving it opens the loop and tells the caller `done` once (the ring detector
# starts afresh). One deadline per state: OFFHOOK's; WAIT has none.
# Runs per block on plain ints: nothing allocated.

_GAP_MS = const(100)       # ms without a pulse that ends a burst (line/ringdet.py's figure)
_DATA_MS = const(4000)     # ms off-hook waiting for the data: it follows the primary response at
                           # once (about 0.3 s of mark and 0.2 s of data here), with margin
_HOLD_MS = const(200)      # ms held after the message: its last bytes and the exchange's check

WAIT = const(0)
OFFHOOK = const(1)


class CarHandshake:
    def __init__(self, car_cadence):
        on = car_cadence[0]
        self.min_ms = on * 3 // 5      # 300 ms for NTT's 500 ms bursts
        self.max_ms = on * 3 // 2      # 750 ms: the IR ring's 1 s bursts are longer
        self.data_ms = _DATA_MS
        self.reset()

    def reset(self):
        self.state = WAIT
        self.offhook = False
        self.deadline = 0
        self.done = False          # set for one step when the handshake ends
        self.cars = 0              # CAR signals answered (for the line's events)
        self._on = False
        self._start = 0
        self._last = 0

    def step(self, pulses, t):
        """One block: the ring-detect pulses; True while the loop must be closed."""
        self.done = False
        if self.state == WAIT:
            if pulses > 0:
                if not self._on:
                    self._on = True
                    self._start = t
                self._last = t
            elif self._on and t - self._last >= _GAP_MS:
                self._on = False
                dur = self._last + 10 - self._start
                if self.min_ms <= dur <= self.max_ms:
                    self.state = OFFHOOK
                    self.offhook = True
                    self.deadline = t + self.data_ms
                    self.cars += 1
        elif t >= self.deadline:
            self.state = WAIT
            self.offhook = False
            self.done = True
            self._on = False
        return self.offhook

    def read(self, t):
        """The caller ID has been read: hang up after _HOLD_MS."""
        if self.state == OFFHOOK and self.deadline > t + _HOLD_MS:
            self.deadline = t + _HOLD_MS
