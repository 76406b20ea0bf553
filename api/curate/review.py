"""A review page for one source: ``python -m api.curate.review SOURCE [--out FILE]``.

Writes one self-contained HTML file (inline CSS, no script, no network): the
archived text with every span a record covers highlighted by kind (figure,
event citation, statement, exclusion, source field), each linked to its
record; numbers, dates and attribution cues that no record covers marked; and
beside the text, every record with the draft's suggestions and reasons.  The
records are the curated ones of ``fixtures/`` and the drafts of
``fixtures/drafts/<source-id>/`` (or ``--drafts DIR``).
"""

from __future__ import annotations

import argparse
import html
import sys
from dataclasses import dataclass
from pathlib import Path

from api.builder.coverage import find_cues, find_items, uncovered
from api.builder.fixtures import DEFAULT_FIXTURES_DIR, ROOT, fixture_files, read_records
from api.builder.texts import read_text, texts_dir

KINDS = ("figure", "event", "statement", "exclusion", "source")
COLOURS = {
    "figure": "#ffe08a",
    "event": "#b9e3ff",
    "statement": "#d7c8ff",
    "exclusion": "#dddddd",
    "source": "#c9f2c9",
}
DEFAULT_OUT_DIR = ROOT / "build" / "review"


@dataclass
class Mark:
    """One span of the text that a record covers."""

    start: int
    end: int
    kind: str
    ident: str  # the anchor of the record's card
    label: str  # what the record is called
    record: dict
    draft: bool


def records_of(directory: Path, source_id: str, draft: bool) -> list[Mark]:
    """Return every span that records of ``source_id`` under ``directory`` cover."""
    marks: list[Mark] = []
    if not directory.is_dir():
        return marks
    tag = "d" if draft else "c"

    def add(span, kind, label, rec, n, inner: str | None = None):
        if not span:
            return
        ident = f"{tag}-{kind}-{n}"
        marks.append(Mark(span[0], span[1], kind, ident, label, rec, draft))
        # The words the record is about (the number, the date, the cue) link to it even
        # where several records share one sentence.
        at = (rec.get("draft") or {}).get("at")
        if not at and inner:
            quote = (rec.get("citation") or rec).get("quote") or ""
            i = quote.find(inner)
            at = [span[0] + i, span[0] + i + len(inner)] if i >= 0 else None
        if at and list(at) != list(span):
            marks.append(Mark(at[0], at[1], kind, ident, label, rec, draft))

    # Curated figures leave metric and subject to their claim: show the claim's.
    claims = {
        c.get("id"): c for p in fixture_files(directory, "claims") for c in read_records(p) or [] if isinstance(c, dict)
    }
    n = 0
    for kind in ("figures", "statements", "exclusions", "events", "sources"):
        for path in fixture_files(directory, kind):
            for rec in read_records(path) or []:
                if not isinstance(rec, dict):
                    continue
                n += 1
                if kind == "events":
                    for cit in rec.get("citations") or []:
                        if cit.get("source") == source_id:
                            phrase = (cit.get("date") or {}).get("phrase")
                            add(cit.get("span"), "event", f"event {rec.get('id')}", {**rec, "citation": cit}, n, phrase)
                            n += 1
                elif kind == "sources":
                    if rec.get("id") != source_id:
                        continue
                    add(rec.get("title_span"), "source", "source title", rec, n)
                    add(rec.get("author_span"), "source", "source author", rec, n + 1)
                    if rec.get("published"):
                        add(rec["published"].get("span"), "source", "source published date", rec, n + 2)
                    n += 3
                elif rec.get("source") == source_id:
                    claim = claims.get(rec.get("claim")) if kind == "figures" else None
                    if claim:
                        rec = {**rec, "metric": rec.get("metric") or claim.get("metric")}
                        rec["subject"] = rec.get("subject") or claim.get("subject")
                    label = rec.get("id") or f"{kind[:-1]} “{rec.get('quote', '')}”"
                    inner = (rec.get("value") or {}).get("text") if kind == "figures" else rec.get("cue")
                    add(rec.get("span"), kind[:-1], label, rec, n, inner)
    return marks


