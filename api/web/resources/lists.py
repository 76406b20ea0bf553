"""Lists: one call registers a list operation, its exports and their documentation.

A list answers JSON pages only (``application/json``, with ``Link: rel="next"``). A list that
exports has an operation of its own for each export format, at ``<rule>.csv`` and
``<rule>.ndjson``, taking the list's filters and sort without paging. ``format=`` or an Accept
header that takes CSV or NDJSON but not JSON, sent to the list itself, gets a problem document
naming the export URL (422 and 406), so that a client reading the document never gets a body
of a type the operation does not declare.

Register a list with :func:`register` on the resource's blueprint::

    @lists.register(blp, "/figures", FigureQueryArgs, FigureListSchema,
                    exports=lists.Exports(FigureExportArgs, FIGURES.export.columns, "figures"))
    def list_figures(args, fmt="json"):
        \"\"\"List figures, filtered, sorted and paged.\"\"\"
        return list_response(FIGURES, args, fmt=fmt, name="figures")

The view gets the parsed query (and the path's parameters); with ``exports`` it also gets
``fmt`` (json, csv or ndjson). Its docstring is the list's summary and description.
"""

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import request

from api.web.errors import error_response
from api.web.resources.common import canonical_id, list_response, page_response

EXPORT_TYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}
FORMAT_NAMES = {"csv": "CSV (a header row, then one row per record)", "ndjson": "NDJSON (one JSON object per line)"}
LINK_HEADER = {"$ref": "#/components/headers/Link"}


@dataclass(frozen=True)
class Exports:
    """What a list exports: the export's query schema, its columns, and what it holds (for the summary)."""

    args: type  # the list's filters and sort, without page_size, cursor and total
    columns: tuple
    what: str  # "figures", "the figures about an entity": "Export <what> as CSV"
    errors: tuple = ()  # statuses besides the list's own (none: the same as the list's)


def register(blp, rule: str, args, schema, *, exports: Exports | None = None, errors=(400, 422, 503)):
    """Register ``rule`` on ``blp`` as a JSON list of ``schema`` pages, and its exports; a decorator."""

    def decorator(view):
        summary = (view.__doc__ or "").strip()

        @functools.wraps(view)
        def page(args, **path):
            return view(args, **path)

        json_errors = tuple(sorted({*errors, *((406, 422) if exports else ())}))
        documented = blp.doc(responses={200: {"headers": {"Link": LINK_HEADER}}})(blp.errors(*json_errors)(page))
        documented = blp.response(200, schema, content_type="application/json")(documented)
        parsed = blp.query(args)(documented)
        if exports:
            parsed = _json_only(parsed)
        blp.route(rule, methods=["GET"])(parsed)
        if exports:
            for fmt in EXPORT_TYPES:
                _register_export(blp, rule, fmt, view, exports, exports.errors or errors, summary)
        return view

    return decorator


def _json_only(parsed):
    """Refuse ``format=`` and an Accept header without JSON, naming the export URL, before parsing."""

    @functools.wraps(parsed)
    def endpoint(*args, **kwargs):
        if "format" in request.args:
            asked = request.args["format"]
            fmt = asked if asked in EXPORT_TYPES else "csv"
            message = (
                f"Unknown query parameter: format. This list answers JSON only; its {fmt.upper()} export is "
                f"{export_url(fmt)}" + ("" if asked in EXPORT_TYPES else f" (NDJSON: {export_url('ndjson')})") + "."
            )
            return error_response(422, message, {"format": [message]})
        accept = request.accept_mimetypes
        if not accept.quality("application/json"):
            fmt = next((fmt for fmt, mimetype in EXPORT_TYPES.items() if accept.quality(mimetype)), None)
            if fmt:
                url = export_url(fmt)
                return error_response(406, f"This list answers JSON only; its {fmt.upper()} export is {url}.")
        return parsed(*args, **kwargs)

    return endpoint


def export_url(fmt: str) -> str:
    """The export URL in ``fmt`` of this list request (its filters and sort; no paging or format)."""
    params = [(k, v) for k, v in request.args.items(multi=True) if k not in ("format", "page_size", "cursor", "total")]
    return f"{request.path}.{fmt}" + (f"?{urlencode(params)}" if params else "")


def _register_export(blp, rule: str, fmt: str, view, exports: Exports, errors, list_summary: str):
    mimetype = EXPORT_TYPES[fmt]

    def endpoint(args, **path):
        return view(args, fmt=fmt, **path)

    # list_figures -> export_figures_csv: the operationId a generated client calls.
    endpoint.__name__ = f"export_{view.__name__.removeprefix('list_')}_{fmt}"
    endpoint.__doc__ = (
        f"Export {exports.what} as {FORMAT_NAMES[fmt]}.\n\n"
        f"Every match of the filters, in the order of `sort`, streamed (no pages): the same records as "
        f"`{rule}` gives page by page. Columns: {', '.join(f'`{c}`' for c in exports.columns)}."
    )
    doc = {
        "responses": {
            200: {
                "description": f"{FORMAT_NAMES[fmt]}.",
                # Text the way every generator reads a body it does not parse.
                "content": {mimetype: {"schema": {"type": "string"}}},
            }
        }
    }
    documented = blp.doc(**doc)(blp.errors(*errors)(endpoint))
    blp.route(f"{rule}.{fmt}", methods=["GET"])(blp.query(exports.args)(documented))


# What a new list needs, in one place: register it, answer it, resolve an alias in its path.
__all__ = ["EXPORT_TYPES", "Exports", "canonical_id", "export_url", "list_response", "page_response", "register"]
