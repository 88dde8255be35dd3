# The two set-up commands of the README: `make run` (the whole system on this machine) and `make test` (everything).
# Both work on a fresh machine with Python 3.11+, Node.js and the package registries: they install uv, then the
# locked dependencies, themselves.

UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PORT ?= 8000
DATA_DIR ?= .bops
PYTEST_WORKERS ?= auto

.PHONY: run test lint bench install uv clean

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet "uv==$(UV_VERSION)" || \
		python3 -m pip install --quiet --break-system-packages "uv==$(UV_VERSION)"

install: uv
	$(UV) sync --frozen --all-groups

run: uv
	$(UV) sync --frozen --no-dev --no-group cdk
	$(UV) run --no-sync bops serve --port $(PORT) --data-dir $(DATA_DIR)

test: install
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync pytest -n $(PYTEST_WORKERS)

bench: install
	$(UV) run --no-sync python bench/eventstore.py
	$(UV) run --no-sync python bench/validation.py
	$(UV) run --no-sync python bench/intake.py

clean:
	rm -rf .bops build cdk.out
