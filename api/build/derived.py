"""What the build derives from the figure shards, in a helper process of its own.

Three things are computed from the figures alone: the full-text index
``figures_fts``, each claim's statistics (how many figures, sources, origins
and claimants report it; its extremes; who published it first) and the
figure counts per subject and metric that facets read.  At scale they are a
third of the build's SQL work and need only the shards, so a forked helper
computes them into a file of its own (``derived.db``) while the build merges
the shards and indexes the tables.  The build then copies them in
(:meth:`DerivedTables.copy_into`): the statistics and counts as rows, the
full-text index as its shadow tables (``figures_fts_data``, ``_idx``,
``_docsize``, ``_config``), the same rows an in-place build would write.

``figures_fts`` is an external-content index over ``figures``, keyed by rowid.
The rowids match because both sides read the shards in id order, and the
merge numbers the figures 1, 2, 3… in that order (api.build.merge_shards).
"""

from __future__ import annotations

import multiprocessing
import sqlite3

FIGURES_FTS_SQL = """
CREATE VIRTUAL TABLE "figures_fts" USING FTS5 (
    "quote", "value_text", "attribution",
    tokenize='unicode61 remove_diacritics 2',
    content="figures"
)
"""
FTS_HASHSIZE = 64 << 20  # bytes of pending terms before FTS5 writes a segment (see write_derived)
SHADOW_TABLES = ("figures_fts_data", "figures_fts_idx", "figures_fts_docsize", "figures_fts_config")

# {figures} is a table or a subquery with the figures' columns.
CLAIM_STATS_SELECT = """
SELECT claim_id,
       count(*) AS figure_count,
       count(DISTINCT source_id) AS source_count,
       count(DISTINCT origin) AS origin_count,
       count(DISTINCT coalesce(claimant_id, attribution)) AS claimant_count,
       min(coalesce(low, high)) AS low_min,
       max(coalesce(high, low)) AS high_max,
       min(published) AS first_published,
       -- The earliest dated source, ties broken by id: published is an ISO day (10 characters).
       substr(min(published || source_id), 11) AS first_source_id
FROM {figures} GROUP BY claim_id
"""
FIGURE_COUNTS_SELECT = """
SELECT subject_id, metric_id, min(category) AS category, count(*) AS n FROM {figures} GROUP BY subject_id, metric_id
"""
UPDATE_CLAIMS_SQL = """
UPDATE claims SET
  figure_count = s.figure_count,
  source_count = s.source_count,
  origin_count = s.origin_count,
  claimant_count = s.claimant_count,
  low_min = s.low_min,
  high_max = s.high_max,
  first_published = s.first_published,
  first_source_id = s.first_source_id
FROM derived.claim_stats AS s
WHERE s.claim_id = claims.id
"""


def attach_shards(conn: sqlite3.Connection, shards: list[str]) -> None:
    """Attach the shards as ``shard0``, ``shard1``…"""
    for n, shard in enumerate(shards):
        conn.execute(f"ATTACH DATABASE ? AS shard{n}", [shard])


def all_figures(shards: list[str], columns: str = "*") -> str:
    """Return a SELECT of ``columns`` from every attached shard."""
    return " UNION ALL ".join(f"SELECT {columns} FROM shard{n}.figures" for n in range(len(shards)))


def in_id_order(shards: list[str], columns: str) -> str:
    """Return a SELECT of ``columns`` (which include ``id``) from every attached shard, in figure id order.

    Each shard's table is keyed by id (WITHOUT ROWID), so SQLite merges the shards instead of sorting.
    """
    return all_figures(shards, columns) + " ORDER BY id"


def write_derived(path: str, shards: list[str]) -> None:
    """Write ``figures_fts``, ``claim_stats`` and ``figure_counts`` for the figures in ``shards`` to ``path``."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    attach_shards(conn, shards)
    conn.execute("BEGIN")
    conn.execute(FIGURES_FTS_SQL)
    # FTS5 writes a segment each time its in-memory terms pass 'hashsize'
    # (1 MB by default) and then merges segments: with 64 MB, a million
    # quotes index in about half the time, into fewer segments.
    conn.execute(f"INSERT INTO figures_fts (figures_fts, rank) VALUES ('hashsize', {FTS_HASHSIZE})")
    # Number the figures 1, 2, 3… in id order, as the merge does.
    conn.execute(
        "CREATE TEMP TABLE ordered (n INTEGER PRIMARY KEY, id TEXT, quote TEXT, value_text TEXT, attribution TEXT)"
    )
    conn.execute(
        "INSERT INTO ordered (id, quote, value_text, attribution) "
        + in_id_order(shards, "id, quote, value_text, attribution")
    )
    conn.execute(
        "INSERT INTO figures_fts (rowid, quote, value_text, attribution) "
        "SELECT n, quote, value_text, attribution FROM ordered"
    )
    figures = f"({all_figures(shards)})"
    conn.execute("CREATE TABLE claim_stats AS " + CLAIM_STATS_SELECT.format(figures=figures))
    conn.execute("CREATE TABLE figure_counts AS " + FIGURE_COUNTS_SELECT.format(figures=figures))
    conn.execute("COMMIT")
    conn.close()


class DerivedTables:
    """Compute the derived tables from the shards (in a forked process when ``parallel``); then copy them in."""

    def __init__(self, path: str, shards: list[str], parallel: bool = True):
        self.path, self.shards = path, shards
        self.process = None
        if parallel:
            self.process = multiprocessing.get_context("fork").Process(
                target=write_derived, args=(path, shards), name="claimbase-derived"
            )
            self.process.start()

    def copy_into(self, conn: sqlite3.Connection) -> None:
        """Wait for the derived tables and copy them into ``conn``'s database (in its current transaction)."""
        if self.process is None:
            write_derived(self.path, self.shards)
        else:
            self.process.join()
            if self.process.exitcode != 0:
                raise RuntimeError(f"deriving tables from the figures failed (exit code {self.process.exitcode})")
        conn.execute("ATTACH DATABASE ? AS derived", [self.path])
        conn.execute(UPDATE_CLAIMS_SQL)
        conn.execute(
            "INSERT INTO figure_counts (subject_id, metric_id, category, n) SELECT * FROM derived.figure_counts"
        )
        conn.execute(FIGURES_FTS_SQL)
        for table in SHADOW_TABLES:
            conn.execute(f"DELETE FROM {table}")
            conn.execute(f"INSERT INTO {table} SELECT * FROM derived.{table}")

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()
