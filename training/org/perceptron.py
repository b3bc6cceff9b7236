"""Averaged structured perceptron over the shared hashed character features.

Why: a per-character classifier (one-vs-rest SGD) labels each character on its own and
misses whole-entity consistency; the structured perceptron trains the emission weights
*through* the constrained BIOES Viterbi decoder (plus learned transition scores), the
same decoder used at inference, which is what CRF-style taggers do.  Updates touch only
the features of the characters whose decoded label is wrong, so an epoch over MSRA +
CLUENER costs well under a minute.  Deterministic: fixed shuffling seed, lazy averaging.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import numpy as np

from pipeline.orgs.classifier import ALLOWED_TRANSITIONS
from pipeline.orgs.features import LABELS

NEG = -1e9


def _mask() -> np.ndarray:
    k = len(LABELS)
    mask = np.full((k, k), NEG)
    for i, a in enumerate(LABELS):
        for j, b in enumerate(LABELS):
            if b in ALLOWED_TRANSITIONS[a]:
                mask[i, j] = 0.0
    return mask


def viterbi_py(
    emis: list[list[float]], trans: list[list[float]], start: list[float], end: list[float]
) -> list[int]:
    """Plain-Python Viterbi (faster than numpy for 5 labels and short sentences)."""
    k = len(start)
    rng = range(k)
    score = [emis[0][j] + start[j] for j in rng]
    backs = []
    for row in emis[1:]:
        new = []
        back = []
        for j in rng:
            best_i = 0
            best = score[0] + trans[0][j]
            for i in range(1, k):
                v = score[i] + trans[i][j]
                if v > best:
                    best, best_i = v, i
            new.append(best + row[j])
            back.append(best_i)
        score = new
        backs.append(back)
    last = max(rng, key=lambda j: score[j] + end[j])
    path = [last]
    for back in reversed(backs):
        last = back[last]
        path.append(last)
    return path[::-1]


def train_structured_perceptron(
    features: Sequence[np.ndarray],
    tags: Sequence[np.ndarray],
    n_features: int,
    *,
    epochs: int = 6,
    seed: int = 0,
    log=print,
    eval_fn=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return averaged (weights (n_features, k), transitions (k, k))."""
    k = len(LABELS)
    weights = np.zeros((n_features, k), dtype=np.float64)
    weights_acc = np.zeros((n_features, k), dtype=np.float64)
    trans = np.zeros((k, k), dtype=np.float64)
    trans_acc = np.zeros((k, k), dtype=np.float64)
    mask = _mask()
    start_l = [0.0 if lab in {"O", "B", "S"} else NEG for lab in LABELS]
    end_l = [0.0 if lab in {"O", "E", "S"} else NEG for lab in LABELS]
    order = list(range(len(features)))
    rng = random.Random(seed)
    step = 1
    for epoch in range(epochs):
        rng.shuffle(order)
        errors = 0
        for n_done, i in enumerate(order):
            idx, gold = features[i], tags[i]
            if idx.shape[0] == 0:
                continue
            emis = weights[idx].sum(axis=1)
            t_eff = (trans + mask).tolist()
            pred = np.array(viterbi_py(emis.tolist(), t_eff, start_l, end_l), dtype=np.int64)
            wrong = np.flatnonzero(pred != gold)
            if wrong.size:
                errors += 1
                rows = idx[wrong]
                n_t = rows.shape[1]
                flat = rows.ravel()
                g = np.repeat(gold[wrong], n_t)
                p = np.repeat(pred[wrong], n_t)
                np.add.at(weights, (flat, g), 1.0)
                np.add.at(weights, (flat, p), -1.0)
                np.add.at(weights_acc, (flat, g), step)
                np.add.at(weights_acc, (flat, p), -step)
                for a, b in itertools.pairwise(gold):
                    trans[a, b] += 1.0
                    trans_acc[a, b] += step
                for a, b in itertools.pairwise(pred):
                    trans[a, b] -= 1.0
                    trans_acc[a, b] -= step
            step += 1
            if n_done and n_done % 20000 == 0:
                log(f"  epoch {epoch + 1}: {n_done}/{len(order)} sentences, {errors} with errors")
        log(f"epoch {epoch + 1}: {errors} of {len(order)} sentences updated")
        if eval_fn is not None:
            eval_fn(weights - weights_acc / step, trans - trans_acc / step)
    return weights - weights_acc / step, trans - trans_acc / step
