"""Sentences, and who a sentence says said it: the claimant behind an attribution cue."""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.builder.coverage import find_cues
from api.curate.dates import MONTH_ABBREVIATIONS
from api.curate.vocab import Vocabulary

ABBREVIATIONS = (
    *("Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Lt", "Col", "Sgt", "Capt", "Maj", "Adm", "Brig", "Cpl", "Pvt"),
    *("Sen", "Rep", "Gov", "Prof", "Jr", "Sr", "No", "vs", "Amb", "Rev"),
)
BOUNDARY_RE = re.compile(r"[.!?…][”’\"')\]]*(?=\s+[“\"‘'(\[]?[A-Z0-9])|\n+")
# A part of the clause before the speaker that says when or why, not who ("Despite those losses,").
LEADING_ADVERBIAL = re.compile(
    r"^(?:on|in|by|last|earlier|this|since|after|before|despite|amid|following|during|while|under|given|as)\b", re.I
)
SUBORDINATE_RE = re.compile(r"\b(?:after|before|when|while|because|until|although|though|whereas|once)\s+", re.I)
ROLE_WORD = re.compile(r"(?:former|senior|deputy|chief|top|acting)\b")
DAY_AFTER_RE = re.compile(r"\s*\d{1,2}\b")
ADVERBIALS = re.compile(
    r"^(?:similarly|meanwhile|however|separately|additionally|still|also|now|but|and|yet|moreover|"
    r"further|furthermore|in addition|previously|earlier|later|instead|indeed|notably|since then)$",
    re.I,
)
AUXILIARY_TAIL = re.compile(
    r"(?:\s+(?:has|have|had|also|further|now|previously|publicly|not|already|reportedly|recently|"
    r"earlier|later|then|too|just|repeatedly|would|will|could|may|might|did|does|do))+$",
    re.I,
)
SPEECH_NOUNS = ("estimate", "estimates", "assessment", "report", "reports", "claims", "statement", "statements")
# Verbs that attribute words but that the coverage check does not count as cues.
EXTRA_CUE_RE = re.compile(
    r"\b(?:announcing|announces|revealed|reveals|revealing|argued|argues|adds|expects|expect|insisted|"
    r"stressed|explained|explaining|based on|points? to|pointing to|provided data|indicates?|indicated"
    # "The report states that", "… the document states.": not "the United States" or "the notes and".
    r"|(?<!United\s)(?:states|notes)(?=\s+(?:that|a|an|the)\b|\s*[.,;:”\"]|$))\b",
    re.I,
)
AFTER_NP_CUES = ("according to", "citing", "based on")
PRONOUN_RE = re.compile(r"^(?:their|his|her|its|they|he|she|it|we|our)\b", re.I)
DETERMINER_RE = re.compile(
    r"(?:\b(?:[Tt]he|[Aa]n?|[Tt]his|[Tt]hat|[Tt]heir|[Ii]ts|[Hh]is|[Hh]er)\s+(?:[a-z][\w-]*\s+|[A-Z][a-z]+\s+){0,2}"
    r"|[\w’'-]+[’']s\s+)$"
)
PASSIVE_BEFORE = re.compile(
    r"\b(?:was|were|is|are|be|been|being)\s+(?:(?:first|also|not|widely|still|now|\w+ly)\s+)?$", re.I
)


def sentences(text: str) -> list[tuple[int, int]]:
    """Return the [start, end) spans of the sentences of ``text``, without surrounding space."""
    spans, start = [], 0
    for m in BOUNDARY_RE.finditer(text):
        end = m.end() if m.group()[0] != "\n" else m.start()
        word = re.search(r"(\w+)[.]$", text[max(0, end - 6) : end])
        if m.group()[0] == "." and word and (word.group(1) in ABBREVIATIONS or len(word.group(1)) == 1):
            continue
        if m.group()[0] == "." and word and word.group(1) in MONTH_ABBREVIATIONS and DAY_AFTER_RE.match(text, m.end()):
            continue  # "on Dec. 23 that": a month before its day does not end the sentence
        spans.append((start, end))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if b - trail > a + lead:
            out.append((a + lead, b - trail))
    return out


