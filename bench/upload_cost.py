"""What a prompt's upload costs through the console (issue 14, the chunk size):
the emulated board in lockstep with a technician's tool on a real pty
(runner.ConsoleMonitor: put.begin, put.chunk..., put.end, one request after
the other's reply, as `ringroute prompts add` sends them), no calls. Prints
the blocks (10 ms frames of the block clock) from put.begin to put.end's
reply, the chunks, the bytes the host sent, and the CPU seconds of the world
(this process) and of the firmware (its child). Deterministic in blocks;
the CPU varies with the machine's load.

    .venv/bin/python -m bench.upload_cost [ENGINE] [BYTES]   (mp32-frozen, 32000)
"""
import json
import os
import resource
import sys
import tempfile
import time

from ringroute import paths
from ringroute.emu import runner, scenario as scenario_mod

PIN = "upload-cost-7"
START_BLOCK = 300   # the monitor's login and monitor are done by then (blocks 20-40, the hash 256)


def _cpu():
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def run(engine="mp32-frozen", size=32000):
    with open(os.path.join(paths.ROOT, "tests", "data", "basic.json")) as f:
        cfg = json.load(f)
    data = bytes((i * 7 + (i >> 8)) & 255 for i in range(size))   # mu-law bytes, any will do
    sc = scenario_mod.parse({"calls": [], "duration": 120})
    with tempfile.TemporaryDirectory() as flash:
        emu = runner.Emulation(cfg, sc, [], engine=engine, flash=flash, monitor_pin=PIN,
                               pushes=[(START_BLOCK, data, "prompt", "bench")])
        c0 = _cpu()
        emu.run()
        c1 = _cpu()
        got = open(os.path.join(flash, "prompts", "bench.ulaw"), "rb").read()
    m = emu.monitor
    assert got == data and m.pushes and not m.errors, (m.pushes, m.errors[:2])
    start, end = m.push_blocks[0]
    import binascii
    from rrfw.console import protocol
    # the bytes of the put.chunk lines, as the monitor frames them (a session's token is 32 hex digits)
    wire = sum(len(protocol.frame("%d" % (4 + i), "put.chunk", json.dumps(
        {"off": off, "data": binascii.b2a_base64(data[off:off + protocol.CHUNK], newline=False).decode(),
         "crc": binascii.crc32(data[off:off + protocol.CHUNK]) & 0xFFFFFFFF, "tok": "0" * 32})))
        for i, off in enumerate(range(0, size, protocol.CHUNK)))
    return {"bytes": size, "chunk": protocol.CHUNK, "chunks": -(-size // protocol.CHUNK), "wire": wire,
            "blocks": end - start, "world_cpu_s": c1[0] - c0[0], "firmware_cpu_s": c1[1] - c0[1]}


def main(argv):
    engine = argv[0] if argv else "mp32-frozen"
    size = int(argv[1]) if len(argv) > 1 else 32000
    r = run(engine, size)
    print("upload of a %d-byte prompt (%s): chunk %d, %d chunks, %d blocks (%.2f s of the block clock); "
          "put.chunk lines %d bytes (%.2f s at 115200 baud, 10 bits a byte); "
          "CPU: world %.2f s, firmware %.2f s (the whole 120 s run)" % (
              r["bytes"], engine, r["chunk"], r["chunks"], r["blocks"], r["blocks"] / 100.0,
              r["wire"], r["wire"] * 10 / 115200.0, r["world_cpu_s"], r["firmware_cpu_s"]))


if __name__ == "__main__":
    main(sys.argv[1:])
