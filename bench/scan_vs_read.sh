#!/usr/bin/env bash
# Times `heapsleuth scan` and `heapsleuth heaps` on each dump against the floor of reading the same
# file once (cat to /dev/null, page cache warm), in one run, and prints the ratios. bench/run does
# the same, with peak memory and generated dumps of growing size; this is for any dump at hand.
#
#   bench/scan_vs_read.sh [-n RUNS] [-b HEAPSLEUTH] DUMP...
#
# Figures are medians of RUNS runs (default 9) after one warm-up; the ratio is what a user pays per
# dump relative to the cost of merely reading it. Not part of the test run.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=9
bin=""
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
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
[ -n "$bin" ] || bin=$(bench_find_heapsleuth) || true
[ -x "$bin" ] || { echo "scan_vs_read.sh: no heapsleuth binary (build first, or pass -b)" >&2; exit 2; }

# Median wall time in microseconds of "$@" over $runs runs after a warm-up (bench/timeit.c).
helpers="${BENCH_HELPERS:-$bench_root/build-release/bench}"
bench_helpers "$helpers"
median_us() { "$helpers/timeit" "$runs" "$@" | awk '{print $1}'; }

printf '%-40s %12s %12s %12s %8s %8s\n' "dump" "size" "read (us)" "scan (us)" "scan/rd" "heaps/rd"
for dump in "$@"; do
  size=$(stat -c %s "$dump")
  read_us=$(median_us cat "$dump")
  scan_us=$(median_us "$bin" scan --format json "$dump")
  heaps_us=$(median_us "$bin" heaps --format json "$dump")
  awk -v d="$(basename "$dump")" -v s="$size" -v r="$read_us" -v sc="$scan_us" -v h="$heaps_us" \
    'BEGIN { if (r < 1) r = 1; printf "%-40s %12d %12d %12d %8.2f %8.2f\n", d, s, r, sc, sc / r, h / r }'
done
