"""The SVG chart of a metric's figures (pure string building)."""

import datetime as dt
import math
import re
from xml.sax.saxutils import escape

from api.values import combine
from api.web.queries.metric_summary import group_by_claimant
from api.web.queries.rows import bounds_text

WIDTH = 1000
PLOT_X0, PLOT_X1 = 360, 820
VALUE_X = 835
TOP = 88
GROUP_H, ROW_H = 26, 24
PALETTE = ("#1f5fa8", "#b3261e", "#2e7d32", "#6a3d9a", "#c25e00", "#00796b", "#5d4037", "#455a64")
SUBTITLE = (
    "One mark per source figure: ● exact, ○ about, bar = range, dashed arrow = open end "
    "(up to / at least), grey band = vague. Rows by publication date within each claimant."
)
INVALID_XML = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def x(text) -> str:
    """Escape text for an XML element or a double-quoted attribute."""
    return escape(INVALID_XML.sub("", str(text)), {'"': "&quot;"})


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _nice_step(span: float) -> float:
    raw = span / 5 if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude)


def _domain(figures) -> tuple[float, float, float]:
    values = [v for f in figures for v in (f["value"]["low"], f["value"]["high"]) if v is not None]
    lo, hi = min([0.0, *values]), max([0.0, *values])
    if hi == lo:
        hi = lo + 1
    step = _nice_step((hi - lo) * 1.1)
    return math.floor(lo / step) * step, math.ceil(hi * 1.1 / step) * step, step


def range_text(span: dict) -> str:
    """Say in words the interval that holds every figure (``api.values.combine``): open ends stay open."""
    if span["open_low"] and span["open_high"]:
        text = "open at both ends"
    else:
        text = bounds_text(span["low"], span["high"])
    notes = [n for n, on in (("some approximate", span["approximate"]), ("some vague", span["vague"])) if on]
    return f"All figures: {text}" + (f" ({', '.join(notes)})" if notes else "")


def _range_line(figures, y: float) -> str:
    span = combine([f["value"] for f in figures])
    attrs = " ".join(
        f'data-{k.replace("_", "-")}="{x("" if v is None else str(v).lower() if isinstance(v, bool) else v)}"'
        for k, v in span.items()
    )
    return f'<text class="range" x="12" y="{y}" fill="#424242" {attrs}>{x(range_text(span))}</text>'


def _bound(value) -> str:
    return "" if value is None else x(f"{value:g}")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _tooltip(f) -> str:
    pub = f["source"]["published"] or "no publication date"
    who = f["attribution"] or "unattributed"
    return (
        f"{f['source_title'] or f['source']['id']} ({pub})\n"
        f"{f['value']['text']} [{f['value']['hedge']}] about {f['subject']['name']}\n"
        f"Claimant: {who}\n“{f['quote']['text']}”"
    )


def _mark(f, y: float, scale, color: str) -> str:
    low, high, hedge = f["value"]["low"], f["value"]["high"], f["value"]["hedge"]
    parts = [f"<title>{x(_tooltip(f))}</title>"]
    dashed = f'stroke="{color}" stroke-width="2" stroke-dasharray="5 4" fill="none"'
    if hedge == "vague" or (low is None and high is None):
        parts.append(
            f'<rect x="{PLOT_X0}" y="{y - 7}" width="{PLOT_X1 - PLOT_X0}" height="14" fill="#e0e0e0" '
            f'stroke="#9e9e9e" stroke-dasharray="3 3"/>'
        )
        parts.append(
            f'<text x="{(PLOT_X0 + PLOT_X1) / 2}" y="{y + 4}" text-anchor="middle" fill="#424242">'
            f"vague: no number ({x(f['value']['text'])})</text>"
        )
    elif low is None or high is None:
        # Open-ended: a bar end at the bound and a dashed arrow to the edge of the axis.
        at = scale(high if low is None else low)
        edge = PLOT_X0 if low is None else PLOT_X1
        tip = -1 if low is None else 1
        parts.append(f'<line x1="{at:.1f}" y1="{y}" x2="{edge - tip * 8:.1f}" y2="{y}" {dashed}/>')
        parts.append(
            f'<polygon points="{edge:.1f},{y} {edge - tip * 9:.1f},{y - 5} {edge - tip * 9:.1f},{y + 5}" '
            f'fill="{color}"/>'
        )
        parts.append(f'<line x1="{at:.1f}" y1="{y - 8}" x2="{at:.1f}" y2="{y + 8}" stroke="{color}" stroke-width="3"/>')
    elif low != high:
        x0, x1 = scale(low), scale(high)
        style = (
            f'fill="{color}" fill-opacity="0.25" stroke="{color}" stroke-width="2" stroke-dasharray="4 3"'
            if hedge == "about_range"
            else f'fill="{color}" fill-opacity="0.8" stroke="{color}"'
        )
        parts.append(f'<rect x="{x0:.1f}" y="{y - 6}" width="{max(x1 - x0, 2):.1f}" height="12" rx="2" {style}/>')
    elif hedge == "about":
        parts.append(
            f'<circle cx="{scale(low):.1f}" cy="{y}" r="6" fill="#ffffff" stroke="{color}" stroke-width="2.5"/>'
        )
    else:
        parts.append(f'<circle cx="{scale(low):.1f}" cy="{y}" r="6" fill="{color}"/>')
    return (
        f'<g class="mark" data-figure="{x(f["id"])}" data-figure-id="{x(f["id"])}" data-hedge="{x(hedge)}" '
        f'data-low="{_bound(low)}" data-high="{_bound(high)}">' + "".join(parts) + "</g>"
    )


