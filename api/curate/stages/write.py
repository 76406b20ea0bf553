"""Write draft records in the fixtures' layout: ``sources.yaml`` and ``<kind>/<source-id>.yaml``."""

from __future__ import annotations

from pathlib import Path

import yaml


class _Dumper(yaml.SafeDumper):
    """Short lists and flat mappings on one line, as the hand-written fixtures have them."""

    def ignore_aliases(self, data):
        # Two records drafted from one date share its spec: an anchor and alias (&id001/*id001)
        # would make an edit to one silently change the other.
        return True


def _flow_list(dumper, data):
    flow = len(data) <= 4 and all(isinstance(x, (int, float, str)) and len(str(x)) < 40 for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _flow_dict(dumper, data):
    flat = all(v is None or isinstance(v, (int, float, str, bool)) for v in data.values())
    flow = flat and len(data) <= 4 and sum(len(str(v)) for v in data.values()) < 100
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _str(dumper, data):
    # 'up to' reads better in double quotes than as ''up to''.
    style = '"' if "'" in data and '"' not in data and "\n" not in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _flow_list)
_Dumper.add_representer(dict, _flow_dict)


def dump(records: list[dict]) -> str:
    """Return records as YAML in the hand-written fixtures' style."""
    return yaml.dump(records, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


def run(records: dict[str, list[dict]], out: Path) -> list[Path]:
    """Write draft records in the fixtures' layout under ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    sid = records["sources"][0]["id"]
    written = []
    for kind, recs in records.items():
        path = out / f"{kind}.yaml" if kind == "sources" else out / kind / f"{sid}.yaml"
        if not recs:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        header = (
            f"# DRAFT {kind} for {sid}: every record is unconfirmed. Check each one against the text,\n"
            "# edit it, delete the `unconfirmed` and `draft` keys, then move the file into fixtures/.\n"
        )
        path.write_text(header + dump(recs), "utf-8")
        written.append(path)
    return written
