"""Turn validated fixtures into table rows: one function per table, each row a dict keyed by column name.

The columns are those of ``schema.sql``: a row that lacks one of them fails the
insert with the column's name.  Everything here shapes what the database
stores, so its source is part of the build id (api.builder.database.SHAPING_SOURCES).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator

import orjson

from api.builder.fixtures import DATE_SPEC_KEYS, Fixtures, date_columns
from api.builder.mentions import citation_entities
from api.shape import (
    alias_key,
    date_spec,
    entity_ref,
    event_part,
    figure_dict,
    metric_part,
    number,
    source_order,
    source_part,
)

DATE_COLS = (*DATE_SPEC_KEYS, "first_day", "last_day")
UNKNOWN_LAST = "~"  # sorts after every id and ISO date
UNKNOWN_VALUE = 1e308


def _span(span) -> dict:
    return {"span_start": span[0], "span_end": span[1]} if span else {"span_start": None, "span_end": None}


def _by_id(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda d: d["id"])


def entity_rows(fx: Fixtures) -> Iterator[dict]:
    for e in _by_id(fx.data("entities")):
        yield {k: e[k] for k in ("id", "name", "type", "description", "part_of", "note")}


def entity_name_rows(fx: Fixtures) -> Iterator[dict]:
    """Yield each entity's name, then its aliases, under the key lookups normalise to (alias_key)."""
    for e in _by_id(fx.data("entities")):
        for i, name in enumerate([e["name"], *e["aliases"]]):
            yield {"key": alias_key(name), "name": name, "entity_id": e["id"], "is_alias": int(i > 0)}


def entity_role_rows(fx: Fixtures) -> Iterator[dict]:
    for e in _by_id(fx.data("entities")):
        for role in e["roles"]:
            yield {
                "entity_id": e["id"],
                "role": role["role"],
                "source_id": role["source"],
                "quote": role["quote"],
                **_span(role["span"]),
            }


def source_rows(fx: Fixtures) -> Iterator[dict]:
    for s in _by_id(fx.data("sources")):
        pub, ref, line = s["published"], s["reference_date"] or {}, s["archive_line"]
        title, author = _span(s["title_span"]), _span(s["author_span"])
        published, archive, reference = (
            _span(pub["span"] if pub else None),
            _span(line["span"] if line else None),
            _span(ref.get("span")),
        )
        yield {
            "id": s["id"],
            "filename": s["filename"],
            "sha256": s["sha256"],
            "char_count": s["char_count"],
            "title": s["title"],
            "title_start": title["span_start"],
            "title_end": title["span_end"],
            "outlet_id": s["outlet"],
            "author": s["author"],
            "author_start": author["span_start"],
            "author_end": author["span_end"],
            **date_columns("published", pub),
            "published_quote": pub["quote"] if pub else None,
            "published_quote_start": published["span_start"],
            "published_quote_end": published["span_end"],
            "published_basis": pub["basis"] if pub else None,
            "archive_line": line["quote"] if line else None,
            "archive_line_start": archive["span_start"],
            "archive_line_end": archive["span_end"],
            "reference_date": ref.get("date"),
            "reference_basis": ref.get("basis"),
            "reference_quote": ref.get("quote"),
            "reference_quote_start": reference["span_start"],
            "reference_quote_end": reference["span_end"],
            "reference_outside_text": ref.get("outside_text"),
            "language": s["language"],
            "stance": s["stance"],
            "note": s["note"],
            "source_sort": source_order(s["filename"], s["id"]),
        }


def source_cite_rows(fx: Fixtures) -> Iterator[dict]:
    for s in _by_id(fx.data("sources")):
        for cite in s["cites"]:
            yield {"source_id": s["id"], "entity_id": cite["entity"], "quote": cite["quote"], **_span(cite["span"])}


def source_stance_evidence_rows(fx: Fixtures) -> Iterator[dict]:
    for s in _by_id(fx.data("sources")):
        for ev in s["stance_evidence"]:
            yield {"source_id": s["id"], "quote": ev["quote"], **_span(ev["span"])}


def metric_rows(fx: Fixtures) -> Iterator[dict]:
    for m in _by_id(fx.data("metrics")):
        yield {k: m[k] for k in ("id", "label", "unit", "category", "description")} | {"parent_id": m["parent"]}


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


def claim_rows(fx: Fixtures) -> Iterator[dict]:
    """Yield each claim with zero statistics: the build computes them from the figures (CLAIM_STATS_SQL)."""
    questions = question_groups(fx.data("claims"))
    for c in _by_id(fx.data("claims")):
        yield {
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
            "first_published": None,
            "first_source_id": None,
        }


def _published_days(fx: Fixtures) -> dict[str, str | None]:
    """Return each source's first day of publication (None when undated)."""
    return {s["id"]: date_columns("published", s["published"])["published_first_day"] for s in fx.data("sources")}


