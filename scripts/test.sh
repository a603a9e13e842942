#!/usr/bin/env bash
# Sets up Gridcheck with its test tools and runs the whole suite: lint, the import contract,
# then every test on SQLite and again on PostgreSQL (DATABASE_URL_POSTGRES, default the local server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import contracts"
.venv/bin/lint-imports
echo "== tests on SQLite"
env -u DATABASE_URL .venv/bin/pytest "$@"
echo "== tests on PostgreSQL"
DATABASE_URL="${DATABASE_URL_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}" .venv/bin/pytest "$@"
