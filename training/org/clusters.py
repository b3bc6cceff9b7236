"""Learn word and character clusters from unlabelled text, for the ORG tagger's features.

    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python -m training.org.clusters --out F.json

Why: most of the tagger's errors on MSRA test and CLUENER dev are names it never saw
(哈佛, 京东, 银都机构, PATA) and generic heads it cannot tell from names (国家队,
领事馆): a hashed character feature of an unseen name carries no weight.  Clusters of
words and characters that occur in similar contexts let a new name share the weights
of the names it resembles (Brown clusters do this for linear NER taggers; here a
cheaper Brown-like recipe: PPMI of left/right neighbour counts -> truncated SVD ->
k-means, a fine and a coarse level for words).

No labels are used.  Text: MSRA train (minus the dev carve-out), CLUENER train, the
project's annotated train split (text only), THUCNews finance sentences and headlines
and the CFSC unlabelled sentences; never an evaluation set.  Everything is seeded and
single-threaded, so the same data give the same clusters.  ``training.org.train``
builds them in-process and stores them inside the model's npz (plain arrays), so the
features at inference are exactly the training ones.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from pipeline.orgs.features import Clusters, Normaliser
from training.org.data import SHARED, msra_splits, read_cluener, read_corpus

# Settings (the model card records them through ``Clusters.summary``).
WORD_DIMS = 64
WORD_FINE = 256
WORD_COARSE = 32
WORD_MIN_COUNT = 3
WORD_MAX = 40000
CHAR_DIMS = 48
CHAR_CLUSTERS = 128
CHAR_MIN_COUNT = 3
CONTEXTS = 3000
SEED = 0


def unlabelled_texts() -> list[str]:
    """Training-side text only (no evaluation set), in a fixed order."""
    texts = [ex.text for ex in msra_splits()[0]]
    texts += [ex.text for ex in read_cluener(SHARED / "cluener2020" / "train.json")]
    texts += [ex.text for ex in read_corpus("train")]
    thuc = SHARED / "thucnews"
    if (thuc / "finance_sentences.txt").is_file():
        texts += (thuc / "finance_sentences.txt").read_text(encoding="utf8").splitlines()
    if (thuc / "finance_stocks_titles.tsv").is_file():
        for line in (thuc / "finance_stocks_titles.tsv").read_text(encoding="utf8").splitlines():
            texts.append(line.split("\t", 1)[-1])
    cfsc = SHARED / "cfsc_fin_news" / "sentences_unlabeled.txt"
    if cfsc.is_file():
        texts += cfsc.read_text(encoding="utf8").splitlines()
    return [t.strip() for t in texts if t.strip()]


def _embed(
    sequences: Iterable[Sequence[int]], n_items: int, n_contexts: int, dims: int
) -> np.ndarray:
    """PPMI of (item, left neighbour) and (item, right neighbour) counts -> SVD rows.

    Items and contexts are integer ids; id ``n_contexts`` is "other context" and
    ``n_contexts + 1`` the text boundary.  Returns L2-normalised ``(n_items, dims)``.
    """
    from sklearn.decomposition import TruncatedSVD

    width = n_contexts + 2
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for seq in sequences:
        ids = np.asarray(seq, dtype=np.int64)
        if ids.size == 0:
            continue
        ctx = np.where(ids < n_contexts, ids, n_contexts)
        left = np.concatenate(([n_contexts + 1], ctx[:-1]))
        right = np.concatenate((ctx[1:], [n_contexts + 1]))
        keep = ids < n_items
        rows += [ids[keep], ids[keep]]
        cols += [left[keep], right[keep] + width]
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    counts = sp.coo_matrix(
        (np.ones(r.shape[0], dtype=np.float64), (r, c)), shape=(n_items, 2 * width)
    ).tocsr()
    counts.sum_duplicates()
    total = counts.sum()
    row_sum = np.asarray(counts.sum(axis=1)).ravel()
    col_sum = np.asarray(counts.sum(axis=0)).ravel() ** 0.75  # context smoothing
    col_sum *= total / col_sum.sum()
    coo = counts.tocoo()
    pmi = np.log(coo.data * total / (row_sum[coo.row] * col_sum[coo.col]))
    ppmi = sp.csr_matrix((np.maximum(pmi, 0.0), (coo.row, coo.col)), shape=counts.shape)
    ppmi.eliminate_zeros()
    svd = TruncatedSVD(n_components=dims, random_state=SEED, algorithm="randomized")
    vectors = svd.fit_transform(ppmi)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _kmeans(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded k-means: (labels, centres)."""
    from sklearn.cluster import KMeans

    km = KMeans(n_clusters=k, random_state=SEED, n_init=1, max_iter=100)
    labels = km.fit_predict(vectors)
    return labels.astype(np.int64), km.cluster_centers_


