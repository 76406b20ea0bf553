"""Property-based fuzzing of every operation from openapi.yaml (schemathesis), against the real app.

Each operation gets ``CLAIMBASE_FUZZ_EXAMPLES`` generated requests per phase (examples, coverage,
fuzzing), valid and invalid, sent to the WSGI app over the session database, and every response goes
through all of schemathesis' checks: no server error, a documented status code, a documented content
type, documented headers (the security headers are documented on every response, errors included,
see api/spec.py), the body valid against the documented schema, invalid data rejected, valid data
accepted, 405 with Allow for undeclared methods.

    CLAIMBASE_FUZZ_EXAMPLES=500 make fuzz     # the long run (default here: 15, for CI)
    CLAIMBASE_FUZZ_SEED=random                # fresh inputs (default: a fixed seed, reproducible)
"""

import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from jsonschema import Draft4Validator
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("CLAIMBASE_FUZZ_EXAMPLES", "15"))
SEED = os.environ.get("CLAIMBASE_FUZZ_SEED", "20251121")
DETERMINISTIC = SEED != "random"

# 414 is how this API rejects a query string over its length limit (api/guard.py): a rejection like
# the others schemathesis expects of invalid data (its default list has no 414). Nothing else changes.
CONFIG = f"""
{"seed = " + SEED if DETERMINISTIC else ""}
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "414", "415", "422", "428", "429", "5xx"]
"""

schema = schemathesis.openapi.from_path(ROOT / "openapi.yaml", config=schemathesis.Config.from_str(CONFIG))

WINDOW_ORDER = re.compile(r"^(\w+)_from is after \1_to\.$|^value_min is greater than value_max\.$")

SEEN: Counter = Counter()  # requests sent, by operation
MODES: Counter = Counter()  # and by generation mode
RECEIVED: dict[str, bytes] = {}  # the query string of the last request, as the app received it


@pytest.fixture(scope="module")
def fuzzed_app(app):
    """The session app, recording each request's query string as it arrives.

    schemathesis reports a request as its requests-based transport would encode it; in-process it is
    encoded by Werkzeug, which spells some generated values (nested objects) differently. The checks
    below judge what the server actually received.
    """
    inner = app.wsgi_app

    def recording(environ, start_response):
        RECEIVED["query"] = environ.get("QUERY_STRING", "").encode("latin-1")
        return inner(environ, start_response)

    app.wsgi_app = recording
    yield app
    app.wsgi_app = inner


def inexpressible_rule(case, response, max_query_string: int) -> str | None:
    """Why the server was right to reject this schema-valid request, when OpenAPI 3.0 cannot state the rule.

    Each rule is documented on the operation's 400/414/422 response and tested in test_hardening.py;
    anything else that rejects valid data is a failure.
    """
    status = response.status_code
    if status == 414:
        length = len(RECEIVED["query"])
        # A schema bounds each parameter, never the length of the whole query string.
        return "query string over the length limit" if length > max_query_string else None
    try:
        body = response.json()
    except ValueError:
        return None
    problems = (body.get("errors") or {}).get("query") or {}
    messages = [m for ms in problems.values() for m in (ms if isinstance(ms, list) else [ms])]
    if status == 400 and set(problems) == {"cursor"}:
        return "a cursor is an opaque token: only one the server issued for this sort is valid"
    if status == 400 and set(problems) == {"q"} and body["message"].startswith("Full-text query error"):
        return "FTS5 query syntax is a grammar, not a pattern"
    if status == 400 and set(problems) == {"sort"} and "is given twice" in body["message"]:
        return "a sort key given twice: a regular expression without back-references cannot forbid it"
    if status == 422 and messages and all(WINDOW_ORDER.match(str(m)) for m in messages):
        return "an inverted window (from after to): a constraint between two parameters"
    return None


