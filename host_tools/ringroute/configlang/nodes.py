"""YAML loading that keeps every value's line and column, and typed readers over nodes.

PyYAML's compose() gives a node tree with start marks; we read scalars from
their source text (so extension '0101' stays '0101' and '011' is not octal)
and check each value's type ourselves, reporting problems instead of raising.
"""
import difflib
import re

import yaml
import yaml.reader
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .problems import Problems

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"

_TYPE_NAMES = {MappingNode: "a mapping", SequenceNode: "a list", ScalarNode: "a value"}


def load(path, text=None):
    """(root node or None, Problems). Syntax errors become problems."""
    probs = Problems(path)
    if text is None:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            probs.add(1, 1, "cannot read the file: %s" % (e.strerror or e))
            return None, probs
        except UnicodeDecodeError as e:
            probs.add(1, 1, "not UTF-8 text: %s" % e.reason)
            return None, probs
    try:
        deep = _too_deep(text)
        if deep is not None:
            probs.add(deep.line + 1, deep.column + 1, "nested more than %d levels deep: a config needs a "
                                                      "handful; flatten it (menus refer to each other by name)"
                      % MAX_DEPTH)
            return None, probs
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as e:
        # a character YAML does not take (NUL, other controls): on its own line and column
        before = text[:e.position] if isinstance(e.position, int) else ""
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        probs.add(line, col, "YAML syntax error: character %s is not allowed in a YAML file" % (
            "NUL (0x00)" if e.character in ("\x00", 0) else "#x%04x" % (
                e.character if isinstance(e.character, int) else ord(e.character))))
        return None, probs
    except yaml.MarkedYAMLError as e:
        m = e.problem_mark or e.context_mark
        msg = "YAML syntax error: %s" % (e.problem or e.context or "unreadable")
        if e.context and e.problem:
            msg += " (%s)" % e.context
        if "alias" in msg:
            msg += "; quote keys such as \"*\" and \"#\""
        elif "'\\t'" in msg:
            msg += "; YAML indents with spaces, never tabs"
        probs.add(m.line + 1 if m else 1, m.column + 1 if m else 1, msg)
        return None, probs
    except yaml.YAMLError as e:
        probs.add(1, 1, "YAML syntax error: %s" % e)
        return None, probs
    if root is not None and root.tag != "tag:yaml.org,2002:map" and isinstance(root, ScalarNode) and root.value == "":
        root = None
    return root, probs


MAX_DEPTH = 64   # levels of mappings and lists; the deepest real config (menus, keys, actions) has about 8


def _too_deep(text):
    """The mark where the nesting passes MAX_DEPTH, or None. PyYAML's parser
    is a state machine but its composer recurses per level: a file nested
    hundreds deep would end in a RecursionError, not a problem."""
    depth = 0
    for ev in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return ev.start_mark
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def kind_name(node):
    if isinstance(node, ScalarNode):
        if node.tag == _NULL:
            return "nothing"
        if node.tag == _BOOL:
            return "true/false"
        if node.tag == _INT:
            return "a number"
        return "text"
    return _TYPE_NAMES.get(type(node), "something else")


def is_null(node):
    return node is None or (isinstance(node, ScalarNode) and node.tag == _NULL)


def did_you_mean(word, choices, cutoff=0.6):
    m = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return " (did you mean %r?)" % m[0] if m else ""


