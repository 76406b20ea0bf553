"""known_at reaches every nested record, and every count counts what is shown.

At each source's date and the day before it, under both bases, every record
nested in a claim, event, figure, discrepancy, metric summary or timeline entry
cites only sources known by then, and every count equals the items it counts.
The dates come from the sources served, so a new article adds its own dates.
"""

import datetime as dt

import pytest

from tests.conftest import get_all, get_json

BASES = ("published", "assumed")


def known_day(source: dict, basis: str) -> str | None:
    """The day ``source`` counts as known under ``basis`` (None: never)."""
    if source["published"]:
        return source["published"]["first_day"]
    if basis == "assumed" and source["reference_date"]:
        return source["reference_date"]["date"]
    return None


@pytest.fixture(scope="module")
def sources(app) -> dict[str, dict]:
    return {s["id"]: s for s in get_all(app.test_client(), "/api/v1/sources?page_size=100")}


def dates(sources: dict) -> list[str]:
    days = {known_day(s, basis) for s in sources.values() for basis in BASES} - {None}
    before = {(dt.date.fromisoformat(d) - dt.timedelta(days=1)).isoformat() for d in days}
    return sorted(days | before)


def cited(node) -> set[str]:
    """Every source id a response cites anywhere inside ``node`` (``source`` and ``sources`` keys)."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= cited(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "source" and value is not None:
                found.add(value if isinstance(value, str) else value["id"])
            elif key == "sources" and isinstance(value, list):
                found |= {v if isinstance(v, str) else v["id"] for v in value}
            else:
                found |= cited(value)
    return found


def who(party) -> tuple | None:
    return (party["id"], party["attribution"]) if party else None


def check_claim(claim: dict) -> None:
    figures = claim["figures"]
    assert claim["figure_count"] == len(figures)
    assert claim["source_count"] == len({f["source"]["id"] for f in figures})
    assert claim["origin_count"] == len({f["origin"] for f in figures})
    assert [who(c) for c in claim["claimants"]] == list(
        dict.fromkeys(who(f["claimant"]) for f in figures if f["claimant"])
    )
    stated = [f["source"]["published"]["first_day"] for f in figures if f["source"]["published"]]
    assert claim["first_published"] == min(stated, default=None)
    involved = {f["claimant"]["id"] for f in figures if f["claimant"] and f["claimant"]["id"]}
    involved |= {f["via"]["id"] for f in figures if f["via"]}
    assessments = claim["assessments"]
    for a in assessments:
        assert a["independent"] == (a["entity"] is not None and a["entity"]["id"] not in involved), a["id"]
    corroboration = claim["corroboration"]
    assert corroboration == {
        "origins": claim["origin_count"],
        "repeated_reports": claim["source_count"] - claim["origin_count"],
        "independent_confirmations": sum(a["stance"] == "confirms" and a["independent"] for a in assessments),
        "not_confirmed": sum(a["stance"] == "has-not-confirmed" for a in assessments),
        "doubted": sum(a["stance"] in ("doubts", "disputes") for a in assessments),
    }


def check_event(event: dict) -> None:
    citations = event["citations"]
    stated = sorted({c["source"]["published"]["first_day"] for c in citations if c["source"]["published"]})
    first = stated[0] if stated else None
    assert event["first_reported"]["published"] == first
    assert event["first_reported"]["sources"] == [
        c["source"]["id"] for c in citations if first and (c["source"]["published"] or {}).get("first_day") == first
    ]
    if event["date"]:
        assert event["date"]["source"] in {c["source"]["id"] for c in citations if c["date"]}


def check_summary(client, metric_id: str, query: str, body: dict) -> None:
    figures = get_all(client, f"/api/v1/figures?metric={metric_id}&page_size=100&{query}")
    ids = [i for c in body["claimants"] for i in c["figures"]]
    assert sorted(ids) == sorted(f["id"] for f in figures)
    assert [c["figure_count"] for c in body["claimants"]] == [len(c["figures"]) for c in body["claimants"]]
    assert body["counts"] == {
        "figures": len(figures),
        "sources": len({f["source"]["id"] for f in figures}),
        "claimants": len(body["claimants"]),
        "claims": len({f["claim"]["id"] for f in figures}),
    }


def test_every_nested_record_was_known_and_every_count_counts(client, sources):
    walked = {"claims": 0, "assessments": 0, "events": 0, "figures": 0, "discrepancies": 0, "timeline": 0}
    metrics = [m["id"] for m in get_all(client, "/api/v1/metrics?page_size=100")]
    for day in dates(sources):
        for basis in BASES:
            query = f"known_at={day}&known_at_basis={basis}"
            known = {i for i, s in sources.items() if known_day(s, basis) and known_day(s, basis) <= day}

            def visible(name, body, query=query, known=known):
                late = cited(body) - known
                assert not late, f"{name} at {query} cites sources not yet known: {sorted(late)}"

            claims = get_all(client, f"/api/v1/claims?page_size=100&{query}")
            visible("claims", claims)
            for claim in claims:
                check_claim(claim)
                walked["assessments"] += len(claim["assessments"])
            events = get_all(client, f"/api/v1/events?page_size=100&{query}")
            visible("events", events)
            for event in events:
                check_event(event)
            figures = get_all(client, f"/api/v1/figures?page_size=100&{query}")
            visible("figures", figures)
            found = get_all(client, f"/api/v1/discrepancies?page_size=100&{query}")
            visible("discrepancies", found)
            for d in found:
                assert len(d["variants"]) >= 2 and len({s["id"] for v in d["variants"] for s in v["sources"]}) >= 2
            timeline = get_json(client, f"/api/v1/timeline?{query}")
            visible("timeline", timeline)
            for metric_id in metrics:
                body = get_json(client, f"/api/v1/metrics/{metric_id}/summary?{query}")
                visible(f"the summary of {metric_id}", body)
                check_summary(client, metric_id, query, body)
            for name, items in (("claims", claims), ("events", events), ("figures", figures), ("discrepancies", found)):
                walked[name] += len(items)
            walked["timeline"] += len(timeline["items"]) + len(timeline["undated"])
    # The walk met every kind of record it checks (a date where nothing is known proves nothing).
    assert all(walked.values()), walked


def test_an_undated_sources_assessment_waits_for_its_source(client, sources):
    """Unfiltered a claim's assessment may come from an undated source; on a stated date it is not there yet."""
    undated = {i for i, s in sources.items() if not s["published"]}
    claims = get_all(client, "/api/v1/claims?page_size=100")
    later = [(c["id"], a) for c in claims for a in c["assessments"] if a["source"]["id"] in undated]
    assert later, "no assessment from an undated source to try"
    for day in dates(sources):
        at = {c["id"]: c for c in get_all(client, f"/api/v1/claims?page_size=100&known_at={day}")}
        for claim_id, a in later:
            if claim_id in at:
                assert a["id"] not in {x["id"] for x in at[claim_id]["assessments"]}
        # A filter on assessments matches only through the assessments known by then.
        stances = get_all(client, f"/api/v1/claims?page_size=100&known_at={day}&stance=confirms")
        assert all(any(a["stance"] == "confirms" for a in c["assessments"]) for c in stances)