@dataclass
class Attribution:
    """One cue and what it says: the speaker's words, the entity, the outlet it went through."""

    cue_start: int
    cue_end: int
    cue: str
    speaker: tuple[int, int] | None  # span of the words naming who said it
    as_written: str | None
    entity: str | None
    via: str | None
    why: str
    outlet_only: bool = False  # "according to CNN": an intermediary, not a claimant


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    seg = text[a:b].rstrip(" ,")
    b = a + len(seg)
    m = AUXILIARY_TAIL.search(seg)
    if m:
        b = a + m.start()
        seg = text[a:b]
    lead = len(seg) - len(seg.lstrip(" ,;:—–-“”\"'"))
    trail = len(seg) - len(seg.rstrip(" ,;:—–-“”\"'"))
    return a + lead, b - trail


def _speaker_before(text: str, sent: tuple[int, int], cue_start: int) -> tuple[int, int] | None:
    """Return the span of the words before a cue verb that name who speaks."""
    a = _clause_start(text, sent, cue_start)
    seg = text[a:cue_start]
    close = max(seg.rfind("”"), seg.rfind('"'))
    if close >= 0:
        a = a + close + 1  # "…,” Umerov said.
        seg = text[a:cue_start]
    that = seg.lower().rfind(" that ")
    if that >= 0:
        a, seg = a + that + 6, seg[that + 6 :]
    parts = [m for m in re.finditer(r"(?:[^,;:]|(?<=\d),(?=\d{3}))+", seg) if m.group().strip()]
    # Drop leading adverbials and dates ("On Friday,", "Similarly,"): keep from the
    # first part that can name someone.
    while len(parts) > 1:
        first = parts[0].group().strip()
        if ADVERBIALS.match(first) or LEADING_ADVERBIAL.match(first):
            parts.pop(0)
        else:
            break
    while len(parts) > 1 and AUXILIARY_TAIL.fullmatch(" " + parts[-1].group().strip()):
        parts.pop()
    if not parts:
        return None
    start = parts[-1].start()
    cut = list(SUBORDINATE_RE.finditer(parts[-1].group()))
    if cut:
        # "His remarks came after a senior official said": the speaker follows the conjunction.
        start += cut[-1].end()
        parts = parts[-1:]
    # A speaker may carry an appositive: "Ukraine's military chief, Oleksandr Syrskyi".
    if len(parts) > 1 and _looks_like_appositive(parts[-2].group()):
        start = parts[-2].start()
    s, e = _trim(text, a + start, cue_start)
    if e <= s or len(text[s:e].split()) > 12 or re.fullmatch(r"(?:the|a|an|this|that|it|which|who)", text[s:e], re.I):
        return None
    return s, e


def _clause_start(text: str, sent: tuple[int, int], pos: int) -> int:
    semi = text.rfind(";", sent[0], pos)
    return semi + 1 if semi >= 0 else sent[0]


def _clause_end(text: str, sent: tuple[int, int], pos: int) -> int:
    semi = text.find(";", pos, sent[1])
    return semi if semi >= 0 else sent[1]


def clause(text: str, sent: tuple[int, int], pos: int) -> tuple[int, int]:
    """Return the part of sentence ``sent`` between the semicolons around ``pos``, without them or the space after."""
    a, b = _clause_start(text, sent, pos), _clause_end(text, sent, pos)
    return a + len(text[a:b]) - len(text[a:b].lstrip()), b


def _looks_like_appositive(part: str) -> bool:
    """'Ukraine's military chief' before ', Oleksandr Syrskyi': short, no verb-like words."""
    ws = part.split()
    if not ws or re.match(r"(?:for|in|on|at|by|with|to|from|of|as|after|before|since|during)\b", ws[0], re.I):
        return False  # "… for a new deployment, Lee added": a phrase of the clause, not a title
    if re.search(r"\d", part):
        return False  # "14 boats sank on Tuesday, the office said": a clause with a count, not a title
    if (
        re.fullmatch(r"[A-Za-z]+(?:ed|ing)", ws[0])
        and len(ws) > 1
        and ws[1].lower() in ("by", "to", "with", "in", "on")
    ):
        return False  # "… for a new deployment, Lee added": a phrase of the clause, not a title
    if (
        ws[0][0].islower()
        and ws[0] not in ("a", "an", "the", "its", "his", "her", "their")
        and not ROLE_WORD.match(ws[0])
    ):
        return False  # "… killed, wounded in the valley, the mayor says": a participle, not a title
    return 0 < len(ws) <= 5 and not re.search(r"\b(?:is|are|was|were|has|have|had|would|will)\b", part)


