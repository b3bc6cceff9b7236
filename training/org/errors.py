"""List missed gold ORG spans and false positives (combined mode) for error analysis.

    .venv/bin/python -m training.org.errors --sets own_news_dev,cfsc_corporate [--limit N]

Prints one line per error: ``MISS``/``FP``/``BOUND`` (a prediction overlapping a gold
span with other boundaries), the span text and some context.  Use it on dev splits and
on training data only; never tune on a test split.
"""

from __future__ import annotations

import argparse

from spacy.tokens import Doc

from pipeline.orgs.classifier import load_tagger
from pipeline.orgs.component import OrgRecognizer
from pipeline.orgs.rules import load_rules
from training.org.data import REPO_ROOT, msra_splits
from training.org.evaluate import load_sets
from training.org.tokens import PkusegTokens
from training.org.train import CARD_FILE, MODEL_DIR, MODEL_FILE


def _ctx(text: str, s: int, e: int, width: int = 12) -> str:
    return f"{text[max(0, s - width) : s]}[{text[s:e]}]{text[e : e + width]}".replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="own_news_dev")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=0.4)
    args = parser.parse_args(argv)
    wanted = args.sets.split(",")
    sets = {k: v for k, v in load_sets(args.limit).items() if k in wanted}
    if "msra_dev" in wanted:
        sets["msra_dev"] = msra_splits()[1][: args.limit or None]
    rules = load_rules(REPO_ROOT / "configs" / "orgs")
    tagger = load_tagger(MODEL_DIR / MODEL_FILE, MODEL_DIR / CARD_FILE)
    tokens = PkusegTokens()
    component = OrgRecognizer(tokens.nlp, threshold=args.threshold)
    component.set_resources(rules, tagger)
    for name, examples in sets.items():
        tokenised = []
        for ex in examples:
            doc = tokens.nlp.make_doc(ex.text)
            tokenised.append(([t.text for t in doc], [bool(t.whitespace_) for t in doc]))
        for ex, (words, spaces) in zip(examples, tokenised, strict=True):
            doc = component(Doc(tokens.nlp.vocab, words=words, spaces=spaces))
            orgs = [e for e in doc.ents if e.label_ == "ORG"]
            pred = [(e.start_char, e.end_char) for e in orgs]
            source = {(e.start_char, e.end_char): e._.source for e in orgs}
            gold = set(ex.spans)
            for s, e in sorted(gold - set(pred)):
                over = [p for p in pred if p[0] < e and s < p[1]]
                tag = "BOUND" if over else "MISS"
                extra = (
                    " ~ " + ",".join(f"{ex.text[a:b]}<{source[(a, b)]}>" for a, b in over)
                    if over
                    else ""
                )
                print(f"{name}\t{tag}\t{ex.text[s:e]}{extra}\t{_ctx(ex.text, s, e)}")
            if name == "cfsc_corporate":
                continue
            for s, e in sorted(set(pred) - gold):
                if any(g[0] < e and s < g[1] for g in gold):
                    continue
                print(f"{name}\tFP\t{ex.text[s:e]}\t{source[(s, e)]}\t{_ctx(ex.text, s, e)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
