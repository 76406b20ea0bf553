"""Load without errors: short runs of scripts/load.py (wrk through nginx to two gunicorn instances on 127.0.0.1).

The full run is `make load` (60 s at 64 connections); these are 4 s at 16 connections, over the
rotation of realistic URLs (mostly answered from nginx's cache) and over URLs never asked before.
"""

import pytest

from scripts import load


@pytest.mark.server
@pytest.mark.parametrize("distinct", [False, True], ids=["rotation", "distinct URLs"])
def test_four_seconds_at_16_connections_without_an_error(db_path, tmp_path, distinct):
    result = load.run(db_path, duration=4, connections=16, threads=2, distinct=distinct, workdir=tmp_path)
    report = load.report(result)
    assert result["problems"] == [], report
    assert result["requests"] >= 1000, report
    assert result["errors"] == {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}, report
    assert set(result["rss_end_kb"]) == set(result["rss_start_kb"]) and len(result["rss_start_kb"]) == 2, report
    assert result["health_after"] == 200
    print(report)
