"""Each worker thread's read-only connection: its page cache and memory mapping come from the settings."""

import threading

import pytest

from api.web import db
from tests.conftest import make_app


def pragmas(app) -> dict:
    """Open a fresh connection on a thread of its own, as a worker thread would; return its settings."""
    found = {}

    def run():
        with app.app_context():
            conn = db.get_db()
            for name in ("cache_size", "mmap_size", "query_only"):
                found[name] = conn.execute(f"PRAGMA {name}").fetchone()[name]
            db.close_db()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return found


def test_by_default_a_connection_has_a_small_page_cache_and_no_memory_mapping(db_path):
    app = make_app(db_path)
    assert pragmas(app) == {"cache_size": -8 * 1024, "mmap_size": 0, "query_only": 1}


@pytest.mark.parametrize(("cache_mb", "mmap_mb"), [(32, 256), (0.5, 0)])
def test_the_page_cache_and_memory_mapping_follow_the_settings(db_path, cache_mb, mmap_mb):
    app = make_app(db_path, SQLITE_CACHE_MB=cache_mb, SQLITE_MMAP_MB=mmap_mb)
    assert pragmas(app) == {"cache_size": -int(cache_mb * 1024), "mmap_size": mmap_mb << 20, "query_only": 1}


def test_the_settings_come_from_the_environment(db_path, monkeypatch):
    monkeypatch.setenv("CLAIMBASE_SQLITE_CACHE_MB", "3")
    monkeypatch.setenv("CLAIMBASE_SQLITE_MMAP_MB", "16")
    app = make_app(db_path)
    assert pragmas(app)["cache_size"] == -3 * 1024 and pragmas(app)["mmap_size"] == 16 << 20
