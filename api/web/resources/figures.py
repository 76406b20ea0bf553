"""Figures: numeric claims as each source reports them."""

from flask import Response

from api.web.db import get_db
from api.web.queries import figures as queries
from api.web.resources import lists
from api.web.resources.common import Blueprint, json_response, list_response, or_404
from schemas.figures import (
    FigureExportArgs,
    FigureFacetArgs,
    FigureFacetSchema,
    FigureListSchema,
    FigureQueryArgs,
    FigureSchema,
)

blp = Blueprint("figures", __name__, url_prefix="/api/v1", description="Numeric claims, one per source per statement.")


@lists.register(
    blp,
    "/figures",
    FigureQueryArgs,
    FigureListSchema,
    exports=lists.Exports(FigureExportArgs, queries.FIGURES.export.columns, "figures"),
)
def list_figures(args, fmt="json"):
    """List figures, filtered, sorted and paged (CSV and NDJSON: /figures.csv, /figures.ndjson).

    All troop estimates by source and date: `?category=troops&sort=source,period`.
    """
    return list_response(queries.FIGURES, args, name="figures", fmt=fmt)


@blp.get("/figures/facets")
@blp.query(FigureFacetArgs)
@blp.response(200, FigureFacetSchema)
@blp.errors(400, 422, 503)
def facet_figures(args):
    """Count the figures matching the filters by metric, category, subject, claimant, source, hedge or claim.

    Every troop figure about North Korea, by metric: `?facet=metric&category=troops&subject=north-korea`.
    """
    return json_response(queries.facet_figures(get_db(), args))


@blp.get("/figures/<figure_id>")
@blp.response(200, FigureSchema)
@blp.errors(404, 503)
def get_figure(figure_id):
    """Get one figure with its source, claimant, quote and period.

    The value as written and as bounds (`low`, `high`, `hedge`), with its character span in the archived text.
    """
    doc = or_404(queries.get_figure(get_db(), figure_id), "figure", figure_id)
    return Response(doc, mimetype="application/json")
