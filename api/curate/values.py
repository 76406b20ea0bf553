"""Read a number as the text writes it: bounds, hedge and words.

``find_values(text, taken)`` returns every number expression of a text that is
not part of a date: its span, and either a value (``low``, ``high``, ``hedge``,
``text``) or the reason it is not a claim (part of a name such as ``KN-23``,
an ordinal naming something, a number that refers back to a figure).  It
scans the text with each pattern of ``PATTERNS`` in turn and reads every
match with the first rule of ``VALUE_RULES`` that applies; hedges are the
rules of ``HEDGE_BEFORE``/``HEDGE_AFTER``, descriptions of ``NOT_A_CLAIM``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
MULTIPLIERS = {
    "double": 2,
    "doubled": 2,
    "doubling": 2,
    "twice": 2,
    "triple": 3,
    "tripled": 3,
    "tripling": 3,
    "thrice": 3,
    "quadruple": 4,
    "quadrupled": 4,
}
ORDINALS = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}


@dataclass(frozen=True)
class HedgeRule:
    """Words next to a number that say how the number bounds the quantity."""

    name: str
    rx: re.Pattern
    hedge: str
    doc: str


# Hedge words as they end the text before a number, longest first.
HEDGE_BEFORE = [
    HedgeRule("up_to", re.compile(r"\b(?:up to|as many as)\s+$", re.I), "up_to", "'up to 300': at most"),
    HedgeRule(
        "nearly",
        re.compile(r"\b(?:nearly|almost|just under|close to)\s+$", re.I),
        "up_to",
        "'nearly 1,000': just under the number, so the number is the upper bound",
    ),
    HedgeRule(
        "at_least",
        re.compile(r"\b(?:at least|no fewer than|no less than|a minimum of)\s+$", re.I),
        "at_least",
        "'at least 100': the number is the lower bound",
    ),
    HedgeRule(
        "surpassed",
        re.compile(r"\b(?:(?:has|have|had)\s+)?(?:surpassed|exceeded|topped|passed|surpassing|exceeding)\s+$", re.I),
        "more_than",
        "'has surpassed 3,000': above the number",
    ),
    HedgeRule(
        "more_than",
        re.compile(r"\b(?:more than|over|in excess of|upward of|upwards of)\s+$", re.I),
        "more_than",
        "'more than 12,000', 'over 3,000': above the number",
    ),
    HedgeRule(
        "less_than", re.compile(r"\b(?:fewer than|less than|under)\s+$", re.I), "less_than", "'under 50': below it"
    ),
    HedgeRule(
        "about",
        re.compile(r"\b(?:about|around|roughly|approximately|some|an estimated|an|estimated)\s+$", re.I),
        "about",
        "'about 12,000', 'some 11,000': near the number",
    ),
]
# Hedge words right after a number; they decide over a hedge before it ("some 3,000 or more": at least).
HEDGE_AFTER = [
    HedgeRule("or_more", re.compile(r"^\s+(?:or|and)\s+(?:more|above|higher)\b", re.I), "at_least", "'3,000 or more'"),
    HedgeRule("plus", re.compile(r"^(?:\s*\+|[\s-]plus\b)", re.I), "at_least", "'3,000-plus', '3,000+': at least"),
    HedgeRule("or_fewer", re.compile(r"^\s+or\s+(?:fewer|less|below)\b", re.I), "up_to", "'50 or fewer': at most"),
    HedgeRule("or_so", re.compile(r"^\s+or\s+so\b", re.I), "about", "'200 or so': near the number"),
]


@dataclass(frozen=True)
class NotAClaim:
    """A number that is not a claim, known by the words around it."""

    name: str
    before: re.Pattern | None
    after: re.Pattern | None
    reason: str


# Numbers that describe or name something rather than count it: drafted as exclusions with the reason.
NOT_A_CLAIM = [
    NotAClaim(
        "calibre",
        None,
        re.compile(r"^(?:-|\s*)(?:mm|millimet(?:er|re)s?|cm|centimet(?:er|re)s?|calib(?:er|re)|-?inch(?:es)?)\b", re.I),
        "not a claim: a calibre or size that describes a weapon",
    ),
    NotAClaim(
        "age",
        None,
        re.compile(r"^-(?:year|month)s?-old\b", re.I),
        "not a claim: an age that describes someone",
    ),
    NotAClaim(
        "ordinal_name",
        None,
        re.compile(r"^(?:st|nd|rd|th)\s+(?:[A-Z][\w-]*)", re.U),
        "not a claim: an ordinal part of a name (a unit, a congress, an anniversary)",
    ),
]
# "tens of thousands" is the whole quantity; "hundreds of troops" keeps the one noun it counts.
VAGUE_RE = re.compile(
    r"\b(?:(?:several|a few|a couple of)\s+(?:hundred|thousand|million)\b|(?:tens|hundreds) of (?:thousands|millions)\b|(?:thousands|hundreds|millions|dozens|scores)(?:\s+of\s+[\w’'-]+)?)",
    re.I,
)
NUMERAL = r"\d+(?:,\d{3})*(?:\.\d+)?"
WORD = r"(?:" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")(?:-(?:" + "|".join(UNITS) + r"))?"
SCALE = r"(?:\s+(?:hundred|thousand|million|billion))?"
NUMBER = rf"(?:{NUMERAL}|{WORD}){SCALE}"
NUMBER_RE = re.compile(rf"\b{NUMBER}\b", re.I)
ORDINAL_NUMERAL_RE = re.compile(r"\b\d+(?=(?:st|nd|rd|th)\s+[A-Z])")
NUMBER_WORD_RE = re.compile(r"\b(?:" + "|".join([*MULTIPLIERS, *ORDINALS, "first"]) + r")\b", re.I)
VAGUE_WORD_RE = re.compile(r"\b(?:in\s+)?(?:decades?|once|half|dozen)\b", re.I)
# The words around a number that the rules below read.
RANGE_RE = re.compile(rf"\s*(?:–|—|-|\bto\b)\s*({NUMBER})\b", re.I)
BETWEEN_RE = re.compile(r"\bbetween\s+$", re.I)
AND_NUMBER_RE = re.compile(rf"\s+and\s+({NUMBER})\b", re.I)
AGED_RE = re.compile(r"\baged?\s+$", re.I)
NAME_PART_RE = re.compile(r"[A-Za-z]{1,5}-$")
ONE_OF_RE = re.compile(r"\s+(?:of|in)\b")
BEFORE_NOUN_RE = re.compile(r"\s+[a-z]")
NAMED_GROUP_RE = re.compile(
    r"\s+(?:countries|nations|sides|leaders|governments|states|allies|presidents|men|women)[’']?", re.I
)
THE_BEFORE_RE = re.compile(r"\bthe\s+$", re.I)
COMPOUND_AFTER_RE = re.compile(r"^-(?:troop|strong|man|member|soldier|person)\b", re.I)
DETERMINER_BEFORE_RE = re.compile(r"\b(?:the|this|that|full|its)\s+$", re.I)
NEXT_WORD_RE = re.compile(r"\s+\w+")
FIRST_NOUN_RE = re.compile(r"\s+(?:[\w’'-]+\s+){0,3}?[\w’'-]+")
OWNER_BEFORE_RE = re.compile(r"(?:\b(?:the|its|a|his|her|their|[\w’']+’s|[\w’']+'s)\s+)$")
ORDINAL_NOUN_RE = re.compile(r"\s+(?:time|visit|trip|round|wave)\b", re.I)


@dataclass
class Value:
    """One number expression of a text and what it is."""

    start: int
    end: int
    kind: str  # "figure" or "exclusion"
    value: dict | None = None
    reason: str | None = None
    why: list[str] = field(default_factory=list)
    anchor: tuple[int, int] = (0, 0)  # the number itself, for context features
    rule: str = ""  # the rule of VALUE_RULES that read it


def number_of(words: str) -> float | None:
    """Return the number that ``words`` ("30,000", "nine million", "twenty-five") write, or None."""
    words = words.strip().lower()
    parts = words.split()
    scale = 1
    if len(parts) == 2 and parts[1] in SCALES:
        scale = SCALES[parts[1]]
        words = parts[0]
    elif len(parts) != 1:
        return None
    if re.fullmatch(NUMERAL, words):
        n = float(words.replace(",", ""))
    elif words in UNITS:
        n = UNITS[words]
    elif "-" in words and all(p in UNITS for p in words.split("-")):
        n = sum(UNITS[p] for p in words.split("-"))
    else:
        return None
    n *= scale
    return int(n) if n == int(n) else n


def _hedge_before(text: str, start: int) -> tuple[str | None, int]:
    before = text[max(0, start - 30) : start]
    for rule in HEDGE_BEFORE:
        m = rule.rx.search(before)
        if m:
            if rule.hedge == "about" and m.group().strip().lower() == "an":
                continue  # "an additional 3,000": not a hedge
            start_of = start - (len(before) - m.start())
            if rule.name == "surpassed":
                start_of = start - (len(before) - m.start() - len(m.group()) + len(m.group().lstrip()))
            return rule.hedge, start_of
    return None, start


def _hedge_after(text: str, end: int) -> tuple[HedgeRule | None, int]:
    """Return the hedge rule the words right after a number match, and where those words end."""
    for rule in HEDGE_AFTER:
        m = rule.rx.match(text[end : end + 20])
        if m:
            return rule, end + m.end()
    return None, end


def _not_a_claim(text: str, a: int, b: int) -> NotAClaim | None:
    for rule in NOT_A_CLAIM:
        if rule.after and not rule.after.match(text[b : b + 25]):
            continue
        if rule.before and not rule.before.search(text[max(0, a - 25) : a]):
            continue
        return rule
    return None


# ---- the rules: each reads one match of its pattern, and drafts a Value or passes (None) ----


def _vague(text: str, m: re.Match) -> Value:
    words = m.group()
    value = {"low": None, "high": None, "hedge": "vague", "text": words}
    return Value(
        m.start(), m.end(), "figure", value, why=[f"'{words}' is a vague quantity: no bounds"], anchor=m.span()
    )


def _described(text: str, m: re.Match) -> Value | None:
    a, b = m.span()
    rule = _not_a_claim(text, a, b)
    if rule is None:
        return None
    tail = rule.after.match(text[b : b + 25]) if rule.after else None
    return Value(a, b + (tail.end() if tail else 0), "exclusion", reason=rule.reason, anchor=(a, b))


def _name_part(text: str, m: re.Match) -> Value | None:
    a, b = m.span()
    prefix = NAME_PART_RE.search(text[max(0, a - 6) : a])
    if not prefix:
        return None
    # Take the whole name ("KN-23") as the quote.
    return Value(a - len(prefix.group()), b, "exclusion", reason="not a claim: part of a name", anchor=(a, b))


def _one_as_pronoun(text: str, m: re.Match) -> Value | None:
    a, b = m.span()
    if m.group().lower() != "one" or (not ONE_OF_RE.match(text[b : b + 4]) and BEFORE_NOUN_RE.match(text[b : b + 3])):
        return None
    return Value(a, b, "exclusion", reason="not a claim: 'one' as a pronoun", anchor=(a, b))


def _named_group(text: str, m: re.Match) -> Value | None:
    a, b = m.span()
    named = NAMED_GROUP_RE.match(text[b : b + 20])
    the = THE_BEFORE_RE.search(text[max(0, a - 5) : a])
    if not (named and the):
        return None
    reason = "not a claim: counts things the text names (the two countries)"
    return Value(a - len(the.group()), b + named.end(), "exclusion", reason=reason, anchor=(a, b))


def _modifier(text: str, m: re.Match) -> Value | None:
    a, b = m.span()
    compound = COMPOUND_AFTER_RE.match(text[b : b + 12])
    if not (compound and DETERMINER_BEFORE_RE.search(text[max(0, a - 12) : a])):
        return None
    end = b + compound.end()
    nxt = NEXT_WORD_RE.match(text[end : end + 20])
    end += nxt.end() if nxt else 0
    reason = "refers to a figure given elsewhere (a number used as a modifier)"
    return Value(a, end, "exclusion", reason=reason, anchor=(a, b))


def _quantity(text: str, m: re.Match) -> Value:
    a, b = m.span()
    n = number_of(m.group())
    hedge, hstart = _hedge_before(text, a)
    low = high = n
    end = b
    rng = RANGE_RE.match(text, b)
    between = BETWEEN_RE.search(text[max(0, a - 9) : a])
    if between and not rng:
        rng = AND_NUMBER_RE.match(text, b)
    why = []
    if rng:
        n2 = number_of(rng.group(1))
        if n2 is not None and n2 > n:
            # "25,000–30,000"; "25 to 30,000" reads as 25,000 to 30,000.
            if n2 >= 1000 and n < 1000 and n * 1000 < n2:
                n *= 1000
            low, high, end = n, n2, rng.end()
            why.append("a range: two numbers joined by a dash or 'to'")
    start = a - len(between.group()) if between and rng and low != high else a
    if hedge and low != high:
        hedge = "about_range" if hedge == "about" else hedge
    if low != high and hedge in (None, "about_range"):
        hedge = hedge or "range"
        start = hstart if hedge == "about_range" else start
        aged = AGED_RE.search(text[max(0, a - 7) : a])
        if aged:
            start = a - len(aged.group())
    elif hedge in ("up_to", "less_than"):
        low, high, start = None, high, hstart
    elif hedge in ("at_least", "more_than"):
        high, start = None, hstart
    elif hedge == "about":
        start = hstart
    else:
        hedge = "exact"
    after, after_end = _hedge_after(text, end) if low == high else (None, end)
    if after is not None:
        # The words after decide: "some 3,000 or more" is at least 3,000.
        end, hedge = after_end, after.hedge
        start = hstart if hedge in ("at_least", "up_to") or start == hstart else a
        if hedge == "at_least":
            low, high = n, None
        elif hedge == "up_to":
            low, high = None, n
        else:
            low = high = n
        why.append(f"'{text[b:end].strip()}' after the number: hedge {hedge}")
    if hedge not in ("exact", "range") and after is None:
        why.append(f"'{text[start:a].strip()}' before the number: hedge {hedge}")
    elif hedge == "exact":
        why.append("no hedge word before the number: exact")
    value = {"low": low, "high": high, "hedge": hedge, "text": text[start:end]}
    return Value(start, end, "figure", value, why=why, anchor=(a, b))


def _multiplier(text: str, m: re.Match) -> Value | None:
    n = MULTIPLIERS.get(m.group().lower())
    if n is None:
        return None
    value = {"low": n, "high": n, "hedge": "exact", "text": m.group()}
    return Value(m.start(), m.end(), "figure", value, why=[f"'{m.group()}' multiplies by {n}"], anchor=m.span())


def _first(text: str, m: re.Match) -> Value | None:
    a, b = m.span()
    if m.group().lower() != "first":
        return None
    after = FIRST_NOUN_RE.match(text[b : b + 40])
    owner = OWNER_BEFORE_RE.search(text[max(0, a - 25) : a])
    reason = "not a claim: an ordinal naming something (the first …)"
    return Value(
        a - len(owner.group()) if owner else a,
        b + (after.end() if after else 0),
        "exclusion",
        reason=reason,
        anchor=(a, b),
    )


def _ordinal(text: str, m: re.Match) -> Value | None:
    a, b = m.span()
    w = m.group().lower()
    if w not in ORDINALS:
        return None
    n = ORDINALS[w]
    after = ORDINAL_NOUN_RE.match(text[b : b + 10])
    end = b + (after.end() if after else 0)
    value = {"low": n, "high": n, "hedge": "exact", "text": text[a:end]}
    return Value(a, end, "figure", value, why=[f"the ordinal '{w}' counts as {n}"], anchor=(a, b))


def _vague_word(text: str, m: re.Match) -> Value:
    reason = "not a claim: a vague span or a word, not a quantity"
    return Value(m.start(), m.end(), "exclusion", reason=reason, anchor=m.span())


@dataclass(frozen=True)
class ValueRule:
    """One way to read a number expression: the pattern whose matches it reads, and what it drafts."""

    name: str
    pattern: str  # a key of PATTERNS
    read: Callable[[str, re.Match], Value | None]  # None: the rule does not apply, the next one is tried
    doc: str


# What the rules look at, scanned in this order: an earlier pattern's value holds its words.
PATTERNS = {
    "vague": VAGUE_RE,
    "number": NUMBER_RE,
    "ordinal_numeral": ORDINAL_NUMERAL_RE,
    "number_word": NUMBER_WORD_RE,
    "vague_word": VAGUE_WORD_RE,
}
# The rules, tried in this order on each match of their pattern; the first that drafts a value wins.
VALUE_RULES = [
    ValueRule("vague", "vague", _vague, "'tens of thousands', 'hundreds of troops': a vague quantity, no bounds"),
    ValueRule("described", "number", _described, "'155 mm', '34-year-old', '42nd Rifle': see NOT_A_CLAIM"),
    ValueRule("name_part", "number", _name_part, "'KN-23': the number is part of a name"),
    ValueRule("one_as_pronoun", "number", _one_as_pronoun, "'one of them', 'the last one': a pronoun, no count"),
    ValueRule("named_group", "number", _named_group, "'the two countries': counts what the text names"),
    ValueRule("modifier", "number", _modifier, "'the 500-strong unit': refers to a figure given elsewhere"),
    ValueRule("quantity", "number", _quantity, "any other number: its bounds from the range and hedges around it"),
    ValueRule("ordinal_name", "ordinal_numeral", _described, "'the 42nd Rifle Division': see NOT_A_CLAIM"),
    ValueRule("multiplier", "number_word", _multiplier, "'tripled', 'twice': a multiplier, a figure"),
    ValueRule("first", "number_word", _first, "'the first …' names something: an exclusion"),
    ValueRule("ordinal", "number_word", _ordinal, "'a second visit': the ordinal counts"),
    ValueRule("vague_word", "vague_word", _vague_word, "'decades', 'once', 'half', 'dozen': a word, not a quantity"),
]


def find_values(text: str, taken: list[tuple[int, int]]) -> list[Value]:
    """Return every number expression outside ``taken`` spans (dates), in order, read by VALUE_RULES."""
    out: list[Value] = []
    used = list(taken)
    for pattern, rx in PATTERNS.items():
        rules = [r for r in VALUE_RULES if r.pattern == pattern]
        for m in rx.finditer(text):
            a, b = m.span()
            if any(s <= a < e or s < b <= e for s, e in used):
                continue
            if pattern == "number" and number_of(m.group()) is None:
                continue
            for rule in rules:
                value = rule.read(text, m)
                if value is not None:
                    value.rule = rule.name
                    out.append(value)
                    used.append((value.start, value.end))
                    break
    return sorted(out, key=lambda v: v.start)
