#!/usr/bin/env bash
# Measures shoald's HTTP data path against a plain file server on the same
# machine: nginx serving and accepting (WebDAV PUT) the same objects as files,
# and fio for the disk's own durable-write figures. Prints a table of results
# and ratios against the targets of docs/performance.md.
#
#   tests/bench/run-vs-nginx.sh [--quick] [--duration SECONDS] [--repeat N]
#                               [--list-objects N] [--only PARTS] [--dir DIR]
#                               [--keep] [--no-build] [--out FILE]
#
#   --quick            short run: 4 s per measurement, once, 20,000 objects to list
#   --duration S       seconds per measurement (default 10; --quick 4)
#   --repeat N         runs of each comparison, nginx and shoald alternating; the
#                      median is reported (default 3; --quick 1)
#   --list-objects N   objects in the listing bucket (default 100000; --quick 20000)
#   --only PARTS       some of memory,disk,matrix,listing (comma-separated; default all)
#   --dir DIR          work directory (default a new /var/tmp/shoal-bench.*): shoald's
#                      drive, nginx's root and body temp files, fio's files, all on one disk
#   --keep             leave the work directory (and the raw results) in place
#   --no-build         use the existing build/host binaries
#   --out FILE         also write the raw JSON lines to FILE
#
# Installs nginx and fio through toolchains/install-deps.sh --bench, builds the
# host preset's shoald and s3bench, starts both servers on loopback ports, and
# stops them (and removes the work directory) on exit, whatever happens.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
quick=0
duration=
repeat=
list_objects=
only=memory,disk,matrix,listing
work=
keep=0
build=1
out=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --duration) duration=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    --only) only=$2; shift ;;
    --list-objects) list_objects=$2; shift ;;
    --dir) work=$2; shift ;;
    --keep) keep=1 ;;
    --no-build) build=0 ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "run-vs-nginx: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  : "${duration:=4}" "${repeat:=1}" "${list_objects:=20000}"
else
  : "${duration:=10}" "${repeat:=3}" "${list_objects:=100000}"
fi
want() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

log() { echo "run-vs-nginx: $*" >&2; }

"$root/toolchains/install-deps.sh" --bench >&2
nginx -V 2>&1 | grep -q -- --with-http_dav_module || { log "this nginx has no WebDAV module (nginx -V)"; exit 1; }

bin="$root/build/host"
if [ "$build" = 1 ]; then
  log "building shoald and s3bench (host preset)"
  cmake --preset host -DSHOAL_WERROR=ON >/dev/null
  cmake --build --preset host --target shoald s3bench >&2
fi
shoald="$bin/firmware/shoald"
s3bench="$bin/tests/s3bench"
[ -x "$shoald" ] && [ -x "$s3bench" ] || { log "missing $shoald or $s3bench"; exit 1; }

if [ -z "$work" ]; then
  work=$(mktemp -d /var/tmp/shoal-bench.XXXXXX)
else
  mkdir -p "$work"
fi
work=$(cd "$work" && pwd)
results="$work/results.jsonl"
: >"$results"

