"""Events: what happened or is expected, with each source's own account."""

from api.web.db import get_db
from api.web.queries import events as queries
from api.web.resources import lists
from api.web.resources.common import Blueprint, json_response, list_response, or_404
from schemas.resources import EventExportArgs, EventListSchema, EventQueryArgs, EventSchema

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="Events with one citation per reporting source.")


@lists.register(
    blp,
    "/events",
    EventQueryArgs,
    EventListSchema,
    exports=lists.Exports(EventExportArgs, queries.EVENTS.export.columns, "events"),
)
def list_events(args, fmt="json"):
    """List events, filtered by type, entity, source, status and date window.

    Events in June 2025: `?date_from=2025-06&date_to=2025-06`.
    """
    return list_response(queries.EVENTS, args, name="events", fmt=fmt)


@blp.get("/events/<event_id>")
@blp.response(200, EventSchema)
@blp.errors(404, 503)
def get_event(event_id):
    """Get one event with every source's citation, date and attribution.

    Where sources give different dates or attributions, each citation keeps its own.
    """
    return json_response(or_404(queries.get_event(get_db(), event_id), "event", event_id))
