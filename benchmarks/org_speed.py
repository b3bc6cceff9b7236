"""ORG stage speed as a ratio of pkuseg segmentation time, model size and load time.

    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python benchmarks/org_speed.py [--n 1000]

Target: the ORG stage adds at most 25% to segmentation time (ratio <= 0.25), the model
file is <= 50 MB and loads in <= 2 s.  All stages are timed in the same run on the same
texts (best of ``--repeat`` runs), so the ratio does not depend on the machine's load.
Texts: THUCNews finance sentences from ../shared/data when present, else the project's
annotated news paragraphs.

Segmentation reference: BARE pkuseg, ``spacy_pkuseg.pkuseg(model_dir, user_dict).cut``
(model of ``pipeline.segmenter.default_model_dir()``, user dictionary
``configs/pkuseg_user_dict.txt``), which does not move when the pipeline's tokenizer
gets faster.  The ratio against the pipeline's own tokenizer (``nlp.make_doc``, which
also makes the docs the ORG stage runs on) is printed beside it for transparency.

Two ORG figures: ``component(doc)`` one doc at a time, and ``component.pipe(docs)``, the
path ``nlp.pipe`` takes (the tagger runs once per batch of ``--batch-size`` docs).  The
headline ratio is the ``pipe`` one; both give identical entities
(``benchmarks/org_identity.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

SHARED = REPO_ROOT / ".." / "shared" / "data"
MODEL_DIR = REPO_ROOT / "pipeline" / "models" / "org"


def load_texts(n: int) -> list[str]:
    path = SHARED / "thucnews" / "finance_sentences.txt"
    if path.is_file():
        lines = [ln.strip() for ln in path.read_text(encoding="utf8").splitlines() if ln.strip()]
        return lines[:n]
    texts = []
    for split in ("train", "dev", "test"):
        p = REPO_ROOT / "corpus" / "annotated" / f"{split}.jsonl"
        if p.is_file():
            texts += [
                json.loads(line)["text"]
                for line in p.read_text(encoding="utf8").splitlines()
                if line.strip()
            ]
    return texts[:n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128, help="docs per pipe batch")
    parser.add_argument(
        "--join", type=int, default=1, help="join N sentences into one paragraph-sized text"
    )
    args = parser.parse_args()

    import spacy_pkuseg

    import pipeline
    from pipeline.orgs.classifier import load_tagger
    from pipeline.orgs.component import OrgRecognizer
    from pipeline.orgs.rules import load_rules
    from pipeline.segmenter import default_model_dir

    model = MODEL_DIR / "org_clf.npz"
    card = MODEL_DIR / "org_clf.card.json"
    t0 = time.perf_counter()
    tagger = load_tagger(model, card)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rules = load_rules(REPO_ROOT / "configs" / "orgs")
    rules_s = time.perf_counter() - t0

    texts = load_texts(args.n)
    if args.join > 1:
        texts = ["".join(texts[i : i + args.join]) for i in range(0, len(texts), args.join)]
    n_chars = sum(map(len, texts))
    user_dict = REPO_ROOT / "configs" / "pkuseg_user_dict.txt"
    bare = spacy_pkuseg.pkuseg(str(default_model_dir()), user_dict=str(user_dict))
    nlp = pipeline.load()
    component = OrgRecognizer(nlp)
    component.set_resources(rules, tagger)

    best_seg = best_tok = best_org = best_pipe = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for t in texts:
            bare.cut(t)
        best_seg = min(best_seg, time.perf_counter() - t0)
        t0 = time.perf_counter()
        docs = [nlp.make_doc(t) for t in texts]
        best_tok = min(best_tok, time.perf_counter() - t0)
        t0 = time.perf_counter()
        for doc in docs:
            component(doc)
        best_org = min(best_org, time.perf_counter() - t0)
        docs = [nlp.make_doc(t) for t in texts]
        t0 = time.perf_counter()
        for _doc in component.pipe(docs, batch_size=args.batch_size):
            pass
        best_pipe = min(best_pipe, time.perf_counter() - t0)
    n_orgs = sum(1 for d in docs for e in d.ents if e.label_ == "ORG")
    print(f"texts: {len(texts)} ({n_chars} chars), ORG entities found: {n_orgs}")
    print(f"pkuseg segmentation: {best_seg:.3f}s ({n_chars / best_seg:,.0f} chars/s, bare)")
    print(f"pipeline tokenizer:  {best_tok:.3f}s ({n_chars / best_tok:,.0f} chars/s)")
    print(f"ORG stage, per doc:  {best_org:.3f}s ({n_chars / best_org:,.0f} chars/s)")
    print(f"ORG stage, pipe:     {best_pipe:.3f}s ({n_chars / best_pipe:,.0f} chars/s)")
    print(
        f"ORG / segmentation:  {best_pipe / best_seg:.3f} pipe, "
        f"{best_org / best_seg:.3f} per doc  (target <= 0.25; bare pkuseg)"
    )
    print(
        f"ORG / tokenizer:     {best_pipe / best_tok:.3f} pipe, "
        f"{best_org / best_tok:.3f} per doc  (the pipeline's tokenizer, for transparency)"
    )
    print(f"model file:          {model.stat().st_size / 1e6:.1f} MB  (target <= 50 MB)")
    print(f"model load:          {load_s:.2f}s + rules {rules_s:.2f}s  (target <= 2 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
