# The console's framing (docs/console.md): one message per line, printable
# text only, so no byte of it can be taken for a REPL control key.
#
#   request   ~RR1 <id> <command> <json args>*<crc32>\n
#   reply     ~RR1 <id> ok <json result>*<crc32>\n   or   ~RR1 <id> err {"code":..,"msg":..}*<crc32>\n
#   unsolicited (id 0): ev <event json>, gap {"from":N,"to":M}
#
# A request in a session carries the login's token in its args ("tok": hex);
# the server takes it out before the command sees them (docs/console.md).
# <crc32> is 8 lowercase hex digits: CRC-32 (binascii.crc32, ITU-T V.42 /
# IEEE 802.3 polynomial) of every byte before the '*'. "RR1" is the protocol
# version; a board answers another version with err "version".
# The host's ringroute.framing builds and reads the same lines with this module.
import binascii
import json

from rrfw.errors import CmdError

PROTO = const(1)
MAX_LINE = const(816)      # bytes per request line: a put.chunk of CHUNK bytes is 801 at most as the
                           # host sends it (base64 684, an 8-digit id, 32-hex token, a 1 MB prompt's
                           # offset, both CRCs; 809 with JSON's default ", " and ": ": docs/console.md)
CHUNK = const(512)         # bytes of file data per put/get message; hello announces it (and
                           # MAX_LINE), and the host sends chunks of the board's size
MONITOR_MS = const(30000)  # ms a monitor subscription lasts unless the host renews it
# ms; a session ends a minute after its last use (issue 16: one left open
# keeps the port's data waiting for its token). `ringroute monitor` renews
# it every 10 s; every other command opens, uses and closes its own. Here, not
# in auth.py: server.py renews the monitor's session while auth.py is unloaded
SESSION_MS = const(60000)
MAGIC = b"~RR1"            # the version this board speaks (PROTO)


def crc_hex(data):
    return "%08x" % (binascii.crc32(data) & 0xFFFFFFFF)


def frame(rid, verb, payload):
    """One protocol line (bytes) for request/reply id `rid`; `payload` is JSON text."""
    body = "~RR%d %s %s %s" % (PROTO, rid, verb, payload)
    return (body + "*" + crc_hex(body.encode()) + "\n").encode()


def parse(line):
    """(rid, verb, args dict) for one request line (no newline); raises CmdError.

    Returns None for a line that is not a protocol line at all."""
    if not line.startswith(b"~RR"):
        return None
    rid = "0"
    parts = line.split(b" ", 3)
    if len(parts) >= 2 and parts[1].isdigit() and len(parts[1]) <= 9:
        rid = parts[1].decode()
    star = line.rfind(b"*")
    if star < 0 or len(line) - star != 9:
        raise CmdError("frame", "a line must end with *CRC (8 hex digits)", rid)
    try:
        want = int(line[star + 1:], 16)
    except ValueError:
        raise CmdError("frame", "the CRC is not 8 hex digits", rid)
    if binascii.crc32(line[:star]) & 0xFFFFFFFF != want:
        raise CmdError("crc", "CRC mismatch: the line was damaged on the way", rid)
    # a byte that is not UTF-8 (the tag, the command) is a damaged request, never an
    # exception out of the console (here, not a helper: one more function object in RAM)
    what = "protocol tag"
    try:
        if parts[0] != MAGIC:
            raise CmdError("version", "this board speaks protocol %d, not %s" % (
                PROTO, parts[0][3:].decode()), rid)
        if len(parts) < 4 or not parts[1].isdigit():
            raise CmdError("frame", "expected: ~RR1 ID COMMAND {ARGS}*CRC", rid)
        try:
            args = json.loads(line[len(parts[0]) + len(parts[1]) + len(parts[2]) + 3:star])
        except ValueError:
            raise CmdError("args", "the arguments are not valid JSON", rid)
        if not isinstance(args, dict):
            raise CmdError("args", "the arguments must be a JSON object", rid)
        what = "command"
        return rid, parts[2].decode(), args
    except UnicodeError:
        raise CmdError("frame", "the %s is not UTF-8 text" % what, rid)


def same(heard, token):
    """True if the token a request carries is the session's (both str), compared
    in constant time as pins.same: the reply's timing must not say how much of a
    token matched (auth.py, and server.py while auth.py is unloaded)."""
    if token is None or type(heard) is not str or len(heard) != len(token):
        return False
    r = 0
    for i in range(len(token)):
        r |= ord(heard[i]) ^ ord(token[i])
    return r == 0