def render_chart(metric: dict, subject: dict | None, figures: list[dict]) -> str:
    """Return the SVG text: one row per figure, a labelled group per claimant."""
    groups = group_by_claimant(figures)
    # Within a group: by publication date, undated last (figures come most recent first).
    groups = [
        (key, sorted(figs, key=lambda f: (f["source"]["published"] or "~", f["source"]["id"], f["id"])))
        for key, figs in groups
    ]
    height = TOP + sum(GROUP_H + ROW_H * len(figs) for _, figs in groups) + 70
    title = f"{metric['label']} — {subject['name'] if subject else 'all subjects'}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="Helvetica, Arial, sans-serif" font-size="12">',
        f"<title>{x(title)}</title>",
        f"<desc>{x(f'{len(figures)} figures from Claimbase, one mark per source figure, grouped by claimant.')}</desc>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="12" y="26" font-size="18" font-weight="bold" fill="#212121">{x(title)}</text>',
        f'<text x="12" y="46" fill="#616161">{x(SUBTITLE)}</text>',
        _range_line(figures, 66),
    ]
    if not figures:
        out.append(f'<text x="12" y="{TOP + 10}" fill="#616161">No figures.</text></svg>')
        return "\n".join(out)
    lo, hi, step = _domain(figures)
    several_subjects = len({f["subject"]["id"] for f in figures}) > 1

    def scale(v: float) -> float:
        return PLOT_X0 + (v - lo) / (hi - lo) * (PLOT_X1 - PLOT_X0)

    axis_y = height - 56
    # Grid and axis with ticks.
    tick = lo
    while tick <= hi + step / 1000:
        tx = scale(tick)
        out.append(f'<line x1="{tx:.1f}" y1="{TOP - 6}" x2="{tx:.1f}" y2="{axis_y}" stroke="#eeeeee"/>')
        out.append(f'<line x1="{tx:.1f}" y1="{axis_y}" x2="{tx:.1f}" y2="{axis_y + 6}" stroke="#616161"/>')
        out.append(
            f'<text x="{tx:.1f}" y="{axis_y + 20}" text-anchor="middle" fill="#424242">{x(_number(tick))}</text>'
        )
        tick += step
    out.append(f'<line x1="{PLOT_X0}" y1="{axis_y}" x2="{PLOT_X1}" y2="{axis_y}" stroke="#616161"/>')
    out.append(
        f'<text x="{(PLOT_X0 + PLOT_X1) / 2}" y="{axis_y + 40}" text-anchor="middle" fill="#424242">'
        f"{x(metric['label'])} ({x(metric['unit'])})</text>"
    )
    y = TOP
    for i, (key, figs) in enumerate(groups):
        color = PALETTE[i % len(PALETTE)]
        label = _group_label(key, figs)
        block = GROUP_H + ROW_H * len(figs)
        out.append(f'<g class="claimant-group" data-claimant="{x(key or "")}">')
        out.append(
            f'<rect x="6" y="{y}" width="{WIDTH - 12}" height="{block - 4}" fill="{color}" fill-opacity="0.05"/>'
        )
        out.append(
            f'<text x="12" y="{y + 17}" font-weight="bold" fill="{color}">{x(_short(label, 60))}'
            f" — {len(figs)} figure{'s' if len(figs) != 1 else ''}</text>"
        )
        row_y = y + GROUP_H + ROW_H / 2 - 2
        for f in figs:
            source = f["source_title"] or f["source"]["id"]
            date = f["source"]["published"] or "undated"
            out.append(
                f'<text x="{PLOT_X0 - 12}" y="{row_y + 4}" text-anchor="end" fill="#212121">'
                f"{x(_short(source, 44))} ({x(date)})</text>"
            )
            out.append(_mark(f, row_y, scale, color))
            value = f["value"]["text"] + (f" ({f['subject']['name']})" if several_subjects else "")
            out.append(f'<text x="{VALUE_X}" y="{row_y + 4}" fill="{color}">{x(_short(value, 24))}</text>')
            row_y += ROW_H
        out.append("</g>")
        y += block
    out.append("</svg>")
    return "\n".join(out)


