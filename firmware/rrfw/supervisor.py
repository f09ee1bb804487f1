# The board's run loop, frozen with the firmware (main.py, a source file on
# the flash, would compile all of it into RAM at every boot: 3.2 KB of the
# heap on mp32-frozen). One pass per (soft) boot: finish an interrupted
# factory reset, make the long-lived buffers, take the first good config,
# start the App and its console, run it; a config that fails to start is
# passed over for the previous one, then the built-in answering mode.
# main.py hands in what only it may pick: the HAL and the emulated REPL.
import gc

from rrfw.compat import unload
from rrfw.errors import Reboot
from rrfw.store import cfgstore


# A config that passes the board's check can still fail to start the App
# (a bug, a value the check does not know): an error out of the start, or out
# of the App within _SETTLE_MS of it, passes that config over and the next
# start takes the previous one, then the built-in answering mode
# (cfgstore.safe), reported by an event and in status. A later error restarts
# the app on the same config (a fault in a call never gets here: app.py).
_SETTLE_MS = const(60000)  # board ms a config must run before an error no longer counts against it
_NO_ROOM = "MemoryError"   # a failure's text when even its repr finds no heap (the handler below)

# A boot that runs out of memory after an App has run in this heap is not
# tried again in it (issue 15): the old App's pieces leave no hole for the
# boot's long-lived buffers (docs/notes/heap.md "Branch frag"), so every try
# fails the same way and no block is stepped; the board resets instead
# (hal.reboot(): machine.reset(), a fresh heap, the flash as it was). In a
# fresh heap a MemoryError is the config's fault: it falls back as above.


def run(make_hal, repl, root, hal=None, check=None):
    """Run the board until the emulated world stops (on the board: for ever).
    make_hal(): the board's HAL, made at the first boot unless `hal` (a test's)
    is given; repl(hal, port, root): the emulated REPL, "stop" to end (a
    Reboot out of it boots again); root: the flash's root directory; check: a
    config check in place of the board's own (a test's weaker one)."""
    board = None   # the board's state (boardstate.py), kept only across a config switch
    failed = []    # [(config source, error)] that did not start, since power-on or a push
    ran = False    # an App has run in this heap (a boot's MemoryError then resets the board)
    while True:  # one pass per (soft) boot; the emulated link survives a soft reset
        a = None
        source = None
        t0 = hal.block if hal is not None else -1
        try:
            if hal is not None:
                hal.reset_outputs()  # what a reset does to the relays and SLICs
            else:
                hal = make_hal()
                t0 = hal.block
            boot_gc(True)
            finish_factory_reset()
            bufs = long_lived()
            cfg, source = take_config(failed, check)
            a = start(hal, cfg, source, board, failed, bufs)
            ran = True
            bufs = None
            boot_gc(False)
            board = a.board
            a.run(GcPolicy(a).after_step)
            return  # the emulated world stopped
        except KeyboardInterrupt:
            # Ctrl-C on idle lines, or the console's REPL request (server.py)
            port = hal.repl_port() if hal is not None else None
            if hal is not None:
                hal.enter_repl()   # Ctrl-C works there; the watchdog fed while it is used
            if port is None:
                raise  # the board: MicroPython's own REPL takes over
            a = None
            board = None   # a soft reset clears RAM
            failed = []
            gc.collect()
            try:
                if repl(hal, port, root) == "stop":
                    return
            except Reboot:
                hal.reboot()   # the emulated watchdog reset the board: the REPL sat idle (rremu/board.py)
        except Reboot as e:
            failed = []    # a new config, a reset: every config gets its chance again
            if e.why != "config":
                board = None   # a reset, a factory reset: nothing of the old RAM stays
                hal.reboot()  # the board: machine.reset()
        except Exception as e:  # noqa: BLE001 - the office's phone must keep answering
            # Nothing here allocates before the failed App and the boot's buffers are
            # let go (issue 15): after a MemoryError the heap may have no room even
            # for the report's text, and an error out of this handler stops the board
            # (65 KB busy run: "allocating 112 bytes" at the report, the App still held)
            booted = a is not None
            settled = booted and hal is not None and (hal.block - t0) * 10 >= _SETTLE_MS
            a = None
            bufs = None
            board = None
            gc.collect()
            if ran and not booted and hal is not None and isinstance(e, MemoryError):
                try:
                    print("ringroute: no memory to boot again (%s): reset" % repr(e)[:80])
                finally:   # (the report itself may find no room)
                    hal.reboot()   # does not return on the board
                # a HAL that cannot reset: the next boot goes on as after one
                ran = False
                failed = []
                continue
            try:
                err = repr(e)[:120]
                print("ringroute: %s stopped: %s" % (source, err))
            except MemoryError:
                # no room even now: the error's name, a constant (print's str
                # arguments are written out as they are, nothing made)
                err = _NO_ROOM
                print("ringroute:", source, "stopped:", err)
            if source == cfgstore.SAFE:
                # nothing left to fall back to (no heap even for safe mode):
                # stop here, the board's watchdog resets it, rather than spin
                raise
            if hal is None or settled:
                pass   # no board to run on yet, or a config that ran fine: the same again
            else:
                failed.append((source, err))
        a = None
        gc.collect()


