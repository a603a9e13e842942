#!/usr/bin/env bash
# Sets up Gridcheck and runs the demo: a simulated county on SQLite, served on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The demo has no mail server: emails (hazard notices) are written as files under var/mail/.
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}"
exec .venv/bin/gridcheck demo --serve "$@"
