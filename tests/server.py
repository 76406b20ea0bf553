"""A real gunicorn on 127.0.0.1 for tests that need one (see scripts/servers.py).

`live_server` is a session-scoped fixture yielding the base URL, e.g. "http://127.0.0.1:41234".
Import it into a test module (or re-export it from conftest.py) to use it.
"""

from collections.abc import Iterator

import pytest

from scripts.servers import ServerError, get, serve

__all__ = ["get", "live_server"]


@pytest.fixture(scope="session")
def live_server(db_path, tmp_path_factory) -> Iterator[str]:
    """The app on gunicorn at 127.0.0.1:<free port>, over the session database; yields the base URL."""
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    try:
        with serve(db_path, log_path, workers=1, threads=2) as server:
            yield server.base
    except ServerError as exc:
        pytest.fail(str(exc))
