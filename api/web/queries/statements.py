"""Statements without numbers, and the items of the texts deliberately not counted (exclusions)."""

from api.shape import claimant_ref, entity_ref, quote, source_part, url
from api.web.queries.listing import Listing, any_in, any_of
from api.web.queries.paging import in_list

SOURCE_COLUMNS = """s.id AS s_id, s.title AS s_title, s.outlet_id AS s_outlet_id, s.published_start AS s_published_start,
       s.published_precision AS s_published_precision, s.published_first_day AS s_published_first_day,
       s.stance AS s_stance"""

SELECT = f"""
SELECT st.*, s.source_sort || ':' || printf('%08d', st.span_start) AS source_sort, {SOURCE_COLUMNS},
       sp.name AS sp_name, v.name AS v_name, v.type AS v_type
FROM statements st JOIN sources s ON s.id = st.source_id
LEFT JOIN entities sp ON sp.id = st.speaker_id LEFT JOIN entities v ON v.id = st.via_id
"""

ABOUT = "st.id IN (SELECT statement_id FROM statement_about WHERE {})"


def by_or_about(entities: list[str]) -> tuple[str, list]:
    """Statements an entity makes or that are about it."""
    speaker, params = in_list("st.speaker_id", entities)
    cond, extra = in_list("entity_id", entities)
    return f"({speaker} OR {ABOUT.format(cond)})", params + extra


FILTERS = {
    "source": any_of("st.source_id"),
    "speaker": any_of("st.speaker_id"),
    "about": any_in(ABOUT, "entity_id"),
    "entity": by_or_about,
}


def attach(db, rows: list[dict]) -> list[dict]:
    """Shape statement rows, adding what each is about (one query)."""
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    cond, params = in_list("a.statement_id", ids)
    about: dict[str, list] = {}
    for a in db.execute(
        f"SELECT a.*, e.name, e.type FROM statement_about a JOIN entities e ON e.id = a.entity_id WHERE {cond} ORDER BY a.entity_id",
        params,
    ):
        about.setdefault(a["statement_id"], []).append(entity_ref(a["entity_id"], a["name"], a["type"]))
    return [
        {
            "id": r["id"],
            "url": url("statements", r["id"]),
            "source": source_part(r, "s_"),
            # Never None: a statement's speaker has an entity, its wording or both.
            "speaker": claimant_ref(r["speaker_id"], r["sp_name"], r["speaker"]),
            "cue": r["cue"],
            "quote": quote(r["quote"], r["span_start"], r["span_end"]),
            "about": about.get(r["id"], []),
            "via": entity_ref(r["via_id"], r["v_name"], r["v_type"]),
            "note": r["note"],
        }
        for r in rows
    ]


def get_statement(db, statement_id: str) -> dict | None:
    found = attach(db, db.execute(SELECT + " WHERE st.id = ?", [statement_id]).fetchall())
    return found[0] if found else None


STATEMENTS = Listing(
    select=SELECT,
    count="SELECT count(*) AS n FROM statements st",
    sort={"id": ("st.id", "id"), "source": ("s.source_sort || ':' || printf('%08d', st.span_start)", "source_sort")},
    filters=FILTERS,
    shape=lambda db, rows, args: attach(db, rows),
    default_sort="source",
)


# ---- exclusions -------------------------------------------------------------


def shape_exclusions(db, rows: list[dict], args: dict) -> list[dict]:
    return [
        {
            "id": f"{r['source_id']}:{r['span_start']}-{r['span_end']}",
            "source": source_part(r, "s_"),
            "quote": quote(r["quote"], r["span_start"], r["span_end"]),
            "reason": r["reason"],
            "refers_to": r["refers_to"],
        }
        for r in rows
    ]


EXCLUSIONS = Listing(
    select=f"""
SELECT x.*, x.rowid AS id, s.source_sort || ':' || printf('%08d', x.span_start) AS source_sort, {SOURCE_COLUMNS}
FROM exclusions x JOIN sources s ON s.id = x.source_id
""",
    count="SELECT count(*) AS n FROM exclusions x",
    sort={"source": ("s.source_sort || ':' || printf('%08d', x.span_start)", "source_sort"), "id": ("x.rowid", "id")},
    filters={"source": any_of("x.source_id")},
    shape=shape_exclusions,
    default_sort="source",
)