@dataclass(frozen=True)
class ClusterSettings:
    """Sizes of the cluster recipe (the defaults are the shipped model's)."""

    word_dims: int = WORD_DIMS
    word_fine: int = WORD_FINE
    word_coarse: int = WORD_COARSE
    word_min_count: int = WORD_MIN_COUNT
    word_max: int = WORD_MAX
    char_dims: int = CHAR_DIMS
    char_clusters: int = CHAR_CLUSTERS
    char_min_count: int = CHAR_MIN_COUNT
    contexts: int = CONTEXTS


def build_clusters(
    texts: Sequence[str],
    tokens: Callable[[str], list[tuple[int, int, str]]],
    normaliser: Normaliser,
    log: Callable[[str], None] = print,
    settings: ClusterSettings | None = None,
) -> Clusters:
    """Word clusters (fine and coarse) over normalised pkuseg tokens and character
    clusters over normalised characters of ``texts``."""
    cfg = settings or ClusterSettings()
    norms = [normaliser(t) for t in texts]
    token_lists = [
        [n[s:e] for s, e, w in tokens(t) if e > s and not w.isspace()]
        for t, n in zip(texts, norms, strict=True)
    ]
    # Words: ids by descending frequency (ties by the word itself: deterministic).
    freq = Counter(w for toks in token_lists for w in toks)
    vocab = [w for w, c in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))]
    vocab = [w for w in vocab if freq[w] >= cfg.word_min_count][: cfg.word_max]
    index = {w: i for i, w in enumerate(vocab)}
    n_words = len(vocab)
    other = n_words + cfg.contexts + 10  # beyond every id: neither item nor context
    seqs = [[index.get(w, other) for w in toks] for toks in token_lists]
    log(f"clusters: {len(texts)} texts, {len(freq)} word types, {n_words} clustered")
    word_vecs = _embed(seqs, n_words, min(cfg.contexts, n_words), cfg.word_dims)
    fine, centres = _kmeans(word_vecs, cfg.word_fine)
    centre_norm = centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    coarse_of_fine, _ = _kmeans(centre_norm, cfg.word_coarse)
    # Characters.
    char_freq = Counter(ch for n in norms for ch in n if not ch.isspace())
    chars = [ch for ch, c in sorted(char_freq.items(), key=lambda kv: (-kv[1], kv[0]))]
    chars = [ch for ch in chars if char_freq[ch] >= cfg.char_min_count and ord(ch) <= 0xFFFF]
    char_index = {ch: i for i, ch in enumerate(chars)}
    other_c = len(chars) + cfg.contexts + 10
    char_seqs = [[char_index.get(ch, other_c) for ch in n] for n in norms]
    log(f"clusters: {len(char_freq)} character types, {len(chars)} clustered")
    char_vecs = _embed(char_seqs, len(chars), min(cfg.contexts, len(chars)), cfg.char_dims)
    char_ids, _ = _kmeans(char_vecs, cfg.char_clusters)
    # Cluster ids start at 1: 0 means "not clustered" in the feature arrays.
    return Clusters(
        words=list(vocab),
        word_fine=fine + 1,
        word_coarse=coarse_of_fine[fine] + 1,
        chars=np.array([ord(ch) for ch in chars], dtype=np.int64),
        char_ids=char_ids + 1,
        fold=normaliser.trad_simp,
    )


def save_json(clusters: Clusters, path: Path) -> None:
    """Plain JSON copy (for experiments that reuse one set of clusters)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(clusters.to_json(), ensure_ascii=False), encoding="utf8")


def load_json(path: Path) -> Clusters:
    """Inverse of :func:`save_json`."""
    return Clusters.from_json(json.loads(Path(path).read_text(encoding="utf8")))


def main(argv: list[str] | None = None) -> int:
    from pipeline.orgs.rules import load_rules
    from training.org.data import REPO_ROOT
    from training.org.tokens import CachedTokens, PkusegTokens

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--token-cache", type=Path, default=None)
    args = parser.parse_args(argv)
    rules = load_rules(REPO_ROOT / "configs" / "orgs")
    tokens = CachedTokens(args.token_cache) if args.token_cache else PkusegTokens()
    clusters = build_clusters(unlabelled_texts(), tokens, Normaliser(rules.trad_simp))
    if isinstance(tokens, CachedTokens):
        tokens.save()
    save_json(clusters, args.out)
    print(f"wrote {args.out}: {clusters.summary()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
