-- The tables of the database (api.builder.database runs this on an empty file).
-- Each table's rows come from one function of api.builder.rows, as dicts keyed
-- by these column names; the indexes are built after the rows are in (INDEXES).
-- STRICT: a value of the wrong type is an error, not a silent conversion.

-- The build id, schema version, row counts and whether the quotes were verified (/health).
CREATE TABLE build_info (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    description TEXT NOT NULL,
    part_of TEXT REFERENCES entities(id),
    note TEXT
) STRICT;

CREATE TABLE entity_names (
    key TEXT,
    name TEXT NOT NULL,
    entity_id TEXT NOT NULL REFERENCES entities(id),
    is_alias INTEGER NOT NULL,
    PRIMARY KEY (key, name)
) STRICT;

CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    char_count INTEGER NOT NULL,
    title TEXT,
    title_start INTEGER,
    title_end INTEGER,
    outlet_id TEXT REFERENCES entities(id),
    author TEXT,
    author_start INTEGER,
    author_end INTEGER,
    published_start TEXT,
    published_end TEXT,
    published_precision TEXT,
    published_qualifier TEXT,
    published_phrase TEXT,
    published_resolved_from TEXT,
    published_resolution TEXT,
    published_first_day TEXT,
    published_last_day TEXT,
    published_quote TEXT,
    published_quote_start INTEGER,
    published_quote_end INTEGER,
    published_basis TEXT,
    archive_line TEXT,
    archive_line_start INTEGER,
    archive_line_end INTEGER,
    reference_date TEXT,
    reference_basis TEXT,
    reference_quote TEXT,
    reference_quote_start INTEGER,
    reference_quote_end INTEGER,
    reference_outside_text TEXT,
    language TEXT NOT NULL,
    stance TEXT NOT NULL,
    note TEXT,
    -- The order of the documents' file numbers (000, 001…): api.shape.source_order.
    source_sort TEXT NOT NULL
) STRICT;

CREATE TABLE source_cites (
    source_id TEXT REFERENCES sources(id),
    entity_id TEXT REFERENCES entities(id),
    quote TEXT NOT NULL,
    span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL,
    PRIMARY KEY (source_id, span_start, entity_id)
) STRICT;

CREATE TABLE source_stance_evidence (
    source_id TEXT REFERENCES sources(id),
    quote TEXT NOT NULL,
    span_start INTEGER,
    span_end INTEGER NOT NULL,
    PRIMARY KEY (source_id, span_start)
) STRICT;

CREATE TABLE entity_roles (
    entity_id TEXT REFERENCES entities(id),
    role TEXT,
    source_id TEXT REFERENCES sources(id),
    quote TEXT NOT NULL,
    span_start INTEGER,
    span_end INTEGER NOT NULL,
    PRIMARY KEY (entity_id, source_id, span_start, role)
) STRICT;

CREATE TABLE metrics (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    unit TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    parent_id TEXT REFERENCES metrics(id)
) STRICT;

-- The counts and first publication are computed from the figures (CLAIM_STATS_SQL).
CREATE TABLE claims (
    id TEXT PRIMARY KEY,
    statement TEXT NOT NULL,
    metric_id TEXT NOT NULL REFERENCES metrics(id),
    subject_id TEXT NOT NULL REFERENCES entities(id),
    same_quantity_as TEXT,
    same_question_as TEXT,
    note TEXT,
    figure_count INTEGER NOT NULL,
    source_count INTEGER NOT NULL,
    origin_count INTEGER NOT NULL,
    claimant_count INTEGER NOT NULL,
    first_published TEXT,
    first_source_id TEXT REFERENCES sources(id)
) STRICT;

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    location_id TEXT REFERENCES entities(id),
    date_start TEXT,
    date_end TEXT,
    date_precision TEXT,
    date_qualifier TEXT,
    date_phrase TEXT,
    date_resolved_from TEXT,
    date_resolution TEXT,
    date_first_day TEXT,
    date_last_day TEXT,
    date_source_id TEXT REFERENCES sources(id),
    citation_count INTEGER NOT NULL,
    first_published TEXT,
    note TEXT
) STRICT;

-- The entities each citation supports (api.builder.mentions.citation_entities): an
-- event matches an entity for a source only through that source's citation.
CREATE TABLE event_citation_entities (
    citation_id TEXT,
    event_id TEXT REFERENCES events(id),
    source_id TEXT REFERENCES sources(id),
    entity_id TEXT REFERENCES entities(id),
    PRIMARY KEY (citation_id, entity_id)
) STRICT;

CREATE TABLE event_participants (
    event_id TEXT REFERENCES events(id),
    entity_id TEXT REFERENCES entities(id),
    role TEXT,
    PRIMARY KEY (event_id, entity_id, role)
) STRICT;

