"""Load without errors: a short run of scripts/load.py (wrk against gunicorn on 127.0.0.1).

The full run is `make load` (60 s at 64 connections); this one is 5 s at 16 connections.
"""

import pytest

from scripts import load


@pytest.mark.server
def test_five_seconds_at_16_connections_without_an_error(db_path, tmp_path):
    result = load.run(db_path, duration=5, connections=16, threads=2, workers=2, workdir=tmp_path)
    report = load.report(result)
    assert result["problems"] == [], report
    assert result["requests"] >= 1000, report
    assert result["errors"] == {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}, report
    assert set(result["rss_end_kb"]) == set(result["rss_start_kb"]) and len(result["rss_start_kb"]) == 2, report
    assert result["health_after"] == 200
