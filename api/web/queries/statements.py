"""Statements without numbers, and the items of the texts deliberately not counted (exclusions)."""

from api.shape import entity_ref, published_ref, quote, url
from api.web.queries.paging import in_list, keyset_page, parse_sort

SOURCE_COLUMNS = """s.title AS s_title, s.outlet_id AS s_outlet, s.published_start AS s_pub,
       s.published_precision AS s_pub_precision, s.published_first_day AS s_pub_first, s.stance AS s_stance"""

SORT_COLUMNS = {"id": "st.id", "source": "st.source_id || ':' || printf('%08d', st.span_start)"}
SORT_ALIASES = {"id": "id", "source": "source_sort"}

SELECT = f"""
SELECT st.*, st.source_id || ':' || printf('%08d', st.span_start) AS source_sort, {SOURCE_COLUMNS},
       sp.name AS sp_name, v.name AS v_name, v.type AS v_type
FROM statements st JOIN sources s ON s.id = st.source_id
LEFT JOIN entities sp ON sp.id = st.speaker_id LEFT JOIN entities v ON v.id = st.via_id
"""


def source_ref(r: dict, source_id: str) -> dict:
    return {
        "id": source_id,
        "title": r["s_title"],
        "outlet": r["s_outlet"],
        "published": published_ref(r["s_pub"], r["s_pub_precision"], r["s_pub_first"]),
        "stance": r["s_stance"],
        "url": url("sources", source_id),
    }


def statement_filters(args: dict) -> tuple[list[str], list]:
    where, params = [], []
    for name, column in (("source", "st.source_id"), ("speaker", "st.speaker_id")):
        if args.get(name):
            cond, extra = in_list(column, args[name])
            where.append(cond)
            params += extra
    if args.get("about"):
        cond, extra = in_list("entity_id", args["about"])
        where.append(f"st.id IN (SELECT statement_id FROM statement_about WHERE {cond})")
        params += extra
    if args.get("entity"):
        cond, extra = in_list("entity_id", args["entity"])
        speaker, extra2 = in_list("st.speaker_id", args["entity"])
        where.append(f"({speaker} OR st.id IN (SELECT statement_id FROM statement_about WHERE {cond}))")
        params += extra2 + extra
    return where, params


def _attach(db, rows: list[dict]) -> list[dict]:
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
            "source": source_ref(r, r["source_id"]),
            "speaker": {
                "id": r["speaker_id"],
                "name": r["sp_name"],
                "attribution": r["speaker"],
                "url": url("entities", r["speaker_id"]),
            },
            "cue": r["cue"],
            "quote": quote(r["quote"], r["span_start"], r["span_end"]),
            "about": about.get(r["id"], []),
            "via": entity_ref(r["via_id"], r["v_name"], r["v_type"]),
            "note": r["note"],
        }
        for r in rows
    ]


def list_statements(db, args: dict, base_where=None, base_params=None):
    where, params = statement_filters(args)
    where, params = [*(base_where or []), *where], [*(base_params or []), *params]
    keys = parse_sort(args["sort"], SORT_COLUMNS)
    rows, next_cursor, total = keyset_page(
        db,
        SELECT,
        where,
        params,
        keys,
        args["sort"],
        args["page_size"],
        args.get("cursor"),
        [SORT_ALIASES[k.name] for k in keys],
        "SELECT count(*) AS n FROM statements st" if args.get("total") else None,
    )
    return _attach(db, rows), next_cursor, total


def get_statement(db, statement_id: str) -> dict | None:
    found = _attach(db, db.execute(SELECT + " WHERE st.id = ?", [statement_id]).fetchall())
    return found[0] if found else None


# ---- exclusions -------------------------------------------------------------

EXCLUSION_SORT = {"source": "x.source_id || ':' || printf('%08d', x.span_start)", "id": "x.rowid"}
EXCLUSION_SELECT = f"""
SELECT x.*, x.rowid AS id, x.source_id || ':' || printf('%08d', x.span_start) AS source_sort, {SOURCE_COLUMNS}
FROM exclusions x JOIN sources s ON s.id = x.source_id
"""


def list_exclusions(db, args: dict):
    where, params = [], []
    if args.get("source"):
        cond, params = in_list("x.source_id", args["source"])
        where.append(cond)
    keys = parse_sort(args["sort"], EXCLUSION_SORT)
    rows, next_cursor, total = keyset_page(
        db,
        EXCLUSION_SELECT,
        where,
        params,
        keys,
        args["sort"],
        args["page_size"],
        args.get("cursor"),
        ["source_sort", "id"],
        "SELECT count(*) AS n FROM exclusions x" if args.get("total") else None,
    )
    items = [
        {
            "id": f"{r['source_id']}:{r['span_start']}-{r['span_end']}",
            "source": source_ref(r, r["source_id"]),
            "quote": quote(r["quote"], r["span_start"], r["span_end"]),
            "reason": r["reason"],
            "refers_to": r["refers_to"],
        }
        for r in rows
    ]
    return items, next_cursor, total
