# The verbs people type. `make run` serves the API; `make test` runs every test.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= data/claims.db
HOST   ?= 127.0.0.1
PORT   ?= 8000
# `make serve` (the production stack: nginx in front of gunicorn instances, see README: Deploying).
SERVE_PORT ?= $(if $(filter file,$(origin PORT)),8080,$(PORT))
INSTANCES  ?= 2
RUN_DIR    ?= run/serve

.PHONY: run serve rollout nginx js test test-fast texts db check coverage lint format openapi browser wrk bench bench-data bench-releases profile fuzz load faults clean draft review draft-eval stage-eval release

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The drafting assistant's language pipeline (spaCy and its English model, docs/curation.md):
# pinned with hashes in a file of its own, installed by the curation verbs and the tests, never
# by `make run` or `make serve`.
$(VENV)/.curation: $(VENV)/.runtime requirements-curation.txt
	$(PY) -m pip install --quiet --require-hashes --only-binary :all: -r requirements-curation.txt
	touch $@

# The archived texts the fixtures quote. Without them (a clone of the repository
# alone) the database still builds, from the quotes, spans and sha256 the
# fixtures record, and says it did not verify them; `make test` needs them.
TEXTS  ?= $(or $(CLAIMBASE_TEXTS),../shared/seeds)