def _citations(ev: dict, published: dict[str, str | None]) -> list[dict]:
    """Return an event's ``event_citations`` rows: each source's version of the event."""
    rows = []
    for i, cit in enumerate(ev["citations"]):
        attribution = cit["attribution"] or {}
        rows.append(
            {
                "id": f"{ev['id']}.{i}",
                "event_id": ev["id"],
                "source_id": cit["source"],
                "quote": cit["quote"],
                **_span(cit["span"]),
                **date_columns("date", cit["date"]),
                "attribution_entity_id": attribution.get("entity"),
                "attribution": attribution.get("as_written"),
                "actors": json.dumps(cit["actors"]) if cit["actors"] else None,
                "location_id": cit["location"],
                "via_id": cit["via"],
                "status": cit["status"],
                "note": cit["note"],
                "published": published.get(cit["source"]),
            }
        )
    return rows


def event_citation_rows(fx: Fixtures) -> Iterator[dict]:
    published = _published_days(fx)
    for ev in _by_id(fx.data("events")):
        yield from _citations(ev, published)


def event_citation_entity_rows(fx: Fixtures) -> Iterator[dict]:
    names = {e["id"]: [e["name"], *e["aliases"]] for e in fx.data("entities")}
    for ev in _by_id(fx.data("events")):
        for i, cit in enumerate(ev["citations"]):
            for entity in citation_entities(ev, cit, names):
                yield {
                    "citation_id": f"{ev['id']}.{i}",
                    "event_id": ev["id"],
                    "source_id": cit["source"],
                    "entity_id": entity,
                }


def event_rows(fx: Fixtures) -> Iterator[dict]:
    """Yield each event with the narrowest date any source gives (every source's own stays on its citation)."""
    published = _published_days(fx)
    for ev in _by_id(fx.data("events")):
        cits = _citations(ev, published)
        best = min(
            (c for c in cits if c["date_first_day"]),
            key=lambda c: (_days(c["date_first_day"], c["date_last_day"]), c["published"] or "9999", c["source_id"]),
            default=None,
        )
        known = sorted(c["published"] for c in cits if c["published"])
        yield {
            "id": ev["id"],
            "type": ev["type"],
            "title": ev["title"],
            "summary": ev["summary"],
            "status": ev["status"],
            "location_id": ev["location"],
            **{f"date_{k}": (best[f"date_{k}"] if best else None) for k in DATE_COLS},
            "date_source_id": best["source_id"] if best else None,
            "citation_count": len(cits),
            "first_published": known[0] if known else None,
            "note": ev["note"],
        }


def event_participant_rows(fx: Fixtures) -> Iterator[dict]:
    for ev in _by_id(fx.data("events")):
        for part in ev["participants"]:
            yield {"event_id": ev["id"], "entity_id": part["entity"], "role": part["role"]}


def exclusion_rows(fx: Fixtures) -> Iterator[dict]:
    for x in sorted(fx.data("exclusions"), key=lambda d: (d["source"], d["span"][0], d["span"][1])):
        yield {
            "source_id": x["source"],
            "quote": x["quote"],
            **_span(x["span"]),
            "reason": x["reason"],
            "refers_to": x["refers_to"],
        }


def statement_rows(fx: Fixtures) -> Iterator[dict]:
    for st in _by_id(fx.data("statements")):
        yield {
            "id": st["id"],
            "source_id": st["source"],
            "speaker_id": st["speaker"]["entity"],
            "speaker": st["speaker"]["as_written"],
            "cue": st["cue"],
            "quote": st["quote"],
            **_span(st["span"]),
            "via_id": st["via"],
            "note": st["note"],
        }


def statement_about_rows(fx: Fixtures) -> Iterator[dict]:
    for st in _by_id(fx.data("statements")):
        for entity in dict.fromkeys(st["about"]):
            yield {"statement_id": st["id"], "entity_id": entity}


def assessment_rows(fx: Fixtures) -> Iterator[dict]:
    for a in _by_id(fx.data("assessments")):
        yield {
            "id": a["id"],
            "claim_id": a["claim"],
            "source_id": a["source"],
            "entity_id": a["entity"],
            "as_written": a["as_written"],
            "stance": a["stance"],
            "quote": a["quote"],
            **_span(a["span"]),
            "note": a["note"],
        }


# The tables filled from records, each by its function, in the order they are written
# (the figures apart: FigureRows).
def entity_mention_rows(fx: Fixtures) -> Iterator[dict]:
    for m in sorted(fx.data("mentions"), key=lambda d: (d["source"], d["entity"], d["span"][0])):
        yield {
            "source_id": m["source"],
            "entity_id": m["entity"],
            "as_written": m["as_written"],
            **_span(m["span"]),
            "quote": m["quote"],
            "quote_start": m["quote_span"][0],
            "quote_end": m["quote_span"][1],
        }


