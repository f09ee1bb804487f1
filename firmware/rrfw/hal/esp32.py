# HAL for the reference board (boards/reference/board.json): the only file
# that touches the ESP32's hardware. The contract and its defaults are
# hal/base.py (ARCHITECTURE.md, "The HAL"). Pin numbers come from board.json on flash.
#
# The one clock: the I2S receiver delivers 80 stereo frames (10 ms at 8 kHz)
# at a time; next_block() blocks on that read, so the codec's sample clock
# paces the whole firmware.
import gc
import json
import select
import sys
import time
from array import array

import machine
import micropython
from micropython import const

from rrfw.hal import pcm
from rrfw.hal.base import HalBase

_BLOCK = const(80)            # samples per line per block (10 ms at 8 kHz)
_RATE = const(8000)           # Hz, telephone band codec rate
_WDT_MS = const(5000)         # ms; a stuck main loop resets the board and so frees the line
_REPL_IDLE_MS = const(120000) # ms of an unchanged heap after which the REPL stops feeding the watchdog (= rremu/repl.py REPL_IDLE_MS)
_REPL_FEED_MS = const(1000)   # ms between the REPL timer's looks (well inside _WDT_MS)
_REPL_TIMER = const(0)        # the hardware timer that feeds it (= boot.py TIMER_ID)
_MCP_IODIRA = const(0x00)     # MCP23017 registers (Microchip DS20001952, table 3-1, IOCON.BANK=0)
_MCP_IODIRB = const(0x01)
_MCP_GPPUB = const(0x0D)
_MCP_GPIOB = const(0x13)
_MCP_OLATA = const(0x14)
# ESP32 ports whose time.time() counts from 2000 need this to give UTC epoch seconds.
_EPOCH_2000 = const(946684800)
# I2S receive buffering: how late one firmware step may be without losing
# input. MicroPython's ESP32 I2S driver (ports/esp32/machine_i2s.c, v1.25)
# makes ibuf // 1024 DMA buffers of 256 stereo 16-bit frames each (32 ms
# at 8 kHz), at least 2, in the IDF's DMA memory (not the MicroPython heap;
# but the heap grows into the same IDF memory, so each buffer is 1 KB of heap
# growth the board gives up). A step that overruns its 10 ms block is
# absorbed while the receive DMA still has room: the next steps then run
# back to back until they catch up. Room needed = the latest step + one
# block + one DMA buffer (data comes in 32 ms pieces).
# The latest step: bench/bench_steptime.py (`python -m bench steptime`:
# mp32-frozen, busy 15 min, 2 lines, each block's least of 3 runs; the board
# taken as 30-50x slower, an estimate). A record is written a slice a block
# (store/records.py) and the console's PIN hash is spread, 64 rounds a block
# (store/pins.py), so neither is one long step now; a call-back's start,
# answer and close are a block each (call/app.py, dialer.py end_soon).
# Measured (2026-12-03, late7, two bench runs): median 61-62 us (1.8-3.1 ms
# on the board), p99.9 0.35-0.36 ms (10-18 ms), the worst block 1.6 / 1.8
# ms (48-90 ms): a PIN slice with a collection in it at boot, the
# call-back's start (1.1-1.6 ms), a call-back request's prompt (1.1-1.5
# ms). Before late7 the worst was 2.8-7.2 ms (the call-back's start and a
# failed call-back's release: docs/notes/heap.md). 8 buffers = 256 ms
# absorb a step of up to 256 - 10 - 32 = 214 ms on the board (7.1 ms here
# at x30, 4.3 ms at x50): no block of 93000 was longer; the worst needs 3
# (x30) to 5 (x50) buffers, 124-135 ms to spare at x50 (the bench prints it).
# Kept at 8 after the late branch (2026-12-04: a call-back's collection, its
# request's flash write and the caller-ID decoder's collection each moved to
# a block of their own; collections in busy blocks 62 -> 38 of 217): its
# bench runs were on a machine at load 15-19, where every worst block (3.7-9.2
# ms here) is the machine's, so no smaller worst case was measured to size by.
_DMA_BUF_MS = const(32)       # ms of audio per DMA buffer (256 frames at 8 kHz)
_DMA_BUF_BYTES = const(1024)  # bytes per DMA buffer (256 frames x 4 bytes)
_RX_DMA_BUFS = const(8)       # 256 ms, 8 KB of DMA memory (above)
_TX_DMA_BUFS = const(2)       # the driver's least: output gaps on a late step, input is never lost


