"""The trained ORG character tagger: a scikit-learn linear model + constrained decoding.

Why a linear model over hashed character features (and not spaCy's ``ner``): the ORG
stage may add at most 25% to pkuseg time, and a CNN ``ner`` runs several times slower
than segmentation on CPU; a linear model's score is a gather-and-sum over weight rows,
which numpy does for a whole paragraph in a few calls.  Accuracy comes from rich
features and BIOES decoding with transition constraints (a span can only be ``S`` or
``B I* E``), done with Viterbi only where some character is not confidently ``O``.

Persistence is skops with an explicit, reviewed trusted-type list
(:data:`TRUSTED_TYPES`); a file with any other type, or whose SHA-256 differs from the
model card, is refused with ``Errors.E006`` before anything in it is loaded.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import Errors, ZhnewsError
from pipeline.orgs.features import LABELS, Clusters, FeatureConfig
from pipeline.safety.model_files import sha256_file

# Reviewed with ``skops.io.get_untrusted_types`` on the shipped model: the only types
# outside skops' default-trusted set are the linear model itself and the numpy scalar
# / dtype types its fitted attributes use.  Nothing here can run code on load.
TRUSTED_TYPES: list[str] = [
    "sklearn.linear_model._stochastic_gradient.SGDClassifier",
    "numpy.dtype",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.str_",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.list",
    "builtins.dict",
    "builtins.bool",
    "builtins.tuple",
]

_NEG = -1e9
# Allowed BIOES transitions (row: previous, column: next).
ALLOWED_TRANSITIONS = {
    "O": {"O", "B", "S"},
    "B": {"I", "E"},
    "I": {"I", "E"},
    "E": {"O", "B", "S"},
    "S": {"O", "B", "S"},
}


def _transition_matrix(labels: tuple[str, ...]) -> np.ndarray:
    trans = np.full((len(labels), len(labels)), _NEG)
    for i, a in enumerate(labels):
        for j, b in enumerate(labels):
            if b in ALLOWED_TRANSITIONS[a]:
                trans[i, j] = 0.0
    return trans


@dataclass
class OrgTagger:
    """Weights of the character tagger in the form inference needs."""

    weights: np.ndarray  # (2**bits, n_labels) float32
    bias: np.ndarray  # (n_labels,) float32
    labels: tuple[str, ...]
    config: FeatureConfig
    # Learned transition scores (structured perceptron); None for one-vs-rest SGD.
    transitions: np.ndarray | None = None
    # Softmax temperature turning perceptron scores into confidences.
    temperature: float = 1.0
    # Subtracted from log P(O) before decoding: trades precision for recall (tuned on dev).
    o_bias: float = 0.0
    # Per-label offsets added to the scaled emission scores for the probabilities only
    # (a CRF's emissions leave O's advantage to the O->O transition, so their plain
    # softmax under-states P(O); fitted on dev).  Decoding removes them again, so the
    # Viterbi path is the CRF's.  None for SGD (and the perceptron experiment).
    calibration: np.ndarray | None = None

    def __post_init__(self) -> None:
        self._trans = _transition_matrix(self.labels)
        if self.transitions is not None:
            self._trans = self._trans + self.transitions
        self._o = self.labels.index("O")
        allowed_start = [lab in {"O", "B", "S"} for lab in self.labels]
        allowed_end = [lab in {"O", "E", "S"} for lab in self.labels]
        self._start = [0.0 if ok else _NEG for ok in allowed_start]
        self._end = [0.0 if ok else _NEG for ok in allowed_end]
        # Learned transitions in LABELS order: the unrolled BIOES Viterbi can be used.
        self._trans_rows = (
            tuple(tuple(row) for row in self._trans.tolist())
            if self.transitions is not None and tuple(self.labels) == LABELS
            else None
        )
        # The constraint-only transitions (one-vs-rest SGD) in the same unrolled form:
        # an invalid greedy path is decoded by :meth:`_viterbi_bioes` too (same path as
        # :meth:`_viterbi`, a fraction of its cost).
        self._constraint_rows = (
            tuple(tuple(row) for row in self._trans.tolist())
            if self.transitions is None and tuple(self.labels) == LABELS
            else None
        )
        # When O->O is the best allowed transition, a region whose per-character argmax
        # is all O needs no Viterbi: every other path has no better emission at any
        # character and no better transition on any edge (exact, not a heuristic).
        allowed = self._trans[self._trans > _NEG / 2]
        self._all_o_is_optimal = self._trans_rows is not None and bool(
            self._trans[self._o, self._o] >= allowed.max()
        )
        # exp of the same scores (forbidden transitions -> 0), for span probabilities.
        self._trans_exp = tuple(tuple(row) for row in np.exp(self._trans).tolist())

    @classmethod
    def from_estimator(cls, clf: Any, config: FeatureConfig) -> OrgTagger:
        """Take the weights out of a fitted ``SGDClassifier`` (classes are label indices)."""
        classes = [LABELS[int(c)] for c in clf.classes_]
        coef = np.asarray(clf.coef_, dtype=np.float32)
        return cls(
            weights=np.ascontiguousarray(coef.T),
            bias=np.asarray(clf.intercept_, dtype=np.float32),
            labels=tuple(classes),
            config=config,
        )

    def probabilities(self, indices: np.ndarray) -> np.ndarray:
        """Per-character label probabilities, shape (n, n_labels)."""
        if indices.shape[0] == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        n, t = indices.shape
        k = self.weights.shape[1]
        # np.take is the fastest gather for this memory-bound step (one row per feature).
        # Gathered template-major, the sum adds t contiguous (n * k) blocks: the same
        # additions in the same order as summing (n, t, k) over t, at half the cost
        # (a 5-wide inner axis does not vectorise).  ``feature_indices`` returns its
        # indices transposed already, so ``indices.T.ravel()`` does not copy.
        rows = np.take(self.weights, indices.T.ravel(), axis=0)
        scores = rows.reshape(t, n * k).sum(axis=0).reshape(n, k) + self.bias
        if self.transitions is not None:
            # Structured models (CRF, perceptron): softmax of emission scores (scaled,
            # plus the calibration offsets) as a confidence.
            z = scores / self.temperature
            if self.calibration is not None:
                z += self.calibration
            z -= z.max(axis=1, keepdims=True)
            probs = np.exp(z)
        else:
            # One-vs-rest log-loss scores -> sigmoids -> renormalised distribution.
            probs = 1.0 / (1.0 + np.exp(-np.clip(scores, -30, 30)))
        probs /= probs.sum(axis=1, keepdims=True)
        return probs

    def decoding_scores(self, probs: np.ndarray) -> tuple[np.ndarray, list[int]]:
        """Per-row decoding scores and their argmax (row-wise: a batch can share them).

        CRF / perceptron: decode on scores (log-softmax differs by a per-row constant
        only; less the calibration offsets and times the temperature this is the raw
        emission score up to a per-row constant).
        """
        logp = np.log(np.maximum(probs, 1e-300))
        if self.transitions is not None:
            if self.calibration is not None:
                logp = logp - self.calibration
            logp = logp * self.temperature
        if self.o_bias:
            logp[:, self._o] -= self.o_bias
        return logp, logp.argmax(axis=1).tolist()

    def decode(
        self,
        probs: np.ndarray,
        o_threshold: float = 0.995,
        scores: tuple[np.ndarray, list[int]] | None = None,
    ) -> list[tuple[int, int, float]]:
        """Constrained Viterbi over regions that are not confidently ``O``.

        Returns (start, end, confidence) character spans; the confidence is the mean
        probability of the decoded label over the span's characters (with learned
        transitions in ``LABELS`` order, a CRF: the probability of exactly that span,
        see :meth:`_segment_probabilities`).  ``scores``: :meth:`decoding_scores` of
        exactly these rows, when a batch computed them once.
        """
        n = probs.shape[0]
        if n == 0:
            return []
        active = probs[:, self._o] < o_threshold
        if not active.any():
            return []
        # Grow every active run by one character each side, then decode each region.
        grown = active.copy()
        grown[1:] |= active[:-1]
        grown[:-1] |= active[1:]
        edges = np.flatnonzero(np.diff(np.concatenate(([0], grown.astype(np.int8), [0]))))
        logp, greedy = scores if scores is not None else self.decoding_scores(probs)
        spans: list[tuple[int, int, float]] = []
        for lo, hi in zip(edges[0::2], edges[1::2], strict=True):
            first = len(spans)
            # When the per-character argmax is already a valid BIOES sequence it is the
            # Viterbi optimum (transitions are only allowed/forbidden): skip the search.
            path = greedy[lo:hi]
            if self._trans_rows is not None:
                if self._all_o_is_optimal and not any(path):  # O is label 0 in LABELS
                    continue
                path = self._viterbi_bioes(logp[lo:hi])
            elif self._constraint_rows is not None and not self._valid(path):
                path = self._viterbi_bioes(logp[lo:hi], self._constraint_rows)
            elif self.transitions is not None or not self._valid(path):
                path = self._viterbi(logp[lo:hi])
            tags = [self.labels[k] for k in path]
            start: int | None = None
            for i, tag in enumerate(tags):
                if tag == "S":
                    spans.append((lo + i, lo + i + 1, float(probs[lo + i, path[i]])))
                elif tag == "B":
                    start = i
                elif tag == "E" and start is not None:
                    conf = float(
                        np.mean(
                            probs[lo + start : lo + i + 1][
                                np.arange(i + 1 - start), path[start : i + 1]
                            ]
                        )
                    )
                    spans.append((lo + start, lo + i + 1, conf))
                    start = None
            if self._trans_rows is not None and len(spans) > first:
                spans[first:] = self._with_segment_probabilities(logp[lo:hi], lo, spans[first:])
        return spans

    def _with_segment_probabilities(
        self, logp: np.ndarray, lo: int, spans: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """``spans`` of one region with their CRF probabilities as confidences."""
        probs = self._segment_probabilities(logp, [(s - lo, e - lo) for s, e, _ in spans])
        if probs is None:  # degenerate scores: keep the per-character confidences
            return spans
        return [(s, e, p) for (s, e, _), p in zip(spans, probs, strict=True)]

    def _segment_probabilities(
        self, logp: np.ndarray, segments: list[tuple[int, int]]
    ) -> list[float] | None:
        """P(the region's labels on ``[s, e)`` are exactly B I* E, or S) under the CRF.

        Why: a CRF leaves much of the evidence to its transitions, so the per-character
        probabilities of its emission scores alone understate a span it decodes; the
        combination step drops spans below its threshold, so the confidence has to be
        the model's own probability of the span.  Scaled forward-backward over the
        region (same start/end constraints as the Viterbi), unrolled like
        :meth:`_viterbi_bioes`: only regions that hold a decoded span pay for it.
        """
        t_o, t_b, t_i, t_e, t_s = self._trans_exp
        oo, ob, os_ = t_o[0], t_o[1], t_o[4]
        bi, be, ii, ie = t_b[2], t_b[3], t_i[2], t_i[3]
        eo, eb, es = t_e[0], t_e[1], t_e[4]
        so_, sb, ss = t_s[0], t_s[1], t_s[4]
        emis = np.exp(logp - logp.max(axis=1, keepdims=True)).tolist()
        first = emis[0]
        a = (first[0], first[1], 0.0, 0.0, first[4])
        c = a[0] + a[1] + a[4]
        if not c > 0.0:
            return None
        a = (a[0] / c, a[1] / c, 0.0, 0.0, a[4] / c)
        alphas = [a]
        scales = [c]
        for r in emis[1:]:
            ao, ab, ai, ae, as_ = a
            n0 = (ao * oo + ae * eo + as_ * so_) * r[0]
            n1 = (ao * ob + ae * eb + as_ * sb) * r[1]
            n2 = (ab * bi + ai * ii) * r[2]
            n3 = (ab * be + ai * ie) * r[3]
            n4 = (ao * os_ + ae * es + as_ * ss) * r[4]
            c = n0 + n1 + n2 + n3 + n4
            if not c > 0.0:
                return None
            a = (n0 / c, n1 / c, n2 / c, n3 / c, n4 / c)
            alphas.append(a)
            scales.append(c)
        n = len(emis)
        b = (1.0, 0.0, 0.0, 1.0, 1.0)  # a sequence ends in O, E or S
        betas = [b] * n
        for t in range(n - 1, 0, -1):
            r, c = emis[t], scales[t]
            w0, w1, w2, w3, w4 = r[0] * b[0], r[1] * b[1], r[2] * b[2], r[3] * b[3], r[4] * b[4]
            b = (
                (oo * w0 + ob * w1 + os_ * w4) / c,
                (bi * w2 + be * w3) / c,
                (ii * w2 + ie * w3) / c,
                (eo * w0 + eb * w1 + es * w4) / c,
                (so_ * w0 + sb * w1 + ss * w4) / c,
            )
            betas[t - 1] = b
        last = alphas[-1]
        z = last[0] + last[3] + last[4]
        out = []
        for s, e in segments:
            if e - s == 1:
                p = alphas[s][4] * betas[s][4]
            else:
                p = alphas[s][1]
                for t in range(s + 1, e - 1):
                    p *= (bi if t == s + 1 else ii) * emis[t][2] / scales[t]
                p *= (be if e - s == 2 else ie) * emis[e - 1][3] / scales[e - 1]
                p *= betas[e - 1][3]
            out.append(min(1.0, max(0.0, p / z)))
        return out

    def _valid(self, path: list[int]) -> bool:
        """True when ``path`` obeys the start, transition and end constraints."""
        trans, start, end = self._trans, self._start, self._end
        if start[path[0]] < 0 or end[path[-1]] < 0:
            return False
        return all(trans[a, b] > _NEG / 2 for a, b in itertools.pairwise(path))

    def _viterbi(self, logp: np.ndarray) -> list[int]:
        """Plain-Python Viterbi: for 5 labels and short regions it beats numpy calls."""
        emis = logp.tolist()
        trans = self._trans.tolist()
        k = len(self.labels)
        states = range(k)
        score = [emis[0][j] + self._start[j] for j in states]
        backs: list[list[int]] = []
        for row in emis[1:]:
            new_score = []
            back = []
            for j in states:
                best_i = 0
                best = score[0] + trans[0][j]
                for i in range(1, k):
                    value = score[i] + trans[i][j]
                    if value > best:
                        best, best_i = value, i
                new_score.append(best + row[j])
                back.append(best_i)
            score = new_score
            backs.append(back)
        last = max(states, key=lambda j: score[j] + self._end[j])
        path = [last]
        for back in reversed(backs):
            last = back[last]
            path.append(last)
        return path[::-1]

    def _viterbi_bioes(
        self,
        logp: np.ndarray,
        rows: tuple[tuple[float, ...], ...] | None = None,
    ) -> list[int]:
        """:meth:`_viterbi` for learned transitions in ``LABELS`` order, unrolled.

        Why: a CRF decodes every active region (no greedy shortcut), so this loop is
        the CRF's decoding cost.  Only the allowed predecessors are compared (O, B, S
        follow O, E or S; I, E follow B or I): 13 additions a character instead of 25,
        with no inner loops.  Same path as :meth:`_viterbi` (the forbidden candidates
        it also compares carry ``-1e9`` and never win; ties go to the earlier label).
        ``rows``: transition rows to use instead of the learned ones (the constraint-only
        rows of a one-vs-rest model).
        """
        emis = logp.tolist()
        t_o, t_b, t_i, t_e, t_s = rows if rows is not None else self._trans_rows  # type: ignore[misc]
        oo, ob, os_ = t_o[0], t_o[1], t_o[4]
        bi, be, ii, ie = t_b[2], t_b[3], t_i[2], t_i[3]
        eo, eb, es = t_e[0], t_e[1], t_e[4]
        so_, sb, ss = t_s[0], t_s[1], t_s[4]
        first = emis[0]
        # Scores of ending in O, B, I, E, S (I and E cannot start a sequence).
        o, b, i, e, s = first[0], first[1], first[2] + _NEG, first[3] + _NEG, first[4]
        backs: list[tuple[int, int, int, int, int]] = []
        for row in emis[1:]:
            # O, B and S are reached from O, E or S.
            v0, v3, v4 = o + oo, e + eo, s + so_
            if v0 >= v3 and v0 >= v4:
                n0, k0 = v0, 0
            elif v3 >= v4:
                n0, k0 = v3, 3
            else:
                n0, k0 = v4, 4
            v0, v3, v4 = o + ob, e + eb, s + sb
            if v0 >= v3 and v0 >= v4:
                n1, k1 = v0, 0
            elif v3 >= v4:
                n1, k1 = v3, 3
            else:
                n1, k1 = v4, 4
            v0, v3, v4 = o + os_, e + es, s + ss
            if v0 >= v3 and v0 >= v4:
                n4, k4 = v0, 0
            elif v3 >= v4:
                n4, k4 = v3, 3
            else:
                n4, k4 = v4, 4
            # I and E are reached from B or I.
            v1, v2 = b + bi, i + ii
            n2, k2 = (v1, 1) if v1 >= v2 else (v2, 2)
            v1, v2 = b + be, i + ie
            n3, k3 = (v1, 1) if v1 >= v2 else (v2, 2)
            o, b, i, e, s = n0 + row[0], n1 + row[1], n2 + row[2], n3 + row[3], n4 + row[4]
            backs.append((k0, k1, k2, k3, k4))
        # A sequence ends in O, E or S.
        last, best = 0, o
        if e > best:
            last, best = 3, e
        if s > best:
            last = 4
        path = [last]
        for back in reversed(backs):
            last = back[last]
            path.append(last)
        return path[::-1]

    # -- persistence -------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """npz (no pickle) of the weights, for embedding in the component's ``to_disk``."""
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            # float16 halves the file; scores are sums of ~40 weights, well within range.
            weights=self.weights.astype(np.float16),
            bias=self.bias,
            labels=np.array(self.labels),
            bits=np.array(self.config.bits),
            use_tokens=np.array(self.config.use_tokens),
            hash_version=np.array(self.config.hash_version),
            use_wide=np.array(self.config.use_wide),
            transitions=(self.transitions if self.transitions is not None else np.zeros((0, 0))),
            temperature=np.array(self.temperature),
            o_bias=np.array(self.o_bias),
            calibration=(
                self.calibration if self.calibration is not None else np.zeros(0, np.float32)
            ),
            # Cluster tables (only with the cluster templates): plain str / int arrays.
            **(self.config.clusters.to_arrays() if self.config.clusters is not None else {}),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> OrgTagger:
        """Inverse of :meth:`to_bytes` (``allow_pickle=False``)."""
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            # Models saved before the cluster templates have no cluster arrays: they get
            # exactly their old features (the cluster templates stay off).
            clusters = (
                Clusters.from_arrays({k: npz[k] for k in npz.files if k.startswith("cluster_")})
                if "cluster_words" in npz.files
                else None
            )
            return cls(
                weights=np.ascontiguousarray(npz["weights"], dtype=np.float32),
                bias=npz["bias"].astype(np.float32),
                labels=tuple(str(x) for x in npz["labels"]),
                config=FeatureConfig(
                    bits=int(npz["bits"]),
                    use_tokens=bool(npz["use_tokens"]),
                    clusters=clusters,
                    # Absent in older files: they were trained with version 1.
                    hash_version=(int(npz["hash_version"]) if "hash_version" in npz.files else 1),
                    use_wide="use_wide" in npz.files and bool(npz["use_wide"]),
                ),
                transitions=(
                    npz["transitions"].astype(np.float64) if npz["transitions"].size else None
                ),
                temperature=float(npz["temperature"]),
                o_bias=float(npz["o_bias"]) if "o_bias" in npz.files else 0.0,
                calibration=(
                    npz["calibration"].astype(np.float32)
                    if "calibration" in npz.files and npz["calibration"].size
                    else None
                ),
            )


