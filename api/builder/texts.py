"""Access to the archived article texts that fixtures quote.

The texts are not part of the repository.  They are read from the directory
given by ``--texts``, the ``CLAIMBASE_TEXTS`` environment variable, or
``../shared/seeds`` beside the repository, in that order.
"""

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEXTS_DIR = ROOT.parent / "shared" / "seeds"


def texts_dir(override: str | os.PathLike | None = None) -> Path:
    """Return the directory that holds the archived texts."""
    if override:
        return Path(override)
    env = os.environ.get("CLAIMBASE_TEXTS")
    return Path(env) if env else DEFAULT_TEXTS_DIR


def read_text(directory: Path, filename: str) -> str | None:
    """Return a document's text (decoded UTF-8, spans count code points) or None."""
    path = directory / filename
    if not path.is_file():
        return None
    return path.read_bytes().decode("utf-8")


def sha256_of(directory: Path, filename: str) -> str | None:
    path = directory / filename
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def locate(text: str, quote: str) -> list[tuple[int, int]]:
    """Return every ``[start, end)`` span at which ``quote`` occurs in ``text``."""
    found, start = [], text.find(quote)
    while start != -1:
        found.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    return found
