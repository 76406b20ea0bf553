"""Releases, the changes between them, and the Atom feed of releases."""

import html
import sqlite3
from xml.etree import ElementTree as ET

from flask import Response, request

from api.web.db import DatabaseUnavailable, get_db
from api.web.errors import error_response
from api.web.queries import changes as change_queries
from api.web.queries import releases as queries
from api.web.queries.paging import BadQuery, decode_cursor
from api.web.resources import lists
from api.web.resources.common import Blueprint, json_response, list_response, or_404
from schemas.releases import (
    ChangeExportArgs,
    ChangeListSchema,
    ChangeQueryArgs,
    ReleaseListSchema,
    ReleaseQueryArgs,
    ReleaseSchema,
)

blp = Blueprint(
    "releases",
    __name__,
    url_prefix="/api/v1",
    description="Recorded versions of the data, and what changed between them, record by record and field by field.",
)
feed = Blueprint("feed", __name__, description="An Atom feed of the releases.")

ATOM = "http://www.w3.org/2005/Atom"
FEED_LINKS = 200  # figures linked per feed entry; the entry links the release's changes for the rest


@lists.register(blp, "/releases", ReleaseQueryArgs, ReleaseListSchema)
def list_releases(args):
    """List the releases, oldest first, each with its counts and a summary of its changes.

    The current release is the last; `/health` names it too.
    """
    return list_response(queries.RELEASES, args)


@blp.get("/releases/<version>")
@blp.response(200, ReleaseSchema)
@blp.errors(404, 503)
def get_release(version):
    """Get one release: its date, notes, digest, counts and a summary of its changes.

    Its changes, record by record: `/api/v1/changes?until=<version>`.
    """
    return json_response(or_404(queries.get_release(get_db(), version), "release", version))


def resolve(args: dict, fmt: str = "json"):
    """The listing and arguments that answer ``since``/``until``: changes between them, or a release's records."""
    listing, resolved = _resolve(args)
    if fmt in change_queries.EXPORTS:
        listing = listing.but(export=change_queries.EXPORTS[fmt])
    return listing, resolved


# What /changes answers from when no release is recorded: nothing.
EMPTY = {"seq": 0, "first_record": 0, "last_record": 0, "last_change": 0, "kind_rows": {}}


def _resolve(args: dict):
    known = queries.positions(get_db())
    if args.get("until"):
        until = queries.find(known, "until", args["until"])
    else:
        until = known[-1] if known else EMPTY
    if not args.get("since"):
        listing, (low, high) = change_queries.SNAPSHOT, _rows(until, args.get("kind"))
        bounds = {"first_row": _lower(args, listing, low), "last_row": high}
        return listing, {**args, **bounds}
    since = queries.find(known, "since", args["since"])
    if since["seq"] > until["seq"]:
        raise BadQuery(f"since: release {args['since']} comes after until ({args.get('until')}).", "since", 422)
    listing = change_queries.CHANGES
    bounds = {"after_n": _lower(args, listing, since["last_change"]), "through_n": until["last_change"]}
    return listing, {**args, **bounds}


def _rows(release: dict, kinds: list[str] | None) -> tuple[int, int]:
    """The rowids of ``release``'s records (of ``kinds`` only, when given) in release_records: (first, last)."""
    if not kinds:
        return release["first_record"] or 0, release["last_record"] or 0
    ranges = [release["kind_rows"][kind] for kind in kinds if kind in release["kind_rows"]]
    if not ranges:
        return 0, 0
    return min(first for first, _ in ranges), max(last for _, last in ranges)


def _lower(args: dict, listing, low: int) -> int | None:
    """``low``, or None when the cursor is past it already.

    The rowid range starts at the cursor then: with two lower bounds, SQLite would walk
    from the first, through every row before the cursor.
    """
    if args.get("cursor"):
        try:
            (after,) = decode_cursor(args["cursor"], listing.cursor_tag, 1)
        except BadQuery:
            return low  # the listing answers the bad cursor
        if isinstance(after, int) and after >= low:
            return None
    return low


@lists.register(
    blp,
    "/changes",
    ChangeQueryArgs,
    ChangeListSchema,
    exports=lists.Exports(ChangeExportArgs, change_queries.COLUMNS, "changes"),
)
def list_changes(args, fmt="json"):
    """List every change after release `since`, oldest first (or, without `since`, every record as an addition).

    A client keeps the version it has, asks `?since=<that version>`, applies each change in
    order (added: store `record`; changed and renamed: set each of `fields` to `new`, a rename
    under its new id; removed: delete), and then keeps the current release's version (`/health`).
    """
    listing, resolved = resolve(args, fmt)
    return list_response(listing, resolved, name="changes", fmt=fmt)