CREATE TABLE event_citations (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events(id),
    source_id TEXT NOT NULL REFERENCES sources(id),
    quote TEXT NOT NULL,
    span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL,
    date_start TEXT,
    date_end TEXT,
    date_precision TEXT,
    date_qualifier TEXT,
    date_phrase TEXT,
    date_resolved_from TEXT,
    date_resolution TEXT,
    date_first_day TEXT,
    date_last_day TEXT,
    attribution_entity_id TEXT REFERENCES entities(id),
    attribution TEXT,
    actors TEXT,
    location_id TEXT REFERENCES entities(id),
    via_id TEXT REFERENCES entities(id),
    status TEXT,
    note TEXT,
    published TEXT
) STRICT;

CREATE TABLE figures (
    id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id),
    claim_id TEXT NOT NULL REFERENCES claims(id),
    metric_id TEXT NOT NULL REFERENCES metrics(id),
    subject_id TEXT NOT NULL REFERENCES entities(id),
    category TEXT NOT NULL,
    -- Values as given: an integer stays an INTEGER (served as 30000, not 30000.0), a fraction a REAL.
    low ANY,
    high ANY,
    hedge TEXT NOT NULL,
    value_text TEXT NOT NULL,
    period_start TEXT,
    period_end TEXT,
    period_precision TEXT,
    period_qualifier TEXT,
    period_phrase TEXT,
    period_resolved_from TEXT,
    period_resolution TEXT,
    period_first_day TEXT,
    period_last_day TEXT,
    claimant_id TEXT REFERENCES entities(id),
    attribution TEXT,
    via_id TEXT REFERENCES entities(id),
    origin TEXT NOT NULL,
    quote TEXT NOT NULL,
    span_start INTEGER,
    span_end INTEGER,
    event_id TEXT REFERENCES events(id),
    published TEXT,
    note TEXT,
    -- Sort keys without NULLs (unknown sorts last), so that keyset
    -- pagination can compare row values and use the indexes.
    published_sort TEXT NOT NULL,
    period_sort TEXT NOT NULL,
    value_sort REAL NOT NULL,
    claimant_sort TEXT NOT NULL,
    source_sort TEXT NOT NULL,
    -- When the figure counts as known with assumed dates (sort=published_or_assumed):
    -- the source's publication date, else its assumed reference date.
    known_sort TEXT NOT NULL
) STRICT;

-- Each figure as the API serves it (JSON), with the source, metric and
-- entities it embeds: a page of figures needs no work per row.  Row n is
-- the figure of rowid n (both tables are written in id order); kept apart
-- so that the figures table, which every index build and filter scans,
-- stays narrow.
CREATE TABLE figure_docs (
    figure_rowid INTEGER PRIMARY KEY,
    doc TEXT NOT NULL
) STRICT;

-- Figures per subject and metric, for facet counts without a scan.
CREATE TABLE figure_counts (
    subject_id TEXT REFERENCES entities(id),
    metric_id TEXT REFERENCES metrics(id),
    category TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (subject_id, metric_id)
) STRICT;

CREATE TABLE exclusions (
    source_id TEXT REFERENCES sources(id),
    quote TEXT NOT NULL,
    span_start INTEGER,
    span_end INTEGER,
    reason TEXT NOT NULL,
    refers_to TEXT,
    PRIMARY KEY (source_id, span_start, span_end)
) STRICT;

CREATE TABLE statements (
    id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id),
    speaker_id TEXT REFERENCES entities(id),
    speaker TEXT,
    cue TEXT NOT NULL,
    quote TEXT NOT NULL,
    span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL,
    via_id TEXT REFERENCES entities(id),
    note TEXT
) STRICT;

CREATE TABLE statement_about (
    statement_id TEXT REFERENCES statements(id),
    entity_id TEXT REFERENCES entities(id),
    PRIMARY KEY (statement_id, entity_id)
) STRICT;

CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES claims(id),
    source_id TEXT NOT NULL REFERENCES sources(id),
    entity_id TEXT REFERENCES entities(id),
    as_written TEXT NOT NULL,
    stance TEXT NOT NULL,
    quote TEXT NOT NULL,
    span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL,
    note TEXT
) STRICT;

-- Every place a curated source names an entity (fixtures/mentions).
CREATE TABLE entity_mentions (
    source_id TEXT NOT NULL REFERENCES sources (id),
    entity_id TEXT NOT NULL REFERENCES entities (id),
    as_written TEXT NOT NULL,
    span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL,
    quote TEXT NOT NULL,
    quote_start INTEGER NOT NULL,
    quote_end INTEGER NOT NULL,
    PRIMARY KEY (entity_id, source_id, span_start)
) STRICT, WITHOUT ROWID;

-- Every kind but figures, which figures_fts indexes (filled by SEARCH_SQL).
CREATE TABLE search_index (
    rowid INTEGER PRIMARY KEY,
    kind TEXT,
    record_id TEXT,
    title TEXT,
    body TEXT
) STRICT;
