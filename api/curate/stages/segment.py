"""Segment a text: its source record, reference date, metadata lines and sentences.

The source record comes from the text's own lines: a headline, a
``Published:``/``Posted:``/``Updated:`` line, a wire dateline ("SEOUL,
Dec. 19 (Yonhap) -- "), the archive's ``Source: <outlet>, YYYY-MM-DD`` line
(archive metadata) and a closing ``By …`` line.  The reference date that
relative dates resolve against is the first of: a date the text gives, the
date given when drafting (assumed), none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from api.builder.coverage import find_items
from api.curate.attribution import sentences
from api.curate.dates import MD, WD, month_no
from api.curate.flow import Excluded, Segments, slug
from api.curate.vocab import Vocabulary

PAGE_LABEL_RE = re.compile(r"^[ \t-]*(?:Last Updated|First Published|Published|Updated|Posted)\s*:.*$", re.M)
PUBLISHED_RE = re.compile(
    r"(?:\bdate|\bPublished:?|\bPosted:?|\bUpdated:?)\s+(?P<d>\d{4}-\d{2}-\d{2})\b|"
    rf"\b(?:Published|Posted|Updated):?\s+(?:(?:on|{WD}),?\s+)?(?P<m>{MD})\s*(?P<day>\d{{1,2}}),\s+(?P<y>\d{{4}})\b"
)
# The line an archive writes above a saved page: metadata about the text, not the outlet's words.
SOURCE_LINE_RE = re.compile(r"^Source:[ \t]*(?P<outlet>[^,\n]+?)(?:,[ \t]*(?P<d>\d{4}-\d{2}-\d{2}))?[ \t]*$", re.M)
ARCHIVE_NOTE = (
    "outlet and published come from the archive's 'Source:' line (archive metadata), not from the outlet's words"
)
NO_REFERENCE = (
    "no reference date: the text gives no publication date (no 'Source: …, YYYY-MM-DD', 'Published:', 'Posted:' "
    "or 'Updated:' line, no dated dateline) and none was given (make draft … REF=YYYY-MM-DD), so no relative "
    "date is resolved"
)
# A wire dateline before the first sentence: "SEOUL, Dec. 19 (Yonhap) -- ", "KYIV, Ukraine, March 4, 2025 — ".
DATELINE_RE = re.compile(
    rf"^(?P<line>(?P<place>[A-Z][A-Za-z.'’ -]+(?:,[ ]+[A-Z][A-Za-z.'’ -]+)?),[ ]+"
    rf"(?P<when>(?P<m>{MD})[ ]*(?P<d>\d{{1,2}})(?:,[ ]+(?P<y>(?:19|20)\d{{2}}))?)"
    r"(?:[ ]+\((?P<agency>[A-Z][\w .&-]+)\))?[ ]*(?:--|—|–|-|:)[ ]*)",
    re.M,
)
BYLINE_RE = re.compile(r"^By\s+((?:[A-Z][\w’'-]+\s?){2,4})$", re.M)
DATELINE_REASON = "not a claim: the dateline (where and when the text was filed)"


def run(text: str, filename: str, vocab: Vocabulary, source_id: str | None, reference: dt.date | None) -> Segments:
    """Return the source record, reference date, metadata spans and sentences of ``text``."""
    source, ref, assumed, taken, dateline = source_record(text, filename, vocab, source_id, reference)
    skip = [tuple(source["title_span"])] if source["title_span"] else []
    skip += [tuple(source["draft"]["source_line"])] if source["draft"].get("source_line") else []
    skip += [(dateline.start("line"), dateline.end("line"))] if dateline else []
    starts = {a for a, _ in sentences(text)} | {m.end() for m in re.finditer(r"\n", text)}
    sents = []
    for a, b in sentences(text):
        for s0, s1 in taken:
            if a <= s0 < b and not text[a:s0].strip():
                # A dateline ("date 2025-07-02 North Korea …") is not part of the sentence.
                a = s1 + len(text[s1:b]) - len(text[s1:b].lstrip())
        sents.append((a, b))
    excluded = page_labels(text)
    if dateline is not None and not source["published"]:
        excluded.append(Excluded(dateline.start("line"), dateline.end("when"), DATELINE_REASON))
    return Segments(text, source, ref, assumed, taken, sents or [(0, len(text))], excluded, skip, starts)


def page_labels(text: str) -> list[Excluded]:
    """Return the page labels ("Updated:") that the coverage check would count: they are not claims."""
    out = []
    for m in PAGE_LABEL_RE.finditer(text):
        label = re.search(r"[A-Z][\w ]+:", m.group())
        if label and any(i.kind in ("number", "date") for i in find_items(label.group())):
            a = m.start() + label.start()
            out.append(Excluded(a, a + len(label.group()), "not a claim: a page label"))
    return out


def title(text: str) -> tuple[str | None, list[int] | None, str | None]:
    """Return the headline, its span and why it is one: the first line, or the first after a page label."""
    lines = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\n]+", text)]
    if not lines:
        return None, None, None
    first = 0
    if PAGE_LABEL_RE.fullmatch(lines[0][2]) and len(lines) > 1:
        first = 1  # "Last Updated:" then the headline
    a, b, line = lines[first]
    stripped = line.strip()
    if first == 1:
        sent = re.match(r".+?[.!?](?=\s|$)", stripped)
        stripped = sent.group() if sent else stripped
    if stripped and (first == 1 or (len(stripped) <= 120 and not re.search(r"[.!?]$", stripped))):
        a += line.find(stripped)
        why = "the first line after a page label" if first else "the first line is short and has no full stop"
        return stripped, [a, a + len(stripped)], why
    return None, None, None


def _date(start: str, quote: str, a: int, b: int) -> dict:
    return {"start": start, "precision": "day", "phrase": quote, "quote": quote, "span": [a, b]}


def source_record(text, filename, vocab: Vocabulary, source_id, reference):
    """Return the draft source record, the reference date, whether it is assumed, the metadata spans and dateline."""
    taken: list[tuple[int, int]] = []
    why = {}
    title_, title_span, why_title = title(text)
    if why_title:
        why["title"] = why_title
    published, reference_date, ref, assumed = None, None, None, True
    outlet = archive_source(text, vocab, taken, why)
    m = PUBLISHED_RE.search(text[:300])
    if m:
        if m.group("d"):
            date = m.group("d")
        else:
            date = dt.date(int(m.group("y")), month_no(m.group("m")), int(m.group("day"))).isoformat()
        published = _date(date, m.group(), m.start(), m.end())
        taken.append((m.start(), m.end()))
        why["published"] = f"the text states its date: {m.group()!r}"
        reference_date = {"date": date, "basis": "the publication date the text gives"}
    dateline = DATELINE_RE.search(text[:600])
    if dateline:
        taken.append((dateline.start("line"), dateline.end("line")))
        if dateline.group("y") and published is None:
            date = dt.date(int(dateline.group("y")), month_no(dateline.group("m")), int(dateline.group("d")))
            quote = dateline.group("when")
            published = _date(date.isoformat(), quote, dateline.start("when"), dateline.end("when"))
            why["published"] = f"the dateline gives the day the text was filed: {quote!r}"
            reference_date = {"date": date.isoformat(), "basis": "the date of the text's dateline"}
    if published is None and outlet and outlet.get("date"):
        published = outlet["date"]
        why["published"] = (
            "archive metadata: the date of the 'Source:' line written when the page was archived, not the outlet's words"
        )
        reference_date = {
            "date": published["start"],
            "basis": "archive metadata: the date of the archive's 'Source:' line",
        }
    if reference_date is not None:
        ref, assumed = dt.date.fromisoformat(reference_date["date"]), False
    elif reference:
        ref, assumed = reference, True
        reference_date = {"date": ref.isoformat(), "basis": "assumed: given when drafting (--reference-date)"}
    else:
        why["reference_date"] = NO_REFERENCE
    author = author_span = None
    by = BYLINE_RE.search(text[-200:])
    if by:
        off = len(text) - len(text[-200:])
        author = by.group(1).strip()
        author_span = [off + by.start(1), off + by.start(1) + len(author)]
        why["author"] = "a closing 'By …' line"
    sid = source_id or slug(title_ or Path(filename).stem)
    if reference_date:
        why["reference_date"] = reference_date["basis"]
    record = {
        "id": sid,
        "filename": Path(filename).name,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "char_count": len(text),
        "title": title_,
        "title_span": title_span,
        "outlet": outlet["entity"] if outlet else None,
        "author": author,
        "author_span": author_span,
        "published": published,
        "reference_date": reference_date,
        "language": "en",
        "stance": "reporting",
        "cites": [],
        "note": ARCHIVE_NOTE if outlet else None,
        "unconfirmed": True,
        "draft": {"why": why | {"stance": "default: check whether the text is reporting, skeptical or opinion"}},
    }
    if outlet:
        record["draft"]["outlet_span"] = outlet["span"]
        record["draft"]["source_line"] = outlet["line"]
        if outlet.get("new"):
            record["draft"]["new_outlet"] = outlet["new"]
    return record, ref, assumed, taken, dateline


def archive_source(text: str, vocab: Vocabulary, taken: list, why: dict) -> dict | None:
    """Read the archive's ``Source: <outlet>[, YYYY-MM-DD]`` line: metadata, never a claim or a figure."""
    m = SOURCE_LINE_RE.search(text[:1000])
    if not m:
        return None
    taken.append((m.start(), m.end()))
    name = m.group("outlet").strip()
    outlets = {e for e, d in vocab.entities.items() if d["type"] == "media-outlet"}
    found = [(a, b, e) for a, b, e in vocab.entities_in(name) if e in outlets and b - a == len(name)]
    out = {"line": [m.start(), m.end()], "span": [m.start("outlet"), m.start("outlet") + len(name)]}
    if found:
        out["entity"] = found[0][2]
        why["outlet"] = f"archive metadata: the 'Source:' line names {name!r}, the known outlet {found[0][2]}"
    else:
        out["entity"] = slug(name, 8)
        out["new"] = {"name": name, "at": out["span"]}
        why["outlet"] = f"archive metadata: the 'Source:' line names {name!r}; a new media-outlet entity"
    if m.group("d"):
        out["date"] = _date(m.group("d"), m.group("d"), m.start("d"), m.end("d"))
    return out
