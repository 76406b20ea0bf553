"""The figures stage of the build: check, shape and write figures in parallel shards.

Figures are most of the data (a million of them at scale), so they are not
loaded into memory with the other records.  The figure files are split into
contiguous runs of about equal size, one per worker process; each worker reads
its files a record at a time, checks each record exactly as
:meth:`api.build.fixtures.Checker.check_figure` does and turns it into a table row.
It then sorts its rows by id and writes them out: every column but the served
JSON to its own SQLite file, a *shard*, whose ``figures`` table is keyed by id
(WITHOUT ROWID) and so stored in id order; the served JSON, the bulk of the
bytes, to a plain file beside it, one ``id<TAB>json`` line per figure in the
same order.  The build merges both into ``figures`` and ``figure_docs`` in id
order, reading each front to back (api.build.merge_shards).

The workers are forked after the other records have been loaded and checked,
so they share them without copying.  With one job (small fixtures, or
``--jobs 1``) the same code runs in the build's own process.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from api.build.fixtures import Checker, Problem, load_record, read_file, record_hash

# Below this many bytes of figure files, one process does it all: forking
# costs more than it saves.
PARALLEL_MIN_BYTES = 4 << 20
# Shards are WITHOUT ROWID tables, whose rows stay on their b-tree page (no
# overflow pages) only up to about a quarter of a page: 64 KB pages keep a
# row of up to 16 KB (a long quote and note) in one piece.
PAGE_SIZE = 65536
BATCH = 2_000  # rows per executemany
SCRATCH_FACTOR = 8  # room asked of /dev/shm, in bytes of figure files (shards and derived.db took 1.8 GB for 0.48 GB)
CACHE_KIB = 64 << 10  # SQLite page cache per shard


@dataclass
class FigureStage:
    """What a worker needs: the checker (with every other record) and how to shape a row."""

    directory: Path
    checker: Checker
    shape: Callable[[dict], tuple]
    create_sql: str  # the shard's tables (api.build.shard_tables_sql)
    columns: int  # the shard table's columns; a shaped row has these, then its documents-file line
    write: bool = True  # False once other records have problems: then only check


@dataclass
class ShardResult:
    """What one worker found and wrote."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    ids: list[tuple[str, list[str | None]]] = field(default_factory=list)
    claims: set[str] = field(default_factory=set)
    count: int = 0
    digest: int = 0  # sum of the records' hashes (see api.build.build_id_for)
    rows: int = 0


_STAGE: FigureStage | None = None  # set before the workers fork


def scratch_parent(files: list[Path], fallback: Path) -> Path:
    """Return where the shards go: ``$CLAIMBASE_BUILD_SCRATCH``, else memory (``/dev/shm``) when it has room, else ``fallback``.

    Shards are scratch, written once and read twice, and about four times the
    size of the figure files; in memory they cost no disk writeback.
    """
    chosen = os.environ.get("CLAIMBASE_BUILD_SCRATCH")
    if chosen:
        return Path(chosen)
    shm = Path("/dev/shm")
    needed = SCRATCH_FACTOR * sum(f.stat().st_size for f in files)
    try:
        stats = os.statvfs(shm)
        if os.access(shm, os.W_OK) and stats.f_bavail * stats.f_frsize > needed:
            return shm
    except OSError:
        pass
    return fallback


def default_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def plan(files: list[Path], jobs: int) -> list[list[Path]]:
    """Split ``files`` (in order) into at most ``jobs`` contiguous runs of about equal size."""
    sizes = [f.stat().st_size for f in files]
    total = sum(sizes)
    if jobs <= 1 or len(files) <= 1 or total < PARALLEL_MIN_BYTES:
        return [files]
    groups: list[list[Path]] = [[]]
    done = 0
    for path, size in zip(files, sizes, strict=True):
        # Start the next run where this one is nearest its share: once the
        # file's midpoint lies past it (ten equal files split 5/5, not 6/4).
        if groups[-1] and done + size / 2 > total * len(groups) / jobs and len(groups) < jobs:
            groups.append([])
        groups[-1].append(path)
        done += size
    return groups


def docs_path(shard: str) -> str:
    """Return the file beside a shard that holds its figures' served JSON: ``id<TAB>json`` lines in id order."""
    return shard + ".docs"


def write_shard(path: str, files: list[Path]) -> ShardResult:
    """Check and shape every figure in ``files``; write the rows, in id order, to a new SQLite file at ``path``."""
    stage = _STAGE
    result = ShardResult(path)
    checker = stage.checker
    problems = checker.problems
    before = len(problems)  # a forked worker starts with a copy of the build's problems
    rows: list[tuple] = []
    for file in files:
        rel, raw = read_file(stage.directory, file, problems)
        ids: list[str | None] = []
        result.ids.append((rel, ids))
        for index, item in enumerate(raw):
            rec = load_record("figures", rel, index, item, problems)
            if rec is None:
                ids.append(None)
                continue
            data = rec.data
            ids.append(data["id"])
            checker.check_figure(rec)
            result.claims.add(data["claim"])
            result.count += 1
            result.digest += record_hash(data)
            if not stage.write or len(problems) > before:
                continue  # keep checking, stop shaping
            rows.append(stage.shape(data))
        del raw
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.executescript(stage.create_sql)
    if len(problems) == before and rows:
        # In id order, each table is written front to back (and merged so, api.build.merge_shards).
        rows.sort(key=itemgetter(0))
        # A duplicate id is a problem that check_after_figures reports; here it is kept once.
        rows = [row for n, row in enumerate(rows) if n == 0 or row[0] != rows[n - 1][0]]
        insert = f"INSERT INTO figures VALUES ({', '.join('?' * stage.columns)})"
        conn.execute("BEGIN")
        with open(docs_path(path), "wb") as docs:
            for n in range(0, len(rows), BATCH):
                batch = rows[n : n + BATCH]
                conn.executemany(insert, [row[:-1] for row in batch])
                docs.write(b"".join([row[-1] for row in batch]))
                result.rows += len(batch)
        conn.execute("COMMIT")
    conn.close()
    del rows
    result.problems = problems[before:]
    del problems[before:]
    return result


def run(stage: FigureStage, files: list[Path], jobs: int, workdir: Path, while_waiting=None) -> list[ShardResult]:
    """Write the figures of ``files`` into shards in ``workdir``; return each shard's result, in file order.

    ``while_waiting`` is called in this process while the workers run.
    """
    global _STAGE
    groups = plan(files, jobs)
    paths = [str(workdir / f"figures-{n}.db") for n in range(len(groups))]
    _STAGE = stage
    try:
        if len(groups) <= 1:
            if while_waiting:
                while_waiting()
            return [write_shard(paths[0], groups[0] if groups else [])]
        with multiprocessing.get_context("fork").Pool(len(groups)) as pool:
            pending = pool.starmap_async(write_shard, zip(paths, groups, strict=True))
            if while_waiting:
                while_waiting()
            return pending.get()
    finally:
        _STAGE = None
