"""Time the rule-authoring loop on the project corpus (issue #7 targets).

    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python benchmarks/ruleloop_speed.py
    ... --with-org        # also retrain the ORG tagger (needs ../shared/data, slow)

Every step runs as the user runs it, as a ``zhnews`` sub-process (pipeline loading
included), in the order of the tutorial: rules eval -> rules suggest -> annotate ->
import -> train -> rules eval.  New models go to a scratch ``--out`` directory, so the
shipped models are never touched.  As a baseline measured in the same run, the plain
``zhnews extract`` of the same dev paragraphs is timed too, and each step is printed as
a ratio of it.  Targets: whole loop < 120 s, rules eval < 20 s (printed, not asserted).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ZHNEWS = [sys.executable, "-m", "pipeline.cli"]
DEV = REPO / "corpus" / "annotated" / "dev.jsonl"


def timed(name: str, args: list[str], results: list[tuple[str, float, int]]) -> float:
    """Run one command, record its wall time and exit status."""
    env = dict(os.environ, OMP_NUM_THREADS="1", COLUMNS="200")
    start = time.perf_counter()
    proc = subprocess.run([*ZHNEWS, *args], cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    results.append((name, elapsed, proc.returncode))
    if proc.returncode not in (0, 3):
        sys.stderr.write(f"{name} failed ({proc.returncode}):\n{proc.stderr[-2000:]}\n")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-org", action="store_true", help="also retrain the ORG tagger")
    args = parser.parse_args()
    results: list[tuple[str, float, int]] = []
    with tempfile.TemporaryDirectory(prefix="zhnews-ruleloop-") as tmp:
        work = Path(tmp)
        texts = work / "dev_texts.jsonl"
        with DEV.open(encoding="utf8") as src, texts.open("w", encoding="utf8") as dst:
            for line in src:
                if line.strip():
                    rec = json.loads(line)
                    dst.write(
                        json.dumps(
                            {"id": rec["id"], "text": rec["text"], "date": rec.get("date")},
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
        n_docs = sum(1 for _ in texts.open(encoding="utf8"))
        baseline = timed(
            "baseline: extract dev",
            ["extract", str(texts), "-o", str(work / "x.jsonl"), "--workers", "0", "--quiet"],
            results,
        )
        loop = [
            (
                "rules eval (dev)",
                ["rules", "eval", "--json", str(work / "eval1.json"), "--examples", "0"],
            ),
            (
                "rules suggest (train + unlabelled)",
                ["rules", "suggest", "--json", str(work / "sug.json")],
            ),
            (
                "annotate dev (labelstudio)",
                ["annotate", str(texts), "-f", "labelstudio", "-o", str(work / "pre.json")],
            ),
            (
                "import (labelstudio)",
                [
                    "import",
                    str(work / "pre.json"),
                    "-f",
                    "labelstudio",
                    "-o",
                    str(work / "back.jsonl"),
                ],
            ),
            (
                "train relations (--out scratch)",
                ["train", "-c", "relations", "--out", str(work / "models")],
            ),
        ]
        if args.with_org:
            loop.append(
                ("train org (--out scratch)", ["train", "-c", "org", "--out", str(work / "models")])
            )
        loop.append(
            (
                "rules eval again (dev)",
                ["rules", "eval", "--json", str(work / "eval2.json"), "--examples", "0"],
            )
        )
        total = 0.0
        for name, command in loop:
            total += timed(name, command, results)
    print(f"rule-authoring loop on the project corpus ({n_docs} dev paragraphs), wall seconds")
    print(f"{'step':40s} {'seconds':>8s} {'x extract':>10s} {'exit':>5s}")
    for name, seconds, code in results:
        print(f"{name:40s} {seconds:8.1f} {seconds / baseline:10.2f} {code:5d}")
    evals = [s for n, s, _ in results if n.startswith("rules eval")]
    print(f"{'whole loop':40s} {total:8.1f} {total / baseline:10.2f}")
    print(
        f"target: loop < 120 s -> {'met' if total < 120 else 'NOT met'}; rules eval < 20 s -> {'met' if max(evals) < 20 else 'NOT met'} (max {max(evals):.1f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
