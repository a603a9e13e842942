#!/usr/bin/env bash
# Sets up Gridcheck and runs the demo: a simulated county on SQLite, served on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Each module's bytecode is kept under __pycache__ (ignored by git) for the next process to load. A machine
# that sets PYTHONDONTWRITEBYTECODE has every process compile every module it imports again: the children
# that the tests and the demo start (CLI runs, Spark drivers, the task worker) took about 7 s more each.
unset PYTHONDONTWRITEBYTECODE
# The demo has no mail server: emails (hazard notices) are written as files under var/mail/.
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}"
exec .venv/bin/gridcheck demo --serve "$@"
