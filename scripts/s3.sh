#!/usr/bin/env bash
# A throwaway S3-compatible server for the tests of the S3 photo store, on loopback only:
# moto's server (PyPI `moto[server]`, pinned below), in its own virtualenv under .tools/.
#   eval "$(bash scripts/s3.sh start)"   # starts it, makes the bucket, exports HOPTAC_TEST_S3
#                                         # and the AWS_* variables object_store reads
#   bash scripts/s3.sh stop              # stops it
#   HOPTAC_INSTANCE=name bash scripts/s3.sh start|stop  # a second server beside the first
# Why moto: it is on PyPI (reachable here; MinIO's server is a download from its own
# site), kept up to date by a large project, and implements the S3 calls object_store
# makes (put, get, list, delete). Its data live in memory: thrown away when it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
MOTO_VERSION=5.2.5
VENV=.tools/moto-venv
STATE=.tools/s3-pid${HOPTAC_INSTANCE:+-$HOPTAC_INSTANCE}
LOG=.tools/s3${HOPTAC_INSTANCE:+-$HOPTAC_INSTANCE}.log
die() { echo "s3.sh: $*" >&2; exit 1; }

case "${1:-}" in
  start)
    [ ! -f "$STATE" ] || "$0" stop >/dev/null 2>&1 || true
    if [ "$("$VENV/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null)" != "$MOTO_VERSION" ]; then
      python3 -m venv "$VENV" >&2 || die "python3 -m venv (Debian: apt-get install python3-venv)"
      "$VENV/bin/pip" install -q "moto[server]==$MOTO_VERSION" >&2 || die "pip install moto[server]==$MOTO_VERSION"
    fi
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir -p .tools
    nohup "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" > "$LOG" 2>&1 &
    echo $! > "$STATE"
    for _ in $(seq 1 100); do
      curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break
      sleep 0.1
    done
    curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$PORT/hoptac-test" || die "moto did not start: $(tail -3 "$LOG")"
    echo "export HOPTAC_TEST_S3=s3://hoptac-test AWS_ENDPOINT=http://127.0.0.1:$PORT AWS_ALLOW_HTTP=true AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1"
    ;;
  stop)
    [ -f "$STATE" ] || exit 0
    kill "$(cat "$STATE")" 2>/dev/null || true
    rm -f "$STATE"
    ;;
  *)
    die "usage: bash scripts/s3.sh start|stop"
    ;;
esac
