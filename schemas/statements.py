"""Wire format of statements, assessments and exclusions, and of the figures an event carries."""

from marshmallow import fields, validate

from schemas.common import ListArgs, PageSchema, QuoteSchema, WireSchema, meta
from schemas.figures import (
    ClaimantSchema,
    EntityRefSchema,
    SourceRefSchema,
    ValueSchema,
    known_from_field,
    repeated,
    sort_field,
)
from schemas.vocabulary import ASSESSMENT_STANCES

# ---- statements -------------------------------------------------------------


class StatementQueryArgs(ListArgs):
    source = repeated("Source id.", "russia-north-korea-troop-build-up", "source")
    speaker = repeated("Entity id of the speaker.", "rustem-umerov", "speaker")
    about = repeated("Entity id the statement is about.", "kim-jong-un", "about")
    entity = repeated("Entity id as speaker or as what the statement is about.", "jenny-town", "entity")
    sort = sort_field(("id", "source"), "source", "source")


class StatementSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Stable statement id.", "s001-umerov-warns-kim"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/statements/s001-umerov-warns-kim"))
    source = fields.Nested(SourceRefSchema, required=True)
    speaker = fields.Nested(
        ClaimantSchema, required=True, metadata=meta("Who the source says said it: entity and words as written.")
    )
    cue = fields.String(required=True, metadata=meta("The attribution verb or phrase as written.", "warned"))
    quote = fields.Nested(QuoteSchema, required=True)
    about = fields.List(fields.Nested(EntityRefSchema), required=True, metadata=meta("What the statement is about."))
    via = fields.Nested(EntityRefSchema, required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)


class StatementListSchema(PageSchema):
    items = fields.List(fields.Nested(StatementSchema), required=True)


# ---- exclusions -------------------------------------------------------------


class ExclusionQueryArgs(ListArgs):
    source = repeated("Source id.", "russia-north-korea-troop-build-up", "source")
    sort = sort_field(("source",), "source", "source")


class ExclusionSchema(WireSchema):
    id = fields.String(
        required=True,
        metadata=meta("Source id and span: stable while the text is.", "russia-north-korea-troop-build-up:614-619"),
    )
    source = fields.Nested(SourceRefSchema, required=True)
    quote = fields.Nested(QuoteSchema, required=True)
    reason = fields.String(required=True, metadata=meta("Why it is not counted.", "not a claim: part of a name"))
    refers_to = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("The claim, figure or event it refers back to, if any.", "nk-additional-deployment-size"),
    )


class ExclusionListSchema(PageSchema):
    items = fields.List(fields.Nested(ExclusionSchema), required=True)


# ---- assessments (on claims) and event figures --------------------------------


class AssessmentSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Stable assessment id.", "s002-western-official-confirms"))
    entity = fields.Nested(
        EntityRefSchema, required=True, allow_none=True, metadata=meta("Who takes the stance, where one is named.")
    )
    as_written = fields.String(required=True, metadata=meta("Who, as the source words it.", "A Western official"))
    stance = fields.String(
        required=True, metadata=meta("The stance towards the claim.", "confirms", enum=list(ASSESSMENT_STANCES))
    )
    source = fields.Nested(SourceRefSchema, required=True)
    quote = fields.Nested(QuoteSchema, required=True)
    independent = fields.Boolean(
        required=True,
        metadata=meta(
            "True when the assessing party is not among the claim's claimants or intermediaries "
            "(of the figures known by `known_at`, when given).",
            True,
        ),
    )
    note = fields.String(required=True, allow_none=True)
    known_from = known_from_field("the assessment")


class CorroborationSchema(WireSchema):
    origins = fields.Integer(required=True, metadata=meta("Independent origins among the reporting figures.", 2))
    repeated_reports = fields.Integer(
        required=True, metadata=meta("Sources that repeat an origin another source already reports.", 3)
    )
    independent_confirmations = fields.Integer(
        required=True, metadata=meta("Confirmations by parties other than the claimants and intermediaries.", 1)
    )
    not_confirmed = fields.Integer(required=True, metadata=meta("Assessments that have not confirmed the claim.", 1))
    doubted = fields.Integer(required=True, metadata=meta("Assessments that doubt or dispute the claim.", 1))


class EventFigureSchema(WireSchema):
    id = fields.String(required=True, metadata=meta("Figure id.", "s001-pokrovsk-massing-110000"))
    url = fields.String(required=True, metadata=meta("Link.", "/api/v1/figures/s001-pokrovsk-massing-110000"))
    claim = fields.String(required=True, metadata=meta("Claim key.", "russian-troops-massed-pokrovsk"))
    source = fields.String(required=True, metadata=meta("Source id.", "russia-north-korea-troop-build-up"))
    value = fields.Nested(ValueSchema, required=True)
    quote = fields.Nested(QuoteSchema, required=True)


STANCE_ARG = fields.List(
    fields.String(validate=validate.OneOf(ASSESSMENT_STANCES)),
    load_default=None,
    metadata=meta("Claims with an assessment of this stance. Repeat to match any of several.", ["confirms"]),
)
