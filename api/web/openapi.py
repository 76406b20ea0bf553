"""Write the OpenAPI document generated from the code: ``python -m api.web.openapi``."""

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = ROOT / "openapi.yaml"


def generate() -> str:
    """Return the OpenAPI document of the app as YAML text."""
    from api.web import create_app

    app = create_app({"DATABASE": "/nonexistent/claims.db", "LOG_REQUESTS": False})
    spec = app.extensions["claimbase_api"].spec.to_dict()
    return yaml.safe_dump(spec, sort_keys=True, allow_unicode=True, width=100)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.web.openapi", description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(DEFAULT_PATH))
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    text = generate()
    path = Path(args.output)
    if args.check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"{path} is out of date: run `make openapi`", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
