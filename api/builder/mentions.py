"""Which entities some words name: by a name or alias, as a possessive or a demonym.

Shared by the build (``citation_entities`` fills ``event_citation_entities``, so
this module is part of the build id) and by the review flags of ``--check``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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


# ---- every place a text names an entity -------------------------------------

# A break between two words of a name: spaces, a hyphen or the point of an initial
# ("Kim Jong-un" is "Kim Jong Un", "U.S. official" is "U S official").
_GAP = r"[\s.\-\u2010\u2011]+"
# What a name may carry and still name its entity: a demonym ("Russian"). A possessive's
# "'s" follows the name but is not part of it: "Kim Jong Un’s" is spelled "Kim Jong Un".
_SUFFIX = r"(?:ns|n)?"
# A sentence ends at . ! or ? (and any closing quote) before a space and a capital or an opening quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’)]*\s+(?=[A-Z“\"‘])")


def _word_pattern(key: str) -> str:
    return _GAP.join(re.escape(word).replace("'", "['’‘]") for word in key.split(" "))


@cache
def _spelling_patterns(names: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    """One pattern per distinct name; an acronym (all capitals: "UN") matches only as capitals ("Un" is not it)."""
    patterns = {}
    for name in names:
        key = alias_key(name)
        if not key:
            continue
        acronym = name.isupper() and len(key) > 1
        flags = 0 if acronym else re.IGNORECASE
        body = _word_pattern(name if acronym else key)
        patterns[(key, acronym)] = re.compile(rf"(?<![\w'’])(?:{body}){_SUFFIX}(?![\w])", flags)
    return tuple(patterns.values())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return the ``[start, end)`` spans of the sentences of ``text`` (a line break ends one too)."""
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for brk in _SENTENCE_END.finditer(line.group()):
            spans.append((start, line.start() + brk.start()))
            start = line.start() + brk.end()
        spans.append((start, line.end()))
    return [(s, e) for s, e in ((s, len(text[:e].rstrip())) for s, e in spans) if e > s]


def metadata_spans(source: dict) -> list[list[int]]:
    """The spans of ``source``'s text that the archive wrote, not the outlet (its ``archive_line``)."""
    line = source.get("archive_line")
    return [line["span"]] if line and line.get("span") else []


def find_mentions(text: str, entities: dict[str, list[str]], metadata: Sequence[Sequence[int]] = ()) -> list[dict]:
    """Return every place ``text`` names one of ``entities`` (id -> names), by a name or alias.

    Names match case-insensitively, across a space or hyphen, also as a demonym or
    possessive (the mention is the name without its "'s"); for each entity the longest
    name wins where two of its names overlap ("Kim Jong Un", not "Kim"), while a name
    inside another entity's ("North Korean" in "North Korean troops") is a mention of
    both. Nothing inside a ``metadata`` span (``[start, end)``: the line the archive
    wrote, a source's ``archive_line``) is a mention: it is not the text's words.
    Each mention carries the spelling as written, its span and the sentence around
    it; the list is in text order.
    """
    sentences = sentence_spans(text)
    found = []
    for entity, names in entities.items():
        candidates = [
            m
            for pattern in _spelling_patterns(tuple(names))
            for m in pattern.finditer(text)
            if not any(m.start() < end and start < m.end() for start, end in metadata)
        ]
        taken: list[re.Match] = []
        for m in sorted(candidates, key=lambda m: (m.start() - m.end(), m.start())):
            if any(m.start() < t.end() and t.start() < m.end() for t in taken):
                continue
            taken.append(m)
        for m in taken:
            start, end = next(((s, e) for s, e in sentences if s <= m.start() and m.end() <= e), m.span())
            found.append(
                {
                    "entity": entity,
                    "as_written": m.group(),
                    "span": [m.start(), m.end()],
                    "quote": text[start:end],
                    "quote_span": [start, end],
                }
            )
    return sorted(found, key=lambda x: (x["span"][0], x["span"][1], x["entity"]))
