"""End-to-end fact accuracy on freshly written held-out paragraphs (corpus/fresh/).

    .venv/bin/python benchmarks/fresh_facts.py [corpus/fresh/facts-2026-11-26.jsonl]

Runs the whole pipeline (segmentation, figures, ORG, relations) on each paragraph and
compares every linked figure with the expected subject, canonical metric and kind.
Prints each error (MISS: expected figure not linked; WRONG: another subject; EXTRA: a
figure linked that no fact lists; ATTR: right subject, other metric or kind), then link
precision / recall / F1 and metric / kind accuracy on the correct links.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.api import load, make_doc  # noqa: E402
from pipeline.relations.lexicon import default_lexicon_dir, load_lexicons  # noqa: E402

DEFAULT = ROOT / "corpus" / "fresh" / "facts-2026-11-26.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args(argv)
    table = load_lexicons(default_lexicon_dir()).trad_simp

    def fold(text: str | None) -> str:
        return "".join(table.get(c, c) for c in (text or "")).strip()

    nlp = load()
    records = [json.loads(line) for line in args.path.read_text(encoding="utf8").splitlines()]
    tp = fp = fn = metric_ok = kind_ok = 0
    for rec in records:
        doc = nlp(make_doc(nlp, rec["text"], rec.get("date")))
        predicted = {r["figure"]["text"]: r for r in doc._.relations}
        expected = {fact[0]: fact for fact in rec["facts"]}
        for figure, (_, subject, metric, kind) in expected.items():
            rel = predicted.get(figure)
            if rel is None:
                fn += 1
                print(f"MISS  {rec['id']} {figure} (expected {subject})")
                continue
            got = rel["subject"]
            if fold(subject) not in (fold(got["text"]), fold(got.get("canonical"))):
                fp += 1
                fn += 1
                print(f"WRONG {rec['id']} {figure} -> {got['text']} (expected {subject})")
                continue
            tp += 1
            metric_ok += rel["metric_canonical"] == metric
            kind_ok += rel["kind"] == kind
            if (rel["metric_canonical"], rel["kind"]) != (metric, kind):
                print(f"ATTR  {rec['id']} {figure} {rel['metric_canonical']}/{rel['kind']}"
                      f" (expected {metric}/{kind})")  # fmt: skip
        for figure, rel in predicted.items():
            if figure not in expected:
                fp += 1
                print(f"EXTRA {rec['id']} {figure} -> {rel['subject']['text']} ({rel['metric']})")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(
        f"{len(records)} paragraphs, {sum(len(r['facts']) for r in records)} expected facts: "
        f"link P {precision:.3f} R {recall:.3f} F1 {f1:.3f}; on correct links metric "
        f"{metric_ok / max(tp, 1):.3f}, kind {kind_ok / max(tp, 1):.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
