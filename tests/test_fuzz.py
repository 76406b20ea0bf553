"""Property-based fuzzing of every operation from openapi.yaml (schemathesis), against the real app.

schemathesis runs with its own defaults: every default check (no server error, documented status
codes, content types and headers, bodies valid against the documented schemas, invalid data
rejected, valid data accepted, 405 with Allow for undeclared methods, …) over all its phases:
examples, coverage and fuzzing for each operation (test_every_response_conforms_to_the_contract),
and stateful sequences that follow the document's links from each list to its item operation
(test_linked_operations_conform). Requests go to the WSGI app over the session database.

The same runs go over HTTP to `make serve` on 127.0.0.1 (nginx in front of two gunicorn instances
under supervisord, over a copy of the session database): test_every_response_through_the_stack_conforms
and test_linked_operations_through_the_stack_conform, with the same checks and allowances (and the
transport bound below).
Through nginx with gzip, the document's headers say what a client receives there too (a weak
`ETag`, `Vary: Accept, Accept-Encoding`).

Two answers depend on data no schema can hold, and are the allowances (``refused_by_data``):
a cursor the server did not issue, and an id filter naming no record. Both are stated on the
operations' 400 and 422 responses and the parameters' descriptions.

The app is fuzzed without its limit on the length of the whole query string (414), a transport
bound that OpenAPI has no way to state (each parameter is bounded, their sum is not) and that
gunicorn's request-line limit enforces first when served; test_bad_input.py tests both over HTTP.
The stack keeps every limit: past it, nginx or the app answers the documented 414, which is taken
as the rejection of a request over the transport bound (``over_transport_bound``), the one allowance
the stack adds to the app's.

    make fuzz                                  # the long run: 500 examples a phase, fresh inputs
    CLAIMBASE_FUZZ_EXAMPLES=500                # examples per operation and phase (default 10, for CI)
    CLAIMBASE_FUZZ_SEED=random                 # fresh inputs (default: a fixed seed, reproducible)
"""

import os
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from scripts.servers import HOST, free_port
from scripts.stack import default_cache_dir
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("CLAIMBASE_FUZZ_EXAMPLES", "10"))
SEED = os.environ.get("CLAIMBASE_FUZZ_SEED", "20251121")
DETERMINISTIC = SEED != "random"

CONFIG = f"seed = {SEED}\n" if DETERMINISTIC else ""
schema = schemathesis.openapi.from_path(ROOT / "openapi.yaml", config=schemathesis.Config.from_str(CONFIG))

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DETERMINISTIC,
    database=None if DETERMINISTIC else settings.default.database,
    suppress_health_check=list(HealthCheck),
)

SEEN: Counter = Counter()  # requests sent to the app, by operation
SERVED: Counter = Counter()  # requests sent through the stack, by operation
OVER: Counter = Counter()  # requests through the stack over its transport bound
MODES: Counter = Counter()  # by generation mode
PHASES: Counter = Counter()  # by phase
REFUSED: Counter = Counter()  # schema-valid requests refused by data, by reason
LINKED: Counter = Counter()  # stateful calls of an item operation answered 200, by operation


def refused_by_data(response) -> str | None:
    """Why the server rightly refused a request the document can only describe as valid, or None.

    - A cursor is an opaque token: only one the server issued, for the same list and sort, can be
      followed (400 naming `cursor`). Its validity is a matter of what the server handed out.
    - An id filter names records, and which names exist is data that changes with every build
      (422 naming the parameter, with the closest known ids). A known id that matches nothing is
      still a 200.
    """
    try:
        body = response.json()
    except ValueError:
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict) or len(errors) != 1:
        return None
    (param, messages), status = next(iter(errors.items())), response.status_code
    if status == 400 and param == "cursor":
        return "a cursor the server did not issue"
    if status == 422 and all(" is named " in m or " names several " in m for m in messages):
        return "an id filter naming no record"
    return None


def positive_data_acceptance_unless_refused_by_data(ctx, response, case):
    """schemathesis' positive_data_acceptance, except for the refusals ``refused_by_data`` names."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Exception:
        reason = refused_by_data(response)
        if reason is None:
            raise
        REFUSED[reason] += 1
        return None


CHECKS = {
    "excluded_checks": [positive_data_acceptance],
    "additional_checks": [positive_data_acceptance_unless_refused_by_data],
}


def over_transport_bound(response) -> bool:
    """A 414 from the stack: the request line is over nginx's 8 KB, or the query string over the app's
    CLAIMBASE_MAX_QUERY_STRING. Each parameter's bounds are in the document, their sum cannot be; every
    operation documents the 414. The app alone is fuzzed without the bound (``fuzzed_app``)."""
    if response.status_code != 414:
        return False
    OVER["414"] += 1
    return True


def negative_data_rejection_or_over_bound(ctx, response, case):
    """schemathesis' negative_data_rejection, with a 414 for a request over the transport bound taken as
    the rejection it is."""
    return None if over_transport_bound(response) else negative_data_rejection(ctx, response, case)


def positive_data_acceptance_unless_refused(ctx, response, case):
    """positive_data_acceptance_unless_refused_by_data, and not for a request over the transport bound."""
    if over_transport_bound(response):
        return None
    return positive_data_acceptance_unless_refused_by_data(ctx, response, case)


STACK_CHECKS = {
    "excluded_checks": [positive_data_acceptance, negative_data_rejection],
    "additional_checks": [positive_data_acceptance_unless_refused, negative_data_rejection_or_over_bound],
}


@pytest.fixture(scope="module")
def fuzzed_app(db_path):
    """The app over the session database, without the transport bound on the query string's length."""
    return make_app(db_path, TESTING=True, MAX_QUERY_STRING=0)


