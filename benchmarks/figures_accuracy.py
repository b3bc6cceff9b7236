"""Span F1 per label and exact-value accuracy on the figure case tables.

    .venv/bin/python benchmarks/figures_accuracy.py [--errors] [--split dev|heldout|all]

Targets (issue #3): held-out >= 0.98 span F1 per label and >= 0.97 exact values.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.figures.cases import load_cases, score  # noqa: E402
from pipeline.figures.recognizer import FigureEngine  # noqa: E402

SPLITS = {
    "dev": ROOT / "corpus" / "cases" / "dev.yaml",
    "heldout": ROOT / "corpus" / "cases" / "heldout.yaml",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=["dev", "heldout", "all"], default="all")
    parser.add_argument("--errors", action="store_true", help="list every miss")
    args = parser.parse_args()
    engine = FigureEngine.from_paths()
    names = list(SPLITS) if args.split == "all" else [args.split]
    for name in names:
        if not SPLITS[name].exists():
            print(f"{name}: {SPLITS[name]} missing")
            continue
        cases = load_cases(SPLITS[name])
        report = score(cases, engine.find)
        errors = report.pop("_errors")
        print(f"== {name}: {len(cases)} cases")
        print(f"{'label':<8} {'support':>7} {'P':>6} {'R':>6} {'F1':>6} {'exact':>6}")
        for label, m in report.items():
            print(
                f"{label:<8} {int(m['support']):>7} {m['precision']:>6.3f} {m['recall']:>6.3f}"
                f" {m['f1']:>6.3f} {m['exact']:>6.3f}"
            )
        if args.errors:
            for line in errors:
                print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
