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

``--against-rev REV`` also loads ``pipeline/orgs/features.py`` as it was at git revision
REV (``git show``, into a throw-away module) and compares ``feature_indices`` of both
versions on every text under several feature configurations, tokens on and off, so the
templates the shipped model does not use are covered too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import types
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


def run(texts: list[tuple[str, str]], batched: bool = False) -> dict[str, dict]:
    """Entities and a feature digest per text, keyed by origin.

    ``batched``: the docs go through ``component.pipe`` (batched tagger) instead of one
    ``component(doc)`` call each; both must give the reference output.
    """
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
    docs = [seg.make_doc(text) for _, text in texts]
    digests = []
    for doc in docs:
        plain, token_spans = _text_and_tokens(doc)
        indices = component._tagging.indices(plain, token_spans)
        digests.append(
            f"{indices.shape}:{hashlib.sha256(indices.astype('<i8').tobytes()).hexdigest()}"
        )
    if batched:
        docs = list(component.pipe(docs, batch_size=64))
    else:
        docs = [component(doc) for doc in docs]
    for (origin, _), doc, digest in zip(texts, docs, digests, strict=True):
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
            "features": digest,
            "ents": ents,
            "unplaced": unplaced,
        }
    return out


def compare_features(texts: list[tuple[str, str]], rev: str) -> int:
    """Number of (text, config) pairs whose feature indices differ from revision ``rev``."""
    from pipeline.orgs import features as new
    from pipeline.orgs.rules import load_rules
    from pipeline.orgs.tagging import dictionary_marks
    from training.org.tokens import PkusegTokens

    source = subprocess.run(
        ["git", "show", f"{rev}:pipeline/orgs/features.py"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    old = types.ModuleType("features_at_rev")
    sys.modules[old.__name__] = old  # dataclasses look their module up here
    exec(compile(source, f"{rev}:pipeline/orgs/features.py", "exec"), old.__dict__)
    rules = load_rules(REPO_ROOT / "configs" / "orgs")
    marks = dictionary_marks(rules)
    norm = new.Normaliser(rules.trad_simp)
    match = new.Normaliser(rules.trad_simp, collapse_digits=False)
    tokens = PkusegTokens()
    configs = [new.FeatureConfig(bits=b, use_tokens=t) for b in (12, 20) for t in (False, True)]
    extra = [("short:" + str(i), t) for i, t in enumerate(["", "a", "中", "A股", "（Ｈ股）"])]
    differ = 0
    for origin, text in [*texts, *extra]:
        spans = tokens(text) if text else []
        for config in configs:
            a = old.feature_indices(norm(text), marks, config, spans, match_form=match(text))
            b = new.feature_indices(norm(text), marks, config, spans, match_form=match(text))
            if a.shape != b.shape or a.dtype != b.dtype or not (a == b).all():
                differ += 1
                print(f"  features differ: {origin} {config}")
    # The batched path (``pipe``) must give every text the features it gets alone.
    for config in configs:
        items = [*texts, *extra]
        spans = [tokens(t) if t else [] for _, t in items]
        many, offsets = new.feature_indices_many(
            [norm(t) for _, t in items], marks, config, spans, [match(t) for _, t in items]
        )
        for (origin, text), sp, lo, hi in zip(items, spans, offsets[:-1], offsets[1:], strict=True):
            one = new.feature_indices(norm(text), marks, config, sp, match_form=match(text))
            if text and not (many[lo:hi] == one).all():
                differ += 1
                print(f"  batched features differ: {origin} {config}")
    print(
        f"features vs {rev}: {len(texts) + len(extra)} texts x {len(configs)} configs, "
        f"{differ} differ"
    )
    return differ


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--dump", type=Path, help="write the reference outputs here")
    group.add_argument("--compare", type=Path, help="compare against this reference")
    parser.add_argument("--n", type=int, default=2000, help="THUCNews sentences")
    parser.add_argument("--against-rev", help="also compare features.py with this git rev")
    args = parser.parse_args()

    texts = load_texts(args.n)
    feature_diffs = compare_features(texts, args.against_rev) if args.against_rev else 0
    results = run(texts)
    batched = run(texts, batched=True)
    pipe_diffs = [k for k in results if results[k] != batched.get(k)]
    print(f"component.pipe vs per-doc calls: {len(pipe_diffs)} of {len(results)} texts differ")
    for key in pipe_diffs[:5]:
        print(f"  {key}: call {results[key]}\n  {' ' * len(key)}  pipe {batched.get(key)}")
    n_ents = sum(len(r["ents"]) for r in results.values())
    if args.dump:
        args.dump.write_text(json.dumps(results, ensure_ascii=False), encoding="utf8")
        print(f"wrote {len(results)} texts, {n_ents} entities -> {args.dump}")
        return 1 if pipe_diffs else 0
    reference = json.loads(args.compare.read_text(encoding="utf8"))
    diffs = [k for k in sorted(set(reference) | set(results)) if reference.get(k) != results.get(k)]
    print(f"compared {len(results)} texts, {n_ents} entities: {len(diffs)} differ")
    for key in diffs[:20]:
        print(f"  {key}: before {reference.get(key)}")
        print(f"  {' ' * len(key)}  after  {results.get(key)}")
    return 1 if diffs or feature_diffs or pipe_diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
