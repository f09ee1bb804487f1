"""`ringroute agent`: set an agent's state on the board, as the agent's own handset codes would."""

HELP = "set an agent's state: login, logout, pause [--reason], unpause, dnd, dnd-off (admin PIN)"
DESCRIPTION = """\
Sets the state of one agent (an extension that is a member of a group, with
an `agents` section in the config), as the agent's feature codes do from the
handset. The board keeps it across a reboot and says so in an `agent` event
(why "console"). Needs the admin PIN: the supervisor's PIN only looks.

  login  [--group G]    into every group (or into G only)
  logout [--group G]    out of every group (or out of G only)
  pause  [--reason R]   on break, with an optional reason word (up to 16 characters)
  unpause               back from the break
  dnd | dnd-off         do not disturb, and back

examples:
  ringroute agent 101 pause --reason lunch
  ringroute agent 102 logout --group sales
  ringroute status           (the agents' states)
"""

ACTIONS = ("login", "logout", "pause", "unpause", "dnd", "dnd-off")


def configure(p):
    from .session import add_port_args
    p.add_argument("ext", help="the agent's extension number")
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("--group", help="login/logout: this group only")
    p.add_argument("--reason", help="pause: why (a short word)")
    add_port_args(p, pin=True)


def request_args(args):
    """The board's agent.set arguments for the command line (UsageError when they clash)."""
    from .errors import UsageError
    do = args.action.replace("-", "_")
    if args.group is not None and do not in ("login", "logout"):
        raise UsageError("--group goes with login or logout")
    if args.reason is not None and do != "pause":
        raise UsageError("--reason goes with pause")
    a = {"ext": args.ext, "do": do}
    if args.group is not None:
        a["do"] = do + "_group"
        a["group"] = args.group
    if args.reason is not None:
        a["reason"] = args.reason
    return a


def run(args):
    from .session import open_board
    a = request_args(args)
    with open_board(args, need_pin=True) as b:
        r = b.request("agent.set", a)
    print("%s: %s%s" % (r["ext"], r["status"], (" (%s)" % r["reason"]) if r.get("reason") else ""))
    return 0
