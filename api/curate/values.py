"""Read a number as the text writes it: bounds, hedge and words.

``find_values(text, taken)`` returns every number expression of a text that is
not part of a date: its span, and either a value (``low``, ``high``, ``hedge``,
``text``) or the reason it is not a claim (part of a name such as ``KN-23``,
an ordinal naming something, a number that refers back to a figure).
"""

from __future__ import annotations

import re
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
RANGE_RE = re.compile(rf"\s*(?:–|—|-|\bto\b)\s*({NUMBER})\b", re.I)
NAME_PART_RE = re.compile(r"[A-Za-z]{1,5}-$")
NAMED_GROUP = r"\s+(?:countries|nations|sides|leaders|governments|states|allies|presidents|men|women)[’']?"
COMPOUND_AFTER_RE = re.compile(r"^-(?:troop|strong|man|member|soldier|person)\b", re.I)


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


def find_values(text: str, taken: list[tuple[int, int]]) -> list[Value]:
    """Return every number expression outside ``taken`` spans (dates), in order."""

    def free(a: int, b: int) -> bool:
        return not any(s <= a < e or s < b <= e for s, e in taken)

    out: list[Value] = []
    used: list[tuple[int, int]] = []

    def add(v: Value):
        out.append(v)
        used.append((v.start, v.end))

    def unused(a: int, b: int) -> bool:
        return free(a, b) and not any(s <= a < e or s < b <= e for s, e in used)

    # Vague quantities first: "tens of thousands" holds two number words.
    for m in VAGUE_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        words = m.group()
        add(
            Value(
                m.start(),
                m.end(),
                "figure",
                {"low": None, "high": None, "hedge": "vague", "text": words},
                why=[f"'{words}' is a vague quantity: no bounds"],
                anchor=(m.start(), m.end()),
            )
        )
    for m in NUMBER_RE.finditer(text):
        a, b = m.start(), m.end()
        if not unused(a, b):
            continue
        words = m.group()
        n = number_of(words)
        if n is None:
            continue
        low_word = words.lower()
        rule = _not_a_claim(text, a, b)
        if rule is not None:
            tail = rule.after.match(text[b : b + 25]) if rule.after else None
            add(Value(a, b + (tail.end() if tail else 0), "exclusion", reason=rule.reason, anchor=(a, b)))
            continue
        if NAME_PART_RE.search(text[max(0, a - 6) : a]):
            add(Value(a, b, "exclusion", reason="not a claim: part of a name", anchor=(a, b)))
            # Take the whole name ("KN-23") as the quote.
            prefix = NAME_PART_RE.search(text[max(0, a - 6) : a])
            out[-1].start = a - (len(prefix.group()))
            continue
        if low_word == "one" and re.match(r"\s+(?:of|in)\b", text[b : b + 4]):
            add(Value(a, b, "exclusion", reason="not a claim: 'one' as a pronoun", anchor=(a, b)))
            continue
        if low_word == "one" and not re.match(r"\s+[a-z]", text[b : b + 3]):
            add(Value(a, b, "exclusion", reason="not a claim: 'one' as a pronoun", anchor=(a, b)))
            continue
        named = re.match(NAMED_GROUP, text[b : b + 20], re.I)
        the = re.search(r"\bthe\s+$", text[max(0, a - 5) : a], re.I)
        if named and the:
            reason = "not a claim: counts things the text names (the two countries)"
            add(Value(a - len(the.group()), b + named.end(), "exclusion", reason=reason, anchor=(a, b)))
            continue
        compound = COMPOUND_AFTER_RE.match(text[b : b + 12])
        if compound and re.search(r"\b(?:the|this|that|full|its)\s+$", text[max(0, a - 12) : a], re.I):
            end = b + compound.end()
            nxt = re.match(r"\s+\w+", text[end : end + 20])
            end += nxt.end() if nxt else 0
            add(
                Value(
                    a,
                    end,
                    "exclusion",
                    reason="refers to a figure given elsewhere (a number used as a modifier)",
                    anchor=(a, b),
                )
            )
            continue
        hedge, hstart = _hedge_before(text, a)
        low = high = n
        end = b
        rng = RANGE_RE.match(text, b)
        between = re.search(r"\bbetween\s+$", text[max(0, a - 9) : a], re.I)
        if between and not rng:
            rng = re.compile(rf"\s+and\s+({NUMBER})\b", re.I).match(text, b)
            if rng:
                a_text = a - len(between.group())
        why = []
        if rng:
            n2 = number_of(rng.group(1))
            if n2 is not None and n2 > n:
                # "25,000–30,000"; "25 to 30,000" reads as 25,000 to 30,000.
                if n2 >= 1000 and n < 1000 and n * 1000 < n2:
                    n *= 1000
                low, high, end = n, n2, rng.end()
                why.append("a range: two numbers joined by a dash or 'to'")
        start = a_text if between and rng and low != high else a
        if hedge and low != high:
            hedge = "about_range" if hedge == "about" else hedge
        if low != high and hedge in (None, "about_range"):
            hedge = hedge or "range"
            start = hstart if hedge == "about_range" else start
            before = text[max(0, a - 7) : a]
            if re.search(r"\baged?\s+$", before, re.I):
                start = a - len(re.search(r"aged?\s+$", before, re.I).group())
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
        add(Value(start, end, "figure", value, why=why, anchor=(a, b)))
    for m in ORDINAL_NUMERAL_RE.finditer(text):
        rule = _not_a_claim(text, m.start(), m.end())
        if rule is not None and unused(m.start(), m.end()):
            end = m.end() + rule.after.match(text[m.end() : m.end() + 25]).end()
            add(Value(m.start(), end, "exclusion", reason=rule.reason, anchor=(m.start(), m.end())))
    # Multipliers, ordinals and other number words the coverage check counts.
    for m in re.finditer(r"\b(?:" + "|".join(list(MULTIPLIERS) + list(ORDINALS) + ["first"]) + r")\b", text, re.I):
        a, b = m.start(), m.end()
        if not unused(a, b):
            continue
        w = m.group().lower()
        if w in MULTIPLIERS:
            n = MULTIPLIERS[w]
            value = {"low": n, "high": n, "hedge": "exact", "text": m.group()}
            add(Value(a, b, "figure", value, why=[f"'{m.group()}' multiplies by {n}"], anchor=(a, b)))
        elif w == "first":
            after = re.match(r"\s+(?:[\w’'-]+\s+){0,3}?[\w’'-]+", text[b : b + 40])
            end = b + (after.end() if after else 0)
            det = re.search(r"(?:\b(?:the|its|a|his|her|their|[\w’']+’s|[\w’']+'s)\s+)$", text[max(0, a - 25) : a])
            start = a - len(det.group()) if det else a
            reason = "not a claim: an ordinal naming something (the first …)"
            add(Value(start, end, "exclusion", reason=reason, anchor=(a, b)))
        else:
            n = ORDINALS[w]
            after = re.match(r"\s+(?:time|visit|trip|round|wave)\b", text[b : b + 10], re.I)
            end = b + (after.end() if after else 0)
            value = {"low": n, "high": n, "hedge": "exact", "text": text[a:end]}
            add(Value(a, end, "figure", value, why=[f"the ordinal '{w}' counts as {n}"], anchor=(a, b)))
    for m in re.finditer(r"\b(?:in\s+)?(?:decades?|once|half|dozen)\b", text, re.I):
        if unused(m.start(), m.end()):
            add(
                Value(
                    m.start(),
                    m.end(),
                    "exclusion",
                    reason="not a claim: a vague span or a word, not a quantity",
                    anchor=(m.start(), m.end()),
                )
            )
    return sorted(out, key=lambda v: v.start)
