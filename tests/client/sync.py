"""Sync a local copy of the data through the generated client: a first release, then its changes.

Run by tests/test_client.py in the scratch virtualenv: ``python sync.py BASE FIRST_VERSION``.
Fetches every record of release FIRST_VERSION (``/changes?until=``), then every change since it
(``/changes?since=``), applies them in order as docs/releases.md says, and prints one JSON
object: the figures it holds, the version it arrived at and how many changes it applied.
"""

import json
import sys

from claimbase_client import Client
from claimbase_client.api.health import health
from claimbase_client.api.releases import list_changes
from claimbase_client.models import Change, ChangeList, ChangeType, Health
from claimbase_client.types import UNSET


def pages(client: Client, **query):
    """Every change of a query, following the cursor."""
    cursor = UNSET
    while True:
        page = list_changes.sync(client=client, page_size=100, cursor=cursor, **query)
        assert isinstance(page, ChangeList), type(page)
        assert all(isinstance(c, Change) for c in page.items)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def apply(store: dict, change: Change) -> None:
    key = (change.kind, change.id)
    if change.change == ChangeType.ADDED:
        store[key] = change.record.to_dict()
    elif change.change == ChangeType.REMOVED:
        del store[key]
    else:  # changed, or renamed (stored under its previous id until now)
        record = store.pop((change.kind, change.previous_id or change.id))
        for field in change.fields:
            record[field.field] = field.new
        store[key] = record


def main(base: str, first: str) -> dict:
    client = Client(base_url=base, raise_on_unexpected_status=True, timeout=30.0)
    store: dict = {}
    for change in pages(client, until=first):
        assert change.change == ChangeType.ADDED and change.release == first
        apply(store, change)
    version, applied = first, 0
    for change in pages(client, since=first):
        apply(store, change)
        version, applied = change.release, applied + 1
    status = health.sync(client=client)
    assert isinstance(status, Health), type(status)
    assert status.release == version, (status.release, version)
    figures = sorted((r for (kind, _), r in store.items() if kind == "figure"), key=lambda r: r["id"])
    return {"version": version, "applied": applied, "figures": figures}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
