"""Write each source's entity mentions into the fixtures: ``python -m api.curate.mentions [SOURCE…]``.

For each source (every source, or those whose id or file number is given) this
finds every place its archived text names an entity by a name or alias
(api.builder.mentions.find_mentions) and writes them to
``fixtures/mentions/<source-id>.jsonl``, one mention a line in text order: the
entity, the spelling as written, its span and the sentence around it.  The
build checks that these files list exactly what the text names, so run this
again after adding an entity or an alias.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from api.builder.fixtures import DEFAULT_FIXTURES_DIR, load
from api.builder.mentions import find_mentions, metadata_spans
from api.builder.texts import read_text, texts_dir


def write_mentions(fixtures_dir: Path, texts: Path, only: list[str] | None = None) -> dict[str, int]:
    """Write the mentions file of each chosen source; return how many mentions each has."""
    fixtures, problems = load(fixtures_dir)
    if problems:
        raise SystemExit("\n".join(str(p) for p in problems[:20]))
    names = {e["id"]: [e["name"], *e["aliases"]] for e in fixtures.data("entities")}
    out_dir = fixtures_dir / "mentions"
    out_dir.mkdir(exist_ok=True)
    written = {}
    for source in sorted(fixtures.data("sources"), key=lambda s: s["filename"]):
        if only and not any(source["id"] == o or source["filename"].startswith(o) for o in only):
            continue
        text = read_text(texts, source["filename"])
        if text is None:
            print(f"{source['id']}: {source['filename']} not found in {texts}", file=sys.stderr)
            continue
        mentions = [{"source": source["id"], **m} for m in find_mentions(text, names, metadata_spans(source))]
        lines = b"".join(orjson.dumps(m) + b"\n" for m in mentions)
        (out_dir / f"{source['id']}.jsonl").write_bytes(lines)
        written[source["id"]] = len(mentions)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.curate.mentions", description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", help="source ids or file numbers (default: every source)")
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES_DIR), help="fixtures directory")
    parser.add_argument("--texts", default=None, help="directory of the archived texts")
    args = parser.parse_args(argv)
    written = write_mentions(Path(args.fixtures), texts_dir(args.texts), args.sources or None)
    for source, n in written.items():
        print(f"{source}: {n} mentions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
