"""Claims: the same claim across sources, with its corroboration."""

from api.web.db import get_db
from api.web.queries import claims as queries
from api.web.queries.listing import page
from api.web.resources import linked_data, lists
from api.web.resources.common import Blueprint, json_response, list_response, or_404
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
