"""`ringroute pull`: the configuration the board runs."""
import json
import sys

HELP = "download the board's running configuration (compiled JSON)"
DESCRIPTION = """\
Writes the configuration the board runs (the compiled form `push` sent; the
YAML comments and layout stay on your computer). --previous gets the one
before it, which the board keeps after each push. Needs the admin PIN (the
config may hold the DISA PIN).

examples:
  ringroute pull -o running.json
  ringroute pull --previous
  ringroute pull --prompts saved/     # the prompts too, as .ulaw files
"""


def configure(p):
    from .session import add_port_args
    add_port_args(p, pin=True)
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of to stdout")
    p.add_argument("--previous", action="store_true", help="the previous configuration instead")
    p.add_argument("--prompts", metavar="DIR", help="also save every prompt into DIR as NAME.ulaw")


def run(args):
    from .errors import RingrouteError
    from .session import open_board, Progress
    import os
    kind = "config.prev" if args.previous else "config"
    with open_board(args, need_pin=True) as b:
        data = b.get_file(kind)
        if data is None:
            raise RingrouteError("the board has no %s configuration" % ("previous" if args.previous else "running"))
        saved = []
        if args.prompts:
            os.makedirs(args.prompts, exist_ok=True)
            for name in sorted(b.prompt_list()):
                pdata = b.get_file("prompt", name=name, progress=Progress(name + ".ulaw"))
                with open(os.path.join(args.prompts, name + ".ulaw"), "wb") as f:
                    f.write(pdata or b"")
                saved.append(name)
    try:
        cfg = json.loads(data)
        text = json.dumps(cfg, indent=2, sort_keys=True) + "\n"
    except ValueError:
        text = data.decode("utf-8", "replace")
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
        print("wrote %s (%d bytes)%s" % (args.output, len(text),
                                         "; %d prompts in %s" % (len(saved), args.prompts) if args.prompts else ""),
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
