"""Who a text names: new entities from its proper nouns, and who a phrase refers to.

``TextEntities`` reads the proper-noun phrases of a text's body (never its
headline, whose every word is capitalised) and suggests an entity for each
name the vocabulary does not know, typed by the words of the name
(``NAME_TYPES``), with the short forms the text uses later as aliases (a
surname, an acronym in brackets) and the role noun it was introduced with
("lawmaker Lee …").  ``TextVocabulary`` answers "who is this phrase?" for one
text: a possessive of a known party ("the South's military"), a name of the
vocabulary or of the text, a role noun that refers to a person introduced
with it ("the lawmaker"), or else an unnamed party suggested as an entity
typed from its words (``PARTY_TYPES``), never the nearest entity by shared
words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from api.curate.dates import MONTH_ABBREVIATIONS, MONTHS, WEEKDAYS
from api.curate.vocab import TYPE_RANK, Vocabulary, words
from api.shape import alias_key

NAME_RE = re.compile(
    r"\b[A-Z][\w’'-]*[a-z0-9][\w’'-]*(?:[ ]+(?:of[ ]+the[ ]+|of[ ]+|the[ ]+)?[A-Z][\w’'-]+)*"
    r"|\b[A-Z]{2,6}\b"
)
ACRONYM_AFTER_RE = re.compile(r"^\s*\(([A-Z][A-Za-z]{1,6})\)")
# Words before or at the start of a name that are titles or roles, not part of it.
TITLES = set(
    "Governor President Minister Prime General Gen Major Maj Lieutenant Lt Colonel Col Admiral Adm Sergeant Sgt "
    "Captain Capt Commander Chief Deputy Vice Secretary Senator Sen Rep Representative MP Dr Mr Mrs Ms Mayor "
    "Ambassador Spokesman Spokeswoman Spokesperson Professor Prof Analyst Lawmaker Foreign Defense Defence Leader "
    "Supreme".split()
)
NOT_NAMES = set(
    "The A An This That These Those It Its He She They We I But And Or If While When As In On At By For From "
    "With After Before Since During Despite Although Though However Meanwhile Similarly Separately Source "
    "According Analysts Analyst Satellite Evidence New Roughly Around About Their There Together One Loading "
    "Of Following Reports Report Officials Moreover Also Still Yet So Then Here of the".split()
)
DATE_WORDS = set(MONTHS) | set(WEEKDAYS) | set(MONTH_ABBREVIATIONS)
# Role nouns a text introduces a person with, and later refers to them by ("the lawmaker").
ROLE_NOUNS = (
    "lawmaker legislator senator congressman congresswoman mp spokesperson spokesman spokeswoman minister "
    "president leader general commander analyst envoy ambassador diplomat governor mayor secretary chief "
    "official officer researcher expert"
).split()
ROLE_RE = re.compile(r"\b(" + "|".join(ROLE_NOUNS) + r")s?\b", re.I)


@dataclass(frozen=True)
class TypeRule:
    """Words that say what kind of entity a name or a party is."""

    name: str
    rx: re.Pattern
    type: str


# A new name's type, from the words of the name; the first rule that matches decides.
NAME_TYPES = [
    TypeRule(
        "outlet",
        re.compile(
            r"\b(?:Times|News|Post|Press|Daily|Independent|Herald|Gazette|Radio|TV|Television|"
            r"Journal|Telegraph|Tribune|Agency News|Broadcasting)\b"
        ),
        "media-outlet",
    ),
    TypeRule("unit", re.compile(r"\b(?:Corps|Brigade|Division|Regiment|Battalion|Fleet|Squadron)\b"), "military-unit"),
    TypeRule(
        "military", re.compile(r"\b(?:Chiefs of Staff|Army|Navy|Air Force|Armed Forces|Military|Command)\b"), "military"
    ),
    TypeRule("agency", re.compile(r"\b(?:Agency|Service|Intelligence|Bureau|Directorate)\b"), "agency"),
    TypeRule(
        "government",
        re.compile(
            r"\b(?:Ministry|Department|Government|Cabinet|Parliament|Congress|Assembly|"
            r"Pentagon|Kremlin|House)\b"
        ),
        "government",
    ),
    TypeRule("region", re.compile(r"\b(?:Oblast|Region|Province|Peninsula|Krai|Prefecture|County|State)\b"), "region"),
    TypeRule("facility", re.compile(r"\b(?:Airport|Airbase|Base|Port|Plant|Site|Station)\b"), "facility"),
    TypeRule(
        "organization",
        re.compile(
            r"\b(?:Center|Centre|Institute|University|Council|Foundation|Committee|"
            r"Organization|Organisation|Union|Party)\b"
        ),
        "organization",
    ),
]
# An unnamed party's type, from its words ("a South Korean lawmaker", "intelligence officials").
PARTY_TYPES = [
    TypeRule("officials", re.compile(r"\b(?:officials|sources|analysts|experts|lawmakers|observers)\b", re.I), "group"),
    TypeRule("official", re.compile(r"\b(?:official|officer)\b", re.I), "group"),
    TypeRule(
        "person",
        re.compile(
            r"\b(?:lawmaker|legislator|senator|mp|spokes(?:person|man|woman)|minister|"
            r"president|commander|general|envoy|ambassador|analyst|leader)\b",
            re.I,
        ),
        "person",
    ),
    TypeRule("agency", re.compile(r"\b(?:agency|service|intelligence|bureau)\b", re.I), "agency"),
    TypeRule("government", re.compile(r"\b(?:ministry|government|cabinet|parliament|office)\b", re.I), "government"),
    TypeRule(
        "military", re.compile(r"\b(?:military|army|navy|armed forces|chiefs of staff|forces)\b", re.I), "military"
    ),
]
DOCUMENT_TAIL_RE = re.compile(
    r"^(?:the\s+|an?\s+)?(?P<who>.+?)\s+(?:estimates?|assessments?|statements?|reports?|claims|figures|data)$", re.I
)
# Head nouns that name the same kind of thing in a possessive ("Ukraine's estimate" of "Ukraine's assessment").
SAME_HEAD = {"estimate": "assessment", "estimates": "assessment", "assessments": "assessment"}
PLACE_BEFORE_RE = re.compile(
    r"\b(?:in|at|near|from|to|into|across|outside|inside)\s+(?:(?:the\s+)?(?:northern|southern|eastern|western|central)\s+)?$",
    re.I,
)
DEMONYM_RE = re.compile(r"[A-Z][a-z]+(?:ian|ean|an|ese|ish|i)")
POSSESSIVE_RE = re.compile(r"^(?:the\s+)?(?P<owner>.+?)['’]s\s+(?P<rest>.+)$", re.I)
UNNAMED_RE = re.compile(r"^(?:the|a|an|one|two|three|several|some|many)?\s*(?P<words>.+)$", re.I)
PRONOUN_OR_DOC = re.compile(
    r"^(?:he|she|they|it|we|i|you|his|her|their|its|this|that|these|those|which|who|the\s+(?:report|document|"
    r"assessment|study|statement|estimate|analysis))\b",
    re.I,
)


def type_of(rules: list[TypeRule], phrase: str) -> tuple[str | None, str]:
    """Return the type the first matching rule gives, and why."""
    for rule in rules:
        m = rule.rx.search(phrase)
        if m:
            return rule.type, f"'{m.group()}' in the words: {rule.type} (rule {rule.name})"
    return None, "no word says what kind of entity it is"


def slug(text: str, limit: int = 8) -> str:
    ws = re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", ""))
    return "-".join(ws[:limit]) or "x"


@dataclass
class TextEntities:
    """The entities a text names that the vocabulary does not know, with where it names them."""

    suggested: dict[str, dict] = field(default_factory=dict)
    mentions: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, entity id)
    roles: list[tuple[int, str, str]] = field(default_factory=list)  # (where, role noun, entity id)

    @classmethod
    def read(
        cls, text: str, vocab: Vocabulary, sid: str, skip: list[tuple[int, int]], starts: set[int]
    ) -> TextEntities:
        """Return the new names of ``text`` outside the ``skip`` spans (headline, archive lines)."""
        out = cls()
        known = vocab.entities_in(text)
        for m in NAME_RE.finditer(text):
            a, b = m.start(), m.end()
            if any(s <= a < e for s, e in skip):
                continue
            name, a = _strip(text, a, b, vocab)
            if not name:
                continue
            b = a + len(name)
            if any(s <= a and b <= e for s, e, _ in known):
                continue
            if any(s <= a < e for s, e, _ in out.mentions):
                continue
            parts = name.split()
            short = out._short_form(name)
            if short:
                out.mentions.append((a, b, short))
                continue
            if len(parts) == 1 and (a in starts or _country_word(name, vocab)):
                continue  # a capital at a sentence start, or "North" for a country named in full elsewhere
            if len(parts) == 1 and DEMONYM_RE.fullmatch(name) and re.match(r"\s+[a-z]", text[b : b + 2]):
                continue  # "Valdorian river officials": a people's adjective, not a name
            ident = slug(name)
            if ident in vocab.entities:
                continue
            etype, why = type_of(NAME_TYPES, name)
            before = text[max(0, a - 40) : a]
            role = ROLE_RE.search(" ".join(before.split()[-3:])) if before.strip() else None
            if etype is None and 2 <= len(parts) <= 4 and (role or _title_before(before)):
                etype, why = "person", "a name after a title or a role noun: person"
            elif etype is None and 2 <= len(parts) <= 3:
                etype, why = "person", "guessed: two or three capitalised words; check"
            elif etype is None and PLACE_BEFORE_RE.search(before):
                etype, why = "place", f"after '{PLACE_BEFORE_RE.search(before).group().strip()}': a place; check"
            elif etype is None:
                etype, why = "organization", "guessed: check the type"
            aliases = []
            acronym = ACRONYM_AFTER_RE.match(text[b : b + 12])
            if acronym:
                aliases.append(acronym.group(1))
            if etype == "person":
                # A part of the name the text later uses alone ("Lee", "Ryder") is a short form of it.
                for p in parts:
                    if len(p) > 2 and re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text[b:]):
                        aliases.append(p)
            out.suggested[ident] = {
                "id": ident,
                "name": name,
                "type": etype,
                "aliases": aliases,
                "description": f"named in {sid}",
                "unconfirmed": True,
                "draft": {"at": [a, b], "why": {"id": "a name the vocabulary does not know", "type": why}},
            }
            out.mentions.append((a, b, ident))
            if role:
                out.roles.append((a, role.group(1).lower(), ident))
        # Later short mentions ("Lee", "the JCS").
        for ident, e in out.suggested.items():
            for alias in e["aliases"]:
                for m in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text):
                    if not any(s < m.end() and m.start() < t for s, t, _ in out.mentions):
                        out.mentions.append((m.start(), m.end(), ident))
        out.mentions.sort()
        return out

    def _short_form(self, name: str) -> str | None:
        for ident, e in self.suggested.items():
            if name in e["aliases"]:
                return ident
        return None

    def add_party(self, phrase: str, at: int | None, sid: str) -> tuple[str | None, str]:
        """Suggest an unnamed party ("South Korean intelligence officials") as an entity typed from its words."""
        m = UNNAMED_RE.match(phrase.strip())
        name = m.group("words").strip() if m else phrase.strip()
        etype, why = type_of(PARTY_TYPES, name)
        if etype is None or len(name.split()) > 7:
            return None, f"no known entity in '{phrase}', and its words name no kind of party"
        if etype == "group" and not name.endswith("s"):
            name += "s"  # "a U.S. official": the group of such officials, as curation names it
        ident = slug(name)
        if ident not in self.suggested:
            self.suggested[ident] = {
                "id": ident,
                "name": name,
                "type": etype,
                "aliases": [],
                "description": f"an unnamed party {sid} cites",
                "unconfirmed": True,
                "draft": {"at": [at, at + len(phrase)] if at is not None else None, "why": {"type": why}},
            }
        return ident, f"'{phrase}' names no known entity: a new {etype} suggested in entities/ ({why})"


def _strip(text: str, a: int, b: int, vocab: Vocabulary) -> tuple[str, int]:
    """Return a name without the titles, sentence words, dates and demonyms before it, and where it starts."""
    name = text[a:b]
    inner = re.search(r"[’']s\s+", name)
    if inner:
        # "the South's Joint Chiefs of Staff": the name is what follows the owner.
        a += inner.end()
        name = name[inner.end() :]
    parts = name.split()
    while parts:
        two = " ".join(parts[:2])
        if len(parts) > 2 and vocab.mentions_any(two) and not _is_known_name(two, vocab):
            parts = parts[2:]  # "South Korean MP …"
        elif parts[0].rstrip(".") in NOT_NAMES | DATE_WORDS | TITLES or (
            len(parts) > 1 and vocab.mentions_any(parts[0])
        ):
            parts = parts[1:]
        else:
            break
    if not parts or all(p.rstrip(".") in DATE_WORDS for p in parts):
        return "", a
    stripped = " ".join(parts)
    if re.search(r"[’']s$", stripped):
        stripped = stripped[:-2]
    start = a + name.find(parts[0])
    if len(stripped) < 2 or vocab.mentions_any(stripped) and _is_known_name(stripped, vocab):
        return "", a
    if vocab.mentions_any(stripped) and len(parts) <= 2:
        return "", a  # "North Korean", "Russian": a people of a known entity
    return stripped, start


def _is_known_name(name: str, vocab: Vocabulary) -> bool:
    hits = vocab.entities_in(name)
    return bool(hits) and hits[0][0] == 0 and hits[0][1] == len(name)


def _country_word(word: str, vocab: Vocabulary) -> bool:
    """Return whether ``word`` is the first word of a known multi-word name ("North" of North Korea)."""
    key = alias_key(word)
    return any(
        alias_key(n).split()[0] == key
        for e in vocab.entities.values()
        for n in [e["name"], *e["aliases"]]
        if len(alias_key(n).split()) > 1
    )


def _title_before(before: str) -> bool:
    last = before.split()[-1:] if before.split() else []
    return bool(last) and last[0].rstrip(".,") in TITLES


class TextVocabulary:
    """A vocabulary that also knows the names one text introduces, and who its phrases refer to."""

    def __init__(self, vocab: Vocabulary, text: str, found: TextEntities, sid: str):
        self.base, self.text, self.found, self.sid = vocab, text, found, sid
        self.entities = {**vocab.entities, **found.suggested}

    def __getattr__(self, name):
        return getattr(self.base, name)

    def refresh(self):
        self.entities = {**self.base.entities, **self.found.suggested}

    def entities_in(self, text: str) -> list[tuple[int, int, str]]:
        """Return the known names in ``text``, and the text's own new names."""
        hits = list(self.base.entities_in(text))
        for ident, e in self.found.suggested.items():
            for name in sorted([e["name"], *e["aliases"]], key=len, reverse=True):
                for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
                    if not any(s < m.end() and m.start() < t for s, t, _ in hits):
                        hits.append((m.start(), m.end(), ident))
        return sorted(hits)

    def best_entity(self, phrase: str, at: int | None = None) -> tuple[str | None, str]:
        """Return the entity a claimant phrase refers to in this text, and why (None when none)."""
        owned = self._possessive(phrase)
        if owned:
            return owned
        hits = self.entities_in(phrase)
        places = ("country", "city", "region", "place")
        if hits and all(self.entities[h[2]]["type"] in places for h in hits):
            rest = "".join(ch if not any(a <= i < b for a, b, _ in hits) else " " for i, ch in enumerate(phrase))
            if type_of(PARTY_TYPES, rest)[0] is not None:
                # "a senior U.S. military official": a party of the country, not the country.
                ident, why = self.found.add_party(phrase, at, self.sid)
                if ident:
                    self.refresh()
                    return ident, why
        if hits:
            hits.sort(key=lambda h: (TYPE_RANK.get(self.entities[h[2]]["type"], 3), -(h[1] - h[0])))
            a, b, ident = hits[0]
            where = "a name the text introduced" if ident in self.found.suggested else "a name"
            return ident, f"'{phrase[a:b]}' is {where} of entity {ident}"
        role = self._role(phrase, at)
        if role:
            return role
        whose = self._whose_document(phrase)
        if whose:
            return whose
        if len(phrase.split()) <= 2:
            short = self._owner(phrase.strip())
            if short:
                return short, f"'{phrase}': the short form of {short}, which the text names"
        if PRONOUN_OR_DOC.match(phrase.strip()):
            return None, f"no known entity in '{phrase}'"
        ident, why = self.found.add_party(phrase, at, self.sid)
        if ident:
            self.refresh()
        return ident, why

    def _possessive(self, phrase: str) -> tuple[str, str] | None:
        """'South Korea's spy agency', 'the South's military': the owner's party with the same head noun."""
        m = POSSESSIVE_RE.match(phrase.strip())
        if not m:
            return None
        owner = self._owner(m.group("owner"))
        head = SAME_HEAD.get((words(m.group("rest")) or [""])[-1], (words(m.group("rest")) or [""])[-1])
        if owner is None or not head:
            return None
        for ident, e in self.entities.items():
            if ident == owner:
                continue
            for name in [e["name"], *e["aliases"]]:
                ws = words(name)
                if ws and SAME_HEAD.get(ws[-1], ws[-1]) == head and self.base.mentions(owner, name):
                    return ident, (
                        f"'{phrase}': the {head} of {owner}, which entity {ident} is ('{name}'); check the words between"
                    )
        return None

    def _whose_document(self, phrase: str) -> tuple[str, str] | None:
        """'Western intelligence estimates', 'Russian statements': the party whose words they are.

        The words before the document noun must be the start of one known
        party's name ("Western intelligence" of "Western intelligence
        officials") or a people of one ("Russian").
        """
        m = DOCUMENT_TAIL_RE.match(phrase.strip())
        if not m:
            return None
        core = words(m.group("who"))
        if not core:
            return None
        if len(core) >= 2:
            found = {
                ident
                for ident, e in self.entities.items()
                for name in [e["name"], *e["aliases"]]
                if words(name)[: len(core)] == core and len(words(name)) > len(core)
            }
            if len(found) == 1:
                (ident,) = found
                return ident, f"'{phrase}': the words of {ident}, whose name starts '{m.group('who')}'"
        if len(core) == 1:
            found = {
                i for i, e in self.base.entities.items() if e["type"] == "country" and self.base.mentions(i, core[0])
            }
            if len(found) == 1:
                (ident,) = found
                return ident, f"'{phrase}': the words of {ident} ('{m.group('who')}')"
        return None

    def _owner(self, words_: str) -> str | None:
        hits = self.base.entities_in(words_)
        if hits and hits[0][1] - hits[0][0] >= len(words_.strip()) - 1:
            return hits[0][2]
        # "the South", "the North": the one known country whose name starts with the word, named in the text.
        key = alias_key(words_.removeprefix("the ").removeprefix("The "))
        found = [
            ident
            for ident, e in self.base.entities.items()
            if e["type"] == "country" and alias_key(e["name"]).split()[0] == key and len(e["name"].split()) > 1
        ]
        named = [i for i in found if self.base.mentions(i, self.text)]
        return named[0] if len(named) == 1 else None

    def _role(self, phrase: str, at: int | None) -> tuple[str, str] | None:
        """'the lawmaker', 'a South Korean lawmaker': the person the text introduces with that role noun."""
        m = ROLE_RE.search(phrase)
        if not m or re.search(r"[A-Z][a-z]+\s+[A-Z]", phrase[m.end() :]):
            return None
        if m.group().lower().endswith("s") and m.group().lower() not in ROLE_NOUNS:
            return None  # "officials": a group, not the one person
        noun = m.group(1).lower()
        same = [(w, i) for w, n, i in self.found.roles if n == noun]
        if not same:
            return None
        before = [(w, i) for w, i in same if at is None or w <= at]
        where, ident = before[-1] if before else same[0]
        return ident, f"'{phrase}': the {noun} the text names ({self.entities[ident]['name']})"
