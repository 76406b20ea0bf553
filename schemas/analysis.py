"""Wire format and query parameters of the cross-source analysis endpoints."""

from marshmallow import fields, validate

from schemas.common import (
    FULL_TEXT_HELP,
    NAMES_HELP,
    UNKNOWN_NAME_HELP,
    DateSpecSchema,
    ListArgs,
    PageSchema,
    QueryArgs,
    QuoteSchema,
    WireSchema,
    meta,
    named_enum,
    window_date,
)
from schemas.figures import (
    EXPORT_EXCLUDE,
    ClaimantSchema,
    EntityRefSchema,
    KnownFromSchema,
    LinkSchema,
    MetricRefSchema,
    ValueSchema,
    known_at_basis_field,
    known_at_field,
    known_from_field,
    repeated,
    sort_field,
)

DISCREPANCY_KINDS = named_enum(
    "DiscrepancyKind",
    ("value", "quantity", "hedge", "claimant", "event_date", "event_attribution", "wording"),
    "The kind of difference between sources.",
)
SEARCH_TYPES = named_enum(
    "SearchType", ("figure", "entity", "event", "source", "claim", "statement"), "The kind of record a result is."
)
TIMELINE_KINDS = named_enum("TimelineKind", ("event", "figure"), "The kind of record an entry of the timeline is.")
DISCREPANCY_RECORD_TYPES = named_enum(
    "DiscrepancyRecordType", ("claim", "event", "entity"), "The kind of record a discrepancy is about."
)

# ---- shared pieces ---------------------------------------------------------

# How the versions of a discrepancy relate (api/values.py computes it).
RELATIONS = named_enum(
    "Relation",
    ("same", "compatible", "conflicting"),
    "How versions relate: the same, compatible (one holds or refines the other) or conflicting (disjoint).",
)
# How a report's value moved from the one before it (api/values.py computes it).
CHANGES = named_enum("ValueChange", ("raised", "lowered", "narrowed", "widened", "none"), "How a value moved.")


class SourceStampSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Source id.", "nk-preparing-up-to-30000-more-troops"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/sources/nk-preparing-up-to-30000-more-troops"))
    published = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("First day of the publication date; null where the text gives none.", "2025-07-02"),
    )


# ---- discrepancies ---------------------------------------------------------


class DiscrepancyQueryArgs(ListArgs):
    kind = fields.List(
        fields.String(validate=validate.OneOf(DISCREPANCY_KINDS)),
        load_default=None,
        metadata=meta(
            "Kind of difference: value, hedge, claimant (figures of one claim), quantity (a claim's values "
            "beside those of claims that estimate the same quantity another way), event_date or "
            "event_attribution (citations of one event), wording (one named speaker's statements about one "
            "entity, or the citations of one event credited to one named speaker, in different words across "
            "sources). Repeat to match any of several.",
            ["hedge"],
        ),
    )
    entity = repeated(
        "Entity id: the claim's subject or a claimant of its figures, or the event's location or a participant.",
        "north-korea",
        "entity",
    )
    metric = repeated(
        "Metric id of the claim (event discrepancies have no metric and are left out).", "troops-deployed", "metric"
    )
    source = repeated(
        "Only discrepancies that involve this source (in any variant).", "cnn-nk-up-to-30000-troops", "source"
    )
    relation = fields.List(
        fields.String(validate=validate.OneOf(RELATIONS)),
        load_default=None,
        metadata=meta(
            "How the versions relate: same, compatible (one interval holds or overlaps the other, e.g. "
            "'up to 30,000' and '25,000–30,000') or conflicting (disjoint, e.g. '10,000–20,000' and "
            "'25,000–30,000'). Kinds value, hedge and event_date have one; claimant and "
            "event_attribution none. Repeat to match any of several.",
            ["conflicting"],
        ),
    )
    known_at = known_at_field()
    known_at_basis = known_at_basis_field()
    sort = fields.String(
        load_default="id",
        validate=validate.OneOf(
            named_enum(
                "DiscrepancySort", ("id", "known"), "An order of discrepancies: by id, or by when they became known."
            )
        ),
        metadata=meta(
            "`id` (default) or `known`: by the date each discrepancy became known (every version known: its "
            "`known_from`, a stated date before an assumed one on the same day; never known last), then id.",
            "known",
        ),
    )


