"""Claims: one row per claim key, with every figure that reports it."""

from api.shape import claimant_ref, earliest_known, entity_ref, known_from, metric_part, quote, source_part, url
from api.values import combine
from api.web.queries.listing import Export, Listing, any_in, any_of, compare, counts_assumed, iso, known_by
from api.web.queries.paging import in_list

COLUMNS = """c.id, c.statement, c.metric_id, c.subject_id, c.note,
       x.figure_count, x.source_count, x.origin_count, x.low_min, x.high_max, x.first_published,
       coalesce(x.first_published, '~') AS first_published_sort,
       m.label AS m_label, m.unit AS m_unit, m.category AS m_category, s.name AS s_name, s.type AS s_type"""
JOINS = "JOIN metrics m ON m.id = c.metric_id JOIN entities s ON s.id = c.subject_id"

# Statistics recomputed over the figures visible at a date (``known_at``). The
# first publication stays the earliest stated one (min ignores undated figures),
# whatever dates decide what is visible.
STATS_AT = """(SELECT claim_id, count(*) AS figure_count, count(DISTINCT source_id) AS source_count,
        count(DISTINCT origin) AS origin_count, min(coalesce(low, high)) AS low_min,
        max(coalesce(high, low)) AS high_max, min(published) AS first_published
 FROM figures f WHERE {} GROUP BY claim_id)"""


SELECT = f"SELECT {COLUMNS} FROM claims c JOIN claims x ON x.id = c.id {JOINS}"


def _select_at(assumed: bool) -> str:
    stats = STATS_AT.format(known_by("f.published", "f.source_id", assumed))
    return f"SELECT {COLUMNS} FROM claims c JOIN {stats} x ON x.claim_id = c.id {JOINS}"


FIGURE_OF_CLAIM = "c.id IN (SELECT f.claim_id FROM figures f WHERE {})"
FILTERS = {
    "metric": any_of("c.metric_id"),
    "subject": any_of("c.subject_id"),
    "claimant": any_in(FIGURE_OF_CLAIM, "f.claimant_id"),
    "source": any_in(FIGURE_OF_CLAIM, "f.source_id"),
    "min_sources": compare("x.source_count >= ?"),
    "min_origins": compare("x.origin_count >= ?"),
    "max_origins": compare("x.origin_count <= ?"),
}


def attach(db, rows: list[dict], known_at: str | None = None, assumed: bool = False) -> list[dict]:
    """Add every reporting figure to each claim row (one query).

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
            WHERE {cond} ORDER BY f.claim_id, f.published_sort, f.source_id, f.id""",
        params,
    ):
        figs.setdefault(f["claim_id"], []).append(
            {
                "id": f["id"],
                "url": url("figures", f["id"]),
                "source": source_part(f, "s_"),
                "value": {
                    "low": f["low"],
                    "high": f["high"],
                    "hedge": f["hedge"],
                    "text": f["value_text"],
                    "unit": f["unit"],
                },
                "claimant": claimant_ref(f["claimant_id"], f["c_name"], f["attribution"]),
                "via": entity_ref(f["via_id"], f["v_name"], f["v_type"]),
                "origin": f["origin"],
                "quote": quote(f["quote"], f["span_start"], f["span_end"]),
            }
        )
        if assumed:
            figs[f["claim_id"]][-1]["known_from"] = known_from(f["s_published_first_day"], f["s_reference_date"])
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
            "first_published": r["first_published"],
            "first_source": first_sources[0] if first_sources else None,
            "note": r["note"],
        }
        if assumed:
            claim["known_from"] = earliest_known(f["known_from"] for f in fs)
        out.append(claim)
    return out


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


def _known_at(args: dict) -> str | None:
    return iso(args["known_at"]) if args.get("known_at") else None


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
    shape=lambda db, rows, args: attach(db, rows, _known_at(args), counts_assumed(args)),
    export=Export(FLAT_COLUMNS, flatten=flatten_claim),
    variant=lambda args: _variant(args),
)


def _known_at_listing(assumed: bool) -> Listing:
    stats = STATS_AT.format(known_by("f.published", "f.source_id", assumed))
    return CLAIMS.but(
        select=_select_at(assumed),
        count=f"SELECT count(*) AS n FROM claims c JOIN {stats} x ON x.claim_id = c.id",
        params=lambda args: [_known_at(args)],
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
