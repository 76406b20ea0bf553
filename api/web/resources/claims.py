"""Claims: the same claim across sources, with its corroboration."""

from api.web.db import get_db
from api.web.queries import claims as queries
from api.web.queries import history
from api.web.queries.listing import page
from api.web.resources import linked_data, lists
from api.web.resources.common import Blueprint, json_response, list_response, or_404
from schemas.analysis import HistoryExportArgs, HistoryListSchema, HistoryQueryArgs
from schemas.resources import ClaimExportArgs, ClaimListSchema, ClaimQueryArgs, ClaimSchema

blp = Blueprint(
    "claims",
    __name__,
    url_prefix="/api/v1",
    description="Claim keys: every figure reporting one claim, with spread and corroboration.",
)


def respond_with_claims(args, scope=None, name="claims", fmt="json"):
    """Answer a claim list as JSON-LD when asked for, else as any list."""
    if fmt == "json" and linked_data.wanted(args):
        return linked_data.claims_response(page(get_db(), queries.CLAIMS, args, scope))
    return list_response(queries.CLAIMS, args, scope, name, fmt=fmt)


@lists.register(
    blp,
    "/claims",
    ClaimQueryArgs,
    ClaimListSchema,
    exports=lists.Exports(ClaimExportArgs, queries.CLAIMS.export.columns, "claims"),
)
def list_claims(args, fmt="json"):
    """List claims with their figures, source and origin counts and spread.

    Claims that rest on a single independent origin: `?max_origins=1`.
    """
    return respond_with_claims(args, fmt=fmt)


@blp.get("/claims/<claim_id>")
@blp.response(200, ClaimSchema)
@blp.errors(404, 503)
def get_claim(claim_id):
    """Get one claim with every figure that reports it.

    With its spread across sources, corroboration (sources and independent origins) and assessments;
    `Accept: application/ld+json` gives it as a schema.org `Claim`.
    """
    claim = or_404(queries.get_claim(get_db(), claim_id), "claim", claim_id)
    return linked_data.claim_response(claim) if linked_data.wanted() else json_response(claim)


@lists.register(
    blp,
    "/claims/<claim_id>/history",
    HistoryQueryArgs,
    HistoryListSchema,
    exports=lists.Exports(HistoryExportArgs, history.HISTORY.export.columns, "a claim's history"),
    errors=(400, 404, 422, 503),
)
def list_claim_history(args, claim_id, fmt="json"):
    """List every report of a claim, and of the claims linked to it as answers to one question, as they became known.

    A claim is linked to the claims its `same_quantity_as` names and to those naming it, and onwards. Each report
    is one figure with its own measure (metric), value and hedge, claimant and source, and the date it became
    known (`known_from`: the stated publication date, else the assumed reference date, marked `assumed`); reports
    with neither come last. Each says how it relates to the report before it (`relation`, the rule of
    `/discrepancies`) and how the value moved (`change`). With `known_at`, only the reports known by then (and
    with `known_at_basis=assumed`, those of undated sources from their assumed reference date).
    """
    or_404(history.claim_exists(get_db(), claim_id) or None, "claim", claim_id)
    args = {**args, "claim_id": claim_id}
    return list_response(history.HISTORY, args, name=f"{claim_id}-history", fmt=fmt)
