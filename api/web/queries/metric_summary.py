"""Metric summaries: each claimant's latest figure of a metric, the range and counts (and the chart's data)."""

from __future__ import annotations

from urllib.parse import quote as url_quote

from api.shape import (
    cited_quote,
    claimant_ref,
    date_spec,
    entity_ref,
    known_from,
    metric_part,
    source_stamp,
    url,
    value_part,
)
from api.values import combine
from api.web.queries.listing import known_by
from api.web.queries.rows import FIGURES, claimant_key, fetch


def get_metric_ref(db, metric_id: str) -> dict | None:
    r = db.execute("SELECT id, label, unit, category FROM metrics WHERE id = ?", [metric_id]).fetchone()
    return metric_part(r) if r else None


def get_entity_ref(db, entity_id: str) -> dict | None:
    r = db.execute("SELECT id, name, type FROM entities WHERE id = ?", [entity_id]).fetchone()
    return entity_ref(r["id"], r["name"], r["type"]) if r else None


def _summary_figure(f: dict) -> dict:
    return {
        "id": f["id"],
        "url": url("figures", f["id"]),
        "subject": entity_ref(f["subject_id"], f["sub_name"], f["sub_type"]),
        "value": value_part(f["low"], f["high"], f["hedge"], f["value_text"], f["m_unit"]),
        "period": date_spec(f, "period"),
        "attribution": f["attribution"],
        "source": source_stamp(f["source_id"], f["published"]),
        "quote": cited_quote(f["source_id"], f["quote"], f["span_start"], f["span_end"], f["id"]),
    }


# The claims that answer one question with a claim of the metric (``same_question_as`` groups).
LINKED_CLAIMS = "f.claim_id IN (SELECT j.value FROM claims c, json_each(c.same_question_as) j WHERE c.metric_id = ?)"


def metric_figures(
    db, metric_id: str, subject_id: str | None, known_at, assumed: bool = False, linked: bool = False
) -> list[dict]:
    """Every figure of a metric (and subject), shaped, most recent first (undated last).

    With ``assumed``, a source with no stated date counts (and sorts) from its
    assumed reference date, and each figure says when it counts as known. With
    ``linked``, the figures of the claims linked to the metric's claims as answers
    to one question come too, each with its own measure, and every figure says
    when it counts as known.
    """
    where, params = ["f.metric_id = ?"], [metric_id]
    if linked:
        where, params = [f"(f.metric_id = ? OR {LINKED_CLAIMS})"], [metric_id, metric_id]
    if subject_id:
        where.append("f.subject_id = ?")
        params.append(subject_id)
    if known_at:
        where.append(known_by("f.published", "f.source_id", assumed))
        params.append(known_at.isoformat())
    rows = fetch(db, FIGURES, where, params, "f.source_sort, f.id")
    # Most recent first; a stable sort keeps source, figure order among equal dates.
    rows.sort(key=lambda f: f["published"] or (assumed and f["s_reference_date"]) or "", reverse=True)
    out = []
    for f in rows:
        item = _summary_figure(f)
        key = claimant_key(f["claimant_id"], f["attribution"])
        item["claimant_key"] = key[1] if key else None
        item["claimant"] = claimant_ref(f["claimant_id"], f["cl_name"], f["attribution"])
        item["claim_id"] = f["claim_id"]
        if assumed or linked:
            item["known_from"] = known_from(f["published"], f["s_reference_date"])
        item["source_title"] = f["s_title"]
        item["metric"] = metric_part(
            {"id": f["metric_id"], "label": f["m_label"], "unit": f["m_unit"], "category": f["m_category"]}
        )
        out.append(item)
    return out


def group_by_claimant(figures: list[dict]) -> list[tuple[str | None, list[dict]]]:
    """Figures by claimant key, most figures first, then key (unattributed last)."""
    groups: dict = {}
    for f in figures:
        groups.setdefault(f["claimant_key"], []).append(f)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0] is None, kv[0] or ""))


INTERNAL = ("claimant_key", "claimant", "claim_id", "source_title", "metric")


def metric_summary(metric: dict, subject: dict | None, figures: list[dict]) -> dict:
    """Each claimant's most recent figure, the overall range and counts."""
    claimants = []
    for key, figs in group_by_claimant(figures):
        latest = figs[0]
        public = {k: v for k, v in latest.items() if k not in INTERNAL}
        claimants.append(
            {
                "key": key,
                "claimant": latest["claimant"],
                "figure_count": len(figs),
                "latest": public,
                "figures": [f["id"] for f in figs],
            }
        )
    chart = f"/api/v1/metrics/{url_quote(metric['id'])}/chart.svg"
    if subject:
        chart += f"?subject={url_quote(subject['id'])}"
    return {
        "metric": metric,
        "subject": subject,
        "counts": {
            "figures": len(figures),
            "sources": len({f["source"]["id"] for f in figures}),
            "claimants": len({f["claimant_key"] for f in figures}),
            "claims": len({f["claim_id"] for f in figures}),
        },
        # The same interval as a claim's spread: an open bound stays null, never the stated number.
        "range": combine([f["value"] for f in figures]),
        "claimants": claimants,
        "chart": chart,
    }
