"""Ablation of the context rules: dev-set figures with each rule switched off in turn.

    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python -m training.org.ablate

Every rule of :mod:`pipeline.orgs.context` (and the flash-headline subject test) has to
earn its place on the dev sets (CLUENER dev, own news dev) and the CFSC recall probe;
this prints the combined figures with all rules, then without each one.  Dev splits
only: the test split is never used to decide on a rule.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc

import pipeline.orgs.combine as combine_module
from pipeline.orgs.classifier import load_tagger
from pipeline.orgs.component import OrgRecognizer
from pipeline.orgs.rules import load_rules
from training.org.data import REPO_ROOT
from training.org.evaluate import load_sets
from training.org.metrics import span_prf, span_recall
from training.org.tokens import PkusegTokens
from training.org.train import CARD_FILE, MODEL_DIR, MODEL_FILE

DEV_SETS = ("cluener_dev", "own_news_dev", "cfsc_corporate")
# Rule function in pipeline.orgs.combine -> a stand-in that switches it off.
SWITCHED_OFF: dict[str, Callable[..., Any]] = {
    "extend_legal_name": lambda form, start, end: start,
    "coordinate": lambda *a, **k: [],
    "propagate": lambda *a, **k: [],
    "affiliates": lambda *a, **k: [],
    "event_headline": lambda *a: False,
    "descriptor_company": lambda *a: False,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="first N examples per set")
    args = parser.parse_args(argv)
    sets = {k: v for k, v in load_sets(args.limit).items() if k in DEV_SETS}
    if not sets:
        print("no dev set found (../shared/data and corpus/annotated absent?)")
        return 1
    rules = load_rules(REPO_ROOT / "configs" / "orgs")
    tagger = load_tagger(MODEL_DIR / MODEL_FILE, MODEL_DIR / CARD_FILE)
    tokens = PkusegTokens()
    tokenised = {
        name: [
            ([t.text for t in doc], [bool(t.whitespace_) for t in doc])
            for doc in (tokens.nlp.make_doc(ex.text) for ex in examples)
        ]
        for name, examples in sets.items()
    }
    originals = {name: getattr(combine_module, name) for name in SWITCHED_OFF}
    try:
        for off in (None, *SWITCHED_OFF):
            for name, fn in originals.items():
                setattr(combine_module, name, fn)
            if off is not None:
                setattr(combine_module, off, SWITCHED_OFF[off])
            component = OrgRecognizer(tokens.nlp)
            component.set_resources(rules, tagger)
            cells = []
            for name, examples in sets.items():
                pred = []
                for words, spaces in tokenised[name]:
                    doc = component(Doc(tokens.nlp.vocab, words=words, spaces=spaces))
                    pred.append([(e.start_char, e.end_char) for e in doc.ents if e.label_ == "ORG"])
                gold = [ex.spans for ex in examples]
                if name == "cfsc_corporate":
                    cells.append(f"{name} recall {span_recall(gold, pred)['recall_exact']:.4f}")
                else:
                    m = span_prf(gold, pred)
                    cells.append(
                        f"{name} F1 {m['f1']:.4f} (P {m['precision']:.3f} R {m['recall']:.3f})"
                    )
            print(f"{'all rules' if off is None else 'without ' + off:28} " + " | ".join(cells))
    finally:
        for name, fn in originals.items():
            setattr(combine_module, name, fn)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
