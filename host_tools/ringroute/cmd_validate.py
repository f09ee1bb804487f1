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
    return 0
