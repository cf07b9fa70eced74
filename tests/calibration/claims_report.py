#!/usr/bin/env python3
"""Measure claim detection on the labelled claim set.

Usage (from the repository root, after `cargo build --release`):

    python3 tests/calibration/claims_report.py tune
    python3 tests/calibration/claims_report.py heldout
    python3 tests/calibration/claims_report.py dev
    python3 tests/calibration/claims_report.py dev2

While editing rubrics, `--content drills` scores with the drill and lexicon files on disk instead
of the ones built into the binary, so a change can be measured without rebuilding.

Each answer in tests/calibration/claims/<half>/<drill>.json carries the claims it asserts and
the claims it mentions only to reject, question or quote them. The answer is scored with
`sysdrill score <drill> --format json` and the claims that fired are compared with the labels:

- misconception recall: asserted misconceptions that fired, over all asserted misconceptions;
- red-flag precision: fired red flags the answer asserts, over all fired red flags;
- and, for context, red-flag recall, misconception precision, and how often a claim fires on
  an answer that rejects it.
"""
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The binary to measure; SYSDRILL overrides it, as in report.py.
BINARY = pathlib.Path(os.environ.get("SYSDRILL", ROOT / "target" / "release" / "sysdrill"))


CONTENT = []


def fired(drill, text):
    run = subprocess.run(
        [str(BINARY), *CONTENT, "score", drill, "--format", "json", "--color", "never", "-"],
        input=text, capture_output=True, text=True, check=True,
    )
    report = json.loads(run.stdout)
    red = {c["id"] for c in report["red_flags"] if c["fired"]}
    mis = {c["id"] for c in report["misconceptions"] if c["fired"]}
    return red, mis


def ratio(part, whole):
    return f"{100.0 * part / whole:5.1f} % ({part}/{whole})" if whole else "   n/a"


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--content":
        CONTENT.extend(["--content", args[1]])
        args = args[2:]
    if len(args) != 1 or args[0] not in ("tune", "heldout", "dev", "dev2"):
        sys.exit("usage: claims_report.py [--content DIR] tune|heldout|dev|dev2")
    sys.argv[1:] = args
    half = ROOT / "tests" / "calibration" / "claims" / sys.argv[1]
    counts = dict(mis_asserted=0, mis_hit=0, mis_fired=0, mis_fired_true=0,
                  red_asserted=0, red_hit=0, red_fired=0, red_fired_true=0,
                  rejected=0, rejected_fired=0)
    misses, false_fires = [], []
    for path in sorted(half.glob("*.json")):
        data = json.loads(path.read_text())
        drill = data["drill"]
        for answer in data["answers"]:
            red, mis = fired(drill, answer["text"])
            asserted = set(answer["asserts"])
            for claim in red:
                counts["red_fired"] += 1
                if claim in asserted:
                    counts["red_fired_true"] += 1
                else:
                    false_fires.append((drill, answer["id"], claim))
            for claim in mis:
                counts["mis_fired"] += 1
                if claim in asserted:
                    counts["mis_fired_true"] += 1
                else:
                    false_fires.append((drill, answer["id"], claim))
            for claim in answer.get("rejects", []):
                counts["rejected"] += 1
                if claim in red or claim in mis:
                    counts["rejected_fired"] += 1
            for claim in asserted:
                kind = claim_kind(drill, claim)
                if kind == "misconception":
                    counts["mis_asserted"] += 1
                    counts["mis_hit"] += claim in mis
                    if claim not in mis:
                        misses.append((drill, answer["id"], claim))
                elif kind == "red_flag":
                    counts["red_asserted"] += 1
                    counts["red_hit"] += claim in red
                    if claim not in red:
                        misses.append((drill, answer["id"], claim))
    c = counts
    print(f"claim set: {sys.argv[1]}")
    print(f"misconception recall     {ratio(c['mis_hit'], c['mis_asserted'])}   (target >= 80 %)")
    print(f"red-flag precision       {ratio(c['red_fired_true'], c['red_fired'])}   (target >= 95 %)")
    print(f"red-flag recall          {ratio(c['red_hit'], c['red_asserted'])}")
    print(f"misconception precision  {ratio(c['mis_fired_true'], c['mis_fired'])}")
    print(f"fired on a rejection     {ratio(c['rejected_fired'], c['rejected'])}")
    if sys.argv[1] != "heldout":  # the held-out half is only ever scored, never read
        for drill, answer, claim in misses:
            print(f"  missed      {drill} {answer}: {claim}")
        for drill, answer, claim in false_fires:
            print(f"  false fire  {drill} {answer}: {claim}")


_KINDS = {}


def claim_kind(drill, claim):
    """Whether `claim` is a red flag or a misconception of `drill`, read from the scorer."""
    if drill not in _KINDS:
        run = subprocess.run(
            [str(BINARY), *CONTENT, "score", drill, "--format", "json", "--color", "never", "-"],
            input="", capture_output=True, text=True, check=True,
        )
        report = json.loads(run.stdout)
        _KINDS[drill] = {c["id"]: "red_flag" for c in report["red_flags"]}
        _KINDS[drill].update({c["id"]: "misconception" for c in report["misconceptions"]})
    return _KINDS[drill].get(claim)


if __name__ == "__main__":
    main()
