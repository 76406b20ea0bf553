"""The closed vocabularies of records: what the fixtures may say and the wire may serve.

A leaf shared by the fixture schemas (build time) and the wire schemas (request
time), so that a gunicorn worker never loads the fixture schemas.
"""

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
# Where a source's publication date comes from: the outlet's own words in the
# text, or the line the archive wrote when it saved the page ("Source: <outlet>,
# <date>"), which is metadata, not a quote of the outlet.
PUBLISHED_BASES = ("text", "archive-metadata")
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
    "cooperation",
)
EVENT_STATUSES = ("occurred", "ongoing", "planned", "expected", "alleged", "possible")
# How a party stands towards a claim: says it is true, declines or has not yet
# said so, questions it, says it is false.
ASSESSMENT_STANCES = ("confirms", "has-not-confirmed", "doubts", "disputes")
