# make demo: set up and run the main job on the bundled fixtures.
# make test: set up and run the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[test]'
	touch $(STAMP)

# The fixture pages and the agency's wire copy (the front page and feeds are not articles).
DEMO_SOURCES := $(filter-out fixtures/notarise/index.html,$(wildcard fixtures/notarise/*.html)) \
	fixtures/notarise/agency-wire.txt

demo: $(STAMP)
	rm -rf demo && mkdir -p demo
	$(BIN)/coverage-cmp collect $(DEMO_SOURCES) --db demo/coverage.db \
		--outlets fixtures/notarise/outlets.toml
	$(BIN)/coverage-cmp cluster --db demo/coverage.db
	$(BIN)/coverage-cmp compare --db demo/coverage.db
	$(BIN)/coverage-cmp compare --db demo/coverage.db --format html -o demo/report.html
	@echo "HTML report: demo/report.html"

test: $(STAMP)
	$(BIN)/ruff check coverage_cmp tests bench docs
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check coverage_cmp tests bench docs

clean:
	rm -rf $(VENV) demo .pytest_cache
