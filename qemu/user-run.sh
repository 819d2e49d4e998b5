#!/usr/bin/env bash
# Runs a cross-built shoald under qemu-user:
#
#   qemu/user-run.sh aarch64 version
#   qemu/user-run.sh armv7 server --address 127.0.0.1:9000 /tmp/shoal-arm
#
# Build it first (cmake --preset PRESET && cmake --build --preset PRESET).
# No -L: the multiarch libc6/libstdc++6 of the target provide the loader and
# libraries (see docs/building.md for why -L breaks threaded programs).
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  aarch64) emulator=qemu-aarch64 ;;
  armv7) emulator=qemu-arm ;;
  *) echo "usage: qemu/user-run.sh aarch64|armv7 SHOALD-ARGS..." >&2; exit 2 ;;
esac
binary="build/$1/firmware/shoald"
shift
[ -x "$binary" ] || { echo "qemu/user-run.sh: $binary not built" >&2; exit 1; }
exec "$emulator" "$binary" "$@"
