"""Load and validate the hand-curated fixtures.

Each kind of record (``sources``, ``entities``, ``metrics``, ``claims``,
``figures``, ``events``, ``exclusions``, ``statements``, ``assessments``) is read from ``fixtures/<kind>.yaml``
and from every ``fixtures/<kind>/*.yaml``; each file holds a YAML list of
records.  :func:`validate` checks every record against its marshmallow schema,
then the references between records, then every quote against the archived
texts, and returns *all* problems at once, each naming file, record and field.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import orjson
import yaml
from marshmallow import ValidationError

from api.builder.mentions import find_mentions, metadata_spans
from api.builder.texts import locate, read_text, sha256_of
from api.shape import alias_key
from schemas.dates import span_bounds
from schemas.fixtures import DRAFT_KEYS, FIXTURE_SCHEMAS, DraftMarksSchema

KINDS = tuple(FIXTURE_SCHEMAS)
# libyaml's loader when PyYAML has it (it does in the pinned wheels): 20x faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Hand-edited fixtures are YAML; generated ones may be JSON Lines.
FORMATS = (".yaml", ".jsonl")
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FIXTURES_DIR = ROOT / "fixtures"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the fixtures."""

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.field}: {self.message}"


class FixtureError(Exception):
    """Raised when fixtures do not validate; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the fixtures:\n{lines}")


@dataclass
class Record:
    """A validated record with where it came from."""

    kind: str
    file: str
    index: int
    data: dict

    @property
    def label(self) -> str:
        ident = self.data.get("id") if isinstance(self.data, dict) else None
        return ident if ident else f"#{self.index}"


def record_hash(data: dict) -> int:
    """Return a 512-bit hash of a loaded record's canonical JSON (see api.builder.database.build_id_for)."""
    return int.from_bytes(hashlib.blake2b(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).digest(), "big")