def dump_estimator(clf: Any, path: Path | str) -> None:
    """Write a fitted estimator with skops (compressed)."""
    import skops.io as sio

    sio.dump(clf, path, compression=zipfile.ZIP_DEFLATED)


def load_estimator(path: Path | str, expected_sha256: str | None = None) -> Any:
    """Load a skops file only if its checksum matches and every type is trusted."""
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise ZhnewsError(Errors.E006.format(path=path, reason="file not found"))
    if expected_sha256 is not None:
        actual = sha256_file(path)
        if actual != expected_sha256:
            raise ZhnewsError(
                Errors.E006.format(
                    path=path,
                    reason=f"SHA-256 {actual} does not match the model card ({expected_sha256})",
                )
            )
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as err:  # a corrupt archive is refused, whatever the reason
        raise ZhnewsError(
            Errors.E006.format(path=path, reason=f"unreadable skops file: {err}")
        ) from err
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise ZhnewsError(
            Errors.E006.format(path=path, reason=f"untrusted types {refused} (not loaded)")
        )
    try:
        return sio.load(path, trusted=[t for t in untrusted if t in TRUSTED_TYPES])
    except Exception as err:
        raise ZhnewsError(Errors.E006.format(path=path, reason=f"cannot load: {err}")) from err


def save_tagger(tagger: OrgTagger, path: Path | str) -> None:
    """Write the runtime weights as a compressed ``.npz`` (plain arrays, no pickle)."""
    Path(path).write_bytes(tagger.to_bytes())


