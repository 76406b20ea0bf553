"""Claims: one row per claim key, with every figure that reports it."""

from api.shape import (
    claimant_ref,
    earliest_known,
    entity_ref,
    known_from,
    metric_part,
    quote,
    source_part,
    url,
    value_part,
)
from api.values import combine
from api.web.queries.listing import (
    Export,
    Listing,
    active,
    any_known_in,
    any_of,
    compare,
    counts_assumed,
    joint,
    known_by,
    known_source,
)
from api.web.queries.paging import in_list
from api.web.queries.rows import known_at

COLUMNS = """c.id, c.statement, c.metric_id, c.subject_id, c.note,
       x.figure_count, x.source_count, x.origin_count, x.first_published,
       coalesce(x.first_published, '~') AS first_published_sort,
       m.label AS m_label, m.unit AS m_unit, m.category AS m_category, s.name AS s_name, s.type AS s_type"""
JOINS = "JOIN metrics m ON m.id = c.metric_id JOIN entities s ON s.id = c.subject_id"

# Statistics recomputed over the figures visible at a date (``known_at``). The
# first publication stays the earliest stated one (min ignores undated figures),
# whatever dates decide what is visible.
STATS_AT = """(SELECT claim_id, count(*) AS figure_count, count(DISTINCT source_id) AS source_count,
        count(DISTINCT origin) AS origin_count, min(published) AS first_published
 FROM figures f WHERE {} GROUP BY claim_id)"""


SELECT = f"SELECT {COLUMNS} FROM claims c JOIN claims x ON x.id = c.id {JOINS}"


def _select_at(assumed: bool) -> str:
    stats = STATS_AT.format(known_by("f.published", "f.source_id", assumed))
    return f"SELECT {COLUMNS} FROM claims c JOIN {stats} x ON x.claim_id = c.id {JOINS}"


def assessed(entities: list[str] | None, stances: list[str] | None, args: dict) -> tuple[str, list]:
    """Claims with an assessment by one of ``entities`` (any, if None) with one of ``stances`` (any, if None).

    With ``known_at``, only assessments from sources known by then count.
    """
    conds, params = [], []
    for column, values in (("a.entity_id", entities), ("a.stance", stances)):
        if active(values):
            cond, extra = in_list(column, values)
            conds.append(cond)
            params += extra
    if active(args.get("known_at")):
        conds.append(known_source("a.source_id", counts_assumed(args)))
        params.append(args["known_at"].isoformat())
    return f"c.id IN (SELECT a.claim_id FROM assessments a WHERE {' AND '.join(conds)})", params


FIGURE_OF_CLAIM = "c.id IN (SELECT f.claim_id FROM figures f WHERE {})"
FILTERS = {
    "metric": any_of("c.metric_id"),
    "subject": any_of("c.subject_id"),
    # With ``known_at``, a claim matches a claimant or source only through a figure known by then.
    "claimant": any_known_in(FIGURE_OF_CLAIM, "f.claimant_id", "f"),
    "source": any_known_in(FIGURE_OF_CLAIM, "f.source_id", "f"),
    "min_sources": compare("x.source_count >= ?"),
    "min_origins": compare("x.origin_count >= ?"),
    "max_origins": compare("x.origin_count <= ?"),
    # One assessment must match both: ``assessed_by`` carries ``stance`` when both are given.
    "stance": joint(lambda stances, args: None if active(args.get("assessed_by")) else assessed(None, stances, args)),
    "assessed_by": joint(lambda entities, args: assessed(entities, args.get("stance"), args)),
}


