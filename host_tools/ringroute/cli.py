"""The `ringroute` command: one entry point, one table of subcommands.

Each subcommand lives in its own module `ringroute.cmd_<name>` with
HELP (one line), configure(parser) and run(args) -> exit code. Every error
the tools raise derives from RingrouteError (errors.py) and becomes one line
on stderr, never a traceback.
"""
import argparse
import importlib
import sys

from .errors import RingrouteError

# name -> module. Nested groups ("dtmf decode") are handled by the module.
COMMANDS = [
    ("dtmf", "ringroute.cmd_dtmf"),
    ("emulate", "ringroute.cmd_emulate"),
    ("report", "ringroute.cmd_report"),
    ("tones", "ringroute.cmd_tones"),
    ("validate", "ringroute.cmd_validate"),
    ("schedule", "ringroute.cmd_schedule"),
    ("ports", "ringroute.cmd_ports"),
    ("status", "ringroute.cmd_status"),
    ("push", "ringroute.cmd_push"),
    ("pull", "ringroute.cmd_pull"),
    ("monitor", "ringroute.cmd_monitor"),
    ("prompts", "ringroute.cmd_prompts"),
    ("records", "ringroute.cmd_records"),
    ("privacy", "ringroute.cmd_privacy"),
    ("campaign", "ringroute.cmd_campaign"),
    ("dnc", "ringroute.cmd_dnc"),
    ("agent", "ringroute.cmd_agent"),
    ("time", "ringroute.cmd_time"),
    ("flash", "ringroute.cmd_flash"),
    ("board", "ringroute.cmd_board"),
    ("callerid", "ringroute.cmd_callerid"),
]


def build_parser():
    p = argparse.ArgumentParser(
        prog="ringroute",
        description="Tools for the ringroute call-routing appliance: configure, "
                    "monitor, flash and emulate a board.",
        epilog="Run `ringroute COMMAND --help` for the details of one command.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, modname in COMMANDS:
        try:
            mod = importlib.import_module(modname)
        except ImportError as e:
            # one broken subcommand must not take the others down with it
            print("ringroute: command %r unavailable: %s" % (name, e), file=sys.stderr)
            continue
        sp = sub.add_parser(name, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP),
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.configure(sp)
        sp.set_defaults(_run=mod.run)
    return p


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args._run(args) or 0
    except RingrouteError as e:
        print("ringroute: %s" % e, file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("ringroute: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