RECORD_TABLES: dict[str, Callable[[Fixtures], Iterator[dict]]] = {
    "entities": entity_rows,
    "entity_names": entity_name_rows,
    "sources": source_rows,
    "source_cites": source_cite_rows,
    "source_stance_evidence": source_stance_evidence_rows,
    "entity_roles": entity_role_rows,
    "metrics": metric_rows,
    "claims": claim_rows,
    "events": event_rows,
    "event_participants": event_participant_rows,
    "event_citations": event_citation_rows,
    "event_citation_entities": event_citation_entity_rows,
    "exclusions": exclusion_rows,
    "statements": statement_rows,
    "statement_about": statement_about_rows,
    "assessments": assessment_rows,
    "entity_mentions": entity_mention_rows,
}


class FigureRows:
    """Turn each validated figure into its ``figures`` row and its served JSON (``figure_docs.doc``).

    What a figure embeds (its source, metric, subject, via and event) is
    serialised once per record and spliced into each figure's document.
    """

    def __init__(self, fx: Fixtures):
        sources = {r["id"]: r for r in source_rows(fx)}
        entities = list(entity_rows(fx))
        self.metrics = fx.by_id("metrics")
        self.names = {r["id"]: r["name"] for r in entities}
        self.events = {e["id"]: e["title"] for e in fx.data("events")}
        self.source_parts = {k: _fragment(source_part(r)) for k, r in sources.items()}
        self.metric_parts = {k: _fragment(metric_part(m)) for k, m in self.metrics.items()}
        self.entity_parts = {r["id"]: _fragment(entity_ref(r["id"], r["name"], r["type"])) for r in entities}
        self.event_parts: dict[str, orjson.Fragment] = {}
        self.published = {k: r["published_first_day"] for k, r in sources.items()}
        self.source_sorts = {k: r["source_sort"] for k, r in sources.items()}
        self.reference_dates = {k: r["reference_date"] for k, r in sources.items()}
        self.periods: dict[tuple | None, tuple[dict, dict | None]] = {}

    def __call__(self, f: dict) -> tuple[dict, bytes]:
        """Return a figure's ``figures`` row and its served JSON."""
        metric = self.metrics[f["metric"]]
        claimant = f["claimant"] or {}
        value = f["value"]
        low, high = number(value["low"]), number(value["high"])
        published = self.published[f["source"]]
        period_columns, period = self.period(f["period"])
        # Articles that report through the same intermediary share one origin.
        origin = f"entity:{f['via']}" if f["via"] else f"source:{f['source']}"
        row = {
            "id": f["id"],
            "source_id": f["source"],
            "claim_id": f["claim"],
            "metric_id": f["metric"],
            "subject_id": f["subject"],
            "category": metric["category"],
            "low": low,
            "high": high,
            "hedge": value["hedge"],
            "value_text": value["text"],
            **period_columns,
            "claimant_id": claimant.get("entity"),
            "attribution": claimant.get("as_written"),
            "via_id": f["via"],
            "origin": origin,
            "quote": f["quote"],
            **_span(f["span"]),
            "event_id": f["event"],
            "published": published,
            "note": f["note"],
            "published_sort": published or UNKNOWN_LAST,
            "period_sort": period_columns["period_first_day"] or UNKNOWN_LAST,
            "value_sort": low if low is not None else high if high is not None else UNKNOWN_VALUE,
            "claimant_sort": claimant.get("entity") or UNKNOWN_LAST,
            "source_sort": self.source_sorts[f["source"]],
            "known_sort": published or self.reference_dates[f["source"]] or UNKNOWN_LAST,
        }
        doc = figure_dict(
            f,
            metric=self.metric_parts[f["metric"]],
            unit=metric["unit"],
            subject=self.entity_parts[f["subject"]],
            source=self.source_parts[f["source"]],
            period=period,
            via=self.entity_parts[f["via"]] if f["via"] else None,
            event=self.event_part(f["event"]) if f["event"] else None,
            claimant_name=self.names.get(claimant.get("entity")),
            origin=origin,
        )
        return row, orjson.dumps(doc)

    def event_part(self, event_id: str) -> orjson.Fragment:
        part = self.event_parts.get(event_id)
        if part is None:
            part = self.event_parts[event_id] = _fragment(event_part(event_id, self.events.get(event_id)))
        return part

    def period(self, spec: dict | None) -> tuple[dict, dict | None]:
        """Return a period's ``period_*`` columns and its served form, computed once per distinct period."""
        key = None if spec is None else tuple([spec[k] for k in DATE_SPEC_KEYS])
        hit = self.periods.get(key)
        if hit is None:
            columns = date_columns("period", spec)
            hit = self.periods[key] = (columns, date_spec(columns, "period"))
        return hit


def figure_rows(fx: Fixtures) -> Iterator[tuple[dict, bytes]]:
    """Yield each figure's ``figures`` row and its served JSON, in id order."""
    shape = FigureRows(fx)
    for rec in sorted(fx.records["figures"], key=lambda r: r.data["id"]):
        yield shape(rec.data)


def _fragment(obj) -> orjson.Fragment:
    return orjson.Fragment(orjson.dumps(obj))


def _days(first: str, last: str) -> int:
    return (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days
