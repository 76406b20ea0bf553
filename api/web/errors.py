"""Every error is JSON of one shape: code, status, message, errors."""

import sqlite3

from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from api.web.db import DatabaseUnavailable, QueryTimeout
from api.web.guard import QueryStringError
from api.web.queries.paging import FTS_HINT, BadQuery


def error_response(code: int, message: str, errors: dict | None = None, headers: dict | None = None):
    from werkzeug.http import HTTP_STATUS_CODES

    body = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error"), "message": message, "errors": errors or {}}
    response = jsonify(body)
    response.status_code = code
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _describe(messages: dict) -> str:
    """Name the parameters a webargs 422 is about."""
    unknown, invalid = [], []
    for _location, fields in messages.items():
        if not isinstance(fields, dict):
            continue
        for name, problems in fields.items():
            flat = problems if isinstance(problems, list) else [problems]
            if "Unknown field." in flat:
                unknown.append(name)
            else:
                invalid.append(name)
    parts = []
    if unknown:
        parts.append("Unknown query parameter(s): " + ", ".join(sorted(unknown)))
    if invalid:
        parts.append("Invalid value for: " + ", ".join(sorted(invalid)))
    return "; ".join(parts) or "Invalid request."


def handle_http_exception(exc: HTTPException):
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # flask-smorest/webargs validation errors ("query" -> field -> list).
        normalised = {("query" if k == "querystring" else k): v for k, v in messages.items()}
        return error_response(code, _describe(normalised), normalised, data.get("headers"))
    message = data.get("message") or exc.description or "Error"
    errors, headers = data.get("errors"), {}
    if code == 405:
        headers = {k: v for k, v in exc.get_headers() if k == "Allow"}
        allowed = headers.get("Allow", "GET, HEAD, OPTIONS")
        message = f"Method {request.method} is not allowed: this API is read-only and serves {allowed}."
        errors = {"method": [message]}
    return error_response(code, message, errors, headers)


def handle_bad_query(exc: BadQuery):
    return error_response(400, str(exc), {"query": {exc.param: [str(exc)]}})


def handle_query_string(exc: QueryStringError):
    return error_response(exc.status, exc.message, exc.errors)


def handle_unavailable(exc: DatabaseUnavailable):
    current_app.logger.error("database unavailable: %s", exc)
    return error_response(503, "The database is not available.", headers={"Retry-After": "5"})


# SQLite's messages for a full-text query it cannot parse (`q` is the only full-text parameter).
FTS_QUERY_ERRORS = ("fts5:", "unterminated string", "unknown special query", "no such column")


def handle_operational(exc: sqlite3.OperationalError):
    message = str(exc)
    if "interrupted" in message:
        return handle_timeout(QueryTimeout(message))
    if request.args.get("q") and any(m in message for m in FTS_QUERY_ERRORS):
        # One the query modules did not translate (e.g. "unknown special query" for `q=*`): still the
        # client's full-text syntax, not a server error.
        return handle_bad_query(BadQuery(f"Full-text query error ({message}). {FTS_HINT}", "q"))
    raise exc


def handle_timeout(exc: QueryTimeout):
    limit = current_app.config["QUERY_TIMEOUT_MS"]
    return error_response(
        503,
        f"The query ran past the {limit} ms time limit; narrow the filters.",
        headers={"Retry-After": "1"},
    )


def handle_unexpected(exc: Exception):
    current_app.logger.exception("unhandled error")
    return error_response(500, "Internal server error.")


def init_app(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(BadQuery, handle_bad_query)
    app.register_error_handler(QueryStringError, handle_query_string)
    app.register_error_handler(DatabaseUnavailable, handle_unavailable)
    app.register_error_handler(QueryTimeout, handle_timeout)
    app.register_error_handler(sqlite3.OperationalError, handle_operational)
    app.register_error_handler(Exception, handle_unexpected)