# Garbage collection at a quiet moment (issue 14: no late block). MicroPython
# collects when an allocation finds no room, which is most likely in a block
# that allocates: one that emits events, writes a record or starts a call-back,
# already the heaviest. A collection costs about 0.2-0.3 ms here (mp32-frozen,
# bench/bench_steptime.py: 4-5 median steps; x30-50 on the board, 6-16 ms),
# whatever the garbage: it marks the live heap and sweeps all of it. So the
# board collects itself, in a block that emitted no event and writes no record,
# while the heap still has _GC_RESERVE free: the busy blocks in between then
# find room. gc.mem_free() walks the heap's allocation table (about 20 us
# here, and the whole heap: 35 % of the emulated demo call's firmware time on
# the 64-bit port's 1 MB heap), so it is asked only every _GC_CHECK_BLOCKS
# blocks, and every _GC_IDLE_CHECK_BLOCKS while no line has a call: an idle
# board allocates only for the console, and no caller hears a late block then.
# The blocks counted are the ones stepped: the emulator skips idle blocks with
# nothing due (App.run), which allocate nothing. A heap with more room than the
# reserve is looked at again only when _GC_BLOCK_BYTES a block could have used
# that room up: the board's 64 KB heap (live 47-58 KB) every 10 blocks as before,
# the emulator's 1 MB one every few hundred (its look cost ~9 us a connected block).
_GC_RESERVE = 16384      # bytes: over twice the most 10 blocks of the busy run allocated (7.7 KB, bench steptime)
_GC_CHECK_BLOCKS = 10    # blocks between two looks at the free heap (100 ms)
_GC_IDLE_CHECK_BLOCKS = 100   # the same with every line idle (1 s)
# (the three above stay globals, not const: tests/late_block_cases.py reads them)
_GC_MIN_GAIN = const(2048)  # bytes allocated since the last collection before another is worth its time
_GC_BLOCK_BYTES = const(4096)  # bytes a block is taken to allocate at most, to space the looks (5x the
                               # busy run's worst 10 blocks' average, bench steptime)