# Rebuilt when the fixtures, the archived texts or the code that shapes a row
# change: the same inputs the build id covers (api/builder/database.py).
$(DB): $(VENV)/.runtime $(shell find fixtures -path fixtures/drafts -prune -o \( -name '*.yaml' -o -name '*.jsonl' \) -print) \
		$(wildcard $(TEXTS)/*.txt) \
		$(shell find api/builder api/shape.py schemas -name '*.py' -o -name '*.sql') \
		$(shell find releases -type f 2>/dev/null)
	$(PY) -m api.builder --db $(DB) --texts $(TEXTS)

db: $(DB)  ## validate the fixtures and build the database

check: $(VENV)/.runtime  ## validate the fixtures without writing anything
	$(PY) -m api.builder --check --texts $(TEXTS)

coverage: $(VENV)/.runtime  ## which numbers and dates of the texts the fixtures cover
	$(PY) -m api.builder.coverage --texts $(TEXTS)

run: $(DB)  ## build the database and serve the API with gunicorn on 127.0.0.1:8000
	CLAIMBASE_DB=$(DB) $(VENV)/bin/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) 'api.web:create_app()'

serve: $(DB) nginx  ## the production stack on 127.0.0.1:8080 (PORT=…): supervisord runs nginx in front of $(INSTANCES) gunicorn instances; Ctrl-C stops it all
	exec $(PY) -m scripts.stack serve --db $(DB) --port $(SERVE_PORT) --instances $(INSTANCES) --run-dir $(RUN_DIR)

rollout: $(DB)  ## roll the database built from fixtures/ (or DB=…) out to every replica of the running `make serve`
	$(PY) -m scripts.stack rollout --db $(DB) --run-dir $(RUN_DIR)

nginx:  ## install Debian's nginx, envsubst (gettext-base) and systemd-analyze for `make serve` and the stack's tests
	@(command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx) && command -v envsubst >/dev/null 2>&1 \
		&& command -v systemd-analyze >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq nginx gettext-base systemd >/dev/null)

browser:  ## install Debian's Chromium for the docs-page browser test
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

wrk:  ## install Debian's wrk for the load test and `make load`
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)

# The linters and TypeScript tools the contract tests run (tests/test_ecosystems.py): pinned with a
# lockfile, installed from the npm registry once (never a CDN at run time); Node 20 (Debian's nodejs).
JS_DIR := tests/js
$(JS_DIR)/node_modules/.package-lock.json: $(JS_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null)
	cd $(JS_DIR) && SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

js: $(JS_DIR)/node_modules/.package-lock.json  ## install the pinned npm tools of the contract tests

test: lint $(VENV)/.curation browser wrk nginx js texts  ## install everything, lint, and run the whole test suite (needs the archived texts)
	CLAIMBASE_TEXTS=$(TEXTS) $(PY) -m pytest

# Every test but those that start servers (gunicorn, the nginx stack, the generated
# client's server) or a browser, the contract fuzzing (half of the rest's CPU; `make fuzz`), the
# npm linters and TypeScript client (tests/test_ecosystems.py, which need `make js`), and the
# further cases marked slow of a check whose representative case runs (docs/development.md).
# Under 90 s on two cores.
test-fast: lint $(VENV)/.curation texts  ## for development: the tests that need no server, browser, generated client, npm tool or fuzzing
	CLAIMBASE_TEXTS=$(TEXTS) $(PY) -m pytest -q -m "not server and not browser and not slow" --ignore=tests/test_fuzz.py --ignore=tests/test_ecosystems.py

texts:
	@test -d $(TEXTS) || { echo "error: the tests need the archived texts the fixtures quote: $(TEXTS) not found (TEXTS=DIR or CLAIMBASE_TEXTS=DIR)" >&2; exit 2; }

lint: $(VENV)/.dev  ## ruff check and ruff format --check (part of `make test`)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# A release records the records the API serves now (see docs/releases.md), then rebuilds to serve it.
release: $(DB)  ## record a release of the current data: make release VERSION=2026.12.2 NOTES="…" [RENAMES="entity:old=new …"]
	@test -n "$(VERSION)" -a -n "$(NOTES)" || (echo 'usage: make release VERSION=YEAR.MONTH.N NOTES="what changed" [RENAMES="kind:old=new …"]' >&2; exit 2)
	$(PY) -m scripts.release --db $(DB) --version "$(VERSION)" --notes "$(NOTES)" $(foreach r,$(RENAMES),--rename $(r))
	$(PY) -m api.builder --db $(DB) --texts $(TEXTS)

openapi: $(VENV)/.runtime  ## regenerate openapi.yaml from the code
	$(PY) -m api.web.openapi

# ---- curation (see README: Curation) ----
draft: $(VENV)/.curation  ## draft fixtures for a new text: make draft TEXT=path/to/article.txt [ID=source-id] [OUT=dir] [REF=YYYY-MM-DD]
	@test -n "$(TEXT)" || (echo "usage: make draft TEXT=path/to/article.txt [ID=source-id] [OUT=fixtures/drafts/<id>] [REF=YYYY-MM-DD]" >&2; exit 2)
	$(PY) -m api.curate.draft $(TEXT) $(if $(ID),--id $(ID)) $(if $(OUT),--out $(OUT)) $(if $(REF),--reference-date $(REF))

review: $(VENV)/.runtime  ## one self-contained HTML review page of a source: make review SOURCE=<id> [OUT=file.html]
	@test -n "$(SOURCE)" || (echo "usage: make review SOURCE=<source-id> [OUT=build/review/<id>.html]" >&2; exit 2)
	$(PY) -m api.curate.review $(SOURCE) $(if $(OUT),--out $(OUT))

draft-eval: $(VENV)/.curation  ## leave-one-out score of the drafting over the curated sources
	$(PY) -m api.curate.evaluate

stage-eval: $(VENV)/.curation  ## each drafting stage's rules against spaCy's pipeline, on the curated texts
	$(PY) -m api.curate.stage_eval --texts $(TEXTS)

# ---- performance (see README: Performance) ----
BENCH_DIR     ?= bench/data
BENCH_FIGURES ?= 1000000

bench-data: $(VENV)/.runtime  ## generate the synthetic 1M-figure fixtures and build their database
	$(PY) -m bench.prepare --dir $(BENCH_DIR) --figures $(BENCH_FIGURES)

bench: $(VENV)/.dev bench-data wrk nginx  ## Claimbase vs Datasette vs the floor, each behind the same nginx, with wrk; then bench-releases
	$(PY) -m bench.run --dir $(BENCH_DIR)
	$(PY) -m bench.releases --dir $(RELEASE_BENCH_DIR) --figures $(RELEASE_BENCH_FIGURES) --changed $(RELEASE_BENCH_CHANGED)

RELEASE_BENCH_DIR     ?= bench/data-releases
RELEASE_BENCH_FIGURES ?= 200000
RELEASE_BENCH_CHANGED ?= 10000

bench-releases: $(VENV)/.runtime  ## the changes step between two synthetic releases, and /changes pages against /figures
	$(PY) -m bench.releases --dir $(RELEASE_BENCH_DIR) --figures $(RELEASE_BENCH_FIGURES) --changed $(RELEASE_BENCH_CHANGED)

PROFILE_DIR     ?= bench/data-profile
PROFILE_FIGURES ?= 200000

profile: $(VENV)/.runtime  ## the distinct-URL mix in-process under cProfile: ms a request and where it goes
	$(PY) -m bench.profile --dir $(PROFILE_DIR) --figures $(PROFILE_FIGURES)

# ---- hardening (see README: Hardening) ----
fuzz: $(VENV)/.dev  ## property-based fuzzing of every operation from openapi.yaml (long run, fresh inputs)
	CLAIMBASE_FUZZ_EXAMPLES=$${CLAIMBASE_FUZZ_EXAMPLES:-500} CLAIMBASE_FUZZ_SEED=$${CLAIMBASE_FUZZ_SEED:-random} \
		$(PY) -m pytest tests/test_fuzz.py -q

load: $(VENV)/.dev $(DB) wrk nginx  ## 60 s at 64 connections against the production stack on 127.0.0.1
	$(PY) -m scripts.load --duration 60 --connections 64

faults: $(VENV)/.dev $(DB) nginx  ## through the stack: disconnects, slow clients, a rollout and a replica killed under load
	$(PY) -m scripts.faults

clean:
	rm -rf $(VENV) data/*.db .pytest_cache run
