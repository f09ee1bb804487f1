# The HAL contract (ARCHITECTURE.md, "The HAL"): what every board's HAL
# provides, with the defaults a board without a feature falls back on. The
# ESP32 HAL (hal/esp32.py) and the emulated board (rremu/board.py) both
# derive from it, so the layers above never ask `hasattr(hal, ...)`.

BLOCK_SAMPLES = const(80)   # 10 ms at 8 kHz: the firmware's one clock (reference-board.md)
BLOCK_MS = const(10)
_RATE_HZ = const(8000)       # telephone-band codec rate (ITU-T G.711)


class HalBase:
    n_lines = 0
    n_exts = 0
    board_name = None   # shown by the console's hello/status; None: read board.json
    block = -1          # the block number delivered by the last next_block()
    skips = False       # next_block() may deliver a later block than the next (skip_to): the emulator only

    def reset_outputs(self):
        """What a reset does to the relays and SLICs: all on-hook, silent, apart."""

    def event_sink(self):
        """A callable that takes each event's JSON as bytes (a view into the event
        ring, valid during the call), or None (the emulator
        streams events to the host; a real board has only the console)."""
        return None

    def repl_port(self):
        """A port an emulated REPL can run on after Ctrl-C, or None: on the
        board MicroPython's own REPL takes over."""
        return None

    def set_break(self, on):
        """on: a Ctrl-C on the console stops the app for the REPL at once (the
        lines are idle); off: it is a byte like any other, for the console to
        judge (a call is up: a stray byte must not drop it)."""

    def set_busy(self, on):
        """on: the firmware is working through a slow request a slice a block
        (a PIN's hash, console/server.py); nothing for the board's hardware:
        the emulated board may run such blocks faster than real time."""

    def enter_repl(self):
        """The app stops for the REPL: Ctrl-C works again there, and the
        watchdog is fed while a technician uses it (hal/esp32.py)."""

    def skip_to(self, block):
        """The firmware has nothing to do before `block` while the inputs stay as
        they are (App.run, every line idle): a board whose `skips` is set may
        deliver `block` as the next one, the blocks between not stepped. The
        real board steps every block: nothing here."""

    def ext_hooks(self):
        """Bit mask of the extension ports off-hook (bit p: ext_offhook(p)), read
        as one value: an idle block compares it with the last one and is done."""
        m = 0
        for p in range(self.n_exts):
            if self.ext_offhook(p):
                m |= 1 << p
        return m

    def set_rtc(self, utc):
        raise NotImplementedError("this board has no settable clock")

    def reboot(self):
        """Hard reset. A HAL that cannot reset leaves the restart to main.py."""

    def random_bytes(self, n):
        """n unpredictable bytes (the console's session tokens). The default
        is os.urandom: the kernel's random source on the unix port and
        CPython; the ESP32 HAL mixes more into its hardware RNG (esp32.py)."""
        import os
        return os.urandom(n)
