"""Marshmallow schemas for the hand-curated fixture files under ``fixtures/``.

These schemas check the *shape* of each record (types, enums, id syntax, date
syntax, unknown fields).  Checks that need more than one record (references,
duplicate ids, quotes against the archived texts) live in ``api.builder``.
"""

import re

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from schemas.vocabulary import (
    ASSESSMENT_STANCES,
    ENTITY_TYPES,
    EVENT_STATUSES,
    EVENT_TYPES,
    HEDGES,
    METRIC_CATEGORIES,
    PRECISIONS,
    PUBLISHED_BASES,
    STANCES,
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: "$" would accept a trailing newline
SLUG = validate.Regexp(SLUG_RE, error="must be a kebab-case slug (a-z, 0-9 and '-')")


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
    """When the source was published, with the words that say so and where they come from."""

    quote = fields.String(required=True, validate=validate.Length(min=1))
    span = Span(required=True)
    # "text": the outlet's own words; "archive-metadata": the date of the archive's
    # `Source:` line (the quote then lies inside the source's `archive_line`).
    basis = fields.String(load_default="text", validate=validate.OneOf(PUBLISHED_BASES))


class ReferenceDateSchema(StrictSchema):
    """The date relative phrases in a source are resolved against.

    Without a publication date it is assumed (``basis`` starts "assumed"); when
    it is taken from a date the text gives ("Dec. 23"), ``quote`` and ``span``
    hold those words, and ``outside_text`` says which part of the date (the
    year) comes from outside the text, and from where.
    """

    date = PartialDate(required=True)
    basis = fields.String(required=True, validate=validate.Length(min=1))
    quote = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1))
    span = Span(load_default=None, allow_none=True)
    outside_text = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1))

    @validates_schema
    def check_quote(self, data, **kwargs):
        if (data.get("quote") is None) != (data.get("span") is None):
            raise ValidationError("quote and span go together", "span")
        if data.get("outside_text") and not data["basis"].startswith("assumed"):
            raise ValidationError(
                "a date completed from outside the text is assumed: start basis with 'assumed'", "basis"
            )


class SourceFixture(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    filename = fields.String(required=True, validate=validate.Regexp(r"^[\w.-]+\.txt$"))
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    char_count = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = fields.String(required=True, allow_none=True)
    title_span = Span(load_default=None, allow_none=True)
    outlet = fields.String(required=True, allow_none=True, validate=SLUG)
    # The line the archive wrote when it saved the page ("Source: <outlet>[, <date>]"):
    # metadata, not the outlet's words; `outlet` and `published` (basis archive-metadata) come from it.
    archive_line = fields.Nested(QuotedSchema, load_default=None, allow_none=True)
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
        pub, line = data.get("published"), data.get("archive_line")
        if pub and pub["basis"] == "archive-metadata":
            if not line:
                raise ValidationError("a date from archive metadata needs the source's archive_line", "published")
            if not (line["span"][0] <= pub["span"][0] and pub["span"][1] <= line["span"][1]):
                raise ValidationError("a date from archive metadata lies inside the archive_line", "published")
        ref = data.get("reference_date")
        if ref and pub is None and not ref["basis"].startswith("assumed"):
            raise ValidationError(
                "without a publication date the reference date is assumed: start basis with 'assumed'", "reference_date"
            )


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
    # The general terms that name what the metric counts, and terms of which one must stand next to
    # the number too; the drafting assistant files a number under the metric whose words it finds.
    words = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    requires = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    # Metrics this one replaces when its words stand anywhere in the number's clause (a plan word
    # makes a sending a plan).
    overrides = fields.List(fields.String(validate=SLUG), load_default=list)


class ClaimFixture(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    statement = fields.String(required=True, validate=validate.Length(min=1))
    metric = fields.String(required=True, validate=SLUG)
    subject = fields.String(required=True, validate=SLUG)
    # Other claim keys that estimate the same quantity in another way (a phased deployment beside
    # the headline size): their values are compared with this claim's as a ``quantity`` discrepancy.
    same_quantity_as = fields.List(fields.String(validate=SLUG), load_default=list)
    # Other claim keys that answer the same question with another measure (the first contingent's
    # losses: killed, killed or wounded, casualties): linked, never compared as one quantity.
    same_question_as = fields.List(fields.String(validate=SLUG), load_default=list)
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
    # Where this source says it happened, when it says (null: it names no place).
    location = fields.String(load_default=None, allow_none=True, validate=SLUG)
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
    """A number, date or attribution cue in a text that is deliberately not a claim."""

    source = fields.String(required=True, validate=SLUG)
    reason = fields.String(required=True, validate=validate.Length(min=1))
    refers_to = fields.String(load_default=None, allow_none=True)


class StatementFixture(QuotedSchema):
    """An attributed statement that carries no number of its own: who said what, with the cue verb as written."""

    id = fields.String(required=True, validate=SLUG)
    source = fields.String(required=True, validate=SLUG)
    speaker = fields.Nested(AttributionSchema, required=True)
    cue = fields.String(required=True, validate=validate.Length(min=1))
    about = fields.List(fields.String(validate=SLUG), load_default=list)
    via = fields.String(load_default=None, allow_none=True, validate=SLUG)
    note = fields.String(load_default=None, allow_none=True)


class AssessmentFixture(QuotedSchema):
    """A party's stance towards a claim, as one source reports it."""

    id = fields.String(required=True, validate=SLUG)
    claim = fields.String(required=True, validate=SLUG)
    source = fields.String(required=True, validate=SLUG)
    entity = fields.String(required=True, allow_none=True, validate=SLUG)
    as_written = fields.String(required=True, validate=validate.Length(min=1))
    stance = fields.String(required=True, validate=validate.OneOf(ASSESSMENT_STANCES))
    note = fields.String(load_default=None, allow_none=True)


class MentionFixture(StrictSchema):
    """One place a source names an entity: the spelling as written, its span and the sentence around it.

    Written by ``python -m api.curate.mentions`` from the archived text and the entities' names.
    """

    source = fields.String(required=True, validate=SLUG)
    entity = fields.String(required=True, validate=SLUG)
    as_written = fields.String(required=True, validate=validate.Length(min=1))
    span = Span(required=True)
    quote = fields.String(required=True, validate=validate.Length(min=1))
    quote_span = Span(required=True)


FIXTURE_SCHEMAS = {
    "sources": SourceFixture(),
    "entities": EntityFixture(),
    "metrics": MetricFixture(),
    "claims": ClaimFixture(),
    "figures": FigureFixture(),
    "events": EventFixture(),
    "exclusions": ExclusionFixture(),
    "statements": StatementFixture(),
    "assessments": AssessmentFixture(),
    "mentions": MentionFixture(),
}