def mutated_query_parameters(case) -> set[str]:
    """The query parameters a negative case was made invalid through (empty if anything else was)."""
    meta = case.meta
    if meta is None:
        return set()
    if any(location != "query" and component.mode.is_negative for location, component in meta.components.items()):
        return set()
    data = meta.phase.data
    mutated = [(m.parameter_location, m.parameter) for m in getattr(data, "mutations", None) or []]
    if getattr(data, "parameter", None):
        mutated.append((data.parameter_location, data.parameter))
    if not mutated or any(location != "query" or name is None for location, name in mutated):
        return set()
    return {name for _, name in mutated}


def valid_as_sent(case, response) -> bool:
    """Whether every mutated parameter is a string parameter whose value, as sent, is valid.

    Query values are text: ``?metric=true`` is the one-element array ["true"] of a repeatable string
    parameter, and ``?cursor=`` the empty string, whatever type (boolean, number, null) the generator
    had in mind. schemathesis judges type mutations of numeric parameters by the text sent, not those
    of string and array-of-string parameters; this does, with the parameter's own JSON Schema.
    """
    names = mutated_query_parameters(case)
    if not names:
        return False
    sent = parse_qs(RECEIVED["query"].decode(), keep_blank_values=True)
    for name in names:
        parameter = case.operation.query.get(name)
        if parameter is None:
            return False
        declared = {k: v for k, v in parameter.definition["schema"].items() if k not in ("nullable", "default")}
        values = sent.get(name, [])
        if declared.get("type") == "array" and declared.get("items", {}).get("type") == "string":
            instance = values
        elif declared.get("type") == "string" and "format" not in declared and len(values) <= 1:
            if not values:
                if parameter.definition.get("required"):
                    return False
                continue
            instance = values[0]
        else:
            return False
        if not Draft4Validator(declared).is_valid(instance):
            return False
    return True


def negative_data_rejection_as_sent(ctx, response, case):
    """schemathesis' negative_data_rejection, except when the request as sent is valid (see valid_as_sent)."""
    try:
        return negative_data_rejection(ctx, response, case)
    except Exception as exc:
        if valid_as_sent(case, response):
            return None
        exc.add_note(f"Received: ?{RECEIVED['query'].decode('latin-1')}")
        raise


def positive_data_acceptance_or_inexpressible_rule(max_query_string: int):
    """schemathesis' positive_data_acceptance, except for the rejections inexpressible_rule names."""

    def positive_data_acceptance_except_inexpressible(ctx, response, case):
        try:
            return positive_data_acceptance(ctx, response, case)
        except Exception:
            if inexpressible_rule(case, response, max_query_string):
                return None
            raise

    return positive_data_acceptance_except_inexpressible


@pytest.fixture(scope="module", autouse=True)
def every_operation_is_fuzzed(request):
    yield
    option = request.config.option
    if request.session.testsfailed or getattr(option, "keyword", "") or getattr(option, "lf", False):
        return  # a partial run: not every operation was meant to run
    operations = [result.ok().label for result in schema.get_all_operations()]
    missing = [label for label in operations if SEEN[label] == 0]
    assert not missing, f"operations never fuzzed: {missing}"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        modes = ", ".join(f"{mode} {n}" for mode, n in sorted(MODES.items()))
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nfuzz: {len(operations)} operations, {sum(SEEN.values())} requests ({modes}), "
                f"max_examples={EXAMPLES}, seed={SEED}"
            )


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DETERMINISTIC,
    database=None if DETERMINISTIC else settings.default.database,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_every_response_conforms_to_the_contract(case, fuzzed_app):
    SEEN[case.operation.label] += 1
    if case.meta is not None:
        MODES[case.meta.generation.mode.value] += 1
    RECEIVED.clear()
    case.call_and_validate(
        app=fuzzed_app,
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
        additional_checks=[
            positive_data_acceptance_or_inexpressible_rule(fuzzed_app.config["MAX_QUERY_STRING"]),
            negative_data_rejection_as_sent,
        ],
    )
