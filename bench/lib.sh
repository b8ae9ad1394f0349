# shellcheck shell=bash
# Shared by the bench/ scripts (sourced, not run).
#
#   bench_root              the repository root
#   bench_helpers DIR       builds DIR/timeit and DIR/touch_pages from bench/*.c when missing or
#                           older than their source (cc directly: no CMake project of their own)
#   bench_find_heapsleuth   prints the first heapsleuth binary found (build-release, then build)
#   bench_ms US             microseconds as milliseconds, 2 decimals under 10 s, 1 above
#   bench_range MED MIN MAX "MED (MIN–MAX)" in milliseconds

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

bench_helpers() {
  local dir=$1 name
  mkdir -p "$dir"
  for name in timeit touch_pages; do
    if [ ! -x "$dir/$name" ] || [ "$bench_root/bench/$name.c" -nt "$dir/$name" ]; then
      cc -std=c17 -O2 -Wall -Wextra -o "$dir/$name" "$bench_root/bench/$name.c" || return 1
    fi
  done
}

bench_find_heapsleuth() {
  local c
  for c in "$bench_root/build-release/analyzer/heapsleuth" "$bench_root/build/analyzer/heapsleuth"; do
    [ -x "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}

bench_ms() { awk -v u="$1" 'BEGIN { if (u >= 1e7) printf "%.1f", u / 1000; else printf "%.2f", u / 1000 }'; }

bench_range() { echo "$(bench_ms "$1") ($(bench_ms "$2")–$(bench_ms "$3"))"; }
