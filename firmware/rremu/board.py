# HAL for the emulated board: the hardware is the host's virtual world,
# reached over an AF_UNIX socket in lockstep (blockframe.py). The contract
# it fulfils is rrfw/hal/base.py (ARCHITECTURE.md, "The HAL").
#
# Two classes: BoardState is the board itself (codec buffers, hook relays,
# SLICs, crosspoint, RTC, console) with no link behind it, so a test can
# drive its inputs directly (tests/support/standin_hal.py); Hal is that
# board linked to the emulator, which fills the inputs from each input
# frame and sends the outputs back.
import struct
import socket
import sys
from array import array

from rrfw.compat import unload
from rrfw.errors import Reboot
from rrfw.hal import pcm
from rrfw.hal.base import HalBase

# rremu/probe.py's flags (the runner's, after main.py's own arguments): the probe's
# module is imported only when one of them is on the command line, so a run without
# them (the heap gate's) has none of its code in the heap
PROBE_FLAGS = ("--heapstat", "--steptime", "--heaplog", "--heapevery", "--oomtrace", "--heapmap")
# The watchdog, as on the board (hal/esp32.py _WDT_MS): nothing fed it for
# this long and the board resets (main.py starts the app again).
WDT_BLOCKS = 500   # blocks: 5 s
# blockframe's figures as this module's own constants (another module's const
# is an attribute look-up at run time; these fold into the code). blockframe
# itself is imported by Hal.__init__ for the frame sizes, checked against these,
# and forgotten (compat.unload): its module (about 0.6 KB) stays out of the heap
# (tests/test_emulator_board_heap.py)
_IN_LINES = const(14)        # bf.IN_LINES
_SAMPLES = const(80)         # bf.BLOCK_SAMPLES
_BLOCK_MS = const(10)        # bf.BLOCK_MS
_STOP_BLOCK = const(0xFFFFFFFF)  # bf.STOP_BLOCK
_LF_LOOP = const(1)          # bf.LF_LOOP
_LF_REVERSED = const(2)      # bf.LF_REVERSED
_EVENT_BUF = const(128)      # bf.EVENT_BUF
_IF_CONSOLE = const(1)       # bf.IF_CONSOLE
_IF_BATCH = const(2)         # bf.IF_BATCH
_BF_BREAK = const(1)         # bf.BF_BREAK
_BF_BUSY = const(2)          # bf.BF_BUSY
_BF_RESET = const(4)         # bf.BF_RESET
_OUT_XMASK = const(8)        # bf.OUT_XMASK


