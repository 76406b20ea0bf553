"""Marshmallow schemas for the hand-curated fixture files under ``fixtures/``.

These schemas check the *shape* of each record (types, enums, id syntax, date
syntax, unknown fields).  Checks that need more than one record (references,
duplicate ids, quotes against the archived texts) live in ``api.build``.
"""

import datetime
import re

import orjson
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: "$" would accept a trailing newline
SLUG = validate.Regexp(SLUG_RE, error="must be a kebab-case slug (a-z, 0-9 and '-')")

ENTITY_TYPES = (
    "country",
    "person",
    "group",
    "organization",
    "agency",
    "government",
    "military",
    "media-outlet",
    "place",
    "region",
    "city",
    "facility",
    "weapon",
    "vehicle",
    "aircraft",
    "ship",
    "military-unit",
    "document",
)
METRIC_CATEGORIES = (
    "troops",
    "casualties",
    "munitions",
    "strikes",
    "personnel",
    "ratio",
    "demographics",
    "organizations",
    "capacity",
    "visits",
)
HEDGES = (
    "exact",
    "about",
    "up_to",
    "at_least",
    "more_than",
    "less_than",
    "range",
    "about_range",
    "vague",
)
PRECISIONS = ("day", "week", "month", "season", "year", "decade")
STANCES = ("reporting", "skeptical", "supportive", "opinion")
EVENT_TYPES = (
    "deployment",
    "troop-movement",
    "sighting",
    "satellite-observation",
    "visit",
    "announcement",
    "confirmation",
    "strike",
    "report",
    "statement",
    "anniversary",
    "forecast",
    "inspection",
    "training",
    "supply",
    "policy",
    "memorial",
    "military-operation",
    "selection",
    "treaty",
)
EVENT_STATUSES = ("occurred", "ongoing", "planned", "expected", "alleged", "possible")

# A date at the precision the text gives: YYYY, YYYY-MM or YYYY-MM-DD.
PARTIAL_DATE_RE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?\Z")
DATE_SHAPE_BY_PRECISION = {
    "day": 3,
    "week": 3,
    "month": 2,
    "season": 2,
    "year": 1,
    "decade": 1,
}


class StrictSchema(Schema):
    """A schema that rejects fields it does not know (typos are errors)."""

    class Meta:
        unknown = RAISE
        ordered = True


class DraftMarksSchema(StrictSchema):
    """The marks a drafted record carries until a person confirms it.

    ``unconfirmed: true`` keeps a record out of the database (the build
    refuses it); ``draft`` holds the drafting's suggestions and reasons.
    """

    unconfirmed = fields.Boolean(load_default=False)
    draft = fields.Dict(load_default=None, allow_none=True)


DRAFT_KEYS = frozenset(DraftMarksSchema().fields)