def _group_label(key, figs) -> str:
    claimant = figs[0]["claimant"]
    if key is None or claimant is None:
        return "Unattributed"
    return claimant["name"] or f"“{claimant['attribution']}”"


# ---- estimates over time: x is the date each figure became known, y its value ----

KNOWN_WIDTH, KNOWN_HEIGHT = 1000, 620
KX0, KX1, UNDATED_X = 90, 680, 715
KY0, KY1 = 118, 500  # top and bottom of the plot
LEGEND_X = 760
SHAPES = ("circle", "square", "triangle", "diamond")
KNOWN_SUBTITLE = (
    "One mark per source figure at the date it became known: filled = exact, hollow = about, bar = range,",
    "dashed arrow = open end (up to / at least), grey dashed line = vague; dashed tick below: date assumed.",
)


def _day(iso: str) -> int:
    return dt.date.fromisoformat(iso).toordinal()


def _shape(kind: str, cx: float, cy: float, color: str, hollow: bool, r: float = 6) -> str:
    paint = f'fill="#ffffff" stroke="{color}" stroke-width="2.5"' if hollow else f'fill="{color}"'
    if kind == "circle":
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r}" {paint}/>'
    if kind == "square":
        return f'<rect x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r}" height="{2 * r}" {paint}/>'
    if kind == "triangle":
        points = f"{cx:.1f},{cy - r - 1:.1f} {cx - r - 1:.1f},{cy + r:.1f} {cx + r + 1:.1f},{cy + r:.1f}"
        return f'<polygon points="{points}" {paint}/>'
    points = f"{cx:.1f},{cy - r - 1:.1f} {cx + r + 1:.1f},{cy:.1f} {cx:.1f},{cy + r + 1:.1f} {cx - r - 1:.1f},{cy:.1f}"
    return f'<polygon points="{points}" {paint}/>'


def _known_tooltip(f) -> str:
    known = f["known_from"]
    when = "no date" if known is None else known["date"] + (" (assumed)" if known["assumed"] else "")
    who = f["attribution"] or "unattributed"
    return (
        f"{f['source_title'] or f['source']['id']}, known {when}\n"
        f"{f['metric']['label']}: {f['value']['text']} [{f['value']['hedge']}] about {f['subject']['name']}\n"
        f"Claimant: {who}\n“{f['quote']['text']}”"
    )


