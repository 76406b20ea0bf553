"""Events: what happened or is expected, with each source's own account."""

from api.web.db import get_db
from api.web.queries import events as queries
from api.web.resources.common import EXPORT_CONTENT, Blueprint, json_response, list_response, or_404
from api.web.resources.exports import add_exports
from schemas.resources import EventExportArgs, EventListSchema, EventQueryArgs, EventSchema

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="Events with one citation per reporting source.")


@blp.get("/events")
@blp.query(EventQueryArgs)
@blp.response(200, EventListSchema)
@blp.doc(responses={200: {"content": EXPORT_CONTENT}})
@blp.errors(400, 422, 503)
def list_events(args):
    """List events, filtered by type, entity, source, status and date window."""
    return list_response(queries.EVENTS, args, name="events")


def export_events(args, fmt):
    return list_response(queries.EVENTS, {**args, "format": fmt}, name="events")


add_exports(blp, "/events", EventExportArgs, export_events, "events", queries.EVENTS.export.columns)


@blp.get("/events/<event_id>")
@blp.response(200, EventSchema)
@blp.errors(404, 503)
def get_event(event_id):
    """Get one event with every source's citation, date and attribution."""
    return json_response(or_404(queries.get_event(get_db(), event_id), "event", event_id))
