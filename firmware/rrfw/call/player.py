# Prompt playback: streams 8 kHz G.711 mu-law files from the board's flash
# into a line's tx block, one 10 ms block at a time. A list of names plays
# as one chained prompt (fragments: "you-are", "digit-3", "in-queue").
# Reads into a preallocated buffer; decoding uses a 256-entry table.
#
# No block opens a file on top of other heavy work (issue 14: a file open is
# a directory walk on the board's flash, and the block that calls play() has
# already run the state change and its event). One open per block at most:
#   block of play()   the chain queued, its event emitted; silence
#   next block        the first fragment opened and read: the caller hears it
#                     from here (10-20 ms after play(); ivr.py waits 60 ms for
#                     a prompt to report busy)
#   a later block     the next fragment opened ahead, while this one plays, so
#                     the switch at the end of a fragment is a read, not an open:
#                     no gap between fragments
# A chain that found none of its files is remembered: played again (the hold
# music a caller's transfer asks for every block it is not busy) it is tried
# at once, so `busy` right after play() says it is not on flash.
from array import array

from rrfw.compat import VIPER
from rrfw.dsp import tonetab
from rrfw.hal.base import BLOCK_SAMPLES
from rrfw.hal import pcm

_PROMPT_DIR = const("prompts")
_MAX_CHAIN = const(16)  # fragments in one chained prompt


# G.711 mu-law expansion, code -> int16 (generated: dsp/tonetab.py). The viper
# kernel reads the bytes in place (in flash when frozen); pcm's plain twin
# (CPython) indexes int16 values, so it gets an array.
ULAW = tonetab.ULAW if VIPER else array("h", tonetab.ULAW)
# A block's mu-law bytes, read and expanded within one fill(): every line's Player
# shares it (the lines are stepped one after another; heap: 96 bytes a Player)
_BUF = bytearray(BLOCK_SAMPLES)


class Player:
    def __init__(self, line, emit, root=_PROMPT_DIR):
        self.line = line
        self.emit = emit
        self.root = root
        self._queue = [None] * _MAX_CHAIN
        self._qlen = 0
        self._qpos = 0
        self._file = None     # the fragment playing
        self._next = None     # the fragment after it, opened ahead
        self._hold = False    # play() ran in this block: the first open waits for the next
        self._names = None    # the chain playing (the caller's list)
        self._found = 0       # fragments of it opened
        self._gone = None     # the last chain none of whose files was on flash
        self.busy = False
        self.last = None
        self.missing = 0  # prompts named but not on flash
        self.opens = 0    # prompt files opened (a file's first read may allocate its buffer)

    def play(self, names):
        self.stop()
        n = 0
        for name in names:
            if n < _MAX_CHAIN:
                self._queue[n] = name
                n += 1
        self._qlen = n
        self._qpos = 0
        self._names = names
        self._found = 0
        self.busy = n > 0
        if not n:
            return
        self.emit("prompt", line=self.line + 1, name=",".join(names))
        if names is self._gone:
            self._file = self._open_next()   # known missing: say so now, not a retry every other block
        else:
            self._hold = True

    def stop(self):
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._next is not None:
            self._next.close()
            self._next = None
        self._hold = False
        self._qlen = 0
        self._qpos = 0
        self.busy = False

    def _open_next(self):
        """The next fragment of the chain that is on flash, opened, or None
        (the chain is over: busy goes False when nothing plays)."""
        while self._qpos < self._qlen:
            name = self._queue[self._qpos]
            self._qpos += 1
            try:
                f = open(self.root + "/" + name + ".ulaw", "rb")
                self.opens += 1
                self._found += 1
                if self._names is self._gone:
                    self._gone = None           # on flash now (a push of prompts)
                self.last = name
                return f
            except OSError:
                self.missing += 1
                self.emit("prompt_missing", line=self.line + 1, name=name)
        if not self._found:
            self._gone = self._names
        if self._file is None:
            self.busy = False
        return None

    def fill(self, tx):
        """Write this block's samples into tx (silence when idle)."""
        n = 0
        buf = _BUF
        size = BLOCK_SAMPLES
        opened = False
        if self._hold:
            self._hold = False                 # play()'s own block: silence
        elif self._file is None:
            if self.busy:
                self._file = self._open_next()   # the chain's first fragment, in a block of its own
                opened = True
        elif self._next is None and self._qpos < self._qlen:
            self._next = self._open_next()     # the next fragment, ahead of its turn
            opened = True
        while n < size and self._file is not None:
            # whole-buffer read in the common case; a slice only at a file boundary
            got = self._file.readinto(buf if n == 0 else memoryview(buf)[n:])
            if got:
                n += got
                continue
            self._file.close()
            self._file = self._next
            self._next = None
            if self._file is None and self._qpos < self._qlen and not opened:
                # a fragment shorter than two blocks: no block in between to open
                # the next one ahead, so it is opened now (no gap in the chain)
                self._file = self._open_next()
                opened = True
            if self._file is None and self._qpos >= self._qlen:
                self.busy = False
            elif self._file is None:
                break                          # opened in the next block: the rest of this one is silence
        pcm.expand_ulaw(tx, buf, ULAW, n, size)
