# The CPU an event costs (firmware/rrfw/call/events.py: json.dump straight into
# the ring), on the engine that runs this script: 2000 pairs of a record event
# (~620 bytes of JSON, a connected call's record) and a digit event. Measure it
# as CPU seconds of the whole process:
#   time /usr/i686-linux-gnu/lib/ld-linux.so.2 --library-path /usr/i686-linux-gnu/lib \
#       build/mp32/frozen/micropython bench/emit_cost.py
# (docs/notes/heap.md, heap6: the user time before and after).
import sys

try:
    from rrfw.call import events   # frozen into the binary (mp32-frozen): as the board runs it
except ImportError:
    sys.path.insert(0, "firmware")
    from rrfw.call import events

N = 2000
REC = {"call": 1234, "line": 1, "utc": 1795392000, "ring_ms": 2160000000, "answer_ms": 2160006000, "rings": 2,
       "caller": "6175550142", "caller_name": "SMITH JOHN", "caller_reason": None, "path": ["main", "sales"],
       "digits": "2", "target": "front", "ext": "101", "wait_ms": 7650, "connect_ms": 2160013650,
       "route_ms": 2160007640, "talk_ms": 184190, "end_ms": 2160197840, "release": "caller_hangup",
       "method": "cpc", "outcome": "connected", "dtmf_lost": 0,
       "agents": [{"ext": "101", "ring_ms": 3000, "result": "answered"},
                  {"ext": "102", "ring_ms": 3000, "result": "elsewhere"}]}

clock = events.Clock()
ev = events.Events(clock)
for i in range(N):
    clock.ms = i * 10
    ev.emit("record", record=REC)
    ev.emit("digit", line=1, digit="5", start_ms=100, end_ms=180)
print("%d record + digit emits; the last record event %d bytes" % (N, len(ev.text(ev.seq - 1))))
