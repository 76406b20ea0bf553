"""Wire format of an entity's mentions: each place a source names it, and the spellings per source."""

from marshmallow import fields

from schemas.common import ListArgs, PageSchema, QuoteSchema, WireSchema, meta
from schemas.figures import SourceRefSchema, repeated, sort_field


class MentionQueryArgs(ListArgs):
    source = repeated("Source id.", "cnn-nk-up-to-30000-troops", "source")
    sort = sort_field(("source",), "source", "source")


class MentionSpanSchema(WireSchema):
    start = fields.Integer(required=True, metadata=meta("Start offset (code points) in the archived text.", 195))
    end = fields.Integer(required=True, metadata=meta("End offset (exclusive) in the archived text.", 206))


class MentionSchema(WireSchema):
    source = fields.Nested(SourceRefSchema, required=True)
    entity = fields.String(required=True, metadata=meta("The entity named.", "kim-jong-un"))
    spelling = fields.String(
        required=True,
        metadata=meta(
            "The name as the source writes it, without a possessive's 's (the text at `span`).", "Kim Jong-un"
        ),
    )
    span = fields.Nested(MentionSpanSchema, required=True, metadata=meta("Where the spelling stands in the text."))
    quote = fields.Nested(QuoteSchema, required=True, metadata=meta("The sentence that holds the spelling."))


class MentionListSchema(PageSchema):
    items = fields.List(fields.Nested(MentionSchema), required=True)


class MentionSourceQueryArgs(ListArgs):
    source = repeated("Source id.", "cnn-nk-up-to-30000-troops", "source")
    names = fields.Boolean(
        load_default=None,
        metadata=meta("true: only the sources that name the entity; false: only those that never do.", False),
    )
    sort = sort_field(("source",), "source", "source")


class SpellingCountSchema(WireSchema):
    spelling = fields.String(required=True, metadata=meta("A spelling as written.", "Kim Jong Un"))
    count = fields.Integer(required=True, metadata=meta("How often the source writes it so.", 2))


class MentionSourceSchema(WireSchema):
    source = fields.Nested(SourceRefSchema, required=True)
    entity = fields.String(required=True, metadata=meta("The entity.", "kim-jong-un"))
    names = fields.Boolean(required=True, metadata=meta("Whether the source names the entity at all.", True))
    mention_count = fields.Integer(required=True, metadata=meta("How many times it names it.", 2))
    spellings = fields.List(
        fields.Nested(SpellingCountSchema),
        required=True,
        metadata=meta("Each spelling the source uses, in order of first use; empty when it never names it."),
    )


class MentionSourceListSchema(PageSchema):
    items = fields.List(fields.Nested(MentionSourceSchema), required=True)
