# The lockstep link between the emulated board (host) and the firmware.
# One input frame per 10 ms block (world -> firmware), one output frame back.
# The host's emulator imports this same module, so both ends agree by
# construction. All integers little-endian.
#
# Input frame (IN_HDR, then audio):
#   u32 block       block number; STOP_BLOCK asks the firmware to exit
#   u32 utc         the board's real-time clock, UTC seconds
#   u16 ext_hook    bit p: extension port p is off-hook (SLIC switch-hook)
#   u16 count       blocks this frame stands for (1 = one block; see "Quiet runs"),
#                   or with IF_BATCH the frames of a batch, this one first ("Batches")
#   u16 board_in    IF_CONSOLE: bytes may wait on the console (the world wrote some since
#                   the last frame, or cannot tell: --pty); without it the board's console
#                   read is skipped until the next such frame (a read of an empty pty costs
#                   ~5 us on the unix port: a third of an idle block); IF_BATCH: this
#                   frame starts a batch ("Batches")
#   per line: u8 ring_pulses, u8 line_flags (LF_LOOP, LF_REVERSED)
#   per line: BLOCK_SAMPLES int16 of line audio (codec input)
# Output, per block: zero or more event parts, then the frame. Each starts
# with a u16 n: n > 0 is an event part (n bytes of event text; the board
# sends one whenever its EVENT_BUF fills, so a line may go on in the next
# part), n == 0 the frame:
#   u32 block       echo of the input's block number
#   u8  hook        bit l: line l off-hook (hook relay)
#   u8  flags       BF_BREAK: a Ctrl-C on the console stops the app (hal.set_break);
#                   the pty bridge turns it into SIGINT then, as a UART interrupt
#                   would (host_tools/ringroute/emu/ptylink.py); also keeps the
#                   audio 16-bit aligned (viper's ptr16); BF_BUSY: a request is
#                   spread over blocks (a PIN's hash): a paced (--pty) run lets
#                   those blocks go as fast as they compute; BF_RESET: the board
#                   resets after this frame (hal.reboot(), machine.reset() on the
#                   ESP32): the firmware process exits and the runner starts it again
#   u16 ext_ring    bit p: SLIC port p in ring mode
#   per line: u16 xmask   bit p: line l joined to extension port p (crosspoint)
#   per line: BLOCK_SAMPLES int16 played to the line (codec output)
#   u16 nbytes, then nbytes of event text (JSON lines): the rest of what was
#   emitted this block
# (One fixed frame with room for a block's worst burst of events held 4.5 KB
# of the board's heap for good; parts hold 128 bytes: docs/notes/heap.md. A
# record event of ~500 bytes goes out in four parts: four writes on the link,
# and the held buffer is 384 bytes smaller than at 512.)
#
# Quiet runs: while nothing happens on either side (no call in the world, the
# board on-hook, silent, ringing nothing, no event), the world knows its next
# inputs in advance: all zero. It then sends one frame with count = n: the
# same inputs for blocks block .. block+n-1 (utc advancing with the block
# clock, block // 100 s). The firmware steps every one of those blocks as
# usual but answers only once: after the last, or after the first block
# whose outputs are not quiet (a relay, a ring, a crosspoint, audio, an
# event: any event leaves text held, so an event part never goes out in the
# middle of a quiet run); the echo says which block that was, and the world
# goes on from the block after it. Each side sees exactly what one frame per
# block would have shown it, so a run is the same block for block; what is
# saved is the round trip and the world's work for the blocks in between.
#
# Batches (during calls): while the board's outputs are silent and as in its
# last reply, the world computes the next n blocks as if they stayed so and
# sends their n input frames back to back, the first with IF_BATCH in board_in
# and count = n (the others count 1, board_in 0: each frame a block's own
# inputs). The board steps one block per frame and answers once: after the
# last, or after the first block whose outputs are not quiet (as a quiet run
# ends); it reads and drops the frames it did not step, then replies. The
# echo says which block that was: the world, which computed the blocks after
# it on outputs that did not come, goes back to the batch's start and steps
# the blocks taken again (host_tools/ringroute/emu/runner.py _batch_back).
from rrfw.hal.base import BLOCK_SAMPLES, BLOCK_MS  # noqa: F401  (the host reads them here too)

STOP_BLOCK = const(0xFFFFFFFF)
LF_LOOP = const(1)          # loop current flows
LF_REVERSED = const(2)      # loop-current polarity reversed
EVENT_BUF = const(128)      # bytes of event text the board holds before it sends a part


IN_HDR = "<IIHHH"   # block, utc, ext hook bits, count, board_in
IN_LINES = const(14)  # offset of the first line's ring pulses
COUNT_MAX = const(0xFFFF)
IF_CONSOLE = const(1)
IF_BATCH = const(2)   # the first of count frames of a batch (above, "Batches")


def in_size(n_lines):
    return IN_LINES + 2 * n_lines + 2 * BLOCK_SAMPLES * n_lines


def in_audio_offset(n_lines, line):
    return IN_LINES + 2 * n_lines + 2 * BLOCK_SAMPLES * line


OUT_HDR = "<IBBH"  # block, hook bits, board flags, ext ring bits
BF_BREAK = const(1)
BF_BUSY = const(2)   # the firmware works through a request a slice a block (hal.set_busy)
BF_RESET = const(4)  # the board resets after this frame (rremu/board.py Hal.reboot)
OUT_XMASK = 8      # offset of the first line's crosspoint mask


def out_fixed_size(n_lines):
    return 8 + 2 * n_lines + 2 * BLOCK_SAMPLES * n_lines


def out_audio_offset(n_lines, line):
    return 8 + 2 * n_lines + 2 * BLOCK_SAMPLES * line
