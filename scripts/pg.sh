#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, on loopback only, in a temporary folder.
#   eval "$(bash scripts/pg.sh start)"   # starts it, exports HOPTAC_TEST_PG_URL
#   bash scripts/pg.sh restart           # stops it (cutting open sessions) and starts it again
#   bash scripts/pg.sh stop              # stops it and deletes its data
#   PG_TUNED=1 bash scripts/pg.sh start  # with the settings docs/DEPLOY.md recommends for a
#                                        # national database (for the benchmarks)
#   HOPTAC_INSTANCE=bench bash scripts/pg.sh start|stop  # a second server beside the
#                                        # first (each name has its own; start replaces only
#                                        # the server of its own name)
# Uses Debian's PostgreSQL (scripts/setup.sh installs it). As root, the server runs as the
# `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=.tools/pg-dir${HOPTAC_INSTANCE:+-$HOPTAC_INSTANCE}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
die() { echo "pg.sh: $*" >&2; exit 1; }

case "${1:-}" in
  start)
    [ -n "$BIN" ] && [ -x "$BIN/initdb" ] || die "PostgreSQL is not installed: run bash scripts/setup.sh"
    [ ! -f "$STATE" ] || "$0" stop >/dev/null 2>&1 || true
    DIR=$(mktemp -d /tmp/hoptac-pg.XXXXXX)
    [ "$(id -u)" != 0 ] || chown postgres "$DIR"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_pg "$BIN/initdb" -D "$DIR/data" -U hoptac --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
      || die "initdb failed: $(tail -3 "$DIR/initdb.log")"
    # fsync off: a test database, thrown away after the run.
    TUNED=""
    if [ -n "${PG_TUNED:-}" ]; then
      # docs/DEPLOY.md, "PostgreSQL settings": memory for the working set, WAL room for a
      # reorganisation's one transaction without a checkpoint in its middle.
      TUNED="-c shared_buffers=4GB -c max_wal_size=16GB -c checkpoint_timeout=30min -c work_mem=64MB -c maintenance_work_mem=1GB -c wal_compression=on"
    fi
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 $TUNED" start >/dev/null \
      || die "PostgreSQL did not start: $(tail -5 "$DIR/server.log" 2>/dev/null)"
    mkdir -p .tools
    echo "$DIR" > "$STATE"
    echo "export HOPTAC_TEST_PG_URL=postgres://hoptac@127.0.0.1:$PORT/postgres"
    ;;
  restart)
    # PostgreSQL stopped (fast: open sessions are cut) and started again on the same data
    # and port, as after an upgrade or a failover; the fault test does this mid-push.
    [ -f "$STATE" ] || die "no server of this name is running"
    DIR=$(cat "$STATE")
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -m fast -w -t 60 restart >/dev/null \
      || die "PostgreSQL did not restart: $(tail -5 "$DIR/server.log" 2>/dev/null)"
    ;;
  stop)
    [ -f "$STATE" ] || exit 0
    DIR=$(cat "$STATE")
    [ -d "$DIR/data" ] && as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$DIR" "$STATE"
    ;;
  *)
    die "usage: bash scripts/pg.sh start|restart|stop"
    ;;
esac
