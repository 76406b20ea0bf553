"""One blueprint per resource, registered on a flask-smorest Api."""

from flask import Flask
from flask_smorest import Api

from api.web.spec import SharedRulesPlugin
from schemas.common import ErrorSchema

API_DESCRIPTION = """
Structured, sourced claims extracted from news reporting: entities, events and
figures curated from archived articles, each traceable to its exact words
(a verbatim quote and its character span in the archived text).

**Start here:** all troop estimates by source and date are
[`GET /api/v1/figures?category=troops&sort=source,period`](/api/v1/figures?category=troops&sort=source,period)
(CSV: [`/api/v1/figures.csv?category=troops&sort=source,period`](/api/v1/figures.csv?category=troops&sort=source,period)).

**Where sources differ:** [`GET /api/v1/discrepancies`](/api/v1/discrepancies); what
happened when: [`GET /api/v1/timeline`](/api/v1/timeline); every source's estimate of
the additional North Korean troops as a chart:
[`/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea`](/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea).

Lists are paged with a cursor (`next_cursor`, and a `Link: rel="next"` header);
`total=true` adds the count. A list answers JSON; its CSV and NDJSON exports have URLs
of their own (`/api/v1/figures.csv`, `/api/v1/figures.ndjson`). An alias in a path
(`/api/v1/entities/DPRK`, `/api/v1/sources/001`) answers as the canonical id does, with
`Content-Location` naming the canonical URL. Every error is an RFC 9457 problem document
(`application/problem+json`) with `type`, `title`, `status`, `detail` and, as an
extension member, `errors`: the messages of each parameter at fault. Unknown query
parameters are errors.
Responses carry an `ETag` (304 on `If-None-Match`).
"""


class ClaimbaseApi(Api):
    ERROR_SCHEMA = ErrorSchema
    # No catch-all "default" response: api.web.spec lists every status the server sends.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        """Errors are handled by api.web.errors (one JSON shape for all)."""


def register(app: Flask) -> Api:
    from api.web.resources import (
        analysis,
        claims,
        docs,
        entities,
        events,
        figures,
        health,
        metrics,
        releases,
        sources,
        statements,
    )

    api = ClaimbaseApi(
        app,
        spec_kwargs={
            "info": {"description": API_DESCRIPTION.strip()},
            "servers": [{"url": "/", "description": "This server"}],
            # A public, read-only API: no operation asks for credentials.
            "security": [],
            "extra_plugins": [SharedRulesPlugin()],
        },
    )
    # The document's tags (and Swagger UI's sections) in this order: what people ask first.
    for module in (figures, claims, events, sources, entities, metrics, statements, analysis, releases):
        api.register_blueprint(module.blp)
    api.register_blueprint(releases.feed)
    api.register_blueprint(health.blp)
    # flask-smorest's own pagination schema: this API pages with cursors (PageSchema), never with it.
    api.spec.components.schemas.pop("PaginationMetadata", None)
    app.register_blueprint(docs.bp)
    return api
