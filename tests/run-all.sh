#!/usr/bin/env bash
# Builds and runs every test of Shoal: the host build, the sanitizer build,
# the ARMv8/ARMv7 cross builds under qemu-user, then the fuzzers for a short
# while (tests/fuzz/run.sh). Installs what it needs first.
#
#   tests/run-all.sh                 all five configurations
#   tests/run-all.sh host asan       only those presets (host, asan, aarch64, armv7, fuzz)
#   SHOAL_FUZZ_SECONDS=120 tests/run-all.sh fuzz    each fuzzer for 2 minutes
#
# Warnings are errors here, as in CI. Exits non-zero if any build or test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

presets=("$@")
[ "${#presets[@]}" -gt 0 ] || presets=(host asan aarch64 armv7 fuzz)

need_cross=0
for p in "${presets[@]}"; do
  case "$p" in
    host|asan|fuzz) ;;
    aarch64|armv7) need_cross=1 ;;
    *) echo "run-all: unknown preset '$p' (host, asan, aarch64, armv7, fuzz)" >&2; exit 2 ;;
  esac
done
if [ "$need_cross" = 1 ]; then toolchains/install-deps.sh --cross; else toolchains/install-deps.sh; fi

jobs=$(nproc)
total_passed=0
total_failed=0
failed_presets=()
start=$(date +%s)
for p in "${presets[@]}"; do
  if [ "$p" = fuzz ]; then
    # Not ctest: tests/fuzz/run.sh builds the fuzz preset and runs each fuzzer
    # for a bounded time; each fuzzer counts as one test.
    echo "=== $p: configure, build, fuzz ==="
    t0=$(date +%s)
    summary=$(mktemp)
    set +e
    tests/fuzz/run.sh 2>&1 | tee "$summary"
    rc=${PIPESTATUS[0]}
    set -e
    # "fuzz: 8 passed, 0 failed"
    line=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed$' "$summary" | tail -n 1 || true)
    rm -f "$summary"
    if [ -n "$line" ]; then
      total_passed=$((total_passed + $(sed -E 's/^fuzz: ([0-9]+) passed.*/\1/' <<<"$line")))
      total_failed=$((total_failed + $(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")))
    fi
    if [ "$rc" != 0 ]; then
      failed_presets+=("$p")
      [ -n "$line" ] || total_failed=$((total_failed + 1))
    fi
    echo "=== $p: done in $(( $(date +%s) - t0 ))s ==="
    continue
  fi
  echo "=== $p: configure, build, test ==="
  t0=$(date +%s)
  log=$(mktemp)
  if cmake --preset "$p" -DSHOAL_WERROR=ON >"$log" 2>&1 && cmake --build --preset "$p" -j "$jobs" >>"$log" 2>&1; then
    rm -f "$log"
  else
    cat "$log"; rm -f "$log"
    echo "=== $p: BUILD FAILED ==="
    failed_presets+=("$p (build)")
    total_failed=$((total_failed + 1))
    continue
  fi
  summary=$(mktemp)
  set +e
  ctest --preset "$p" -j "$jobs" 2>&1 | tee "$summary"
  rc=${PIPESTATUS[0]}
  set -e
  # "100% tests passed, 0 tests failed out of 33"
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$summary" | tail -n 1 || true)
  rm -f "$summary"
  if [ -n "$line" ]; then
    failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    all=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
    total_passed=$((total_passed + all - failed))
    total_failed=$((total_failed + failed))
  fi
  if [ "$rc" != 0 ]; then
    failed_presets+=("$p")
    [ -n "$line" ] || total_failed=$((total_failed + 1))
  fi
  echo "=== $p: done in $(( $(date +%s) - t0 ))s ==="
done

echo "=== all presets done in $(( $(date +%s) - start ))s: ${presets[*]} ==="
if [ "${#failed_presets[@]}" -gt 0 ]; then
  echo "failed: ${failed_presets[*]}"
fi
echo "tests: $total_passed passed, $total_failed failed"
[ "${#failed_presets[@]}" = 0 ]
