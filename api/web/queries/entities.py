"""Entities: countries, people, organisations, places, weapons, outlets."""

from api.shape import alias_key, quote, url
from api.web.queries.listing import Listing, any_of
from api.web.queries.paging import in_list
from api.web.queries.rows import entities

SELECT = """
SELECT e.*,
       (SELECT count(*) FROM figures f WHERE f.subject_id = e.id) AS figures_as_subject,
       (SELECT count(*) FROM figures f WHERE f.claimant_id = e.id) AS figures_as_claimant,
       (SELECT count(*) FROM (
           SELECT event_id FROM event_participants p WHERE p.entity_id = e.id
           UNION SELECT id FROM events v WHERE v.location_id = e.id)) AS event_count
FROM entities e
"""


def _attach(db, rows):
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    cond, params = in_list("entity_id", ids)
    aliases: dict[str, list] = {}
    for a in db.execute(
        f"SELECT entity_id, name FROM entity_names WHERE is_alias = 1 AND {cond} ORDER BY rowid", params
    ):
        aliases.setdefault(a["entity_id"], []).append(a["name"])
    roles: dict[str, list] = {}
    for r in db.execute(
        f"SELECT r.* FROM entity_roles r JOIN sources s ON s.id = r.source_id WHERE {cond} ORDER BY s.source_sort, r.span_start",
        params,
    ):
        roles.setdefault(r["entity_id"], []).append(
            {"role": r["role"], "source": r["source_id"], "quote": quote(r["quote"], r["span_start"], r["span_end"])}
        )
    return [
        {
            "id": r["id"],
            "url": url("entities", r["id"]),
            "name": r["name"],
            "type": r["type"],
            "aliases": aliases.get(r["id"], []),
            "description": r["description"],
            "part_of": r["part_of"],
            "roles": roles.get(r["id"], []),
            "counts": {
                "figures_as_subject": r["figures_as_subject"],
                "figures_as_claimant": r["figures_as_claimant"],
                "events": r["event_count"],
            },
            "note": r["note"],
        }
        for r in rows
    ]


def name_contains(text: str) -> tuple[str, list]:
    """Entities one of whose names or aliases contains ``text`` (ignoring case and punctuation)."""
    escaped = alias_key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "e.id IN (SELECT entity_id FROM entity_names WHERE key LIKE ? ESCAPE '\\')", [f"%{escaped}%"]


ENTITIES = Listing(
    select=SELECT,
    count="SELECT count(*) AS n FROM entities e",
    sort={"id": ("e.id", "id"), "name": ("e.name", "name"), "type": ("e.type", "type")},
    filters={"type": any_of("e.type"), "q": name_contains},
    shape=lambda db, rows, args: _attach(db, rows),
)


def get_entity(db, entity_id: str) -> dict | None:
    found = _attach(db, db.execute(SELECT + " WHERE e.id = ?", [entity_id]).fetchall())
    return found[0] if found else None


def entity_types(db, ids) -> dict[str, str]:
    """The type of each entity id (one query)."""
    return {i: r["type"] for i, r in entities(db, ids).items()}


def resolve_entity(db, ident: str) -> tuple[str | None, bool]:
    """Return (canonical id, is_exact) for an id, a name or an alias."""
    if db.execute("SELECT 1 FROM entities WHERE id = ?", [ident]).fetchone():
        return ident, True
    row = db.execute("SELECT entity_id FROM entity_names WHERE key = ? LIMIT 1", [alias_key(ident)]).fetchone()
    return (row["entity_id"], False) if row else (None, False)