def attach(db, rows: list[dict], known_at: str | None = None, assumed: bool = False) -> list[dict]:
    """Add every reporting figure, assessments and corroboration to each claim row (two queries).

    With ``assumed``, sources with no stated date count from their assumed
    reference date and every claim and figure says when it counts as known.
    """
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    cond, params = in_list("f.claim_id", ids)
    if known_at:
        cond += " AND " + known_by("f.published", "f.source_id", assumed)
        params.append(known_at)
    figs: dict[str, list] = {}
    for f in db.execute(
        f"""SELECT f.id, f.claim_id, f.source_id, f.low, f.high, f.hedge, f.value_text, f.claimant_id, f.attribution,
                   f.via_id, f.origin, f.quote, f.span_start, f.span_end, m.unit,
                   s.id AS s_id, s.title AS s_title, s.outlet_id AS s_outlet_id, s.published_start AS s_published_start,
                   s.published_precision AS s_published_precision, s.published_first_day AS s_published_first_day,
                   s.stance AS s_stance, s.reference_date AS s_reference_date,
                   cl.name AS c_name, v.name AS v_name, v.type AS v_type
            FROM figures f JOIN sources s ON s.id = f.source_id JOIN metrics m ON m.id = f.metric_id
            LEFT JOIN entities cl ON cl.id = f.claimant_id LEFT JOIN entities v ON v.id = f.via_id
            WHERE {cond} ORDER BY f.claim_id, f.published_sort, f.source_sort, f.id""",
        params,
    ):
        figs.setdefault(f["claim_id"], []).append(
            {
                "id": f["id"],
                "url": url("figures", f["id"]),
                "source": source_part(f, "s_"),
                "value": value_part(f["low"], f["high"], f["hedge"], f["value_text"], f["unit"]),
                "claimant": claimant_ref(f["claimant_id"], f["c_name"], f["attribution"]),
                "via": entity_ref(f["via_id"], f["v_name"], f["v_type"]),
                "origin": f["origin"],
                "quote": quote(f["quote"], f["span_start"], f["span_end"]),
            }
        )
        if assumed:
            figs[f["claim_id"]][-1]["known_from"] = known_from(f["s_published_first_day"], f["s_reference_date"])
    assessments = _assessments(db, ids, known_at, assumed)
    out = []
    for r in rows:
        fs = figs.get(r["id"], [])
        claimants, seen = [], set()
        for f in fs:
            c = f["claimant"]
            key = (c or {}).get("id"), (c or {}).get("attribution")
            if c and key not in seen:
                seen.add(key)
                claimants.append(c)
        first_sources = sorted(
            {
                f["source"]["id"]
                for f in fs
                if f["source"]["published"] and f["source"]["published"]["first_day"] == r["first_published"]
            }
        )
        claim = {
            "id": r["id"],
            "url": url("claims", r["id"]),
            "statement": r["statement"],
            "metric": metric_part(
                {"id": r["metric_id"], "label": r["m_label"], "unit": r["m_unit"], "category": r["m_category"]}
            ),
            "subject": entity_ref(r["subject_id"], r["s_name"], r["s_type"]),
            "claimants": claimants,
            "figures": fs,
            "figure_count": r["figure_count"],
            "source_count": r["source_count"],
            "origin_count": r["origin_count"],
            "spread": combine([f["value"] for f in fs]),
            **_with_corroboration(r, fs, assessments.get(r["id"], [])),
            "first_published": r["first_published"],
            "first_source": first_sources[0] if first_sources else None,
            "note": r["note"],
        }
        if assumed:
            claim["known_from"] = earliest_known(f["known_from"] for f in fs)
        out.append(claim)
    return out


def _assessments(db, ids: list[str], known_at: str | None, assumed: bool) -> dict[str, list]:
    """Every assessment of the given claims (from sources known by ``known_at``, if given), by claim id (one query)."""
    cond, params = in_list("a.claim_id", ids)
    if known_at:
        cond += " AND " + known_source("a.source_id", assumed)
        params.append(known_at)
    out: dict[str, list] = {}
    for a in db.execute(
        f"""SELECT a.*, e.name AS e_name, e.type AS e_type, s.id AS s_id, s.title AS s_title,
                   s.outlet_id AS s_outlet_id, s.published_start AS s_published_start,
                   s.published_precision AS s_published_precision, s.published_first_day AS s_published_first_day,
                   s.stance AS s_stance, s.reference_date AS s_reference_date
            FROM assessments a JOIN sources s ON s.id = a.source_id LEFT JOIN entities e ON e.id = a.entity_id
            WHERE {cond} ORDER BY a.claim_id, s.source_sort, a.span_start, a.id""",
        params,
    ):
        out.setdefault(a["claim_id"], []).append(
            {
                "id": a["id"],
                "entity": entity_ref(a["entity_id"], a["e_name"], a["e_type"]),
                "as_written": a["as_written"],
                "stance": a["stance"],
                "source": source_part(a, "s_"),
                "quote": quote(a["quote"], a["span_start"], a["span_end"]),
                "note": a["note"],
            }
        )
        if assumed:
            out[a["claim_id"]][-1]["known_from"] = known_from(a["s_published_first_day"], a["s_reference_date"])
    return out