class DiscrepancyRecordSchema(WireSchema):
    type = fields.String(
        required=True,
        metadata=meta(
            "claim, event, or entity (kind wording: what the speaker's statements are about).",
            "claim",
            enum=list(DISCREPANCY_RECORD_TYPES),
        ),
    )
    id = fields.String(
        required=True, metadata=meta("Claim key, event id or entity id.", "nk-additional-deployment-size")
    )
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/claims/nk-additional-deployment-size"))
    title = fields.String(
        required=True, metadata=meta("The claim's statement or the event's title.", "North Korea is preparing …")
    )


class VariantDateSchema(WireSchema):
    start = fields.String(required=True, metadata=meta("The date at its precision.", "2025-05"))
    end = fields.String(required=True, allow_none=True, metadata=meta("Inclusive end of a span.", None))
    precision = fields.String(required=True, metadata=meta("Precision.", "month"))
    qualifier = fields.String(required=True, allow_none=True, metadata=meta("Qualifier (early, by, …).", None))
    first_day = fields.String(required=True, metadata=meta("First day covered.", "2025-05-01"))
    last_day = fields.String(required=True, metadata=meta("Last day covered.", "2025-05-31"))


class VariantValueSchema(WireSchema):
    """What the sources of one variant agree on; the fields present depend on the kind."""

    low = fields.Float(allow_none=True, metadata=meta("kinds value, quantity: lower bound (null when open).", 25000))
    high = fields.Float(allow_none=True, metadata=meta("kinds value, quantity: upper bound (null when open).", 30000))
    hedge = fields.String(metadata=meta("kind hedge: the hedge.", "up_to"))
    texts = fields.List(
        fields.String(),
        metadata=meta(
            "kinds value, quantity and hedge: each distinct value as written; kind wording: the words quoted.",
            ["up to 30,000"],
        ),
    )
    cues = fields.List(
        fields.String(), metadata=meta("kind wording: the verbs that introduce a statement, as written.", ["warned"])
    )
    claims = fields.List(
        fields.String(),
        metadata=meta("kind quantity: the claim keys whose figures give this value.", ["town-phased-deployment"]),
    )
    entity = fields.Nested(
        EntityRefSchema,
        allow_none=True,
        metadata=meta(
            "kinds claimant and event_attribution: the entity credited (null when none is named); kind wording: "
            "the speaker."
        ),
    )
    attributions = fields.List(
        fields.String(),
        metadata=meta(
            "kinds claimant, event_attribution and wording: each distinct wording of the attribution or speaker.",
            ["Ukrainian officials"],
        ),
    )
    actors = fields.List(
        fields.Nested(EntityRefSchema), metadata=meta("kind event_attribution: who the sources say did it.")
    )
    date = fields.Nested(VariantDateSchema, metadata=meta("kind event_date: the date these sources give."))
    phrases = fields.List(
        fields.String(), metadata=meta("kind event_date: each distinct wording of the date.", ["in May"])
    )


class VariantQuoteSchema(WireSchema):
    source = fields.String(required=True, metadata=meta("Source id.", "nk-plans-30000-more-troops"))
    text = fields.String(required=True, metadata=meta("The verbatim words.", "up to 30,000 additional troops"))
    start = fields.Integer(required=True, metadata=meta("Start offset in the archived text.", 187))
    end = fields.Integer(required=True, metadata=meta("End offset (exclusive).", 455))
    figure = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("The figure quoted (null for event citations).", "s000-additional-troops-up-to-30000"),
    )


class DiscrepancyVariantSchema(WireSchema):
    label = fields.String(required=True, metadata=meta("The variant in words.", "up_to: up to 30,000"))
    value = fields.Nested(VariantValueSchema, required=True)
    sources = fields.List(
        fields.Nested(SourceStampSchema),
        required=True,
        metadata=meta("Sources giving this variant, by publication date (undated last)."),
    )
    quotes = fields.List(fields.Nested(VariantQuoteSchema), required=True, metadata=meta("Their words."))