class BoardState(HalBase):
    def __init__(self, n_lines=2, n_exts=4, console=None):
        self.n_lines = n_lines
        self.n_exts = n_exts
        self.rx = [array("h", bytes(2 * _SAMPLES)) for _ in range(n_lines)]
        self.tx = [array("h", bytes(2 * _SAMPLES)) for _ in range(n_lines)]
        # inputs (the world's side): per line its ring pulses and flags (bf.LF_*), two
        # bytes as in the input frame; the ports off-hook
        self._line_in = bytearray(2 * n_lines)
        self._ext_hook = 0
        # outputs (the firmware's side): hook relays, SLICs ringing, crosspoint
        self._hook = 0
        self._ext_ring = 0
        self._xmask = [0] * n_lines
        self.block = -1
        self._utc_offset = 0  # the board's RTC minus the world's clock (set_rtc)
        self.utc = 0
        self._console = console  # a console.Port-like object or None
        self._break = True       # Ctrl-C stops the app (hal.set_break)
        self.busy = False        # a request spread over blocks (hal.set_busy; rremu/probe.py reads it)
        self.fed = -1            # block the watchdog was last fed (-1: not started)
        self.in_repl = False     # the emulated REPL has the board (enter_repl until the next reset)

    # --- the block clock ---------------------------------------------------
    def next_block(self):
        """With nothing behind the board the clock just moves on; whoever
        drives it sets the inputs between blocks. Hal waits for the world."""
        self.block += 1
        return True

    def idle_block(self):
        """One block with the app stopped (the emulated REPL is waiting): the
        relays and crosspoint stay as they are, the codec sends silence and
        the SLIC ringing (timed by the firmware) stops."""
        for t in self.tx:
            for i in range(len(t)):
                t[i] = 0
        self._ext_ring = 0
        return self.next_block()

    def send_now(self):
        """Send this block's outputs before the next next_block() (the
        emulated REPL, waiting for input); nothing to send without a link."""

    def reset_outputs(self):
        """A reset of the emulated board (soft reset after its REPL): hook
        relays released, SLICs and crosspoint off, codec silent."""
        self.in_repl = False
        self._hook = 0
        self._ext_ring = 0
        for i in range(self.n_lines):
            self._xmask[i] = 0
            t = self.tx[i]
            for j in range(len(t)):
                t[j] = 0

    # --- trunk lines -------------------------------------------------------
    def ring_pulses(self, line):
        return self._line_in[2 * line]

    def loop_current(self, line):
        return bool(self._line_in[2 * line + 1] & _LF_LOOP)

    def polarity(self, line):
        return -1 if self._line_in[2 * line + 1] & _LF_REVERSED else 1

    def set_hook(self, line, off):
        if off:
            self._hook |= 1 << line
        else:
            self._hook &= ~(1 << line)

    # --- extensions and crosspoint -----------------------------------------
    def ext_offhook(self, port):
        return bool(self._ext_hook & (1 << port))

    def ext_hooks(self):
        return self._ext_hook

    def set_ext_ring(self, port, on):
        if on:
            self._ext_ring |= 1 << port
        else:
            self._ext_ring &= ~(1 << port)

    def xconnect(self, line, port, on):
        if on:
            self._xmask[line] |= 1 << port
        else:
            self._xmask[line] &= ~(1 << port)

    # --- clock, console, watchdog ------------------------------------------
    def rtc_utc(self):
        return self.utc + self._utc_offset

    def set_rtc(self, utc):
        """`ringroute time sync`: the board's RTC runs on from `utc`."""
        self._utc_offset = utc - self.utc

    def console_read(self, buf):
        if self._console is None:
            return 0
        return self._console.read_into(buf, self._break)

    def set_break(self, on):
        self._break = on

    def set_busy(self, on):
        self.busy = on   # told to the world (BF_BUSY): a paced run need not wait for the wall clock

    def enter_repl(self):
        self._break = True
        self.in_repl = True   # the REPL paces the world block by block (no quiet runs)

    def console_write(self, data):
        if self._console is not None:
            self._console.write(data)

    def feed_watchdog(self):
        self.fed = self.block   # Hal resets the board when this falls WDT_BLOCKS behind


