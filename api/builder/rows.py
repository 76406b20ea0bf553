"""Turn validated fixtures into table rows: one dict per row, and each figure as a row and its served JSON.

Everything here shapes what the database stores, so its source is part of the
build id (api.builder.database.SHAPING_SOURCES).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import orjson

from api.builder.fixtures import DATE_SPEC_KEYS, Fixtures, date_columns
from api.builder.mentions import citation_entities
from api.shape import alias_key, date_spec, entity_ref, event_part, figure_dict, metric_part, number, source_part

DATE_COLS = (*DATE_SPEC_KEYS, "first_day", "last_day")
UNKNOWN_LAST = "~"  # sorts after every id and ISO date
UNKNOWN_VALUE = 1e308
# The tables filled from records (the figures apart: figure_rows).
RECORD_TABLES = (
    "entities",
    "entity_names",
    "sources",
    "source_cites",
    "source_stance_evidence",
    "entity_roles",
    "metrics",
    "claims",
    "events",
    "event_participants",
    "event_citations",
    "event_citation_entities",
    "exclusions",
    "statements",
    "statement_about",
    "assessments",
)


def _span(span):
    return (span[0], span[1]) if span else (None, None)


def question_groups(claims: list[dict]) -> dict[str, list[str]]:
    """Return, for each claim, the other claims that answer its question (``same_question_as`` links, both ways, transitively)."""
    parent = {c["id"]: c["id"] for c in claims}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for c in claims:
        for other in c["same_question_as"]:
            a, b = root(c["id"]), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for cid in sorted(parent):
        groups.setdefault(root(cid), []).append(cid)
    return {cid: [o for o in groups[root(cid)] if o != cid] for cid in parent}


def table_rows(fixtures: Fixtures) -> dict[str, list[dict]]:
    """Turn validated fixtures, other than figures, into rows of the tables they fill (by table name).

    The claims' statistics are zero here: the build computes them from the
    figures (api.builder.database.CLAIM_STATS_SQL).
    """
    rows: dict[str, list[dict]] = {name: [] for name in RECORD_TABLES}
    sources = fixtures.by_id("sources")
    metrics = fixtures.by_id("metrics")
    entity_names = {e["id"]: [e["name"], *e["aliases"]] for e in fixtures.data("entities")}
    for e in sorted(fixtures.data("entities"), key=lambda d: d["id"]):
        rows["entities"].append({k: e[k] for k in ("id", "name", "type", "description", "part_of", "note")})
        for i, name in enumerate(entity_names[e["id"]]):
            rows["entity_names"].append(
                {"key": alias_key(name), "name": name, "entity_id": e["id"], "is_alias": int(i > 0)}
            )
        for role in e["roles"]:
            start, end = _span(role["span"])
            rows["entity_roles"].append(
                {
                    "entity_id": e["id"],
                    "role": role["role"],
                    "source_id": role["source"],
                    "quote": role["quote"],
                    "span_start": start,
                    "span_end": end,
                }
            )
    published_of: dict[str, str | None] = {}
    for s in sorted(sources.values(), key=lambda d: d["id"]):
        pub = s["published"]
        cols = date_columns("published", pub)
        published_of[s["id"]] = cols["published_first_day"]
        t_start, t_end = _span(s["title_span"])
        a_start, a_end = _span(s["author_span"])
        p_start, p_end = _span(pub["span"] if pub else None)
        ref = s["reference_date"] or {}
        line = s["archive_line"]
        l_start, l_end = _span(line["span"] if line else None)
        r_start, r_end = _span(ref.get("span"))
        rows["sources"].append(
            {
                "id": s["id"],
                "filename": s["filename"],
                "sha256": s["sha256"],
                "char_count": s["char_count"],
                "title": s["title"],
                "title_start": t_start,
                "title_end": t_end,
                "outlet_id": s["outlet"],
                "author": s["author"],
                "author_start": a_start,
                "author_end": a_end,
                **cols,
                "published_quote": pub["quote"] if pub else None,
                "published_quote_start": p_start,
                "published_quote_end": p_end,
                "published_basis": pub["basis"] if pub else None,
                "archive_line": line["quote"] if line else None,
                "archive_line_start": l_start,
                "archive_line_end": l_end,
                "reference_date": ref.get("date"),
                "reference_basis": ref.get("basis"),
                "reference_quote": ref.get("quote"),
                "reference_quote_start": r_start,
                "reference_quote_end": r_end,
                "reference_outside_text": ref.get("outside_text"),
                "language": s["language"],
                "stance": s["stance"],
                "note": s["note"],
            }
        )
        for cite in s["cites"]:
            start, end = _span(cite["span"])
            rows["source_cites"].append(
                {
                    "source_id": s["id"],
                    "entity_id": cite["entity"],
                    "quote": cite["quote"],
                    "span_start": start,
                    "span_end": end,
                }
            )
        for ev in s["stance_evidence"]:
            start, end = _span(ev["span"])
            rows["source_stance_evidence"].append(
                {"source_id": s["id"], "quote": ev["quote"], "span_start": start, "span_end": end}
            )
    for m in sorted(metrics.values(), key=lambda d: d["id"]):
        rows["metrics"].append(
            {k: m[k] for k in ("id", "label", "unit", "category", "description")} | {"parent_id": m["parent"]}
        )
    questions = question_groups(fixtures.data("claims"))
    for c in sorted(fixtures.data("claims"), key=lambda d: d["id"]):
        rows["claims"].append(
            {
                "id": c["id"],
                "statement": c["statement"],
                "metric_id": c["metric"],
                "subject_id": c["subject"],
                "same_quantity_as": orjson.dumps(c["same_quantity_as"]).decode(),
                "same_question_as": orjson.dumps(questions[c["id"]]).decode(),
                "note": c["note"],
                "figure_count": 0,
                "source_count": 0,
                "origin_count": 0,
                "claimant_count": 0,
            }
        )
    for ev in sorted(fixtures.data("events"), key=lambda d: d["id"]):
        cits = []
        for i, cit in enumerate(ev["citations"]):
            start, end = _span(cit["span"])
            attribution = cit["attribution"] or {}
            cits.append(
                {
                    "id": f"{ev['id']}.{i}",
                    "event_id": ev["id"],
                    "source_id": cit["source"],
                    "quote": cit["quote"],
                    "span_start": start,
                    "span_end": end,
                    **date_columns("date", cit["date"]),
                    "attribution_entity_id": attribution.get("entity"),
                    "attribution": attribution.get("as_written"),
                    "actors": json.dumps(cit["actors"]) if cit["actors"] else None,
                    "location_id": cit["location"],
                    "via_id": cit["via"],
                    "status": cit["status"],
                    "note": cit["note"],
                    "published": published_of.get(cit["source"]),
                }
            )
        rows["event_citations"].extend(cits)
        for cit, row in zip(ev["citations"], cits, strict=True):
            rows["event_citation_entities"].extend(
                {"citation_id": row["id"], "event_id": ev["id"], "source_id": cit["source"], "entity_id": entity}
                for entity in citation_entities(ev, cit, entity_names)
            )
        dated = [c for c in cits if c["date_first_day"]]
        # The event's date is the narrowest date any source gives; every
        # source's own date stays on its citation (see /discrepancies).
        best = min(
            dated,
            key=lambda c: (
                _days(c["date_first_day"], c["date_last_day"]),
                c["published"] or "9999",
                c["source_id"],
            ),
            default=None,
        )
        date_cols = {f"date_{k}": (best[f"date_{k}"] if best else None) for k in DATE_COLS}
        known = sorted(c["published"] for c in cits if c["published"])
        rows["events"].append(
            {
                "id": ev["id"],
                "type": ev["type"],
                "title": ev["title"],
                "summary": ev["summary"],
                "status": ev["status"],
                "location_id": ev["location"],
                **date_cols,
                "date_source_id": best["source_id"] if best else None,
                "citation_count": len(cits),
                "first_published": known[0] if known else None,
                "note": ev["note"],
            }
        )
        for part in ev["participants"]:
            rows["event_participants"].append({"event_id": ev["id"], "entity_id": part["entity"], "role": part["role"]})
    for x in sorted(fixtures.data("exclusions"), key=lambda d: (d["source"], d["span"][0], d["span"][1])):
        start, end = _span(x["span"])
        rows["exclusions"].append(
            {
                "source_id": x["source"],
                "quote": x["quote"],
                "span_start": start,
                "span_end": end,
                "reason": x["reason"],
                "refers_to": x["refers_to"],
            }
        )
    for st in sorted(fixtures.data("statements"), key=lambda d: d["id"]):
        start, end = _span(st["span"])
        rows["statements"].append(
            {
                "id": st["id"],
                "source_id": st["source"],
                "speaker_id": st["speaker"]["entity"],
                "speaker": st["speaker"]["as_written"],
                "cue": st["cue"],
                "quote": st["quote"],
                "span_start": start,
                "span_end": end,
                "via_id": st["via"],
                "note": st["note"],
            }
        )
        rows["statement_about"].extend({"statement_id": st["id"], "entity_id": e} for e in dict.fromkeys(st["about"]))
    for a in sorted(fixtures.data("assessments"), key=lambda d: d["id"]):
        start, end = _span(a["span"])
        rows["assessments"].append(
            {
                "id": a["id"],
                "claim_id": a["claim"],
                "source_id": a["source"],
                "entity_id": a["entity"],
                "as_written": a["as_written"],
                "stance": a["stance"],
                "quote": a["quote"],
                "span_start": start,
                "span_end": end,
                "note": a["note"],
            }
        )
    return rows


def figure_rows(fixtures: Fixtures, rows: dict[str, list[dict]]) -> Iterator[tuple[tuple, bytes]]:
    """Yield each figure's ``figures`` row (a tuple in column order) and its served JSON, in id order.

    ``rows`` are the other tables' rows (:func:`table_rows`), which the figures embed.
    """
    shape = FigureShaper(rows, fixtures.by_id("metrics"))
    for rec in sorted(fixtures.records["figures"], key=lambda r: r.data["id"]):
        yield shape(rec.data)


class FigureShaper:
    """Turn a validated figure into its ``figures`` row (a tuple in column order) and its served JSON.

    What a figure embeds (its source, metric, subject, via and event) is
    serialised once per record and spliced into each figure's document.
    """

    def __init__(self, rows: dict[str, list[dict]], metrics: dict[str, dict]):
        self.sources = {r["id"]: r for r in rows["sources"]}
        self.metrics = metrics
        self.names = {r["id"]: r["name"] for r in rows["entities"]}
        self.events = {r["id"]: r["title"] for r in rows["events"]}
        self.source_parts = {k: _fragment(source_part(r)) for k, r in self.sources.items()}
        self.metric_parts = {k: _fragment(metric_part(m)) for k, m in metrics.items()}
        self.entity_parts = {r["id"]: _fragment(entity_ref(r["id"], r["name"], r["type"])) for r in rows["entities"]}
        self.event_parts: dict[str, orjson.Fragment] = {}
        self.published = {k: r["published_first_day"] for k, r in self.sources.items()}
        self.periods: dict[tuple | None, tuple[tuple, dict | None]] = {}

    def event_part(self, event_id: str) -> orjson.Fragment:
        part = self.event_parts.get(event_id)
        if part is None:
            part = self.event_parts[event_id] = _fragment(event_part(event_id, self.events.get(event_id)))
        return part

    def __call__(self, f: dict) -> tuple[tuple, bytes]:
        metric_id, subject_id, source_id, via, event = f["metric"], f["subject"], f["source"], f["via"], f["event"]
        metric = self.metrics[metric_id]
        claimant = f["claimant"] or {}
        claimant_id, attribution = claimant.get("entity"), claimant.get("as_written")
        span = f["span"]
        value = f["value"]
        low, high = number(value["low"]), number(value["high"])
        published = self.published[source_id]
        period_columns, period = self.period(f["period"])
        # Articles that report through the same intermediary share one origin.
        origin = f"entity:{via}" if via else f"source:{source_id}"
        doc = figure_dict(
            f,
            metric=self.metric_parts[metric_id],
            unit=metric["unit"],
            subject=self.entity_parts[subject_id],
            source=self.source_parts[source_id],
            period=period,
            via=self.entity_parts[via] if via else None,
            event=self.event_part(event) if event else None,
            claimant_name=self.names.get(claimant_id),
            origin=origin,
        )
        # In the column order of TABLES["figures"]; then the served JSON.
        row = (
            f["id"],
            source_id,
            f["claim"],
            metric_id,
            subject_id,
            metric["category"],
            low,
            high,
            value["hedge"],
            value["text"],
            *period_columns,
            claimant_id,
            attribution,
            via,
            origin,
            f["quote"],
            span[0],
            span[1],
            event,
            published,
            f["note"],
            published or UNKNOWN_LAST,
            period_columns[-2] or UNKNOWN_LAST,  # period_first_day
            low if low is not None else high if high is not None else UNKNOWN_VALUE,
            claimant_id or UNKNOWN_LAST,
        )
        return row, orjson.dumps(doc)

    def period(self, spec: dict | None) -> tuple[tuple, dict | None]:
        """Return a period's ``period_*`` column values and its served form, computed once per distinct period."""
        key = None if spec is None else tuple([spec[k] for k in DATE_SPEC_KEYS])
        hit = self.periods.get(key)
        if hit is None:
            columns = date_columns("period", spec)
            hit = self.periods[key] = (tuple(columns.values()), date_spec(columns, "period"))
        return hit


def _fragment(obj) -> orjson.Fragment:
    return orjson.Fragment(orjson.dumps(obj))


def _days(first: str, last: str) -> int:
    return (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days
