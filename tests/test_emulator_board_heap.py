"""The emulated board's own heap (rremu/board.py; issue 14): it never ships, but
in the heap gate it runs in the same MicroPython heap as the firmware.

- blockframe's figures are board.py's own constants (folded into its code), and
  blockframe itself is forgotten once the Hal is set up: the copies must equal
  blockframe's values, and the module must be gone after boot;
- rremu/probe.py is imported only when a probe flag is on the command line."""
import os
import re
import socket
import subprocess
import tempfile

import pytest

from ringroute import paths

ENGINES = ["cpython", "mp32-frozen"]


def _engine(engine):
    if engine != "cpython" and not os.path.exists(paths.MP32_LOADER[0]):
        pytest.skip("needs the i686 C library (`make sysdeps`) and `make mp32`")


def test_board_keeps_blockframes_figures_as_its_own_constants():
    # CPython: compat.const is the identity, so board's private constants are globals
    from rremu import blockframe as bf
    from rremu import board
    pairs = {"_IN_LINES": bf.IN_LINES, "_SAMPLES": bf.BLOCK_SAMPLES, "_BLOCK_MS": bf.BLOCK_MS,
             "_STOP_BLOCK": bf.STOP_BLOCK, "_LF_LOOP": bf.LF_LOOP, "_LF_REVERSED": bf.LF_REVERSED,
             "_EVENT_BUF": bf.EVENT_BUF, "_IF_CONSOLE": bf.IF_CONSOLE, "_IF_BATCH": bf.IF_BATCH,
             "_BF_BREAK": bf.BF_BREAK, "_BF_BUSY": bf.BF_BUSY, "_BF_RESET": bf.BF_RESET,
             "_OUT_XMASK": bf.OUT_XMASK}
    for name, value in pairs.items():
        assert getattr(board, name) == value, name
    # every `bf.X` board.py names in its comments is among them
    with open(os.path.join(paths.FIRMWARE, "rremu", "board.py")) as f:
        named = set(re.findall(r"#\s*bf\.([A-Z_]+)$", f.read(), re.M))
    assert named == {"IN_LINES", "BLOCK_SAMPLES"} | {k[1:] for k in pairs} - {"SAMPLES"}


def test_board_knows_every_probe_flag():
    # board.py imports rremu/probe.py only for PROBE_FLAGS: each flag the probe's
    # header documents must be among them, or that flag would do nothing
    from rremu import board
    with open(os.path.join(paths.FIRMWARE, "rremu", "probe.py")) as f:
        head = f.read().split("\nimport ", 1)[0]
    documented = set(re.findall(r"^#\s+(--[a-z]+)", head, re.M))
    assert documented == set(board.PROBE_FLAGS)


_BOOT = """
import sys
sys.argv.extend(%r)
from rremu import board
hal = board.Hal(%r, 2, 8)
import rremu
print("modules", " ".join(sorted(m for m in sys.modules if m.startswith("rremu"))))
print("attr", "blockframe" in dir(rremu), "bf" in dir(board))
print("probe", hal._probe is not None)
hal.link().close()
"""


def _boot(engine, argv=()):
    """(rremu modules after a Hal's boot, 'attr ...' line, 'probe ...' line) under an
    engine, the Hal connected to a socket listened on here (no frame exchanged)."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "link")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(1)
        try:
            p = subprocess.run(paths.engine_command(engine, "400K") + ["-c", _BOOT % (list(argv), path)],
                               capture_output=True, text=True, env=paths.engine_env(engine), timeout=60)
        finally:
            srv.close()
    out = p.stdout.splitlines()
    assert p.returncode == 0 and len(out) == 3, p.stdout + p.stderr
    return out[0].split()[1:], out[1], out[2]


@pytest.mark.parametrize("engine", ENGINES)
def test_blockframe_and_the_probe_are_not_kept_after_boot(engine):
    _engine(engine)
    mods, attr, probe = _boot(engine)
    assert "rremu.blockframe" not in mods and "rremu.probe" not in mods, mods
    assert "rremu.board" in mods
    assert attr == "attr False False"   # off the package too (compat.unload), and no global
    assert probe == "probe False"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_probe_flag_loads_the_probe(engine):
    _engine(engine)
    mods, attr, probe = _boot(engine, ["--heapevery", "50"])
    assert "rremu.probe" in mods and "rremu.blockframe" not in mods, mods
    # (under CPython the probe has no heap to measure: probe.make says so and gives None)
    assert probe == ("probe False" if engine == "cpython" else "probe True")


def _read(conn, n):
    got = b""
    while len(got) < n:
        more = conn.recv(n - len(got))
        assert more, "the board closed the link"
        got += more
    return got


@pytest.mark.parametrize("sizes", [(0,), (1,), (127,), (128,), (129,), (500,), (300, 127, 1, 600, 0, 255)])
def test_events_go_out_in_parts_of_event_buf_and_join_to_the_lines(sizes):
    """The board holds EVENT_BUF bytes of event text (blockframe.py): a longer
    block's worth goes out in parts before the frame; the host joins the parts
    and the frame's own text back into the event lines (runner.py _reply)."""
    import struct
    from rremu import blockframe as bf
    from rremu import board
    nl = 2
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "link")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(1)
        hal = board.Hal(path, nl, 4)
        conn, _ = srv.accept()
        try:
            def frame(block):
                return struct.pack(bf.IN_HDR, block, 0, 0, 1, 0) + bytes(2 * nl) + bytes(2 * bf.BLOCK_SAMPLES * nl)
            conn.sendall(frame(0))
            assert hal.next_block() and hal.block == 0
            lines = [bytes(ord("a") + j % 26 for j in range(n)) for n in sizes]
            for ln in lines:
                hal.event_out(memoryview(ln))   # (a view, as the event ring gives it)
            conn.sendall(frame(1))
            hal.next_block()
            parts = []
            while True:
                k = struct.unpack("<H", _read(conn, 2))[0]
                if k == 0:
                    break
                assert k <= bf.EVENT_BUF
                parts.append(_read(conn, k))
            out = _read(conn, bf.out_fixed_size(nl) + 2)
            assert struct.unpack_from("<I", out)[0] == 0   # the frame of block 0
            n = struct.unpack_from("<H", out, bf.out_fixed_size(nl))[0]
            assert n <= bf.EVENT_BUF
            parts.append(_read(conn, n))
            assert all(len(p) == bf.EVENT_BUF for p in parts[:-1])   # each part a full buffer
            assert b"".join(parts) == b"".join(ln + b"\n" for ln in lines)
        finally:
            conn.close()
            hal.link().close()
            srv.close()
