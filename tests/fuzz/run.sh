#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -DROOMS_FUZZ=ON, in build-fuzz/) and runs each for a
# bounded time on a corpus seeded from the unit tests (make_seeds.py). Exits non-zero on a
# finding; the crashing input is left in build-fuzz/artifacts/ (reproduce: TARGET FILE). The
# targets run at the same time, one per core.
# Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET (default 60)] [BUILD_DIR (default build-fuzz)]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
build="${2:-build-fuzz}"

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$build" -DROOMS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target rpc_decoder_fuzzer room_edit_fuzzer

/usr/bin/python3 tests/fuzz/make_seeds.py "$build/seeds"
mkdir -p "$build/artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
fuzz() {
  local target=$1
  local corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  # The targets' limits are small (512-byte messages, 2 KiB rooms), so 4 KiB inputs reach all
  # of them; -len_control=20 lets inputs grow that long within a minute. No single allocation
  # may pass 64 MiB: a header announcing gigabytes must be refused before anything is allocated.
  "$build/bin/${target}_fuzzer" "$corpus" "$build/seeds/$target" -max_len=4096 \
    -len_control=20 -malloc_limit_mb=64 -rss_limit_mb=2048 -timeout=10 \
    -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/${target}-" >"$build/$target.log" 2>&1
}
targets=(rpc_decoder room_edit)
pids=()
for target in "${targets[@]}"; do
  echo "== fuzzing $target for ${seconds}s =="
  fuzz "$target" &
  pids+=($!)
done
failed=0
for i in "${!targets[@]}"; do
  target=${targets[$i]}
  log="$build/$target.log"
  if ! wait "${pids[$i]}"; then
    tail -n 60 "$log"
    echo "fuzzing $target: FAILED, the input is in $build/artifacts/" >&2
    failed=1
    continue
  fi
  echo "-- $target --"
  grep -E '^(INFO: seed corpus|#[0-9]+[[:space:]]+DONE|Done|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb|new_units_added))' "$log" || true
done
[ "$failed" = 0 ] || exit 1
echo "fuzzing: no findings"
