#!/usr/bin/env bash
# Score equivalence check for scorer optimisations: scores everything the scorer is asked about
# with the current release build and either records the reports in a folder or compares them
# with a folder recorded earlier (by another build). A change meant only to make the scorer
# faster must leave every report byte for byte the same.
#
# What is scored:
#   grade.json       both halves of the calibration corpus, graded (score, band, confidence,
#                    concepts hit / missed / negated, red flags, misconceptions per answer),
#                    against the outputs each transcript shows
#   check.json       every shipped drill's calibration examples (`sysdrill check`)
#   synthetic.json   SYNTH synthetic practice sessions over all drills (examples/gen_transcripts,
#                    seed 1, tools on), graded
#   answers/         every calibration answer scored on its own (`sysdrill score --format json`:
#                    the full report, evidence and pushback included)
#
# Usage: benches/score_golden.sh record DIR      (before the change)
#        benches/score_golden.sh compare DIR     (after it; exit status 1 on any difference)
# Env:   SYNTH=2000   how many synthetic sessions
# Needs: python3 (to take each answer out of its transcript).
set -euo pipefail

MODE=${1:?usage: $0 record|compare DIR}
DIR=${2:?usage: $0 record|compare DIR}
SYNTH=${SYNTH:-2000}
cd "$(dirname "$0")/.."

cargo build --release --quiet --bin sysdrill --example gen_transcripts
BIN=$PWD/target/release/sysdrill
GEN=$PWD/target/release/examples/gen_transcripts

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# `grade` and `check` exit 1 when some answer or example falls short; that is a result, not an
# error, so only a status above 1 stops the script.
run() {
    local status=0
    "$@" || status=$?
    if ((status > 1)); then
        echo "$* failed with status $status" >&2
        exit "$status"
    fi
}

run "$BIN" grade tests/calibration/tune tests/calibration/heldout --format json --jobs 1 \
    >"$OUT/grade.json"
run "$BIN" check --format json >"$OUT/check.json"

"$GEN" "$OUT/sessions" "$SYNTH" --seed 1 --no-human >/dev/null
run "$BIN" grade "$OUT/sessions" --format json --jobs 1 >"$OUT/synthetic.json"
# The transcripts sit in a temporary folder: keep the report independent of its name.
sed -i "s|$OUT/sessions|SESSIONS|g" "$OUT/synthetic.json"
rm -rf "$OUT/sessions"

mkdir -p "$OUT/answers"
python3 - "$OUT/answers" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
for path in sorted(pathlib.Path("tests/calibration").glob("*/*/*.json")):
    transcript = json.loads(path.read_text())
    answers = [t for t in transcript.get("turns", [])
               if t.get("who") == "candidate" and "command" not in t]
    for k, event in enumerate(answers):
        name = f"{path.parent.parent.name}.{path.parent.name}.{path.stem}.{k}"
        (out / f"{name}.drill").write_text(path.parent.name)
        (out / f"{name}.txt").write_text(event.get("text", ""))
PY
for answer in "$OUT"/answers/*.txt; do
    drill=$(<"${answer%.txt}.drill")
    run "$BIN" score "$drill" "$answer" --format json >"${answer%.txt}.report.json"
    rm "${answer%.txt}.drill" "$answer"
done
count=$(find "$OUT/answers" -name '*.report.json' | wc -l)
if ((count == 0)); then
    echo "no calibration answer was found in the transcripts" >&2
    exit 2
fi

case $MODE in
record)
    rm -rf "$DIR"
    mkdir -p "$DIR"
    cp -r "$OUT"/. "$DIR"/
    echo "recorded $count answer reports and the grade, check and synthetic reports in $DIR"
    ;;
compare)
    if diff -r "$DIR" "$OUT" >"$OUT.diff"; then
        echo "identical: $count answer reports, grade, check and synthetic reports"
        rm -f "$OUT.diff"
    else
        head -50 "$OUT.diff"
        echo "DIFFERENT (full diff in $OUT.diff)" >&2
        exit 1
    fi
    ;;
*)
    echo "usage: $0 record|compare DIR" >&2
    exit 2
    ;;
esac