def load_tagger(model_path: Path | str, card_path: Path | str | None = None) -> OrgTagger:
    """Load the shipped tagger (``.npz``), refusing it unless it matches its model card.

    The SHA-256 recorded in the card is checked before the file is parsed, and the file
    is read with ``allow_pickle=False``: a tampered or pickled file raises ``E006``.
    A ``.skops`` file goes through :func:`load_estimator` (trusted-type check).
    """
    import json

    model_path = Path(model_path)
    card: dict[str, Any] = {}
    if card_path is not None:
        card_path = Path(card_path)
        if not card_path.is_file():
            raise ZhnewsError(
                Errors.E006.format(path=model_path, reason=f"model card {card_path} missing")
            )
        card = json.loads(card_path.read_text(encoding="utf8"))
    if model_path.suffix == ".skops":
        clf = load_estimator(model_path, expected_sha256=card.get("sha256"))
        return OrgTagger.from_estimator(clf, FeatureConfig.from_dict(card.get("features", {})))
    if not model_path.is_file():
        raise ZhnewsError(Errors.E006.format(path=model_path, reason="file not found"))
    expected = card.get("sha256")
    if card_path is not None and not expected:
        raise ZhnewsError(
            Errors.E006.format(path=model_path, reason="model card has no SHA-256 to check")
        )
    if expected is not None and sha256_file(model_path) != expected:
        raise ZhnewsError(
            Errors.E006.format(
                path=model_path, reason="SHA-256 does not match the model card (file changed?)"
            )
        )
    try:
        tagger = OrgTagger.from_bytes(model_path.read_bytes())
    except Exception as err:  # pickled arrays, truncated zip, missing keys ...
        raise ZhnewsError(
            Errors.E006.format(path=model_path, reason=f"not a valid weights file: {err}")
        ) from err
    if set(tagger.labels) - set(LABELS) or tagger.weights.shape != (
        1 << tagger.config.bits,
        len(tagger.labels),
    ):
        raise ZhnewsError(Errors.E006.format(path=model_path, reason="unexpected array shapes"))
    k = len(tagger.labels)
    if (tagger.transitions is not None and tagger.transitions.shape != (k, k)) or (
        tagger.calibration is not None and tagger.calibration.shape != (k,)
    ):
        raise ZhnewsError(Errors.E006.format(path=model_path, reason="unexpected array shapes"))
    return tagger
