"""Faults against the production stack on 127.0.0.1: short runs of scripts/faults.py (`make faults` is the full one).

20 clients that disconnect mid-export, 10 slow clients for 3 s, a rollout and a replica killed under
load, each against a fresh stack (nginx, two gunicorn instances of one worker with four threads).
"""

import pytest

from scripts import faults


@pytest.mark.server
@pytest.mark.parametrize(
    "fault, options",
    [
        ("disconnects", {"disconnect_count": 20}),
        ("slow", {"slow_count": 10, "slow_seconds": 3.0}),
        ("rollout", {"rollout_seconds": 3.0}),
        ("kill", {"kill_seconds": 3.0}),
    ],
)
def test_the_stack_survives(db_path, fault, options):
    (outcome,) = faults.run(db_path, only=[fault], **options)
    assert outcome.ok, str(outcome)
    print(outcome)
