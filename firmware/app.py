# The appliance: builds one LineCall per trunk line on top of a HAL and runs
# them, one step per 10 ms block (the one clock, ARCHITECTURE.md).
import events as ev_mod
import records as rec_mod
import router
import linecall
from player import Player

VERSION = "0.1.0"


class App:
    def __init__(self, hal, cfg, wall_clock=None):
        self.hal = hal
        self.cfg = cfg
        self.clock = ev_mod.Clock()
        self.events = ev_mod.Events(self.clock)
        self.records = rec_mod.Records()
        self.ports = router.Ports(hal.n_exts)
        self.wall_clock = wall_clock or hal.rtc_utc
        import dtmf
        import ivr
        import ringdet
        import hangup
        cid_cls = linecall._optional("callerid", "CallerIdDecoder")
        self.lines = []
        # Only the lines the config uses get a call (and its decoders' buffers):
        # the rest of the board's lines stay on-hook, costing no heap.
        for i in range(min(hal.n_lines, len(cfg.get("lines", [])))):
            player = Player(i, self._emitter(i))
            self.lines.append(linecall.LineCall(
                i, hal, cfg, self.clock, self.events, self.records, self.ports,
                ivr.Ivr, dtmf.DtmfReceiver, ringdet.RingDetector, hangup.HangupDetector,
                cid_cls, player, self.wall_clock))
        self.console = None  # set by main when the board has a console protocol

    def _emitter(self, line):
        def emit(event, **fields):
            lc = self.lines[line]
            lc.emit(event, **fields)
        return emit

    def step(self):
        hal = self.hal
        self.clock.block = hal.block
        self.clock.ms = hal.block * 10
        for lc in self.lines:
            lc.step()
        if self.console is not None:
            self.console.poll()
        hal.feed_watchdog()

    def run(self):
        while self.hal.next_block():
            self.step()
