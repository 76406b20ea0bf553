"""Sources: the reporting articles, with what they cite and their stance."""

from api.web.db import get_db
from api.web.queries import events, figures
from api.web.queries import sources as queries
from api.web.resources import lists
from api.web.resources.common import Blueprint, canonical_id, json_response, list_response
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
SOURCE_LIST_ERRORS = (400, 404, 422, 503)


@lists.register(blp, "/sources", SourceQueryArgs, SourceListSchema)
def list_sources(args):
    """List sources with their stance, citations and counts of figures and events.

    Ordered by id.
    """
    return list_response(queries.SOURCES, args)


@blp.get("/sources/<source_id>")
@blp.response(200, SourceSchema)
@blp.errors(404, 503)
def get_source(source_id):
    """Get one source: its document, publication date, stance and what it cites.

    The archived document's file name, stem or number (`/sources/001`) answers as the source's id.
    """
    return json_response(queries.get_source(get_db(), canonical_id("source", source_id)))


@lists.register(
    blp,
    "/sources/<source_id>/figures",
    FigureQueryArgs,
    FigureListSchema,
    exports=lists.Exports(FigureExportArgs, figures.FIGURES.export.columns, "the figures one source reports"),
    errors=SOURCE_LIST_ERRORS,
)
def list_source_figures(args, source_id, fmt="json"):
    """List the figures one source reports (same filters as /figures).

    The same as `/figures?source=<source_id>`.
    """
    found = canonical_id("source", source_id)
    return list_response(figures.FIGURES, args, {"source": [found]}, name=f"{found}-figures", fmt=fmt)


@lists.register(
    blp,
    "/sources/<source_id>/events",
    EventQueryArgs,
    EventListSchema,
    exports=lists.Exports(EventExportArgs, events.EVENTS.export.columns, "the events one source reports"),
    errors=SOURCE_LIST_ERRORS,
)
def list_source_events(args, source_id, fmt="json"):
    """List the events one source reports (same filters as /events).

    The same as `/events?source=<source_id>`.
    """
    found = canonical_id("source", source_id)
    return list_response(events.EVENTS, args, {"source": [found]}, name=f"{found}-events", fmt=fmt)
