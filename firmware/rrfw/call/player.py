# Prompt playback: streams 8 kHz G.711 mu-law files from the board's flash
# into a line's tx block, one 10 ms block at a time. A list of names plays
# as one chained prompt (fragments: "you-are", "digit-3", "in-queue").
# Reads into a preallocated buffer; decoding uses a 256-entry table.
from array import array

from rrfw.compat import const, VIPER
from rrfw.dsp import tonetab
from rrfw.hal.base import BLOCK_SAMPLES
from rrfw.hal import pcm

PROMPT_DIR = "prompts"
MAX_CHAIN = const(16)  # fragments in one chained prompt


# G.711 mu-law expansion, code -> int16 (generated: dsp/tonetab.py). The viper
# kernel reads the bytes in place (in flash when frozen); pcm's plain twin
# (CPython) indexes int16 values, so it gets an array.
ULAW = tonetab.ULAW if VIPER else array("h", tonetab.ULAW)


class Player:
    def __init__(self, line, emit, root=PROMPT_DIR):
        self.line = line
        self.emit = emit
        self.root = root
        self._buf = bytearray(BLOCK_SAMPLES)
        self._queue = [None] * MAX_CHAIN
        self._qlen = 0
        self._qpos = 0
        self._file = None
        self.busy = False
        self.last = None
        self.missing = 0  # prompts named but not on flash
        self.opens = 0    # prompt files opened (a file's first read may allocate its buffer)

    def play(self, names):
        self.stop()
        n = 0
        for name in names:
            if n < MAX_CHAIN:
                self._queue[n] = name
                n += 1
        self._qlen = n
        self._qpos = 0
        self.busy = n > 0
        if n:
            self.emit("prompt", line=self.line + 1, name=",".join(names))
        self._open_next()

    def stop(self):
        if self._file is not None:
            self._file.close()
            self._file = None
        self._qlen = 0
        self._qpos = 0
        self.busy = False

    def _open_next(self):
        while self._qpos < self._qlen:
            name = self._queue[self._qpos]
            self._qpos += 1
            try:
                self._file = open(self.root + "/" + name + ".ulaw", "rb")
                self.opens += 1
                self.last = name
                return True
            except OSError:
                self.missing += 1
                self.emit("prompt_missing", line=self.line + 1, name=name)
        self._file = None
        self.busy = False
        return False

    def fill(self, tx):
        """Write this block's samples into tx (silence when idle)."""
        n = 0
        buf = self._buf
        size = BLOCK_SAMPLES
        while n < size and self._file is not None:
            # whole-buffer read in the common case; a slice only at a file boundary
            got = self._file.readinto(buf if n == 0 else memoryview(buf)[n:])
            if got:
                n += got
            else:
                self._file.close()
                self._file = None
                self._open_next()
        pcm.expand_ulaw(tx, buf, ULAW, n, size)
