#!/usr/bin/env bash
# Builds the fuzz preset (clang-14, libFuzzer + ASan + UBSan) and runs each
# fuzz target for a bounded time on a copy of its seed corpus. Fails if any
# target finds a crash, a sanitizer report, a leak, a timeout or an
# out-of-memory; the input that did it is kept and its path printed.
#
#   tests/fuzz/run.sh                  every target, 60 s each (what CI runs)
#   tests/fuzz/run.sh 600              every target, 10 minutes each
#   tests/fuzz/run.sh 300 sigv4 range  only those targets
#   SHOAL_FUZZ_SECONDS=120 tests/fuzz/run.sh   the default time, as tests/run-all.sh passes it on
#
# New inputs found during a run go to a temporary copy of the corpus, never
# into tests/fuzz/corpus/; crash artifacts go to build/fuzz/fuzz-artifacts/<target>/.
# One target runs at a time, on one core.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-${SHOAL_FUZZ_SECONDS:-60}}
[ "$#" -gt 0 ] && shift
case "$seconds" in ''|*[!0-9]*) echo "fuzz: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;; esac

all_targets=()
for f in tests/fuzz/*_fuzzer.cpp; do
  name=$(basename "$f" _fuzzer.cpp)
  all_targets+=("$name")
done
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [ -f "tests/fuzz/${t}_fuzzer.cpp" ] || { echo "fuzz: unknown target '$t' (${all_targets[*]})" >&2; exit 2; }
done

echo "=== fuzz: configure and build ==="
log=$(mktemp)
if ! { cmake --preset fuzz -DSHOAL_WERROR=ON && cmake --build --preset fuzz -j "$(nproc)"; } >"$log" 2>&1; then
  cat "$log"; rm -f "$log"
  echo "=== fuzz: BUILD FAILED ==="
  echo "fuzz: 0 passed, ${#targets[@]} failed"
  exit 1
fi
rm -f "$log"

bin=build/fuzz/tests/fuzz
artifacts_root=build/fuzz/fuzz-artifacts
work=$(mktemp -d "${TMPDIR:-/tmp}/shoal-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

passed=0
failed=0
failed_targets=()
start=$(date +%s)
for t in "${targets[@]}"; do
  corpus="$work/corpus-$t"
  mkdir -p "$corpus" "$artifacts_root/$t"
  cp tests/fuzz/corpus/"$t"/* "$corpus"/
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=8192
        -artifact_prefix="$artifacts_root/$t/" -print_final_stats=1)
  [ -f "tests/fuzz/dict/$t.dict" ] && args+=(-dict="tests/fuzz/dict/$t.dict")
  out="$work/$t.log"
  t0=$(date +%s)
  set +e
  "$bin/${t}_fuzzer" "${args[@]}" "$corpus" >"$out" 2>&1
  rc=$?
  set -e
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$out" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+' "$out" | tail -n 1 | cut -d' ' -f2)
  if [ "$rc" = 0 ]; then
    passed=$((passed + 1))
    echo "fuzz: $t: ok, ${runs:-?} runs, coverage ${cov:-?}, $(( $(date +%s) - t0 ))s"
  else
    failed=$((failed + 1))
    failed_targets+=("$t")
    # The report: the sanitizer's or the invariant's message and the stack.
    grep -vE '^#[0-9]+\s+(NEW|REDUCE|pulse|INITED|RELOAD)|^INFO: |NEW_FUNC|^Dictionary: ' "$out" | tail -n 60
    echo "fuzz: $t: FAILED (exit $rc) after $(( $(date +%s) - t0 ))s"
    artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$out" | tail -n 1)
    if [ -n "$artifact" ]; then
      echo "fuzz: $t: crash artifact: $artifact"
      echo "fuzz: $t: reproduce: $bin/${t}_fuzzer $artifact"
    fi
  fi
done

echo "=== fuzz: ${#targets[@]} targets done in $(( $(date +%s) - start ))s (${seconds}s each) ==="
if [ "$failed" -gt 0 ]; then
  echo "failed: ${failed_targets[*]}"
fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
