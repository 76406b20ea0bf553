"""schema.org JSON-LD of claims, for ``Accept: application/ld+json``.

A claim is a schema.org ``Claim``: its statement is the ``text``, its claimants the
``author`` (a ``Person`` for a person, otherwise an ``Organization``, including
claimants known only by their wording), every reporting source an ``appearance``
(a ``NewsArticle``; an opinion piece a ``CreativeWork``) and the earliest dated
source the ``firstAppearance`` (the first listed when none is dated).
"""

import orjson
from flask import Response, request

from api.web.db import get_db
from api.web.queries.entities import entity_types
from api.web.resources.common import next_url

MIMETYPE = "application/ld+json"
CONTEXT = "https://schema.org"


def wanted(args: dict | None = None) -> bool:
    """True when the client prefers JSON-LD (and asks for no other ``format``)."""
    if args and args.get("format"):
        return False
    return request.accept_mimetypes.best == MIMETYPE


def _absolute(path: str | None) -> str | None:
    return request.host_url.rstrip("/") + path if path else None


def _authors(claim: dict, types: dict[str, str]) -> list[dict]:
    authors, seen = [], set()
    for c in claim["claimants"]:
        key = c["id"] or c["attribution"]
        if key in seen:
            continue
        seen.add(key)
        author = {"@type": "Person" if types.get(c["id"]) == "person" else "Organization"}
        if c["id"]:
            author["@id"] = _absolute(c["url"])
        author["name"] = c["name"] or c["attribution"]
        authors.append(author)
    return authors


def _appearances(claim: dict) -> list[dict]:
    sources = {}
    for f in claim["figures"]:
        sources.setdefault(f["source"]["id"], f["source"])
    ordered = sorted(sources.values(), key=lambda s: ((s["published"] or {}).get("first_day") or "~", s["id"]))
    out = []
    for s in ordered:
        item = {"@type": "CreativeWork" if s["stance"] == "opinion" else "NewsArticle", "@id": _absolute(s["url"])}
        if s["title"]:
            item["headline"] = s["title"]
        if s["published"]:
            item["datePublished"] = s["published"]["date"]
        out.append(item)
    return out


def claim_node(claim: dict, types: dict[str, str]) -> dict:
    """One claim as a schema.org Claim node (without @context)."""
    node = {
        "@type": "Claim",
        "@id": _absolute(claim["url"]),
        "identifier": claim["id"],
        "text": claim["statement"],
        "about": {"@type": "Thing", "@id": _absolute(claim["subject"]["url"]), "name": claim["subject"]["name"]},
    }
    authors = _authors(claim, types)
    if authors:
        node["author"] = authors
    appearances = _appearances(claim)
    if appearances:
        node["appearance"] = appearances
        # Undated sources are last: a first appearance only where a text gives its date.
        if "datePublished" in appearances[0]:
            node["firstAppearance"] = appearances[0]
    node["additionalProperty"] = _spread(claim)
    return node


def _spread(claim: dict) -> dict:
    """The claim's spread as a schema.org PropertyValue: an open bound has no min/maxValue."""
    spread = claim["spread"]
    words = [
        w
        for w, on in (
            ("open below", spread["open_low"]),
            ("open above", spread["open_high"]),
            ("some figure vague", spread["vague"]),
            ("approximate", spread["approximate"]),
        )
        if on
    ]
    prop = {"@type": "PropertyValue", "name": "spread", "unitText": claim["metric"]["unit"]}
    if spread["low"] is not None:
        prop["minValue"] = spread["low"]
    if spread["high"] is not None:
        prop["maxValue"] = spread["high"]
    if words:
        prop["description"] = ", ".join(words)
    return prop


def _types(claims: list[dict]) -> dict[str, str]:
    return entity_types(get_db(), [c["id"] for claim in claims for c in claim["claimants"] if c["id"]])


def _response(body: dict, headers: dict | None = None) -> Response:
    response = Response(orjson.dumps(body), mimetype=MIMETYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def claim_response(claim: dict) -> Response:
    """Answer one claim as JSON-LD."""
    return _response({"@context": CONTEXT, **claim_node(claim, _types([claim]))})


def claims_response(page: tuple) -> Response:
    """Answer a page of claims ``(items, next_cursor, total)`` as a JSON-LD ``@graph``."""
    items, next_cursor, _total = page
    types = _types(items)
    nxt = next_url(next_cursor)
    headers = {"Link": f'<{nxt}>; rel="next"'} if nxt else {}
    return _response({"@context": CONTEXT, "@graph": [claim_node(c, types) for c in items]}, headers)
