"""Check a YAML config completely, then compile it to the JSON the firmware loads."""
import json

from yaml.nodes import MappingNode

from . import agentcfg, intercomcfg, sections, transfercfg
from .actions import parse_action
from .context import Ctx, board_names, board_ports
from .graph import check_graph
from .menus import parse_defaults, parse_menu
from .nodes import did_you_mean, load
from .problems import ConfigError
from .schedcfg import parse_schedule, parse_timezone

SCHEMA_VERSION = 1
MAX_MENUS = 64          # firmware/cfgcheck.py _MAX_MENUS
MAX_JSON = 32768        # bytes; firmware/conscmd.py _CFG_MAX (what the console accepts)
TOP_KEYS = ("version", "name", "board", "lines", "extensions", "groups", "operator", "ring_timeout",
            "prompts", "start", "menu_defaults", "menus", "timezone", "schedule", "callers",
            "feature_codes", "disa", "records", "no_answer", "announce_extension", "outbound",
            "hold_prompt", "queue", "agents", "service_level", "notice", "transfer",
            "intercom")
REQUIRED = ("version", "lines", "extensions", "menus")


def check_config(path, text=None):
    """(compiled dict or None, problems sorted by place). The dict is None when there are errors."""
    root, probs = load(path, text)
    if root is None:
        if not probs.items:
            probs.add(1, 1, "the file is empty; a config needs at least: %s" % ", ".join(REQUIRED))
        return None, probs.sorted()
    if not isinstance(root, MappingNode):
        probs.at(root, "a config is a mapping of sections (version:, lines:, menus: ...)")
        return None, probs.sorted()
    ctx = Ctx(path, probs)
    r = ctx.r
    top = r.mapping(root, "config", allowed=TOP_KEYS, required=REQUIRED)

    def node(k):
        return top[k][1] if k in top else None

    if "version" in top:
        v = r.integer(node("version"), "version")
        if v is not None and v != SCHEMA_VERSION:
            probs.at(node("version"), "version %d is not supported; this tool reads version %d" % (
                v, SCHEMA_VERSION))
    if "board" in top:
        b = r.text(node("board"), "board")
        if b is not None:
            ctx.n_ports = board_ports(b)
            names = board_names()
            if names and b not in names:
                probs.at(node("board"), "unknown board '%s'%s; known: %s" % (b, did_you_mean(b, names),
                                                                            ", ".join(names)))

    if "agents" in top:   # first: it changes the groups' default strategy
        agents = agentcfg.parse_agents(ctx, node("agents"))
    # pass 1: names, so that references can be checked wherever they appear
    sections.collect_exts(ctx, node("extensions"))
    sections.collect_groups(ctx, node("groups"))
    for k, (kn, vn) in r.mapping(node("menus"), "menus").items():
        ctx.menus[k] = kn
    if "menus" in top and not ctx.menus:
        probs.at(node("menus"), "menus: at least one menu is needed")
    if "prompts" in top:
        sections.parse_prompts(ctx, node("prompts"))
    ctx.has_operator = "operator" in top
    disa = sections.parse_disa(ctx, node("disa")) if "disa" in top else {"enabled": False}
    if "feature_codes" in top:
        sections.collect_feature_modes(ctx, node("feature_codes"))

    # pass 2: every section
    cfg = {"version": SCHEMA_VERSION}
    if "name" in top:
        cfg["name"] = r.text(node("name"), "name")
    cfg["lines"] = sections.parse_lines(ctx, node("lines")) if "lines" in top else []
    cfg["extensions"] = sections.parse_exts(ctx, node("extensions"))
    cfg["groups"] = sections.parse_groups(ctx, node("groups")) if "groups" in top else {}
    if "agents" in top:
        cfg["agents"] = agents
    cfg["ext_ring_timeout_ms"] = r.duration_ms(node("ring_timeout"), "ring_timeout", 20000, lo=5000,
                                               hi=300000) if "ring_timeout" in top else 20000
    op = sections.parse_operator(ctx, node("operator")) if "operator" in top else None
    if op is not None:
        cfg["operator"] = op
    elif "operator" in top:
        ctx.has_operator = False
    defaults = parse_defaults(ctx, node("menu_defaults")) if "menu_defaults" in top else {}
    menus = {}
    key_nodes = {}
    overlap_ok = {}
    for name, (kn, vn) in r.mapping(node("menus"), "menus").items():
        m, kns, allow = parse_menu(ctx, name, vn, defaults)
        menus[name] = m
        key_nodes[name] = kns
        overlap_ok[name] = allow
    cfg["menus"] = menus
    tz = parse_timezone(ctx, node("timezone"))
    if "schedule" in top:
        cfg["schedule"] = parse_schedule(ctx, node("schedule"), tz)
    elif tz:
        cfg["tz"] = tz
    if "start" in top:
        s = r.text(node("start"), "start")
        if s is not None and s not in ctx.menus:
            probs.at(node("start"), "start: unknown menu '%s'%s" % (s, did_you_mean(s, ctx.menus)))
        cfg["start"] = s
    elif "schedule" in cfg and cfg["schedule"]["modes"]:
        sch = cfg["schedule"]
        cfg["start"] = sch["modes"].get(sch["default"]) or sorted(sch["modes"].values())[0]
    elif "main" in ctx.menus or not ctx.menus:
        cfg["start"] = "main"
    else:
        probs.at(node("menus"), "no 'main' menu and no 'start:' naming the first menu")
        cfg["start"] = None
    if "callers" in top:
        cfg["callers"] = sections.parse_callers(ctx, node("callers"))
    if "feature_codes" in top:
        cfg["feature_codes"] = sections.parse_features(ctx, node("feature_codes"))
    if "transfer" in top:      # hook-flash transfers and supervisor escalation
        cfg["transfer"] = transfercfg.parse_transfer(ctx, node("transfer"), cfg["extensions"],
                                                     top["transfer"][0])
    if "intercom" in top:      # an extension's number dialled on a handset rings that phone
        ic = intercomcfg.parse_intercom(ctx, node("intercom"), cfg, top["intercom"][0])
        if ic is not None:
            cfg["intercom"] = ic
    sections.check_answer_before_callerid(ctx, cfg)
    cfg["disa"] = disa
    sections.check_disa_pin(ctx, cfg)
    if "records" in top:
        cfg["records"] = sections.parse_records(ctx, node("records"))
    if "service_level" in top:   # read by `ringroute report`; the board ignores it
        cfg["service_level"] = sections.parse_service_level(ctx, node("service_level"))
    if "outbound" in top:
        cfg["outbound"] = sections.parse_outbound(ctx, node("outbound"))
    if "hold_prompt" in top:   # what a queued caller hears (default: please_hold)
        hold = r.names(node("hold_prompt"), "hold_prompt")
        for n, nn in hold:
            ctx.use_prompt(n, nn)
        cfg["hold_prompt"] = [n for n, _ in hold]
    if "notice" in top:        # the office's notice before the menu (that the call is logged, ...)
        notice = r.names(node("notice"), "notice")
        for n, nn in notice:
            ctx.use_prompt(n, nn)
        if notice:
            cfg["notice"] = [n for n, _ in notice]
    if "queue" in top:         # longest wait in a queue when every member is busy (groups may override)
        cfg["queue_ms"] = r.duration_ms(node("queue"), "queue", 60000, lo=0, hi=3600000)
    if "no_answer" in top:
        a = parse_action(ctx, node("no_answer"), "no_answer", in_menu=False)
        if a is not None:
            cfg["on_no_answer"] = a
    if "announce_extension" in top:
        ann = r.names(node("announce_extension"), "announce_extension")
        for n, nn in ann:
            ctx.use_prompt(n, nn)
        if ann:
            for d in sorted(set("".join(cfg["extensions"]))):
                ctx.use_prompt("digit-" + d, node("announce_extension"))
            cfg["announce_ext"] = [n for n, _ in ann]
    agentcfg.check_after(ctx, cfg)

    ctx.check_prompts()
    ctx.check_prompt_files()
    if "prompts" not in top and ctx.prompt_uses:
        probs.warn(root, "no 'prompts' section: the %d prompt names used are not checked" %
                   len(set(n for n, _ in ctx.prompt_uses)))
    if menus and cfg.get("start") is not None or "schedule" in cfg:
        # also when there are errors, so that one run reports every class of problem
        check_graph(ctx, cfg, key_nodes, overlap_ok)
    if len(menus) > MAX_MENUS:
        probs.at(node("menus"), "menus: %d menus; the board takes at most %d" % (len(menus), MAX_MENUS))
    if not probs.errors:
        size = len(to_json(cfg))
        if size > MAX_JSON:
            probs.at(root, "the compiled config is %d bytes; the board takes at most %d "
                           "(fewer menus or shorter names)" % (size, MAX_JSON))
    if probs.errors:
        return None, probs.sorted()
    return cfg, probs.sorted()


def compile_config(path, text=None):
    """The compiled dict; raises ConfigError (all problems) if the config has errors."""
    cfg, problems = check_config(path, text)
    if cfg is None:
        raise ConfigError(problems)
    return cfg


def to_json(cfg):
    """Compact JSON text for the board's config.json."""
    return json.dumps(cfg, separators=(",", ":"), sort_keys=True)
