#!/usr/bin/env bash
# `heapsleuth info` against Breakpad's minidump_dump (and minidump_stackwalk -m) on every shared
# dump, in one run: median wall time of RUNS runs each (after a warm-up), the ratio per dump, and
# the geometric mean of the ratios. Dumps Breakpad cannot read are listed and left out.
#
#   bench/parse_vs_breakpad.sh [-n RUNS] [-b HEAPSLEUTH] [-d DUMPS_DIR] [-s]
#     -s  also compare with minidump_stackwalk -m
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=11
bin=""
dumps="${HS_SHARED_DIR:-$here/../shared}/dumps"
stackwalk=0
breakpad="$here/tools/node_modules/minidump/bin/linux-x64"
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
while getopts "n:b:d:sh" opt; do
  case $opt in
    n) runs=$OPTARG ;;
    b) bin=$OPTARG ;;
    d) dumps=$OPTARG ;;
    s) stackwalk=1 ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
if [ -z "$bin" ]; then
  for c in "$here/build-release/analyzer/heapsleuth" "$here/build/analyzer/heapsleuth"; do
    [ -x "$c" ] && { bin=$c; break; }
  done
fi
[ -x "$bin" ] || { echo "parse_vs_breakpad.sh: no heapsleuth binary (build first, or pass -b)" >&2; exit 2; }
[ -x "$breakpad/minidump_dump" ] || { echo "parse_vs_breakpad.sh: Breakpad not installed (run scripts/setup-deps)" >&2; exit 2; }

# Median wall time in microseconds of "$@" over $runs runs after a warm-up, measured by
# bench/timeit (posix_spawn, no shell in the loop); built here on first use.
timeit="$here/build/bench-timeit"
if [ ! -x "$timeit" ] || [ "$here/bench/timeit.c" -nt "$timeit" ]; then
  mkdir -p "$here/build" && cc -O2 -o "$timeit" "$here/bench/timeit.c"
fi
median_us() { "$timeit" "$runs" "$@" | awk '{print $1}'; }

printf '%-45s %10s %10s %8s' "dump" "info us" "mdump us" "ratio"
[ $stackwalk = 1 ] && printf ' %10s %8s' "swalk us" "ratio"
printf '\n'
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for dmp in "$dumps"/*/*.dmp; do
  name=${dmp#"$dumps"/}
  # minidump_dump exits 1 when an optional stream is absent although it printed the dump; it read
  # the dump when its output starts with the header.
  head=$({ "$breakpad/minidump_dump" "$dmp" 2>/dev/null || true; } | head -c 64)
  if [[ "$head" != MDRawHeader* ]]; then
    printf '%-45s %s\n' "$name" "(minidump_dump cannot read it: skipped)"
    continue
  fi
  ours=$(median_us "$bin" info --format json "$dmp")
  theirs=$(median_us "$breakpad/minidump_dump" "$dmp")
  line=$(awk -v o="$ours" -v t="$theirs" 'BEGIN { if (o < 1) o = 1; printf "%.3f", o / t }')
  printf '%-45s %10d %10d %8s' "$name" "$ours" "$theirs" "$line"
  sw_ratio=""
  if [ $stackwalk = 1 ]; then
    sw=$(median_us "$breakpad/minidump_stackwalk" -m "$dmp")
    sw_ratio=$(awk -v o="$ours" -v t="$sw" 'BEGIN { if (o < 1) o = 1; printf "%.3f", o / t }')
    printf ' %10d %8s' "$sw" "$sw_ratio"
  fi
  printf '\n'
  echo "$line $sw_ratio" >>"$results"
done
awk -v sw=$stackwalk '
  { n++; s += log($1); if ($1 > 1) slower++; if (sw) { s2 += log($2); if ($2 > 1) slower2++ } }
  END {
    if (!n) exit
    printf "\n%d dumps: geometric mean info/minidump_dump = %.3f; heapsleuth slower on %d\n", n, exp(s / n), slower
    if (sw) printf "geometric mean info/minidump_stackwalk = %.3f; heapsleuth slower on %d\n", exp(s2 / n), slower2
  }' "$results"
