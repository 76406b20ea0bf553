"""Find what a text says that a record may hold: date expressions, numbers, attribution cues and new names.

Nothing is resolved or attributed here: dates are matched by the named
patterns of ``dates.PATTERNS``, numbers read by the rules of
``values.VALUE_RULES``, cues by the coverage check's cue words and
``attribution.EXTRA_CUE_RE``, names by ``entities.TextEntities``.
"""

from __future__ import annotations

from api.curate.attribution import cues_in
from api.curate.dates import match_dates
from api.curate.entities import TextEntities, TextVocabulary
from api.curate.flow import Found, Segments
from api.curate.values import find_values
from api.curate.vocab import Vocabulary


def run(seg: Segments, vocab: Vocabulary) -> Found:
    """Return the date expressions, number expressions, cues (by sentence) and new names of a segmented text."""
    text, taken = seg.text, seg.taken
    dates = [d for d in match_dates(text) if not any(s <= d.start < e for s, e in taken)]
    values = find_values(text, [(d.start, d.end) for d in dates] + taken)
    cues = {sent: cues_in(text, sent) for sent in seg.sentences}
    names = TextEntities.read(text, vocab, seg.source["id"], seg.skip, seg.starts)
    return Found(dates, values, cues, names, TextVocabulary(vocab, text, names, seg.source["id"]))