def _noun_phrase_after(text: str, sent: tuple[int, int], pos: int) -> tuple[int, int] | None:
    m = re.match(r"\s*([^,;.“”\"]+?)(?=\s*(?:[,;.“”\"]|\bthat\b|$))", text[pos : sent[1]])
    if not m:
        return None
    return pos + m.start(1), pos + m.end(1)


def cues_in(text: str, sent: tuple[int, int]) -> list[tuple[int, int, str]]:
    """Return the attribution cues of one sentence: (start, end, words), in text order."""
    seg = text[sent[0] : sent[1]]
    found = [(c.start, c.end, c.text) for c in find_cues(seg)]
    found += [(m.start(), m.end(), m.group()) for m in EXTRA_CUE_RE.finditer(seg)]
    return [(sent[0] + a, sent[0] + b, words) for a, b, words in sorted(found)]


def attributions(
    text: str, sent: tuple[int, int], vocab: Vocabulary, cues: list[tuple[int, int, str]] | None = None
) -> list[Attribution]:
    """Return every attribution cue of one sentence (``cues``, else those found) with its speaker, entity and via."""
    out = []
    for c0, c1, cue_text in cues_in(text, sent) if cues is None else cues:
        word = re.sub(r"\s+", " ", cue_text.lower())
        via = None
        why = ""
        if word in SPEECH_NOUNS:
            det = DETERMINER_RE.search(text[max(sent[0], c0 - 30) : c0])
            if det:
                # "The report adds", "Ukraine's estimate of": the noun phrase is the speaker.
                span = (c0 - len(det.group()), c1)
                phrase = text[span[0] : span[1]]
                entity, why = vocab.best_entity(phrase, span[0])
                out.append(Attribution(c0, c1, cue_text, span, phrase, entity, None, why))
                continue
        if word in AFTER_NP_CUES:
            span = _noun_phrase_after(text, sent, c1)
            if not span:
                continue
            phrase = text[span[0] : span[1]]
            entity, why = vocab.best_entity(phrase, span[0])
            outlet = _outlet(vocab, phrase)
            if outlet and entity == outlet:
                out.append(
                    Attribution(c0, c1, cue_text, span, None, None, outlet, f"'{cue_text} {phrase}': an outlet", True)
                )
                continue
            if outlet:
                via = outlet
            out.append(Attribution(c0, c1, cue_text, span, phrase, entity, via, why))
            continue
        if word == "reportedly":
            out.append(Attribution(c0, c1, cue_text, None, None, None, None, "'reportedly' names no one"))
            continue
        if PASSIVE_BEFORE.search(text[max(sent[0], c0 - 25) : c0]):
            by = re.match(r"\s+by\s+", text[c1 : c1 + 5])
            span = _noun_phrase_after(text, sent, c1 + by.end()) if by else None
            if not span:
                out.append(Attribution(c0, c1, cue_text, None, None, None, None, f"passive '{cue_text}': no one named"))
                continue
        else:
            span = _speaker_before(text, sent, c0)
            clause = _clause_start(text, sent, c0)
            if span is None and word.endswith("ing") and out and out[-1].speaker and out[-1].cue_start >= clause:
                # "…, suggesting …": the participle's subject is the previous cue's speaker.
                prev = out[-1]
                out.append(
                    Attribution(c0, c1, cue_text, prev.speaker, prev.as_written, prev.entity, prev.via, prev.why)
                )
                continue
            if span is None and word.endswith("ing"):
                span = _clause_subject(text, clause, c0, vocab)
            if span is None:
                # "…, says Syrskyi": the speaker may follow the verb.
                after = re.match(r"\s+((?:[A-Z][\w’'-]+\s*){1,4})", text[c1 : sent[1]])
                if after:
                    span = (c1 + after.start(1), c1 + after.end(1))
                    span = (span[0], span[0] + len(text[span[0] : span[1]].rstrip()))
        if span is None:
            out.append(Attribution(c0, c1, cue_text, None, None, None, None, f"no speaker found for '{cue_text}'"))
            continue
        phrase = text[span[0] : span[1]]
        if word in SPEECH_NOUNS and not phrase:
            continue
        entity, why = vocab.best_entity(phrase, span[0])
        if word in ("told", "tells"):
            after = _noun_phrase_after(text, sent, c1)
            if after:
                via = _outlet(vocab, text[after[0] : after[1]])
        inner = _outlet(vocab, phrase)
        if inner and inner != entity:
            via = via or inner  # "an assessment reviewed by CNN"
        out.append(Attribution(c0, c1, cue_text, span, phrase, entity, via, why))
    # A cue inside an earlier cue's speaker ("according to Western intelligence estimates") is part of it.
    kept: list[Attribution] = []
    for t in out:
        if not any(o.speaker and o.speaker[0] <= t.cue_start and t.cue_end <= o.speaker[1] for o in kept):
            kept.append(t)
    return kept


