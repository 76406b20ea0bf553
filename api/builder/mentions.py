"""Which entities some words name: by a name or alias, as a possessive or a demonym.

Shared by the build (``citation_entities`` fills ``event_citation_entities``, so
this module is part of the build id) and by the review flags of ``--check``.
"""

from __future__ import annotations

import re
from functools import cache

from api.shape import alias_key


@cache
def _name_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    keys = sorted({alias_key(n) for n in names} - {""}, key=len, reverse=True)
    if not keys:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, keys)) + r")(?:n|ns|'s)?\b")


@cache
def _first_word(name: str) -> str:
    key = alias_key(name)
    return key.split(" ", 1)[0] if key else "\0"


def names_entity(names: list[str], words: str, key: str | None = None) -> bool:
    """Whether ``words`` name an entity by one of ``names``, also as a possessive or demonym ("Russia's", "Russian").

    ``key`` is ``alias_key(words)``, when the caller has it already.
    """
    pattern = _name_pattern(tuple(names))
    return bool(pattern and pattern.search(alias_key(words) if key is None else key))


def citation_entities(event: dict, citation: dict, names: dict[str, list[str]]) -> list[str]:
    """Return the entities one citation supports: its actors, attribution, via and location, and the
    event's participants and location that its quote or attribution names."""
    found = dict.fromkeys(citation["actors"])
    attribution = citation["attribution"] or {}
    for entity in (attribution.get("entity"), citation["via"], citation.get("location")):
        if entity:
            found[entity] = None
    words = citation["quote"] + " " + (attribution.get("as_written") or "")
    folded = words.casefold().replace("’", "'").replace("‘", "'")
    key = None
    for entity in [event["location"], *(p["entity"] for p in event["participants"])]:
        if not entity or entity in found:
            continue
        # A cheap test first: a name can match only if its first word occurs in the words at all.
        entity_names = names.get(entity, [])
        if not any(_first_word(n) in folded for n in entity_names):
            continue
        if key is None:
            key = alias_key(words)
        if names_entity(entity_names, "", key):
            found[entity] = None
    return list(found)
