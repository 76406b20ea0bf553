"""Draft fixtures for a new archived text: ``python -m api.curate.draft TEXT [--out DIR]``.

For every number, number word, date expression and attribution cue that the
coverage check finds, the draft proposes a figure, an event citation, a
statement or an exclusion, with the enclosing sentence as its quote and its
exact span, the value read from the words around the number, the period
resolved against the reference date, and suggested metric, subject, claimant,
via and claim key from the curated fixtures, each with a short ``why``.
Every record carries ``unconfirmed: true``: the build refuses it until a
person has checked it and removed the mark.

Drafting is a pipeline of stages (:mod:`api.curate.stages`), run once each
in the order of ``STAGES``, each taking and returning plain data
(:mod:`api.curate.flow`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from api.builder.fixtures import DEFAULT_FIXTURES_DIR, load
from api.curate.stages import attribute, classify, find, resolve_dates, segment, shape, write
from api.curate.vocab import Vocabulary

DRAFTS_DIR = DEFAULT_FIXTURES_DIR / "drafts"
# The stages in the order the driver runs them, once each.
STAGES = ("segment", "find", "resolve_dates", "attribute", "classify", "shape", "write")


class Drafter:
    """Drafts texts with one vocabulary."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab

    def draft(self, text: str, filename: str, source_id: str | None = None, reference: dt.date | None = None) -> dict:
        """Return the draft records of ``text`` by kind, each marked unconfirmed (every stage but ``write``)."""
        seg = segment.run(text, filename, self.vocab, source_id, reference)
        found = find.run(seg, self.vocab)
        dates = resolve_dates.run(found.dates, seg.ref, seg.assumed)
        said = attribute.run(seg, found, dates)
        classes = classify.run(seg, found, dates, said)
        return shape.run(seg, found, said, classes)


def write_draft(records: dict, out: Path) -> list[Path]:
    """Write draft records in the fixtures' layout under ``out`` (the ``write`` stage); return the files written."""
    return write.run(records, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.curate.draft", description=__doc__.splitlines()[0])
    parser.add_argument("text", help="the archived text (UTF-8)")
    parser.add_argument("--out", help="output folder (default fixtures/drafts/<source-id>/)")
    parser.add_argument("--id", help="the source id (default: a slug of the title or file name)")
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES_DIR), help="curated fixtures to suggest from")
    parser.add_argument(
        "--reference-date", type=dt.date.fromisoformat, help="resolve relative dates against this YYYY-MM-DD"
    )
    args = parser.parse_args(argv)
    path = Path(args.text)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {path} as UTF-8 text: {exc}", file=sys.stderr)
        return 2
    fixtures, problems = load(Path(args.fixtures))
    if problems:
        print(f"note: {len(problems)} problem(s) in the fixtures; drafting from the valid records", file=sys.stderr)
    t0 = time.perf_counter()
    vocab = Vocabulary.from_fixtures(fixtures)
    records = Drafter(vocab).draft(text, path.name, args.id, args.reference_date)
    elapsed = time.perf_counter() - t0
    # Where the review page finds the text until it is in the archive.
    records["sources"][0]["draft"]["text"] = str(path.resolve())
    sid = records["sources"][0]["id"]
    out = Path(args.out) if args.out else DRAFTS_DIR / sid
    files = write_draft(records, out)
    counts = ", ".join(f"{len(v)} {k}" for k, v in records.items() if v)
    print(f"drafted {sid} in {elapsed:.2f} s: {counts}")
    for f in files:
        print(f"  {f}")
    print(f"next: make review SOURCE={sid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
