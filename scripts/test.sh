#!/usr/bin/env bash
# Sets up Gridcheck with its test tools and runs the whole suite: lint, the import contract,
# then every test on SQLite and on PostgreSQL (DATABASE_URL_POSTGRES, default the local server).
# The two databases' runs go side by side on a machine with two or more CPUs (each with its own
# var directory and PostgreSQL test database); GRIDCHECK_TEST_SERIAL=1 runs them one after the other.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
# Each module's bytecode is kept under __pycache__ (ignored by git) for the next process to load. A machine
# that sets PYTHONDONTWRITEBYTECODE has every process compile every module it imports again: the children
# that the tests and the demo start (CLI runs, Spark drivers, the task worker) took about 7 s more each.
unset PYTHONDONTWRITEBYTECODE

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import contracts"
.venv/bin/lint-imports

postgres_url="${DATABASE_URL_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
sqlite_tests() { GRIDCHECK_VAR_DIR="$PWD/var/test-sqlite" env -u DATABASE_URL .venv/bin/pytest "$@"; }
postgres_tests() {
  GRIDCHECK_VAR_DIR="$PWD/var/test-postgres" DATABASE_URL="$postgres_url" GRIDCHECK_TESTS_NEEDING_A_DATABASE_ONLY=1 \
    .venv/bin/pytest "$@"
}
# A test that cannot reach the database gives the same result on either: the PostgreSQL run leaves those
# out (conftest.py). The analytics core's tests (tests/analytics, no database) run once, shared out so that
# the two runs, side by side, end together: the Spark cluster's module and the Spark features' test from
# the store with PostgreSQL, the rest with SQLite. Given arguments (a file, a marker) go to both runs
# unchanged.
store_features=tests/analytics/test_features_spark.py::test_month_features_from_the_store_equal_on_duckdb_and_pyspark
sqlite_args=("$@")
postgres_args=("$@")
if [ "$#" -eq 0 ]; then
  sqlite_args=(--ignore=tests/analytics/test_spark_cluster.py --deselect="$store_features")
  postgres_args=(--deselect=tests/analytics/test_features_spark.py::test_customer_month_features_equal_on_duckdb_and_pyspark)
  for module in tests/analytics/test_*.py; do
    case "$module" in
      tests/analytics/test_spark_cluster.py | tests/analytics/test_features_spark.py) ;;
      *) postgres_args+=(--ignore="$module") ;;
    esac
  done
fi

if [ "${GRIDCHECK_TEST_SERIAL:-0}" = "1" ] || [ "$(nproc)" -lt 2 ]; then
  echo "== tests on SQLite"
  sqlite_tests "${sqlite_args[@]}"
  echo "== tests on PostgreSQL"
  postgres_tests "${postgres_args[@]}"
  exit 0
fi

echo "== tests on SQLite and on PostgreSQL, side by side (SQLite's output follows PostgreSQL's)"
# one OpenMP thread per run (LightGBM's training): two runs side by side on two CPUs, an OpenMP team per
# run spins for the other's CPU (a 0.5 s test was seen taking 30 s)
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
sqlite_log="$(mktemp)"
trap 'rm -f "$sqlite_log"' EXIT
sqlite_tests "${sqlite_args[@]}" >"$sqlite_log" 2>&1 &
sqlite_pid=$!
postgres_rc=0
postgres_tests "${postgres_args[@]}" || postgres_rc=$?
sqlite_rc=0
wait "$sqlite_pid" || sqlite_rc=$?
echo "== tests on SQLite (exit ${sqlite_rc})"
cat "$sqlite_log"
echo "== tests on PostgreSQL: exit ${postgres_rc}; on SQLite: exit ${sqlite_rc}"
[ "$postgres_rc" -eq 0 ] && [ "$sqlite_rc" -eq 0 ]
