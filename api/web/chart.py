"""The SVG chart of a metric's figures (pure string building)."""

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
