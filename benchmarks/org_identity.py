"""Prove that an ORG-stage speed change leaves the output identical.

    # before the change: save a reference
    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python benchmarks/org_identity.py \
        --dump /tmp/org_identity_before.json
    # after each change: compare against it (exit status 1 on any difference)
    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python benchmarks/org_identity.py \
        --compare /tmp/org_identity_before.json

Why both entities and features: the entities (start, end, source, confidence rounded to
6 digits, canonical) are what users see; the SHA-256 of every text's hashed feature
indices proves the features are bit-identical, which the shipped model depends on
(training and inference share :func:`pipeline.orgs.features.feature_indices`).
Texts: ``corpus/annotated/{dev,test}.jsonl`` and the first ``--n`` THUCNews finance
sentences from ``../shared/data`` when present.  The component runs alone on pkuseg
docs (no figures stage), as in ``benchmarks/org_speed.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

SHARED = REPO_ROOT / ".." / "shared" / "data"
MODEL_DIR = REPO_ROOT / "pipeline" / "models" / "org"


def load_texts(n: int) -> list[tuple[str, str]]:
    """(origin, text) pairs: annotated dev/test paragraphs, then THUCNews sentences."""
    texts: list[tuple[str, str]] = []
    for split in ("dev", "test"):
        path = REPO_ROOT / "corpus" / "annotated" / f"{split}.jsonl"
        for i, line in enumerate(path.read_text(encoding="utf8").splitlines()):
            if line.strip():
                texts.append((f"{split}:{i}", json.loads(line)["text"]))
    thuc = SHARED / "thucnews" / "finance_sentences.txt"
    if thuc.is_file():
        lines = [ln.strip() for ln in thuc.read_text(encoding="utf8").splitlines()]
        for i, line in enumerate([ln for ln in lines if ln][:n]):
            texts.append((f"thucnews:{i}", line))
    else:
        print("note: ../shared/data/thucnews absent, annotated paragraphs only", file=sys.stderr)
    return texts


def run(texts: list[tuple[str, str]]) -> dict[str, dict]:
    """Entities and a feature digest per text, keyed by origin."""
    from pipeline.orgs.classifier import load_tagger
    from pipeline.orgs.component import OrgRecognizer, _text_and_tokens
    from pipeline.orgs.rules import load_rules
    from training.org.tokens import PkusegTokens

    tagger = load_tagger(MODEL_DIR / "org_clf.npz", MODEL_DIR / "org_clf.card.json")
    rules = load_rules(REPO_ROOT / "configs" / "orgs")
    seg = PkusegTokens().nlp
    component = OrgRecognizer(seg)
    component.set_resources(rules, tagger)
    out: dict[str, dict] = {}
    for origin, text in texts:
        doc = seg.make_doc(text)
        plain, token_spans = _text_and_tokens(doc)
        indices = component._tagging.indices(plain, token_spans)
        digest = hashlib.sha256(indices.astype("<i8").tobytes()).hexdigest()
        component(doc)
        ents = [
            [
                e.start_char,
                e.end_char,
                e.label_,
                e._.source,
                None if e._.confidence is None else round(float(e._.confidence), 6),
                e._.canonical,
            ]
            for e in doc.ents
        ]
        unplaced = [[u["start"], u["end"], u["label"], u["source"]] for u in doc._.unplaced or []]
        out[origin] = {
            "features": f"{indices.shape}:{digest}",
            "ents": ents,
            "unplaced": unplaced,
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--dump", type=Path, help="write the reference outputs here")
    group.add_argument("--compare", type=Path, help="compare against this reference")
    parser.add_argument("--n", type=int, default=2000, help="THUCNews sentences")
    args = parser.parse_args()

    results = run(load_texts(args.n))
    n_ents = sum(len(r["ents"]) for r in results.values())
    if args.dump:
        args.dump.write_text(json.dumps(results, ensure_ascii=False), encoding="utf8")
        print(f"wrote {len(results)} texts, {n_ents} entities -> {args.dump}")
        return 0
    reference = json.loads(args.compare.read_text(encoding="utf8"))
    diffs = [k for k in sorted(set(reference) | set(results)) if reference.get(k) != results.get(k)]
    print(f"compared {len(results)} texts, {n_ents} entities: {len(diffs)} differ")
    for key in diffs[:20]:
        print(f"  {key}: before {reference.get(key)}")
        print(f"  {' ' * len(key)}  after  {results.get(key)}")
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
