"""Wire format and query parameters of figures."""

from marshmallow import fields, validate

from schemas.common import (
    FULL_TEXT_HELP,
    ID_FILTERS,
    NAMES_HELP,
    UNKNOWN_NAME_HELP,
    DateSpecSchema,
    ListArgs,
    PageSchema,
    QuoteSchema,
    WireSchema,
    meta,
    named_enum,
    window_date,
)
from schemas.vocabulary import HEDGES, METRIC_CATEGORIES

FIGURE_SORT_KEYS = ("published", "published_or_assumed", "period", "value", "source", "metric", "claimant", "id")
# What an export at its own URL (/api/v1/figures.csv) leaves out: it streams every match, in the URL's format.
EXPORT_EXCLUDE = ("page_size", "cursor", "total")


def repeated(description, example, name):
    """An id filter: ``name`` is the parameter, whose kind of record schemas.common.ID_FILTERS gives."""
    help_text = f"{description} {NAMES_HELP[ID_FILTERS[name]]} Repeat the parameter to match any of several. "
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=None,
        metadata=meta(help_text + UNKNOWN_NAME_HELP, [example]),
    )


def sort_field(keys, default, example, explain: str = ""):
    pattern = r"^-?(" + "|".join(keys) + r")(,-?(" + "|".join(keys) + r"))*$"
    return fields.String(
        load_default=default,
        validate=validate.Regexp(
            pattern,
            error="Unknown sort key: use a comma list of " + ", ".join(keys) + ", each optionally prefixed by '-'.",
        ),
        metadata=meta(
            "Comma list of sort keys (" + ", ".join(keys) + "); prefix a key with '-' for descending. "
            "The id is always the final tie-breaker." + (" " + explain if explain else ""),
            example,
        ),
    )


def known_at_field():
    return fields.Date(
        load_default=None,
        metadata=meta(
            "What was known on this date: only sources published on or before it. "
            "Sources with no publication date are left out (they cannot be placed in time), "
            "unless `known_at_basis=assumed`.",
            "2025-07-02",
        ),
    )


KNOWN_AT_BASES = named_enum("KnownAtBasis", ("published", "assumed"), "What dates `known_at` goes by.")


def known_at_basis_field():
    return fields.String(
        load_default="published",
        validate=validate.OneOf(KNOWN_AT_BASES),
        metadata=meta(
            "What dates `known_at` goes by. `published` (default): a source counts from the publication date "
            "its text gives; sources without one are left out. `assumed`: a source without a stated date counts "
            "from its assumed reference date (the source's `reference_date`, `assumed: true`), and every record "
            "gets `known_from` {date, assumed}: `assumed: true` marks a record known only through an assumed date. "
            "CSV and NDJSON figure exports mark such rows by an empty `source_published`. "
            "A claim's `first_published` and `first_source` and an event's `first_reported` stay on stated dates. "
            "On /figures the sort key `published_or_assumed` orders by the same dates as `assumed`.",
            "assumed",
        ),
    )


class KnownFromSchema(WireSchema):
    date = fields.String(required=True, metadata=meta("The day the record counts as known (ISO).", "2025-07-02"))
    assumed = fields.Boolean(
        required=True,
        metadata=meta("True when the day is an assumed reference date: no text gives a publication date for it.", True),
    )


def known_from_field(
    what: str = "the record",
    present: str = "`known_at_basis=assumed` (figures: or the sort key `published_or_assumed`)",
):
    return fields.Nested(
        KnownFromSchema,
        allow_none=True,
        metadata=meta(
            f"When {what} counts as known: the earliest stated publication date of its sources, else the earliest "
            f"assumed reference date (`assumed: true`; a stated date wins a tie). Present only with {present}."
        ),
    )