def _fmt(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


CARD_FIELDS = {
    "figure": ("value", "metric", "subject", "claim", "claimant", "via", "period", "event"),
    "event": ("type", "title", "status", "location", "citation.date", "citation.attribution", "citation.actors"),
    "statement": ("speaker", "cue", "about", "via"),
    "exclusion": ("reason", "refers_to"),
    "source": ("title", "author", "published", "reference_date"),
}


def _card(mark: Mark) -> str:
    rec = mark.record
    rows = []
    for name in CARD_FIELDS[mark.kind]:
        value = rec
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if name == "period" and isinstance(value, dict):
            value = {k: value.get(k) for k in ("phrase", "start", "end", "precision", "qualifier")}
        rows.append(f"<dt>{html.escape(name)}</dt><dd>{html.escape(_fmt(value))}</dd>")
    why = (rec.get("draft") or {}).get("why") or {}
    notes = "".join(f"<li><b>{html.escape(str(k))}</b>: {html.escape(str(v))}</li>" for k, v in why.items())
    badges = f'<span class="badge k-{mark.kind}">{mark.kind}</span>'
    if rec.get("unconfirmed"):
        badges += '<span class="badge unconfirmed">unconfirmed</span>'
    elif not mark.draft:
        badges += '<span class="badge curated">curated</span>'
    quote = html.escape(rec.get("citation", rec).get("quote", "")) if mark.kind != "source" else ""
    return (
        f'<section class="card" id="{mark.ident}" data-kind="{mark.kind}">'
        f"<h3>{badges} {html.escape(mark.label)}</h3>"
        f'<p class="span">[{mark.start}, {mark.end})</p>'
        + (f"<blockquote>{quote}</blockquote>" if quote else "")
        + f"<dl>{''.join(rows)}</dl>"
        + (f'<ul class="why">{notes}</ul>' if notes else "")
        + "</section>"
    )


STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{padding:10px 18px;background:#263238;color:#fff}
header h1{font-size:18px;margin:0}
header p{margin:2px 0 0;font-size:13px;opacity:.85}
.legend span{display:inline-block;padding:0 6px;margin-right:6px;border-radius:3px;color:#222}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:18px;padding:18px}
#text{white-space:pre-wrap;background:#fff;padding:16px;border:1px solid #ddd;border-radius:6px;
  font-family:Georgia,serif;font-size:16px;line-height:1.7}
#records{max-height:calc(100vh - 110px);overflow:auto}
a.hl{color:inherit;text-decoration:none;border-radius:2px}
a.hl:hover{outline:2px solid #333}
.item{font-weight:bold;border-bottom:2px solid #555}
.uncovered{background:#ff8a80!important;border-bottom:3px solid #c62828;font-weight:bold}
.card{background:#fff;border:1px solid #ddd;border-left:6px solid #999;border-radius:6px;padding:8px 12px;
  margin-bottom:10px}
.card:target{outline:3px solid #ff6f00}
.card h3{font-size:14px;margin:0 0 4px}
.card .span{font-size:12px;color:#666;margin:0}
.card blockquote{margin:4px 0;padding-left:8px;border-left:3px solid #eee;font-size:13px;color:#444}
.card dl{display:grid;grid-template-columns:max-content 1fr;gap:0 10px;margin:4px 0;font-size:13px}
.card dt{color:#666}.card dd{margin:0}
.why{font-size:12px;color:#555;margin:4px 0 0;padding-left:18px}
.badge{font-size:11px;padding:1px 6px;border-radius:8px;margin-right:4px;border:1px solid #999}
.unconfirmed{background:#fff3e0;border-color:#ef6c00;color:#e65100}
.curated{background:#e8f5e9;border-color:#2e7d32;color:#1b5e20}
.no-reference{margin:0;padding:10px 18px;background:#b71c1c;color:#fff;font-weight:bold}
.gaps{background:#ffebee;border:1px solid #ef9a9a;border-radius:6px;padding:8px 12px;margin-bottom:10px}
"""


def render(
    text: str,
    source_id: str,
    marks: list[Mark],
    records: dict[str, list[dict]],
    title: str = "",
    source: dict | None = None,
) -> str:
    """Return the review page's HTML; a source without a reference date gets a red notice at the top.

    ``records`` (plain records by kind, curated and drafted) decide what is
    uncovered, by the rule of ``make coverage``: an item is covered only by the
    record whose own value, date, cue or exclusion it is.
    """
    items = find_items(text) + find_cues(text)
    gaps_found = uncovered(text, records, source_id)
    uncovered_keys = {(i.start, i.end) for i in gaps_found}
    bounds = {0, len(text)}
    for m in marks:
        bounds.update((m.start, m.end))
    for i in items:
        bounds.update((i.start, i.end))
    cuts = sorted(b for b in bounds if 0 <= b <= len(text))
    parts = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        seg = html.escape(text[a:b])
        inside = [m for m in marks if m.start <= a and b <= m.end]
        item = next((i for i in items if i.start <= a and b <= i.end), None)
        if item is not None:
            cls = "uncovered" if (item.start, item.end) in uncovered_keys else "item"
            seg = f'<span class="{cls} i-{item.kind}" title="{item.kind}: {html.escape(item.text)}">{seg}</span>'
        if inside:
            # The narrowest record is the one the segment belongs to; the others are listed in the title.
            inside.sort(key=lambda m: (m.end - m.start, KINDS.index(m.kind)))
            top = inside[0]
            names = html.escape("; ".join(f"{m.kind}: {m.label}" for m in inside))
            seg = (
                f'<a class="hl k-{top.kind}" href="#{top.ident}" data-record="{html.escape(top.label)}" '
                f'title="{names}" style="background:{COLOURS[top.kind]}">{seg}</a>'
            )
        parts.append(seg)
    first: dict[str, Mark] = {}
    for m in sorted(marks, key=lambda m: -(m.end - m.start)):
        first.setdefault(m.ident, m)  # the record's whole span, not the words it is about
    cards = "".join(_card(m) for m in sorted(first.values(), key=lambda m: (m.start, m.end)))
    notice = ""
    if source is not None and not source.get("reference_date"):
        why = ((source.get("draft") or {}).get("why") or {}).get("reference_date") or "no reference date"
        notice = f'<p class="no-reference">{html.escape(why)}</p>'
    gaps = ""
    if gaps_found:
        lis = "".join(
            f"<li>{html.escape(i.kind)} “{html.escape(i.text)}” at [{i.start}, {i.end})</li>" for i in gaps_found
        )
        gaps = f'<div class="gaps"><b>{len(gaps_found)} uncovered</b> numbers, dates or cues:<ul>{lis}</ul></div>'
    counts = {k: sum(1 for m in first.values() if m.kind == k) for k in KINDS}
    drafts = sum(1 for m in first.values() if m.record.get("unconfirmed"))
    legend = (
        "".join(f'<span style="background:{COLOURS[k]}">{k} ({counts[k]})</span>' for k in KINDS)
        + '<span class="uncovered">uncovered</span>'
    )
    css = STYLE + "".join(f".k-{k}{{border-left-color:{c}}}.badge.k-{k}{{background:{c}}}" for k, c in COLOURS.items())
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Review: {html.escape(source_id)}</title><style>{css}</style></head><body>"
        f"<header><h1>Review: {html.escape(source_id)}</h1>"
        f"<p>{html.escape(title)} · {len(text)} characters · {len(first)} records, {drafts} unconfirmed · "
        f"{len(gaps_found)} uncovered</p><p class='legend'>{legend}</p></header>{notice}"
        f'<main><div id="text">{"".join(parts)}</div><div id="records">{gaps}{cards}</div></main>'
        "</body></html>\n"
    )


def find_text(source: dict | None, texts: Path) -> str | None:
    """Return the text of a source: the file the draft was made from, else the archive's copy."""
    if source is None:
        return None
    path = ((source.get("draft") or {}).get("text")) or ""
    if path and Path(path).is_file():
        return Path(path).read_bytes().decode("utf-8")
    return read_text(texts, source["filename"])


RECORD_KINDS = ("sources", "entities", "figures", "events", "statements", "assessments", "exclusions")


def records_in(directories: list[Path]) -> dict[str, list[dict]]:
    """Return the plain records of every kind in ``directories`` (curated and drafted), for the coverage rule."""
    records: dict[str, list[dict]] = {kind: [] for kind in RECORD_KINDS}
    for directory in directories:
        if not directory.is_dir():
            continue
        for kind in RECORD_KINDS:
            for path in fixture_files(directory, kind):
                records[kind].extend(r for r in read_records(path) or [] if isinstance(r, dict))
    return records


def _source(directories: list[Path], source_id: str) -> dict | None:
    for directory in directories:
        for path in fixture_files(directory, "sources"):
            for rec in read_records(path) or []:
                if isinstance(rec, dict) and rec.get("id") == source_id:
                    return rec
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.curate.review", description=__doc__.splitlines()[0])
    parser.add_argument("source", help="source id")
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES_DIR), help="curated fixtures")
    parser.add_argument("--drafts", help="draft folder (default fixtures/drafts/<source-id>)")
    parser.add_argument("--texts", help="archived texts (default: $CLAIMBASE_TEXTS or ../shared/seeds)")
    parser.add_argument("--out", help="HTML file to write (default build/review/<source-id>.html)")
    args = parser.parse_args(argv)
    fixtures = Path(args.fixtures)
    drafts = Path(args.drafts) if args.drafts else fixtures / "drafts" / args.source
    source = _source([drafts, fixtures], args.source)
    text = find_text(source, texts_dir(args.texts))
    if text is None:
        print(f"no source {args.source!r} with a readable text in {drafts} or {fixtures}", file=sys.stderr)
        return 2
    marks = records_of(fixtures, args.source, draft=False) + records_of(drafts, args.source, draft=True)
    out = Path(args.out) if args.out else DEFAULT_OUT_DIR / f"{args.source}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    records = records_in([fixtures, drafts])
    out.write_text(
        render(text, args.source, marks, records, source.get("title") or source["filename"], source), "utf-8"
    )
    print(f"wrote {out} ({len(marks)} spans); open file://{out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
