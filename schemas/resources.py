"""Wire format and query parameters of sources, entities, metrics, events and claims."""

from marshmallow import fields, validate

from schemas.common import (
    FULL_TEXT_HELP,
    DateSpecSchema,
    ListArgs,
    PageSchema,
    QuoteSchema,
    WireSchema,
    meta,
    window_date,
)
from schemas.figures import (
    EXPORT_EXCLUDE,
    ClaimantSchema,
    EntityRefSchema,
    MetricRefSchema,
    SourceRefSchema,
    ValueSchema,
    known_at_basis_field,
    known_at_field,
    known_from_field,
    repeated,
    sort_field,
)
from schemas.statements import STANCE_ARG, AssessmentSchema, CorroborationSchema, EventFigureSchema
from schemas.vocabulary import ENTITY_TYPES, EVENT_STATUSES, EVENT_TYPES, METRIC_CATEGORIES, PUBLISHED_BASES, STANCES

# ---- sources ---------------------------------------------------------------


class SourceQueryArgs(ListArgs):
    stance = fields.List(
        fields.String(validate=validate.OneOf(STANCES)),
        load_default=None,
        metadata=meta("Stance of the source. Repeat to match any of several.", ["skeptical"]),
    )
    cites = repeated("Entity id the source cites (an outlet, agency, organisation or person).", "cnn", "cites")
    sort = sort_field(("id", "published"), "id", "published")


class CiteSchema(WireSchema):
    entity = fields.Nested(EntityRefSchema, required=True)
    quote = fields.Nested(QuoteSchema, required=True)


class PublishedDateSchema(DateSpecSchema):
    quote = fields.Nested(QuoteSchema, required=True, metadata=meta("Where the text gives the date."))
    basis = fields.String(
        required=True,
        metadata=meta(
            "Where the date comes from: `text` (the outlet's own words) or `archive-metadata` (the line the "
            "archive wrote when it saved the page, not the outlet's words; see the source's `archive_line`).",
            "archive-metadata",
            enum=list(PUBLISHED_BASES),
        ),
    )


class ReferenceDateSchema(WireSchema):
    date = fields.String(
        required=True, metadata=meta("Date that relative phrases in this source were resolved against.", "2025-07-02")
    )
    basis = fields.String(
        required=True, metadata=meta("Why that date: the publication date, or an assumption and its reason.")
    )
    assumed = fields.Boolean(
        required=True, metadata=meta("True when the text gives no publication date and the date is assumed.", True)
    )
    quote = fields.Nested(
        QuoteSchema,
        required=True,
        allow_none=True,
        metadata=meta("The words of the text the date is taken from (a date the text reports); null when none."),
    )
    outside_text = fields.String(
        required=True,
        allow_none=True,
        metadata=meta(
            "Which part of the date comes from outside the text, and from where (a year the text does not give).",
            None,
        ),
    )


class DocumentSchema(WireSchema):
    filename = fields.String(
        required=True, metadata=meta("Archived text the source was curated from.", "002_5f8f5cb27fcb0712.txt")
    )
    sha256 = fields.String(required=True, metadata=meta("SHA-256 of the archived text's bytes."))
    char_count = fields.Integer(required=True, metadata=meta("Characters (code points) in the text.", 3504))


class SourceCountsSchema(WireSchema):
    figures = fields.Integer(required=True, metadata=meta("Figures this source reports.", 15))
    events = fields.Integer(required=True, metadata=meta("Events this source reports.", 12))


class SourceSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Stable source id.", "nk-preparing-up-to-30000-more-troops"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/sources/nk-preparing-up-to-30000-more-troops"))
    title = fields.String(required=True, allow_none=True, metadata=meta("Title; null where the text has none.", None))
    title_quote = fields.Nested(QuoteSchema, required=True, allow_none=True)
    outlet = fields.Nested(
        EntityRefSchema, required=True, allow_none=True, metadata=meta("Outlet; null where the text does not name it.")
    )
    author = fields.String(
        required=True, allow_none=True, metadata=meta("Author; null where the text names none.", "Tamilla Hasanova")
    )
    published = fields.Nested(
        PublishedDateSchema,
        required=True,
        allow_none=True,
        metadata=meta("Publication date; null where neither the text nor its archive metadata gives one."),
    )
    archive_line = fields.Nested(
        QuoteSchema,
        required=True,
        allow_none=True,
        metadata=meta(
            "The line the archive wrote when it saved the page (`Source: <outlet>[, <date>]`): metadata, "
            "not a quote of the outlet; null where the text has none."
        ),
    )
    reference_date = fields.Nested(ReferenceDateSchema, required=True, allow_none=True)
    language = fields.String(required=True, metadata=meta("ISO 639-1 language.", "en"))
    stance = fields.String(
        required=True, metadata=meta("reporting, skeptical, supportive or opinion.", "reporting", enum=list(STANCES))
    )
    stance_evidence = fields.List(
        fields.Nested(QuoteSchema), required=True, metadata=meta("Quotes that show the stance.")
    )
    cites = fields.List(
        fields.Nested(CiteSchema),
        required=True,
        metadata=meta("Every outlet, agency, organisation and person the source cites."),
    )
    document = fields.Nested(DocumentSchema, required=True)
    counts = fields.Nested(SourceCountsSchema, required=True)
    note = fields.String(required=True, allow_none=True)


