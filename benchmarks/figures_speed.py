"""Time of zhnews_figures as a ratio of bare pkuseg segmentation time (same run).

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/figures_speed.py [--repeat 3]

Reads the THUCNews finance articles (../shared/data/thucnews/finance_docs.tsv), times
BARE pkuseg on them (``spacy_pkuseg.pkuseg(model_dir, user_dict).cut``, model of
``pipeline.segmenter.default_model_dir()``, user dictionary
``configs/pkuseg_user_dict.txt``: the reference, which does not move when the
pipeline's tokenizer gets faster), makes the pipeline's docs (``nlp.make_doc``, timed
too), then runs the figure component on those docs (timed: matching + normalising +
placing on tokens), and also the character engine alone.  Target (issue #3): the
component adds at most 10% to segmentation time, i.e. ratio <= 0.10 against bare
pkuseg; the ratio against the pipeline's tokenizer is printed beside it.  Best of
``--repeat`` runs for each timing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / ".." / "shared" / "data" / "thucnews" / "finance_docs.tsv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"{DATA} not found: nothing to measure")
        return 0
    import spacy_pkuseg

    import pipeline
    from pipeline.figures.component import FigureRecognizer
    from pipeline.segmenter import default_model_dir

    texts = [
        line.split("\t", 1)[1].strip()
        for line in DATA.read_text(encoding="utf8").splitlines()
        if "\t" in line
    ]
    if args.limit:
        texts = texts[: args.limit]
    chars = sum(len(t) for t in texts)
    user_dict = ROOT / "configs" / "pkuseg_user_dict.txt"
    bare = spacy_pkuseg.pkuseg(str(default_model_dir()), user_dict=str(user_dict))
    nlp = pipeline.load()
    component = FigureRecognizer(nlp, "bench")
    component.initialize()
    engine = component.engine

    seg_best = tok_best = comp_best = eng_best = float("inf")
    n_ents = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for t in texts:
            bare.cut(t)
        seg_best = min(seg_best, time.perf_counter() - t0)
        t0 = time.perf_counter()
        docs = [nlp.make_doc(t) for t in texts]
        tok_best = min(tok_best, time.perf_counter() - t0)
        for d in docs:
            d._.pub_date = "2008-10-01"
        t0 = time.perf_counter()
        for d in docs:
            component(d)
        comp_best = min(comp_best, time.perf_counter() - t0)
        n_ents = sum(len(d.ents) for d in docs)
        t0 = time.perf_counter()
        for t in texts:
            engine.find(t, "2008-10-01")
        eng_best = min(eng_best, time.perf_counter() - t0)
    print(f"articles {len(texts)}, characters {chars}, entities {n_ents}")
    print(f"pkuseg segmentation : {seg_best:.3f} s  ({chars / seg_best:,.0f} chars/s, bare)")
    print(f"pipeline tokenizer  : {tok_best:.3f} s  ({chars / tok_best:,.0f} chars/s)")
    print(f"figures component   : {comp_best:.3f} s  ({chars / comp_best:,.0f} chars/s)")
    print(f"  of which engine   : {eng_best:.3f} s")
    print(
        f"ratio component / segmentation = {comp_best / seg_best:.3f}  (target <= 0.10; "
        f"bare pkuseg)   / tokenizer = {comp_best / tok_best:.3f}"
    )
    print(f"ratio engine    / segmentation = {eng_best / seg_best:.3f}  (matching + values only)")
    print("(the rest of the component is token placement in pipeline/spans.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
