"""Shared pieces of the wire format: errors, pages, quotes, dates, references."""

import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from schemas.dates import bounds
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

# A year, a month or a real calendar day, years 0001-9999, ASCII digits only: the same pattern is
# the parameters' `pattern` in the OpenAPI document, so clients (and the fuzzer) know what is accepted.
_YEAR = "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
PARTIAL_DATE_PATTERN = f"^(?:{_YEAR}(?:-(?:0[1-9]|1[0-2]))?|{_YEAR}-{_DAY}|{_LEAP_YEAR}-02-29)$"
PARTIAL_DATE_RE = re.compile(PARTIAL_DATE_PATTERN)


# The closed vocabularies of the wire, by the name the OpenAPI document gives each (a schema of its own
# in `components`, which every field and parameter taking its values refers to): a generated client
# gets one enum class per vocabulary, not one per field. api.web.spec finds a field's vocabulary by
# its values, so two vocabularies may not have the same values.
ENUMS: dict[str, tuple[str, ...]] = {}


def named_enum(name: str, values, description: str) -> tuple[str, ...]:
    """Register the vocabulary ``values`` as the document's component ``name``; return the values."""
    values = tuple(values)
    if name in ENUMS and ENUMS[name] != values:
        raise ValueError(f"vocabulary {name} registered twice with different values")
    ENUMS[name] = values
    ENUM_DESCRIPTIONS[name] = description
    return values


ENUM_DESCRIPTIONS: dict[str, str] = {}
named_enum("EntityType", ENTITY_TYPES, "What kind of thing an entity is.")
named_enum("MetricCategory", METRIC_CATEGORIES, "The category of a metric (what its figures count).")
named_enum("Hedge", HEDGES, 'How a source qualifies a number (`up_to`: "up to 30,000").')
named_enum("DatePrecision", PRECISIONS, "How precise a date of the text is.")
named_enum("PublishedBasis", PUBLISHED_BASES, "Where a publication date comes from: the text, or the archive's line.")
named_enum("SourceStance", STANCES, "How a source stands: reporting, skeptical, supportive or opinion.")
named_enum("EventType", EVENT_TYPES, "What kind of event.")
named_enum("EventStatus", EVENT_STATUSES, "Whether an event happened, goes on, is planned or expected, or alleged.")
named_enum(
    "AssessmentStance",
    ASSESSMENT_STANCES,
    "How a party stands towards a claim: says it is true, has not confirmed it, doubts or disputes it.",
)


def meta(description, example=None, **extra):
    """Build a field's OpenAPI metadata."""
    data = {"description": description}
    if example is not None:
        data["example"] = example
    data.update(extra)
    return data


class WireSchema(Schema):
    class Meta:
        ordered = True


class QueryArgs(Schema):
    """Base of every query-string schema: unknown parameters are errors."""

    class Meta:
        unknown = RAISE
        ordered = True


class WindowDate(fields.String):
    """A date filter at any precision; ``2025`` means all of 2025."""

    def __init__(self, edge: str, **kwargs):
        self.edge = edge  # "from" uses the first day, "to" the last
        kwargs.setdefault("metadata", {})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not PARTIAL_DATE_RE.fullmatch(value):  # fullmatch: "$" alone would let a trailing newline through
            raise ValidationError("Not a date: use YYYY, YYYY-MM or YYYY-MM-DD.")
        try:
            first, last = bounds(value)
        except ValueError:
            raise ValidationError("Not a real date.") from None
        return first if self.edge == "from" else last


def window_date(edge: str, what: str, example: str):
    """A ``*_from`` (edge "from") or ``*_to`` (edge "to") date filter field."""
    if edge == "from":
        text = f"Only {what}: on or after this date (YYYY, YYYY-MM or YYYY-MM-DD; a month means its first day)."
    else:
        text = f"Only {what}: on or before this date (YYYY, YYYY-MM or YYYY-MM-DD; a month means its last day)."
    return WindowDate(edge, load_default=None, metadata=meta(text, example, pattern=PARTIAL_DATE_PATTERN))