class DiscrepancySchema(WireSchema):
    id = fields.String(
        required=True,
        metadata=meta(
            "Stable id: <kind>:<record id> (kind wording: <kind>:<record id>:<speaker id>).",
            "hedge:nk-additional-deployment-size",
        ),
    )
    kind = fields.String(required=True, metadata=meta("Kind of difference.", "hedge", enum=list(DISCREPANCY_KINDS)))
    relation = fields.String(
        required=True,
        allow_none=True,
        metadata=meta(
            "same, compatible (the values or dates overlap: one holds or refines the other) or conflicting "
            "(disjoint); null for kinds claimant, event_attribution and wording, or when a version gives no number. "
            "An 'about' value counts with a 10% margin.",
            "compatible",
            enum=[*RELATIONS, None],
        ),
    )
    record = fields.Nested(
        DiscrepancyRecordSchema, required=True, metadata=meta("The claim or event the sources differ on.")
    )
    variants = fields.List(
        fields.Nested(DiscrepancyVariantSchema),
        required=True,
        metadata=meta("Two or more versions; figures or citations that agree share one."),
    )
    known_from = known_from_field(
        "the discrepancy (every version known: the latest of the versions' earliest dates)",
        "`known_at_basis=assumed` or `sort=known`",
    )


class DiscrepancyListSchema(PageSchema):
    items = fields.List(fields.Nested(DiscrepancySchema), required=True)


# ---- timeline --------------------------------------------------------------


class TimelineQueryArgs(QueryArgs):
    date_from = window_date("from", "items whose date overlaps the window", "2025-06")
    date_to = window_date("to", "items whose date overlaps the window", "2025-06")
    entity = repeated(
        "Entity id: an event's location or participant, or a figure's subject or claimant.", "sergei-shoigu", "entity"
    )
    kind = fields.List(
        fields.String(validate=validate.OneOf(TIMELINE_KINDS)),
        load_default=None,
        metadata=meta("event or figure. Repeat to match both.", ["event"]),
    )
    known_at = known_at_field()
    known_at_basis = known_at_basis_field()
    sort = fields.String(
        load_default="date",
        validate=validate.OneOf(
            named_enum(
                "TimelineSort",
                ("date", "known"),
                "An order of the timeline: by the date of what happened, or by when it became known.",
            )
        ),
        metadata=meta(
            "`date` (default): by the date each entry is about (first day, last day, kind, id). `known`: by the "
            "date each entry became known (its `known_from`: the stated publication date, else the assumed "
            "reference date, marked `assumed`; a stated date before an assumed one on the same day; never known "
            "last), then as `date`. `undated` follows the same order.",
            "known",
        ),
    )


class TimelineWhenSchema(WireSchema):
    start = fields.String(required=True, metadata=meta("The date at its precision.", "2025-06-17"))
    end = fields.String(required=True, allow_none=True, metadata=meta("Inclusive end of a span.", None))
    precision = fields.String(required=True, metadata=meta("Precision.", "day"))
    qualifier = fields.String(required=True, allow_none=True, metadata=meta("Qualifier.", None))
    phrase = fields.String(required=True, metadata=meta("The words of the text.", "on June 17"))
    first_day = fields.String(required=True, metadata=meta("First day covered.", "2025-06-17"))
    last_day = fields.String(required=True, metadata=meta("Last day covered.", "2025-06-17"))
    source = fields.String(
        required=True,
        metadata=meta(
            "The source giving this date (for an event, the narrowest date any visible citation gives).",
            "nk-preparing-up-to-30000-more-troops",
        ),
    )


class TimelineFirstReportedSchema(WireSchema):
    published = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("Earliest known publication date of a reporting source; null when none is dated.", "2025-07-02"),
    )
    sources = fields.List(
        fields.Nested(SourceStampSchema),
        required=True,
        metadata=meta("The sources published on that date, or every reporting source when none is dated."),
    )
    attribution = fields.List(
        fields.Nested(ClaimantSchema),
        required=True,
        metadata=meta("Who those sources credit: the figure's claimant, or the event citations' attributions."),
    )


