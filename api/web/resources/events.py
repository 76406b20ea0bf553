"""Events: what happened or is expected, with each source's own account."""

from api.web.db import get_db
from api.web.queries import events as queries
from api.web.resources.common import (
    EXPORT_CONTENT,
    Blueprint,
    export_format,
    json_response,
    or_404,
    page_response,
    stream_export,
)
from api.web.resources.exports import add_exports
from schemas.resources import EventExportArgs, EventListSchema, EventQueryArgs, EventSchema

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="Events with one citation per reporting source.")


def respond_with_events(args, base_where=None, base_params=None, name="events"):
    fmt = export_format(args)
    if fmt != "json":
        rows = queries.iter_events(get_db(), args, base_where, base_params)
        return stream_export(fmt, rows, queries.FLAT_COLUMNS, queries.flatten_event, name)
    return page_response(*queries.list_events(get_db(), args, base_where, base_params), args)


@blp.get("/events")
@blp.query(EventQueryArgs)
@blp.response(200, EventListSchema)
@blp.doc(responses={200: {"content": EXPORT_CONTENT}})
@blp.errors(400, 422, 503)
def list_events(args):
    """List events, filtered by type, entity, source, status and date window."""
    return respond_with_events(args)


def export_events(args, fmt):
    return respond_with_events({**args, "format": fmt})


add_exports(blp, "/events", EventExportArgs, export_events, "events", queries.FLAT_COLUMNS)


@blp.get("/events/<event_id>")
@blp.response(200, EventSchema)
@blp.errors(404, 503)
def get_event(event_id):
    """Get one event with every source's citation, date and attribution."""
    return json_response(or_404(queries.get_event(get_db(), event_id), "event", event_id))
