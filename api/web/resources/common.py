"""Helpers the resource blueprints share: blueprints, pages, exports."""

import csv
import functools
import io
import itertools
import math
from urllib.parse import urlencode

import orjson
from flask import Response, abort, current_app, g, request, stream_with_context
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import ValidationError
from marshmallow import fields as ma_fields
from webargs.flaskparser import FlaskParser

from api.web import db
from api.web.db import get_db
from api.web.queries import entities as entity_queries
from api.web.queries import names
from api.web.queries import releases as release_queries
from api.web.queries.listing import Listing, export, page
from api.web.queries.paging import BadQuery
from api.web.spec import PROBLEM_JSON, QUERY_STRING_ERRORS
from schemas.common import ID_FILTERS, VALUE_WINDOW, WINDOWS, ErrorSchema


class StrictParser(FlaskParser):
    """Take ``unknown`` from the schema (RAISE), so typos in parameters are errors."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}

    def load_querystring(self, req, schema):
        """Return the parameters given, as a plain dict (a list for a repeatable one).

        A single-valued parameter given more than once is refused (webargs would keep the first).
        The schema reads only what was given: webargs' proxy would look up each of its fields
        in werkzeug's MultiDict, which builds an exception for every absent one.
        """
        single, multiple = self._keys(schema)
        repeated = {
            name: ["Given more than once: this parameter takes one value."]
            for name, key in single
            if key in req.args and len(req.args.getlist(key)) > 1
        }
        if repeated:
            raise ValidationError(repeated)
        return {key: req.args.getlist(key) if key in multiple else req.args[key] for key in req.args}

    @staticmethod
    @functools.cache
    def _keys(schema) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
        """(field name, parameter) of each single-valued field, and the repeatable parameters; once a schema."""
        single, multiple = [], set()
        for name, field in schema.fields.items():
            key = field.data_key or name
            if isinstance(field, (ma_fields.List, ma_fields.Tuple)):
                multiple.add(key)
            else:
                single.append((name, key))
        return tuple(single), frozenset(multiple)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = StrictParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.after_request(add_content_location)

    def query(self, schema):
        """Parse and document the query string with ``schema``.

        An instance, made once here: given a class, webargs would build a new
        schema (deep-copying every field) on every request.
        """
        instance = schema() if isinstance(schema, type) else schema
        parse = self.arguments(instance, location="query", as_kwargs=False)

        def decorator(func):
            @functools.wraps(func)
            def view(args, *rest, **kwargs):
                return func(resolve_arguments(args), *rest, **kwargs)

            return parse(view)

        return decorator

    def errors(self, *codes):
        """Document error responses (all RFC 9457 problem documents, ErrorSchema)."""

        def decorator(func):
            for code in codes:
                func = self.alt_response(
                    code, schema=ErrorSchema, description=ERROR_TEXT[code], content_type=PROBLEM_JSON
                )(func)
            return func

        return decorator


ERROR_TEXT = {
    304: "Not modified (the ETag matched).",
    400: QUERY_STRING_ERRORS["400"],
    404: "No record with that id.",
    406: "The Accept header takes CSV or NDJSON and not JSON: a list answers JSON only. The problem "
    "document names the export URL that answers the same query in that format (`….csv`, `….ndjson`).",
    422: QUERY_STRING_ERRORS["422"],
    503: "The database is unavailable or the query ran past its time limit.",
}


def resolve_names(name: str, kind: str, values: list[str]) -> list[str]:
    """The ids ``values`` of parameter ``name`` name, in order; BadQuery (422) for one that names nothing."""
    conn, ids = get_db(), []
    for value in values:
        found = names.KINDS[kind](conn, value)
        if not found:
            close = names.suggest(conn, kind, value)
            hint = f" Closest known ids: {', '.join(close)}." if close else ""
            raise BadQuery(f"{name}: no {kind} is named {value!r}.{hint}", name, status=422)
        ids += found
    return list(dict.fromkeys(ids))


def resolve_arguments(args: dict) -> dict:
    """Turn every id filter's names into ids (api.web.queries.names), and make an inverted window empty.

    An inverted window (``date_from`` after ``date_to``, ``value_min`` above ``value_max``) matches
    nothing: its low end moves past every value and its high end before every value.
    """
    for name, kind in ID_FILTERS.items():
        value = args.get(name)
        if isinstance(value, list) and value:
            args[name] = resolve_names(name, kind, value)
        elif isinstance(value, str):
            found = resolve_names(name, kind, [value])
            if len(found) > 1:
                message = f"{name}: {value!r} names several records ({', '.join(found)}); give one id."
                raise BadQuery(message, name, status=422)
            args[name] = found[0]
    for low, high in WINDOWS:
        if args.get(low) and args.get(high) and args[low] > args[high]:
            args[low], args[high] = "9999-12-31", "0000-01-01"
    low, high = VALUE_WINDOW
    if args.get(low) is not None and args.get(high) is not None and args[low] > args[high]:
        args[low], args[high] = math.inf, -math.inf
    return args


def json_response(body, status=200, headers=None):
    response = Response(orjson.dumps(body), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def next_url(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    params.append(("cursor", cursor))
    return f"{request.path}?{urlencode(params)}"


def page_response(items: list, next_cursor, total, args):
    """Return a list page with its Link header; items may be JSON documents already serialised (str)."""
    nxt = next_url(next_cursor)
    headers = {"Link": f'<{nxt}>; rel="next"'} if nxt else {}
    rest = {"page_size": args["page_size"], "next_cursor": next_cursor, "next": nxt, "total": total}
    if not (items and isinstance(items[0], str)):
        return json_response({"items": items, **rest}, headers=headers)
    body = b'{"items":[' + ",".join(items).encode() + b"]," + orjson.dumps(rest)[1:]
    return Response(body, mimetype="application/json", headers=headers)


def list_response(listing: Listing, args, scope: dict | None = None, name: str = "list", fmt: str = "json"):
    """Answer a list as a JSON page or, with ``fmt`` csv or ndjson (its export URL), a streamed export."""
    if fmt == "json":
        return page_response(*page(get_db(), listing, args, scope), args)
    rows = export(get_db(), listing, args, scope, csv=fmt == "csv")
    spec = listing.export
    return stream_export(fmt, rows, spec.columns, spec.flatten, name, csv_text=fmt == "csv" and bool(spec.csv_select))


# How an alias in a path answers: as the canonical id does (200, the canonical record, whose `id` and
# `url` name it), with `Content-Location` naming the canonical URL. A client that does not follow
# redirects gets the record all the same, and one that keeps URLs can keep the canonical one.
ALIAS_TEXT = (
    "An alias (an entity's name or alias, a source's file name, stem or number) answers as the canonical id does, "
    "with `Content-Location` naming the canonical URL."
)


def canonical_id(kind: str, ident: str) -> str:
    """The canonical id ``ident`` names in the path (an id, an alias, or an id a release renamed); 404 for none.

    For an alias or a renamed id, the response gets ``Content-Location``: this URL with the canonical id.
    """
    conn = get_db()
    if kind == "entity":
        found = entity_queries.resolve_entity(conn, ident)[0]
    else:
        found = next(iter(names.KINDS[kind](conn, ident)), None)
    if found is None:
        found = release_queries.renamed_to(conn, kind, ident)
    or_404(found, kind, ident)
    _locate_at(found, ident)
    return found


def record_or_404(fetch, kind: str, ident: str):
    """The record ``fetch(db, id)`` returns for ``ident``, or for the id a release renamed it to; 404 for none.

    A renamed id answers as an alias does: 200 with the record and ``Content-Location``.
    """
    conn = get_db()
    record = fetch(conn, ident)
    if record is None:
        renamed = release_queries.renamed_to(conn, kind, ident)
        record = fetch(conn, renamed) if renamed else None
        if record is not None:
            _locate_at(renamed, ident)
    return or_404(record, kind, ident)


def _locate_at(found: str, ident: str) -> None:
    if found != ident:
        segments = request.path.split("/")
        segments[4] = found  # /api/v1/<collection>/<ident>/…
        location = "/".join(segments)
        if request.query_string:
            location += "?" + request.query_string.decode("latin-1")
        g.content_location = location


def add_content_location(response):
    location = g.get("content_location")
    if location and response.status_code in (200, 304):
        response.headers["Content-Location"] = location
    return response


def or_404(item, kind: str, ident: str):
    if item is None:
        abort(404, description=f"No {kind} with id {ident!r}.")
    return item


EXPORT_CHUNK_ROWS = 500  # rows per chunk of a streamed export (each under the time limit)


def stream_export(fmt: str, rows, columns, flatten, name: str, csv_text: bool = False):
    # ``flatten`` turns a row into a dict of ``columns``; None when rows are flat tuples already.
    # With ``csv_text``, ``rows`` yields CSV text already (lines of a chunk of rows, no header).
    """Stream every row as CSV or NDJSON without building the whole result.

    The first row is read before the response starts: a query that fails (full-text
    syntax, the time limit) gets its JSON error instead of a 200 cut short. The rest
    streams after the view has returned, each chunk of rows under a time limit of its
    own: the limit bounds the work of producing a chunk, not the time a client takes to
    read the whole export (a chunk stopped there ends the response early).
    """
    rows = iter(rows)
    head = list(itertools.islice(rows, 1))  # runs the query now, inside the view
    rows = itertools.chain(head, rows)

    if flatten is None:  # rows are tuples in ``columns`` order already

        def as_dict(row):
            return dict(zip(columns, row, strict=True))

        def as_list(row):
            return row
    else:

        def as_dict(row):
            return flatten(row)

        def as_list(row):
            flat = flatten(row)
            return [flat[c] for c in columns]

    def ndjson():
        db.extend_deadline()
        while chunk := list(itertools.islice(rows, EXPORT_CHUNK_ROWS)):
            yield b"".join(orjson.dumps(as_dict(row)) + b"\n" for row in chunk)
            db.extend_deadline()

    def csv_text_chunks():
        yield ",".join(columns) + "\n"
        db.extend_deadline()
        for text in rows:
            yield text
            db.extend_deadline()

    def csv_rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        db.extend_deadline()
        while chunk := list(itertools.islice(rows, EXPORT_CHUNK_ROWS)):
            writer.writerows(map(as_list, chunk))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            db.extend_deadline()
        if buffer.tell():
            yield buffer.getvalue()

    if fmt == "csv":
        body, mimetype = (csv_text_chunks() if csv_text else csv_rows()), "text/csv"
    else:
        body, mimetype = ndjson(), "application/x-ndjson"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    current_app.logger.debug("streaming %s export", fmt)
    return response