class TimelineEntrySchema(WireSchema):
    kind = fields.String(required=True, metadata=meta("event or figure.", "event", enum=list(TIMELINE_KINDS)))
    id = fields.String(required=True, metadata=meta("Event or figure id.", "shoigu-visits-pyongyang-2025-06"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/events/shoigu-visits-pyongyang-2025-06"))
    title = fields.String(
        required=True,
        metadata=meta(
            "The event's title, or '<metric>: <value> (<subject>)' for a figure.", "Sergei Shoigu visits Pyongyang"
        ),
    )
    when = fields.Nested(
        TimelineWhenSchema, required=True, allow_none=True, metadata=meta("When; null for undated events.")
    )
    first_reported = fields.Nested(
        TimelineFirstReportedSchema,
        required=True,
        metadata=meta("On stated publication dates only (never assumed ones)."),
    )
    known_from = known_from_field("the entry", "`known_at_basis=assumed` or `sort=known`")


class TimelineSchema(WireSchema):
    items = fields.List(
        fields.Nested(TimelineEntrySchema),
        required=True,
        metadata=meta("Dated events and figures by first day, last day, kind and id."),
    )
    undated = fields.List(
        fields.Nested(TimelineEntrySchema),
        required=True,
        metadata=meta("Events no (visible) source dates, by id; listed whatever the date window."),
    )


# ---- search ----------------------------------------------------------------


class SearchQueryArgs(ListArgs):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata=meta(
            "Full-text query over figures (quote, value as written, attribution), entities (name, aliases, "
            "description), events (title, summary, each citation's quote), sources (title, author) and claims "
            "(key, statement). " + FULL_TEXT_HELP,
            "Kiev",
        ),
    )
    type = fields.List(
        fields.String(validate=validate.OneOf(SEARCH_TYPES)),
        load_default=None,
        metadata=meta("Record type. Repeat to match any of several.", ["entity"]),
    )


class SearchResultSchema(WireSchema):
    type = fields.String(required=True, metadata=meta("Record type.", "entity", enum=list(SEARCH_TYPES)))
    id = fields.String(required=True, metadata=meta("Record id.", "kyiv"))
    url = fields.String(required=True, metadata=meta("Link to the record.", "/api/v1/entities/kyiv"))
    title = fields.String(required=True, metadata=meta("The record's name, title or statement.", "Kyiv"))
    snippet = fields.String(
        required=True,
        metadata=meta("The best matching words, marked with <mark></mark>.", "Kyiv | <mark>Kiev</mark> …"),
    )
    matched = fields.String(
        required=True,
        metadata=meta(
            "What matched: the record itself, or event_citation for a source's words about an event.", "entity"
        ),
    )
    score = fields.Float(
        required=True,
        metadata=meta(
            "Relevance: SQLite's bm25 negated, so higher is better (a record's best match; names, titles and "
            "quotes weigh double). Comparable within one query only.",
            3.2,
        ),
    )


class SearchResultListSchema(PageSchema):
    items = fields.List(
        fields.Nested(SearchResultSchema), required=True, metadata=meta("Best match first, one per record.")
    )


# ---- metric summary and chart ----------------------------------------------


class MetricSummaryQueryArgs(QueryArgs):
    subject = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata=meta(
            "Subject entity (what the numbers are about); all subjects when absent. "
            + NAMES_HELP["entity"]
            + " "
            + UNKNOWN_NAME_HELP,
            "north-korea",
        ),
    )
    known_at = known_at_field()
    known_at_basis = known_at_basis_field()


class MetricChartQueryArgs(MetricSummaryQueryArgs):
    axis = fields.String(
        load_default="value",
        validate=validate.OneOf(
            named_enum(
                "ChartAxis",
                ("value", "known"),
                "What a chart plots along x: the value, or when each estimate became known.",
            )
        ),
        metadata=meta(
            "`value` (default): one row per figure along the value axis, grouped by claimant. `known`: every "
            "estimate of the metric and of the claims linked to its claims as answers to one question, at the date "
            "it became known (x) and its value (y).",
            "known",
        ),
    )


class SummaryFigureSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Figure id.", "s002-additional-troops-up-to-30000"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/figures/s002-additional-troops-up-to-30000"))
    subject = fields.Nested(EntityRefSchema, required=True)
    value = fields.Nested(ValueSchema, required=True)
    period = fields.Nested(DateSpecSchema, required=True, allow_none=True)
    attribution = fields.String(
        required=True, allow_none=True, metadata=meta("The attribution as the source words it.", "intelligence reports")
    )
    source = fields.Nested(SourceStampSchema, required=True)
    quote = fields.Nested(VariantQuoteSchema, required=True)
    known_from = known_from_field("the figure")


class SummaryClaimantSchema(WireSchema):
    key = fields.String(
        required=True,
        allow_none=True,
        metadata=meta(
            "The claimant: entity id, or the wording when no entity is named; null when unattributed.",
            "ukrainian-officials",
        ),
    )
    claimant = fields.Nested(ClaimantSchema, required=True, allow_none=True)
    figure_count = fields.Integer(required=True, metadata=meta("Figures credited to this claimant.", 3))
    latest = fields.Nested(
        SummaryFigureSchema,
        required=True,
        metadata=meta("The most recent figure: latest source publication date, undated sources last."),
    )
    figures = fields.List(fields.String(), required=True, metadata=meta("Every figure id, most recent first."))


