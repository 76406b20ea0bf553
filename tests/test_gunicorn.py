"""gunicorn's settings: loopback unless told otherwise, its request limits opened up behind nginx."""

import os
import subprocess
import sys
from pathlib import Path

from scripts.servers import ROOT


def _gunicorn_config(env: dict) -> dict[str, str]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    done = subprocess.run(
        [str(gunicorn), "--config", "gunicorn.conf.py", "--print-config", "api.web:create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    settings = {}
    for line in done.stdout.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            settings[name.strip()] = value.strip()
    return settings


def test_gunicorn_binds_to_loopback_unless_told_otherwise():
    env = {k: v for k, v in os.environ.items() if k != "CLAIMBASE_BIND"}
    settings = _gunicorn_config(env)
    assert settings["bind"] == "['127.0.0.1:8000']"
    assert settings["worker_class"] == "gthread"  # stock gunicorn: nginx in front does the rest (docs/deploying.md)
    assert settings["control_socket_disable"] == "True"
    assert (settings["limit_request_line"], settings["limit_request_fields"]) == ("8190", "100")
    assert _gunicorn_config({**env, "CLAIMBASE_BIND": "0.0.0.0:9000"})["bind"] == "['0.0.0.0:9000']"
    # Behind nginx, nginx enforces the limits and answers them itself: gunicorn's are opened up.
    behind = _gunicorn_config({**env, "CLAIMBASE_PROXIES": "1"})
    assert (behind["limit_request_line"], behind["limit_request_fields"]) == ("0", "32768")
