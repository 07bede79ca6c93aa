#!/usr/bin/env bash
# Fuzzes every operation of the server's OpenAPI document with schemathesis.
#   bash scripts/fuzz-api.sh [SERVER_BINARY]      # default target/debug/hoptac-server
# Starts the server on a free loopback port with a fresh SQLite database and the demo data,
# signs in as the demo admin, and sends generated requests (valid and invalid) to each
# operation. Checks: no 5xx answer; status code, content type and body as documented.
#   FUZZ_EXAMPLES  test cases per operation in the fuzzing phase (default 50)
#   FUZZ_SECONDS   wall-time bound for schemathesis (default 300; over it = failure)
#   FUZZ_SEED      seed, fixed so two runs send the same requests (default 1)
# Reports (JUnit, NDJSON, pytest reproductions of failures) go to $FUZZ_REPORT_DIR
# (default target/fuzz-api). Exits non-zero when any check failed.
set -euo pipefail
BIN=$(realpath -m "${1:-$(dirname "$0")/../target/debug/hoptac-server}")
cd "$(dirname "$0")/.."
ST_VERSION=4.32.5
VENV=.tools/schemathesis-venv
EXAMPLES=${FUZZ_EXAMPLES:-50}
SECONDS_MAX=${FUZZ_SECONDS:-300}
SEED=${FUZZ_SEED:-1}
REPORT_DIR=${FUZZ_REPORT_DIR:-target/fuzz-api}
die() { echo "fuzz FAILED: $*" >&2; exit 1; }

echo "==> fuzz: schemathesis $ST_VERSION"
if [ "$("$VENV/bin/st" --version 2>/dev/null)" != "st, version $ST_VERSION" ]; then
  python3 -m venv "$VENV" || die "python3 -m venv (Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install -q "schemathesis==$ST_VERSION" || die "pip install schemathesis==$ST_VERSION"
fi

echo "==> fuzz: start $BIN"
[ -x "$BIN" ] || die "no server binary at $BIN (cargo build -p hoptac-server)"
TMP=$(mktemp -d /tmp/hoptac-fuzz.XXXXXX)
SERVER=""
cleanup() { [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
"$BIN" --db "sqlite://$TMP/fuzz.db" --listen "127.0.0.1:$PORT" --demo >"$TMP/server.log" 2>&1 &
SERVER=$!
# HTTP through Python's standard library: no curl needed on a fresh machine.
up() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$BASE/api/health" 2>/dev/null; }
for _ in $(seq 100); do
  up && break
  kill -0 "$SERVER" 2>/dev/null || die "the server stopped: $(tail -5 "$TMP/server.log")"
  sleep 0.2
done
up || die "no answer from $BASE/api/health after 20 s"

echo "==> fuzz: sign in as the demo admin"
TOKEN=$(python3 - "$BASE/api/auth/login" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=json.dumps({"username": "quantri", "password": "hoptac-quantri"}).encode(),
                             headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req, timeout=10))["token"])
PY
) || die "sign-in as quantri"

echo "==> fuzz: $BASE/api/openapi.json ($EXAMPLES examples per operation, seed $SEED, at most ${SECONDS_MAX}s)"
# POST /api/auth/logout is left out: it revokes the very token every other request uses,
# so all that came after it would only test the 401 answer. Its tests are in api.rs.
# One worker and no example database: the same seed sends the same requests every run.
# No sanitizing: the reports show the real requests (the token dies with the server).
# No cache (.schemathesis/): a run would replay the requests that failed in the last one.
# Hypothesis's own files (.hypothesis/) go to the temporary folder too.
export HYPOTHESIS_STORAGE_DIRECTORY=$TMP/hypothesis
rm -rf "$REPORT_DIR"; mkdir -p "$REPORT_DIR"
printf '[cache]\nenabled = false\n' > "$TMP/schemathesis.toml"
set +e
timeout -s INT -k 30 "$SECONDS_MAX" "$VENV/bin/st" --config-file "$TMP/schemathesis.toml" run "$BASE/api/openapi.json" \
  -H "Authorization: Bearer $TOKEN" --exclude-path /api/auth/logout \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$EXAMPLES" --continue-on-failure --seed "$SEED" --workers 1 --generation-database none \
  --report junit,ndjson,pytest --report-dir "$REPORT_DIR" \
  --output-sanitize false --no-color
STATUS=$?
set -e
[ "$STATUS" -ne 124 ] || echo "fuzz FAILED: over ${SECONDS_MAX}s (FUZZ_SECONDS); what ran:" >&2

# One line from the event stream: operations tested, requests sent, distinct failures
# (same operation, check and message = one failure).
python3 - "$REPORT_DIR" "$STATUS" <<'EOF'
import glob, json, sys
ops, requests, failures = set(), 0, set()
for path in glob.glob(sys.argv[1] + "/*.ndjson"):
    for line in open(path, encoding="utf-8"):
        done = json.loads(line).get("ScenarioFinished")
        if not done:
            continue
        rec = done["recorder"]
        if done["phase"] != "stateful":
            ops.add(rec["label"])
        requests += sum(1 for i in rec.get("interactions", {}).values() if i.get("response"))
        for checks in rec.get("checks", {}).values():
            for c in checks:
                if c["status"] == "failure":
                    f = c["failure_info"]["failure"]
                    failures.add((f.get("operation"), c["name"], f.get("message")))
print(f"fuzz: {len(ops)} operations, {requests} requests, {len(failures)} failures")
sys.exit(1 if failures or sys.argv[2] != "0" else 0)
EOF