class SourceListSchema(PageSchema):
    items = fields.List(fields.Nested(SourceSchema), required=True)


# ---- entities --------------------------------------------------------------


class EntityQueryArgs(ListArgs):
    type = fields.List(
        fields.String(validate=validate.OneOf(ENTITY_TYPES)),
        load_default=None,
        metadata=meta("Entity type. Repeat to match any of several.", ["person"]),
    )
    q = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata=meta("Part of a name or alias, matched case- and punctuation-insensitively.", "kim jong-un"),
    )
    sort = sort_field(("id", "name", "type"), "id", "name")


class RoleSchema(WireSchema):
    role = fields.String(required=True, metadata=meta("The role as the source states it.", "Defense Minister"))
    source = fields.String(required=True, metadata=meta("Source id.", "nk-plans-30000-more-troops"))
    quote = fields.Nested(QuoteSchema, required=True)


class EntityCountsSchema(WireSchema):
    figures_as_subject = fields.Integer(required=True, metadata=meta("Figures about this entity.", 20))
    figures_as_claimant = fields.Integer(required=True, metadata=meta("Figures this entity is credited with.", 5))
    events = fields.Integer(required=True, metadata=meta("Events it takes part in or that happen there.", 3))


class EntitySchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Stable entity id (kebab-case).", "kim-jong-un"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/entities/kim-jong-un"))
    name = fields.String(required=True, metadata=meta("Common English name.", "Kim Jong Un"))
    type = fields.String(required=True, metadata=meta("Entity type.", "person", enum=list(ENTITY_TYPES)))
    aliases = fields.List(
        fields.String(), required=True, metadata=meta("Other spellings the texts use.", ["Kim Jong-un", "Kim"])
    )
    description = fields.String(required=True)
    part_of = fields.String(required=True, allow_none=True, metadata=meta("Id of the entity this is a part of.", None))
    roles = fields.List(fields.Nested(RoleSchema), required=True, metadata=meta("Roles as each source states them."))
    counts = fields.Nested(EntityCountsSchema, required=True)
    note = fields.String(required=True, allow_none=True)


class EntityListSchema(PageSchema):
    items = fields.List(fields.Nested(EntitySchema), required=True)


# ---- metrics ---------------------------------------------------------------


class MetricQueryArgs(ListArgs):
    category = fields.List(
        fields.String(validate=validate.OneOf(METRIC_CATEGORIES)),
        load_default=None,
        metadata=meta("Metric category. Repeat to match any of several.", ["troops"]),
    )
    sort = sort_field(("id", "category"), "id", "category")


class MetricSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Metric id.", "troops-deployed"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/metrics/troops-deployed"))
    label = fields.String(required=True, metadata=meta("Label.", "Troops deployed"))
    unit = fields.String(required=True, metadata=meta("Unit.", "troops"))
    category = fields.String(required=True, metadata=meta("Category.", "troops", enum=list(METRIC_CATEGORIES)))
    description = fields.String(required=True)
    parent = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("The metric this one is a part of (never compare the two as equals).", None),
    )
    children = fields.List(fields.String(), required=True, metadata=meta("Metrics that are parts of this one.", []))
    figure_count = fields.Integer(required=True, metadata=meta("Figures with this metric.", 9))


class MetricListSchema(PageSchema):
    items = fields.List(fields.Nested(MetricSchema), required=True)


# ---- events ----------------------------------------------------------------


# With known_at an event's date is the one its citations known by then give, as each event shows it.
EVENT_WINDOW = "events whose date (as known at `known_at`, when given) overlaps the window"


