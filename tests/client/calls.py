"""Call Claimbase through the client generated from openapi.yaml, asserting the types it returns.

Run by tests/test_client.py in a scratch virtualenv where the generated ``claimbase_client`` is
installed: ``python calls.py http://127.0.0.1:PORT``. Prints one JSON object (what each call
returned, by id) for the test to compare with the API's own answers; exits non-zero on a failure.
"""

import csv
import io
import json
import sys

from claimbase_client import Client
from claimbase_client.api.analysis import list_discrepancies
from claimbase_client.api.events import list_events
from claimbase_client.api.figures import export_figures_csv, get_figure, list_figures
from claimbase_client.models import (
    Claimant,
    Discrepancy,
    DiscrepancyList,
    EntityRef,
    Error,
    Event,
    EventList,
    Figure,
    FigureList,
    MetricCategory,
    Published,
    SourceRef,
    Value,
)


def main(base: str) -> dict:
    client = Client(base_url=base, raise_on_unexpected_status=True, timeout=30.0)
    out = {}

    # The headline query: every troop estimate by source and date.
    page = list_figures.sync(client=client, category=[MetricCategory.TROOPS], sort="source,period", page_size=500)
    assert isinstance(page, FigureList), type(page)
    figures = page.items
    assert figures and all(isinstance(f, Figure) for f in figures)
    # One enum class per vocabulary: the parameter's and the field's are the same MetricCategory.
    assert all(f.metric.category is MetricCategory.TROOPS for f in figures)
    assert all(isinstance(f.value, Value) and isinstance(f.source, SourceRef) for f in figures)
    out["headline"] = [f.id for f in figures]

    # Typed nested objects that may be null: a claimant, a publication date.
    claimed = [f for f in figures if f.claimant is not None]
    assert claimed and all(isinstance(f.claimant, Claimant) for f in claimed)
    named = [f.claimant.name for f in claimed if f.claimant.name is not None]
    assert named and all(isinstance(name, str) for name in named)
    dated = [f for f in figures if f.source.published is not None]
    assert dated and all(isinstance(f.source.published, Published) for f in dated)
    assert all(isinstance(f.source.published.date, str) for f in dated)
    out["claimant_names"] = sorted(set(named))
    out["published"] = sorted({f.source.published.date for f in dated})

    # One figure by id.
    figure = get_figure.sync(client=client, figure_id=figures[0].id)
    assert isinstance(figure, Figure) and figure.id == figures[0].id
    assert figure.value.high is None or isinstance(figure.value.high, (int, float))
    out["figure"] = figure.id

    # Events in a date window, with their typed location.
    events = list_events.sync(client=client, date_from="2025-06", date_to="2025-06", page_size=500)
    assert isinstance(events, EventList) and events.items
    assert all(isinstance(e, Event) for e in events.items)
    located = [e for e in events.items if e.location is not None]
    assert located and all(isinstance(e.location, EntityRef) and isinstance(e.location.name, str) for e in located)
    out["events"] = [e.id for e in events.items]
    out["locations"] = sorted({e.location.name for e in located})

    # Where the sources differ.
    discrepancies = list_discrepancies.sync(client=client, page_size=500)
    assert isinstance(discrepancies, DiscrepancyList) and discrepancies.items
    assert all(isinstance(d, Discrepancy) and d.variants for d in discrepancies.items)
    out["discrepancies"] = [d.id for d in discrepancies.items]

    # The same troop figures as CSV, from the export's own URL.
    text = export_figures_csv.sync(client=client, category=[MetricCategory.TROOPS], sort="source,period")
    assert isinstance(text, str), type(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    out["csv"] = [row["id"] for row in rows]
    out["csv_high"] = {row["id"]: row["value_high"] for row in rows}

    # An error is a typed Error too (without raising: the client returns what the document says).
    lenient = Client(base_url=base, timeout=30.0)
    response = list_figures.sync_detailed(client=lenient, claimant=["no-such-claimant-anywhere"])
    assert response.status_code == 422, response.status_code
    assert isinstance(response.parsed, Error), type(response.parsed)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "claimant" in response.parsed.to_dict()["errors"]
    out["error_status"] = int(response.status_code)
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
