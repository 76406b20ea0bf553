"""Lists described once: a ``Listing`` names its select, filters, sort keys and count; ``page`` serves them all.

Every list endpoint is a ``Listing`` in its query module (``SOURCES``, ``FIGURES``…).
A filter is the query argument's name and a function turning its (validated) value
into one SQL condition and its parameters; a sort key is its name, the SQL expression
it orders by and the selected column holding its value (the cursor carries those
values). A view narrows a list to one record's with ``scope``, data in the same shape
as the arguments (``{"source": [source_id]}``), answered by the same filters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from api.web.queries.paging import (
    BadQuery,
    SortKey,
    after_clause,
    decode_cursor,
    encode_cursor,
    in_list,
    order_by,
    parse_sort,
)

Condition = tuple[str, list]
Filter = Callable[[object], Condition]


# ---- filter builders: argument value -> (SQL condition, parameters) ---------


def any_of(column: str) -> Filter:
    """``column`` is one of the given values (a repeated query parameter)."""
    return lambda values: in_list(column, values)


def compare(sql: str, convert: Callable = lambda v: v) -> Filter:
    """A condition with one ``?``, e.g. ``compare("x.n >= ?")``."""
    return lambda value: (sql, [convert(value)])


def any_in(template: str, column: str) -> Filter:
    """``template`` with ``{}`` replaced by ``column IN (?, …)``, for a subquery."""

    def build(values) -> Condition:
        cond, params = in_list(column, values)
        return template.format(cond), params

    return build


def joint(build: Callable[[object, dict], Condition | None]) -> Filter:
    """A filter that also reads the other arguments (scope included), e.g. two that must hold of one row.

    ``build(value, args)`` may return None when another filter's condition covers it.
    """
    build.joint = True
    return build


def iso(value) -> str:
    return value.isoformat()


# ---- what was known when ----------------------------------------------------

# A source with no stated publication date counts, with ``known_at_basis=assumed``,
# from the reference date the curation assumed for it (sources.reference_date).
KNOWN_BY_ASSUMED = "{} IN (SELECT id FROM sources WHERE coalesce(published_first_day, reference_date) <= ?)"


def counts_assumed(args: dict) -> bool:
    """True when sources without a stated publication date count from their assumed reference date."""
    return args.get("known_at_basis") == "assumed"


def known_by(published_column: str, source_column: str, assumed: bool) -> str:
    """SQL (one ``?``: the date) keeping rows whose source counts as known by then."""
    if assumed:
        return KNOWN_BY_ASSUMED.format(source_column)
    return f"{published_column} IS NOT NULL AND {published_column} <= ?"


def known_at_filter(published_column: str, source_column: str, template: str = "{}") -> Filter:
    """``known_at``: rows known by the date; with ``known_at_basis=assumed``, counting assumed reference dates too.

    ``template`` wraps the condition, e.g. in a subquery over an event's citations.
    """
    return joint(
        lambda value, args: (
            template.format(known_by(published_column, source_column, counts_assumed(args))),
            [iso(value)],
        )
    )


def known_source(source_column: str, assumed: bool) -> str:
    """SQL (one ``?``: the date) keeping rows of a table with no ``published`` column whose source is known by then."""
    if assumed:
        return KNOWN_BY_ASSUMED.format(source_column)
    return f"{source_column} IN (SELECT id FROM sources WHERE published_first_day <= ?)"


def and_known(cond: str, params: list, alias: str, args: dict) -> Condition:
    """``cond`` and, with ``known_at``, rows of ``alias`` (with ``published`` and ``source_id``) known by then."""
    if not active(args.get("known_at")):
        return cond, params
    return f"{cond} AND {known_by(f'{alias}.published', f'{alias}.source_id', counts_assumed(args))}", [
        *params,
        iso(args["known_at"]),
    ]


def any_known_in(template: str, column: str, alias: str) -> Filter:
    """``any_in`` over rows of ``alias`` (figures ``f``, citations ``c``) known by ``known_at`` when given.

    A claim or event matches a source or party only through what was known by then.
    """
    return joint(lambda values, args: _templated(template, *and_known(*in_list(column, values), alias, args)))


def _templated(template: str, cond: str, params: list) -> Condition:
    return template.format(cond), params


# ---- exports ----------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """How a list is exported as CSV/NDJSON: its column names and how rows become them.

    Either ``flatten`` turns each shaped item into a dict of ``columns``, or ``select``
    reads flat tuples in ``columns`` order straight from SQL (``csv_select`` CSV lines).
    """

    columns: tuple[str, ...]
    flatten: Callable[[dict], dict] | None = None
    select: str | None = None
    csv_select: str | None = None
    order: Callable[[list[SortKey]], str] | None = None
    batch: int = 200


# ---- the listing ------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """One list endpoint, described once.

    ``select`` is ``SELECT … FROM …`` without WHERE, where ``{keys}`` (if present) stands for the
    sort keys of the request (``column AS alias``: the values its cursor holds); ``count`` is ``SELECT count(*) AS n
    FROM …`` over the same rows. ``params`` gives parameters the select and the count
    take before the filters' (e.g. a date inside a subquery). ``sort`` maps a sort
    key's name to (SQL expression, selected alias). ``shape(db, rows, args)`` turns a
    page of rows into items. ``variant(args)`` may name a listing that answers these
    arguments better (e.g. one driven by a full-text index); exports use it only if it
    declares an ``export``. ``on_error`` re-raises a
    ``sqlite3.OperationalError`` (full-text syntax) as a ``BadQuery``.
    """

    select: str
    count: str
    sort: dict[str, tuple[str, str]]
    filters: dict[str, Filter] = field(default_factory=dict)
    shape: Callable[[object, list[dict], dict], list] = lambda db, rows, args: rows
    params: Callable[[dict], list] = lambda args: []
    default_sort: str = "id"
    cursor_tag: str | None = None
    variant: Callable[[dict], Listing | None] = lambda args: None
    on_error: Callable[[Exception], None] | None = None
    export: Export | None = None

    def but(self, **changes) -> Listing:
        return replace(self, **changes)


def active(value) -> bool:
    """A filter applies when its argument is given (0 and False count as given)."""
    return value is not None and value != [] and value != ""


def conditions(filters: dict[str, Filter], args: dict, scope: dict | None = None) -> Condition:
    """The WHERE conditions (joined by AND) and parameters for ``scope`` and then ``args``."""
    where, params = [], []
    given = {**args, **(scope or {})}
    for name, value in [*(scope or {}).items(), *((n, args.get(n)) for n in filters)]:
        if active(value):
            build = filters[name]
            found = build(value, given) if getattr(build, "joint", False) else build(value)
            if found is None:
                continue
            cond, extra = found
            where.append(cond)
            params.extend(extra)
    return " AND ".join(where), params


def sort_keys(listing: Listing, spec: str) -> list[SortKey]:
    """Turn ``"source,-period"`` into sort keys, always ending with the id."""
    return parse_sort(spec, {name: column for name, (column, _) in listing.sort.items()})


def select_of(listing: Listing, keys: list[SortKey]) -> str:
    """``listing.select`` with ``{keys}`` replaced by the selected sort keys."""
    if "{keys}" not in listing.select:
        return listing.select
    return listing.select.replace("{keys}", ", ".join(f"{k.column} AS {listing.sort[k.name][1]}" for k in keys))


def _resolve(listing: Listing, args: dict) -> Listing:
    return listing.variant(args) or listing


def _run(listing: Listing, func):
    try:
        return func()
    except sqlite3.OperationalError as exc:
        if listing.on_error is None:
            raise
        listing.on_error(exc)
        raise


def page(db, listing: Listing, args: dict, scope: dict | None = None) -> tuple[list, str | None, int | None]:
    """Return one page of ``listing`` (items, next cursor, total or None), after ``args["cursor"]``."""
    listing = _resolve(listing, args)
    spec = args.get("sort") or listing.default_sort
    tag = listing.cursor_tag or spec
    keys = sort_keys(listing, spec)
    where, params = conditions(listing.filters, args, scope)
    head = listing.params(args)

    def run():
        total = None
        if args.get("total"):
            sql = listing.count + (f" WHERE {where}" if where else "")
            total = db.execute(sql, [*head, *params]).fetchone()["n"]
        conds, values = ([where] if where else []), [*head, *params]
        if args.get("cursor"):
            clause, extra = after_clause(keys, decode_cursor(args["cursor"], tag, len(keys)))
            conds.append(clause)
            values.extend(extra)
        sql = select_of(listing, keys) + (" WHERE " + " AND ".join(conds) if conds else "")
        sql += f" ORDER BY {order_by(keys)} LIMIT ?"
        return total, db.execute(sql, [*values, args["page_size"] + 1]).fetchall()

    total, rows = _run(listing, run)
    next_cursor = None
    if len(rows) > args["page_size"]:
        rows = rows[: args["page_size"]]
        next_cursor = encode_cursor(tag, [rows[-1][listing.sort[k.name][1]] for k in keys])
    return listing.shape(db, rows, args), next_cursor, total


def export(db, listing: Listing, args: dict, scope: dict | None = None, csv: bool = False) -> Iterator:
    """Yield every matching row in order, for a CSV/NDJSON export; the whole result is never in memory.

    Rows are items shaped as in a page, flat tuples (``Export.select``) or, with
    ``csv``, chunks of CSV lines (``Export.csv_select``).
    """
    resolved = _resolve(listing, args)
    listing = resolved if resolved.export else listing
    spec = listing.export
    keys = sort_keys(listing, args.get("sort") or listing.default_sort)
    order = spec.order(keys) if spec.order else order_by(keys)
    where, params = conditions(listing.filters, args, scope)
    select = (spec.csv_select if csv else None) or spec.select
    flat = select is not None
    select = select or select_of(listing, keys)
    sql = select + (f" WHERE {where}" if where else "") + f" ORDER BY {order}"
    cur = _run(listing, lambda: db.execute(sql, [*listing.params(args), *params]))
    if flat:
        cur.row_factory = None
    while True:
        rows = _run(listing, lambda: cur.fetchmany(spec.batch))
        if not rows:
            return
        if csv and spec.csv_select:
            yield "".join([r[0] for r in rows])
        elif flat:
            yield from rows
        else:
            yield from listing.shape(db, rows, args)


def page_of(
    items: list[dict],
    args: dict,
    key: str = "id",
    order: Callable[[dict], list] | None = None,
    tag: str | None = None,
    width: int = 1,
) -> tuple[list, str | None, int | None]:
    """Page a list computed in Python, with cursors like SQL lists.

    Sorted by ``key``, or by ``order`` (an item's list of ``width`` values, named ``tag`` in the cursor).
    """
    order = order or (lambda item: [item[key]])
    tag = tag or key
    items = sorted(items, key=order)
    total = len(items) if args.get("total") else None
    if args.get("cursor"):
        after = list(decode_cursor(args["cursor"], tag, width))
        try:
            items = [item for item in items if order(item) > after]
        except TypeError:
            raise BadQuery("Invalid cursor.", "cursor") from None
    next_cursor = None
    if len(items) > args["page_size"]:
        items = items[: args["page_size"]]
        next_cursor = encode_cursor(tag, order(items[-1]))
    return items, next_cursor, total
