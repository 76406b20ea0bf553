"""What a filter value names: the canonical ids of an id, an alias or a file name.

One function per kind of record returns the ids a value names (several when an alias is
shared; none when it names nothing), and ``suggest`` the closest known ids for a value
that names nothing. Ids match exactly or case- and punctuation-insensitively
(``North-Korea``); entities also by any name or alias (``Umerov``), sources also by the
archived document's file name, its stem or its number (``001_6b8e2fb9c51fcc7a.txt``,
``001_6b8e2fb9c51fcc7a``, ``001``).
"""

from __future__ import annotations

import difflib

from api.shape import alias_key


def entity(db, value: str) -> list[str]:
    if db.execute("SELECT 1 FROM entities WHERE id = ?", [value]).fetchone():
        return [value]
    rows = db.execute(
        "SELECT DISTINCT entity_id FROM entity_names WHERE key = ? ORDER BY entity_id", [alias_key(value)]
    )
    return [r["entity_id"] for r in rows] or _by_key(db, "entities", value)


def source(db, value: str) -> list[str]:
    rows = db.execute(
        "SELECT id FROM sources WHERE id = ?1 OR filename = ?1 OR filename = ?1 || '.txt'"
        " OR (instr(filename, '_') > 1 AND substr(filename, 1, instr(filename, '_') - 1) = ?1) ORDER BY id",
        [value],
    )
    return [r["id"] for r in rows] or _by_key(db, "sources", value)


def metric(db, value: str) -> list[str]:
    return _by_id(db, "metrics", value)


def claim(db, value: str) -> list[str]:
    return _by_id(db, "claims", value)


def event(db, value: str) -> list[str]:
    return _by_id(db, "events", value)


KINDS = {"entity": entity, "source": source, "metric": metric, "claim": claim, "event": event}
TABLES = {"entity": "entities", "source": "sources", "metric": "metrics", "claim": "claims", "event": "events"}


def _by_id(db, table: str, value: str) -> list[str]:
    if db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [value]).fetchone():
        return [value]
    return _by_key(db, table, value)


def _by_key(db, table: str, value: str) -> list[str]:
    """Ids equal to ``value`` but for case and punctuation (ids are kebab-case: compare their words)."""
    key = alias_key(value)
    if not key:
        return []
    # Ids are lower-case words joined by hyphens, so the key of an id is the id with spaces.
    return [r["id"] for r in db.execute(f"SELECT id FROM {table} WHERE replace(id, '-', ' ') = ?", [key])]


SUGGESTION_POOL = 5000  # ids difflib compares a value with; past that, only ids sharing its first character


def _pool(db, sql: str, column: str, first: str) -> list[str]:
    rows = [r[column] for r in db.execute(f"{sql} LIMIT {SUGGESTION_POOL + 1}")]
    if len(rows) <= SUGGESTION_POOL:
        return rows
    ranged = f"{sql} WHERE {column} >= ? AND {column} < ? LIMIT {SUGGESTION_POOL}"
    return [r[column] for r in db.execute(ranged, [first, first + "\uffff"])]


def suggest(db, kind: str, value: str, n: int = 3) -> list[str]:
    """The known ids closest to ``value`` (difflib), best first; for entities also through their names."""
    lowered, key = value.lower(), alias_key(value)
    close = difflib.get_close_matches(lowered, _pool(db, f"SELECT id FROM {TABLES[kind]}", "id", lowered[:1]), n, 0.5)
    if kind == "entity":
        keys = _pool(db, "SELECT DISTINCT key FROM entity_names", "key", key[:1])
        for match in difflib.get_close_matches(key, keys, n, 0.5):
            close += entity(db, match)
    if kind == "source":
        files = [r["filename"] for r in db.execute("SELECT filename FROM sources")]
        for match in difflib.get_close_matches(value, files, n, 0.5):
            close += source(db, match)
    return list(dict.fromkeys(close))[:n]
