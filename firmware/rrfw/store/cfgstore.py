# The running configuration on flash, and how a new one replaces it.
# config.json is the running one, config.prev.json the one before it. A new
# config is written to config.new.json, read back and checked, and only then
# renamed into place; a cut at any point leaves a good config to boot from
# (load() tries config.json, then a complete config.new.json, then the previous).
# A DISA PIN never stays on flash in plain text (issue 16): install() and
# load() replace it by its salted hash (pins.seal_disa) once it has passed
# the check, so a copied flash gives the PIN away only to an offline search.
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


def load(check=None):
    """(config dict, file it came from) or (None, reason) when no good one exists."""
    reasons = []
    for name in (CURRENT, INCOMING, PREVIOUS):
        cfg, err = _parse(store.read_text(name), check)
        if cfg is not None:
            if _seal(cfg):
                try:
                    store.write_atomic(name, json.dumps(cfg))   # a config put there by hand
                except OSError:
                    pass   # a full flash: it runs sealed in RAM; the next boot tries again
            return cfg, name
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
