"""What people type, as an FTS5 query that cannot fail.

The full-text indexes use SQLite's unicode61 tokenizer, which splits "30,000" into the
tokens "30" and "000". So a number typed outside quotes becomes the phrase of its digit
groups, or its digits written together ("30,000" and "30000" each find both spellings),
and a range of numbers ("25,000–30,000") becomes its two numbers. Text that is then
valid FTS5 syntax is used as it is (words, "phrases", AND, OR, NOT, NEAR(), prefix*,
column filters); anything else falls back to a plain search for all its words, each
word a quoted phrase ("Kim Jong-un" finds "Kim" and "Jong-un"). Nothing a person
types gives an error.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading

# The columns of each full-text index (api.builder): a column filter must name one of them.
FIGURE_COLUMNS = ("quote", "value_text", "attribution")
SEARCH_COLUMNS = ("title", "body")

QUOTED = re.compile(r'"(?:[^"]|"")*"')
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
RANGE = re.compile(r"(\d[\d.,]*)\s*[-‐‑‒–—]\s*(?=\d)")
TERM = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:[-'’]\w+)*")

_local = threading.local()


def number_expression(token: str) -> str:
    """The FTS5 expression finding the number ``token`` however it is written."""
    groups = re.findall(r"\d+", token)
    forms = ['"' + " ".join(groups) + '"']
    separators = set(re.findall(r"[.,]", token))
    if separators == {","} and all(len(g) == 3 for g in groups[1:]):
        forms.append('"' + "".join(groups) + '"')  # 30,000 also as 30000
    elif not separators and len(token) >= 4:
        head = len(token) % 3 or 3
        thousands = [token[:head]] + [token[i : i + 3] for i in range(head, len(token), 3)]
        forms.append('"' + " ".join(thousands) + '"')  # 30000 also as 30,000
    return forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")"


OPEN, CLOSE = "\x00", "\x01"  # around a rewritten number until AND is placed (a query has no control characters)
OPERATORS = ("AND", "OR", "NOT")


def _rewrite_numbers(text: str) -> str:
    """Rewrite the numbers of an unquoted stretch of a query (not a NEAR distance, not a prefix*)."""
    text = RANGE.sub(r"\1 ", text)

    def replace(match: re.Match) -> str:
        before, after = text[: match.start()], text[match.end() :]
        if before[-1:].isalnum() or before[-1:] == "_" or after[:1].isalnum() or after[:1] in ("_", "*"):
            return match.group()  # part of a bareword, or a prefix query
        if before.rstrip().endswith(","):
            return match.group()  # the distance of NEAR(…, N)
        return OPEN + number_expression(match.group()) + CLOSE

    return NUMBER.sub(replace, text)


def _ends_operand(text: str) -> bool:
    text = text.rstrip()
    if not text or text[-1] in "(:^+":
        return False
    return text.split()[-1] not in OPERATORS if text[-1].isalnum() else text[-1] in '")*' + CLOSE


def _starts_operand(text: str) -> bool:
    text = text.lstrip()
    if not text:
        return False
    return text.split()[0] not in OPERATORS if text[0].isalnum() else text[0] in '"(^' + OPEN


def rewrite(q: str) -> str:
    """``q`` with every number outside double quotes rewritten (see the module doc).

    A number becomes a parenthesised OR, which FTS5 does not join to its neighbours
    by juxtaposition: an explicit AND is placed wherever an operand is next to it.
    """
    out, last = [], 0
    for quoted in QUOTED.finditer(q):
        out.append(_rewrite_numbers(q[last : quoted.start()]))
        out.append(quoted.group())
        last = quoted.end()
    out.append(_rewrite_numbers(q[last:]))
    text = "".join(out)
    pieces = re.split(f"({OPEN}[^{CLOSE}]*{CLOSE})", text)
    for i in range(1, len(pieces), 2):
        before, after = "".join(pieces[:i]), "".join(pieces[i + 1 :])
        left = " AND " if _ends_operand(before) else " "
        right = " AND " if _starts_operand(after) and not after.lstrip().startswith(OPEN) else " "
        pieces[i] = left + pieces[i][1:-1] + right
    return re.sub(r"\s+", " ", "".join(pieces)).strip()


def plain(q: str) -> str:
    """Every word and number of ``q`` as a phrase, all required; '""' (matching nothing) if there are none."""
    terms = []
    for match in TERM.finditer(q):
        token = match.group()
        terms.append(number_expression(token) if token[0].isdigit() and NUMBER.fullmatch(token) else f'"{token}"')
    return " AND ".join(terms) or '""'


@functools.lru_cache(maxsize=1024)
def is_valid(expression: str, columns: tuple[str, ...]) -> bool:
    """Whether FTS5 accepts ``expression`` on an index with ``columns`` (parsed against an empty table)."""
    tables = getattr(_local, "tables", None)
    if tables is None:
        tables = _local.tables = {}
    conn = tables.get(columns)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.execute(f"CREATE VIRTUAL TABLE t USING fts5({', '.join(columns)})")
        tables[columns] = conn
    try:
        conn.execute("SELECT rowid FROM t WHERE t MATCH ?", [expression]).fetchall()
    except sqlite3.Error:
        return False
    return True


def match_expression(q: str, *indexes: tuple[str, ...]) -> str:
    """The FTS5 expression to run for ``q`` on every index whose columns are given."""
    expression = rewrite(q)
    if expression and all(is_valid(expression, columns) for columns in indexes):
        return expression
    return plain(q)
