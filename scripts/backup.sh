#!/usr/bin/env bash
# Backs up Gridcheck: the database (pg_dump custom format, or a copy of the SQLite file) and the var
# folder's meter-data store, uploads and detection models, into one dated folder.
#   bash scripts/backup.sh [BACKUP_DIR]        (default: backups/YYYYmmdd-HHMMSS)
# Reads DATABASE_URL and GRIDCHECK_VAR_DIR like Gridcheck does (from the environment or .env).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] && set -a && . ./.env && set +a
VAR_DIR="${GRIDCHECK_VAR_DIR:-$PWD/var}"
DATA_DIR="${GRIDCHECK_DATA_DIR:-$VAR_DIR/data}"
OUT="${1:-backups/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
URL="${DATABASE_URL:-sqlite:///$VAR_DIR/gridcheck.sqlite3}"
case "$URL" in
  postgres://*|postgresql://*)
    pg_dump --format=custom --no-owner --file "$OUT/database.dump" "$URL" ;;
  sqlite://*)
    # SQLite's online backup: a consistent copy while the server runs.
    python3 -c 'import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]); s.backup(d); d.close()' \
      "${URL#sqlite:///}" "$OUT/database.sqlite3" ;;
  *) echo "backup.sh: unsupported DATABASE_URL $URL" >&2; exit 2 ;;
esac
# The meter-data store (Parquet), uploads (media) and models: files are written by rename, so a copy
# taken while nothing imports is consistent; run backups outside the import window.
tar --create --gzip --file "$OUT/files.tar.gz" -C "$VAR_DIR" \
  $(cd "$VAR_DIR" && ls -d media 2>/dev/null) \
  -C "$(dirname "$DATA_DIR")" "$(basename "$DATA_DIR")"
( cd "$OUT" && sha256sum ./* > SHA256SUMS )
echo "backup written to $OUT"
