"""Each export at a URL of its own, with one content type: ``/api/v1/figures.csv``, ``….ndjson``.

``format=`` and the Accept header keep working on the lists themselves; these URLs are for
clients that go by the document (a generated client reads a response by its one content type).
"""

EXPORT_TYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}
FORMAT_NAMES = {"csv": "CSV (a header row, then one row per record)", "ndjson": "NDJSON (one JSON object per line)"}


def add_exports(blp, rule: str, args, view, what: str, columns, errors=(400, 422, 503)):
    """Register ``<rule>.csv`` and ``<rule>.ndjson`` on ``blp``, each answered by ``view(args, fmt, **path)``."""
    for fmt, mimetype in EXPORT_TYPES.items():

        def endpoint(args, _fmt=fmt, **path):
            return view(args, _fmt, **path)

        endpoint.__name__ = f"{view.__name__}_{fmt}"
        endpoint.__doc__ = (
            f"Export {what} as {FORMAT_NAMES[fmt]}.\n\n"
            f"Every match of the filters, in the order of `sort`, streamed (no pages). "
            f"The same as `{rule}?format={fmt}`. Columns: {', '.join(f'`{c}`' for c in columns)}."
        )
        doc = {
            "responses": {
                200: {
                    "description": f"{FORMAT_NAMES[fmt]}.",
                    "content": {mimetype: {"schema": {"type": "string"}}},
                }
            }
        }
        blp.route(f"{rule}.{fmt}", methods=["GET"])(blp.query(args)(blp.doc(**doc)(blp.errors(*errors)(endpoint))))
