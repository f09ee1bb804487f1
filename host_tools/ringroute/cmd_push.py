"""`ringroute push CONFIG`: put an office's configuration and prompts on the board."""
import json
import os
import sys
import time

from .errors import RingrouteError, UsageError

HELP = "validate a config, then upload it and every prompt it names that the board lacks"
DESCRIPTION = """\
Checks CONFIG completely first (as `ringroute validate` does): nothing is
sent if it has errors. A compiled config.json gets the board's own check
(firmware/rrfw/store/cfgcheck.py) on the host: what the board would refuse
is not sent. Then uploads each prompt the config names that the
board does not have yet, or has in a different version (found as NAME.wav or
NAME.ulaw in the prompts/ folder next to CONFIG, or in --prompts folders,
converted as `ringroute prompts add` does), and finally the config itself.

The board keeps running its current config until the new one is completely
on its flash and has passed its own check, then switches between calls and
keeps the previous one (`ringroute pull --previous`). A push cut off at any
point (cable pulled, power lost) leaves the board on its previous config;
pushing again resumes where the transfer stopped.

Needs the admin PIN. On a new board the PIN you give becomes its PIN.

examples:
  ringroute push office.yaml
  ringroute push office.yaml --port /dev/ttyUSB0 --prompts ~/recordings
  RINGROUTE_PIN=... ringroute push office.yaml --quiet
"""

# compiled-config keys whose values are prompt names (configlang, docs/config.md)
PROMPT_KEYS = ("greeting", "short", "prompts", "prompt", "invalid_prompt", "timeout_prompt", "announce_ext")


def configure(p):
    from .session import add_port_args
    p.add_argument("config", help="office configuration (YAML), or a compiled config.json")
    add_port_args(p, pin=True)
    p.add_argument("--prompts", metavar="DIR", action="append", default=[],
                   help="more folders with NAME.wav / NAME.ulaw (the config's prompts/ folder is always searched)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    import argparse
    # bench/bench_console.py: pace the host's writes as a UART at this rate would (a pty has no baud rate)
    p.add_argument("--throttle-baud", type=int, help=argparse.SUPPRESS)


def prompt_names(cfg):
    """Every prompt name the compiled config can play."""
    names = set()

    def walk(v, key=None):
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, k)
        elif isinstance(v, list):
            if key in PROMPT_KEYS and all(isinstance(s, str) for s in v):
                names.update(v)
            else:
                for x in v:
                    walk(x, key)
        elif isinstance(v, str) and key in PROMPT_KEYS:
            names.add(v)

    walk(cfg)
    if cfg.get("announce_ext"):  # "you are being connected to 1 0 1": the digits of each extension
        for ext in cfg.get("extensions", {}):
            names.update("digit-" + d for d in str(ext) if d.isdigit())
    return sorted(names)


def find_sources(names, dirs):
    """name -> file path (.ulaw preferred over .wav, first folder wins)."""
    found = {}
    for name in names:
        for d in dirs:
            for ext in (".ulaw", ".wav", ".WAV"):
                p = os.path.join(d, name + ext)
                if os.path.isfile(p):
                    found[name] = p
                    break
            if name in found:
                break
    return found


def check_compiled(path, cfg):
    """A compiled config (.json) gets the board's own check here: refused, nothing is sent."""
    if not path.endswith(".json"):
        return     # YAML: the compiler has checked it completely
    from rrfw.store import cfgcheck
    err = cfgcheck.check(cfg)
    if err:
        raise UsageError("%s: the board would refuse this config: %s" % (path, err))


def run(args):
    import binascii
    from .cmd_emulate import load_config
    from .cmd_prompts import convert_file
    from .configlang import to_json
    from .session import open_board, Progress, say
    t0 = time.monotonic()
    cfg = load_config(args.config)           # raises ConfigError with every problem: nothing sent
    check_compiled(args.config, cfg)
    text = to_json(cfg).encode()
    names = prompt_names(cfg)
    dirs = [os.path.join(os.path.dirname(os.path.abspath(args.config)), "prompts")] + args.prompts
    sources = find_sources(names, dirs)
    sent = []
    xfer_s = 0.0   # time on the wire (the rest is checking and converting)
    kept = []
    sent_bytes = 0
    with open_board(args, need_pin=True, throttle_baud=getattr(args, "throttle_baud", None)) as b:
        on_board = b.prompt_list()
        for name in names:
            if name not in sources:
                if name not in on_board:
                    say("warning: the config names prompt '%s' but there is no %s.wav or .ulaw in %s, "
                        "and the board has none: callers will hear silence there" % (name, name, ", ".join(dirs)))
                continue
            data, _ = convert_file(sources[name])
            crc = binascii.crc32(data) & 0xFFFFFFFF
            if on_board.get(name) == [len(data), crc]:
                kept.append(name)
                continue
            t1 = time.monotonic()
            b.put_file("prompt", data, name=name, progress=Progress(name + ".ulaw", quiet=args.quiet))
            xfer_s += time.monotonic() - t1
            sent.append(name)
            sent_bytes += len(data)
        t1 = time.monotonic()
        r = b.put_file("config", text, progress=Progress("config (%d bytes)" % len(text), quiet=True))
        xfer_s += time.monotonic() - t1
    dt = time.monotonic() - t0
    args.stats = {"seconds": dt, "transfer_s": xfer_s, "prompts_sent": len(sent), "prompt_bytes": sent_bytes, "config_bytes": len(text)}
    print("pushed %s: %d prompt(s) uploaded (%.1f KB), %d already on the board; config %d bytes; %.1f s" % (
        args.config, len(sent), sent_bytes / 1024.0, len(kept), len(text), dt))
    if r.get("switch") == "unchanged":
        print("the board already runs this config")
    else:
        print("the board %s (the previous config is kept: `ringroute pull --previous`)" % (
            "switched to it" if r.get("switch") == "now" else "switches to it " + str(r.get("switch"))))
    return 0
