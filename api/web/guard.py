"""Checks on the raw query string, before anything parses it.

Werkzeug is lenient: it keeps invalid percent-escapes and invalid UTF-8 as
they are, and passes control characters through. Those never make sense in
a query of this API, so every request's query string is checked first, and
each problem is answered with a problem document (api.web.errors) naming the parameter:

- longer than ``MAX_QUERY_STRING`` bytes: 414;
- a ``%`` not followed by two hex digits, or bytes that are not UTF-8 once
  decoded: 400;
- a control character (U+0000–U+001F, U+007F) in a name or value, or more
  than ``MAX_PARAM_VALUES`` values of one parameter: 422.

The OpenAPI document states the same rules (api.web.spec).
"""

import re
from urllib.parse import unquote_to_bytes

from flask import current_app, request

# Values of one repeatable parameter (`?metric=a&metric=b…`); the document's maxItems.
MAX_PARAM_VALUES = 100
# Strings without control characters (JSON Schema, ECMA 262 and Python regex alike).
CONTROL_FREE_PATTERN = r"^[^\x00-\x1F\x7F]*$"
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


class QueryStringError(Exception):
    """The query string cannot be read; ``status`` and ``errors`` name the problem."""

    def __init__(self, status: int, message: str, errors: dict):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


def _display(raw: bytes) -> str:
    """A parameter name fit for a message, even when it is not valid UTF-8."""
    text = raw.decode("utf-8", "backslashreplace")
    text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text[:100] + ("…" if len(text) > 100 else "")


def _decode(raw: bytes, name: str, part: str) -> str:
    bad = BAD_PERCENT.search(raw)
    if bad:
        snippet = raw[bad.start() : bad.start() + 3].decode("latin-1")
        message = (
            f"Invalid percent-encoding in the {part} of parameter {name!r}: {snippet!r} is not % and two hex digits."
        )
        raise QueryStringError(400, message, {name: [message]})
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"The {part} of parameter {name!r} is not valid UTF-8 once percent-decoded ({exc.reason} at byte {exc.start})."
        raise QueryStringError(400, message, {name: [message]}) from None


def plainly_valid(raw: bytes) -> bool:
    """True when no rule can be broken: fewer pairs than a parameter may repeat, every escape
    well-formed, valid UTF-8 once decoded, no control character. Checking the whole string is
    the same as checking each name and value, since the separators are plain ASCII."""
    if raw.count(b"&") >= MAX_PARAM_VALUES or BAD_PERCENT.search(raw):
        return False
    try:
        text = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not CONTROL.search(text)


def check_query_string(raw: bytes, limit: int) -> None:
    """Raise QueryStringError if ``raw`` breaks one of the rules above."""
    if limit and len(raw) > limit:
        message = f"The query string is {len(raw):,} bytes long; the limit is {limit:,}."
        raise QueryStringError(414, message, {"query_string": [message]})
    if not plainly_valid(raw):
        check_each_parameter(raw)


def check_each_parameter(raw: bytes) -> None:
    """Check the rules parameter by parameter, raising for the first one at fault (to name it)."""
    counts: dict[str, int] = {}
    for pair in raw.split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        name = _decode(raw_name, _display(raw_name), "name")
        shown = _display(name.encode())
        if CONTROL.search(name):
            message = f"Parameter name {shown!r} contains a control character."
            raise QueryStringError(422, message, {shown: [message]})
        value = _decode(raw_value, shown, "value")
        found = CONTROL.search(value)
        if found:
            message = f"Control character U+{ord(found.group()):04X} in the value of {shown!r}."
            raise QueryStringError(422, message, {shown: [message]})
        counts[name] = counts.get(name, 0) + 1
        if counts[name] > MAX_PARAM_VALUES:
            message = f"Parameter {shown!r} is given more than {MAX_PARAM_VALUES} times."
            raise QueryStringError(422, message, {shown: [message]})


def check_request() -> None:
    """Check this request's query string (see check_query_string)."""
    if request.query_string:
        check_query_string(request.query_string, current_app.config["MAX_QUERY_STRING"])
