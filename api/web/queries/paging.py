"""Sort keys, cursors and the keyset condition that every list's paging uses (see listing.py)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import orjson


class BadQuery(ValueError):
    """A request that is well-formed but cannot be answered: ``status`` 400 (a cursor not issued
    for this list and sort) or 422 (a name that names nothing), naming the parameter ``param``."""

    def __init__(self, message: str, param: str, status: int = 400):
        super().__init__(message)
        self.param = param
        self.status = status


@dataclass(frozen=True)
class SortKey:
    name: str
    column: str
    descending: bool


def parse_sort(spec: str, columns: dict[str, str], tie_breaker: str = "id") -> list[SortKey]:
    """Turn ``"source,-period"`` into sort keys, always ending with the id."""
    keys, seen = [], set()
    for part in spec.split(","):
        desc = part.startswith("-")
        name = part.lstrip("-")
        if name in seen:
            continue  # a key given twice: its first place (and direction) decides, the repeat changes nothing
        seen.add(name)
        keys.append(SortKey(name, columns[name], desc))
    if tie_breaker not in seen:
        keys.append(SortKey(tie_breaker, columns[tie_breaker], False))
    return keys


def order_by(keys: list[SortKey]) -> str:
    return ", ".join(f"{k.column} {'DESC' if k.descending else 'ASC'}" for k in keys)


def encode_cursor(sort: str, values: list) -> str:
    raw = orjson.dumps({"s": sort, "k": values})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, sort: str, n_keys: int) -> list:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = orjson.loads(raw)
        values = data["k"]
        ok = data["s"] == sort and isinstance(values, list) and len(values) == n_keys
    except (ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        ok = False
    if not ok:
        raise BadQuery("Invalid cursor: pass `next_cursor` from the previous page with the same sort.", "cursor")
    if not all(isinstance(v, (str, int, float)) for v in values):
        raise BadQuery("Invalid cursor.", "cursor")
    return values


def after_clause(keys: list[SortKey], values: list) -> tuple[str, list]:
    """SQL that keeps the rows strictly after ``values`` in ``keys`` order."""
    if all(not k.descending for k in keys) or all(k.descending for k in keys):
        op = "<" if keys[0].descending else ">"
        cols = ", ".join(k.column for k in keys)
        marks = ", ".join("?" for _ in keys)
        return f"({cols}) {op} ({marks})", list(values)
    # Mixed directions: (a > x) OR (a = x AND b < y) OR ...
    ors, params = [], []
    for i, key in enumerate(keys):
        ands = []
        for prev, value in zip(keys[:i], values[:i], strict=False):
            ands.append(f"{prev.column} = ?")
            params.append(value)
        ands.append(f"{key.column} {'<' if key.descending else '>'} ?")
        params.append(values[i])
        ors.append("(" + " AND ".join(ands) + ")")
    return "(" + " OR ".join(ors) + ")", params


def in_list(column: str, values: list) -> tuple[str, list]:
    return f"{column} IN ({', '.join('?' for _ in values)})", list(values)


FTS_HINT = 'Use plain words, "quoted phrases", AND, OR, NOT, NEAR() and a trailing * for prefixes.'


def raise_fts_error(exc: Exception):
    """Re-raise an FTS5 query syntax error as a BadQuery on ``q``.

    A safety net only: api.web.queries.fulltext hands SQLite expressions it has parsed already.
    """
    message = str(exc)
    if "fts5" in message or "syntax error" in message or "no such column" in message or "unterminated" in message:
        raise BadQuery(f"Full-text query error ({message}). {FTS_HINT}", "q") from exc
    raise exc
