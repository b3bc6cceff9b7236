"""Evaluate the relation stage beside the nearest-subject baseline.

    .venv/bin/python -m training.relations.evaluate [--splits dev test] [--no-e2e] [--json FILE]

For each split it prints figure -> subject link P/R/F1 and metric / kind / period
(and comparison / direction) accuracy, for

* the trained model and the nearest-subject baseline on GOLD entities
  (MONEY/PERCENT/DATE/ORG from the corpus; segments and metrics found by the rules);
* the same two end to end, on the entities predicted by ``pipeline.load()``
  (skipped with a message when the full pipeline cannot be loaded).

Targets (issue #5, test split): link F1 >= 0.92, metric >= 0.90, kind >= 0.93,
period >= 0.85.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pipeline.relations.document import Ent
from pipeline.relations.lexicon import default_lexicon_dir, load_lexicons
from pipeline.relations.linker import Linker
from pipeline.relations.model import default_model_dir, load_model
from pipeline.relations.scoring import RelationScores, score_relations
from training.relations.data import gold_entities, load_split

TARGETS = {"link_f1": 0.92, "metric_acc": 0.90, "kind_acc": 0.93, "period_acc": 0.85}


def evaluate_gold(linker: Linker, records: list[dict[str, Any]], baseline: bool) -> RelationScores:
    """Score the linker on the corpus's gold entities."""
    pairs = []
    for record in records:
        relations, _ = linker.link(record["text"], gold_entities(record), baseline=baseline)
        pairs.append((record, relations))
    return score_relations(pairs)


def predicted_entities(nlp, records: list[dict[str, Any]]) -> list[list[Ent]]:
    """Entities of the full pipeline minus the relation stage, per record."""
    disabled = [name for name in ("zhnews_relations",) if name in nlp.pipe_names]
    out = []
    docs = []
    for record in records:
        doc = nlp.make_doc(record["text"])
        doc._.pub_date = record.get("date")
        docs.append(doc)
    with nlp.select_pipes(disable=disabled):
        for doc in nlp.pipe(docs):
            out.append(
                [
                    Ent(e.start_char, e.end_char, e.label_, e.text, e._.value, e._.canonical)
                    for e in doc.ents
                ]
            )
    return out


def evaluate_e2e(linker: Linker, records, ents_per_record, baseline: bool) -> RelationScores:
    """Score the linker on predicted entities."""
    pairs = []
    for record, ents in zip(records, ents_per_record, strict=True):
        relations, _ = linker.link(record["text"], ents, baseline=baseline)
        pairs.append((record, relations))
    return score_relations(pairs)


def _row(name: str, scores: RelationScores) -> str:
    d = scores.as_dict()
    return (
        f"{name:<28} {d['link_p']:>6.3f} {d['link_r']:>6.3f} {d['link_f1']:>6.3f} "
        f"{d['metric_acc']:>7.3f} {d['kind_acc']:>6.3f} {d['period_acc']:>7.3f} "
        f"{d['comparison_acc']:>5.3f} {d['direction_acc']:>5.3f} {d['n_gold']:>5} {d['n_pred']:>5}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", nargs="+", default=["dev", "test"])
    parser.add_argument("--model", type=Path, default=default_model_dir())
    parser.add_argument("--no-e2e", action="store_true", help="skip the end-to-end run")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    lex = load_lexicons(default_lexicon_dir())
    linker = Linker(lex, load_model(args.model))
    nlp = None
    e2e_note = "skipped (--no-e2e)"
    if not args.no_e2e:
        try:
            import pipeline

            nlp = pipeline.load()
            missing = [n for n in ("zhnews_figures", "zhnews_orgs") if n not in nlp.pipe_names]
            if missing:
                print(
                    f"note: {', '.join(missing)} not in the pipeline: "
                    "end-to-end numbers lack those entities"
                )
        except Exception as err:  # the full pipeline is optional for this recipe
            e2e_note = f"skipped: pipeline.load() failed: {type(err).__name__}: {err}"
    results: dict[str, Any] = {}
    header = (
        f"{'system':<28} {'P':>6} {'R':>6} {'F1':>6} {'metric':>7} {'kind':>6} {'period':>7} "
        f"{'cmp':>5} {'dir':>5} {'gold':>5} {'pred':>5}"
    )
    for split in args.splits:
        records = load_split(split)
        print(
            f"\n== {split}: {len(records)} paragraphs, "
            f"{sum(len(r['relations']) for r in records)} linked figures"
        )
        if not records:
            continue
        print(header)
        rows = {
            "gold/model": evaluate_gold(linker, records, baseline=False),
            "gold/nearest-subject": evaluate_gold(linker, records, baseline=True),
        }
        if nlp is not None:
            ents = predicted_entities(nlp, records)
            rows["e2e/model"] = evaluate_e2e(linker, records, ents, baseline=False)
            rows["e2e/nearest-subject"] = evaluate_e2e(linker, records, ents, baseline=True)
        for name, scores in rows.items():
            print(_row(name, scores))
        if nlp is None:
            print(f"end to end: {e2e_note}")
        results[split] = {name: s.as_dict() for name, s in rows.items()}
    print("\ntargets (test, model):", ", ".join(f"{k} >= {v}" for k, v in TARGETS.items()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf8")


if __name__ == "__main__":
    main()
