"""Entities, and what they are the subject of, take part in, claim or say."""

from flask import redirect, request

from api.shape import url
from api.web.db import get_db
from api.web.queries import claims, events, figures, mentions
from api.web.queries import entities as queries
from api.web.resources import lists
from api.web.resources.claims import respond_with_claims
from api.web.resources.common import Blueprint, canonical_id, json_response, list_response
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
ENTITY_LIST_ERRORS = (400, 404, 422, 503)


@lists.register(blp, "/entities", EntityQueryArgs, EntityListSchema)
def list_entities(args):
    """List entities; `q` matches names and aliases case-insensitively.

    Ordered by id. People named with a title or another spelling: `?q=umerov`.
    """
    return list_response(queries.ENTITIES, args)


@blp.get("/entities/<entity_id>")
@blp.response(200, EntitySchema)
@blp.errors(404, 503)
def get_entity(entity_id):
    """Get one entity with its aliases and roles; a name or alias answers as the canonical id.

    `/entities/DPRK` answers as `/entities/north-korea`, with `Content-Location` naming it.
    """
    return json_response(queries.get_entity(get_db(), canonical_id("entity", entity_id)))


@lists.register(
    blp,
    "/entities/<entity_id>/figures",
    FigureQueryArgs,
    FigureListSchema,
    exports=lists.Exports(FigureExportArgs, figures.FIGURES.export.columns, "the figures about an entity"),
    errors=ENTITY_LIST_ERRORS,
)
def list_entity_figures(args, entity_id, fmt="json"):
    """List the figures about an entity (as their subject).

    The same as `/figures?subject=<entity_id>`, with the same filters and sort.
    """
    found = canonical_id("entity", entity_id)
    return list_response(figures.FIGURES, args, {"subject": [found]}, name=f"{found}-figures", fmt=fmt)


@lists.register(
    blp,
    "/entities/<entity_id>/events",
    EventQueryArgs,
    EventListSchema,
    exports=lists.Exports(
        EventExportArgs, events.EVENTS.export.columns, "the events an entity takes part in or that happen there"
    ),
    errors=ENTITY_LIST_ERRORS,
)
def list_entity_events(args, entity_id, fmt="json"):
    """List the events an entity takes part in or that happen there.

    The same as `/events?entity=<entity_id>`, with the same filters.
    """
    found = canonical_id("entity", entity_id)
    return list_response(events.EVENTS, args, {"entity": [found]}, name=f"{found}-events", fmt=fmt)


@lists.register(
    blp,
    "/entities/<entity_id>/claims-made",
    ClaimQueryArgs,
    ClaimListSchema,
    exports=lists.Exports(ClaimExportArgs, claims.CLAIMS.export.columns, "the claims an entity made"),
    errors=ENTITY_LIST_ERRORS,
)
def list_entity_claims_made(args, entity_id, fmt="json"):
    """List the claims an entity made: those any source credits to it (as claimant).

    The same as `/claims?claimant=<entity_id>`; the claims about it are `/entities/<entity_id>/claims-about`.
    """
    found = canonical_id("entity", entity_id)
    return respond_with_claims(args, {"claimant": [found]}, name=f"{found}-claims-made", fmt=fmt)


@lists.register(
    blp,
    "/entities/<entity_id>/claims-about",
    ClaimQueryArgs,
    ClaimListSchema,
    exports=lists.Exports(ClaimExportArgs, claims.CLAIMS.export.columns, "the claims about an entity"),
    errors=ENTITY_LIST_ERRORS,
)
def list_entity_claims_about(args, entity_id, fmt="json"):
    """List the claims about an entity (as their subject): North Korea's troop numbers, whoever claims them.

    The same as `/claims?subject=<entity_id>`; the claims it made are `/entities/<entity_id>/claims-made`.
    """
    found = canonical_id("entity", entity_id)
    return respond_with_claims(args, {"subject": [found]}, name=f"{found}-claims-about", fmt=fmt)


@lists.register(blp, "/entities/<entity_id>/mentions", MentionQueryArgs, MentionListSchema, errors=ENTITY_LIST_ERRORS)
def list_entity_mentions(args, entity_id):
    """List each place a curated source names an entity: the spelling as written, its span and sentence.

    Sorted by the document's file number (000, 001…), then by place in the text; `source` keeps one text's.
    How each text spells the entity, and which never name it: `/entities/<entity_id>/mentions/sources`.
    """
    return list_response(mentions.MENTIONS, args, {"entity": [canonical_id("entity", entity_id)]})


@lists.register(
    blp,
    "/entities/<entity_id>/mentions/sources",
    MentionSourceQueryArgs,
    MentionSourceListSchema,
    errors=ENTITY_LIST_ERRORS,
)
def list_entity_mention_sources(args, entity_id):
    """List every curated source with how it spells an entity, or that it never names it.

    One item per source whose mentions are curated, by file number: `names`, `mention_count` and the
    `spellings` it uses with their counts; `names=false` keeps the sources that never name it.
    """
    return list_response(mentions.MENTIONS_BY_SOURCE, args, {"entity": [canonical_id("entity", entity_id)]})


def _moved_to_claims_made(entity_id, suffix=""):
    found = canonical_id("entity", entity_id)  # an unknown id is a 404 here, not after the redirect
    target = f"{url('entities', found)}/claims-made{suffix}"
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, code=301)


OLD_CLAIMS_DOC = {
    "deprecated": True,
    "responses": {
        301: {
            "description": "Moved permanently to `/entities/{entity_id}/claims-made` (the same query string): "
            "the claims an entity made, as claimant. The claims about it are `…/claims-about`."
        }
    },
}


@blp.route("/entities/<entity_id>/claims", methods=["GET"])
@blp.doc(**OLD_CLAIMS_DOC)
@blp.errors(404, 503)
def list_entity_claims(entity_id):
    """Redirect to `/entities/{entity_id}/claims-made` (deprecated name: it did not say which relation).

    The claims about the entity are `/entities/{entity_id}/claims-about`.
    """
    return _moved_to_claims_made(entity_id)


@blp.route("/entities/<entity_id>/claims.csv", methods=["GET"])
@blp.doc(**OLD_CLAIMS_DOC)
@blp.errors(404, 503)
def export_entity_claims_csv(entity_id):
    """Redirect to `/entities/{entity_id}/claims-made.csv` (deprecated).

    The query string is kept.
    """
    return _moved_to_claims_made(entity_id, ".csv")


@blp.route("/entities/<entity_id>/claims.ndjson", methods=["GET"])
@blp.doc(**OLD_CLAIMS_DOC)
@blp.errors(404, 503)
def export_entity_claims_ndjson(entity_id):
    """Redirect to `/entities/{entity_id}/claims-made.ndjson` (deprecated).

    The query string is kept.
    """
    return _moved_to_claims_made(entity_id, ".ndjson")