class GcPolicy:
    def __init__(self, a, reserve=_GC_RESERVE):
        self.reserve = reserve   # (a test's larger heap: its own)
        self.events = a.events
        self.records = a.records
        self.idle = a.idle
        self.collections = 0
        self._seq = a.events.seq
        self._n = 0
        self._wait = _GC_CHECK_BLOCKS   # blocks before the next look (more with room to spare)
        self._free = getattr(gc, "mem_free", None)   # MicroPython only: CPython has no heap to watch
        self._after = self._free() if self._free is not None else 0   # free after the last collection

    def after_step(self):
        seq = self.events.seq
        quiet = seq == self._seq
        self._seq = seq
        self._n += 1
        if not quiet or self._n < self._wait or self._free is None:
            return
        if self.records.busy():
            return   # (asked only when a look is due: a call a block saved)
        if self._n < _GC_IDLE_CHECK_BLOCKS and self.idle():
            return
        self._n = 0
        free = self._free()
        if free < self.reserve and free < self._after - _GC_MIN_GAIN:
            gc.collect()
            self.collections += 1
            self._after = free = self._free()
        self._wait = max(_GC_CHECK_BLOCKS, (free - self.reserve) // _GC_BLOCK_BYTES)


# The boot packs the heap (issue 14, docs/notes/heap.md "Branch frag"): left to
# itself MicroPython collects only when an allocation fails, so the boot's
# garbage (the config's text, the checker's code, imports' temporaries) filled
# a 90 KB heap to its top and the App's objects made after it stayed spread over
# all of it: 22 KB free at the first block, the largest hole 3.8 KB. A collection
# every _BOOT_GC_BYTES allocated keeps each new object in the lowest hole: the
# free heap is then one block at the top (21.6 KB of 22.4 KB, --heapmap 1).
_BOOT_GC_BYTES = 2048   # bytes allocated between two collections while the board boots


def boot_gc(on):
    """Frequent collections while booting (on), MicroPython's own rule after (off)."""
    t = getattr(gc, "threshold", None)   # MicroPython only (CPython's gc has no heap to pack)
    if t is not None:
        t(_BOOT_GC_BYTES if on else -1)
    if not on:
        gc.collect()


def long_lived():
    """The board's long-lived buffers (the console's, the event ring), made
    first while the heap is still in one piece: made after the config check's
    transients they may find no hole large enough (docs/notes/heap.md)."""
    from rrfw.console import server
    from rrfw.call import events
    return server.buffers(), bytearray(events.RING_BYTES)


def finish_factory_reset():
    """A factory reset a power cut interrupted is finished before anything
    reads the flash (store/wipe.py); the wipe's code is loaded only then."""
    from rrfw.store import atomic, wipe
    if atomic.exists(wipe.MARKER):
        wipe.finish()
        print("ringroute: finished an interrupted factory reset")
    unload("rrfw.store.wipe")


def take_config(failed, check=None):
    """(config, where it came from): the first good one not yet failed, else safe mode."""
    try:
        from rrfw.store import cfgcheck
        check = check or cfgcheck.check
    except ImportError:  # a build without the checker still boots on a host-validated config
        pass
    gone = [f[0] for f in failed]
    cfg, source = cfgstore.load(check, [n for n in cfgstore.ALL if n not in gone])
    # The checker is needed only while a config is being taken; its code
    # would otherwise hold heap the whole time (the console imports it again
    # for a push).
    check = None
    cfgcheck = None
    unload("rrfw.store.cfgcheck")
    gc.collect()
    if cfg is None and failed:
        return None, cfgstore.SAFE
    return cfg, source


def start(hal, cfg, source, board, failed, bufs):
    """The App on cfg, its console, and the boot (and any fallback) reported."""
    if source == cfgstore.SAFE:
        cfg = cfgstore.safe(hal.n_lines, hal.n_exts, cfgstore.countries(failed[0][0]))
    elif cfg is None:
        # No good config: stay on-hook (the exchange then rolls the call over
        # or the caller hears ringing), but keep the console up for a push.
        print("ringroute: no usable configuration (%s); lines stay idle" % source)
        cfg = {"version": 1, "lines": [], "extensions": {}}
    from rrfw import VERSION
    from rrfw.call import app
    a = app.App(hal, cfg, board=board, ring=bufs[1])
    sink = hal.event_sink()
    if sink is not None:
        a.events.sinks.append(sink)
    from rrfw.console import server
    a.console = server.Console(a, hal, config_source=source, bufs=bufs[0])
    a.console.fallback = failed or None
    a.events.emit("boot", version=VERSION, config=source)
    for name, err in failed:
        a.events.emit("config_fallback", failed=name, error=err, running=source)
    return a
