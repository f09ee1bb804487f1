"""`ringroute status`: what the board is doing."""
import json
import time

HELP = "show the board's firmware, uptime, lines, extensions, heap and storage"
DESCRIPTION = """\
Asks the board for its status over the serial console (no PIN needed).
With --pin (the admin's or the supervisor's) it also shows the staff's
names, who talks on which line, and the agents' states.

examples:
  ringroute status
  ringroute status --port /dev/ttyUSB0 --json
  ringroute status --pin 583920          (with the agents' states)
"""


def configure(p):
    from .session import BAUD
    p.add_argument("--port", help="serial port of the board (default: $RINGROUTE_PORT, or the only "
                                  "board found; see `ringroute ports`)")
    p.add_argument("--baud", type=int, default=BAUD, help="baud rate (default %d)" % BAUD)
    p.add_argument("--pin", help="log in first (the admin's or the supervisor's PIN): names and agents too")
    p.add_argument("--json", action="store_true", help="the board's answer as JSON")


def _dur(ms):
    s = ms // 1000
    return "%dd %02d:%02d:%02d" % (s // 86400, s // 3600 % 24, s // 60 % 60, s % 60)


def run(args):
    from .session import open_board
    with open_board(args) as b:
        if args.pin:
            b.login(args.pin, first_use_ok=False)   # a status never sets a board's first PIN
        st = b.request("status")
    if args.json:
        print(json.dumps(st, indent=1, sort_keys=True))
        return 0
    print("board      %s, firmware %s (console protocol %s)" % (st.get("board") or "?", st["fw"], st["proto"]))
    print("uptime     %s" % _dur(st["uptime_ms"]))
    utc = st.get("utc")
    if utc:
        print("clock      %s UTC (host differs by %+d s)" % (
            time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(utc)), utc - int(time.time())))
    print("config     %s%s%s" % (st.get("config_name") or "(unnamed)", "  from " + str(st.get("config")),
                                 "  [switching: %s]" % st["pending"] if st.get("pending") else ""))
    for ln in st["lines"]:
        print("line %-5d %-10s %s" % (ln["line"], ln["state"], "call #%s" % ln["call"] if ln.get("call") else ""))
    for e in st["exts"]:
        print("ext %-6s %-10s port %-2s %s%s" % (e["ext"], e["state"], e["port"], e.get("name") or "",
                                               "  (line %s)" % e["line"] if e.get("line") else ""))
    for a in st.get("agents") or ():
        # the call distributor's agents (a session's status only): `ringroute agent` sets them
        print("agent %-4s %-10s%s%s" % (a["ext"], a["state"], "  (%s)" % a["reason"] if a.get("reason") else "",
                                        "  out of %s" % ", ".join(a["groups_out"]) if a.get("groups_out") else ""))
    h = st["heap"]
    print("heap       %.1f KB free, %.1f KB used" % (h["free"] / 1024.0, h["used"] / 1024.0))
    s = st["storage"]
    free = s["free"]
    print("storage    %s free, %d prompts, %.1f KB of call records" % (
        "%.0f KB" % (free / 1024.0) if free >= 0 else "?", s["prompts"], s["records_bytes"] / 1024.0))
    if "records_budget" in s:
        print("records    %d on the board (%.0f of %.0f KB), %d not taken away yet%s" % (
            s["records"], s["records_bytes"] / 1024.0, s["records_budget"] / 1024.0, s["records_unexported"],
            ", %d unreadable skipped" % s["records_unreadable"] if s.get("records_unreadable") else ""))
        if s.get("records_at_risk"):
            print("WARNING    %d record(s) never taken away go when the board rotates its records next: "
                  "run `ringroute records -o FILE` now" % s["records_at_risk"])
        if s.get("records_dropped"):
            print("WARNING    %d record(s) were overwritten before they were taken away" % s["records_dropped"])
    if s.get("records_lost"):
        print("WARNING    %d record(s) could not be written (%s)" % (s["records_lost"], s.get("records_error")))
    a = st["auth"]
    print("admin PIN  %s%s" % ("set" if a["pin_set"] else "NOT SET (the first push sets it)",
                               "; LOCKED for %d s after wrong PINs" % (a["wait_ms"] // 1000) if a["locked"]
                               else ("; %d wrong tries" % a["fails"] if a["fails"] else "")))
    c = st["console"]
    if c["bad"] or c["dropped"]:
        print("console    %d damaged requests, %d bytes of output dropped" % (c["bad"], c["dropped"]))
    return 0
