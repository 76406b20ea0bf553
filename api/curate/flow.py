"""The plain data that passes from one stage of drafting to the next (see :mod:`api.curate.stages`).

Each stage returns one of these and reads those of the stages before it;
none of them holds a way back into a stage.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from api.curate.attribution import Attribution
from api.curate.dates import DateExpr, DateMatch
from api.curate.entities import TextEntities, TextVocabulary
from api.curate.values import Value

Span = tuple[int, int]


def slug(text: str, limit: int = 6) -> str:
    """Return a kebab-case slug of the first ``limit`` words of ``text``."""
    ws = re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", ""))
    return "-".join(ws[:limit]) or "x"


@dataclass
class Excluded:
    """A span that is not a claim, and why."""

    start: int
    end: int
    reason: str


@dataclass
class Segments:
    """What ``segment`` reads: the source record, the reference date, the sentences, the metadata lines."""

    text: str
    source: dict
    ref: dt.date | None
    assumed: bool  # the reference date was given, not read from the text
    taken: list[Span]  # metadata: the publication line, the dateline, the archive's Source: line
    sentences: list[Span]
    excluded: list[Excluded]  # page labels and the dateline
    skip: list[Span]  # where no new names are read: the headline and the metadata lines
    starts: set[int]  # sentence and line starts: a capital there is not a name


@dataclass
class Found:
    """What ``find`` finds: date expressions, number expressions, attribution cues, new names."""

    dates: list[DateMatch]
    values: list[Value]
    cues: dict[Span, list[tuple[int, int, str]]]  # by sentence
    names: TextEntities
    vocab: TextVocabulary  # the vocabulary with the text's new names (and the parties attribute adds)


@dataclass
class FigureSource:
    """Who says one number and when: its claimant, channel, quote and period."""

    value: Value
    sentence: Span
    span: Span  # the quote
    claimant: dict | None  # {"entity", "as_written"}
    via: str | None
    period: DateExpr | None
    why: dict  # claimant, via, period


@dataclass
class Speech:
    """The cue a sentence without a number is a statement of."""

    att: Attribution  # who says it
    verb: Attribution  # the cue as written
    via: str | None


@dataclass
class Attributed:
    """What ``attribute`` decides: who says each number, date, clause and sentence, and whom the text cites."""

    by_sentence: dict[Span, list[Attribution]]
    figures: list[FigureSource]  # the figure values, in text order
    clauses: dict[Span, list[Span]]  # each sentence's clauses (between semicolons)
    date_said_by: dict[Span, tuple[Attribution | None, str | None]]  # a date's span -> (attribution, via)
    clause_said_by: dict[Span, tuple[Attribution | None, str | None]]  # a clause -> (attribution, via)
    sourcing: dict[Span, Span]  # a sentence -> the next one, which only says where it comes from
    speech: dict[Span, Speech]  # sentences with a speaker
    cites: list[dict]
    channel: tuple[str, str] | None  # the outlet the whole text relays, and why
    outlets: set[str]
    names: TextEntities  # the text's new names, with the unnamed parties its speakers are ("a port official")


@dataclass
class FigureClass:
    """What the vocabulary says of one figure: metric, claim, subject, and the event its claim describes."""

    metric: str | None
    claim: str | None
    subject: str | None
    why: dict  # metric, claim, subject
    linked: tuple[str, int] | None = None  # (curated event, how many curated figures of its claim describe it)


@dataclass
class EventClass:
    """One drafted event citation: its date or known event, clause, type, status, place and actors."""

    date: DateExpr | None
    sentence: Span
    part: Span  # the quoted clause
    at: Span
    known: str | None  # the known event this sentence cites
    type: str
    status: str
    location: str | None
    actors: list[str]
    why: dict
    merge_into: str | None


@dataclass
class Classified:
    """What ``classify`` decides against the vocabulary."""

    figures: list[FigureClass]  # one per FigureSource
    events: list[EventClass]
    about: dict[Span, list[str]]  # a statement's sentence -> the entities it is about
    proposed: dict[str, dict] = field(default_factory=dict)  # new metrics, by id
