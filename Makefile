# The two set-up commands of the README: `make run` (the whole system on this machine) and `make test` (everything).
# Both work on a fresh machine with Python 3.11+, Node.js and the package registries: they install uv, then the
# locked dependencies, themselves. Both use one environment (every dependency group, `install`), the one that
# `uv run bops ...` syncs to: no target uninstalls what another one, or uv, installs again.

UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PORT ?= 8000
DATA_DIR ?= .bops
PYTEST_WORKERS ?= auto
PAGES_STYLESHEET := build/pages/council.min.css
# The ODP reference data (shared/reference_data.py): odp/ in $$BOPS_REFERENCE_DIR, or in ../shared beside the project.
ODP_SCHEMA_DIR ?= $(shell python3 shared/reference_data.py schemas)

.PHONY: run test lint fmt typecheck bench install uv clean reference-data chromium

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet "uv==$(UV_VERSION)" || \
		python3 -m pip install --quiet --break-system-packages "uv==$(UV_VERSION)"

install: uv $(PAGES_STYLESHEET)
	$(UV) sync --frozen --all-groups

# The GOV.UK Frontend assets (JavaScript, fonts, images) the pages serve (shared/pages/assets.py): the npm packages
# pinned in package-lock.json, installed into node_modules/ (never committed), again only when the lock changes.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

# The pages' stylesheet: GOV.UK Frontend's Sass built without GOV.UK's brand font (shared/pages/styles/council.scss).
$(PAGES_STYLESHEET): shared/pages/styles/council.scss node_modules/.package-lock.json
	mkdir -p $(dir $@)
	node_modules/.bin/sass --load-path=node_modules/govuk-frontend/dist --style=compressed --no-source-map \
		--quiet-deps $< $@

# The browser tests (tests/browser: Playwright drives Debian's Chromium, axe-core from npm checks every page) need
# /usr/bin/chromium: installed with apt when missing (as root, else with sudo). Playwright's own browsers are never
# downloaded.
CHROMIUM := /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Fails, saying where it looked, when the ODP schemas or examples are not there.
reference-data:
	@python3 shared/reference_data.py >/dev/null

run: install reference-data
	$(UV) run --no-sync bops serve --port $(PORT) --data-dir $(DATA_DIR)

lint: install
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync lint-imports --no-logo

fmt: install
	$(UV) run --no-sync ruff check --fix .
	$(UV) run --no-sync ruff format .

# mypy over events/ shared/ services/ bops/ cdk/ ([tool.mypy] in pyproject.toml): zero errors.
typecheck: install
	$(UV) run --no-sync mypy

test: lint typecheck reference-data chromium
	$(UV) run --no-sync pytest -n $(PYTEST_WORKERS) --dist loadgroup

