# Measurement hooks of the emulated board, for the host's benchmarks and the
# heap gate (never on the real board: rremu does not ship). Off unless the
# runner passes a flag after main.py's own arguments:
#   --heapstat        collect garbage at every block and keep the live heap
#                     after boot, its peak and its last value; printed to
#                     stderr at the end as "heapstat boot B peak P final F free_min M"
#   --steptime FILE   write one 9-byte entry per block to FILE: the time from
#                     the end of one hal.next_block() to the start of the next
#                     (= one App.step(), in microseconds, "<I"), what the step
#                     did ("<B" bits: 1 a record closed or one of the RECORD_AFTER
#                     blocks after it, where store/records.py writes it a slice a
#                     block; 2 a prompt started (play()); 4 hashed a slice of a PIN, hal.set_busy; 8 an App
#                     booted in between: the time is the boot's, not a step's; 16 the
#                     garbage collector ran within the step: gc.mem_alloc() fell;
#                     32 the step emitted an event; 64 the block after a prompt
#                     started, where call/player.py opens its first file)
#                     and gc.mem_alloc() as the step began ("<I")
#   --heaplog FILE    one text line per block whose live heap after gc moved
#                     by 256 bytes or more since the last line: "block live
#                     delta" and the names of the events emitted in between,
#                     then "+modules imported -modules unloaded" since the last
#                     line (implies --heapstat): where the heap grows, and why
#   --heapevery N     every N blocks collect garbage and write "heapsample BLOCK LIVE"
#                     to stderr at once (a long run, a power cut: the samples so far stay)
#   --oomtrace        the first MemoryError out of an App's step or a line's step
#                     (app.py catches the line's, supervisor.py the App's, neither keeps
#                     the traceback): "oomtrace BLOCK" to stderr, its traceback, the
#                     live and free heap after a collection, then micropython.mem_info(1)
#                     (the block map, to stdout: the console's stream) taken before the
#                     collection, where the allocation failed; then the error goes on.
#                     Wrapped at the first block, so the boot's heap is as without it
#   --heapmap B,B,..  at the start of each of those blocks collect garbage, write
#                     "heapmap BLOCK" to stderr and micropython.mem_info(1) to stdout
#                     (the console's stream): which blocks stay, where, among what holes
# All measure the firmware, not themselves: the collection and the file write
# happen inside next_block, outside the timed step.
import gc
import struct
import sys
import time

F_RECORD = 1
F_PROMPT = 2
F_PIN = 4
F_BOOT = 8         # an App booted in between (a power cut, a config switched in): not one step
F_GC = 16          # a collection within the step (automatic, or the firmware's own)
F_EVENT = 32       # the step emitted an event
F_OPEN = 64        # the block after a prompt's start: its first file opened (call/player.py)
ENTRY = "<IBI"     # us, flags, mem_alloc at the step's start
ENTRY_SIZE = 9
RECORD_AFTER = 4   # blocks after a record's close: encode, append, index, trim (store/records.py)
_CHUNK = 1000   # entries buffered before a file write


