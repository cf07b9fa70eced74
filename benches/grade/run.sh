#!/usr/bin/env bash
# Batch-grading benchmark: generate N synthetic transcripts on disk, grade the first SMALL of them
# and then all N with `sysdrill grade --jobs 2`, and scan the same files with ripgrep for the
# drills' concept phrases as a floor (the cost of just reading and matching the bytes).
#
# Reports, for each size: wall time, transcripts/s, peak RSS (from /usr/bin/time -v; flat RSS
# between SMALL and N is the point), the rg wall time and the grade/rg ratio (goal: <= 10x).
#
# Usage: benches/grade/run.sh [N] [SMALL]        (defaults 100000 and 10000)
# Env:   BENCH_DIR=DIR  keep the generated files there (default: a temp dir, removed at the end)
#        JOBS=2         worker threads for grade and rg
#        GEN_ARGS=...   extra gen_transcripts flags (e.g. --no-tools)
# Needs: /usr/bin/time (apt-get install time) and rg (apt-get install ripgrep).
set -euo pipefail

N=${1:-100000}
SMALL=${2:-10000}
JOBS=${JOBS:-2}
cd "$(dirname "$0")/../.."

for tool in /usr/bin/time rg; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install time ripgrep)" >&2; exit 2; }
done

cargo build --release --quiet --bin sysdrill --example gen_transcripts
BIN=target/release/sysdrill
GEN=target/release/examples/gen_transcripts

if [[ -n "${BENCH_DIR:-}" ]]; then
    WORK=$BENCH_DIR
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
fi
DATA=$WORK/transcripts
KEYWORDS=$WORK/keywords.txt

if [[ ! -f "$WORK/.generated-$N" ]]; then
    rm -rf "$DATA"
    echo "generating $N transcripts in $DATA ..."
    /usr/bin/time -f "  generated in %e s" "$GEN" "$DATA" "$N" --seed 42 --keywords "$KEYWORDS" ${GEN_ARGS:-}
    touch "$WORK/.generated-$N"
fi
echo "  $(du -sh "$DATA" | cut -f1) on disk, $(wc -l < "$KEYWORDS") keyword phrases"

# The first SMALL transcripts are the first SMALL/1000 folders.
small_paths() {
    local folders=$(( (SMALL + 999) / 1000 ))
    for ((i = 0; i < folders; i++)); do printf '%s/%04d\n' "$DATA" "$i"; done
}

# measure LABEL CMD... : runs CMD under /usr/bin/time -v, prints "wall_s rss_kib".
measure() {
    local log=$WORK/time.log
    local status=0
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || status=$?
    # grade exits 1 when a file was bad; anything else is a failure of the run.
    if (( status > 1 )); then
        cat "$log" >&2
        exit 1
    fi
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
    echo "$wall $rss"
}

# Warm the page cache so both tools read from memory.
rg -j "$JOBS" -c -i -F -f "$KEYWORDS" "$DATA" >/dev/null || true

printf '\n%-8s %10s %12s %12s %10s %12s %8s\n' size grade_s per_s grade_rss_MiB rg_s rg_rss_MiB ratio
for size in "$SMALL" "$N"; do
    if [[ "$size" == "$N" ]]; then
        paths=("$DATA")
    else
        mapfile -t paths < <(small_paths)
    fi
    read -r gwall grss < <(measure "$BIN" grade --jobs "$JOBS" --format csv "${paths[@]}")
    read -r rwall rrss < <(measure rg -j "$JOBS" -c -i -F -f "$KEYWORDS" "${paths[@]}")
    awk -v n="$size" -v gw="$gwall" -v gr="$grss" -v rw="$rwall" -v rr="$rrss" 'BEGIN {
        printf "%-8d %10.2f %12.0f %12.1f %10.2f %12.1f %7.1fx\n",
            n, gw, (gw > 0 ? n / gw : 0), gr / 1024, rw, rr / 1024, (rw > 0 ? gw / rw : 0) }'
done