def _with_corroboration(r: dict, figures: list[dict], assessments: list[dict]) -> dict:
    """Return the claim's assessments and how it is corroborated.

    A report repeated by several sources through one intermediary is one
    origin; an assessment is independent when the assessing party is neither a
    claimant of the claim nor an intermediary it came through.
    """
    involved = {f["claimant"]["id"] for f in figures if f["claimant"] and f["claimant"]["id"]}
    involved |= {f["via"]["id"] for f in figures if f["via"]}
    shaped = [
        {
            **{k: v for k, v in a.items() if k not in ("note", "known_from")},
            "independent": bool(a["entity"]) and a["entity"]["id"] not in involved,
            "note": a["note"],
            **({"known_from": a["known_from"]} if "known_from" in a else {}),
        }
        for a in assessments
    ]
    stances = [a["stance"] for a in shaped]
    return {
        "assessments": shaped,
        "corroboration": {
            "origins": r["origin_count"],
            "repeated_reports": r["source_count"] - r["origin_count"],
            "independent_confirmations": sum(1 for a in shaped if a["stance"] == "confirms" and a["independent"]),
            "not_confirmed": stances.count("has-not-confirmed"),
            "doubted": stances.count("doubts") + stances.count("disputes"),
        },
    }


def get_claim(db, claim_id: str) -> dict | None:
    found = attach(db, db.execute(SELECT + " WHERE c.id = ?", [claim_id]).fetchall())
    return found[0] if found else None


FLAT_COLUMNS = (
    "id",
    "statement",
    "metric_id",
    "subject_id",
    "figure_count",
    "source_count",
    "origin_count",
    "spread_low",
    "spread_high",
    "spread_open_low",
    "spread_open_high",
    "spread_vague",
    "first_published",
    "first_source",
    "claimant_ids",
    "figure_ids",
    "source_ids",
    "values",
)


def flatten_claim(c: dict) -> dict:
    return {
        "id": c["id"],
        "statement": c["statement"],
        "metric_id": c["metric"]["id"],
        "subject_id": c["subject"]["id"],
        "figure_count": c["figure_count"],
        "source_count": c["source_count"],
        "origin_count": c["origin_count"],
        "spread_low": c["spread"]["low"],
        "spread_high": c["spread"]["high"],
        "spread_open_low": c["spread"]["open_low"],
        "spread_open_high": c["spread"]["open_high"],
        "spread_vague": c["spread"]["vague"],
        "first_published": c["first_published"],
        "first_source": c["first_source"],
        "claimant_ids": " ".join(sorted({cl["id"] for cl in c["claimants"] if cl["id"]})),
        "figure_ids": " ".join(f["id"] for f in c["figures"]),
        "source_ids": " ".join(sorted({f["source"]["id"] for f in c["figures"]})),
        "values": " | ".join(f"{f['source']['id']}: {f['value']['text']}" for f in c["figures"]),
    }


CLAIMS = Listing(
    select=SELECT,
    count="SELECT count(*) AS n FROM claims c JOIN claims x ON x.id = c.id",
    sort={
        "id": ("c.id", "id"),
        "sources": ("x.source_count", "source_count"),
        "origins": ("x.origin_count", "origin_count"),
        "first_published": ("coalesce(x.first_published, '~')", "first_published_sort"),
    },
    filters=FILTERS,
    shape=lambda db, rows, args: attach(db, rows, known_at(args), counts_assumed(args)),
    export=Export(FLAT_COLUMNS, flatten=flatten_claim),
    variant=lambda args: _variant(args),
)


def _known_at_listing(assumed: bool) -> Listing:
    stats = STATS_AT.format(known_by("f.published", "f.source_id", assumed))
    return CLAIMS.but(
        select=_select_at(assumed),
        count=f"SELECT count(*) AS n FROM claims c JOIN {stats} x ON x.claim_id = c.id",
        params=lambda args: [known_at(args)],
        variant=lambda args: None,
    )


# With ``known_at``, the counts and spread are recomputed over the figures known by
# then: published by then, or with ``known_at_basis=assumed`` also undated figures
# whose source's assumed reference date is no later.
CLAIMS_KNOWN_AT = _known_at_listing(False)
CLAIMS_KNOWN_AT_ASSUMED = _known_at_listing(True)


def _variant(args: dict) -> Listing | None:
    if not args.get("known_at"):
        return None
    return CLAIMS_KNOWN_AT_ASSUMED if counts_assumed(args) else CLAIMS_KNOWN_AT
