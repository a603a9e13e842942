#!/usr/bin/env bash
# Sets up Gridcheck and runs the demo: a simulated county on SQLite, served on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/gridcheck demo --serve "$@"
