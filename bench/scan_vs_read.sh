#!/usr/bin/env bash
# Times `heapsleuth scan` and `heapsleuth heaps` on each dump against the floor of reading the same
# file once (cat to /dev/null, page cache warm), in one run, and prints the ratios.
#
#   bench/scan_vs_read.sh [-n RUNS] [-b HEAPSLEUTH] DUMP...
#
# Figures are medians of RUNS runs (default 9) after one warm-up; the ratio is what a user pays per
# dump relative to the cost of merely reading it. Not part of the test run.
set -euo pipefail

runs=9
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=""
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
while getopts "n:b:h" opt; do
  case $opt in
    n) runs=$OPTARG ;;
    b) bin=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { usage >&2; exit 2; }
if [ -z "$bin" ]; then
  for c in "$here/build-release/analyzer/heapsleuth" "$here/build/analyzer/heapsleuth"; do
    [ -x "$c" ] && { bin=$c; break; }
  done
fi
[ -x "$bin" ] || { echo "scan_vs_read.sh: no heapsleuth binary (build first, or pass -b)" >&2; exit 2; }

# Median wall time in microseconds of "$@" over $runs runs after a warm-up, measured by
# bench/timeit (posix_spawn, no shell in the loop); built here on first use.
timeit="$here/build/bench-timeit"
if [ ! -x "$timeit" ] || [ "$here/bench/timeit.c" -nt "$timeit" ]; then
  mkdir -p "$here/build" && cc -O2 -o "$timeit" "$here/bench/timeit.c"
fi
median_us() { "$timeit" "$runs" "$@" | awk '{print $1}'; }

printf '%-40s %12s %12s %12s %8s %8s\n' "dump" "size" "read (us)" "scan (us)" "scan/rd" "heaps/rd"
for dump in "$@"; do
  size=$(stat -c %s "$dump")
  read_us=$(median_us cat "$dump")
  scan_us=$(median_us "$bin" scan --format json "$dump")
  heaps_us=$(median_us "$bin" heaps --format json "$dump")
  awk -v d="$(basename "$dump")" -v s="$size" -v r="$read_us" -v sc="$scan_us" -v h="$heaps_us" \
    'BEGIN { if (r < 1) r = 1; printf "%-40s %12d %12d %12d %8.2f %8.2f\n", d, s, r, sc, sc / r, h / r }'
done
