"""Every error is an RFC 9457 problem: ``application/problem+json`` with type, title, status, detail, errors.

``errors`` is an extension member naming each parameter at fault and its messages
(``{"metirc": ["Unknown field."]}``); ``{}`` when the problem is not about a parameter.
"""

import sqlite3
from http import HTTPStatus

import orjson
from flask import current_app, request
from werkzeug.exceptions import HTTPException

from api.web.db import DatabaseUnavailable, QueryTimeout
from api.web.guard import QueryStringError
from api.web.queries.paging import BadQuery
from api.web.spec import PROBLEM_JSON


def reason(status: int) -> str:
    """The HTTP reason phrase of ``status``."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(status: int, detail: str, errors: dict | None = None) -> dict:
    """The problem document for ``status`` (``type`` is about:blank: the status says what kind it is)."""
    return {"type": "about:blank", "title": reason(status), "status": status, "detail": detail, "errors": errors or {}}


def problem_bytes(status: int, detail: str, errors: dict | None = None) -> bytes:
    return orjson.dumps(problem(status, detail, errors))


def error_response(code: int, message: str, errors: dict | None = None, headers: dict | None = None):
    response = current_app.response_class(problem_bytes(code, message, errors), status=code, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def flat_messages(problems) -> list[str]:
    """A webargs error entry as a list of messages (list items are prefixed with their index)."""
    if isinstance(problems, dict):
        return [f"Item {key}: {m}" for key, value in problems.items() for m in flat_messages(value)]
    if isinstance(problems, (list, tuple)):
        return [m for p in problems for m in flat_messages(p)]
    return [str(problems)]


def _describe(errors: dict) -> str:
    """Name the parameters a webargs 422 is about."""
    unknown = sorted(name for name, ms in errors.items() if "Unknown field." in ms)
    invalid = sorted(name for name in errors if name not in unknown)
    parts = []
    if unknown:
        parts.append("Unknown query parameter(s): " + ", ".join(unknown))
    if invalid:
        parts.append("Invalid value for: " + ", ".join(invalid))
    return "; ".join(parts) or "Invalid request."


def handle_http_exception(exc: HTTPException):
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # flask-smorest/webargs validation errors: location -> parameter -> messages.
        errors = {
            name: flat_messages(problems)
            for fields in messages.values()
            if isinstance(fields, dict)
            for name, problems in fields.items()
        }
        return error_response(code, _describe(errors), errors, data.get("headers"))
    message = data.get("message") or exc.description or reason(code)
    errors, headers = data.get("errors"), {}
    if code == 405:
        headers = {k: v for k, v in exc.get_headers() if k == "Allow"}
        allowed = headers.get("Allow", "GET, HEAD, OPTIONS")
        message = f"Method {request.method} is not allowed: this API is read-only and serves {allowed}."
        errors = {"method": [message]}
    return error_response(code, message, errors, headers)


def handle_bad_query(exc: BadQuery):
    return error_response(exc.status, str(exc), {exc.param: [str(exc)]})


def handle_query_string(exc: QueryStringError):
    return error_response(exc.status, exc.message, exc.errors)


def handle_unavailable(exc: DatabaseUnavailable):
    current_app.logger.error("database unavailable: %s", exc)
    return error_response(503, "The database is not available.", headers={"Retry-After": "5"})


def handle_operational(exc: sqlite3.OperationalError):
    if "interrupted" in str(exc):
        return handle_timeout(QueryTimeout(str(exc)))
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
