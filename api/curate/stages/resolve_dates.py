"""Resolve the date expressions found against the reference date, by the rules of ``dates.RESOLVERS``.

Without a reference date only expressions that state their year resolve;
the others keep a null date and say why.
"""

from __future__ import annotations

import datetime as dt

from api.curate.dates import DateExpr, DateMatch, resolve_matches


def run(found: list[DateMatch], ref: dt.date | None, assumed: bool) -> list[DateExpr]:
    """Return each found expression with its date spec (None when it cannot be resolved) and why."""
    return resolve_matches(found, ref, assumed)
