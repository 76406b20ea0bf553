"""Faults against gunicorn on 127.0.0.1: short runs of scripts/faults.py (`make faults` is the full one).

A handful of clients that disconnect mid-export, 10 slow clients for 3 s against a worker with 4
threads, and one database swap under load.
"""

import pytest

from scripts import faults


@pytest.mark.server
@pytest.mark.parametrize(
    "fault, options",
    [
        ("disconnects", {"disconnect_count": 20}),
        ("slow", {"slow_count": 10, "slow_seconds": 3.0}),
        ("swap", {"swap_seconds": 3.0}),
    ],
)
def test_the_server_survives(db_path, fault, options):
    (outcome,) = faults.run(db_path, only=[fault], workers=1, threads=4, **options)
    assert outcome.ok, str(outcome)
