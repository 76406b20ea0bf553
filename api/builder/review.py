"""Flags for review: prose in the fixtures that may say more than the texts.

The validation (api.builder.fixtures) proves every quote is verbatim; it cannot
prove that an entity's description, an event's title and summary or a claim's
statement say only what the texts say.  :func:`review` flags what a reviewer
should look at:

- a capitalised word or a number in that prose that occurs in no text ("the
  Democratic People's Republic of Korea", "short-range", "Donetsk"), unless it
  stands inside a marked aside ``(outside the texts: …)``;
- a date in an event's title or summary that only a resolution against an
  assumed reference date gives, where the prose does not say "assumed";
- an event participant or location that no citation of the event names (in
  its quote, actors, attribution or location).

Flags are warnings, not errors: ``python -m api.builder --check`` prints them and
the build goes on; the curated data set is kept at zero flags by a test
(tests/test_fidelity.py).  Outside knowledge belongs in a ``note`` that says
"outside the texts: …".
"""

from __future__ import annotations

import re
from pathlib import Path

from api.builder.coverage import MONTHS
from api.builder.fixtures import Fixtures, Problem
from api.builder.mentions import citation_entities, names_entity
from api.builder.texts import read_text

WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z0-9]+)*")
OUTSIDE_RE = re.compile(r"\(outside the texts:[^)]*\)", re.I)
# A date as prose gives one: "27 June 2025", "June 2025", "14 May", "2025-06-27".
DATE_IN_PROSE_RE = re.compile(
    r"\b(?:\d{1,2} (?:"
    + "|".join(MONTHS)
    + r")(?: \d{4})?|(?:"
    + "|".join(MONTHS)
    + r") \d{4}|\d{4}-\d{2}(?:-\d{2})?)\b"
)


def _words(text: str) -> set[str]:
    return {w.replace("’", "'").casefold() for w in WORD_RE.findall(text)}


def _flaggable(word: str) -> bool:
    """Capitalised words and numbers are what the check looks at; 'a' and 'the' are not."""
    return word[0].isupper() or any(ch.isdigit() for ch in word)


def _base(word: str) -> str:
    w = word.replace("’", "'")
    return w[:-2] if w.endswith("'s") else w


class Reviewer:
    def __init__(self, fixtures: Fixtures, texts: Path):
        self.fx = fixtures
        self.flags: list[Problem] = []
        self.sources = fixtures.by_id("sources")
        self.vocabulary: set[str] = set()
        self.labels = {s["filename"][:3] for s in self.sources.values()}
        for s in self.sources.values():
            text = read_text(texts, s["filename"]) or ""
            self.vocabulary |= _words(text)
        names: dict[str, list[str]] = {}
        for e in fixtures.data("entities"):
            names[e["id"]] = [e["name"], *e["aliases"]]
        self.names = names

    def flag(self, rec, fld: str, message: str):
        self.flags.append(Problem(rec.file, rec.label, fld, message))

    def prose(self, rec, fld: str, text: str):
        """Flag capitalised words and numbers of ``text`` that no text has."""
        plain = OUTSIDE_RE.sub(" ", text)
        missing = []
        for word in WORD_RE.findall(plain):
            # A text named by its filename prefix ("001") is a reference, not a claim.
            if not _flaggable(word) or word in self.labels:
                continue
            key = _base(word).casefold()
            if (
                key not in self.vocabulary
                and key + "s" not in self.vocabulary
                and word.casefold() not in self.vocabulary
            ):
                missing.append(word)
        if missing:
            words = ", ".join(dict.fromkeys(missing))
            self.flag(
                rec, fld, f"in no text: {words} (rephrase from the texts, or move it to a note 'outside the texts: …')"
            )

    def named_in(self, entity_id: str, words: str) -> bool:
        return names_entity(self.names.get(entity_id, []), words)

    def run(self) -> list[Problem]:
        for rec in self.fx.records["entities"]:
            self.prose(rec, "description", rec.data["description"])
        for rec in self.fx.records["claims"]:
            self.prose(rec, "statement", rec.data["statement"])
        for rec in self.fx.records["events"]:
            self.check_event(rec)
        return self.flags

    def check_event(self, rec):
        d = rec.data
        for fld in ("title", "summary"):
            self.prose(rec, fld, d[fld])
        dated = [c for c in d["citations"] if c["date"]]
        assumed_only = dated and all(c["date"].get("resolved_from") and self._assumed(c["source"]) for c in dated)
        if assumed_only:
            for fld in ("title", "summary"):
                if DATE_IN_PROSE_RE.search(d[fld]) and "assumed" not in d[fld]:
                    self.flag(
                        rec,
                        fld,
                        "gives a date that only a resolution against an assumed reference date supports; say it is assumed",
                    )
        named = {e for c in d["citations"] for e in citation_entities(d, c, self.names)}
        wanted = [("location", d["location"])] if d["location"] else []
        wanted += [(f"participants.{i}.entity", p["entity"]) for i, p in enumerate(d["participants"])]
        for fld, entity in wanted:
            if entity not in named:
                self.flag(
                    rec,
                    fld,
                    f"{entity!r} is named by no citation of this event (quote, actors, attribution or location)",
                )

    def _assumed(self, source_id: str) -> bool:
        src = self.sources.get(source_id)
        return bool(src and src["published"] is None)


def review(fixtures: Fixtures, texts: Path | None) -> list[Problem]:
    """Return the flags for review (empty when the prose says only what the texts say)."""
    if texts is None:
        return []
    return Reviewer(fixtures, texts).run()
