"""Small builders for the nested pieces every resource embeds."""

from functools import cache

API_PREFIX = "/api/v1"


def url(kind: str, ident: str | None) -> str | None:
    return f"{API_PREFIX}/{kind}/{ident}" if ident is not None else None


DATE_FIELDS = (
    "start",
    "end",
    "precision",
    "qualifier",
    "phrase",
    "first_day",
    "last_day",
    "resolved_from",
    "resolution",
)


@cache
def _date_columns(prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple((k, f"{prefix}_{k}") for k in DATE_FIELDS)


def date_spec(row: dict, prefix: str) -> dict | None:
    """Return the date spec stored in ``<prefix>_*`` columns, or None."""
    columns = _date_columns(prefix)
    if row[columns[0][1]] is None:
        return None
    return {k: row[column] for k, column in columns}


def entity_ref(ident: str | None, name: str | None, type_: str | None) -> dict | None:
    if ident is None:
        return None
    return {"id": ident, "name": name, "type": type_, "url": url("entities", ident)}


def published_ref(date: str | None, precision: str | None, first_day: str | None) -> dict | None:
    if date is None:
        return None
    return {"date": date, "precision": precision, "first_day": first_day}


def quote(text: str, start: int, end: int) -> dict:
    return {"text": text, "start": start, "end": end}
