"""Entities, and what they are the subject of, take part in, or claim."""

from flask import request

from api.shape import url
from api.web.db import get_db
from api.web.errors import error_response
from api.web.queries import claims, events, figures, mentions
from api.web.queries import entities as queries
from api.web.resources.claims import respond_with_claims
from api.web.resources.common import EXPORT_CONTENT, Blueprint, json_response, list_response, or_404
from api.web.resources.exports import add_exports
from schemas.figures import FigureExportArgs, FigureListSchema, FigureQueryArgs
from schemas.mentions import MentionListSchema, MentionQueryArgs, MentionSourceListSchema, MentionSourceQueryArgs
from schemas.resources import (
    ClaimExportArgs,
    ClaimListSchema,
    ClaimQueryArgs,
    EntityListSchema,
    EntityQueryArgs,
    EntitySchema,
    EventExportArgs,
    EventListSchema,
    EventQueryArgs,
)

blp = Blueprint(
    "entities",
    __name__,
    url_prefix="/api/v1",
    description="Countries, people, organisations, places, weapons and outlets.",
)


def canonical(entity_id: str, suffix: str = ""):
    """Return (id, None) for a known id, or (None, redirect) for an alias; 404 otherwise."""
    found, exact = queries.resolve_entity(get_db(), entity_id)
    or_404(found, "entity", entity_id)
    if exact:
        return found, None
    target = url("entities", found) + suffix
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return None, error_response(301, f"{entity_id!r} is an alias of {found!r}.", headers={"Location": target})


@blp.get("/entities")
@blp.query(EntityQueryArgs)
@blp.response(200, EntityListSchema)
@blp.errors(400, 422, 503)
def list_entities(args):
    """List entities; `q` matches names and aliases case-insensitively."""
    return list_response(queries.ENTITIES, args)


@blp.get("/entities/<entity_id>")
@blp.response(200, EntitySchema)
@blp.errors(301, 404, 503)
def get_entity(entity_id):
    """Get one entity with its aliases and roles; an alias redirects to the canonical id."""
    found, moved = canonical(entity_id)
    return moved or json_response(queries.get_entity(get_db(), found))


@blp.get("/entities/<entity_id>/figures")
@blp.query(FigureQueryArgs)
@blp.response(200, FigureListSchema)
@blp.doc(responses={200: {"content": EXPORT_CONTENT}})
@blp.errors(301, 400, 404, 422, 503)
def list_entity_figures(args, entity_id):
    """List the figures about an entity (as their subject)."""
    found, moved = canonical(entity_id, "/figures")
    return moved or list_response(figures.FIGURES, args, {"subject": [found]}, name=f"{found}-figures")


@blp.get("/entities/<entity_id>/events")
@blp.query(EventQueryArgs)
@blp.response(200, EventListSchema)
@blp.doc(responses={200: {"content": EXPORT_CONTENT}})
@blp.errors(301, 400, 404, 422, 503)
def list_entity_events(args, entity_id):
    """List the events an entity takes part in or that happen there."""
    found, moved = canonical(entity_id, "/events")
    return moved or list_response(events.EVENTS, args, {"entity": [found]}, name=f"{found}-events")


@blp.get("/entities/<entity_id>/claims")
@blp.query(ClaimQueryArgs)
@blp.response(200, ClaimListSchema)
@blp.doc(responses={200: {"content": EXPORT_CONTENT}})
@blp.errors(301, 400, 404, 422, 503)
def list_entity_claims(args, entity_id):
    """List the claims any source credits to an entity (as claimant)."""
    found, moved = canonical(entity_id, "/claims")
    return moved or respond_with_claims(args, {"claimant": [found]}, name=f"{found}-claims")


@blp.get("/entities/<entity_id>/mentions")
@blp.query(MentionQueryArgs)
@blp.response(200, MentionListSchema)
@blp.errors(301, 400, 404, 422, 503)
def list_entity_mentions(args, entity_id):
    """List each place a curated source names an entity: the spelling as written, its span and sentence.

    Sorted by the document's file number (000, 001…), then by place in the text.
    """
    found, moved = canonical(entity_id, "/mentions")
    return moved or list_response(mentions.MENTIONS, args, {"entity": [found]})


@blp.get("/entities/<entity_id>/mentions/sources")
@blp.query(MentionSourceQueryArgs)
@blp.response(200, MentionSourceListSchema)
@blp.errors(301, 400, 404, 422, 503)
def list_entity_mention_sources(args, entity_id):
    """List every curated source with how it spells an entity, or that it never names it.

    One item per source whose mentions are curated, by file number: `names`, `mention_count`
    and the `spellings` it uses with their counts; `names=false` keeps the sources that never name it.
    """
    found, moved = canonical(entity_id, "/mentions/sources")
    return moved or list_response(mentions.MENTIONS_BY_SOURCE, args, {"entity": [found]})


# The same lists as exports at their own URLs (…/figures.csv, …/figures.ndjson).
EXPORT_ERRORS = (301, 400, 404, 422, 503)


def export_entity_figures(args, fmt, entity_id):
    found, moved = canonical(entity_id, f"/figures.{fmt}")
    args = {**args, "format": fmt}
    return moved or list_response(figures.FIGURES, args, {"subject": [found]}, name=f"{found}-figures")


def export_entity_events(args, fmt, entity_id):
    found, moved = canonical(entity_id, f"/events.{fmt}")
    args = {**args, "format": fmt}
    return moved or list_response(events.EVENTS, args, {"entity": [found]}, name=f"{found}-events")


def export_entity_claims(args, fmt, entity_id):
    found, moved = canonical(entity_id, f"/claims.{fmt}")
    return moved or respond_with_claims({**args, "format": fmt}, {"claimant": [found]}, name=f"{found}-claims")


add_exports(
    blp,
    "/entities/<entity_id>/figures",
    FigureExportArgs,
    export_entity_figures,
    "the figures about an entity",
    figures.FIGURES.export.columns,
    EXPORT_ERRORS,
)
add_exports(
    blp,
    "/entities/<entity_id>/events",
    EventExportArgs,
    export_entity_events,
    "the events an entity takes part in or that happen there",
    events.EVENTS.export.columns,
    EXPORT_ERRORS,
)
add_exports(
    blp,
    "/entities/<entity_id>/claims",
    ClaimExportArgs,
    export_entity_claims,
    "the claims any source credits to an entity",
    claims.CLAIMS.export.columns,
    EXPORT_ERRORS,
)
