"""Statements without numbers, and what the curation deliberately did not count."""

from api.web.db import get_db
from api.web.queries import statements as queries
from api.web.resources import lists
from api.web.resources.common import Blueprint, canonical_id, json_response, list_response, or_404
from schemas.statements import (
    ExclusionListSchema,
    ExclusionQueryArgs,
    StatementListSchema,
    StatementQueryArgs,
    StatementSchema,
)

blp = Blueprint(
    "statements",
    __name__,
    url_prefix="/api/v1",
    description="Attributed statements that carry no number, and the exclusions: what was deliberately not counted.",
)


@lists.register(blp, "/statements", StatementQueryArgs, StatementListSchema)
def list_statements(args):
    """List statements, filtered by source, speaker and what they are about.

    Each with its speaker, the cue verb as written, the quote and its span.
    """
    return list_response(queries.STATEMENTS, args)


@blp.get("/statements/<statement_id>")
@blp.response(200, StatementSchema)
@blp.errors(404, 503)
def get_statement(statement_id):
    """Get one statement: speaker, cue verb as written, quote and span.

    With the entities it is about and the source that reports it.
    """
    return json_response(or_404(queries.get_statement(get_db(), statement_id), "statement", statement_id))


@lists.register(
    blp, "/entities/<entity_id>/statements", StatementQueryArgs, StatementListSchema, errors=(400, 404, 422, 503)
)
def list_entity_statements(args, entity_id):
    """List the statements an entity makes or that are about it.

    The same filters as `/statements`.
    """
    found = canonical_id("entity", entity_id)
    return list_response(queries.STATEMENTS, args, {"entity": [found]})


@lists.register(
    blp, "/sources/<source_id>/statements", StatementQueryArgs, StatementListSchema, errors=(400, 404, 422, 503)
)
def list_source_statements(args, source_id):
    """List the statements one source reports.

    The same filters as `/statements`.
    """
    found = canonical_id("source", source_id)
    return list_response(queries.STATEMENTS, args, {"source": [found]})


@lists.register(blp, "/exclusions", ExclusionQueryArgs, ExclusionListSchema)
def list_exclusions(args):
    """List the numbers, dates and attribution cues deliberately not counted, with the reason for each.

    Each with its quote and span, so that what the curation left out can be checked too.
    """
    return list_response(queries.EXCLUSIONS, args)