class EventQueryArgs(ListArgs):
    type = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        load_default=None,
        metadata=meta("Event type. Repeat to match any of several.", ["visit"]),
    )
    entity = repeated("Entity id taking part in the event or where it happens.", "sergei-shoigu", "entity")
    source = repeated("Source id that reports the event.", "russia-north-korea-troop-build-up", "source")
    status = fields.List(
        fields.String(validate=validate.OneOf(EVENT_STATUSES)),
        load_default=None,
        metadata=meta("Event status. Repeat to match any of several.", ["occurred"]),
    )
    date_from = window_date("from", EVENT_WINDOW, "2025-06")
    date_to = window_date("to", EVENT_WINDOW, "2025-06")
    q = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=500),
        metadata=meta(
            "Full-text search in each event's title and summary and each citation's quote. " + FULL_TEXT_HELP, "Shoigu"
        ),
    )
    known_at = known_at_field()
    known_at_basis = known_at_basis_field()
    sort = sort_field(
        ("date", "id", "type"), "date", "date", "`date` orders by the event's date as shown (as known at `known_at`)."
    )


class EventExportArgs(EventQueryArgs):
    """The filters and sort of /events, for an export of every match."""

    class Meta(EventQueryArgs.Meta):
        exclude = EXPORT_EXCLUDE


class ParticipantSchema(WireSchema):
    entity = fields.Nested(EntityRefSchema, required=True)
    role = fields.String(required=True, metadata=meta("Role in the event.", "visitor"))


class CitationSchema(WireSchema):
    source = fields.Nested(SourceRefSchema, required=True)
    quote = fields.Nested(QuoteSchema, required=True)
    date = fields.Nested(
        DateSpecSchema, required=True, allow_none=True, metadata=meta("The date this source gives; null if none.")
    )
    attribution = fields.Nested(
        ClaimantSchema, required=True, allow_none=True, metadata=meta("Who this source says reported it.")
    )
    actors = fields.List(fields.Nested(EntityRefSchema), required=True, metadata=meta("Who this source says did it."))
    location = fields.Nested(
        EntityRefSchema,
        required=True,
        allow_none=True,
        metadata=meta("Where this source says it happened; null where it names no place."),
    )
    via = fields.Nested(EntityRefSchema, required=True, allow_none=True)
    status = fields.String(
        required=True, allow_none=True, metadata=meta("This source's status where it differs from the event's.", None)
    )
    note = fields.String(required=True, allow_none=True)
    known_from = known_from_field("the citation")


class EventDateSchema(DateSpecSchema):
    source = fields.String(
        required=True,
        metadata=meta("The source giving this (the narrowest) date.", "russia-north-korea-troop-build-up"),
    )


class FirstReportedSchema(WireSchema):
    published = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("Earliest known publication date of a source reporting it.", "2025-07-02"),
    )
    sources = fields.List(
        fields.String(),
        required=True,
        metadata=meta("Sources published on that date.", ["nk-preparing-up-to-30000-more-troops"]),
    )


class EventSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Stable event id.", "shoigu-visits-pyongyang-2025-06"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/events/shoigu-visits-pyongyang-2025-06"))
    type = fields.String(required=True, metadata=meta("Event type.", "visit", enum=list(EVENT_TYPES)))
    title = fields.String(required=True)
    summary = fields.String(required=True)
    status = fields.String(required=True, metadata=meta("Status.", "occurred", enum=list(EVENT_STATUSES)))
    date = fields.Nested(
        EventDateSchema,
        required=True,
        allow_none=True,
        metadata=meta("The narrowest date any source gives; each citation keeps its own."),
    )
    location = fields.Nested(EntityRefSchema, required=True, allow_none=True)
    participants = fields.List(fields.Nested(ParticipantSchema), required=True)
    citations = fields.List(
        fields.Nested(CitationSchema), required=True, metadata=meta("One per source that reports the event.")
    )
    figures = fields.List(
        fields.Nested(EventFigureSchema), required=True, metadata=meta("The figures that describe this event.")
    )
    first_reported = fields.Nested(
        FirstReportedSchema, required=True, metadata=meta("On stated publication dates only (never assumed ones).")
    )
    note = fields.String(required=True, allow_none=True)
    known_from = known_from_field("the event")


class EventListSchema(PageSchema):
    items = fields.List(fields.Nested(EventSchema), required=True)


# ---- claims ----------------------------------------------------------------