def _known_mark(f, cx: float, yscale, color: str, shape: str) -> str:
    low, high, hedge = f["value"]["low"], f["value"]["high"], f["value"]["hedge"]
    hollow = hedge in ("about", "about_range")
    parts = [f"<title>{x(_known_tooltip(f))}</title>"]
    dashed = f'stroke="{color}" stroke-width="2" stroke-dasharray="5 4" fill="none"'
    if hedge == "vague" or (low is None and high is None):
        parts.append(
            f'<line x1="{cx:.1f}" y1="{KY0}" x2="{cx:.1f}" y2="{KY1}" stroke="#9e9e9e" stroke-width="6" '
            f'stroke-opacity="0.5" stroke-dasharray="4 4"/>'
        )
        parts.append(_shape(shape, cx, KY0 + 10, "#9e9e9e", True, 4))
    elif low is None or high is None:
        at = yscale(high if low is None else low)
        edge = KY1 if low is None else KY0
        tip = 1 if low is None else -1  # down for "up to", up for "at least"
        parts.append(f'<line x1="{cx:.1f}" y1="{at:.1f}" x2="{cx:.1f}" y2="{edge - tip * 8:.1f}" {dashed}/>')
        parts.append(
            f'<polygon points="{cx:.1f},{edge:.1f} {cx - 5:.1f},{edge - tip * 9:.1f} {cx + 5:.1f},{edge - tip * 9:.1f}" '
            f'fill="{color}"/>'
        )
        parts.append(_shape(shape, cx, at, color, hollow))
    elif low != high:
        y0, y1 = yscale(high), yscale(low)
        style = (
            f'fill="{color}" fill-opacity="0.2" stroke="{color}" stroke-width="2" stroke-dasharray="4 3"'
            if hollow
            else f'fill="{color}" fill-opacity="0.7" stroke="{color}"'
        )
        parts.append(f'<rect x="{cx - 4:.1f}" y="{y0:.1f}" width="8" height="{max(y1 - y0, 2):.1f}" rx="2" {style}/>')
        parts.append(_shape(shape, cx, y0, color, hollow, 4))
        parts.append(_shape(shape, cx, y1, color, hollow, 4))
    else:
        parts.append(_shape(shape, cx, yscale(low), color, hollow))
    known = f["known_from"] or {}
    attrs = {
        "data-figure": f["id"],
        "data-figure-id": f["id"],
        "data-hedge": hedge,
        "data-low": _bound(low),
        "data-high": _bound(high),
        "data-known": known.get("date", ""),
        "data-assumed": str(bool(known.get("assumed"))).lower(),
        "data-metric": f["metric"]["id"],
        "data-claimant": f["claimant_key"] or "",
        "data-x": f"{cx:.1f}",
    }
    head = " ".join(f'{k}="{v if k in ("data-low", "data-high") else x(v)}"' for k, v in attrs.items())
    return f'<g class="mark" {head}>' + "".join(parts) + "</g>"


def _month_ticks(first: int, last: int) -> list[tuple[int, str]]:
    """The first day of each month between two day numbers (every few months on a long span)."""
    start, end = dt.date.fromordinal(first), dt.date.fromordinal(last)
    months = (end.year - start.year) * 12 + end.month - start.month
    step = max(1, math.ceil(months / 8))
    ticks, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        day = dt.date(year, month, 1)
        if first <= day.toordinal() <= last:
            ticks.append((day.toordinal(), day.strftime("%Y-%m")))
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return ticks


