"""The figures stage of the build: check, shape and write figures in parallel shards.

Figures are most of the data (a million of them at scale), so they are not
loaded into memory with the other records.  The figure files are split into
contiguous runs of about equal size, one per worker process; each worker reads
its files a record at a time, checks each record exactly as
:meth:`api.fixtures.Checker.check_figure` does, turns it into a table row and
writes the rows to its own SQLite file, a *shard*.  The build then merges the
shards into the ``figures`` table in id order (api.build.merge_shards).

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
from pathlib import Path

from api.fixtures import Checker, Problem, load_record, read_file, record_hash

# Below this many bytes of figure files, one process does it all: forking
# costs more than it saves.
PARALLEL_MIN_BYTES = 4 << 20
PAGE_SIZE = 8192  # as api.build.PAGE_SIZE
BATCH = 2_000  # rows per executemany
CACHE_KIB = 64 << 10  # SQLite page cache per shard


@dataclass
class FigureStage:
    """What a worker needs: the checker (with every other record) and how to shape a row."""

    directory: Path
    checker: Checker
    shape: Callable[[dict], tuple]
    create_sql: str
    columns: int
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
        # Start the next run once this one has its share.
        if groups[-1] and done >= total * len(groups) / jobs and len(groups) < jobs:
            groups.append([])
        groups[-1].append(path)
        done += size
    return groups


def write_shard(path: str, files: list[Path]) -> ShardResult:
    """Check and shape every figure in ``files``; write the rows to a new SQLite file at ``path``."""
    stage = _STAGE
    result = ShardResult(path)
    checker = stage.checker
    problems = checker.problems
    before = len(problems)  # a forked worker starts with a copy of the build's problems
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute(stage.create_sql)
    insert = f"INSERT INTO figures VALUES ({', '.join('?' * stage.columns)})"
    batch: list[tuple] = []
    conn.execute("BEGIN")
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
                continue  # keep checking, stop writing
            batch.append(stage.shape(data))
            if len(batch) >= BATCH:
                conn.executemany(insert, batch)
                result.rows += len(batch)
                batch.clear()
        del raw
    if batch and len(problems) == before:
        conn.executemany(insert, batch)
        result.rows += len(batch)
    # For the merge in id order (api.build.merge_shards).
    conn.execute("CREATE INDEX figures_id ON figures (id)")
    conn.execute("COMMIT")
    conn.close()
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
