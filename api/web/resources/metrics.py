"""Metrics: the vocabulary of figures."""

from api.web.db import get_db
from api.web.queries import metrics as queries
from api.web.resources import lists
from api.web.resources.common import Blueprint, json_response, list_response, or_404
from schemas.resources import MetricListSchema, MetricQueryArgs, MetricSchema

blp = Blueprint("metrics", __name__, url_prefix="/api/v1", description="The controlled vocabulary of figures.")


@lists.register(blp, "/metrics", MetricQueryArgs, MetricListSchema)
def list_metrics(args):
    """List metrics with units, categories, parents and figure counts.

    Troop metrics: `?category=troops`.
    """
    return list_response(queries.METRICS, args)


@blp.get("/metrics/<metric_id>")
@blp.response(200, MetricSchema)
@blp.errors(404, 503)
def get_metric(metric_id):
    """Get one metric.

    Its unit, category, parent and how many figures report it.
    """
    return json_response(or_404(queries.get_metric(get_db(), metric_id), "metric", metric_id))