@feed.route("/feed.atom", methods=["GET"])
@feed.doc(
    responses={
        200: {
            "description": "An Atom feed (RFC 4287).",
            "content": {"application/atom+xml": {"schema": {"type": "string"}}},
        }
    }
)
@feed.errors(503)
def atom_feed():
    """Get an Atom feed with one entry per release: its new and changed figures, linked.

    For a feed reader: each entry links the release and every change it holds.
    """
    base = request.host_url.rstrip("/")
    entries = queries.feed_entries(get_db(), FEED_LINKS)
    root = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(root, "title").text = "Claimbase releases"
    ET.SubElement(root, "subtitle").text = "Each release of the data: new and changed figures, with links."
    ET.SubElement(root, "id").text = f"{base}/feed.atom"
    ET.SubElement(root, "link", rel="self", href=f"{base}/feed.atom", type="application/atom+xml")
    ET.SubElement(root, "link", rel="alternate", href=f"{base}/api/v1/releases", type="application/json")
    ET.SubElement(root, "updated").text = _timestamp(entries[0]["date"] if entries else "1970-01-01")
    ET.SubElement(ET.SubElement(root, "author"), "name").text = "Claimbase"
    for release in entries:
        _entry(root, base, release)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


def _timestamp(day: str) -> str:
    return f"{day}T00:00:00Z"


def _entry(root, base: str, release: dict) -> None:
    entry = ET.SubElement(root, "entry")
    headline = "; ".join(_group_text(g) for g in release["groups"][:3]) or "no new or changed figures"
    ET.SubElement(entry, "title").text = f"{release['version']}: {headline}"
    ET.SubElement(entry, "id").text = base + release["url"]
    ET.SubElement(entry, "link", rel="alternate", href=base + release["url"], type="application/json")
    ET.SubElement(entry, "link", rel="related", href=base + release["changes"], type="application/json")
    ET.SubElement(entry, "updated").text = _timestamp(release["date"])
    ET.SubElement(entry, "summary").text = release["notes"]
    ET.SubElement(entry, "content", type="html").text = _content(base, release)


def _group_text(group: dict) -> str:
    n, what = group["n"], "new" if group["change"] == "added" else "corrected"
    subject = f" ({group['subject']})" if group["subject"] else ""
    return f"{n} {what} estimate{'s' if n != 1 else ''} of {group['metric']}{subject}"


def _content(base: str, release: dict) -> str:
    esc = html.escape
    parts = [f"<p>{esc(release['notes'])}</p>"]
    if release["groups"]:
        parts.append("<ul>" + "".join(f"<li>{esc(_group_text(g))}</li>" for g in release["groups"]) + "</ul>")
    if release["figures"]:
        items = "".join(
            f'<li>{esc(f["change"])}: <a href="{esc(base)}/api/v1/figures/{esc(f["id"])}">'
            f"{esc(f['metric'] or '')}: {esc(f['value'] or '')}</a> ({esc(f['source'] or '')})</li>"
            for f in release["figures"]
        )
        parts.append(f"<ul>{items}</ul>")
    parts.append(f'<p><a href="{esc(base + release["changes"])}">Every change of this release</a></p>')
    return "".join(parts)


@blp.after_app_request
def follow_renames(response):
    """Answer an id a release renamed as an alias (301 to the record's id now), where it would be a 404."""
    if response.status_code != 404 or not request.path.startswith("/api/v1/"):
        return response
    parts = request.path[len("/api/v1/") :].split("/")
    kind = {path: kind for kind, path in change_queries.PATHS.items()}.get(parts[0])
    if kind is None or len(parts) < 2 or not parts[1]:
        return response
    try:
        new = queries.renamed_to(get_db(), kind, parts[1])
    except (sqlite3.Error, DatabaseUnavailable):  # the 404 stands when the lookup cannot be made
        return response
    if new is None:
        return response
    target = "/".join(["", "api", "v1", parts[0], new, *parts[2:]])
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return error_response(301, f"{parts[1]!r} was renamed {new!r} by a release.", headers={"Location": target})