shoald_pid=
nginx_pid=
cleanup() {
  local status=$?
  if [ -n "$shoald_pid" ] && kill -0 "$shoald_pid" 2>/dev/null; then
    kill -TERM "$shoald_pid" 2>/dev/null || true
    wait "$shoald_pid" 2>/dev/null || true
  fi
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill -QUIT "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  if [ -n "$out" ] && [ -f "$results" ]; then cp "$results" "$out"; fi
  if [ "$keep" = 1 ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() {  # URL: until it answers at all (any status), 10 s at most
  for _ in $(seq 100); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  log "no answer from $1"; return 1
}

record() {  # KEY=VALUE...: one JSON line of the script's own figures
  python3 -c 'import json, sys
d = {}
for a in sys.argv[1:]:
    k, v = a.split("=", 1)
    try: v = float(v)
    except ValueError: pass
    d[k] = v
print(json.dumps(d))' "$@" >>"$results"
}

status_kib() {  # PID FIELD: a VmRSS/VmHWM figure in KiB
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# --- the servers ------------------------------------------------------------

mkdir -p "$work/shoal-data" "$work/nginx/root" "$work/nginx/body" "$work/nginx/tmp" "$work/fio"
export SHOAL_ROOT_USER=bench-root
SHOAL_ROOT_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
export SHOAL_ROOT_PASSWORD

shoal_port=$(free_port)
"$shoald" server --address "127.0.0.1:$shoal_port" --log-level warn "$work/shoal-data" \
  >"$work/shoald.log" 2>&1 &
shoald_pid=$!
shoal="http://127.0.0.1:$shoal_port"

nginx_port=$(free_port)
user_line=
[ "$(id -u)" = 0 ] && user_line="user $(id -un) $(id -gn);"
cat >"$work/nginx/nginx.conf" <<EOF
$user_line
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    default_type application/octet-stream;
    client_max_body_size 0;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    server {
        # reuseport: the kernel spreads connections evenly over the workers
        # (without it one worker may take most of 16 long-lived connections).
        listen 127.0.0.1:$nginx_port reuseport;
        root $work/nginx/root;
        log_not_found off;
        location / {
            dav_methods PUT DELETE;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
        }
    }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
plain="http://127.0.0.1:$nginx_port"

wait_http "$shoal/health/live"
wait_http "$plain/"
nginx_workers=$(pgrep -d, -P "$nginx_pid" || true)
[ -n "$nginx_workers" ] || { log "nginx started no workers"; exit 1; }
log "shoald (pid $shoald_pid) on $shoal, nginx (pid $nginx_pid, workers $nginx_workers) on $plain, work directory $work"

# --- the machine --------------------------------------------------------------

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
disk=$(df -P "$work" | awk 'NR == 2 { print $1 }')
fstype=$(df -PT "$work" | awk 'NR == 2 { print $2 }')
record kind=machine cpu="$cpu" cores="$(nproc)" mem_mib="$(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo)" \
  kernel="$(uname -r)" disk="$disk" fs="$fstype" load_start="$(cut -d' ' -f1 /proc/loadavg)" \
  nginx="$(nginx -v 2>&1 | sed 's/.*nginx\///')" fio="$(fio --version)" duration="$duration" quick="$quick" \
  repeat="$repeat"

# --- idle memory ------------------------------------------------------------------

sleep 2
rss() {  # PHASE: shoald's VmRSS and VmHWM now; RssFile is mostly LMDB's mapped pages
  record kind=rss phase="$1" rss_kib="$(status_kib "$shoald_pid" VmRSS)" hwm_kib="$(status_kib "$shoald_pid" VmHWM)" \
    anon_kib="$(status_kib "$shoald_pid" RssAnon)" file_kib="$(status_kib "$shoald_pid" RssFile)"
}
rss idle
log "shoald idle: VmRSS $(status_kib "$shoald_pid" VmRSS) KiB"

# --- the runs -------------------------------------------------------------------------

bench() {  # NAME TARGET(s3|plain) ARGS...: one s3bench run, its JSON line recorded
  local name=$1 target=$2; shift 2
  local endpoint=$shoal extra=(--server-pid "$shoald_pid")
  if [ "$target" = plain ]; then endpoint=$plain; extra=(--plain --server-pid "$nginx_workers"); fi
  local output
  # Every run starts on a quiet disk: nginx's PUTs are not durable, and their
  # dirty pages would otherwise be written back during the next (shoald) run.
  sync
  output=$("$s3bench" --endpoint "$endpoint" "${extra[@]}" --label "$name" "$@") ||
    { printf '%s\n' "$output" >&2; log "s3bench failed: $name $target"; return 1; }
  printf '%s\n' "$output" | grep -v '^{' >&2 || true
  printf '%s\n' "$output" | grep '^{' >>"$results"
}

both() {  # NAME ARGS...: the same run against nginx, then shoald, --repeat times
  local name=$1; shift
  for _ in $(seq "$repeat"); do
    bench "$name" plain "$@"
    bench "$name" s3 "$@"
    # Small objects: also with presigned URLs made before the run, so the
    # client (on the same 2 cores) spends nothing on signing; shoald still
    # verifies every request.
    if [ "${presigned_too:-0}" = 1 ]; then bench "$name-presigned" s3 "$@" --presign; fi
  done
}

d=(--duration "$duration")
"$s3bench" --endpoint "$shoal" --bucket bench --create-bucket --op list --count 1 >/dev/null

# Peak memory first, on a process that has done nothing else: 16 clients
# each PUT a 64 MiB object at once.
if want memory; then
  bench put-64m-c16 s3 --bucket bench --keys big --op put --size 64MiB --concurrency 16 \
    --count "$([ "$quick" = 1 ] && echo 16 || echo 32)" --objects 16
  rss put-64m-c16
  bench delete-64m s3 --bucket bench --keys big --op delete --concurrency 4 --count 16 --objects 16 >/dev/null
fi

fio_json() {  # NAME ARGS...: runs fio, records its write bandwidth and IOPS
  local name=$1; shift
  log "fio $name"
  sync
  fio --name="$name" --directory="$work/fio" --ioengine=psync --fallocate=none --group_reporting --eta=never \
    --output-format=json "$@" >"$work/fio-$name.json"
  python3 - "$work/fio-$name.json" "$name" >>"$results" <<'EOF'
import json, sys
job = json.load(open(sys.argv[1]))["jobs"][0]["write"]
print(json.dumps({"kind": "fio", "name": sys.argv[2], "bytes_per_s": job["bw_bytes"],
                "mib_per_s": job["bw_bytes"] / 1048576, "iops": job["iops"]}))
EOF
  rm -f "$work/fio/"*
}

# The disk's own figures. For a 16 MiB durable PUT: 4 writers, 1 MiB writes,
# fdatasync every 16 MiB, into new files (no preallocation). For small PUTs:
# one writer, 4 KiB writes, fsync after each.
if want disk; then
  for _ in $(seq "$repeat"); do
    fio_json seq-fdatasync --rw=write --bs=1M --size="$([ "$quick" = 1 ] && echo 512M || echo 1G)" --numjobs=4 \
      --fdatasync=16 --runtime="$duration"
    fio_json fsync-4k --rw=write --bs=4k --size=256M --numjobs=1 --fsync=1 --runtime="$duration"
  done
fi

if want matrix; then
  presigned_too=1 both get-4k --bucket bench --keys k4 --op get --size 4KiB --concurrency 16 --objects 1000 --prepare --verify "${d[@]}"
  both get-1m --bucket bench --keys m1 --op get --size 1MiB --concurrency 16 --objects 64 --prepare --verify "${d[@]}"
  both get-16m --bucket bench --keys m16 --op get --size 16MiB --concurrency 16 --objects 16 --prepare --verify "${d[@]}"
  presigned_too=1 both head-4k --bucket bench --keys k4 --op head --size 4KiB --concurrency 16 --objects 1000 "${d[@]}"
  # The disk's fsync rate moves a lot from minute to minute on shared virtual
  # disks: fio runs right before each shoald run too, and the PUT 4 KiB target
  # is judged on the median of those pairs' ratios.
  for _ in $(seq "$repeat"); do
    bench put-4k plain --bucket bench --keys p4 --op put --size 4KiB --concurrency 16 --objects 1000 "${d[@]}"
    fio_json fsync-4k-beside --rw=write --bs=4k --size=256M --numjobs=1 --fsync=1 --runtime="$duration"
    bench put-4k s3 --bucket bench --keys p4 --op put --size 4KiB --concurrency 16 --objects 1000 "${d[@]}"
  done
  both put-16m --bucket bench --keys p16 --op put --size 16MiB --concurrency 4 --objects 32 "${d[@]}"
  both delete-4k --bucket bench --keys k4 --op delete --size 4KiB --concurrency 16 --objects 1000 --count 1000 --prepare
  rss after-matrix
fi

if want listing; then
  log "populating $list_objects objects for the listing"
  bench populate s3 --create-bucket --bucket listing --keys obj --op put --size 0 --concurrency 16 \
    --count "$list_objects" --objects "$list_objects"
  bench list-c1 s3 --bucket listing --keys obj --op list --concurrency 1 "${d[@]}"
  bench list-c4 s3 --bucket listing --keys obj --op list --concurrency 4 "${d[@]}"
fi
rss end
record kind=machine_end load_end="$(cut -d' ' -f1 /proc/loadavg)" list_objects="$list_objects"

# --- the table ----------------------------------------------------------------------

python3 "$root/tests/bench/report.py" "$results"