def _load_board():
    with open("board.json") as f:
        return json.load(f)


class Hal(HalBase):
    def __init__(self, board=None):
        b = board or _load_board()
        pins = b["pins"]
        self.n_lines = b["n_lines"]
        self.n_exts = b["n_exts"]
        self.rx = [array("h", bytes(2 * _BLOCK)) for _ in range(self.n_lines)]
        self.tx = [array("h", bytes(2 * _BLOCK)) for _ in range(self.n_lines)]
        self.block = -1
        # Trunk lines: ring-detect pulses are counted by an IRQ that only
        # increments a preallocated counter (the logic reads it per block).
        self._ring_cnt = array("H", bytes(2 * self.n_lines))
        self._ring_pins = []
        self._loop = []
        self._pol = []
        self._hook = []
        for i, lp in enumerate(pins["lines"][:self.n_lines]):
            rd = machine.Pin(lp["ring_detect"], machine.Pin.IN)
            rd.irq(trigger=machine.Pin.IRQ_FALLING, handler=self._ring_irq(i))
            self._ring_pins.append(rd)
            self._loop.append(machine.Pin(lp["loop_sense"], machine.Pin.IN))
            self._pol.append(machine.Pin(lp["polarity"], machine.Pin.IN))
            self._hook.append(machine.Pin(lp["hook_relay"], machine.Pin.OUT, value=0))
        self._pulses = array("H", bytes(2 * self.n_lines))
        # Codec: the ADC and DAC sides run on the ESP32's two I2S peripherals.
        i2s_in = pins["i2s_in"]
        i2s_out = pins["i2s_out"]
        self._i2s_rx = machine.I2S(
            i2s_in["id"], sck=machine.Pin(i2s_in["sck"]), ws=machine.Pin(i2s_in["ws"]),
            sd=machine.Pin(i2s_in["sd"]), mode=machine.I2S.RX, bits=16,
            format=machine.I2S.STEREO, rate=_RATE, ibuf=_RX_DMA_BUFS * _DMA_BUF_BYTES)
        self._i2s_tx = machine.I2S(
            i2s_out["id"], sck=machine.Pin(i2s_out["sck"]), ws=machine.Pin(i2s_out["ws"]),
            sd=machine.Pin(i2s_out["sd"]), mode=machine.I2S.TX, bits=16,
            format=machine.I2S.STEREO, rate=_RATE, ibuf=_TX_DMA_BUFS * _DMA_BUF_BYTES)
        self._frames_in = bytearray(4 * _BLOCK)   # 80 stereo 16-bit frames
        self._frames_out = bytearray(4 * _BLOCK)
        # Extension SLICs on the MCP23017 expander.
        i2c = pins["i2c"]
        self._i2c = machine.I2C(i2c["id"], scl=machine.Pin(i2c["scl"]), sda=machine.Pin(i2c["sda"]),
                                freq=i2c["freq"])
        self._mcp = i2c["expander_addr"]
        ex = pins["expander"]
        self._rm_bits = ex["ring_mode_bits"]
        self._fr_bits = ex["fr_bits"]
        self._shd_bits = ex["shd_bits"]
        self._reg = bytearray(1)
        self._write_mcp(_MCP_IODIRA, 0x00)   # port A: all outputs
        self._write_mcp(_MCP_IODIRB, 0xFF)   # port B: all inputs
        self._write_mcp(_MCP_GPPUB, 0xFF)    # pull-ups on the switch-hook inputs
        self._olat = 0
        self._write_mcp(_MCP_OLATA, 0)
        self._shd = 0
        self._hooks = 0      # ext_hooks(): the mask, remade when the SHD register changes
        self._shd_seen = -1  # the register's value that mask is of (-1: none yet)
        self._ringing = 0
        # F/R toggles every half period of the ring frequency (25 Hz: 20 ms = 2 blocks)
        self._fr_blocks = max(1, 1000 // (2 * b.get("ext_ring_hz", 25)) // 10)
        # Audio crosspoint (CH446Q, serial address mode). Bit order per the
        # CH446Q data sheet: AX3..AX0, AY2..AY0, then the switch state, latched
        # by a STB pulse. To verify at hardware bring-up.
        cp = pins["crosspoint"]
        self._cp_dat = machine.Pin(cp["dat"], machine.Pin.OUT, value=0)
        self._cp_clk = machine.Pin(cp["clk"], machine.Pin.OUT, value=0)
        self._cp_stb = machine.Pin(cp["stb"], machine.Pin.OUT, value=0)
        self._cp_rst = machine.Pin(cp["rst"], machine.Pin.OUT, value=1)
        self._cp_rst.value(0)                # reset opens every switch
        self._line_x = cp["line_x"]
        self._ext_y = cp["ext_y"]
        self._xmask = [0] * self.n_lines
        # Console: the REPL's UART (USB-serial bridge), polled without blocking.
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)
        self._wdt = machine.WDT(timeout=_WDT_MS)
        # boot.py's feeder (started after a soft reset, on the same timer) stops
        # here: from now on only the app's loop feeds the watchdog
        machine.Timer(_REPL_TIMER).deinit()
        self._repl_timer = None   # enter_repl's; a new Hal (after the REPL) means a reset: no timer runs
        self._epoch = _EPOCH_2000 if time.gmtime(0)[0] == 2000 else 0

    def _ring_irq(self, line):
        cnt = self._ring_cnt

        def handler(pin):
            cnt[line] += 1
        return handler

    def _write_mcp(self, reg, value):
        self._reg[0] = value
        self._i2c.writeto_mem(self._mcp, reg, self._reg)

    # --- the block clock ---------------------------------------------------
    def next_block(self):
        if self.block >= 0:
            for i in range(self.n_lines):
                pcm.interleave(self._frames_out, self.tx[i], i, 2, _BLOCK)
            self._i2s_tx.write(self._frames_out)
            self._tick_ring()
        self._i2s_rx.readinto(self._frames_in)    # blocks until 10 ms of audio is in
        self.block += 1
        for i in range(self.n_lines):
            pcm.deinterleave(self.rx[i], self._frames_in, i, 2, _BLOCK)
            irq = machine.disable_irq()
            self._pulses[i] = self._ring_cnt[i]
            self._ring_cnt[i] = 0
            machine.enable_irq(irq)
        self._i2c.readfrom_mem_into(self._mcp, _MCP_GPIOB, self._reg)
        self._shd = self._reg[0]
        if self._shd != self._shd_seen:
            self._shd_seen = self._shd
            self._hooks = HalBase.ext_hooks(self)   # the ports' mask, only when a switch moved
        return True

    def _tick_ring(self):
        if not self._ringing:
            return
        if self.block % self._fr_blocks == 0:
            for p in range(self.n_exts):
                if self._ringing & (1 << p):
                    self._olat ^= 1 << self._fr_bits[p]
            self._write_mcp(_MCP_OLATA, self._olat)

    # --- trunk lines -------------------------------------------------------
    def ring_pulses(self, line):
        return self._pulses[line]

    def loop_current(self, line):
        return self._loop[line].value() == 0      # the optocoupler pulls low while current flows

    def polarity(self, line):
        return -1 if self._pol[line].value() == 0 else 1

    def set_hook(self, line, off):
        self._hook[line].value(1 if off else 0)

    # --- extensions and crosspoint -------------------------------------------
    def ext_offhook(self, port):
        return not (self._shd & (1 << self._shd_bits[port]))   # SHD low = off-hook (pull-up idle)

    def ext_hooks(self):
        return self._hooks

    def set_ext_ring(self, port, on):
        bit = 1 << self._rm_bits[port]
        if on:
            self._ringing |= 1 << port
            self._olat |= bit
        else:
            self._ringing &= ~(1 << port)
            self._olat &= ~(bit | (1 << self._fr_bits[port]))
        self._write_mcp(_MCP_OLATA, self._olat)

    def xconnect(self, line, port, on):
        if on:
            self._xmask[line] |= 1 << port
        else:
            self._xmask[line] &= ~(1 << port)
        addr = (self._line_x[line] << 3) | self._ext_y[port]
        for bit in range(6, -1, -1):
            self._cp_dat.value((addr >> bit) & 1)
            self._cp_clk.value(1)
            self._cp_clk.value(0)
        self._cp_dat.value(1 if on else 0)
        self._cp_stb.value(1)
        self._cp_stb.value(0)

    # --- clock, console, watchdog --------------------------------------------
    def rtc_utc(self):
        return time.time() + self._epoch

    def set_rtc(self, utc):
        """Set the board's clock (UTC seconds); the RTC keeps it across soft resets."""
        tm = time.gmtime(utc - self._epoch)
        machine.RTC().datetime((tm[0], tm[1], tm[2], tm[6] + 1, tm[3], tm[4], tm[5], 0))

    def console_read(self, buf):
        # ipoll: poll() would allocate a result list every block
        n = 0
        stdin = sys.stdin.buffer
        while n < len(buf):
            ready = False
            for _ in self._poll.ipoll(0):
                ready = True
            if not ready:
                break
            c = stdin.read(1)
            if not c:
                break
            buf[n] = c[0]
            n += 1
        return n

    def console_write(self, data):
        sys.stdout.buffer.write(data)   # bytes and memoryviews, as the console sends them

    def feed_watchdog(self):
        self._wdt.feed()

    def random_bytes(self, n):
        # os.urandom reads the ESP32's hardware RNG, which ESP-IDF's docs
        # ("Random Number Generation") call pseudo-random only while Wi-Fi and
        # Bluetooth are off, as on this board (its entropy source, the SAR ADC,
        # cannot run beside the I2S codec). So the CPU cycle counter at the
        # moment of the request (a host's timing jitter: microseconds at
        # 240 MHz) is hashed in with it: unknowable from the port's other end.
        import hashlib
        import os
        h = hashlib.sha256(os.urandom(32))
        h.update(str(time.ticks_cpu()).encode())
        h.update(str(time.ticks_us()).encode())
        return h.digest()[:n]

    def set_break(self, on):
        # 3: Ctrl-C raises KeyboardInterrupt (MicroPython's UART interrupt);
        # -1: it is read as a byte, for the console to judge (server.py)
        micropython.kbd_intr(3 if on else -1)

    def enter_repl(self):
        """The app stops for MicroPython's REPL. The watchdog, once started,
        cannot be stopped (ESP-IDF task watchdog): a timer feeds it while the
        REPL is in use, judged by the heap, which changes with every line
        typed and every command mpremote runs (a flash of 100 KB at 115200
        baud is ~10 s of steady use). _REPL_IDLE_MS without a change and the
        feeding stops: the watchdog resets the board, which answers calls
        again. A soft reset in the REPL (mpremote's) stops machine timers:
        boot.py, which MicroPython runs after every soft reset, starts the
        same feeder again."""
        micropython.kbd_intr(3)
        wdt = self._wdt
        heap = [gc.mem_alloc()]   # made here: the callback allocates nothing
        since = [time.ticks_ms()]

        def feed(_t):
            now = time.ticks_ms()
            used = gc.mem_alloc()
            if used != heap[0]:
                heap[0] = used
                since[0] = now
            if time.ticks_diff(now, since[0]) < _REPL_IDLE_MS:
                wdt.feed()
        self._repl_timer = machine.Timer(_REPL_TIMER)
        self._repl_timer.init(period=_REPL_FEED_MS, mode=machine.Timer.PERIODIC, callback=feed)

    def reboot(self):
        """A hard reset: relays and SLICs drop back to their power-on state."""
        machine.reset()