@dataclass
class Fixtures:
    """All records by kind, in a deterministic order."""

    records: dict[str, list[Record]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def data(self, kind: str) -> list[dict]:
        return [r.data for r in self.records[kind]]

    def by_id(self, kind: str) -> dict[str, dict]:
        return {r.data["id"]: r.data for r in self.records[kind]}


def fixture_files(directory: Path, kind: str) -> list[Path]:
    """Return the files that hold records of ``kind``, sorted."""
    files = [directory / f"{kind}{ext}" for ext in FORMATS if (directory / f"{kind}{ext}").is_file()]
    sub = directory / kind
    if sub.is_dir():
        files.extend(sorted(p for p in sub.iterdir() if p.suffix in FORMATS and p.is_file()))
    return files


def read_records(path: Path) -> list:
    """Read a fixture file: a YAML list, or JSON Lines (one record per line)."""
    if path.suffix == ".jsonl":
        with open(path, "rb") as fh:
            return [orjson.loads(line) for line in fh if line.strip()]
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValueError("must be a list of records")
    return raw


def _flatten(messages, prefix="") -> list[tuple[str, str]]:
    """Turn marshmallow's nested error dict into (field path, message) pairs."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, path))
    elif isinstance(messages, list):
        for item in messages:
            out.extend(_flatten(item, prefix))
    else:
        out.append((prefix or "(record)", str(messages)))
    return out


def relative_name(directory: Path, path: Path) -> str:
    """Return how problems name a fixture file: relative to the fixtures' parent."""
    return str(path.relative_to(directory.parent)) if directory.parent in path.parents else str(path)


def take_draft_marks(rel: str, index: int, item: dict, problems: list[Problem]) -> dict:
    """Return ``item`` without its draft marks; a record still marked unconfirmed is a problem.

    Drafts (``python -m api.curate.draft``) are a starting point, never data:
    a person checks each record and deletes ``unconfirmed: true``.
    """
    if DRAFT_KEYS.isdisjoint(item):
        return item
    label = str(item.get("id")) if item.get("id") else f"#{index}"
    marks = {k: item[k] for k in DRAFT_KEYS if k in item}
    try:
        loaded = DraftMarksSchema().load(marks)
    except ValidationError as err:
        for path_, msg in _flatten(err.messages):
            problems.append(Problem(rel, label, path_, msg))
    else:
        if loaded["unconfirmed"]:
            problems.append(
                Problem(
                    rel,
                    label,
                    "unconfirmed",
                    "a drafted record nobody has confirmed: check it against the text, then delete "
                    "`unconfirmed: true` (and the `draft` block)",
                )
            )
    return {k: v for k, v in item.items() if k not in DRAFT_KEYS}


def load_record(kind: str, rel: str, index: int, item, problems: list[Problem]) -> Record | None:
    """Schema-check one raw record; return it loaded, or None after adding its problems."""
    if not isinstance(item, dict):
        problems.append(Problem(rel, f"#{index}", "(record)", "must be a mapping"))
        return None
    item = take_draft_marks(rel, index, item, problems)
    try:
        data = FIXTURE_SCHEMAS[kind].load(item)
    except ValidationError as err:
        label = str(item.get("id")) if item.get("id") else f"#{index}"
        for path_, msg in _flatten(err.messages):
            problems.append(Problem(rel, label, path_, msg))
        return None
    return Record(kind, rel, index, data)


def read_file(directory: Path, path: Path, problems: list[Problem]) -> tuple[str, list]:
    """Read one fixture file; a file that does not parse is one problem and no records."""
    rel = relative_name(directory, path)
    try:
        return rel, read_records(path)
    except (yaml.YAMLError, orjson.JSONDecodeError, ValueError) as exc:
        problems.append(Problem(rel, "(file)", "(syntax)", str(exc).replace("\n", " ")))
        return rel, []


def load(directory: Path = DEFAULT_FIXTURES_DIR, extra: dict[str, list[dict]] | None = None):
    """Read and schema-check every fixture file; return (Fixtures, problems).

    ``extra`` adds records that did not come from a file; they go through the
    same checks.
    """
    fixtures, problems = Fixtures(), []
    for kind in KINDS:
        sources = [read_file(directory, path, problems) for path in fixture_files(directory, kind)]
        if extra and extra.get(kind):
            sources.append((f"<generated {kind}>", extra[kind]))
        for rel, raw in sources:
            for index, item in enumerate(raw):
                rec = load_record(kind, rel, index, item, problems)
                if rec is not None:
                    fixtures.records[kind].append(rec)
    return fixtures, problems


class Checker:
    """Cross-record checks; collects problems instead of raising."""

    def __init__(self, fixtures: Fixtures, texts: Path | None):
        self.fx = fixtures
        self.texts = texts
        self.problems: list[Problem] = []
        self.ids = {kind: set() for kind in KINDS}
        self.doc_text: dict[str, str | None] = {}
        self.claims = fixtures.by_id("claims")
        self.sources = fixtures.by_id("sources")
        # A figure may name an event only if its own source cites that event.
        self.event_sources = {
            (r.data["id"], c["source"]) for r in fixtures.records["events"] for c in r.data["citations"]
        }

    def add(self, rec: Record, fld: str, message: str):
        self.problems.append(Problem(rec.file, rec.label, fld, message))

    def run(self) -> list[Problem]:
        self.check_duplicates()
        self.check_references()
        self.check_aliases()
        self.check_dates()
        self.check_texts()
        self.check_mentions()
        for rec in self.fx.records["figures"]:
            self.check_figure(rec)
        return self.problems

    def check_duplicates(self):
        for kind in KINDS:
            if kind in ("exclusions", "mentions"):
                continue
            seen: dict[str, Record] = {}
            for rec in self.fx.records[kind]:
                ident = rec.data["id"]
                if ident in seen:
                    first = seen[ident]
                    self.add(rec, "id", f"duplicate id (first defined in {first.file} #{first.index})")
                else:
                    seen[ident] = rec
            self.ids[kind] = set(seen)

    def check_figure(self, rec: Record):
        """Check one figure's references, its claim and its quote; fill metric and subject from the claim."""
        d = rec.data
        self.ref(rec, "source", d["source"], "sources")
        self.ref(rec, "claim", d["claim"], "claims")
        self.ref(rec, "metric", d["metric"], "metrics")
        self.ref(rec, "subject", d["subject"], "entities")
        self.ref(rec, "via", d["via"], "entities")
        self.ref(rec, "event", d["event"], "events")
        if d["event"] in self.ids["events"] and (d["event"], d["source"]) not in self.event_sources:
            self.add(rec, "event", f"event {d['event']!r} has no citation from source {d['source']!r}")
        if d["claimant"]:
            self.ref(rec, "claimant.entity", d["claimant"]["entity"], "entities")
        claim = self.claims.get(d["claim"])
        if claim:
            for key in ("metric", "subject"):
                if d[key] is None:
                    d[key] = claim[key]
                elif d[key] != claim[key]:
                    self.add(rec, key, f"{d[key]!r} differs from its claim's {key} {claim[key]!r}")
        if self.texts is not None:
            self.quote(rec, "span", d["source"], d["quote"], d["span"])

    def ref(self, rec: Record, fld: str, value, kind: str):
        if value is not None and value not in self.ids[kind]:
            self.add(rec, fld, f"unknown {kind[:-1] if kind != 'entities' else 'entity'} id {value!r}")

    def check_references(self):
        for rec in self.fx.records["sources"]:
            d = rec.data
            self.ref(rec, "outlet", d["outlet"], "entities")
            for i, cite in enumerate(d["cites"]):
                self.ref(rec, f"cites.{i}.entity", cite["entity"], "entities")
        for rec in self.fx.records["entities"]:
            self.ref(rec, "part_of", rec.data["part_of"], "entities")
            for i, role in enumerate(rec.data["roles"]):
                self.ref(rec, f"roles.{i}.source", role["source"], "sources")
        metrics = self.fx.by_id("metrics")
        for rec in self.fx.records["metrics"]:
            self.ref(rec, "parent", rec.data["parent"], "metrics")
            seen, cur = {rec.data["id"]}, rec.data["parent"]
            while cur in metrics:
                if cur in seen:
                    self.add(rec, "parent", "metric parents form a cycle")
                    break
                seen.add(cur)
                cur = metrics[cur]["parent"]
        claims = self.claims
        for rec in self.fx.records["claims"]:
            self.ref(rec, "metric", rec.data["metric"], "metrics")
            self.ref(rec, "subject", rec.data["subject"], "entities")
            for i, other in enumerate(rec.data["same_quantity_as"]):
                self.ref(rec, f"same_quantity_as.{i}", other, "claims")
                if other == rec.data["id"]:
                    self.add(rec, f"same_quantity_as.{i}", "a claim cannot name itself")
                elif other in claims and claims[other]["metric"] != rec.data["metric"]:
                    self.add(rec, f"same_quantity_as.{i}", f"claim {other!r} has another metric")
            for i, other in enumerate(rec.data["same_question_as"]):
                self.ref(rec, f"same_question_as.{i}", other, "claims")
                if other == rec.data["id"]:
                    self.add(rec, f"same_question_as.{i}", "a claim cannot name itself")
                elif other in rec.data["same_quantity_as"]:
                    self.add(rec, f"same_question_as.{i}", f"claim {other!r} is already named as the same quantity")
        for rec in self.fx.records["events"]:
            d = rec.data
            self.ref(rec, "location", d["location"], "entities")
            for i, part in enumerate(d["participants"]):
                self.ref(rec, f"participants.{i}.entity", part["entity"], "entities")
            first: dict[str, int] = {}
            for i, cit in enumerate(d["citations"]):
                self.ref(rec, f"citations.{i}.source", cit["source"], "sources")
                if cit["source"] in first:
                    # Each citation is one source's version of the event; two would make its date ambiguous.
                    self.add(
                        rec,
                        f"citations.{i}.source",
                        f"source {cit['source']!r} already cites this event (citation {first[cit['source']]}): "
                        "one citation per source; keep one, or widen its quote",
                    )
                first.setdefault(cit["source"], i)
                self.ref(rec, f"citations.{i}.via", cit["via"], "entities")
                self.ref(rec, f"citations.{i}.location", cit["location"], "entities")
                for j, actor in enumerate(cit["actors"]):
                    self.ref(rec, f"citations.{i}.actors.{j}", actor, "entities")
                if cit["attribution"]:
                    self.ref(rec, f"citations.{i}.attribution.entity", cit["attribution"]["entity"], "entities")
        for rec in self.fx.records["exclusions"]:
            self.ref(rec, "source", rec.data["source"], "sources")
            target = rec.data["refers_to"]
            if target is not None and not any(target in self.ids[k] for k in ("claims", "figures", "events")):
                self.add(rec, "refers_to", f"unknown claim, figure or event id {target!r}")
        for rec in self.fx.records["statements"]:
            d = rec.data
            self.ref(rec, "source", d["source"], "sources")
            self.ref(rec, "speaker.entity", d["speaker"]["entity"], "entities")
            self.ref(rec, "via", d["via"], "entities")
            for i, about in enumerate(d["about"]):
                self.ref(rec, f"about.{i}", about, "entities")
        for rec in self.fx.records["assessments"]:
            d = rec.data
            self.ref(rec, "claim", d["claim"], "claims")
            self.ref(rec, "source", d["source"], "sources")
            self.ref(rec, "entity", d["entity"], "entities")
        used_claims = {rec.data["claim"] for rec in self.fx.records["figures"]}
        for rec in self.fx.records["claims"]:
            if rec.data["id"] not in used_claims:
                self.add(rec, "id", "no figure reports this claim")

    def check_aliases(self):
        owner: dict[str, str] = {}
        for rec in self.fx.records["entities"]:
            d = rec.data
            names = [d["name"], *d["aliases"]]
            spellings = set()
            for i, name in enumerate(names):
                key = alias_key(name)
                fld = "name" if i == 0 else f"aliases.{i - 1}"
                if not key:
                    self.add(rec, fld, "empty after normalisation")
                elif name in spellings:
                    self.add(rec, fld, f"{name!r} repeats another name of this entity")
                elif key in owner and owner[key] != d["id"]:
                    self.add(rec, fld, f"{name!r} is already a name of entity {owner[key]!r}")
                else:
                    # Spellings that normalise alike ('Kim Jong Un', 'Kim Jong-un')
                    # are kept: the texts use both.
                    owner[key] = d["id"]
                    spellings.add(name)

    def check_dates(self):
        for rec in self.fx.records["sources"]:
            ref = rec.data["reference_date"]
            pub = rec.data["published"]
            if pub and ref and ref["date"] != pub["start"]:
                self.add(rec, "reference_date.date", "must equal the publication date when one is given")

    def text_of(self, source_id: str) -> str | None:
        if source_id not in self.doc_text:
            src = self.sources.get(source_id)
            text = None
            if src is not None and self.texts is not None:
                text = read_text(self.texts, src["filename"])
            self.doc_text[source_id] = text
        return self.doc_text[source_id]

    def quote(self, rec: Record, fld: str, source_id: str, quote: str, span):
        text = self.text_of(source_id)
        if text is None or span is None:
            return
        start, end = span
        if end > len(text):
            self.add(rec, fld, f"span {span} runs past the end of the text ({len(text)} characters)")
            return
        if text[start:end] != quote:
            where = locate(text, quote)
            hint = f"; the quote occurs at {[list(w) for w in where]}" if where else "; the quote is not in the text"
            self.add(rec, fld, f"text[{start}:{end}] is {text[start:end]!r}, not the quote{hint}")

    def check_texts(self):
        if self.texts is None:
            return
        for rec in self.fx.records["sources"]:
            d = rec.data
            text = self.text_of(d["id"])
            if text is None:
                self.add(rec, "filename", f"{d['filename']} not found in {self.texts}")
                continue
            digest = sha256_of(self.texts, d["filename"])
            if digest != d["sha256"]:
                self.add(rec, "sha256", f"the archived text's sha256 is {digest}")
            if len(text) != d["char_count"]:
                self.add(rec, "char_count", f"the archived text has {len(text)} characters")
            if d["title"]:
                self.quote(rec, "title_span", d["id"], d["title"], d["title_span"])
            if d["author"]:
                self.quote(rec, "author_span", d["id"], d["author"], d["author_span"])
            if d["published"]:
                self.quote(rec, "published.span", d["id"], d["published"]["quote"], d["published"]["span"])
            if d["archive_line"]:
                self.quote(rec, "archive_line.span", d["id"], d["archive_line"]["quote"], d["archive_line"]["span"])
            ref = d["reference_date"]
            if ref and ref["quote"]:
                self.quote(rec, "reference_date.span", d["id"], ref["quote"], ref["span"])
            for i, ev in enumerate(d["stance_evidence"]):
                self.quote(rec, f"stance_evidence.{i}.span", d["id"], ev["quote"], ev["span"])
            for i, cite in enumerate(d["cites"]):
                self.quote(rec, f"cites.{i}.span", d["id"], cite["quote"], cite["span"])
        for rec in self.fx.records["entities"]:
            for i, role in enumerate(rec.data["roles"]):
                self.quote(rec, f"roles.{i}.span", role["source"], role["quote"], role["span"])
        for rec in self.fx.records["exclusions"]:
            d = rec.data
            self.quote(rec, "span", d["source"], d["quote"], d["span"])
        for rec in self.fx.records["events"]:
            for i, cit in enumerate(rec.data["citations"]):
                self.quote(rec, f"citations.{i}.span", cit["source"], cit["quote"], cit["span"])
        for rec in self.fx.records["statements"]:
            d = rec.data
            self.quote(rec, "span", d["source"], d["quote"], d["span"])
            if d["cue"] not in d["quote"]:
                self.add(rec, "cue", f"{d['cue']!r} is not in the quote (give the cue as written)")
        for rec in self.fx.records["assessments"]:
            d = rec.data
            self.quote(rec, "span", d["source"], d["quote"], d["span"])

    def check_mentions(self):
        """Check each mention's references and spans; with the texts, that each curated text's mentions are all there.

        A source is curated for mentions once it has any (``python -m api.curate.mentions``
        writes them): then every place its text names an entity
        (api.builder.mentions.find_mentions) must be a mention, and nothing else.
        """
        for rec in self.fx.records["mentions"]:
            d = rec.data
            self.ref(rec, "source", d["source"], "sources")
            self.ref(rec, "entity", d["entity"], "entities")
            (start, end), (q_start, q_end) = d["span"], d["quote_span"]
            if not (q_start <= start and end <= q_end):
                self.add(rec, "span", f"{d['span']} lies outside its quote_span {d['quote_span']}")
            elif d["quote"][start - q_start : end - q_start] != d["as_written"]:
                self.add(rec, "as_written", f"{d['as_written']!r} is not the quote's text at span {d['span']}")
            if self.texts is not None:
                self.quote(rec, "span", d["source"], d["as_written"], d["span"])
                self.quote(rec, "quote_span", d["source"], d["quote"], d["quote_span"])
        if self.texts is None:
            return
        names = {e["id"]: [e["name"], *e["aliases"]] for e in self.fx.data("entities")}
        kept: dict[str, set] = {}
        for rec in self.fx.records["mentions"]:
            d = rec.data
            kept.setdefault(d["source"], set()).add((d["entity"], tuple(d["span"]), tuple(d["quote_span"])))
        for rec in self.fx.records["sources"]:
            text = self.text_of(rec.data["id"])
            if text is None or rec.data["id"] not in kept:
                continue
            found = {
                (m["entity"], tuple(m["span"]), tuple(m["quote_span"]))
                for m in find_mentions(text, names, metadata_spans(rec.data))
            }
            have = kept.get(rec.data["id"], set())
            for entity, span, _ in sorted(found - have)[:5]:
                self.add(
                    rec, "mentions", f"{entity} named at {list(span)} has no mention (python -m api.curate.mentions)"
                )
            for entity, span, _ in sorted(have - found)[:5]:
                self.add(rec, "mentions", f"mention of {entity} at {list(span)} is not a name of it there")


def validate(fixtures: Fixtures, texts: Path | None) -> list[Problem]:
    """Return every cross-record and text problem (empty when all is well)."""
    return Checker(fixtures, texts).run()


def load_and_validate(
    directory: Path = DEFAULT_FIXTURES_DIR,
    texts: Path | None = None,
    extra: dict[str, list[dict]] | None = None,
) -> Fixtures:
    """Load, schema-check and cross-check the fixtures, or raise FixtureError."""
    fixtures, problems = load(directory, extra)
    problems += validate(fixtures, texts)
    if problems:
        raise FixtureError(problems)
    return fixtures


DATE_SPEC_KEYS = ("start", "end", "precision", "qualifier", "phrase", "resolved_from", "resolution")


@cache
def _date_column_names(prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple((f"{prefix}_{k}", k) for k in DATE_SPEC_KEYS)


def date_columns(prefix: str, spec: dict | None) -> dict:
    """Flatten a date spec into ``<prefix>_*`` columns with its day bounds."""
    names = _date_column_names(prefix)
    if spec is None:
        cols = dict.fromkeys(name for name, _ in names)
        cols[f"{prefix}_first_day"] = cols[f"{prefix}_last_day"] = None
        return cols
    get = spec.get
    cols = {name: get(k) for name, k in names}
    first, last = span_bounds(spec["start"], get("end"))
    cols[f"{prefix}_first_day"], cols[f"{prefix}_last_day"] = first, last
    return cols