@pytest.fixture(scope="module", autouse=True)
def report(request):
    yield
    option = request.config.option
    if request.session.testsfailed or getattr(option, "keyword", "") or getattr(option, "lf", False):
        return  # a partial run: not every operation was meant to run
    operations = [result.ok().label for result in schema.get_all_operations()]
    missing = [label for label in operations if SEEN[label] == 0]
    assert not missing, f"operations never fuzzed: {missing}"
    missing = [label for label in operations if SERVED[label] == 0]
    assert not missing, f"operations never fuzzed through the stack: {missing}"
    assert PHASES["stateful"] > 0 and SERVED["stateful"] > 0, "the stateful phase sent nothing"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:

        def counts(counter):
            return ", ".join(f"{key} {n}" for key, n in sorted(counter.items()))

        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nfuzz: {len(operations)} operations, {sum(SEEN.values())} requests to the app and "
                f"{sum(n for k, n in SERVED.items() if k != 'stateful')} through `make serve` "
                f"({OVER['414']} over its transport bound, 414), 0 failures "
                f"(phases: {counts(PHASES)}; modes: {counts(MODES)}; refused by data: {counts(REFUSED) or 'none'}; "
                f"items reached through links: {counts(LINKED)}), "
                f"max_examples={EXAMPLES}, seed={SEED}"
            )


def _count(case, phase: str | None = None):
    SEEN[case.operation.label] += 1
    if case.meta is not None:
        MODES[case.meta.generation.mode.value] += 1
        PHASES[phase or case.meta.phase.name.value] += 1
    else:
        PHASES[phase or "unknown"] += 1


@schema.parametrize()
@SETTINGS
def test_every_response_conforms_to_the_contract(case, fuzzed_app):
    _count(case)
    case.call_and_validate(app=fuzzed_app, **CHECKS)


class LinkedOperations(schema.as_state_machine()):
    """Sequences of calls following the document's links (a list page, then its first item)."""

    app, checks = None, CHECKS

    def call(self, case, **kwargs):
        _count(case, "stateful")
        response = case.call(app=self.app, **kwargs)
        if "{" in case.operation.path and response.status_code == 200:
            LINKED[case.operation.label] += 1
        return response

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(
            response,
            excluded_checks=self.checks["excluded_checks"],
            additional_checks=[*(additional_checks or []), *self.checks["additional_checks"]],
            transport_kwargs=kwargs or None,
            recorder=getattr(self, "recorder", None),
        )


def test_linked_operations_conform(fuzzed_app):
    LinkedOperations.app = fuzzed_app
    LinkedOperations.run(settings=settings(SETTINGS, stateful_step_count=6))
    # The links were followed: an item operation got an id it knows from a list page.
    assert LINKED, "no stateful step reached an item that exists"


# ---- the same, through `make serve` ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(db_path, tmp_path_factory):
    """`make serve` on a free loopback port over a copy of the session database; yields its base URL and stops
    it (and every process it started) afterwards."""
    workdir = tmp_path_factory.mktemp("serve")
    db = workdir / "claims.db"
    db.write_bytes(db_path.read_bytes())
    port = free_port()
    command = ["make", "--no-print-directory", "-o", ".venv/.runtime", "serve", f"PORT={port}", f"DB={db}"]
    with open(workdir / "make.log", "wb") as log:
        make = subprocess.Popen(
            [*command, f"RUN_DIR={workdir / 'run'}"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base, started = f"http://{HOST}:{port}", []
    try:
        deadline = time.monotonic() + 60
        while not _answers(base + "/health"):
            assert make.poll() is None, (workdir / "make.log").read_text()
            assert time.monotonic() < deadline, "make serve did not answer within 60 s"
            time.sleep(0.2)
        started = psutil.Process(make.pid).children(recursive=True)
        yield base
    finally:
        make.send_signal(signal.SIGTERM)
        try:
            make.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
        shutil.rmtree(default_cache_dir(workdir / "run"), ignore_errors=True)  # in memory, outside the run directory
        left = psutil.wait_procs(started, timeout=5)[1]
        for process in left:
            process.kill()
        assert left == [], f"make serve left {left} running"


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2, proxies={"http": None, "https": None}).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def loopback():
    """A requests session that goes to 127.0.0.1 directly, whatever proxy the environment names."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


@schema.parametrize()
@SETTINGS
def test_every_response_through_the_stack_conforms(case, served, loopback):
    SERVED[case.operation.label] += 1
    case.call_and_validate(base_url=served, session=loopback, timeout=30, **STACK_CHECKS)


class LinkedThroughTheStack(LinkedOperations):
    """The linked sequences, over HTTP through nginx to the replicas."""

    base_url, session, checks = None, None, STACK_CHECKS

    def call(self, case, **kwargs):
        SERVED["stateful"] += 1
        response = case.call(base_url=self.base_url, session=self.session, timeout=30, **kwargs)
        if "{" in case.operation.path and response.status_code == 200:
            LINKED[f"{case.operation.label} (stack)"] += 1
        return response


def test_linked_operations_through_the_stack_conform(served, loopback):
    LinkedThroughTheStack.base_url, LinkedThroughTheStack.session = served, loopback
    LinkedThroughTheStack.run(settings=settings(SETTINGS, stateful_step_count=6))
    assert any(label.endswith("(stack)") for label in LINKED), "no stateful step reached an item that exists"
