"""The wire shape of records and of the nested references they embed.

Shared by the build (which stores each figure's served JSON document) and the
request-time queries (which shape the other records): one place for every
``{id, name, url}`` reference, and for the key names are matched by.  A leaf:
it imports nothing of ``api``, so both halves can use it.
"""

import unicodedata
from functools import cache

API_PREFIX = "/api/v1"


def alias_key(name: str) -> str:
    """Normalise a name for case- and punctuation-insensitive matching.

    ``Kim Jong-un`` and ``kim jong un`` share one key; so do the curly and
    straight apostrophes.
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = text.replace("’", "'").replace("‘", "'")
    text = "".join(ch if ch.isalnum() or ch == "'" else " " for ch in text)
    return " ".join(text.split())


def source_order(filename: str, source_id: str) -> str:
    """Return the key sources sort by: the document's file number (``001_….txt``), then file name and id.

    The number is the one ``/sources/001`` and ``source=001`` resolve. A file
    without one sorts after the numbered files, by name.
    """
    number, sep, _ = filename.partition("_")
    head = f"{int(number):012d}" if sep and number.isascii() and number.isdigit() else "~"
    return f"{head}:{filename}:{source_id}"


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


def claimant_ref(ident: str | None, name: str | None, attribution: str | None) -> dict | None:
    """Who a source credits: the entity, its wording, or both; None when it credits nobody."""
    if not ident and not attribution:
        return None
    return {"id": ident, "name": name, "attribution": attribution, "url": url("entities", ident)}


def source_stamp(ident: str, published: str | None) -> dict:
    """A source as computed answers cite it: id, link and publication day."""
    return {"id": ident, "url": url("sources", ident), "published": published}


def known_from(published: str | None, reference_date: str | None) -> dict | None:
    """When a record counts as known: its source's stated publication day, else its assumed reference date."""
    if published:
        return {"date": published, "assumed": False}
    if reference_date:
        return {"date": reference_date, "assumed": True}
    return None


def earliest_known(marks) -> dict | None:
    """The earliest of several ``known_from`` marks; a stated date wins a tie with an assumed one."""
    marks = [m for m in marks if m]
    return min(marks, key=lambda m: (m["date"], m["assumed"])) if marks else None


def published_ref(date: str | None, precision: str | None, first_day: str | None) -> dict | None:
    if date is None:
        return None
    return {"date": date, "precision": precision, "first_day": first_day}


def number(value: float | int | None) -> float | int | None:
    """Return an integral float as an int, so that JSON and CSV write 30000, not 30000.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def value_part(low, high, hedge: str, text: str, unit: str | None) -> dict:
    """A figure's value as served: its bounds, hedge, words and unit."""
    return {"low": number(low), "high": number(high), "hedge": hedge, "text": text, "unit": unit}


def quote(text: str, start: int, end: int) -> dict:
    return {"text": text, "start": start, "end": end}


def cited_quote(source_id: str, text: str, start: int, end: int, figure_id: str | None) -> dict:
    """A quote as computed answers cite it: with its source and (for a figure's words) the figure."""
    return {"source": source_id, "text": text, "start": start, "end": end, "figure": figure_id}


def metric_part(metric: dict) -> dict:
    """Return a metric as a figure embeds it."""
    return {
        "id": metric["id"],
        "label": metric["label"],
        "unit": metric["unit"],
        "category": metric["category"],
        "url": url("metrics", metric["id"]),
    }


def source_part(source: dict, prefix: str = "") -> dict:
    """Return a source as a figure or citation embeds it, from a ``sources`` row (columns named ``prefix*``)."""
    return {
        "id": source[prefix + "id"],
        "title": source[prefix + "title"],
        "outlet": source[prefix + "outlet_id"],
        "published": published_ref(
            source[prefix + "published_start"],
            source[prefix + "published_precision"],
            source[prefix + "published_first_day"],
        ),
        "stance": source[prefix + "stance"],
        "url": url("sources", source[prefix + "id"]),
    }


def event_part(event_id: str, title: str | None) -> dict:
    """Return an event as a figure embeds it."""
    return {"id": event_id, "title": title, "url": url("events", event_id)}


def figure_dict(
    f: dict,
    *,
    metric,
    unit: str,
    subject,
    source,
    period: dict | None,
    via,
    event,
    claimant_name: str | None,
    origin: str,
) -> dict:
    """Shape a validated figure record, with the objects it embeds, as the wire format.

    ``metric``, ``subject``, ``source``, ``via`` and ``event`` come from
    :func:`metric_part`, :func:`entity_ref`,
    :func:`source_part` and :func:`event_part` (the build passes them
    pre-serialised, once per source, metric or entity); ``period`` from
    :func:`date_spec`.  The build stores the result as
    ``figure_docs.doc`` (api.builder.rows.FigureRows), so that serving a figure is
    reading a string.
    """
    ident, claim, value, span = f["id"], f["claim"], f["value"], f["span"]
    claimant = f["claimant"]
    if claimant:
        claimant = claimant_ref(claimant["entity"], claimant_name, claimant["as_written"])
    return {
        "id": ident,
        "url": url("figures", ident),
        "claim": {"id": claim, "url": url("claims", claim)},
        "metric": metric,
        "subject": subject,
        "value": value_part(value["low"], value["high"], value["hedge"], value["text"], unit),
        "period": period,
        "claimant": claimant,
        "via": via,
        "source": source,
        "quote": quote(f["quote"], span[0], span[1]),
        "event": event,
        "origin": origin,
        "note": f["note"],
    }
