"""Claims: the same claim across sources, with its corroboration."""

from api.web.db import get_db
from api.web.queries import claims as queries
from api.web.queries.listing import page
from api.web.resources import linked_data
from api.web.resources.common import EXPORT_CONTENT, Blueprint, json_response, list_response, or_404
from api.web.resources.exports import add_exports
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