class Hal(BoardState):
    # class defaults, so a run without a probe or --oom-at keeps neither in the
    # instance (its dict: one slot each; docs/notes/heap.md, branch emuheap)
    skips = True      # a quiet run's idle blocks with nothing due are not stepped (App.run)
    _probe = None     # the benchmarks' hooks (rremu/probe.py) when a flag asks for them
    _silence = array("h", bytes(2 * _SAMPLES))   # a line's block of silence (_quiet), shared

    def __init__(self, sock_path, n_lines=2, n_exts=4, console=None):
        BoardState.__init__(self, n_lines, n_exts, console)
        from rremu import blockframe as bf   # the frame's sizes, then forgotten (below)
        if (_IN_LINES, _SAMPLES, _BLOCK_MS, _STOP_BLOCK, _LF_LOOP, _LF_REVERSED, _EVENT_BUF, _IF_CONSOLE,
                _IF_BATCH, _BF_BREAK, _BF_BUSY, _BF_RESET, _OUT_XMASK) != (
                bf.IN_LINES, bf.BLOCK_SAMPLES, bf.BLOCK_MS, bf.STOP_BLOCK, bf.LF_LOOP, bf.LF_REVERSED,
                bf.EVENT_BUF, bf.IF_CONSOLE, bf.IF_BATCH, bf.BF_BREAK, bf.BF_BUSY, bf.BF_RESET, bf.OUT_XMASK):
            raise ImportError("rremu/board.py: blockframe's figures changed")
        # where each line's parts are in the frames, worked out in _parse and _send
        # from these constants (no per-line tables kept): the same as blockframe's
        for i in range(n_lines):
            if (bf.in_audio_offset(n_lines, i) != _IN_LINES + 2 * n_lines + 2 * _SAMPLES * i
                    or bf.out_audio_offset(n_lines, i) != _OUT_XMASK + 2 * n_lines + 2 * _SAMPLES * i):
                raise ImportError("rremu/board.py: blockframe's layout changed")
        self._in_mv = memoryview(bytearray(bf.in_size(n_lines)))
        # The output: u16 0 (a frame), the frame, u16 nbytes and the event text held
        # (an event part is sent from its last two: blockframe.py). It is also the
        # outputs as last sent (a quiet run ends when one changes: _quiet reads them
        # back); before the first frame, the break is on.
        ev_at = 2 + bf.out_fixed_size(n_lines)   # the held text's u16 nbytes: len(_frame_mv) - 2
        unload("rremu.blockframe")   # (the local goes with this call: nothing keeps the module)
        self._out_mv = memoryview(bytearray(ev_at + 2 + _EVENT_BUF))
        self._out_mv[7] = _BF_BREAK
        # a frame with no event text, the usual one: its view made once (a slice per
        # block would cost a memoryview object each time, 32 B on the unix port)
        self._frame_mv = self._out_mv[:ev_at + 2]
        self._ev_len = 0
        self._sent_block = -1
        self._run_left = 0        # blocks of a quiet run (blockframe.py) still to step
        self._batch_left = 0      # frames of a batch (blockframe.py) still on the link
        self._skip = 0            # skip_to's block: the next of a quiet run's blocks to step
        # bytes may wait on the console: set by a frame's IF_CONSOLE (and at start: what
        # came before this process), cleared by a read that finds none (console_read)
        self._con_in = True
        # A test's hook (tests/test_supervisor_reset.py), `--oom-at BLOCK`: the App fails
        # with a MemoryError at that block, and so does every boot after it in this
        # process, as in a heap too broken up for the boot's long-lived buffers
        # (docs/notes/heap.md "Branch frag"); a fresh process (a reset) boots again.
        # Armed only in a process started before that block; off, it costs nothing a block.
        argv = sys.argv
        i = argv.index("--oom-at") + 1 if "--oom-at" in argv else 0
        at = argv[i] if 0 < i < len(argv) else None   # (as probe.arg, without loading the probe)
        if at is not None:
            self.next_block = self._oom_hook(int(at))
            self.skips = False    # (the test's block is stepped)
        for flag in PROBE_FLAGS:
            if flag in argv:
                from rremu import probe
                pr = probe.make(argv)
                if pr is not None:
                    pr.hal = self
                    self._probe = pr
                    if not pr.skips:
                        self.skips = False   # (the probe's per-block figures)
                break
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # MicroPython's socket is a stream (readinto/write); CPython's has recv_into/sendall
        self._readinto = getattr(self._sock, "readinto", None) or self._sock.recv_into
        self._write = getattr(self._sock, "sendall", None) or self._sock.write
        try:
            self._sock.connect(sock_path)
        except (OSError, TypeError):
            # MicroPython's unix port takes a raw struct sockaddr_un
            self._sock.connect(struct.pack("H", socket.AF_UNIX) + sock_path.encode() + b"\0")

    # --- the block clock ---------------------------------------------------
    def next_block(self):
        """Send last block's outputs, then wait for the next block's inputs.

        Returns False when the world asks the firmware to stop.

        A Ctrl-C (KeyboardInterrupt, raised wherever the interpreter happens
        to be) must never leave half a frame on the link: one that arrives
        mid-frame is held until the frame is complete, then raised; a frame
        already sent is not sent twice (_sent_block)."""
        pr = self._probe
        if pr is not None:
            pr.enter()
        if self._run_left:
            if self._quiet():
                return self._run_on(pr)
            self._run_left = 0   # something happened: the world hears of it now
        self._skip = 0   # (a skip asked for in a run that ended: not for the next frame's)
        if self._batch_left:
            if self._quiet():
                return self._batch_on(pr)
            self._drop_batch()   # something happened: the batch's other blocks are not stepped
        if self.block >= 0 and self._sent_block != self.block:
            self._send(0)
        intr = self._recv()
        if self.block == _STOP_BLOCK:
            if pr is not None:
                pr.finish()
            return False
        return self._landed(intr, pr)

    def _landed(self, intr, pr):
        # a frame's block is in (next_block, _batch_on): a Ctrl-C held during the
        # frame, the watchdog, the probe
        if intr:
            raise KeyboardInterrupt
        if self.fed >= 0 and self.block - self.fed > WDT_BLOCKS:
            self._watchdog_reset()
        if pr is not None:
            pr.leave()
        return True

    def _oom_hook(self, at):
        # next_block and reset_outputs wrapped (the instance's own: only while armed)
        step = self.next_block
        first = []   # the first block this process saw
        fired = []   # the hook fired: every boot in this process fails

        def next_block():
            more = step()
            if not first:
                first.append(self.block)
            if not fired and first[0] < at <= self.block:
                fired.append(True)
                raise MemoryError("memory allocation failed (--oom-at %d)" % at)
            return more

        def reset_outputs():
            if fired:
                raise MemoryError("memory allocation failed (--oom-at: the boot, in the same heap)")
            BoardState.reset_outputs(self)
        self.reset_outputs = reset_outputs
        return next_block

    def reboot(self):
        """machine.reset(): the RAM is gone, the flash stays. This block's frame
        goes out with the outputs a reset leaves and BF_RESET, then the process
        ends; the runner (host_tools/ringroute/emu/runner.py) starts the firmware
        again at once, as the board boots from its flash."""
        BoardState.reset_outputs(self)
        if self._sent_block == self.block:
            self._recv()   # this block's frame is out already: the reset goes in the next one's
        self._run_left = 0
        self._batch_left = 0   # (its frames go with the link: the process ends)
        self._send(_BF_RESET)
        self._sock.close()
        raise SystemExit(0)   # past every handler of the run loop (supervisor.py)

    def _quiet(self):
        """Nothing for the world since the last frame sent: the same relays,
        ringing, crosspoint and break flag, silence to the lines, no event;
        and not in the REPL (it paces the world block by block). The outputs
        last sent are read back from the frame (_send wrote them there)."""
        out = self._out_mv
        if self._ev_len or self.in_repl or self._hook != out[6] or self._ext_ring != out[8] | out[9] << 8:
            return False
        if (not self._break) != (not out[7] & _BF_BREAK):
            return False
        z = self._silence
        xmask = self._xmask
        tx = self.tx
        j = 2 + _OUT_XMASK
        for i in range(self.n_lines):
            if xmask[i] != out[j] | out[j + 1] << 8 or tx[i] != z:
                return False
            j += 2
        return True

    def skip_to(self, block):
        # only within this frame's quiet run (_run_on), and with no console byte waiting
        if not self._con_in:
            self._skip = block

    def _run_on(self, pr):
        # the next block of a quiet run: the frame's inputs again, the clock on; or
        # the block the firmware asked for (skip_to), the ones between not stepped
        n = 1
        if self._skip:
            n = self._skip - self.block
            self._skip = 0
            if n > self._run_left:
                n = self._run_left
            if pr is not None:
                n = pr.skip_room(n)   # (--heapevery: its sample's block is stepped)
            if n > 1 and self.fed >= 0:
                self.fed = self.block + n - 1   # the blocks skipped: the app would have fed each
        self._run_left -= n
        # the clock on: utc is the frame's at its block, then block // 100 s on
        self.utc += (self.block + n) // 100 - self.block // 100
        self.block += n
        # rx still holds the frame's audio from _recv: the firmware only reads the
        # codec's input (nothing in rrfw writes hal.rx), so it is not copied again
        if self.fed >= 0 and self.block - self.fed > WDT_BLOCKS:
            self._watchdog_reset()
        if pr is not None:
            pr.leave()
        return True

    def _batch_on(self, pr):
        # the next block of a batch: its own frame, already on the link
        self._batch_left -= 1
        last = self.block
        intr = self._recv()
        if self.block != last + 1:
            raise OSError("emulator link out of step: block %d after %d in a batch" % (self.block, last))
        return self._landed(intr, pr)

    def _drop_batch(self):
        # the frames of a batch after the block the board stops at: read, not stepped
        while self._batch_left:
            self._batch_left -= 1
            self._read_frame()

    def _watchdog_reset(self):
        # the ESP32's watchdog: once started it cannot be stopped, and a board
        # nothing fed (a stalled loop, a REPL left alone) resets
        starved = (self.block - self.fed) * _BLOCK_MS
        self.fed = self.block
        self.event_out(('{"t_ms": %d, "event": "watchdog", "starved_ms": %d}' % (
            self.block * _BLOCK_MS, starved)).encode())   # event_out takes bytes, as the ring's
        self.reset_outputs()
        raise Reboot("watchdog")

    def console_read(self, buf):
        # the world says when console bytes may be waiting (IF_CONSOLE): the
        # common block, none, costs one test instead of a read of the pty
        if not self._con_in:
            return 0
        n = BoardState.console_read(self, buf)
        if not n:
            self._con_in = False
        return n

    def send_now(self):
        if self.block >= 0 and self._sent_block != self.block:
            self._drop_batch()   # (the reply ends a batch: the world reads one reply for it)
            self._send(0)

    def _recv(self):
        intr = self._read_frame()
        self._parse()
        return intr

    def _read_frame(self):
        mv = self._in_mv
        got = 0
        need = len(mv)
        intr = False
        while got < need:
            try:
                # `got` is updated in the same statement as the read, so an
                # interrupt can never fall between consuming bytes and counting them
                before = got
                got += self._readinto(mv[got:] if got else mv)   # (a whole frame: no slice made)
                if got == before:
                    raise OSError("emulator link closed")
            except KeyboardInterrupt:
                if got == 0:
                    raise
                intr = True
        return intr

    def _parse(self):
        buf = self._in_mv
        # IN_HDR ("<IIHHH": block, utc, ext hook bits, count, board_in) read byte by byte:
        # struct.unpack_from would make a tuple every block (64 B on the unix port)
        self.block = buf[0] | buf[1] << 8 | buf[2] << 16 | buf[3] << 24
        self.utc = buf[4] | buf[5] << 8 | buf[6] << 16 | buf[7] << 24
        self._ext_hook = buf[8] | buf[9] << 8
        count = buf[10] | buf[11] << 8
        if buf[12] & _IF_CONSOLE:
            self._con_in = True
        if buf[12] & _IF_BATCH:
            self._batch_left = count - 1   # its other frames follow on the link
            self._run_left = 0
        else:
            self._run_left = count - 1 if count > 1 else 0
        # (locals one by one: unpacking more than three names builds a tuple on MicroPython)
        copy = pcm.copy16
        rx = self.rx
        line_in = self._line_in
        n = self.n_lines
        for j in range(2 * n):
            line_in[j] = buf[_IN_LINES + j]   # per line: ring pulses, flags
        a = (_IN_LINES >> 1) + n   # line 0's audio, in samples (blockframe.in_audio_offset)
        for i in range(n):
            copy(rx[i], 0, buf, a, _SAMPLES)
            a += _SAMPLES

    def _send(self, reset):
        # reset: _BF_RESET in the frame's flags (reboot), else 0
        out = self._out_mv
        # OUT_HDR ("<IBBH": block, hook bits, board flags, ext ring bits) after the u16 0,
        # byte by byte as _recv reads the input's (struct.pack_into parses its format
        # every block)
        b = self.block
        out[2] = b & 0xFF
        out[3] = (b >> 8) & 0xFF
        out[4] = (b >> 16) & 0xFF
        out[5] = (b >> 24) & 0xFF
        out[6] = self._hook
        out[7] = (_BF_BREAK if self._break else 0) | (_BF_BUSY if self.busy else 0) | reset
        r = self._ext_ring
        out[8] = r & 0xFF
        out[9] = r >> 8
        copy = pcm.copy16
        xmask = self._xmask
        tx = self.tx
        n = self.n_lines
        j = 2 + _OUT_XMASK         # line 0's crosspoint mask (after the u16 0)
        a = (j >> 1) + n           # line 0's audio, in samples (blockframe.out_audio_offset)
        for i in range(n):
            x = xmask[i]
            out[j] = x & 0xFF
            out[j + 1] = x >> 8
            j += 2
            copy(out, a, tx[i], 0, _SAMPLES)
            a += _SAMPLES
        n = self._ev_len
        e = len(self._frame_mv) - 2   # the held text's u16 nbytes
        out[e] = n & 0xFF
        out[e + 1] = n >> 8
        self._write(out[:e + 2 + n] if n else self._frame_mv); self._sent_block = self.block  # noqa: E702 (no interrupt check between)
        self._ev_len = 0

    # --- events and the link -------------------------------------------------
    def event_sink(self):
        return self.event_out

    def repl_port(self):
        return self._console

    def link(self):
        """The socket to the emulator (the emulated REPL polls it too)."""
        return self._sock

    def event_out(self, text):
        """One event line for the emulator: held with this block's others and
        sent with the frame, or in parts as the holding buffer fills."""
        # text: the event's bytes (its view in the event ring, call/events.py):
        # no copy (a record event is ~500 bytes, and copies of it failed busy
        # runs near the heap gate: docs/notes/heap.md)
        if self._probe is not None and self._probe.reads_events:
            self._probe.event(str(text, "utf-8"))   # a copy: only --steptime and --heaplog read it
        n = len(text)
        i = 0
        while i <= n:
            if self._ev_len == _EVENT_BUF:
                self._send_part()
            k = min(n - i, _EVENT_BUF - self._ev_len)
            at = len(self._frame_mv) + self._ev_len   # (the held text, after its u16)
            self._out_mv[at:at + k] = text if k == n else memoryview(text)[i:i + k]
            self._ev_len += k
            i += k
            if i == n and self._ev_len < _EVENT_BUF:
                self._out_mv[at + k] = 10
                self._ev_len += 1
                return

    def _send_part(self):
        n = self._ev_len
        e = len(self._frame_mv) - 2   # the held text's u16 nbytes
        struct.pack_into("<H", self._out_mv, e, n)
        self._write(self._out_mv[e:e + 2 + n]); self._ev_len = 0  # noqa: E702 (as _send)

