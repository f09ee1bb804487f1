"""`ringroute validate CONFIG`: check a config file and show every problem with its place."""
import json
import os
import sys

from .configlang import check_config, to_json
from .errors import RingrouteError, UsageError

HELP = "check a config file; print every problem as FILE:LINE:COL: message"
DESCRIPTION = """\
Check a ringroute config (YAML) before it goes to the board. Every problem is
printed on its own line as FILE:LINE:COL: message (warnings say 'warning:'):
syntax errors, unknown keys (with a 'did you mean'), wrong types, references to
menus, extensions, groups or prompts that do not exist, menus no call can
reach (warning), loops with no way out, and digit maps that overlap.

Exit status: 0 valid (warnings may be printed), 1 invalid, 2 usage error.

examples:
  ringroute validate examples/office.yaml
  ringroute validate office.yaml --output build/config.json   # also write the compiled form
  ringroute validate office.yaml --print                      # show the compiled JSON
  ringroute validate office.yaml --strict                     # warnings count as errors
  ringroute validate office.yaml --json                       # problems as JSON, for editors
  ringroute validate office.yaml --tree                       # the menus as a caller meets them

The format is described in docs/config.md."""


def configure(p):
    p.add_argument("config", metavar="CONFIG", help="the YAML config file")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the compiled config (compact JSON, what the board loads) to FILE")
    p.add_argument("--print", dest="show", action="store_true", help="print the compiled JSON (indented)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--json", action="store_true",
                   help="print the problems as one JSON object {valid, problems:[{file,line,col,message,severity}]}")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when the config is valid")
    p.add_argument("--tree", action="store_true", help="print the menus as a tree: what each key does")


def run(args):
    if not os.path.exists(args.config):
        raise UsageError("no such file: %s" % args.config)
    cfg, problems = check_config(args.config)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    valid = cfg is not None and not (args.strict and warnings)
    if args.json:
        print(json.dumps({"valid": valid, "problems": [p.as_dict() for p in problems]}, indent=1))
    else:
        for p in problems:
            print(p)
        if not valid:
            print("%s: invalid: %d error(s), %d warning(s)" % (args.config, len(errors), len(warnings)),
                  file=sys.stderr)
        elif not args.quiet:
            print("%s: valid%s: %d menus, %d extensions" % (
                args.config, " (%d warning(s))" % len(warnings) if warnings else "",
                len(cfg["menus"]), len(cfg["extensions"])), file=sys.stderr)
    if not valid:
        return 1
    if args.output:
        text = to_json(cfg)
        d = os.path.dirname(os.path.abspath(args.output))
        try:
            os.makedirs(d, exist_ok=True)
            with open(args.output, "w") as f:
                f.write(text + "\n")
        except OSError as e:
            raise RingrouteError("cannot write %s: %s" % (args.output, e.strerror or e))
        if not args.quiet and not args.json:
            print("wrote %s (%d bytes)" % (args.output, len(text) + 1), file=sys.stderr)
    if args.show:
        print(json.dumps(cfg, indent=2, sort_keys=True))
    if args.tree:
        for line in menu_tree(cfg):
            print(line)
    return 0


def describe(act, cfg):
    """One action in words."""
    d = act["do"]
    if d == "menu":
        s = "menu %s" % act["to"]
    elif d == "ext":
        s = "ring %s (%s)" % (act["to"], cfg["extensions"][act["to"]].get("name", act["to"]))
    elif d == "group":
        g = cfg["groups"][act["to"]]
        s = "ring group %s [%s, %s]" % (act["to"], " ".join(g["members"]), g["strategy"])
    elif d == "operator":
        s = "operator (%s)" % describe(cfg["operator"], cfg) if cfg.get("operator") else "operator"
    elif d == "message":
        s = "play %s" % " + ".join(act["prompts"])
        s += ", then %s" % describe(act["then"], cfg) if act.get("then") else ", then hang up"
    elif d == "hangup":
        s = "hang up"
    else:
        s = d
    if act.get("else"):
        s += "; if no answer: %s" % describe(act["else"], cfg)
    return s


def menu_tree(cfg):
    """Lines showing each menu once, depth first from the menus a call starts in."""
    from .configlang.graph import roots_of
    out = []
    seen = set()

    def show(name, indent, how):
        m = cfg["menus"][name]
        if name in seen:
            out.append("%s%s: menu %s (see above)" % (indent, how, name))
            return
        seen.add(name)
        out.append("%s%smenu %s: plays %s" % (indent, how + ": " if how else "", name, " + ".join(m["greeting"])))
        for key in sorted(m["keys"], key=lambda k: (len(k), k)):
            act = m["keys"][key]
            if act["do"] == "menu":
                show(act["to"], indent + "  ", "key %s" % key)
            else:
                out.append("%s  key %s: %s" % (indent, key, describe(act, cfg)))
        if m.get("dial_ext"):
            out.append("%s  an extension number: ring it" % indent)
        out.append("%s  %d wrong keys: %s; %d timeouts: %s" % (
            indent, m["max_invalid"], describe(m["on_invalid"], cfg), m["max_timeout"],
            describe(m["on_timeout"], cfg)))

    sch = cfg.get("schedule")
    if sch:
        for mode, menu in sorted(sch["modes"].items()):
            out.append("mode %s:" % mode)
            show(menu, "  ", "")
    else:
        show(cfg["start"], "", "")
    for ln in cfg["lines"]:
        if ln.get("menu"):
            show(ln["menu"], "", "a line's own")
    for name in sorted(set(cfg["menus"]) - seen):
        show(name, "", "unreached")
    return out
