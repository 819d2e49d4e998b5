#!/usr/bin/env bash
# Installs everything Shoal needs to build, run and test, from Debian packages only.
#
#   toolchains/install-deps.sh            host build + run + tests (and clang-14 for the fuzzers)
#   toolchains/install-deps.sh --cross    also the ARMv8/ARMv7 cross toolchains, multiarch
#                                         libraries and qemu-user
#   toolchains/install-deps.sh --bench    also what tests/bench/run-vs-nginx.sh compares
#                                         against: nginx (with its WebDAV module) and fio
#
# Idempotent: when every package is already installed it changes nothing and
# touches no network. Needs root (or sudo) only when something is missing.
set -euo pipefail

want_cross=0
want_bench=0
for arg in "$@"; do
  case "$arg" in
    --cross) want_cross=1 ;;
    --bench) want_bench=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

# Libraries the engine links against; the cross builds need them per architecture.
target_libs=(liblmdb-dev libjerasure-dev libgf-complete-dev libmbedtls-dev libtomlplusplus-dev libpugixml-dev)

# Architecture-specific libraries are named with the native architecture:
# once arm64/armhf copies are installed, an unqualified name is ambiguous.
native=$(dpkg --print-architecture)
host_pkgs=(
  g++ cmake ninja-build pkg-config file git
  libasio-dev catch2 "${target_libs[@]/%/:$native}"
  python3 curl procps
  # Real S3 clients, driven by the integration tests.
  python3-boto3 awscli s3cmd rclone
  # The fuzz preset: clang and its libFuzzer and sanitizer runtimes (tests/fuzz/).
  clang-14 "libclang-rt-14-dev:$native"
)
cross_pkgs=(g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user)
cross_arches=(arm64 armhf)
# The plain file server and the disk baseline of the benchmark. Debian's nginx
# is built with http_dav_module (PUT/DELETE); the script checks `nginx -V`.
bench_pkgs=(nginx fio procps)

pkgs=("${host_pkgs[@]}")
if [ "$want_bench" = 1 ]; then pkgs+=("${bench_pkgs[@]}"); fi
if [ "$want_cross" = 1 ]; then
  pkgs+=("${cross_pkgs[@]}")
  for arch in "${cross_arches[@]}"; do
    # libstdc++6 of the target arch lets qemu-user run threaded programs
    # without mixing two glibcs (see docs/building.md).
    for lib in "${target_libs[@]}" libstdc++6; do pkgs+=("$lib:$arch"); done
  done
fi

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ "${#missing[@]}" = 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi

if [ "$want_cross" = 1 ]; then
  have_arches=" $(dpkg --print-foreign-architectures | tr '\n' ' ') "
  for arch in "${cross_arches[@]}"; do
    case "$have_arches" in *" $arch "*) ;; *) $SUDO dpkg --add-architecture "$arch" ;; esac
  done
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Mirrors are sometimes caught mid-sync (an index of the wrong size): a failed
# index refresh is retried, and the install is retried after a fresh refresh.
for attempt in 1 2 3; do
  $SUDO apt-get update -q || echo "install-deps: apt-get update reported errors (attempt $attempt)" >&2
  if $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    echo "install-deps: done"
    exit 0
  fi
  sleep $((attempt * 5))
done
echo "install-deps: could not install: ${missing[*]}" >&2
exit 1
