#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -DHS_FUZZ=ON) into build-fuzz and runs each one for a
# bounded time, one after the other, then prints per target the executions, the coverage (the
# `cov:` edges of libFuzzer's last status line) and the seconds it ran. Non-interactive, for CI
# and for long local runs.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS] [TARGET...]
#
#   SECONDS   per target, default 60 (libFuzzer -max_total_time)
#   TARGET    one of HS_FUZZ_TARGETS in tests/fuzz/CMakeLists.txt (default: all)
#
# Environment: HS_FUZZ_BUILD (default <repo>/build-fuzz), HS_FUZZ_MAX_LEN (largest input libFuzzer
# generates, default 1048576: the seeds that carry heaps are 100-600 KB; larger seeds are read
# truncated to it),.
#
# Each target works on its own corpus, build-fuzz/corpus-<name>: the seeds (corpus/samples, the
# real test dumps of tests/data/real, corpus/malformed, the generated scenario dumps) are copied in before every run
# (without overwriting), and every run grows it. Crashes, timeouts (-timeout=1: one second per input is a hang) and leaks are
# written to build-fuzz/artifacts-<name>/; minimise one with
#   build-fuzz/tests/fuzz/fuzz_<name> -minimize_crash=1 -runs=10000 ARTIFACT
# and keep it in corpus/malformed/ (see its README.md). Exit status: 0 when no target failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
# The one list of fuzz targets is HS_FUZZ_TARGETS in tests/fuzz/CMakeLists.txt.
[ ${#targets[@]} -gt 0 ] ||
  read -r -a targets <<<"$(sed -n 's/^set(HS_FUZZ_TARGETS \(.*\))$/\1/p' "$root/tests/fuzz/CMakeLists.txt")"
build=${HS_FUZZ_BUILD:-$root/build-fuzz}
max_len=${HS_FUZZ_MAX_LEN:-1048576}

case "$seconds" in ''|*[!0-9]*) echo "run-fuzzers.sh: SECONDS must be a number, got '$seconds'" >&2; exit 2 ;; esac
command -v clang >/dev/null || { echo "run-fuzzers.sh: clang is required (libFuzzer)" >&2; exit 2; }

echo "==> configuring $build (clang, HS_FUZZ=ON)"
CC=clang cmake -S "$root" -B "$build" -G Ninja -DHS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
build_targets=(fuzz_seeds)
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
echo "==> building ${build_targets[*]}"
cmake --build "$build" --target "${build_targets[@]}" >/dev/null || { cmake --build "$build" --target "${build_targets[@]}"; exit 2; }

seed_into() { # seed_into DIR: copies every seed not yet there (files larger than max_len are read truncated)
  local dir=$1 f
  mkdir -p "$dir"
  for f in "$root"/corpus/samples/*.dmp "$root"/corpus/malformed/*.dmp "$root"/corpus/malformed/*.bin \
           "$root"/tests/fuzz/archive-seeds/* "$build"/tests/fuzz/seeds/*.dmp; do
    [ -f "$f" ] && cp -n "$f" "$dir/"
  done
  find "$root/tests/data/real" -name '*.dmp' -size -"$((max_len / 1024 + 1))"k -print0 |
    while IFS= read -r -d '' f; do cp -n "$f" "$dir/$(basename "$(dirname "$f")")-$(basename "$f")"; done
}

failed=0
summary=()
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  corpus="$build/corpus-$t"
  artifacts="$build/artifacts-$t/"
  log="$build/fuzz-$t.log"
  seed_into "$corpus" # new seeds (a crash saved in corpus/malformed since the last run) join the corpus
  mkdir -p "$artifacts"
  echo "==> fuzz_$t for ${seconds}s ($(ls "$corpus" | wc -l) corpus inputs)"
  start=$(date +%s)
  # allocator_may_return_null: libarchive's 7z reader asks malloc for what a hostile header
  # claims (up to 1 TB); a refused allocation must be handled, not reported as a crash.
  ASAN_OPTIONS=allocator_may_return_null=1:${ASAN_OPTIONS:-} \
  "$bin" -max_total_time="$seconds" -dict="$root/tests/fuzz/minidump.dict" -timeout=1 -rss_limit_mb=2048 -malloc_limit_mb=100000 \
    -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
  status=ok
  if [ $rc -ne 0 ]; then
    status="FAILED (exit $rc; see $log and $artifacts)"
    failed=1
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant violated|ALARM|artifact_prefix|Test unit written)' "$log" | head -5
  fi
  summary+=("$(printf '%-14s %12s execs  cov %6s  %5ss  %s' "$t" "${execs:-?}" "${cov:-?}" "$elapsed" "$status")")
done

echo "==> summary (target, executions, cov: edges, seconds, status)"
printf '%s\n' "${summary[@]}"
exit $failed
