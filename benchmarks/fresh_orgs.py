"""ORG F1 on freshly written held-out paragraphs (corpus/fresh/orgs-*.jsonl).

    .venv/bin/python benchmarks/fresh_orgs.py [corpus/fresh/orgs-2026-11-26c.jsonl]

Runs the whole pipeline on each paragraph and compares its ORG entities with the gold
spans (exact character offsets).  Prints each error (MISS: a gold span not found; EXTRA:
an ORG that is no gold span; a span that overlaps a gold one with other edges is shown
as BOUNDARY and counts as one miss and one extra), then precision / recall / F1 and the
recall of spans that overlap a predicted ORG at all.  Each line of the file is
``{"id", "text", "orgs": [[start, end, text], ...]}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.api import load  # noqa: E402

DEFAULT = ROOT / "corpus" / "fresh" / "orgs-2026-11-26c.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args(argv)
    nlp = load()
    records = [json.loads(line) for line in args.path.read_text(encoding="utf8").splitlines()]
    tp = fp = fn = overlap = 0
    for rec, doc in zip(records, nlp.pipe(r["text"] for r in records), strict=True):
        text = rec["text"]
        gold = {(s, e) for s, e, _ in rec["orgs"]}
        for s, e, surface in rec["orgs"]:
            if text[s:e] != surface:
                raise SystemExit(f"{args.path}: {rec['id']}: span {s}-{e} is not {surface!r}")
        pred = {(ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ == "ORG"}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        overlap += sum(1 for s, e in gold if any(a < e and s < b for a, b in pred))
        for s, e in sorted(gold - pred):
            near = [(a, b) for a, b in pred - gold if a < e and s < b]
            if near:
                a, b = near[0]
                print(f"BOUNDARY {rec['id']} {text[a:b]!r} (expected {text[s:e]!r})")
            else:
                print(f"MISS     {rec['id']} {text[s:e]!r}")
        for a, b in sorted(pred - gold):
            if not any(s < b and a < e for s, e in gold):
                print(f"EXTRA    {rec['id']} {text[a:b]!r}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n_gold = tp + fn
    print(
        f"{len(records)} paragraphs, {n_gold} gold ORG spans: P {precision:.3f} "
        f"R {recall:.3f} F1 {f1:.3f}; overlap recall {overlap / max(n_gold, 1):.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
