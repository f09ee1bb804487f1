"""State shared by the section readers while one config file is checked."""
import json
import os

from ..paths import BOARDS
from .nodes import Reader


class Ctx:
    def __init__(self, path, probs):
        self.path = path
        self.dir = os.path.dirname(os.path.abspath(path))
        self.probs = probs
        self.r = Reader(probs)
        self.exts = {}          # number -> node
        self.groups = {}        # name -> node
        self.menus = {}         # name -> key node
        self.prompts = None     # name -> node, None when not declared
        self.prompt_uses = []   # (name, node)
        self.menu_refs = []     # (from menu or None, to menu, node, kind) for the graph checks
        self.modes = {}         # schedule mode -> menu name
        self.override_modes = set()   # modes a feature code can force
        self.has_operator = False
        self.disa_enabled = False
        self.n_ports = None     # extension ports on the board, when known
        self.acd = False        # an `agents` section: the board distributes calls (agentcfg.py)
        self.callback_keys = []  # (node, where, key) of queue exit keys that offer a call-back
        self.announce_nodes = []  # (node, where, group) of groups that announce position / wait
        self.line_nodes = []    # per line: the node of its answer_on_ring (or the line's own)
        self.remote_nodes = {}  # remote agent's extension -> the node of its number (agentcfg.py)
        self.remote_ms = {}     # remote agent's extension -> the longest it rings (agentcfg.remote_ms)

    # references -------------------------------------------------------
    def use_prompt(self, name, node):
        self.prompt_uses.append((name, node))

    def check_prompts(self):
        from .nodes import did_you_mean
        if self.prompts is None:
            return
        for name, node in self.prompt_uses:
            if name not in self.prompts:
                self.probs.at(node, "unknown prompt '%s'%s: declare it under 'prompts'" % (
                    name, did_you_mean(name, self.prompts)))


    def check_prompt_files(self):
        """Warn about prompts with no file in the config's prompts/ folder (callers would hear silence)."""
        d = os.path.join(self.dir, "prompts")
        if not os.path.isdir(d):
            return
        have = set(os.path.splitext(f)[0] for f in os.listdir(d)
                   if f.endswith((".ulaw", ".wav", ".WAV")))
        warned = set()
        for name, node in self.prompt_uses:
            if name not in have and name not in warned and (self.prompts is None or name in self.prompts):
                warned.add(name)
                self.probs.warn(node, "prompt '%s' has no file prompts/%s.ulaw or .wav next to the config: "
                                      "callers would hear silence" % (name, name))


def country_codes():
    """Country profile codes the firmware knows (rrfw/line/profiles.py)."""
    from rrfw.line import profiles
    return profiles.codes()


def board_ports(name):
    """Number of extension ports of boards/<name>/board.json, or None."""
    p = os.path.join(BOARDS, name, "board.json")
    try:
        with open(p) as f:
            b = json.load(f)
    except (OSError, ValueError):
        return None
    for k in ("n_exts", "extensions", "exts"):
        v = b.get(k)
        if isinstance(v, int):
            return v
        if isinstance(v, list):
            return len(v)
    return None


def board_names():
    try:
        return sorted(d for d in os.listdir(BOARDS) if os.path.isdir(os.path.join(BOARDS, d)))
    except OSError:
        return []