class FigureQueryArgs(ListArgs):
    metric = repeated("Metric id.", "troops-additional-planned", "metric")
    category = fields.List(
        fields.String(validate=validate.OneOf(METRIC_CATEGORIES)),
        load_default=None,
        metadata=meta("Metric category. Repeat to match any of several.", ["troops"]),
    )
    subject = repeated("Subject entity id (what the number is about).", "north-korea", "subject")
    claimant = repeated("Claimant entity id (who made the claim).", "ukrainian-officials", "claimant")
    source = repeated("Source id (the article that reports it).", "nk-preparing-up-to-30000-more-troops", "source")
    claim = repeated("Claim key.", "nk-additional-deployment-size", "claim")
    hedge = fields.List(
        fields.String(validate=validate.OneOf(HEDGES)),
        load_default=None,
        metadata=meta("How the value is hedged. Repeat to match any of several.", ["up_to"]),
    )
    event = repeated("Event id the figure describes.", "shoigu-visits-pyongyang-2025-06", "event")
    period_from = window_date("from", "figures whose period overlaps the window", "2024")
    period_to = window_date("to", "figures whose period overlaps the window", "2024-12")
    published_from = window_date("from", "figures whose source was published in the window", "2025-07")
    published_to = window_date("to", "figures whose source was published in the window", "2025-07-31")
    value_min = fields.Float(
        load_default=None,
        allow_nan=False,
        metadata=meta(
            "Figures whose [low, high] interval reaches this value (an open bound counts as unbounded; vague figures never match).",
            20000,
        ),
    )
    value_max = fields.Float(
        load_default=None,
        allow_nan=False,
        metadata=meta("Figures whose [low, high] interval reaches down to this value.", 30000),
    )
    q = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=500),
        metadata=meta(
            "Full-text search in each figure's quote, value as written and attribution. " + FULL_TEXT_HELP, "Pokrovsk"
        ),
    )
    known_at = known_at_field()
    known_at_basis = known_at_basis_field()
    sort = sort_field(
        FIGURE_SORT_KEYS,
        "id",
        "source,period",
        "`source` orders by the document's file number (000, 001…, as `/sources/001` resolves); "
        "a file without a number sorts after them, by name.",
    )


class FigureExportArgs(FigureQueryArgs):
    """The filters and sort of /figures, for an export of every match."""

    class Meta(FigureQueryArgs.Meta):
        exclude = EXPORT_EXCLUDE


class ValueSchema(WireSchema):
    low = fields.Float(required=True, allow_none=True, metadata=meta("Lower bound; null when open.", None))
    high = fields.Float(required=True, allow_none=True, metadata=meta("Upper bound; null when open.", 30000))
    hedge = fields.String(
        required=True,
        metadata=meta(
            "exact, about, up_to, at_least, more_than, less_than, range, about_range or vague.",
            "up_to",
            enum=list(HEDGES),
        ),
    )
    text = fields.String(required=True, metadata=meta("The value as written.", "up to 30,000"))
    unit = fields.String(required=True, metadata=meta("Unit of the metric.", "troops"))


class MetricRefSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Metric id.", "troops-additional-planned"))
    label = fields.String(required=True, metadata=meta("Label.", "Additional troops planned"))
    unit = fields.String(required=True, metadata=meta("Unit.", "troops"))
    category = fields.String(required=True, metadata=meta("Category.", "troops", enum=list(METRIC_CATEGORIES)))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/metrics/troops-additional-planned"))


class EntityRefSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Entity id.", "north-korea"))
    name = fields.String(required=True, metadata=meta("Name.", "North Korea"))
    type = fields.String(required=True, metadata=meta("Entity type.", "country"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/entities/north-korea"))


class ClaimantSchema(WireSchema):
    id = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("Entity id, where the attribution names one.", "ukrainian-officials"),
    )
    name = fields.String(required=True, allow_none=True, metadata=meta("Entity name.", "Ukrainian officials"))
    attribution = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("The attribution as the source words it.", "Ukrainian officials told CNN"),
    )
    url = fields.String(
        required=True, allow_none=True, metadata=meta("Link to the entity.", "/api/v1/entities/ukrainian-officials")
    )


class PublishedSchema(WireSchema):
    date = fields.String(required=True, metadata=meta("Publication date at its precision.", "2025-07-02"))
    precision = fields.String(required=True, metadata=meta("Precision of the date.", "day"))
    first_day = fields.String(required=True, metadata=meta("First day (ISO).", "2025-07-02"))


class SourceRefSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Source id.", "nk-preparing-up-to-30000-more-troops"))
    title = fields.String(required=True, allow_none=True, metadata=meta("Title; null where the text has none.", None))
    outlet = fields.String(
        required=True, allow_none=True, metadata=meta("Outlet entity id; null where the text does not name it.", None)
    )
    published = fields.Nested(
        PublishedSchema,
        required=True,
        allow_none=True,
        metadata=meta("Publication date; null where the text gives none."),
    )
    stance = fields.String(required=True, metadata=meta("reporting, skeptical, …", "reporting"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/sources/nk-preparing-up-to-30000-more-troops"))


class LinkSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Id.", "nk-additional-deployment-size"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/claims/nk-additional-deployment-size"))


class EventLinkSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Event id.", "shoigu-visits-pyongyang-2025-06"))
    title = fields.String(required=True, metadata=meta("Event title.", "Sergei Shoigu visits Pyongyang"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/events/shoigu-visits-pyongyang-2025-06"))


class FigureSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Stable figure id.", "s002-additional-troops-up-to-30000"))
    url = fields.String(
        required=True, metadata=meta("Link to this figure.", "/api/v1/figures/s002-additional-troops-up-to-30000")
    )
    claim = fields.Nested(LinkSchema, required=True, metadata=meta("The claim key this figure reports."))
    metric = fields.Nested(MetricRefSchema, required=True)
    subject = fields.Nested(EntityRefSchema, required=True, metadata=meta("What the number is about."))
    value = fields.Nested(ValueSchema, required=True)
    period = fields.Nested(
        DateSpecSchema,
        required=True,
        allow_none=True,
        metadata=meta("When the number refers to; null where the text does not say."),
    )
    claimant = fields.Nested(
        ClaimantSchema,
        required=True,
        allow_none=True,
        metadata=meta("Who made the claim; null where the source does not attribute it."),
    )
    via = fields.Nested(
        EntityRefSchema,
        required=True,
        allow_none=True,
        metadata=meta("The outlet the source reports it through (e.g. CNN)."),
    )
    source = fields.Nested(SourceRefSchema, required=True, metadata=meta("The article that reports it."))
    quote = fields.Nested(
        QuoteSchema, required=True, metadata=meta("The verbatim words and their span in the archived text.")
    )
    event = fields.Nested(EventLinkSchema, required=True, allow_none=True)
    origin = fields.String(
        required=True,
        metadata=meta("Independent origin: the intermediary when there is one, else the source.", "entity:cnn"),
    )
    note = fields.String(
        required=True, allow_none=True, metadata=meta("Curator's note; outside knowledge is marked.", None)
    )
    known_from = known_from_field("the figure")


class FigureListSchema(PageSchema):
    items = fields.List(fields.Nested(FigureSchema), required=True)


FACETS = named_enum(
    "FacetField",
    ("metric", "category", "subject", "claimant", "source", "hedge", "claim"),
    "A field to count figures by.",
)


class FigureFacetArgs(FigureQueryArgs):
    """The filters of /figures, and which field to count the matching figures by."""

    class Meta(FigureQueryArgs.Meta):
        exclude = ("page_size", "cursor", "total", "sort")

    facet = fields.String(
        required=True,
        validate=validate.OneOf(FACETS),
        metadata=meta("Count the matching figures by this field: " + ", ".join(FACETS) + ".", "metric"),
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=1000),
        metadata=meta("How many values to return, most frequent first (1–1000).", 100),
    )


class FacetValueSchema(WireSchema):
    value = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("The field's value (an id, category or hedge); null where figures have none.", "troops-deployed"),
    )
    count = fields.Integer(required=True, metadata=meta("How many matching figures have it.", 12))
    url = fields.String(
        required=True, allow_none=True, metadata=meta("Link to the record the value names.", "/api/v1/metrics/troops")
    )


class FigureFacetSchema(WireSchema):
    facet = fields.String(required=True, metadata=meta("The field counted.", "metric"))
    items = fields.List(
        fields.Nested(FacetValueSchema), required=True, metadata=meta("Values, most frequent first (ties by value).")
    )
    total = fields.Integer(required=True, metadata=meta("Matching figures in all (over every value).", 56))
    complete = fields.Boolean(required=True, metadata=meta("False when more values exist than `limit` returned.", True))