# Every benchmark in bench/, one after another (each prints its own figures).
bench: install reference-data
	@set -e; for benchmark in $(filter-out bench/__init__.py bench/cold_start_child.py,$(wildcard bench/*.py)); do \
		echo "== $$benchmark"; $(UV) run --no-sync python $$benchmark; done

clean:
	rm -rf .bops build cdk.out

# --- AWS (owned by the CDK work): the Lambda code asset, built without Docker, and synthesis ---------------------
LAMBDA_DIR ?= build/lambda
LAMBDA_PYTHON ?= 3.13
LAMBDA_PLATFORM ?= aarch64-manylinux_2_28
LAMBDA_RUNTIME_PROVIDES ?= boto3 botocore s3transfer snapshot-restore-py
# Only the embedded runtime (`bops serve`, the `bops` command) uses these: never imported on Lambda.
LAMBDA_NOT_NEEDED ?= uvicorn h11 click
LAMBDA_PURE_SDISTS ?= docopt
# What the pages serve of the govuk-frontend package (shared/pages/assets.py finds them in the bundle's govuk-frontend/).
GOVUK_FRONTEND_FILES := govuk-frontend.min.js assets
# Print the blocks (requirement, hashes, comments) of a requirements file whose package is (in=1) or is not (in=0)
# one of $(LAMBDA_PURE_SDISTS).
LAMBDA_PICK = awk -v want=$(1) -v names="$(LAMBDA_PURE_SDISTS)" 'BEGIN { n = split(names, list, " ") } \
	/^[^ \#]/ { hit = 0; for (i = 1; i <= n; i++) if (index($$0, list[i] "==") == 1) hit = 1 } \
	/^[^\#]/ && hit == want' build/lambda-requirements.txt

.PHONY: lambda-bundle synth

# The locked runtime dependencies as arm64 wheels for Lambda's Python $(LAMBDA_PYTHON) (keep in step with RUNTIME in
# cdk/functions.py; Amazon Linux 2023 has glibc 2.34, hence manylinux_2_28), never built from source here, and without what
# the Lambda runtime already provides; then the code that runs on Lambda (not bops/, not tests), the ODP schemas with
# their compacted copies (shared/odp/compaction.py), and aws-models/: the lean botocore data for the calls the adapters
# make (shared/aws/models.py; it makes each cold start's botocore clients ~3x quicker to create, and clients fall back
# to the runtime's botocore data), and compiled-templates/: the page templates compiled to Python (shared/pages/compiled.py),
# and bank-holidays.json: what the `holidays` package says for 2000-2060 (shared/calendar/bank_holiday_table.py).
# Then everything is compiled to bytecode by a Python $(LAMBDA_PYTHON) found on this machine (cdk/bytecode.py): /var/task is
# read-only, so without .pyc files every cold start compiles every module from source.
# Last, the content hash of what the bundle was built from (cdk/bundle.py): synthesis rebuilds a bundle whose hash is
# missing or not today's, so `cdk synth` / `cdk deploy` never needs this target run by hand.
# $(LAMBDA_PURE_SDISTS) publish no wheel: they are pure Python, so building them here is right for any platform.
# `uv pip install` is pip's --platform/--target install (the project's virtual environment has no pip).
lambda-bundle: uv $(PAGES_STYLESHEET)
	rm -rf $(LAMBDA_DIR) build/lambda-*.txt
	mkdir -p $(LAMBDA_DIR)
	$(UV) export --quiet --frozen --no-dev --no-group cdk --no-emit-project --format requirements-txt \
		$(addprefix --no-emit-package ,$(LAMBDA_RUNTIME_PROVIDES) $(LAMBDA_NOT_NEEDED)) -o build/lambda-requirements.txt
	$(call LAMBDA_PICK,0) > build/lambda-wheels.txt
	$(call LAMBDA_PICK,1) > build/lambda-sdists.txt
	$(UV) pip install --no-deps --only-binary :all: --python-platform $(LAMBDA_PLATFORM) \
		--python-version $(LAMBDA_PYTHON) --target $(LAMBDA_DIR) -r build/lambda-wheels.txt
	$(UV) pip install --no-deps --python-platform $(LAMBDA_PLATFORM) --python-version $(LAMBDA_PYTHON) \
		--target $(LAMBDA_DIR) -r build/lambda-sdists.txt
	cp -R events shared services $(LAMBDA_DIR)/
	mkdir -p $(LAMBDA_DIR)/govuk-frontend
	cp -R $(addprefix node_modules/govuk-frontend/dist/govuk/,$(GOVUK_FRONTEND_FILES)) $(PAGES_STYLESHEET) \
		$(LAMBDA_DIR)/govuk-frontend/
	$(UV) run --no-sync python -m shared.aws.models $(LAMBDA_DIR)/aws-models
	$(UV) run --no-sync python -m shared.pages.compiled $(LAMBDA_DIR)/compiled-templates
	$(UV) run --no-sync python -m shared.calendar.bank_holiday_table $(LAMBDA_DIR)/bank-holidays.json
	find $(LAMBDA_DIR) -name __pycache__ -prune -exec rm -rf {} +
	$(UV) run --no-sync python cdk/bytecode.py $(LAMBDA_PYTHON) $(LAMBDA_DIR)
	cp -R $(ODP_SCHEMA_DIR) $(LAMBDA_DIR)/odp-schemas
	$(UV) run --no-sync python -m shared.odp.compaction $(LAMBDA_DIR)/odp-schemas
	$(UV) run --no-sync python -m cdk.bundle write $(LAMBDA_DIR)

# Every council in cdk/councils.json into cdk.out/ with the cdk-nag checks; `make synth COUNCIL=DEMO` for one. The app
# builds the bundle first when it is missing or stale.
synth: uv
	$(UV) run python cdk/app.py -c odpSchemaDir=$(ODP_SCHEMA_DIR) $(if $(COUNCIL),-c council=$(COUNCIL))
