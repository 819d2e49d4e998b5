#!/usr/bin/env bash
# Builds shoald and starts it on the embedded default: a single node serving on
# loopback port 9000, data in ./shoal-data under the repository, no config file.
# Installs what it needs first. Extra arguments go to `shoald server`
# (e.g. --address 0.0.0.0:9000 to serve the network). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

toolchains/install-deps.sh
cmake --preset host >/dev/null
cmake --build --preset host --target shoald -j "$(nproc)"

echo "Starting shoald; data in $PWD/shoal-data. Ctrl-C stops it."
exec build/host/firmware/shoald server --address 127.0.0.1:9000 "$@" "$PWD/shoal-data"
