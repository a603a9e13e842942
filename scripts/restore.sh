#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into the database and var folder Gridcheck is configured
# for (DATABASE_URL, GRIDCHECK_VAR_DIR): the database is replaced, the files are put back.
#   bash scripts/restore.sh BACKUP_DIR
# Stop the web server, the worker and the scheduler first.
set -euo pipefail
cd "$(dirname "$0")/.."
IN="${1:?usage: restore.sh BACKUP_DIR}"
[ -f .env ] && set -a && . ./.env && set +a
( cd "$IN" && sha256sum --check --quiet SHA256SUMS )
VAR_DIR="${GRIDCHECK_VAR_DIR:-$PWD/var}"
DATA_DIR="${GRIDCHECK_DATA_DIR:-$VAR_DIR/data}"
URL="${DATABASE_URL:-sqlite:///$VAR_DIR/gridcheck.sqlite3}"
case "$URL" in
  postgres://*|postgresql://*)
    pg_restore --clean --if-exists --no-owner --single-transaction --dbname "$URL" "$IN/database.dump" ;;
  sqlite://*)
    cp "$IN/database.sqlite3" "${URL#sqlite:///}" ;;
esac
mkdir -p "$VAR_DIR" "$(dirname "$DATA_DIR")"
rm -rf "$DATA_DIR" "$VAR_DIR/media"
tar --extract --gzip --file "$IN/files.tar.gz" -C "$VAR_DIR" --wildcards 'media' 2>/dev/null || true
tar --extract --gzip --file "$IN/files.tar.gz" -C "$(dirname "$DATA_DIR")" "$(basename "$DATA_DIR")"
echo "restored from $IN"
