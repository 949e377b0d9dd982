# The two commands of the README: `make run` (the main job: builds the demo database, ingests the sample
# plans; `hqd demo` then serves it) and `make test` (the whole suite).
.PHONY: setup run test bench lint

setup:
	@bash scripts/setup.sh

run: setup
	.venv/bin/hqd demo --no-serve
	.venv/bin/hqd ingest examples/plans --out out/ledgers --format json
	.venv/bin/hqd ingest examples/plans --out out/ledgers --format xlsx
	.venv/bin/hqd ingest examples/plans --format table

test: setup
	@bash scripts/test.sh

bench: setup
	.venv/bin/python bench/run.py

lint: setup
	.venv/bin/ruff check .
