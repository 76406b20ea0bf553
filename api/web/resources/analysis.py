"""Cross-source analysis: discrepancies, timeline, search, metric summaries and charts."""

from flask import Response

from api.web import chart
from api.web.db import get_db
from api.web.queries import discrepancies, metric_summary, search, timeline
from api.web.queries.listing import counts_assumed
from api.web.resources import lists
from api.web.resources.common import Blueprint, json_response, list_response, or_404, page_response
from schemas.analysis import (
    DiscrepancyListSchema,
    DiscrepancyQueryArgs,
    MetricChartQueryArgs,
    MetricSummaryQueryArgs,
    MetricSummarySchema,
    SearchQueryArgs,
    SearchResultListSchema,
    TimelineQueryArgs,
    TimelineSchema,
)

blp = Blueprint(
    "analysis",
    __name__,
    url_prefix="/api/v1",
    description="Computed across sources: where they differ, what happened when, search, summaries and charts.",
)


@lists.register(blp, "/discrepancies", DiscrepancyQueryArgs, DiscrepancyListSchema)
def list_discrepancies(args):
    """List every place where sources differ, computed from figures and event citations.

    Kinds: `value` (a claim's figures give different bounds), `hedge` (different hedges,
    including one source hedging and another stating flatly), `claimant` (credited to
    different entities, or attributed by one source and not another), `event_date`
    (citations of an event give different dates or precisions) and `event_attribution`
    (different attribution or actors). Figures or citations that agree share a variant.
    A discrepancy needs two variants from at least two sources (a source that disagrees
    only with itself is not one). Event citations that give no date are left out of
    `event_date`, and those naming neither an attribution nor an actor out of
    `event_attribution`. With `known_at`, only sources published on or before it count
    (undated sources are left out; with `known_at_basis=assumed` they count from their
    assumed reference date and each discrepancy says when it counts as known).
    Ordered by id (`<kind>:<record id>`).
    """
    return page_response(*discrepancies.list_discrepancies(get_db(), args), args)


@blp.get("/timeline")
@blp.query(TimelineQueryArgs)
@blp.response(200, TimelineSchema)
@blp.errors(422, 503)
def get_timeline(args):
    """List events and dated figures in one chronological stream.

    Ordered by first day, last day, kind and id. An event's date is the narrowest date any
    (visible) citation gives; a figure's is its period (figures without one are left out).
    Events no source dates are listed apart in `undated`. Example: June 2025,
    `?date_from=2025-06&date_to=2025-06`.
    """
    return json_response(timeline.timeline(get_db(), args))


@lists.register(blp, "/search", SearchQueryArgs, SearchResultListSchema)
def search_records(args):
    """Search figures, entities (names and aliases), events, sources and claims.

    Results are ranked by bm25 relevance, one per record, each with a highlighted snippet
    and a link; a match in a source's words about an event links to the event.
    """
    return list_response(search.SEARCH, args)


def _metric_and_subject(db, metric_id, args, linked=False):
    metric = or_404(metric_summary.get_metric_ref(db, metric_id), "metric", metric_id)
    subject = None
    if args["subject"]:
        subject = or_404(metric_summary.get_entity_ref(db, args["subject"]), "entity", args["subject"])
    figures = metric_summary.metric_figures(
        db, metric_id, args["subject"], args.get("known_at"), counts_assumed(args), linked=linked
    )
    return metric, subject, figures


@blp.get("/metrics/<metric_id>/summary")
@blp.query(MetricSummaryQueryArgs)
@blp.response(200, MetricSummarySchema)
@blp.errors(404, 422, 503)
def summarise_metric(args, metric_id):
    """Summarise a metric: each claimant's most recent figure, the overall range and counts.

    The claimant is the entity credited or, where none is named, the wording. Most recent
    means the latest source publication date; undated sources come last.
    """
    db = get_db()
    metric, subject, figures = _metric_and_subject(db, metric_id, args)
    return json_response(metric_summary.metric_summary(metric, subject, figures))


SVG_CONTENT = {"image/svg+xml": {"schema": {"type": "string", "format": "binary"}}}


@blp.get("/metrics/<metric_id>/chart.svg")
@blp.query(MetricChartQueryArgs)
@blp.doc(responses={200: {"description": "An SVG chart.", "content": SVG_CONTENT}})
@blp.errors(404, 422, 503)
def metric_chart(args, metric_id):
    """Draw every source's figure for a metric as an SVG chart, grouped by claimant.

    A point is an exact (filled) or approximate (open) value, a bar a range; a dashed arrow
    to the axis edge marks an open end ("up to", "at least"); a grey band a vague figure.
    Hover a mark for its source, value and quote. A line above the plot gives the interval
    holding every figure (open ends stay open). With `axis=known`, every estimate of the
    metric and of the claims linked to its claims as answers to one question is drawn
    against the date it became known (its source's publication date, else the assumed
    reference date, marked) with its value upright, one shape per measure and one colour
    per claimant. Each mark is a `g.mark` with `data-figure-id`, `data-low` and `data-high`.
    """
    db = get_db()
    known = args["axis"] == "known"
    metric, subject, figures = _metric_and_subject(db, metric_id, args, linked=known)
    render = chart.render_known_chart if known else chart.render_chart
    return Response(render(metric, subject, figures), mimetype="image/svg+xml")
