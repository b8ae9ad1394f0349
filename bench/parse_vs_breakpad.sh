#!/usr/bin/env bash
# Parse-only speed: `heapsleuth info --format json` against Breakpad's `minidump_dump` and
# `minidump_stackwalk -m` on every dump, in one run. Prints a Markdown table: per dump the median
# (min–max) wall time of RUNS runs of each tool (after a warm-up; the three run interleaved), the ratios info/minidump_dump and
# info/minidump_stackwalk, then the geometric means. A dump minidump_dump cannot read is listed and
# left out; a dump minidump_stackwalk fails on is left out of that ratio only.
#
#   bench/parse_vs_breakpad.sh [-n RUNS] [-b HEAPSLEUTH] [-d DIR]... [-c DIR]... [-S SUMMARY]
#     -d DIR   dumps (*.dmp, recursively) named by their path under DIR; default tests/data/real
#     -c DIR   more dumps, named corpus/NAME (bench/run passes the generated corpus scenarios)
#     -S FILE  append machine-readable results (key value lines) for bench/run's targets
#     -s       accepted for compatibility (minidump_stackwalk is always compared)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

runs=11
bin=""
dirs=()
corpus_dirs=()
summary=/dev/null
breakpad="$bench_root/tools/node_modules/minidump/bin/linux-x64"
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while getopts "n:b:d:c:S:sh" opt; do
  case $opt in
    n) runs=$OPTARG ;;
    b) bin=$OPTARG ;;
    d) dirs+=("$OPTARG") ;;
    c) corpus_dirs+=("$OPTARG") ;;
    S) summary=$OPTARG ;;
    s) ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[ ${#dirs[@]} -gt 0 ] || dirs=("$bench_root/tests/data/real")
[ -n "$bin" ] || bin=$(bench_find_heapsleuth) || true
[ -x "$bin" ] || { echo "parse_vs_breakpad.sh: no heapsleuth binary (build first, or pass -b)" >&2; exit 2; }
[ -x "$breakpad/minidump_dump" ] || { echo "parse_vs_breakpad.sh: Breakpad not installed (run scripts/setup-deps)" >&2; exit 2; }
helpers="${BENCH_HELPERS:-$bench_root/build-release/bench}"
bench_helpers "$helpers"
timeit="$helpers/timeit"

# name<TAB>path for every dump, real ones first.
list=$(mktemp)
results=$(mktemp)
trap 'rm -f "$list" "$results"' EXIT
for d in "${dirs[@]}"; do
  find "$d" -name '*.dmp' -type f | LC_ALL=C sort | while read -r f; do printf '%s\t%s\n' "${f#"$d"/}" "$f"; done
done >>"$list"
for d in ${corpus_dirs[@]+"${corpus_dirs[@]}"}; do
  find "$d" -name '*.dmp' -type f | LC_ALL=C sort | while read -r f; do printf 'corpus/%s\t%s\n' "${f#"$d"/}" "$f"; done
done >>"$list"

echo "| dump | info ms | minidump_dump ms | info/dump | minidump_stackwalk -m ms | info/stackwalk |"
echo "|---|---:|---:|---:|---:|---:|"
skipped=()
while IFS=$'\t' read -r -u 3 name dmp; do
  # minidump_dump exits 1 when an optional stream is absent although it printed the dump; it read
  # the dump when its output starts with the header.
  head=$({ "$breakpad/minidump_dump" "$dmp" 2>/dev/null || true; } | head -c 64)
  if [[ "$head" != MDRawHeader* ]]; then
    skipped+=("$name")
    continue
  fi
  # The three tools run interleaved, so load from elsewhere on the machine hits them alike.
  mapfile -t lines < <("$timeit" "$runs" -- "$bin" info --format json "$dmp" -- "$breakpad/minidump_dump" "$dmp" \
    -- "$breakpad/minidump_stackwalk" -m "$dmp")
  read -r o omin omax _ _ _ ocpu _ <<<"${lines[0]}"
  read -r t tmin tmax _ _ _ tcpu _ <<<"${lines[1]}"
  read -r w wmin wmax _ _ _ wcpu wstatus <<<"${lines[2]}"
  r1=$(awk -v o="$o" -v t="$t" 'BEGIN { if (o < 1) o = 1; if (t < 1) t = 1; printf "%.3f", o / t }')
  if [ "$wstatus" = 0 ]; then
    r2=$(awk -v o="$o" -v t="$w" 'BEGIN { if (o < 1) o = 1; if (t < 1) t = 1; printf "%.3f", o / t }')
    sw="$(bench_range "$w" "$wmin" "$wmax")"
  else
    r2="-"
    sw="fails (exit $wstatus)"
  fi
  echo "| $name | $(bench_range "$o" "$omin" "$omax") | $(bench_range "$t" "$tmin" "$tmax") | $r1 | $sw | $r2 |"
  c1=$(awk -v o="$ocpu" -v t="$tcpu" 'BEGIN { if (o < 1) o = 1; if (t < 1) t = 1; printf "%.3f", o / t }')
  c2=$(awk -v o="$ocpu" -v t="$wcpu" 'BEGIN { if (o < 1) o = 1; if (t < 1) t = 1; printf "%.3f", o / t }')
  [ "$wstatus" = 0 ] || c2="-"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$r1" "$r2" "$c1" "$c2" >>"$results"
done 3<"$list"
echo
if [ ${#skipped[@]} -gt 0 ]; then
  echo "Not read by minidump_dump, left out (${#skipped[@]}): ${skipped[*]}"
  echo
fi
awk -F'\t' -v summary="$summary" '
  { n++; s1 += log($2); c1 += log($4); if ($5 != "-") c2 += log($5); if ($2 >= 1) { slow1++; l1 = l1 " " $1 }
    if ($3 != "-") { n2++; s2 += log($3); if ($3 >= 1) { slow2++; l2 = l2 " " $1 } if ($3 > max2) max2 = $3 } }
  END {
    if (!n) exit
    printf "%d dumps read by minidump_dump: geometric mean info/minidump_dump = **%.3f**; info not faster on %d of them%s\n\n",
      n, exp(s1 / n), slow1, slow1 && slow1 <= 12 ? ":" l1 : ""
    if (n2) printf "%d dumps read by both info and minidump_stackwalk: geometric mean info/minidump_stackwalk = **%.3f** (worst %.3f); info not faster on %d of them%s\n",
      n2, exp(s2 / n2), max2, slow2, slow2 && slow2 <= 12 ? ":" l2 : ""
    printf "\nThe same on CPU time (user+system of each process, less sensitive to other load on the machine): geometric mean info/minidump_dump = %.3f, info/minidump_stackwalk = %.3f\n",
      exp(c1 / n), n2 ? exp(c2 / n2) : 0
    printf "parse_dumps %d\nparse_geo_dump %.3f\nparse_slow_dump %d\nparse_dumps_sw %d\nparse_geo_sw %.3f\nparse_slow_sw %d\nparse_worst_sw %.3f\n",
      n, exp(s1 / n), slow1, n2, n2 ? exp(s2 / n2) : 0, slow2, max2 >> summary
  }' "$results"
