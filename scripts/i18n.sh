#!/usr/bin/env bash
# Refreshes the Chinese catalogue: collects every msgid from the code and templates, keeps the
# translations already in locale/zh_Hans/LC_MESSAGES/django.po, and compiles django.mo.
# Then look for untranslated entries: msgattrib --untranslated locale/zh_Hans/LC_MESSAGES/django.po
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py makemessages -l zh_Hans --no-obsolete --ignore ".venv/*" --ignore "var/*" >/dev/null
msgfmt -c -o locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.po
msgattrib --untranslated locale/zh_Hans/LC_MESSAGES/django.po | grep -c '^msgid' || true
