"""Small builders for the nested pieces every resource embeds."""

API_PREFIX = "/api/v1"


def url(kind: str, ident: str | None) -> str | None:
    return f"{API_PREFIX}/{kind}/{ident}" if ident is not None else None


def date_spec(row: dict, prefix: str) -> dict | None:
    """Return the date spec stored in ``<prefix>_*`` columns, or None."""
    if row[f"{prefix}_start"] is None:
        return None
    return {
        "start": row[f"{prefix}_start"],
        "end": row[f"{prefix}_end"],
        "precision": row[f"{prefix}_precision"],
        "qualifier": row[f"{prefix}_qualifier"],
        "phrase": row[f"{prefix}_phrase"],
        "first_day": row[f"{prefix}_first_day"],
        "last_day": row[f"{prefix}_last_day"],
        "resolved_from": row[f"{prefix}_resolved_from"],
        "resolution": row[f"{prefix}_resolution"],
    }


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