class Probe:
    def __init__(self, heapstat, steptime, heaplog=None, every=0, oomtrace=False, maps=()):
        self.every = every
        # --heapevery alone lets the board skip a quiet run's idle blocks (rremu/board.py:
        # never past a sample's block); the others time, collect or log every block
        self.skips = every > 0 and not (heapstat or steptime or heaplog or oomtrace or maps)
        self._oom = oomtrace   # still to wrap the steps (the first block), then False
        self._maps = maps      # blocks to print the heap's block map at (--heapmap)
        self._count = 0
        self.heapstat = heapstat or heaplog is not None
        self._log = open(heaplog, "w") if heaplog else None
        self._logged = 0
        self._names = []
        self._mods = None
        self._block = 0
        self.boot = -1
        self.peak = 0
        self.final = 0
        self.free_min = -1
        self._f = open(steptime, "wb") if steptime else None
        # event() needs the event's text, a copy of up to ~600 bytes (rremu/board.py):
        # the heap figures and maps are taken without it, as the board runs
        self.reads_events = bool(steptime) or heaplog is not None
        self._buf = bytearray(ENTRY_SIZE * _CHUNK) if steptime else None
        self._n = 0
        self._t = -1
        self._alloc = 0       # gc.mem_alloc() as the timed step began
        self._flags = 0
        self._rec_left = 0    # blocks still flagged F_RECORD after a record closed
        self._opening = False   # a prompt started in the last step: this one opens its file
        self._ticks = getattr(time, "ticks_us", None)
        self.hal = None   # the board (rremu/board.py sets it): which block a sample is of

    def enter(self):
        """At the start of next_block: the step that just ran is over."""
        if self._f is not None and self._t >= 0 and self._ticks is not None:
            dt = time.ticks_diff(self._ticks(), self._t)
            if self._flags & F_RECORD:
                self._rec_left = RECORD_AFTER
            elif self._rec_left:
                self._rec_left -= 1
                self._flags |= F_RECORD
            if self._opening:
                self._flags |= F_OPEN
            self._opening = self._flags & F_PROMPT
            if self.hal is not None and self.hal.busy:
                self._flags |= F_PIN
            if gc.mem_alloc() < self._alloc:
                self._flags |= F_GC   # only a collection makes the allocated bytes fall
            struct.pack_into(ENTRY, self._buf, ENTRY_SIZE * self._n, dt, self._flags, self._alloc)
            self._n += 1
            if self._n == _CHUNK:
                self._f.write(self._buf)
                self._n = 0
        self._flags = 0
        if self._oom:
            self._oom = False
            _wrap_steps(self)
        if self._maps and self._block_now() in self._maps:
            import micropython
            gc.collect()
            sys.stderr.write("heapmap %d\n" % self._block_now())
            print("heapmap %d" % self._block_now())
            micropython.mem_info(1)
        if self.every:
            self._count += 1
            if self._count >= self.every:
                self._count = 0
                gc.collect()
                sys.stderr.write("heapsample %d %d\n" % (self._block_now(), gc.mem_alloc()))
        if self.heapstat:
            gc.collect()
            live = gc.mem_alloc()
            free = gc.mem_free()
            if self.boot < 0:
                self.boot = live
            if live > self.peak:
                self.peak = live
            self.final = live
            if self._log is not None:
                self._block += 1
                if abs(live - self._logged) >= 256:
                    mods = set(sys.modules)
                    new = sorted(mods - self._mods) if self._mods is not None else ()
                    gone = sorted(self._mods - mods) if self._mods is not None else ()
                    self._mods = mods
                    self._log.write("%d %d %d %s +%s -%s\n" % (self._block, live, live - self._logged,
                                                        " ".join(self._names), ",".join(new), ",".join(gone)))
                    self._logged = live
                self._names = []
            if self.free_min < 0 or free < self.free_min:
                self.free_min = free

    def skip_room(self, n):
        """n blocks to skip (rremu/board.py), cut so the next sample's block is
        stepped; the enters of the ones skipped counted as made."""
        if self.every:
            room = self.every - self._count
            if n > room:
                n = room
            self._count += n - 1
        return n

    def _block_now(self):
        return self.hal.block if self.hal is not None else -1

    def leave(self):
        """At the end of next_block: the next step starts now."""
        if self.hal is not None and self.hal.busy:
            self._flags |= F_PIN    # a slice is due in the step that starts now
        if self._f is not None and self._ticks is not None:   # only --steptime reads the clock
            self._alloc = gc.mem_alloc()
            self._t = self._ticks()

    def event(self, text):
        # text: the event's JSON (str)
        if self._log is not None:
            i = text.find('"event": "')
            if i >= 0:
                self._names.append(text[i + 10:text.find('"', i + 10)])
        self._flags |= F_EVENT
        if '"event": "boot"' in text:
            self._flags |= F_BOOT
        if '"event": "record"' in text:
            self._flags |= F_RECORD
        elif '"event": "prompt"' in text:
            self._flags |= F_PROMPT

    def finish(self):
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._f is not None:
            self._f.write(memoryview(self._buf)[:ENTRY_SIZE * self._n])
            self._f.close()
            self._f = None
        if self.heapstat:
            sys.stderr.write("heapstat boot %d peak %d final %d free_min %d\n" % (
                self.boot, self.peak, self.final, self.free_min))


def make(argv):
    """A Probe when the runner asked for one, else None (no cost)."""
    heapstat = "--heapstat" in argv
    steptime = arg(argv, "--steptime")
    heaplog = arg(argv, "--heaplog")
    every = int(arg(argv, "--heapevery") or 0)
    oomtrace = "--oomtrace" in argv
    maps = tuple(int(b) for b in (arg(argv, "--heapmap") or "").split(",") if b)
    if not heapstat and steptime is None and heaplog is None and not every and not oomtrace and not maps:
        return None
    if not hasattr(gc, "mem_alloc"):
        # CPython (the cpython engine): no MicroPython heap to measure, nor ticks_us;
        # the run goes on unmeasured (before, the sample's AttributeError stopped the
        # App at its first block, and the board fell back twice to safe mode and died)
        sys.stderr.write("probe: no heap or step figures under this engine\n")
        return None
    return Probe(heapstat, steptime, heaplog, every, oomtrace, maps)


def _wrap_steps(pr):
    """--oomtrace: App.step and LineCall.step wrapped to report the first MemoryError."""
    done = []

    def report(e):
        if done:
            return
        done.append(1)
        import micropython
        sys.stderr.write("oomtrace %d\n" % pr._block_now())
        sys.print_exception(e, sys.stderr)
        micropython.mem_info(1)   # before the collection: the holes the allocation found
        gc.collect()
        sys.stderr.write("oomtrace live %d free %d\n" % (gc.mem_alloc(), gc.mem_free()))

    def wrap(cls):
        inner = cls.step

        def step(self):
            try:
                inner(self)
            except MemoryError as e:
                report(e)
                raise
        cls.step = step

    for name, cls in (("rrfw.call.app", "App"), ("rrfw.call.linecall", "LineCall")):
        mod = sys.modules.get(name)
        if mod is not None:
            wrap(getattr(mod, cls))


def arg(argv, name):
    """The value after `name` in argv, else None (the emulated board's options too)."""
    if name in argv:
        i = argv.index(name)
        if i + 1 < len(argv):
            return argv[i + 1]
    return None
