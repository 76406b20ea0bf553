"""Sources: the reporting articles."""

from api.shape import date_spec, entity_ref, quote, url
from api.web.queries.listing import Listing, any_in, any_of
from api.web.queries.paging import in_list

SELECT = """
SELECT s.*, coalesce(s.published_first_day, '~') AS published_sort,
       o.name AS outlet_name, o.type AS outlet_type,
       (SELECT count(*) FROM figures f WHERE f.source_id = s.id) AS figure_count,
       (SELECT count(DISTINCT c.event_id) FROM event_citations c WHERE c.source_id = s.id) AS event_count
FROM sources s LEFT JOIN entities o ON o.id = s.outlet_id
"""


def _attach(db, rows: list[dict]) -> list[dict]:
    """Add cites and stance evidence to the given source rows (two queries)."""
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    cond, params = in_list("c.source_id", ids)
    cites: dict[str, list] = {}
    for c in db.execute(
        f"SELECT c.*, e.name, e.type FROM source_cites c JOIN entities e ON e.id = c.entity_id WHERE {cond} ORDER BY c.span_start",
        params,
    ):
        cites.setdefault(c["source_id"], []).append(
            {
                "entity": entity_ref(c["entity_id"], c["name"], c["type"]),
                "quote": quote(c["quote"], c["span_start"], c["span_end"]),
            }
        )
    cond, params = in_list("source_id", ids)
    evidence: dict[str, list] = {}
    for e in db.execute(f"SELECT * FROM source_stance_evidence WHERE {cond} ORDER BY span_start", params):
        evidence.setdefault(e["source_id"], []).append(quote(e["quote"], e["span_start"], e["span_end"]))
    return [source_dict(r, cites.get(r["id"], []), evidence.get(r["id"], [])) for r in rows]


def source_dict(r: dict, cites: list, evidence: list) -> dict:
    published = date_spec(r, "published")
    if published is not None:
        published["quote"] = quote(r["published_quote"], r["published_quote_start"], r["published_quote_end"])
        published["basis"] = r["published_basis"]
    reference = None
    if r["reference_date"]:
        reference = {
            "date": r["reference_date"],
            "basis": r["reference_basis"],
            "assumed": r["published_start"] is None,
            "quote": quote(r["reference_quote"], r["reference_quote_start"], r["reference_quote_end"])
            if r["reference_quote"]
            else None,
            "outside_text": r["reference_outside_text"],
        }
    return {
        "id": r["id"],
        "url": url("sources", r["id"]),
        "title": r["title"],
        "title_quote": quote(r["title"], r["title_start"], r["title_end"]) if r["title"] else None,
        "outlet": entity_ref(r["outlet_id"], r["outlet_name"], r["outlet_type"]),
        "author": r["author"],
        "published": published,
        "archive_line": quote(r["archive_line"], r["archive_line_start"], r["archive_line_end"])
        if r["archive_line"]
        else None,
        "reference_date": reference,
        "language": r["language"],
        "stance": r["stance"],
        "stance_evidence": evidence,
        "cites": cites,
        "document": {"filename": r["filename"], "sha256": r["sha256"], "char_count": r["char_count"]},
        "counts": {"figures": r["figure_count"], "events": r["event_count"]},
        "note": r["note"],
    }


SOURCES = Listing(
    select=SELECT,
    count="SELECT count(*) AS n FROM sources s",
    sort={"id": ("s.id", "id"), "published": ("coalesce(s.published_first_day, '~')", "published_sort")},
    filters={
        "stance": any_of("s.stance"),
        "cites": any_in("s.id IN (SELECT c.source_id FROM source_cites c WHERE {})", "c.entity_id"),
    },
    shape=lambda db, rows, args: _attach(db, rows),
)


def get_source(db, source_id: str) -> dict | None:
    rows = db.execute(SELECT + " WHERE s.id = ?", [source_id]).fetchall()
    found = _attach(db, rows)
    return found[0] if found else None
