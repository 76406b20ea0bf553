"""Claims: the same claim across sources, with its corroboration."""

from api.web.db import get_db
from api.web.queries import claims as queries
from api.web.queries import history
from api.web.queries.listing import page
from api.web.resources import linked_data
from api.web.resources.common import EXPORT_CONTENT, Blueprint, json_response, list_response, or_404
from api.web.resources.exports import add_exports
from schemas.analysis import HistoryExportArgs, HistoryListSchema, HistoryQueryArgs
from schemas.resources import ClaimExportArgs, ClaimListSchema, ClaimQueryArgs, ClaimSchema

blp = Blueprint(
    "claims",
    __name__,
    url_prefix="/api/v1",
    description="Claim keys: every figure reporting one claim, with spread and corroboration.",
)


def respond_with_claims(args, scope=None, name="claims"):
    """Answer a claim list as JSON-LD when asked for, else as any list."""
    if linked_data.wanted(args):
        return linked_data.claims_response(page(get_db(), queries.CLAIMS, args, scope))
    return list_response(queries.CLAIMS, args, scope, name)


@blp.get("/claims")
@blp.query(ClaimQueryArgs)
@blp.response(200, ClaimListSchema)
@blp.doc(responses={200: {"content": EXPORT_CONTENT}})
@blp.errors(400, 422, 503)
def list_claims(args):
    """List claims with their figures, source and origin counts and spread.

    Claims that rest on a single independent origin: `?max_origins=1`.
    """
    return respond_with_claims(args)


def export_claims(args, fmt):
    return respond_with_claims({**args, "format": fmt})


add_exports(blp, "/claims", ClaimExportArgs, export_claims, "claims", queries.CLAIMS.export.columns)


@blp.get("/claims/<claim_id>")
@blp.response(200, ClaimSchema)
@blp.errors(404, 503)
def get_claim(claim_id):
    """Get one claim with every figure that reports it."""
    claim = or_404(queries.get_claim(get_db(), claim_id), "claim", claim_id)
    return linked_data.claim_response(claim) if linked_data.wanted() else json_response(claim)


def respond_with_history(args, claim_id):
    db = get_db()
    or_404(history.claim_exists(db, claim_id) or None, "claim", claim_id)
    return list_response(history.HISTORY, {**args, "claim_id": claim_id}, name=f"{claim_id}-history")


@blp.get("/claims/<claim_id>/history")
@blp.query(HistoryQueryArgs)
@blp.response(200, HistoryListSchema)
@blp.doc(responses={200: {"content": EXPORT_CONTENT}})
@blp.errors(400, 404, 422, 503)
def get_claim_history(args, claim_id):
    """List every report of a claim, and of the claims linked to it as answers to one question, as they became known.

    A claim is linked to the claims its `same_quantity_as` names and to those naming it, and onwards. Each report
    is one figure with its own measure (metric), value and hedge, claimant and source, and the date it became
    known (`known_from`: the stated publication date, else the assumed reference date, marked `assumed`); reports
    with neither come last. Each says how it relates to the report before it (`relation`, the rule of
    `/discrepancies`) and how the value moved (`change`). With `known_at`, only the reports known by then (and
    with `known_at_basis=assumed`, those of undated sources from their assumed reference date).
    """
    return respond_with_history(args, claim_id)


def export_claim_history(args, fmt, claim_id):
    return respond_with_history({**args, "format": fmt}, claim_id)


add_exports(
    blp,
    "/claims/<claim_id>/history",
    HistoryExportArgs,
    export_claim_history,
    "a claim's history",
    history.HISTORY.export.columns,
    (400, 404, 422, 503),
)
