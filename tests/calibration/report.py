#!/usr/bin/env python3
"""Agreement of sysdrill's scorer with the blind human grades of the calibration corpus.

Usage (from the repository root, after `cargo build --release`):

    python3 tests/calibration/report.py tune       # the half rubric and lexicon work may look at
    python3 tests/calibration/report.py dev        # a development set, read to check a rule generalises
    python3 tests/calibration/report.py heldout    # only ever scored, never read
    python3 tests/calibration/report.py heldout2   # a second held-out half, newer writers: only scored
    python3 tests/calibration/report.py dev2       # a second development set, scored once before it was read
    python3 tests/calibration/report.py --content drills dev2   # with the rubric files on disk

It runs `sysdrill grade <half> --compare-human --human <half>/human.csv --format json`, takes
Spearman and quadratic weighted kappa from grade's own agreement block, and adds the mean
absolute error, the mean scorer and human score per kind of answer, and per-drill Spearman,
from `<half>/grades.csv` (one row per answer: its kind and the human grade with its reason).
For the halves that may be read (tune, dev) it also lists the largest disagreements, the
answers to read when extending the lexicon, the rubrics or the scorer's rules; the held-out
half is reported as figures only.
Standard library only.
"""
import csv, json, os, statistics, subprocess, sys
from collections import defaultdict

# How many of the largest disagreements to list, for the halves that may be read.
WORST = 15
# The halves whose answers may be read while changing rubrics, the lexicon or the scorer.
READABLE = ("tune", "dev", "dev2", "dev3")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def ranks(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(a, b):
    if len(a) < 3 or len(set(a)) < 2 or len(set(b)) < 2:
        return None
    return statistics.correlation(ranks(a), ranks(b))


def main():
    args = sys.argv[1:]
    content = []
    # `--content DIR` scores with the drill and lexicon files in DIR instead of the embedded
    # ones, so rubric edits can be measured without a rebuild.
    while len(args) >= 2 and args[0] == "--content":
        content += ["--content", args[1]]
        args = args[2:]
    half = args[0] if args else "tune"
    binary = os.environ.get("SYSDRILL", os.path.join(ROOT, "target", "release", "sysdrill"))
    folder = f"tests/calibration/{half}"
    cmd = [binary, "grade", folder, "--compare-human", "--human", f"{folder}/human.csv", "--format", "json"] + content
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if run.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stderr}")
    report = json.loads(run.stdout)
    scores = {row["file"]: row["score"] for row in report["rows"]}
    meta = {r["file"]: r for r in csv.DictReader(open(os.path.join(HERE, half, "grades.csv")))}
    pairs = [(scores[f], float(meta[f]["human_score"]), meta[f]) for f in scores if f in meta]
    if not pairs:
        sys.exit("no graded rows matched grades.csv")
    engine = [p[0] for p in pairs]
    human = [p[1] for p in pairs]
    agreement = report.get("summary", {}).get("agreement") or report.get("agreement") or {}
    mae = sum(abs(e - h) for e, h in zip(engine, human)) / len(pairs)
    print(f"# Calibration, {half} half: {len(pairs)} answers\n")
    print(f"command: `{' '.join(cmd[1:])}`\n")
    print("| figure | value |\n|---|---|")
    print(f"| Spearman (grade) | {agreement.get('spearman', float('nan')):.3f} |")
    print(f"| QWK, 5 levels (grade) | {agreement.get('qwk', float('nan')):.3f} |")
    s = spearman(engine, human)
    print(f"| Spearman (recomputed) | {s:.3f} |" if s is not None else "| Spearman | n/a |")
    print(f"| MAE (points) | {mae:.1f} |\n")
    by_kind = defaultdict(list)
    for e, h, m in pairs:
        by_kind[m["kind"]].append((e, h))
    print("| kind | n | scorer mean | human mean |\n|---|---|---|---|")
    for kind in sorted(by_kind, key=lambda k: -statistics.mean(h for _, h in by_kind[k])):
        xs = by_kind[kind]
        print(f"| {kind} | {len(xs)} | {statistics.mean(e for e, _ in xs):.1f} | {statistics.mean(h for _, h in xs):.1f} |")
    by_drill = defaultdict(list)
    for e, h, m in pairs:
        by_drill[m["drill"]].append((e, h))
    print("\n| drill | n | Spearman | MAE |\n|---|---|---|---|")
    for drill in sorted(by_drill):
        xs = by_drill[drill]
        s = spearman([e for e, _ in xs], [h for _, h in xs])
        d_mae = sum(abs(e - h) for e, h in xs) / len(xs)
        print(f"| {drill} | {len(xs)} | {'n/a' if s is None else f'{s:.2f}'} | {d_mae:.1f} |")

    # Single answers are listed only for the halves that may be read: the held-out half is read
    # as figures.
    if half in READABLE:
        worst = sorted(pairs, key=lambda p: -abs(p[0] - p[1]))[:WORST]
        print(f"\n## Largest disagreements ({len(worst)})\n")
        print("| file | kind | scorer | human | human's reason |\n|---|---|---|---|---|")
        for e, h, m in worst:
            print(f"| {m['file']} | {m['kind']} | {e} | {h:.0f} | {m['human_reason']} |")


if __name__ == "__main__":
    main()
