"""`ringroute report --out DIR`: PNG charts and one Markdown page of the report.

Imported only by that option: matplotlib (and numpy under it) never load
for the rest of the CLI. Charts: calls and service level per hour (per day
when the records span more than three days), the wait distribution against
the answer target, and the load per agent (extension). `ringroute campaign
report --chart FILE` draws an outbound campaign's attempts and connects per
hour and its results (campaign_chart).
"""
import os

import matplotlib

matplotlib.use("Agg")   # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from . import slreport  # noqa: E402

_COLOURS = {"connected": "#2e7d32", "abandoned": "#c62828", "other": "#9e9e9e", "blocked": "#ef6c00",
            "sl": "#1565c0", "target": "#1565c0"}
_MAX_HOURS = 72   # hour bars before the chart goes per day (they would be too thin to read)


def _label(key, period):
    # '2026-11-23 09:00' -> '09:00' when one day, else 'Mon 23 09h'-like short forms
    return key[11:16] if period == "hour" else key[5:] if period == "day" else key


def calls_chart(path, periods, period, st, tz=None):
    fig, ax = plt.subplots(figsize=(max(7.5, 0.45 * len(periods) + 2.5), 5.4), dpi=110)
    xs = list(range(len(periods)))
    con = [p["connected"] for p in periods]
    ab = [p["abandoned"] for p in periods]
    other = [p["offered"] - p["connected"] - p["abandoned"] for p in periods]
    blk = [p["blocked"] for p in periods]
    ax.bar(xs, con, color=_COLOURS["connected"], label="connected to an agent")
    ax.bar(xs, ab, bottom=con, color=_COLOURS["abandoned"], label="abandoned waiting")
    base = [a + b for a, b in zip(con, ab)]
    if any(other):
        ax.bar(xs, other, bottom=base, color=_COLOURS["other"], label="other (menu, missed, unreached)")
    if any(blk):
        base = [a + b for a, b in zip(base, other)]
        ax.bar(xs, blk, bottom=base, color=_COLOURS["blocked"], label="blocked: every line busy")
    ax.set_ylabel("calls")
    ax.set_xlabel("%s starting at (%s)" % (period, "local time" if tz else "UTC"), fontsize=9)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xticks(xs)
    ax.set_xticklabels([_label(p["period"], period) for p in periods], rotation=45 if len(xs) > 8 else 0,
                       ha="right" if len(xs) > 8 else "center")
    top = max([c + a + o + b for c, a, o, b in zip(con, ab, other, blk)] or [1])
    ax.set_ylim(0, top * 1.1 + 1)
    ax2 = ax.twinx()
    sl_x = [x for x, p in zip(xs, periods) if p["service_level"] is not None]
    sl_y = [100 * p["service_level"] for p in periods if p["service_level"] is not None]
    ax2.plot(sl_x, sl_y, "o-", color=_COLOURS["sl"], lw=2, label="service level (%s)" % st["formula"])
    ax2.axhline(st["target_pct"], color=_COLOURS["target"], ls="--", lw=1,
                label="target %d %% within %g s" % (st["target_pct"], st["within_ms"] / 1000.0))
    for x, y, p in zip(sl_x, sl_y, [p for p in periods if p["service_level"] is not None]):
        ax2.annotate("%.0f%%" % y, (x, y), textcoords="offset points", xytext=(0, 7), ha="center",
                     fontsize=8, color=_COLOURS["sl"] if p["met"] else _COLOURS["abandoned"],
                     fontweight="bold", bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
        # (on a white ground: a missed period's red label would sit on the red abandon bars)
    ax2.set_ylim(0, 115)
    ax2.set_ylabel("service level, %")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    # below the axes: inside, it hides the service-level line
    ax.legend(h1 + h2, l1 + l2, loc="upper center", bbox_to_anchor=(0.5, -0.14 if len(xs) <= 8 else -0.22),
              fontsize=8, ncol=3, frameon=False)
    ax.set_title("Calls and service level per %s (%s: %s)" % (period, st["formula"],
                                                              slreport.FORMULAS[st["formula"]]), fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def wait_chart(path, recs, st):
    T = st["within_ms"] / 1000.0
    con = [slreport.wait_s(r) for r in recs if not slreport.outbound(r) and slreport.connected(r)]
    ab = [slreport.wait_s(r) for r in recs if not slreport.outbound(r) and slreport.abandoned(r)]
    con = [w for w in con if w is not None]
    ab = [w for w in ab if w is not None]
    longest = max(con + ab + [T * 1.5])
    step = 2.0 if longest <= 40 else 5.0 if longest <= 120 else 15.0 if longest <= 600 else 60.0
    bins = [i * step for i in range(int(longest // step) + 2)]
    fig, ax = plt.subplots(figsize=(7.5, 4.4), dpi=110)
    ax.hist([con, ab], bins=bins, stacked=True, color=[_COLOURS["connected"], _COLOURS["abandoned"]], zorder=2,
            label=["connected: wait until an agent picked up", "abandoned: wait until the caller hung up"])
    ax.axvline(T, color="black", ls="--", lw=1.5)
    short = st["short_abandon_ms"] / 1000.0
    if short > 0:
        ax.axvspan(0, short, color="#bdbdbd", alpha=0.35, lw=0,
                   label="short abandons: under %g s (kept apart)" % short)
    within = sum(1 for w in con if w <= T)
    ax.set_xlabel("wait from the route to a person, s (bins of %g s)" % step)
    ax.set_ylabel("calls")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    # the count in the title: inside the axes a note would sit on some bar
    ax.set_title("Wait distribution against the %g s target (dashed): %d of %d connected calls within"
                 % (T, within, len(con)), fontsize=10)
    ax.legend(fontsize=8, loc="center right", framealpha=0.95)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def agent_chart(path, total):
    """Per agent: calls answered and missed, talk and wrap-up minutes, occupancy."""
    per = total["per_extension"]
    exts = sorted(per)
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(11.0, max(2.8, 0.55 * len(exts) + 1.8)), dpi=110)
    ys = list(range(len(exts)))
    calls = [per[e]["calls"] for e in exts]
    missed = [per[e].get("missed", 0) for e in exts]
    talk = [(per[e]["talk_s"] + per[e].get("out_talk_s", 0)) / 60.0 for e in exts]
    wrap = [per[e].get("wrap_s", 0) / 60.0 for e in exts]
    occ = [per[e].get("occupancy") for e in exts]
    a1.barh(ys, calls, height=0.6, color=_COLOURS["connected"], label="answered")
    a1.barh(ys, missed, left=calls, height=0.6, color=_COLOURS["abandoned"], label="rang out (missed)")
    a2.barh(ys, talk, height=0.6, color=_COLOURS["sl"], label="talk")
    a2.barh(ys, wrap, left=talk, height=0.6, color=_COLOURS["other"], label="wrap-up")
    a3.barh(ys, [100 * o if o is not None else 0 for o in occ], height=0.6, color=_COLOURS["blocked"])
    a1.xaxis.set_major_locator(MaxNLocator(integer=True))
    totals = ([c + m for c, m in zip(calls, missed)], [t + w for t, w in zip(talk, wrap)],
              [100 * o if o is not None else 0 for o in occ])
    texts = (["%d + %d" % (c, m) if m else "%d" % c for c, m in zip(calls, missed)],
             ["%.0f" % v for v in totals[1]],
             ["%.0f %%" % (100 * o) if o is not None else "no sessions" for o in occ])
    for ax, vals, txt in zip((a1, a2, a3), totals, texts):
        ax.set_yticks(ys)
        ax.set_yticklabels(["ext %s" % e for e in exts])
        ax.invert_yaxis()
        for y, v, t in zip(ys, vals, txt):
            ax.text(v, y, " " + t, va="center", fontsize=8)
        ax.set_xlim(0, max(vals or [1]) * 1.3 + 0.5)
    a3.set_xlim(0, 115)
    a3.set_xlabel("% of time logged in", fontsize=8)
    a1.set_title("calls answered + rang out", fontsize=10)
    a2.set_title("talk + wrap-up, minutes", fontsize=10)
    a3.set_title("occupancy: (talk + wrap-up) / logged in", fontsize=10)
    for ax in (a1, a2):
        ax.legend(fontsize=7, loc="lower right", framealpha=0.9)
    if not exts:
        a1.text(0.5, 0.5, "no call reached an agent", ha="center", transform=a1.transAxes)
    fig.suptitle("Load per agent", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _md_pct(x):
    return "-" if x is None else "%.1f %%" % (100 * x)


def _md_s(x):
    return "-" if x is None else "%.1f s" % x


def page(path, rep, st, charts):
    t = rep["total"]
    d = rep["definitions"]
    out = ["# Service-level report", "",
           "Service level = **%s**: %s; target **%d %% within %g s**; short abandons: under %g s; "
           "waits run %s; periods in %s time." % (d["formula"], d["formula_text"], d["target_pct"], d["within_s"],
                                                 d["short_abandon_s"], d["wait"], d["time"]), "",
           "| figure | value |", "|---|---|"]
    rows = [("calls offered (inbound)", t["offered"]), ("missed (rang out)", t["missed"]),
            ("answered by the board", t["answered"]), ("abandoned in the menu", t["menu_abandoned"]),
            ("routed to a person", t["routed"]),
            ("connected to an agent", "%d (%d within %g s)" % (t["connected"], t["connected_within"], d["within_s"])),
            ("abandoned waiting", "%d (%d short)" % (t["abandoned"], t["abandoned_short"])),
            ("unreached (fallback)", t["unreached"]),
            ("service level (%s)" % d["formula"], _md_pct(t["service_level"])),
            ("verdict", "-" if t["met"] is None else "%s by %+.1f pts" % ("met" if t["met"] else "MISSED",
                                                                         t["margin_pts"])),
            ("other formulas", ", ".join("%s %s" % (k, _md_pct(v)) for k, v in sorted(t["service_levels"].items())
                                         if k != d["formula"])),
            ("speed of answer", "%s mean, %s median, %s p90, %s longest" % (
                _md_s(t["asa_s"]), _md_s(t["median_wait_s"]), _md_s(t["p90_wait_s"]), _md_s(t["longest_wait_s"]))),
            ("call-backs (apart)", "%d made, %d reached" % (t["callbacks"]["made"], t["callbacks"]["reached"]))]
    if rep["emulated"]:
        rows.append(("blocked callers (emulator)", t["blocked"]))
    out += ["| %s | %s |" % r for r in rows]
    out += ["", "## Per %s" % d["period"], "",
            "| period | offered | routed | connected | abandoned | SL | ASA | verdict |%s" % (
                " blocked |" if rep["emulated"] else ""),
            "|---|---|---|---|---|---|---|---|%s" % ("---|" if rep["emulated"] else "")]
    for p in rep["periods"]:
        v = "no calls for agents" if p["met"] is None else "%s %+.1f" % ("met" if p["met"] else "**missed**",
                                                                          p["margin_pts"])
        out.append("| %s | %d | %d | %d | %d | %s | %s | %s |%s" % (
            p["period"], p["offered"], p["routed"], p["connected"], p["abandoned"], _md_pct(p["service_level"]),
            _md_s(p["asa_s"]), v, (" %d |" % p["blocked"]) if rep["emulated"] else ""))
    if t["per_extension"]:
        out += ["", "## Per agent", "", "| " + " | ".join(slreport.AGENT_COLUMNS) + " |",
                "|" + "---|" * len(slreport.AGENT_COLUMNS)]
        for ext in sorted(t["per_extension"]):
            out.append("| " + " | ".join(slreport.agent_cells(ext, t["per_extension"][ext])) + " |")
    if t.get("per_group"):
        out += ["", "## Per group (a call routed on counts in each group it visited, its outcome in the last)", "",
                "| group | offered | connected | abandoned | routed on | transfers | talk |", "|---|---|---|---|---|---|---|"]
        for g in sorted(t["per_group"]):
            e = t["per_group"][g]
            out.append("| %s | %d | %d | %d | %d | %d | %s |" % (g, e["offered"], e["connected"], e["abandoned"],
                                                            e["routed_on"], e["transfers"], slreport._hms(e["talk_s"])))
    out += [""] + ["![%s](%s)" % (c[:-4].replace("_", " "), c) for c in charts]
    out += ["", "## Abandoned callers (%d)" % len(rep["abandoned"]), ""]
    if rep["abandoned"]:
        out += ["| time | number | wait | short | position | since |", "|---|---|---|---|---|---|"]
        for a in rep["abandoned"]:
            out.append("| %s | %s | %s | %s | %s | %s |" % (
                a["time"], a["number"], _md_s(a["wait_s"]), "yes" if a["short"] else "no",
                "-" if a["position"] is None else a["position"], a["since"] or "not since"))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def write(out_dir, stream, st, rep, tz=None):
    """Write the charts and report.md into out_dir; returns the file names."""
    os.makedirs(out_dir, exist_ok=True)
    period = "hour"
    periods = slreport.by_period(stream, st, "hour", tz)
    if len(periods) > _MAX_HOURS:
        period = "day"
        periods = slreport.by_period(stream, st, "day", tz)
    charts = ["calls_per_%s.png" % period, "wait_distribution.png", "agent_load.png"]
    calls_chart(os.path.join(out_dir, charts[0]), periods, period, st, tz)
    wait_chart(os.path.join(out_dir, charts[1]), stream.records, st)
    agent_chart(os.path.join(out_dir, charts[2]), rep["total"])
    page(os.path.join(out_dir, "report.md"), rep, st, charts)
    return [os.path.join(out_dir, n) for n in charts + ["report.md"]]


def campaign_chart(path, rep):
    """An outbound campaign (campaigns.report): attempts and connects per hour, and the results."""
    hours = list(rep["per_hour"].keys())
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10.0, 3.8), dpi=110)
    xs = list(range(len(hours)))
    att = [rep["per_hour"][h]["attempts"] for h in hours]
    con = [rep["per_hour"][h]["connects"] for h in hours]
    a1.bar([x - 0.2 for x in xs], att, 0.4, label="attempts", color=_COLOURS["other"])
    a1.bar([x + 0.2 for x in xs], con, 0.4, label="connects", color=_COLOURS["connected"])
    a1.set_xticks(xs)
    a1.set_xticklabels(hours, fontsize=8)
    a1.yaxis.set_major_locator(MaxNLocator(integer=True))
    a1.set_title("per hour (called person's time zone as given)", fontsize=10)
    a1.legend(fontsize=8)
    res = rep["figures"]["results"]
    keys = sorted(res)
    ys = list(range(len(keys)))
    a2.barh(ys, [res[k] for k in keys], height=0.6, color=_COLOURS["sl"])
    a2.set_yticks(ys)
    a2.set_yticklabels(keys, fontsize=8)
    a2.xaxis.set_major_locator(MaxNLocator(integer=True))
    a2.set_title("results; abandoned: %d" % rep["figures"]["abandoned"], fontsize=10)
    fig.suptitle("Campaign %s: %d attempts, %d connects" % (
        rep.get("campaign") or "", rep["figures"]["attempts"], rep["figures"]["connects"]), fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
