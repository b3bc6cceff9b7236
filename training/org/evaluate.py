"""Evaluate ORG recognition: rules alone / model alone / combined, in one run.

    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python -m training.org.evaluate [--write-card]

Sets (read from ``../shared/data`` and ``corpus/annotated``; skipped when absent):
MSRA test ORG F1 (target >= 0.88), CLUENER dev company+organization+government F1
(>= 0.80), recall of CFSC val Corporate spans (>= 0.90; every gold span must be
predicted exactly, "overlap" also counts a predicted span that overlaps it), and the
project's own held-out news ``corpus/annotated/test.jsonl`` ORG F1 (>= 0.92); the
corpus dev split is reported too (rule changes are judged on dev, never on test).

Texts are segmented once with pkuseg; each mode then runs the ``zhnews_orgs``
component on a fresh ``Doc`` built from the same tokens.  ``--write-card`` stores the
figures in the model card's ``metrics.evaluation``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from spacy.tokens import Doc

from pipeline.orgs.classifier import load_tagger
from pipeline.orgs.component import OrgRecognizer
from pipeline.orgs.features import Normaliser
from pipeline.orgs.rules import OrgRules, load_rules
from training.org.data import (
    REPO_ROOT,
    SHARED,
    Example,
    msra_splits,
    read_cfsc_corporate,
    read_cluener,
    read_corpus,
)
from training.org.metrics import span_prf, span_recall
from training.org.tokens import PkusegTokens
from training.org.train import CARD_FILE, MODEL_DIR, MODEL_FILE

MODES = {
    "rules": {"use_model": False, "use_rules": True},
    "model": {"use_model": True, "use_rules": False},
    "combined": {"use_model": True, "use_rules": True},
}
TARGETS = {
    "msra_test": 0.88,
    "cluener_dev": 0.80,
    "cfsc_corporate": 0.90,
    "own_news_dev": 0.92,
    "own_news_test": 0.92,
}


def load_sets(limit: int) -> dict[str, list[Example]]:
    """Every evaluation set that is present, optionally cut to ``limit`` examples."""
    sets: dict[str, list[Example]] = {}
    if (SHARED / "msra_ner" / "test.bio").is_file():
        sets["msra_test"] = msra_splits()[2]
    if (SHARED / "cluener2020" / "dev.json").is_file():
        sets["cluener_dev"] = read_cluener(SHARED / "cluener2020" / "dev.json")
    if (SHARED / "cfsc_fin_news" / "val.json").is_file():
        sets["cfsc_corporate"] = read_cfsc_corporate()
    own_dev = read_corpus("dev")
    if own_dev:
        sets["own_news_dev"] = own_dev
    own = read_corpus("test")
    if own:
        sets["own_news_test"] = own
    if limit:
        sets = {k: v[:limit] for k, v in sets.items()}
    return sets


def folded_gazetteer_names(rules: OrgRules) -> tuple[Normaliser, frozenset[str]]:
    """Every gazetteer name (canonical, strong and weak aliases) in match form."""
    fold = Normaliser(rules.trad_simp, collapse_digits=False)
    names = {fold(n) for e in rules.gazetteer for n in (e.canonical, *e.aliases, *e.weak_aliases)}
    return fold, frozenset(names)


def coverage_split(
    examples: list[Example],
    gold: list[list[tuple[int, int]]],
    pred: list[list[tuple[int, int]]],
    gazetteer_names: tuple[Normaliser, frozenset[str]],
) -> dict[str, float]:
    """Exact recall of the gold spans whose text is a gazetteer name and of the others,
    so a reader sees how much of the recall comes from gazetteer coverage alone."""
    fold, names = gazetteer_names
    out: dict[str, float] = {}
    for part, wanted in (("in_gazetteer", True), ("not_in_gazetteer", False)):
        subset = [
            [(s, e) for s, e in spans if (fold(ex.text[s:e]) in names) == wanted]
            for ex, spans in zip(examples, gold, strict=True)
        ]
        metrics = span_recall(subset, pred)
        out[f"recall_exact_{part}"] = metrics["recall_exact"]
        out[f"n_{part}"] = metrics["n"]
    return out


def predict(
    component: OrgRecognizer, tokenised: list[tuple[list[str], list[bool]]], vocab
) -> list[list[tuple[int, int]]]:
    out = []
    for words, spaces in tokenised:
        doc = component(Doc(vocab, words=words, spaces=spaces))
        out.append([(e.start_char, e.end_char) for e in doc.ents if e.label_ == "ORG"])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=MODEL_DIR)
    parser.add_argument("--limit", type=int, default=0, help="first N examples per set")
    parser.add_argument("--write-card", action="store_true")
    parser.add_argument("--threshold", type=float, default=0.4)
    parser.add_argument("--subject-support", type=float, default=0.05)
    parser.add_argument("--suffix-support", type=float, default=0.3)
    parser.add_argument("--sets", default="", help="comma-separated subset of the set names")
    args = parser.parse_args(argv)

    sets = load_sets(args.limit)
    if args.sets:
        sets = {k: v for k, v in sets.items() if k in args.sets.split(",")}
    if not sets:
        print("no evaluation set found (../shared/data absent?)", file=sys.stderr)
        return 1
    rules = load_rules(REPO_ROOT / "configs" / "orgs")
    gazetteer_names = folded_gazetteer_names(rules)
    t0 = time.perf_counter()
    tagger = load_tagger(args.model_dir / MODEL_FILE, args.model_dir / CARD_FILE)
    print(f"model loaded in {time.perf_counter() - t0:.2f}s")
    tokens = PkusegTokens()
    results: dict[str, dict[str, dict[str, float]]] = {}
    for set_name, examples in sets.items():
        t0 = time.perf_counter()
        tokenised = []
        for ex in examples:
            doc = tokens.nlp.make_doc(ex.text)
            tokenised.append(([t.text for t in doc], [bool(t.whitespace_) for t in doc]))
        print(f"{set_name}: {len(examples)} texts segmented in {time.perf_counter() - t0:.1f}s")
        gold = [ex.spans for ex in examples]
        results[set_name] = {}
        for mode, flags in MODES.items():
            component = OrgRecognizer(
                tokens.nlp,
                threshold=args.threshold,
                subject_support=args.subject_support,
                suffix_support=args.suffix_support,
                **flags,
            )
            component.set_resources(rules, tagger)
            pred = predict(component, tokenised, tokens.nlp.vocab)
            if set_name == "cfsc_corporate":
                metrics = span_recall(gold, pred)
                metrics.update(coverage_split(examples, gold, pred, gazetteer_names))
            else:
                metrics = span_prf(gold, pred)
            results[set_name][mode] = metrics
    print()
    print(f"{'set':16} {'metric':16} {'target':>7} " + " ".join(f"{m:>9}" for m in MODES))
    for set_name, by_mode in results.items():
        key = "recall_exact" if set_name == "cfsc_corporate" else "f1"
        row = " ".join(f"{by_mode[m][key]:9.4f}" for m in MODES)
        print(f"{set_name:16} {key:16} {TARGETS[set_name]:7.2f} {row}")
        if set_name == "cfsc_corporate":
            row = " ".join(f"{by_mode[m]['recall_overlap']:9.4f}" for m in MODES)
            print(f"{'':16} {'recall_overlap':16} {'':7} {row}")
            # What coverage alone buys: gold spans whose text is / is not a gazetteer name
            # (exact recall; the target column gives the number of gold spans).
            for part, label in (
                ("in_gazetteer", "exact in gaz"),
                ("not_in_gazetteer", "exact not in gaz"),
            ):
                n = by_mode["combined"][f"n_{part}"]
                row = " ".join(f"{by_mode[m][f'recall_exact_{part}']:9.4f}" for m in MODES)
                print(f"{'':16} {label:16} {'n=' + str(n):>7} {row}")
        else:
            for key in ("precision", "recall"):
                row = " ".join(f"{by_mode[m][key]:9.4f}" for m in MODES)
                print(f"{'':16} {key:16} {'':7} {row}")
    if args.write_card:
        card_path = args.model_dir / CARD_FILE
        card = json.loads(card_path.read_text(encoding="utf8"))
        card.setdefault("metrics", {})["evaluation"] = {
            "command": "python -m training.org.evaluate --write-card",
            "limit": args.limit or None,
            "targets": TARGETS,
            "results": results,
        }
        card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf8")
        print(f"metrics written to {card_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