class Span(fields.List):
    """A ``[start, end)`` character span into the archived document."""

    def __init__(self, **kwargs):
        super().__init__(fields.Integer(strict=True), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if len(result) != 2 or result[0] < 0 or result[1] <= result[0]:
            raise ValidationError("must be [start, end) with 0 <= start < end")
        return result


class PartialDate(fields.String):
    """An ISO date at its precision: ``2025``, ``2025-06`` or ``2025-06-27``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            # YAML turns an unquoted 2025-06-27 into a date and 2025 into an int.
            value = str(value)
        value = super()._deserialize(value, attr, data, **kwargs)
        if not PARTIAL_DATE_RE.match(value):
            raise ValidationError(f"{value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        from schemas.dates import bounds  # local import: schemas.dates has no schema deps

        try:
            bounds(value)
        except ValueError as exc:
            raise ValidationError(f"{value!r} is not a real date: {exc}") from None
        return value


class DateSpecSchema(StrictSchema):
    """When something happened, at the precision the text gives."""

    start = PartialDate(required=True)
    end = PartialDate(load_default=None, allow_none=True)
    precision = fields.String(required=True, validate=validate.OneOf(PRECISIONS))
    qualifier = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(("early", "mid", "late", "about", "by", "as-early-as", "before", "after")),
    )
    phrase = fields.String(required=True, validate=validate.Length(min=1))
    resolved_from = PartialDate(load_default=None, allow_none=True)
    resolution = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def check_shape(self, data, **kwargs):
        parts = DATE_SHAPE_BY_PRECISION[data["precision"]]
        for key in ("start", "end"):
            value = data.get(key)
            if value is not None and len(value.split("-")) != parts:
                raise ValidationError(
                    f"precision {data['precision']!r} needs a date with {parts} part(s), got {value!r}",
                    key,
                )
        end = data.get("end")
        if end is not None:
            from schemas.dates import bounds

            if bounds(end)[1] < bounds(data["start"])[0]:
                raise ValidationError("end is before start", "end")
        if data.get("resolved_from") and not data.get("resolution"):
            raise ValidationError("say how the relative phrase was resolved", "resolution")


class QuotedSchema(StrictSchema):
    """A verbatim quote and its span in one source's archived text."""

    quote = fields.String(required=True, validate=validate.Length(min=1))
    span = Span(required=True)


class CitedEntitySchema(QuotedSchema):
    entity = fields.String(required=True, validate=SLUG)


class PublishedSchema(DateSpecSchema):
    quote = fields.String(required=True, validate=validate.Length(min=1))
    span = Span(required=True)


class ReferenceDateSchema(StrictSchema):
    """The date relative phrases in a source are resolved against."""

    date = PartialDate(required=True)
    basis = fields.String(required=True, validate=validate.Length(min=1))


class SourceFixture(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    filename = fields.String(required=True, validate=validate.Regexp(r"^[\w.-]+\.txt$"))
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    char_count = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = fields.String(required=True, allow_none=True)
    title_span = Span(load_default=None, allow_none=True)
    outlet = fields.String(required=True, allow_none=True, validate=SLUG)
    author = fields.String(required=True, allow_none=True)
    author_span = Span(load_default=None, allow_none=True)
    published = fields.Nested(PublishedSchema, required=True, allow_none=True)
    reference_date = fields.Nested(ReferenceDateSchema, required=True, allow_none=True)
    language = fields.String(required=True, validate=validate.Regexp(r"^[a-z]{2}$"))
    stance = fields.String(required=True, validate=validate.OneOf(STANCES))
    stance_evidence = fields.List(fields.Nested(QuotedSchema), load_default=list)
    cites = fields.List(fields.Nested(CitedEntitySchema), load_default=list)
    note = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def check_spans(self, data, **kwargs):
        for key in ("title", "author"):
            if (data.get(key) is None) != (data.get(f"{key}_span") is None):
                raise ValidationError(f"{key} and {key}_span go together", f"{key}_span")


class RoleSchema(QuotedSchema):
    role = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(required=True, validate=SLUG)


class EntityFixture(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(min=1))
    type = fields.String(required=True, validate=validate.OneOf(ENTITY_TYPES))
    aliases = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    description = fields.String(required=True, validate=validate.Length(min=1))
    roles = fields.List(fields.Nested(RoleSchema), load_default=list)
    part_of = fields.String(load_default=None, allow_none=True, validate=SLUG)
    note = fields.String(load_default=None, allow_none=True)


class MetricFixture(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    label = fields.String(required=True, validate=validate.Length(min=1))
    unit = fields.String(required=True, validate=validate.Length(min=1))
    category = fields.String(required=True, validate=validate.OneOf(METRIC_CATEGORIES))
    description = fields.String(required=True, validate=validate.Length(min=1))
    parent = fields.String(load_default=None, allow_none=True, validate=SLUG)


class ClaimFixture(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    statement = fields.String(required=True, validate=validate.Length(min=1))
    metric = fields.String(required=True, validate=SLUG)
    subject = fields.String(required=True, validate=SLUG)
    note = fields.String(load_default=None, allow_none=True)


class ValueSchema(StrictSchema):
    """A number as written: bounds, the hedge, and the words."""

    low = fields.Float(required=True, allow_none=True)
    high = fields.Float(required=True, allow_none=True)
    hedge = fields.String(required=True, validate=validate.OneOf(HEDGES))
    text = fields.String(required=True, validate=validate.Length(min=1))

    @validates_schema
    def check_bounds(self, data, **kwargs):
        low, high, hedge = data["low"], data["high"], data["hedge"]
        need = {
            "exact": (True, True),
            "about": (True, True),
            "range": (True, True),
            "about_range": (True, True),
            "up_to": (False, True),
            "less_than": (False, True),
            "at_least": (True, False),
            "more_than": (True, False),
            "vague": (False, False),
        }[hedge]
        if (low is not None, high is not None) != need:
            want = " and ".join(
                f"{name} {'set' if on else 'null'}" for name, on in zip(("low", "high"), need, strict=False)
            )
            raise ValidationError(f"hedge {hedge!r} needs {want}", "hedge")
        if hedge in ("exact", "about") and low != high:
            raise ValidationError(f"hedge {hedge!r} needs low == high", "high")
        if low is not None and high is not None and low > high:
            raise ValidationError("low is greater than high", "low")


class AttributionSchema(StrictSchema):
    """Who a source says made a claim: an entity where one is meant, and the words."""

    entity = fields.String(required=True, allow_none=True, validate=SLUG)
    as_written = fields.String(required=True, allow_none=True)

    @validates_schema
    def check_some(self, data, **kwargs):
        if data["entity"] is None and data["as_written"] is None:
            raise ValidationError("give an entity, the wording, or both", "as_written")


class FigureFixture(QuotedSchema):
    id = fields.String(required=True, validate=SLUG)
    source = fields.String(required=True, validate=SLUG)
    claim = fields.String(required=True, validate=SLUG)
    # metric and subject default to the claim's; when given they must match it.
    metric = fields.String(load_default=None, validate=SLUG)
    subject = fields.String(load_default=None, validate=SLUG)
    value = fields.Nested(ValueSchema, required=True)
    period = fields.Nested(DateSpecSchema, required=True, allow_none=True)
    claimant = fields.Nested(AttributionSchema, required=True, allow_none=True)
    via = fields.String(load_default=None, allow_none=True, validate=SLUG)
    event = fields.String(load_default=None, allow_none=True, validate=SLUG)
    note = fields.String(load_default=None, allow_none=True)


class ParticipantSchema(StrictSchema):
    entity = fields.String(required=True, validate=SLUG)
    role = fields.String(required=True, validate=validate.Length(min=1))


class CitationFixture(QuotedSchema):
    """One source's account of an event, with what it states where sources differ."""

    source = fields.String(required=True, validate=SLUG)
    date = fields.Nested(DateSpecSchema, required=True, allow_none=True)
    attribution = fields.Nested(AttributionSchema, load_default=None, allow_none=True)
    actors = fields.List(fields.String(validate=SLUG), load_default=list)
    via = fields.String(load_default=None, allow_none=True, validate=SLUG)
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(EVENT_STATUSES))
    note = fields.String(load_default=None, allow_none=True)


class EventFixture(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    title = fields.String(required=True, validate=validate.Length(min=1))
    summary = fields.String(required=True, validate=validate.Length(min=1))
    status = fields.String(required=True, validate=validate.OneOf(EVENT_STATUSES))
    location = fields.String(load_default=None, allow_none=True, validate=SLUG)
    participants = fields.List(fields.Nested(ParticipantSchema), load_default=list)
    citations = fields.List(fields.Nested(CitationFixture), required=True, validate=validate.Length(min=1))
    note = fields.String(load_default=None, allow_none=True)


class ExclusionFixture(QuotedSchema):
    """A number or date expression in a text that is deliberately not a claim."""

    source = fields.String(required=True, validate=SLUG)
    reason = fields.String(required=True, validate=validate.Length(min=1))
    refers_to = fields.String(load_default=None, allow_none=True)


FIXTURE_SCHEMAS = {
    "sources": SourceFixture(),
    "entities": EntityFixture(),
    "metrics": MetricFixture(),
    "claims": ClaimFixture(),
    "figures": FigureFixture(),
    "events": EventFixture(),
    "exclusions": ExclusionFixture(),
}


# ---- A fast path for the one kind that comes by the million ----------------
#
# ``fast_load_figure`` accepts a figure record only if FigureFixture would
# accept it, and returns what FigureFixture.load would return; anything it is
# unsure of returns None, and the caller falls back to the marshmallow schema
# (which also produces the error messages).  tests/test_fastcheck.py checks
# the equivalence on the real fixtures and on generated variations.

_FIGURE_KEYS = frozenset(FigureFixture().fields)
_VALUE_KEYS = frozenset(("low", "high", "hedge", "text"))
_DATE_KEYS = frozenset(DateSpecSchema().fields)
_ATTRIBUTION_KEYS = frozenset(("entity", "as_written"))
_HEDGES = frozenset(HEDGES)
_PRECISIONS = frozenset(PRECISIONS)
_QUALIFIERS = frozenset(("early", "mid", "late", "about", "by", "as-early-as", "before", "after"))
_BOUNDS_NEEDED = {
    "exact": (True, True),
    "about": (True, True),
    "range": (True, True),
    "about_range": (True, True),
    "up_to": (False, True),
    "less_than": (False, True),
    "at_least": (True, False),
    "more_than": (True, False),
    "vague": (False, False),
}
_slug = SLUG_RE.match


def _is_slug(value) -> bool:
    return type(value) is str and _slug(value) is not None


def _opt_slug(value) -> bool:
    return value is None or _is_slug(value)


def _text(value) -> bool:
    return type(value) is str and value != ""


def _opt_str(value) -> bool:
    return value is None or type(value) is str


def _number(value):
    """Return the value as a float, or raise ValueError; None stays None."""
    if value is None:
        return None
    if type(value) is int or (type(value) is float and value == value and value not in (float("inf"), float("-inf"))):
        return float(value)
    raise ValueError


def _date_text(value):
    return str(value) if type(value) in (int, datetime.date) else value


# Periods repeat (a few thousand distinct ones in a million figures): each
# distinct spec is checked once.  The key is the spec's JSON, which tells 2025
# from "2025" and 1 from 1.0 and True; a date and its ISO string share a key,
# as _date_text treats them alike.
_DATE_CACHE: dict[bytes, dict | None] = {}
_DATE_CACHE_MAX = 1 << 16


def _fast_date(spec):
    """Return the loaded date spec as DateSpecSchema would, or raise ValueError if unsure."""
    if type(spec) is not dict:
        raise ValueError
    try:
        key = orjson.dumps(spec)
    except TypeError:  # not JSON (a key that is not a string, say): the schema decides
        raise ValueError from None
    try:
        loaded = _DATE_CACHE[key]
    except KeyError:
        try:
            loaded = _check_date(spec)
        except (KeyError, ValueError, TypeError):
            loaded = None
        if len(_DATE_CACHE) >= _DATE_CACHE_MAX:
            _DATE_CACHE.clear()
        _DATE_CACHE[key] = loaded
    if loaded is None:
        raise ValueError
    return dict(loaded)


def _check_date(spec: dict) -> dict:
    from schemas.dates import bounds

    if not spec.keys() <= _DATE_KEYS:
        raise ValueError
    # As PartialDate does: YAML reads 2025-07-02 as a date and 2025 as an int.
    start, end, resolved_from = (_date_text(spec.get(k)) for k in ("start", "end", "resolved_from"))
    precision, phrase = spec["precision"], spec["phrase"]
    qualifier = spec.get("qualifier")
    resolution = spec.get("resolution")
    if type(start) is not str or precision not in _PRECISIONS or not _text(phrase) or not _opt_str(resolution):
        raise ValueError
    if qualifier is not None and qualifier not in _QUALIFIERS:
        raise ValueError
    parts = DATE_SHAPE_BY_PRECISION[precision]
    for value in (start, end, resolved_from):
        if value is not None and (type(value) is not str or not PARTIAL_DATE_RE.match(value)):
            raise ValueError
    if len(start.split("-")) != parts or (end is not None and len(end.split("-")) != parts):
        raise ValueError
    first = bounds(start)[0]
    if end is not None and bounds(end)[1] < first:
        raise ValueError
    if resolved_from is not None:
        bounds(resolved_from)
        if not resolution:
            raise ValueError
    return {
        "start": start,
        "end": end,
        "precision": precision,
        "qualifier": qualifier,
        "phrase": phrase,
        "resolved_from": resolved_from,
        "resolution": resolution,
    }


def fast_load_figure(record) -> dict | None:
    """Return the loaded figure if it is certainly valid, else None."""
    try:
        if type(record) is not dict or not record.keys() <= _FIGURE_KEYS:
            return None
        ident, source, claim, quote, span = (
            record["id"],
            record["source"],
            record["claim"],
            record["quote"],
            record["span"],
        )
        metric, subject = record.get("metric"), record.get("subject")
        via, event, note = record.get("via"), record.get("event"), record.get("note")
        if not (_is_slug(ident) and _is_slug(source) and _is_slug(claim) and _text(quote)):
            return None
        if not (_opt_slug(metric) and _opt_slug(subject) and _opt_slug(via) and _opt_slug(event) and _opt_str(note)):
            return None
        if type(span) is not list or len(span) != 2 or type(span[0]) is not int or type(span[1]) is not int:
            return None
        if not 0 <= span[0] < span[1]:
            return None
        value = record["value"]
        if type(value) is not dict or value.keys() != _VALUE_KEYS:
            return None
        low, high, hedge = _number(value["low"]), _number(value["high"]), value["hedge"]
        if hedge not in _HEDGES or not _text(value["text"]):
            return None
        if (low is not None, high is not None) != _BOUNDS_NEEDED[hedge]:
            return None
        if (hedge in ("exact", "about") and low != high) or (low is not None and high is not None and low > high):
            return None
        period = record["period"]
        period = None if period is None else _fast_date(period)
        claimant = record["claimant"]
        if claimant is not None:
            if type(claimant) is not dict or claimant.keys() != _ATTRIBUTION_KEYS:
                return None
            entity, as_written = claimant["entity"], claimant["as_written"]
            if not _opt_slug(entity) or not _opt_str(as_written) or (entity is None and as_written is None):
                return None
            claimant = {"entity": entity, "as_written": as_written}
    except (KeyError, ValueError, TypeError):
        return None
    return {
        "quote": quote,
        "span": list(span),
        "id": ident,
        "source": source,
        "claim": claim,
        "metric": metric,
        "subject": subject,
        "value": {"low": low, "high": high, "hedge": hedge, "text": value["text"]},
        "period": period,
        "claimant": claimant,
        "via": via,
        "event": event,
        "note": note,
    }


_CLAIM_KEYS = frozenset(ClaimFixture().fields)


def fast_load_claim(record) -> dict | None:
    """Return the loaded claim if it is certainly valid, else None."""
    if type(record) is not dict or not record.keys() <= _CLAIM_KEYS:
        return None
    ident, statement = record.get("id"), record.get("statement")
    metric, subject, note = record.get("metric"), record.get("subject"), record.get("note")
    if not (_is_slug(ident) and _text(statement) and _is_slug(metric) and _is_slug(subject) and _opt_str(note)):
        return None
    return {"id": ident, "statement": statement, "metric": metric, "subject": subject, "note": note}


# The kinds whose records are numerous enough to need a fast path; each fast
# loader returns exactly what the schema's load() would, or None to let the
# schema decide (and report the problem).
FAST_LOADERS = {"figures": fast_load_figure, "claims": fast_load_claim}
