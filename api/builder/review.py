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
  its quote, actors, attribution or location);
- attribution where the text does not attribute: a citation actor its quote
  does not name (unless its note says how the quote names it: "names Russia
  as 'Moscow'"); a figure's claimant or a citation's attribution whose words,
  and an attribution cue, are neither in the quote nor in the sentence before
  it, unless the record's note says why (mentions the claimant or the
  attribution);
- prose that contradicts its record or leaks internals: a note saying
  "<field> is null", "no <field>" or "<field> is <value>" that the field
  contradicts; a fixture file name (``*.yaml``, ``*.jsonl``) in any served
  text; a record's own words (value text, date or period phrase, attribution,
  cue) that are not in its quote, or are there twice (api.builder.coverage);
- a figure's period wider than the date its own source's citation of the
  figure's event gives, inside it: the narrowest the text supports.

Flags are warnings, not errors: ``python -m api.builder --check`` prints them and
the build goes on; the curated data set is kept at zero flags by a test
(tests/test_fidelity.py).  Outside knowledge belongs in a ``note`` that says
"outside the texts: …".
"""

from __future__ import annotations

import re
from pathlib import Path

from api.builder.coverage import MONTHS, find_cues, own
from api.builder.fixtures import Fixtures, Problem
from api.builder.mentions import citation_entities, names_entity
from api.builder.texts import read_text
from schemas.dates import span_bounds
from schemas.vocabulary import EVENT_STATUSES, HEDGES, PRECISIONS

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


# A fixture file's name in served prose ("see sources.yaml") points at internals a client cannot open.
FILE_NAME_RE = re.compile(r"[\w./-]+\.(?:ya?ml|jsonl)\b")
# The end of a sentence: its punctuation (and closing quotes) before a space, or a line break.
SENTENCE_END_RE = re.compile(r"[.!?…][\"”’)]*\s+|\n+")
# Fields a note may speak of, and the values "<field> is <value>" may name.
NOTE_FIELDS = ("period", "claimant", "via", "event", "date", "attribution", "location", "speaker", "entity")
NOTE_VALUES = {"hedge": set(HEDGES), "status": set(EVENT_STATUSES), "precision": set(PRECISIONS)}
NULL_NOTE_RE = re.compile(
    r"\b(?:("
    + "|".join(NOTE_FIELDS)
    + r") is (?:null|none)|no ("
    + "|".join(NOTE_FIELDS)
    + r")(?=[,.;:)]|$| given| set))"
)
VALUE_NOTE_RE = re.compile(r"\b(" + "|".join(NOTE_VALUES) + r") is ([a-z_-]+)")


# Verbs that attribute words besides the cues the coverage check counts ("officials have revealed").
REPORTING_VERB_RE = re.compile(r"\b(?:reveal|show|argue|expect|add|note|state)(?:s|ed|d)?\b", re.I)


def has_cue(words: str) -> bool:
    """Whether ``words`` hold an attribution cue or another reporting verb."""
    return bool(find_cues(words) or REPORTING_VERB_RE.search(words))


def sentence_before(text: str, start: int) -> str:
    """Return the text from the start of the sentence before the one at ``start`` up to ``start``."""
    ends = [m.end() for m in SENTENCE_END_RE.finditer(text, 0, start)]
    return text[ends[-2] if len(ends) >= 2 else 0 : start]


def _strings(value, path: str = ""):
    """Yield (path, string) for every string in a record, nested lists and mappings included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}.{i}" if path else str(i))


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
        self.events = fixtures.by_id("events")
        self.vocabulary: set[str] = set()
        self.labels = {s["filename"][:3] for s in self.sources.values()}
        for s in self.sources.values():
            text = read_text(texts, s["filename"]) or ""
            self.vocabulary |= _words(text)
        names: dict[str, list[str]] = {}
        for e in fixtures.data("entities"):
            names[e["id"]] = [e["name"], *e["aliases"]]
        self.names = names
        self.texts = {s["id"]: read_text(texts, s["filename"]) or "" for s in self.sources.values()}

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
            self.check_citations(rec)
        for rec in self.fx.records["figures"]:
            self.check_claimant(rec)
            self.check_period(rec)
        for records in self.fx.records.values():
            for rec in records:
                self.check_notes(rec)
        self.check_own_words()
        return self.flags

    def attributed(self, source: str, span, quote: str, as_written: str | None, cue: bool = True) -> bool:
        """Whether the attribution's words (and, with ``cue``, an attribution cue) are in the quote or the sentence before."""
        before = sentence_before(self.texts.get(source, ""), span[0]) if span else ""
        words = before + quote
        return (not as_written or as_written in words) and (not cue or has_cue(words))

    def check_citations(self, rec):
        for i, cit in enumerate(rec.data["citations"]):
            for j, actor in enumerate(cit["actors"]):
                # A note may say how the quote names it otherwise ("names Russia as 'Moscow'").
                if not self.named_in(actor, cit["quote"]) and not self.named_in(actor, cit["note"] or ""):
                    self.flag(
                        rec,
                        f"citations.{i}.actors.{j}",
                        f"{actor!r} is not named in the citation's quote (nor, as the quote names it, in its note)",
                    )
            attribution = cit["attribution"] or {}
            if attribution.get("as_written") and not self.explained(cit, "attribut"):
                if not self.attributed(cit["source"], cit["span"], cit["quote"], attribution["as_written"], cue=False):
                    self.flag(
                        rec,
                        f"citations.{i}.attribution",
                        f"{attribution['as_written']!r} is not in the quote or the sentence before it "
                        "(widen the quote, or say why in the note)",
                    )

    def check_claimant(self, rec):
        d = rec.data
        if d["claimant"] and not self.explained(d, "claimant"):
            if not self.attributed(d["source"], d["span"], d["quote"], d["claimant"]["as_written"]):
                self.flag(
                    rec,
                    "claimant",
                    f"{d['claimant']['as_written']!r} and a cue are not in the quote or the sentence before it "
                    "(is it who the sentence credits? widen the quote, or say why in the note)",
                )

    @staticmethod
    def explained(record: dict, word: str) -> bool:
        return word in (record.get("note") or "").casefold()

    def check_period(self, rec):
        """Flag a figure's period that its own source's citation of the figure's event narrows."""
        d = rec.data
        if not d["period"] or not d["event"] or self.explained(d, "period"):
            return
        event = self.events.get(d["event"])
        cited = [c["date"] for c in (event or {}).get("citations", []) if c["source"] == d["source"] and c["date"]]
        if not cited:
            return
        mine = span_bounds(d["period"]["start"], d["period"].get("end"))
        theirs = span_bounds(cited[0]["start"], cited[0].get("end"))
        if mine != theirs and mine[0] <= theirs[0] and theirs[1] <= mine[1]:
            self.flag(
                rec,
                "period",
                f"{mine[0]}..{mine[1]} is wider than {theirs[0]}..{theirs[1]}, the date this source's citation of "
                f"event {d['event']!r} gives ({cited[0]['phrase']!r}); give the narrowest the text supports",
            )

    def check_notes(self, rec):
        """Flag notes a field contradicts, and fixture file names in any served text."""
        for path, value in _strings(rec.data):
            if FILE_NAME_RE.search(value):
                self.flag(rec, path, f"names a fixture file ({FILE_NAME_RE.search(value).group()}): say what it says")
        self.note_fields(rec, rec.data, "")
        for i, cit in enumerate(rec.data.get("citations", []) if rec.kind == "events" else []):
            self.note_fields(rec, cit, f"citations.{i}.")

    def note_fields(self, rec, record: dict, prefix: str):
        note = (record.get("note") or "").casefold()
        for m in NULL_NOTE_RE.finditer(note):
            fld = m.group(1) or m.group(2)
            if record.get(fld) is not None and fld in record:
                self.flag(rec, f"{prefix}note", f"says {m.group()!r} but {fld} is set")
        fields = {"hedge": (record.get("value") or {}).get("hedge"), "status": record.get("status")}
        fields["precision"] = (record.get("period") or record.get("date") or {}).get("precision")
        for m in VALUE_NOTE_RE.finditer(note):
            fld, said = m.groups()
            if said in NOTE_VALUES[fld] and fields.get(fld) is not None and fields[fld] != said:
                self.flag(rec, f"{prefix}note", f"says {m.group()!r} but {fld} is {fields[fld]!r}")

    def check_own_words(self):
        """Flag records whose own words are not in their quote, or are there twice (the coverage rule's places)."""
        by_label = {}
        for kind, prefix in (("figures", "figure"), ("statements", "statement"), ("assessments", "assessment")):
            for rec in self.fx.records[kind]:
                by_label[f"{prefix} {rec.data['id']}"] = rec
        for rec in self.fx.records["events"]:
            for i in range(len(rec.data["citations"])):
                by_label[f"event {rec.data['id']} citation {i}"] = rec
        kinds = ("sources", "entities", "figures", "events", "statements", "assessments", "exclusions")
        _, ambiguities = own({kind: self.fx.data(kind) for kind in kinds})
        for a in ambiguities:
            rec = by_label.get(a.label)
            if rec is not None:
                self.flag(rec, a.field, a.message)

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