def _clause_subject(text: str, clause: int, cue_start: int, vocab: Vocabulary) -> tuple[int, int] | None:
    """Return the words naming the subject of a clause ("his envoy Sergei Shoigu visited …, announcing")."""
    seg = text[clause:cue_start]
    parts = [m for m in re.finditer(r"[^,;]+", seg) if m.group().strip()]
    while len(parts) > 1 and (
        ADVERBIALS.match(parts[0].group().strip())
        or re.match(r"^(?:on|in|by|last|earlier|this|since|after|before)\b", parts[0].group().strip(), re.I)
    ):
        parts.pop(0)
    if not parts:
        return None
    first = parts[0]
    hits = [
        h
        for h in vocab.entities_in(first.group())
        if vocab.entities[h[2]]["type"] not in ("city", "region", "facility", "place", "country")
    ]
    if not hits:
        return None
    hits.sort(key=lambda h: h[0])
    return _trim(text, clause + first.start(), clause + first.start() + hits[0][1])


def _outlet(vocab: Vocabulary, phrase: str) -> str | None:
    for _, _, ident in vocab.entities_in(phrase):
        if vocab.entities[ident]["type"] == "media-outlet":
            return ident
    return None


def claimant_for(
    text: str, sent: tuple[int, int], atts: list[Attribution], a: int, b: int, outlets: set[str]
) -> tuple[Attribution | None, str | None]:
    """Return the attribution that governs the words at ``[a, b)`` and the outlet they came through.

    In order: an "according to …" after the words; else the nearest cue
    before them in the same clause; else a cue after them whose speaker also
    comes after ("…, Western officials estimate").  A speaker that is an
    outlet ("CNN reported citing …") becomes the via.
    """
    lo, hi = _clause_start(text, sent, a), _clause_end(text, sent, b)
    via = next((t.via for t in atts if t.outlet_only), None)
    usable = [
        t
        for t in atts
        if not t.outlet_only
        and t.speaker is not None
        and lo <= t.cue_start < hi
        and not (t.speaker[0] <= a and b <= t.speaker[1])
    ]
    after_np = [t for t in usable if t.cue.lower().split()[0] in ("according", "citing") and t.cue_start >= b]
    before = [t for t in usable if t.cue_end <= a]
    post = [t for t in usable if t.cue_start >= b and t.speaker[0] >= b]
    chosen = after_np[0] if after_np else before[-1] if before else post[0] if post else None
    if chosen is not None and chosen.entity in outlets:
        via = chosen.entity
        nxt = [t for t in usable if t.cue.lower().split()[0] in AFTER_NP_WORDS and t.cue_start >= chosen.cue_end]
        chosen = nxt[0] if nxt else None
    if chosen is not None:
        via = chosen.via or via
    return chosen, via


AFTER_NP_WORDS = ("according", "citing", "based")


def sentence_of(sents: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    """Return the sentence that holds ``pos``, else the nearest one."""
    for s in sents:
        if s[0] <= pos < s[1]:
            return s
    return min(sents, key=lambda s: abs(s[0] - pos))
