"""Train the figure -> subject pair classifier and ship it as JSON + model card.

    .venv/bin/python -m training.relations.train [--out pipeline/models/relations]

Steps: run the relation rules on the gold entities of the train split; label each
candidate pair positive when it names the gold subject; fit DictVectorizer +
LogisticRegression (scikit-learn); pick the decision threshold that maximises link
F1 on out-of-fold predictions (grouped by paragraph, so no paragraph scores itself);
write the weights as JSON (no pickle) and a model card with data hashes, versions,
metrics and the SHA-256 of the model file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline

from pipeline.relations.candidates import Candidate
from pipeline.relations.lexicon import default_lexicon_dir, load_lexicons
from pipeline.relations.linker import Linker
from pipeline.relations.model import PairModel, default_model_dir, save_model
from pipeline.relations.scoring import score_relations, subject_key
from training.relations.data import gold_entities, load_split, split_digest

C = 3.0  # chosen on dev among 0.3, 1, 3, 10
SEED = 0


def make_classifier() -> Pipeline:
    """The one estimator the recipe trains (vectoriser + linear model)."""
    return Pipeline(
        [
            ("vec", DictVectorizer(sparse=True)),
            ("clf", LogisticRegression(C=C, max_iter=2000, random_state=SEED)),
        ]
    )


def candidate_is_gold(cand: Candidate, gold: dict[str, Any]) -> bool:
    """A candidate is positive when it names the gold subject (key or exact span)."""
    s = cand.subject
    pred = {"type": s.type, "canonical": s.canonical, "text": s.ref_text}
    gs = gold["subject"]
    if subject_key(pred) == subject_key(gs):
        return True
    return s.type == gs["type"] and (s.ref_start, s.ref_end) == (gs["start"], gs["end"])


def build_pairs(linker: Linker, records: list[dict[str, Any]]):
    """Feature dicts, labels, paragraph groups and per-figure bookkeeping."""
    X: list[dict[str, float]] = []
    y: list[int] = []
    groups: list[int] = []
    figures: list[tuple[int, list[int], bool, bool]] = []  # (group, rows, has_gold, reachable)
    for g, record in enumerate(records):
        gold_by_fig = {(r["figure"]["start"], r["figure"]["end"]): r for r in record["relations"]}
        _, scored, _ = linker.analyse(record["text"], gold_entities(record))
        for item in scored:
            gold = gold_by_fig.get((item.figure.start, item.figure.end))
            rows = []
            reachable = False
            for cand, feats in zip(item.candidates, item.features, strict=True):
                label = int(gold is not None and candidate_is_gold(cand, gold))
                reachable = reachable or bool(label)
                rows.append(len(X))
                X.append(feats)
                y.append(label)
                groups.append(g)
            figures.append((g, rows, gold is not None, reachable))
    return X, np.array(y), np.array(groups), figures


def best_threshold(probs: np.ndarray, y: np.ndarray, figures) -> tuple[float, float]:
    """Threshold on the best candidate's probability that maximises link F1."""
    n_gold = sum(1 for f in figures if f[2])
    best = (0.5, -1.0)
    for threshold in np.arange(0.05, 0.96, 0.025):
        tp = n_pred = 0
        for _, rows, _, _ in figures:
            if not rows:
                continue
            top = max(rows, key=lambda r: probs[r])
            if probs[top] >= threshold:
                n_pred += 1
                tp += int(y[top])
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best[1] + 1e-9:
            best = (float(round(threshold, 3)), f1)
    return best


def train(out_dir: Path) -> dict[str, Any]:
    """Train on the train split, write the model, return the card."""
    lex = load_lexicons(default_lexicon_dir())
    linker = Linker(lex)
    records = load_split("train")
    if not records:
        raise SystemExit("corpus/annotated/train.jsonl is empty: build the corpus first")
    X, y, groups, figures = build_pairs(linker, records)
    oof = np.zeros(len(y))
    n_splits = min(5, len(set(groups.tolist())))
    for train_idx, test_idx in GroupKFold(n_splits=n_splits).split(X, y, groups):
        model = make_classifier().fit([X[i] for i in train_idx], y[train_idx])
        oof[test_idx] = model.predict_proba([X[i] for i in test_idx])[:, 1]
    threshold, oof_f1 = best_threshold(oof, y, figures)
    final = make_classifier().fit(X, y)
    vec: DictVectorizer = final.named_steps["vec"]
    clf: LogisticRegression = final.named_steps["clf"]
    weights = {
        str(name): float(w)
        for name, w in zip(vec.get_feature_names_out(), clf.coef_[0], strict=True)
        if abs(w) > 1e-9
    }
    reachable = sum(1 for f in figures if f[2] and f[3])
    n_gold = sum(1 for f in figures if f[2])
    card = {
        "name": "rel_clf",
        "task": "figure -> subject link scoring (issue #5)",
        "trained_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": {
            "corpus": "corpus/annotated/train.jsonl (written by the zhnews project, MIT)",
            "sha256": split_digest(),
            "paragraphs": len(records),
            "pairs": len(y),
            "positive_pairs": int(y.sum()),
            "linked_figures": n_gold,
            "gold_subject_reachable": reachable,
        },
        "estimator": f"DictVectorizer + LogisticRegression(C={C}); weights exported to JSON",
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
        },
        "metrics": {"train_oof_link_f1": round(oof_f1, 4), "threshold": threshold},
        "licence": "MIT (project-written training data)",
    }
    model = PairModel(
        weights, float(clf.intercept_[0]), threshold, {"C": C, "features": len(weights)}
    )
    dev = load_split("dev")
    if dev:
        link = Linker(lex, model).link
        pairs = [(r, link(r["text"], gold_entities(r))[0]) for r in dev]
        card["metrics"]["dev_gold_entities"] = score_relations(pairs).as_dict()
    save_model(model, out_dir, card)
    return card


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_model_dir())
    args = parser.parse_args()
    card = train(args.out)
    print(f"wrote {args.out}: {card['data']} metrics={card['metrics']}")


if __name__ == "__main__":
    main()