class SummaryRangeSchema(WireSchema):
    """The interval that holds every figure's value, as a claim's spread: open and vague figures stay so."""

    low = fields.Float(
        required=True,
        allow_none=True,
        metadata=meta("Lowest bound any figure gives; null when a figure is open below or none gives a number.", 25000),
    )
    high = fields.Float(
        required=True,
        allow_none=True,
        metadata=meta("Highest bound any figure gives; null when a figure is open above or none gives a number.", None),
    )
    open_low = fields.Boolean(required=True, metadata=meta("Some figure is open below (up to, less than).", False))
    open_high = fields.Boolean(required=True, metadata=meta("Some figure is open above (at least, more than).", True))
    vague = fields.Boolean(
        required=True, metadata=meta("Some figure gives no number (hundreds, tens of thousands).", False)
    )
    approximate = fields.Boolean(required=True, metadata=meta("Some figure is approximate (about, roughly).", False))


class SummaryCountsSchema(WireSchema):
    figures = fields.Integer(required=True, metadata=meta("Figures.", 8))
    sources = fields.Integer(required=True, metadata=meta("Sources reporting them.", 5))
    claimants = fields.Integer(required=True, metadata=meta("Distinct claimants (unattributed counts as one).", 4))
    claims = fields.Integer(required=True, metadata=meta("Claim keys.", 1))


class MetricSummarySchema(WireSchema):
    metric = fields.Nested(MetricRefSchema, required=True)
    subject = fields.Nested(EntityRefSchema, required=True, allow_none=True, metadata=meta("The subject asked for."))
    counts = fields.Nested(SummaryCountsSchema, required=True)
    range = fields.Nested(SummaryRangeSchema, required=True)
    claimants = fields.List(
        fields.Nested(SummaryClaimantSchema),
        required=True,
        metadata=meta("One per claimant, most figures first."),
    )
    chart = fields.String(
        required=True,
        metadata=meta(
            "Link to the SVG chart.", "/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea"
        ),
    )


# ---- claim history ----------------------------------------------------------


class HistoryQueryArgs(ListArgs):
    known_at = known_at_field()
    known_at_basis = known_at_basis_field()
    sort = sort_field(("known", "id"), "known", "known")


class HistoryExportArgs(HistoryQueryArgs):
    """The filters and sort of a claim's history, for an export of every report."""

    class Meta(HistoryQueryArgs.Meta):
        exclude = EXPORT_EXCLUDE


class HistoryReportSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("The figure: one report.", "s002-additional-troops-up-to-30000"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/figures/s002-additional-troops-up-to-30000"))
    claim = fields.Nested(
        LinkSchema, required=True, metadata=meta("The claim it reports: the one asked for or one linked to it.")
    )
    metric = fields.Nested(MetricRefSchema, required=True, metadata=meta("What this report measures."))
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
        metadata=meta("Who the source credits; null where it credits nobody."),
    )
    source = fields.Nested(SourceStampSchema, required=True)
    known_from = fields.Nested(
        KnownFromSchema,
        required=True,
        allow_none=True,
        metadata=meta(
            "When the report became known: the source's stated publication date, else its assumed reference date "
            "(`assumed: true`); null when neither exists (such reports come last)."
        ),
    )
    quote = fields.Nested(QuoteSchema, required=True)
    previous = fields.String(
        required=True,
        allow_none=True,
        metadata=meta(
            "The report of the same measure (metric) known before this one (its figure id); null for the first of its measure.",
            None,
        ),
    )
    relation = fields.String(
        required=True,
        allow_none=True,
        metadata=meta(
            "How this value relates to the previous report's of the same measure, by the rule of `/discrepancies`: same, compatible "
            "(one interval holds or overlaps the other; an 'about' value counts with a 10% margin) or conflicting "
            "(disjoint); null for the first report or when either gives no number.",
            "compatible",
            enum=[*RELATIONS, None],
        ),
    )
    change = fields.String(
        required=True,
        allow_none=True,
        metadata=meta(
            "How the value moved from the previous report's of the same measure: none (the same value or interval), narrowed (inside "
            "it), widened (holding it), else raised (no bound fell) or lowered (no bound rose); an open bound "
            "counts as infinite and an 'about' value with its 10% margin. Null for the first report or when either "
            "gives no number.",
            "narrowed",
            enum=[*CHANGES, None],
        ),
    )


class HistoryListSchema(PageSchema):
    items = fields.List(fields.Nested(HistoryReportSchema), required=True)
