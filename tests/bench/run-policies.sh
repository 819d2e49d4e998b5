#!/bin/bash
# Storage policies against each other on one node of several drive
# directories: PUT and GET of 16 MiB objects under SINGLE, THREECOPIES and
# EC4+2 (by default), then GET again with one drive's chunks out of reach
# (degraded reads: another copy, or decoding). Rounds alternate the
# policies so that the disk's mood of the minute hits all of them alike.
#
#   tests/bench/run-policies.sh [--policies "SINGLE THREECOPIES EC4+2"] [--drives 6]
#                               [--repeat 2] [--duration 8] [--no-build] [--out FILE]
#
# Prints a table (figures as in docs/performance.md) and keeps the JSON lines
# of every run in FILE when --out is given. Not a test: ctest does not run it.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
policies="SINGLE THREECOPIES EC4+2"
drives=6
repeat=2
duration=8
build=1
out=
while [ $# -gt 0 ]; do
  case "$1" in
    --policies) policies=$2; shift 2 ;;
    --drives) drives=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--policies LIST] [--drives N] [--repeat N] [--duration S] [--no-build] [--out FILE]" >&2
       exit 2 ;;
  esac
done

log() { echo "run-policies: $*" >&2; }

bin="$root/build/host"
if [ "$build" = 1 ]; then
  cmake --preset host -DSHOAL_WERROR=ON >/dev/null
  cmake --build --preset host --target shoald s3bench >&2
fi
shoald="$bin/firmware/shoald"
s3bench="$bin/tests/s3bench"

work=$(mktemp -d /var/tmp/shoal-policies.XXXXXX)
results="$work/results.jsonl"
: >"$results"
shoald_pid=
cleanup() {
  local status=$?
  if [ -n "$shoald_pid" ] && kill -0 "$shoald_pid" 2>/dev/null; then
    kill -TERM "$shoald_pid" 2>/dev/null || true
    wait "$shoald_pid" 2>/dev/null || true
  fi
  if [ -n "$out" ]; then cp "$results" "$out"; fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

export SHOAL_ROOT_USER=bench-root
SHOAL_ROOT_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
export SHOAL_ROOT_PASSWORD

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bench() {  # POLICY NAME ARGS...: one s3bench run, its JSON line recorded
  local policy=$1 name=$2; shift 2
  local output
  sync
  output=$("$s3bench" --endpoint "http://127.0.0.1:$port" --server-pid "$shoald_pid" --label "$policy $name" "$@") ||
    { printf '%s\n' "$output" >&2; log "s3bench failed: $policy $name"; return 1; }
  printf '%s\n' "$output" | grep -v '^{' >&2 || true
  printf '%s\n' "$output" | grep '^{' >>"$results"
}

for round in $(seq "$repeat"); do
  for policy in $policies; do
    log "round $round: $policy"
    data="$work/data"
    rm -rf "$data"
    dirs=()
    for i in $(seq "$drives"); do dirs+=("$data/d$i"); done
    port=$(free_port)
    SHOAL_STORAGE_DEFAULT_POLICY=$policy "$shoald" server --address "127.0.0.1:$port" --log-level error \
      "${dirs[@]}" &
    shoald_pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    common=(--bucket bench --keys p16 --size 16MiB --objects 16)
    "$s3bench" --endpoint "http://127.0.0.1:$port" --bucket bench --create-bucket --op list --count 1 >/dev/null
    bench "$policy" put-16m-c4 "${common[@]}" --op put --concurrency 4 --duration "$duration"
    bench "$policy" get-16m-c16 "${common[@]}" --op get --concurrency 16 --verify --duration "$duration"
    # One drive out of reach: its chunk directory moved away under the
    # running node (reads find no file there and go to other pieces).
    # (SINGLE has no redundancy: its GETs would fail.)
    if [ "$policy" != SINGLE ]; then
      mv "$data/d1/chunks" "$data/d1/chunks.away"
      bench "$policy" get-16m-c16-degraded "${common[@]}" --op get --concurrency 16 --verify --duration "$duration"
      mv "$data/d1/chunks.away" "$data/d1/chunks"
    fi
    kill -TERM "$shoald_pid"
    wait "$shoald_pid" || true
    shoald_pid=
  done
done

python3 - "$results" <<'EOF'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = {}
for r in runs:
    policy, name = r["label"].split(" ", 1)
    by.setdefault((policy, name), []).append(r)
policies = []
for policy, _ in by:
    if policy not in policies:
        policies.append(policy)
def mibs(policy, name):
    return [r["mib_per_s"] for r in by.get((policy, name), [])]
def span(values):
    return "%.0f-%.0f" % (min(values), max(values)) if values else "-"
def cpu_ms(policy, name):
    values = [r["server_cpu_s"] * 1000 / r["ops"] for r in by.get((policy, name), []) if r.get("ops")]
    return "%.0f-%.0f" % (min(values), max(values)) if values else "-"
base = statistics.median(mibs("SINGLE", "put-16m-c4")) if mibs("SINGLE", "put-16m-c4") else None
print("| policy | PUT 16 MiB c4 (MiB/s) | of SINGLE | server CPU per PUT (ms) | GET 16 MiB c16 | degraded GET | degraded / healthy |")
print("|---|---|---|---|---|---|---|")
for p in policies:
    put = mibs(p, "put-16m-c4")
    get = mibs(p, "get-16m-c16")
    bad = mibs(p, "get-16m-c16-degraded")
    ratio = "%.2f" % (statistics.median(put) / base) if base and put else "-"
    degraded = "%.2f" % (statistics.median(bad) / statistics.median(get)) if get and bad else "-"
    print("| %s | %s | %s | %s | %s | %s | %s |" % (p, span(put), ratio, cpu_ms(p, "put-16m-c4"), span(get), span(bad), degraded))
EOF
