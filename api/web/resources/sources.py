"""Sources: the reporting articles, with what they cite and their stance."""

from api.web.db import get_db
from api.web.queries import events, figures
from api.web.queries import sources as queries
from api.web.resources.common import EXPORT_CONTENT, Blueprint, json_response, list_response, or_404
from api.web.resources.exports import add_exports
from schemas.figures import FigureExportArgs, FigureListSchema, FigureQueryArgs
from schemas.resources import (
    EventExportArgs,
    EventListSchema,
    EventQueryArgs,
    SourceListSchema,
    SourceQueryArgs,
    SourceSchema,
)

blp = Blueprint("sources", __name__, url_prefix="/api/v1", description="The reporting articles.")


@blp.get("/sources")
@blp.query(SourceQueryArgs)
@blp.response(200, SourceListSchema)
@blp.errors(400, 422, 503)
def list_sources(args):
    """List sources with their stance, citations and counts of figures and events."""
    return list_response(queries.SOURCES, args)


@blp.get("/sources/<source_id>")
@blp.response(200, SourceSchema)
@blp.errors(404, 503)
def get_source(source_id):
    """Get one source: its document, publication date, stance and what it cites."""
    return json_response(or_404(queries.get_source(get_db(), source_id), "source", source_id))


@blp.get("/sources/<source_id>/figures")
@blp.query(FigureQueryArgs)
@blp.response(200, FigureListSchema)
@blp.doc(responses={200: {"content": EXPORT_CONTENT}})
@blp.errors(400, 404, 422, 503)
def list_source_figures(args, source_id):
    """List the figures one source reports (same filters as /figures)."""
    or_404(queries.source_exists(get_db(), source_id) or None, "source", source_id)
    return list_response(figures.FIGURES, args, {"source": [source_id]}, name=f"{source_id}-figures")


@blp.get("/sources/<source_id>/events")
@blp.query(EventQueryArgs)
@blp.response(200, EventListSchema)
@blp.doc(responses={200: {"content": EXPORT_CONTENT}})
@blp.errors(400, 404, 422, 503)
def list_source_events(args, source_id):
    """List the events one source reports (same filters as /events)."""
    or_404(queries.source_exists(get_db(), source_id) or None, "source", source_id)
    return list_response(events.EVENTS, args, {"source": [source_id]}, name=f"{source_id}-events")


def export_source_figures(args, fmt, source_id):
    or_404(queries.source_exists(get_db(), source_id) or None, "source", source_id)
    args = {**args, "format": fmt}
    return list_response(figures.FIGURES, args, {"source": [source_id]}, name=f"{source_id}-figures")


def export_source_events(args, fmt, source_id):
    or_404(queries.source_exists(get_db(), source_id) or None, "source", source_id)
    args = {**args, "format": fmt}
    return list_response(events.EVENTS, args, {"source": [source_id]}, name=f"{source_id}-events")


# The same lists as exports at their own URLs (…/figures.csv, …/figures.ndjson).
add_exports(
    blp,
    "/sources/<source_id>/figures",
    FigureExportArgs,
    export_source_figures,
    "the figures one source reports",
    figures.FIGURES.export.columns,
    (400, 404, 422, 503),
)
add_exports(
    blp,
    "/sources/<source_id>/events",
    EventExportArgs,
    export_source_events,
    "the events one source reports",
    events.EVENTS.export.columns,
    (400, 404, 422, 503),
)
