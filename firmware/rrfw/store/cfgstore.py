# The running configuration on flash, and how a new one replaces it.
# config.json is the running one, config.prev.json the one before it. A new
# config is written to config.new.json, read back and checked, and only then
# renamed into place; a cut at any point leaves a good config to boot from
# (load() tries config.json, then a complete config.new.json, then the previous).
# A DISA PIN never stays on flash in plain text (issue 16): install() and
# load() replace it by its salted hash (pins.seal_disa) once it has passed
# the check, so a copied flash gives the PIN away only to an offline search.
#
# A config that passes the check and still cannot start the App (main.py)
# is passed over at the next start: load(names=_FALLBACK) takes the previous
# one, and safe() is the built-in answering mode when no config starts.
import json

from rrfw.store import atomic as store


def _seal(cfg):
    # pins.py only for a config with a plain DISA PIN: no heap for it otherwise
    d = cfg.get("disa")
    if type(d) is not dict or type(d.get("pin")) is not str:
        return False
    from rrfw.store import pins
    return pins.seal_disa(cfg)

CURRENT = "config.json"
PREVIOUS = "config.prev.json"
INCOMING = "config.new.json"
ALL = (CURRENT, INCOMING, PREVIOUS)
_FALLBACK = (PREVIOUS,)
SAFE = "safe mode"   # the config source when the built-in answering mode runs


def _parse(text, check):
    if text is None:
        return None, "missing"
    try:
        cfg = json.loads(text)
    except ValueError:
        return None, "not valid JSON (cut short?)"
    if not isinstance(cfg, dict):
        return None, "not a JSON object"
    err = check(cfg) if check else None
    if err:
        return None, err
    return cfg, None


def _share(obj, seen):
    # json.loads makes a str for every occurrence of a text that is not a
    # name in the firmware (an extension number as a key, in each member
    # list, as a target): 32 bytes each on mp32 (object and text). The
    # config is kept for the run, so equal texts become one object (the
    # first seen); keys are put back under it. Values and order unchanged.
    t = type(obj)
    if t is str:
        return seen.setdefault(obj, obj)
    if t is list:
        for i in range(len(obj)):
            obj[i] = _share(obj[i], seen)
    elif t is dict:
        for k in list(obj):
            v = _share(obj.pop(k), seen)
            obj[_share(k, seen)] = v
    return obj


def load(check=None, names=ALL):
    """(config dict, file it came from) or (None, reason) when no good one exists."""
    reasons = []
    for name in names:
        cfg, err = _parse(store.read_text(name), check)
        if cfg is not None:
            if _seal(cfg):
                try:
                    store.write_atomic(name, json.dumps(cfg))   # a config put there by hand
                except OSError:
                    pass   # a full flash: it runs sealed in RAM; the next boot tries again
            return _share(cfg, {}), name
        reasons.append("%s: %s" % (name, err))
    return None, "; ".join(reasons)


def install(text, check=None):
    """Make `text` the running config if it parses and passes `check`.

    Returns None on success, else the reason it was refused (and the running
    config stays as it was)."""
    cfg, err = _parse(text, check)
    if cfg is None:
        return err
    if _seal(cfg):
        text = json.dumps(cfg)
    store.write_atomic(INCOMING, text)
    back, err = _parse(store.read_text(INCOMING), check)
    if back is None:
        store.remove(INCOMING)
        return "read-back failed: " + err
    if store.exists(CURRENT):
        store.write_atomic(PREVIOUS, store.read_text(CURRENT))
    store.write_atomic(CURRENT, text)
    store.remove(INCOMING)
    return None


def safe(n_lines, n_exts, countries=()):
    """The built-in answering mode: every line answers on the 2nd ring and
    rings every extension at once; unanswered, the call is released (no
    prompts needed: the caller hears ringback). countries: each line's
    country when the config that failed named a known one."""
    lines = []
    for i in range(n_lines):
        lines.append({"country": countries[i] if i < len(countries) else "US", "answer_on_ring": 2})
    exts = {}
    for p in range(n_exts):
        exts[str(p + 1)] = {"port": p}
    return {"version": 1, "name": SAFE, "lines": lines, "extensions": exts,
            "groups": {"all": {"members": sorted(exts), "strategy": "ring_all"}},
            "menus": {"main": {"greeting": [], "keys": {}, "first_ms": 500, "max_timeout": 1,
                               "on_timeout": {"do": "group", "to": "all"}}},
            "on_no_answer": {"do": "hangup", "reason": "no_answer"}}


def countries(name):
    """The known countries of the lines in config file `name`, for safe(); [] if none."""
    out = []
    try:
        from rrfw.line import profiles
        for ln in json.loads(store.read_text(name) or "{}").get("lines") or ():
            c = ln.get("country") if type(ln) is dict else None
            out.append(c if type(c) is str and c.upper() in profiles.codes() else "US")
    except Exception:  # noqa: BLE001 - a file that failed once may be anything: the default then
        pass
    return out
