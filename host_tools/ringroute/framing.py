"""The console's lines on the host side, built on the board's own framing.

The format (docs/console.md) is written once, in the firmware's
rrfw.console.protocol: requests go out through its `frame`, with its CRC.
Replies need a reader of their own only because the board's `parse` is for
requests (it answers a bad line with a CmdError for the host); this one says
what went wrong in the host's terms, still with the firmware's CRC and
protocol version.

    line = encode("42", "status", {})          # b'~RR1 42 status {}*1a2b3c4d\\n'
    decode(b'~RR1 42 ok {"fw": "1.0"}*...')    # ("42", "ok", {"fw": "1.0"})
"""
import json

from rrfw.console import protocol

from .errors import SerialError

MAGIC = protocol.MAGIC   # b"~RR1": the protocol version the board speaks (PROTO)


class ProtocolError(SerialError):
    pass


def encode(rid, verb, args):
    """One request line (bytes, newline included); ASCII-only JSON so the line
    stays printable and no byte of it is a REPL control key."""
    return protocol.frame(rid, verb, json.dumps(args, separators=(",", ":"), ensure_ascii=True))


def decode(line):
    """(rid, verb, payload) for a protocol line, None for other output, ProtocolError if damaged."""
    if not line.startswith(b"~RR"):
        return None
    star = line.rfind(b"*")
    if star < 0 or len(line) - star != 9 or \
            protocol.crc_hex(line[:star]) != line[star + 1:].decode("ascii", "replace"):
        raise ProtocolError("damaged line from the board")
    parts = line[:star].split(b" ", 3)
    if len(parts) != 4 or parts[0] != MAGIC:
        raise ProtocolError("the board speaks protocol %s, this tool %s: update one of them" % (
            parts[0][1:].decode("ascii", "replace"), MAGIC[1:].decode()))
    try:
        payload = json.loads(parts[3])
    except ValueError:
        raise ProtocolError("the board sent a line that is not JSON")
    return parts[1].decode(), parts[2].decode(), payload
