"""Statements without numbers, and what the curation deliberately did not count."""

from api.web.db import get_db
from api.web.queries import sources as source_queries
from api.web.queries import statements as queries
from api.web.resources.common import Blueprint, json_response, list_response, or_404
from api.web.resources.entities import canonical
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


@blp.get("/statements")
@blp.query(StatementQueryArgs)
@blp.response(200, StatementListSchema)
@blp.errors(400, 422, 503)
def list_statements(args):
    """List statements, filtered by source, speaker and what they are about."""
    return list_response(queries.STATEMENTS, args)


@blp.get("/statements/<statement_id>")
@blp.response(200, StatementSchema)
@blp.errors(404, 503)
def get_statement(statement_id):
    """Get one statement: speaker, cue verb as written, quote and span."""
    return json_response(or_404(queries.get_statement(get_db(), statement_id), "statement", statement_id))


@blp.get("/entities/<entity_id>/statements")
@blp.query(StatementQueryArgs)
@blp.response(200, StatementListSchema)
@blp.errors(301, 400, 404, 422, 503)
def list_entity_statements(args, entity_id):
    """List the statements an entity makes or that are about it."""
    found, moved = canonical(entity_id, "/statements")
    return moved or list_response(queries.STATEMENTS, args, {"entity": [found]})


@blp.get("/sources/<source_id>/statements")
@blp.query(StatementQueryArgs)
@blp.response(200, StatementListSchema)
@blp.errors(400, 404, 422, 503)
def list_source_statements(args, source_id):
    """List the statements one source reports."""
    or_404(source_queries.source_exists(get_db(), source_id) or None, "source", source_id)
    return list_response(queries.STATEMENTS, args, {"source": [source_id]})


@blp.get("/exclusions")
@blp.query(ExclusionQueryArgs)
@blp.response(200, ExclusionListSchema)
@blp.errors(400, 422, 503)
def list_exclusions(args):
    """List the numbers, dates and attribution cues deliberately not counted, with the reason for each."""
    return list_response(queries.EXCLUSIONS, args)
