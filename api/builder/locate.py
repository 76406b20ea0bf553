"""Print the span of a verbatim quote in an archived text: python -m api.builder.locate 002 "quote"."""

import sys

from api.builder.texts import locate, read_text, texts_dir


def main(argv: list[str]) -> int:
    prefix, quote = argv[1], argv[2]
    directory = texts_dir()
    matches = [p for p in sorted(directory.glob(f"{prefix}*.txt"))]
    if len(matches) != 1:
        print(f"no single text matches {prefix!r}: {matches}", file=sys.stderr)
        return 2
    text = read_text(directory, matches[0].name)
    spans = locate(text, quote)
    if not spans:
        print("not found", file=sys.stderr)
        return 1
    for start, end in spans:
        print(f"[{start}, {end}]")
    return 0 if len(spans) == 1 else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