class ClaimQueryArgs(ListArgs):
    metric = repeated("Metric id.", "troops-additional-planned", "metric")
    subject = repeated("Subject entity id.", "north-korea", "subject")
    claimant = repeated("Entity id credited with the claim by any source.", "ukrainian-officials", "claimant")
    source = repeated("Source id reporting the claim.", "cnn-nk-up-to-30000-troops", "source")
    min_sources = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=1_000_000),
        metadata=meta("Claims reported by at least this many sources.", 2),
    )
    max_origins = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=1_000_000),
        metadata=meta("Claims with at most this many independent origins (1: a single origin).", 1),
    )
    min_origins = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=1_000_000),
        metadata=meta("Claims with at least this many independent origins.", 2),
    )
    stance = STANCE_ARG
    assessed_by = repeated(
        "Claims with an assessment by this entity (any stance, or those given in `stance`).",
        "western-officials",
        "assessed_by",
    )
    known_at = known_at_field()
    known_at_basis = known_at_basis_field()
    sort = sort_field(("id", "sources", "origins", "first_published"), "id", "-sources")


class ClaimExportArgs(ClaimQueryArgs):
    """The filters and sort of /claims, for an export of every match."""

    class Meta(ClaimQueryArgs.Meta):
        exclude = EXPORT_EXCLUDE


class ClaimFigureSchema(WireSchema):
    id = fields.String(required=True)
    url = fields.String(required=True)
    source = fields.Nested(SourceRefSchema, required=True)
    value = fields.Nested(ValueSchema, required=True)
    claimant = fields.Nested(ClaimantSchema, required=True, allow_none=True)
    via = fields.Nested(EntityRefSchema, required=True, allow_none=True)
    origin = fields.String(required=True)
    quote = fields.Nested(QuoteSchema, required=True)
    known_from = known_from_field("the figure")


class SpreadSchema(WireSchema):
    """The interval that holds every figure's value; open and vague figures stay so (api/values.py)."""

    low = fields.Float(
        required=True,
        allow_none=True,
        metadata=meta("Lowest bound any figure gives; null when a figure is open below or none gives a number.", 25000),
    )
    high = fields.Float(
        required=True,
        allow_none=True,
        metadata=meta(
            "Highest bound any figure gives; null when a figure is open above or none gives a number.", 30000
        ),
    )
    open_low = fields.Boolean(required=True, metadata=meta("Some figure is open below (up to, less than).", True))
    open_high = fields.Boolean(required=True, metadata=meta("Some figure is open above (at least, more than).", False))
    vague = fields.Boolean(
        required=True, metadata=meta("Some figure gives no number (hundreds, tens of thousands).", False)
    )
    approximate = fields.Boolean(required=True, metadata=meta("Some figure is approximate (about, roughly).", False))


class ClaimSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Claim key.", "nk-additional-deployment-size"))
    url = fields.String(required=True)
    statement = fields.String(required=True, metadata=meta("The claim in a sentence."))
    metric = fields.Nested(MetricRefSchema, required=True)
    subject = fields.Nested(EntityRefSchema, required=True)
    claimants = fields.List(
        fields.Nested(ClaimantSchema), required=True, metadata=meta("Each distinct attribution across sources.")
    )
    figures = fields.List(
        fields.Nested(ClaimFigureSchema), required=True, metadata=meta("Every figure reporting the claim.")
    )
    figure_count = fields.Integer(required=True)
    source_count = fields.Integer(required=True, metadata=meta("Sources reporting it.", 5))
    origin_count = fields.Integer(
        required=True, metadata=meta("Independent origins: sources reporting through one intermediary count once.", 2)
    )
    spread = fields.Nested(SpreadSchema, required=True)
    assessments = fields.List(
        fields.Nested(AssessmentSchema),
        required=True,
        metadata=meta("Who confirms, has not confirmed, doubts or disputes the claim, as each source reports it."),
    )
    corroboration = fields.Nested(CorroborationSchema, required=True)
    first_published = fields.String(
        required=True,
        allow_none=True,
        metadata=meta(
            "Earliest publication date a reporting source states; null when none states one "
            "(assumed reference dates never count here, even with `known_at_basis=assumed`).",
            "2025-07-02",
        ),
    )
    first_source = fields.String(
        required=True, allow_none=True, metadata=meta("That source.", "nk-preparing-up-to-30000-more-troops")
    )
    note = fields.String(required=True, allow_none=True)
    known_from = known_from_field("the claim")


class ClaimListSchema(PageSchema):
    items = fields.List(fields.Nested(ClaimSchema), required=True)
