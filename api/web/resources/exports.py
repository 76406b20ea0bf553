"""The former way to add a list's exports: ``add_exports`` beside a view of its own.

A list is now registered with its exports in one call, ``api.web.resources.lists.register``,
which also makes the list answer JSON only and documents its ``Link`` header. A list still
registered with ``@blp.get`` and ``add_exports`` works, but fails tests/test_contract.py (no
``Link``, CSV offered on the JSON list) until it is converted: see docs/api.md, "Adding a list".
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