def render_known_chart(metric: dict, subject: dict | None, figures: list[dict]) -> str:
    """Return the SVG text: every figure at the date it became known (x) and its value (y), by claimant and measure."""
    measures = list(dict.fromkeys([metric["id"], *sorted({f["metric"]["id"] for f in figures})]))
    labels = {metric["id"]: metric, **{f["metric"]["id"]: f["metric"] for f in figures}}
    groups = group_by_claimant(figures)
    color_of = {key: PALETTE[i % len(PALETTE)] for i, (key, _) in enumerate(groups)}
    names = " / ".join(labels[m]["label"] for m in measures)
    title = f"{names} over time — {subject['name'] if subject else 'all subjects'}"
    # Tall enough for the legend, however many claimants.
    height = max(KNOWN_HEIGHT, KY0 + 70 + 18 * (len(groups) + len(measures)))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{KNOWN_WIDTH}" height="{height}" '
        f'viewBox="0 0 {KNOWN_WIDTH} {height}" role="img" font-family="Helvetica, Arial, sans-serif" '
        f'font-size="12" data-axis="known">',
        f"<title>{x(title)}</title>",
        f"<desc>{x(f'{len(figures)} figures from Claimbase at the date each became known, grouped by claimant.')}"
        "</desc>",
        f'<rect x="0" y="0" width="{KNOWN_WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="12" y="26" font-size="18" font-weight="bold" fill="#212121">{x(_short(title, 90))}</text>',
        f'<text x="12" y="46" fill="#616161">{x(KNOWN_SUBTITLE[0])}</text>',
        f'<text x="12" y="62" fill="#616161">{x(KNOWN_SUBTITLE[1])}</text>',
        _range_line(figures, 82),
    ]
    if not figures:
        out.append(f'<text x="12" y="{KY0 + 10}" fill="#616161">No figures.</text></svg>')
        return "\n".join(out)
    days = [_day(f["known_from"]["date"]) for f in figures if f["known_from"]]
    first, last = (min(days), max(days)) if days else (0, 1)
    pad = max(7, (last - first) // 12)
    first, last = first - pad, last + pad
    lo, hi, step = _domain(figures)

    def xscale(day: int) -> float:
        return KX0 + (day - first) / (last - first) * (KX1 - KX0)

    def yscale(v: float) -> float:
        return KY1 - (v - lo) / (hi - lo) * (KY1 - KY0)

    # Value axis, grid and label.
    tick = lo
    while tick <= hi + step / 1000:
        ty = yscale(tick)
        out.append(f'<line x1="{KX0}" y1="{ty:.1f}" x2="{UNDATED_X + 20}" y2="{ty:.1f}" stroke="#eeeeee"/>')
        out.append(f'<text x="{KX0 - 8}" y="{ty + 4:.1f}" text-anchor="end" fill="#424242">{x(_number(tick))}</text>')
        tick += step
    units = " / ".join(dict.fromkeys(labels[m]["unit"] for m in measures))
    out.append(f'<line x1="{KX0}" y1="{KY0}" x2="{KX0}" y2="{KY1}" stroke="#616161"/>')
    out.append(
        f'<text x="18" y="{(KY0 + KY1) / 2}" text-anchor="middle" fill="#424242" '
        f'transform="rotate(-90 18 {(KY0 + KY1) / 2})">Value ({x(units)})</text>'
    )
    # Time axis: months, and the label.
    out.append(f'<line x1="{KX0}" y1="{KY1}" x2="{KX1}" y2="{KY1}" stroke="#616161"/>')
    for day, label in _month_ticks(first, last):
        tx = xscale(day)
        out.append(f'<line x1="{tx:.1f}" y1="{KY0}" x2="{tx:.1f}" y2="{KY1}" stroke="#f2f2f2"/>')
        out.append(f'<line x1="{tx:.1f}" y1="{KY1}" x2="{tx:.1f}" y2="{KY1 + 6}" stroke="#616161"/>')
        out.append(f'<text x="{tx:.1f}" y="{KY1 + 20}" text-anchor="middle" fill="#424242">{x(label)}</text>')
    out.append(
        f'<text x="{(KX0 + KX1) / 2}" y="{KY1 + 42}" text-anchor="middle" fill="#424242">'
        "Date the figure became known (publication date, else assumed reference date)</text>"
    )
    if any(f["known_from"] is None for f in figures):
        out.append(f'<text x="{UNDATED_X}" y="{KY1 + 20}" text-anchor="middle" fill="#424242">no date</text>')
    # Marks: figures known the same day side by side, in claimant order.
    order = {key: i for i, (key, _) in enumerate(groups)}
    by_day: dict = {}
    for f in sorted(figures, key=lambda f: (order[f["claimant_key"]], f["source"]["id"], f["id"])):
        by_day.setdefault(f["known_from"]["date"] if f["known_from"] else None, []).append(f)
    for day, figs in sorted(by_day.items(), key=lambda kv: kv[0] or "~"):
        base = UNDATED_X if day is None else xscale(_day(day))
        spread = min(12.0, 60.0 / max(len(figs), 1))
        for i, f in enumerate(figs):
            cx = base + (i - (len(figs) - 1) / 2) * spread
            color = color_of[f["claimant_key"]]
            out.append(_known_mark(f, cx, yscale, color, SHAPES[measures.index(f["metric"]["id"]) % len(SHAPES)]))
            if f["known_from"] and f["known_from"]["assumed"]:
                out.append(
                    f'<line x1="{cx:.1f}" y1="{KY1 + 2}" x2="{cx:.1f}" y2="{KY1 + 10}" stroke="{color}" '
                    'stroke-width="2" stroke-dasharray="2 2"/>'
                )
    out += _known_legend(groups, color_of, measures, labels)
    out.append("</svg>")
    return "\n".join(out)


def _known_legend(groups, color_of, measures, labels) -> list[str]:
    out = [f'<g class="legend"><text x="{LEGEND_X}" y="{KY0 - 8}" font-weight="bold" fill="#212121">Claimant</text>']
    y = KY0 + 10
    for key, figs in groups:
        color = color_of[key]
        label = f"{_short(_group_label(key, figs), 26)} ({len(figs)})"
        out.append(f'<rect x="{LEGEND_X}" y="{y - 9}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{LEGEND_X + 18}" y="{y + 1}" fill="{color}">{x(label)}</text>')
        y += 18
    y += 12
    out.append(f'<text x="{LEGEND_X}" y="{y}" font-weight="bold" fill="#212121">Measure</text>')
    y += 18
    for i, m in enumerate(measures):
        out.append(_shape(SHAPES[i % len(SHAPES)], LEGEND_X + 6, y - 4, "#424242", False, 5))
        out.append(f'<text x="{LEGEND_X + 18}" y="{y + 1}" fill="#212121">{x(_short(labels[m]["label"], 28))}</text>')
        y += 18
    out.append("</g>")
    return out
