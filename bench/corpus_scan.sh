#!/usr/bin/env bash
# Builds a release heapsleuth and the corpus generator, generates the 6000-heap KB Q293150 repro
# (corpus/scenarios/xp-kb-positive.scn) and other corpus scenarios, and times `heaps` and `scan`
# on each against reading the same dump once (bench/scan_vs_read.sh).
#
#   bench/corpus_scan.sh [-n RUNS] [SCENARIO...]     default: xp-kb-positive win7-x64-positive
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=9
while getopts "n:h" opt; do
  case $opt in
    n) runs=$OPTARG ;;
    h) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(xp-kb-positive win7-x64-positive)

build="$here/build-release"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHS_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" >/dev/null
out="$build/bench-corpus"
mkdir -p "$out"
dumps=()
for s in "${scenarios[@]}"; do
  "$build/corpus/hs-corpus-gen" "$here/corpus/scenarios/$s.scn" "$out/$s.dmp"
  dumps+=("$out/$s.dmp")
done
"$here/bench/scan_vs_read.sh" -n "$runs" -b "$build/analyzer/heapsleuth" "${dumps[@]}"
