#!/usr/bin/env bash
# A PostgreSQL server with the production settings of docs/deployment.md, for the benchmarks only.
#   bash scripts/bench_postgres.sh start   # initialises var/bench-pg once, starts it on 127.0.0.1:5433
#   bash scripts/bench_postgres.sh stop
# Then: DATABASE_URL=postgres://postgres@127.0.0.1:5433/gridcheck_bench .venv/bin/python benchmarks/...
# The machine's own server (5432, the tests' and CI's) keeps its settings; this one is separate, so a
# benchmark measures Gridcheck on a server set up as a station's would be, not on the package defaults
# (shared_buffers 128 MB, max_wal_size 1 GB). Durability is not relaxed: fsync and synchronous_commit on.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
DATA=${BENCH_PG_DATA:-$PWD/var/bench-pg}
PORT=${BENCH_PG_PORT:-5433}
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then RUN_AS=(runuser -u postgres --); fi

case "${1:-start}" in
  start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      [ "$(id -u)" -eq 0 ] && chown postgres "$DATA"
      "${RUN_AS[@]}" "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
      cat >>"$DATA/postgresql.conf" <<CONF
# docs/deployment.md, "PostgreSQL settings" (a 16-32 GB database server)
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
shared_buffers = 4GB
effective_cache_size = 12GB
work_mem = 64MB
maintenance_work_mem = 1GB
max_wal_size = 16GB
checkpoint_timeout = 30min
wal_compression = on
random_page_cost = 1.1
CONF
    fi
    "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w start >/dev/null
    echo "benchmark PostgreSQL on 127.0.0.1:$PORT (data $DATA)"
    ;;
  stop)
    "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null && echo stopped
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