def test_a_source_filter_matches_only_what_that_source_had_published(client, sources):
    undated = sorted(i for i, s in sources.items() if not s["published"])
    assert undated
    for day in dates(sources):
        for path in ("claims", "events", "figures"):
            query = f"known_at={day}&source={undated[0]}&total=true"
            assert get_json(client, f"/api/v1/{path}?{query}")["total"] == 0, (path, day)
            claimed = get_all(client, f"/api/v1/{path}?known_at={day}&known_at_basis=assumed&source={undated[0]}")
            assert all(undated[0] in cited(item) for item in claimed), (path, day)


def shown_days(event: dict) -> tuple[str, str] | None:
    date = event["date"]
    return (date["first_day"], date["last_day"]) if date else None


def test_event_dates_filter_and_sort_by_the_date_known_then(client, sources):
    """Under known_at, date_from/date_to and sort=date use the date each event shows: the one known by then."""
    differs = 0
    stored = {e["id"]: shown_days(e) for e in get_all(client, "/api/v1/events?page_size=100")}
    for day in dates(sources):
        for basis in BASES:
            query = f"known_at={day}&known_at_basis={basis}&page_size=7"
            events = get_all(client, f"/api/v1/events?{query}")
            shown = {e["id"]: shown_days(e) for e in events}
            differs += sum(shown[i] != stored[i] for i in shown)
            order = [shown_days(e) or ("~", "~") for e in events]
            assert [d[0] for d in order] == sorted(d[0] for d in order), query
            backwards = [(shown_days(e) or ("~",))[0] for e in get_all(client, f"/api/v1/events?{query}&sort=-date")]
            assert backwards == sorted(backwards, reverse=True), query
            for first, last in sorted({d for d in shown.values() if d}):
                for lo, hi in ((first, first), (last, None), (None, first)):
                    window = "&".join(f"{k}={v}" for k, v in (("date_from", lo), ("date_to", hi)) if v)
                    got = get_all(client, f"/api/v1/events?{query}&{window}")
                    assert all(shown_days(e) == shown[e["id"]] for e in got), (query, window)
                    inside = [i for i, d in shown.items() if d and (not lo or d[1] >= lo) and (not hi or d[0] <= hi)]
                    assert sorted(e["id"] for e in got) == sorted(inside), (query, window)
    # The walk met events whose date as known then is not their date today (else it proves nothing).
    assert differs, "no event shows another date under known_at"