# Query parameters that name records, by parameter name: the kind of record each one names. Their values
# may be ids or names (aliases; for sources a file name); api.web.resources.common resolves them to ids.
ID_FILTERS = {
    "subject": "entity",
    "claimant": "entity",
    "entity": "entity",
    "cites": "entity",
    "speaker": "entity",
    "about": "entity",
    "assessed_by": "entity",
    "source": "source",
    "metric": "metric",
    "claim": "claim",
    "event": "event",
}
NAMES_HELP = {
    "entity": "An id, a name or an alias (any case and punctuation: `Umerov`, `kim jong un`).",
    "source": "An id, or the archived document's file name, stem or number (`001_6b8e2fb9c51fcc7a.txt`, `001`).",
    "metric": "An id (any case).",
    "claim": "A claim key (any case).",
    "event": "An id (any case).",
}
UNKNOWN_NAME_HELP = (
    "A value that names nothing is a 422 naming the parameter and the value, with the closest known ids; "
    "a known id that matches nothing is an empty result."
)
# Windows (low, high) of the query parameters: a low above the high is an empty window (nothing matches).
WINDOWS = (("period_from", "period_to"), ("published_from", "published_to"), ("date_from", "date_to"))
VALUE_WINDOW = ("value_min", "value_max")
FULL_TEXT_HELP = (
    "Numbers match however they are written (`30,000` and `30000` alike; `25,000–30,000` finds both numbers). "
    'FTS5 syntax works: words (all required), "quoted phrases", AND, OR, NOT, NEAR(), prefix*; text that is '
    "not valid FTS5 syntax is searched as plain words instead (never an error)."
)


class ListArgs(QueryArgs):
    """Paging parameters every list takes."""

    page_size = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=500),
        metadata=meta("Items per page (1–500).", 50),
    )
    cursor = fields.String(
        load_default=None,
        validate=validate.Length(max=2000),
        metadata=meta(
            "Opaque cursor from a previous page's `next_cursor`; pages stay fast at any depth. Only a cursor this "
            "server issued for the same list and sort is valid: any other is a 400."
        ),
    )
    total = fields.Boolean(
        load_default=False,
        metadata=meta("Also count every matching row (`total` in the response). Off by default: it costs a scan."),
    )


class ErrorSchema(WireSchema):
    """An RFC 9457 problem document (served as ``application/problem+json``)."""

    type = fields.String(
        required=True,
        metadata=meta("A URI naming the kind of problem; `about:blank`: the status says it all.", "about:blank"),
    )
    title = fields.String(required=True, metadata=meta("The HTTP reason phrase.", "Unprocessable Entity"))
    status = fields.Integer(required=True, metadata=meta("The HTTP status code.", 422))
    detail = fields.String(
        required=True, metadata=meta("What went wrong, naming the parameter.", "Unknown query parameter(s): metirc")
    )
    errors = fields.Dict(
        required=True,
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata=meta(
            "Extension member: the messages of each parameter at fault; `{}` when none is.",
            {"metirc": ["Unknown field."]},
        ),
    )


class PageSchema(WireSchema):
    """Fields every list response carries besides its items."""

    page_size = fields.Integer(required=True, metadata=meta("Items per page.", 50))
    next_cursor = fields.String(
        required=True, allow_none=True, metadata=meta("Cursor for the next page; null on the last page.")
    )
    next = fields.String(required=True, allow_none=True, metadata=meta("URL of the next page; null on the last page."))
    total = fields.Integer(
        required=True, allow_none=True, metadata=meta("Number of matching items; null unless `total=true`.", 12)
    )


class QuoteSchema(WireSchema):
    text = fields.String(
        required=True, metadata=meta("The verbatim words of the source.", "up to 30,000 additional troops")
    )
    start = fields.Integer(required=True, metadata=meta("Start offset (code points) in the archived text.", 187))
    end = fields.Integer(required=True, metadata=meta("End offset (exclusive) in the archived text.", 455))


class DateSpecSchema(WireSchema):
    start = fields.String(
        required=True, metadata=meta("The date at its precision (YYYY, YYYY-MM or YYYY-MM-DD).", "2024-11")
    )
    end = fields.String(
        required=True, allow_none=True, metadata=meta("Inclusive end, for spans such as 'July or August'.", None)
    )
    precision = fields.String(
        required=True,
        metadata=meta(
            "day, week, month, season, year or decade.",
            "month",
            enum=list(PRECISIONS),
        ),
    )
    qualifier = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("early, mid, late, about, by, as-early-as, before or after.", None),
    )
    phrase = fields.String(required=True, metadata=meta("The words of the text.", "last November"))
    first_day = fields.String(required=True, metadata=meta("First day covered (ISO).", "2024-11-01"))
    last_day = fields.String(required=True, metadata=meta("Last day covered (ISO).", "2024-11-30"))
    resolved_from = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("The date a relative phrase was resolved against, or null.", "2025-07-02"),
    )
    resolution = fields.String(required=True, allow_none=True, metadata=meta("How the phrase was resolved.", None))


__all__ = [
    "ErrorSchema",
    "ID_FILTERS",
    "NAMES_HELP",
    "UNKNOWN_NAME_HELP",
    "ListArgs",
    "PageSchema",
    "QuoteSchema",
    "DateSpecSchema",
    "WindowDate",
    "window_date",
    "meta",
    "validates_schema",
]