class Reader:
    """Typed access to nodes; every mistake is recorded in `probs`, reads return a default."""

    def __init__(self, probs):
        self.probs = probs

    # ---- containers --------------------------------------------------
    def mapping(self, node, where, allowed=None, required=()):
        """dict key -> (keynode, valuenode) in file order; reports duplicates, unknown and missing keys."""
        out = {}
        if node is None or is_null(node):
            for r in required:
                self.probs.at(node, "%s: missing '%s'" % (where, r))
            return out
        if not isinstance(node, MappingNode):
            self.probs.at(node, "%s must be a mapping (key: value lines), not %s" % (where, kind_name(node)))
            return out
        for k, v in node.value:
            if not isinstance(k, ScalarNode):
                self.probs.at(k, "%s: keys must be plain values" % where)
                continue
            key = k.value
            if key in out:
                first = out[key][0].start_mark.line + 1
                self.probs.at(k, "%s: duplicate key '%s' (first on line %d)" % (where, key, first))
                continue
            if allowed is not None and key not in allowed:
                self.probs.at(k, "%s: unknown key '%s'%s" % (where, key, did_you_mean(key, allowed)))
                continue
            out[key] = (k, v)
        for r in required:
            if r not in out:
                self.probs.at(node, "%s: missing '%s'" % (where, r))
        return out

    def seq(self, node, where, allow_scalar=False):
        if node is None or is_null(node):
            return []
        if isinstance(node, SequenceNode):
            return list(node.value)
        if allow_scalar and isinstance(node, ScalarNode):
            return [node]
        self.probs.at(node, "%s must be a list, not %s" % (where, kind_name(node)))
        return []

    # ---- scalars -----------------------------------------------------
    def scalar(self, node, where):
        if not isinstance(node, ScalarNode) or node.tag == _NULL:
            self.probs.at(node, "%s must be a value, not %s" % (where, kind_name(node)))
            return None
        return node.value

    def text(self, node, where, default=None):
        if node is None:
            return default
        v = self.scalar(node, where)
        return default if v is None else v

    def integer(self, node, where, default=None, lo=None, hi=None):
        if node is None:
            return default
        v = self.scalar(node, where)
        if v is None:
            return default
        if node.tag != _INT or not re.fullmatch(r"[+-]?[0-9]+", v):
            self.probs.at(node, "%s must be a whole number, not %r" % (where, v))
            return default
        n = int(v, 10)
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            rng = "%s..%s" % ("" if lo is None else lo, "" if hi is None else hi)
            self.probs.at(node, "%s must be in %s, not %d" % (where, rng, n))
            return default
        return n

    def boolean(self, node, where, default=None):
        if node is None:
            return default
        v = self.scalar(node, where)
        if v is None:
            return default
        if node.tag != _BOOL:
            self.probs.at(node, "%s must be true or false, not %r" % (where, v))
            return default
        return v.lower() in ("true", "yes", "on", "y")

    def duration_ms(self, node, where, default=None, lo=0, hi=None):
        """'5s', '500ms', '2min', '1h' or a bare number of seconds -> ms."""
        if node is None:
            return default
        v = self.scalar(node, where)
        if v is None:
            return default
        m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|sec|min|m|h)?\s*", v)
        if not m:
            self.probs.at(node, "%s must be a duration such as 5s, 500ms or 2min, not %r" % (where, v))
            return default
        scale = {"ms": 1, "s": 1000, "sec": 1000, None: 1000, "min": 60000, "m": 60000, "h": 3600000}[m.group(2)]
        ms = int(round(float(m.group(1)) * scale))
        if ms < lo or (hi is not None and ms > hi):
            self.probs.at(node, "%s: %s is out of range (%s to %s)" % (
                where, v, _fmt_ms(lo), "unlimited" if hi is None else _fmt_ms(hi)))
            return default
        return ms

    def choice(self, node, where, choices, default=None):
        if node is None:
            return default
        v = self.scalar(node, where)
        if v is None:
            return default
        if v not in choices:
            self.probs.at(node, "%s: unknown value '%s'%s; one of: %s" % (
                where, v, did_you_mean(v, choices), ", ".join(sorted(choices))))
            return default
        return v

    def names(self, node, where):
        """A name or a list of names -> list of (name, node)."""
        out = []
        for n in self.seq(node, where, allow_scalar=True):
            v = self.scalar(n, where)
            if v is not None:
                out.append((v, n))
        return out


def _fmt_ms(ms):
    if ms % 60000 == 0 and ms:
        return "%dmin" % (ms // 60000)
    if ms % 1000 == 0:
        return "%ds" % (ms // 1000)
    return "%dms" % ms
