"""Tagger persistence: skops with trusted types, npz weights, refusal of bad files."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from pipeline.errors import ZhnewsError
from pipeline.orgs.classifier import (
    TRUSTED_TYPES,
    OrgTagger,
    dump_estimator,
    load_estimator,
    load_tagger,
    save_tagger,
    sha256_file,
)
from pipeline.orgs.features import FeatureConfig


@pytest.mark.parametrize("with_checksum", [True, False])
def test_classifier_skops_round_trip_with_trusted_types(tmp_path, tiny_estimator, with_checksum):
    import skops.io as sio

    path = tmp_path / "m.skops"
    dump_estimator(tiny_estimator, path)
    assert set(sio.get_untrusted_types(file=path)) <= set(TRUSTED_TYPES)
    loaded = load_estimator(path, expected_sha256=sha256_file(path) if with_checksum else None)
    assert np.allclose(loaded.coef_, tiny_estimator.coef_)
    assert list(loaded.classes_) == list(tiny_estimator.classes_)


@pytest.mark.parametrize("payload", ["function", "custom_class"])
def test_classifier_untrusted_skops_file_is_refused(tmp_path, payload):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    path = tmp_path / "evil.skops"
    obj = FunctionTransformer(func=json.dumps) if payload == "function" else io.StringIO
    try:
        sio.dump(obj, path)
    except Exception:
        pytest.skip("skops cannot even write this object")
    with pytest.raises(ZhnewsError, match=r"\[E006\].*untrusted types"):
        load_estimator(path)


@pytest.mark.parametrize("suffix", [".npz", ".skops"])
def test_classifier_tampered_file_is_refused_by_checksum(
    tmp_path, tiny_estimator, tiny_tagger, suffix
):
    path = tmp_path / f"org_clf{suffix}"
    if suffix == ".npz":
        save_tagger(tiny_tagger, path)
    else:
        dump_estimator(tiny_estimator, path)
    card = tmp_path / "card.json"
    card.write_text(json.dumps({"sha256": sha256_file(path), "features": {"bits": 12}}))
    assert load_tagger(path, card).labels == tiny_tagger.labels
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ZhnewsError, match=r"\[E006\].*SHA-256"):
        load_tagger(path, card)


@pytest.mark.parametrize("content", ["pickled", "not_a_zip"])
def test_classifier_npz_with_pickle_or_garbage_is_refused(tmp_path, content):
    path = tmp_path / "org_clf.npz"
    if content == "pickled":
        np.savez(path, weights=np.array([{"a": 1}], dtype=object), bias=np.zeros(5))
    else:
        path.write_bytes(b"definitely not a zip file")
    with pytest.raises(ZhnewsError, match=r"\[E006\]"):
        load_tagger(path)


@pytest.mark.parametrize("text", ["宁波银行与星河科技签约"])
def test_classifier_npz_round_trip_keeps_predictions(tmp_path, tiny_tagger, shipped_rules, text):
    from pipeline.orgs.tagging import CharTagPipeline

    path = tmp_path / "org_clf.npz"
    save_tagger(tiny_tagger, path)
    again = load_tagger(path)
    assert again.config == tiny_tagger.config
    a = CharTagPipeline(shipped_rules, tiny_tagger).indices(text)
    assert np.allclose(again.probabilities(a), tiny_tagger.probabilities(a), atol=1e-2)


@pytest.mark.parametrize(
    "probs_o,expected",
    [
        ([0.999, 0.999, 0.999], []),
        ([0.999, 0.1, 0.1, 0.999], [(1, 3)]),
    ],
)
def test_classifier_decode_obeys_bioes_constraints(probs_o, expected):
    labels = ("O", "B", "I", "E", "S")
    tagger = OrgTagger(
        np.zeros((4, 5), np.float32), np.zeros(5, np.float32), labels, FeatureConfig(bits=2)
    )
    rows = []
    for i, p in enumerate(probs_o):
        rest = (1 - p) / 4
        row = [p, rest, rest, rest, rest]
        if p < 0.5:  # first non-O char prefers B, the next I: decoding must close with E
            row = [p, 0.6 if i == 1 else 0.1, 0.1 if i == 1 else 0.6, 0.1, 0.1]
        rows.append(row)
    spans = tagger.decode(np.array(rows))
    assert [(s, e) for s, e, _ in spans] == expected
    assert all(0.0 <= c <= 1.0 for _, _, c in spans)


def _structured_tagger(seed: int, calibration: np.ndarray | None = None) -> OrgTagger:
    from pipeline.orgs.features import LABELS

    rng = np.random.default_rng(seed)
    return OrgTagger(
        weights=rng.normal(size=(1 << 6, 5)).astype(np.float32),
        bias=np.zeros(5, dtype=np.float32),
        labels=LABELS,
        config=FeatureConfig(bits=6),
        transitions=rng.normal(size=(5, 5)) * 3,
        calibration=calibration,
    )


def test_unrolled_bioes_viterbi_matches_generic_viterbi():
    """The CRF's unrolled decoder finds the same path as the generic one."""
    tagger = _structured_tagger(0)
    rng = np.random.default_rng(1)
    for n in range(1, 30):
        for scale in (0.3, 3.0, 10.0):
            logp = rng.normal(size=(n, 5)) * scale
            assert tagger._viterbi_bioes(logp) == tagger._viterbi(logp)


def test_calibration_changes_confidences_not_the_decoded_path(tmp_path):
    """Calibration offsets move P(O) (and the spans' confidences) but decoding removes
    them, so the Viterbi path is the uncalibrated one; they survive the npz round trip."""
    idx = np.random.default_rng(2).integers(0, 1 << 6, size=(40, 8))
    plain = _structured_tagger(3)
    calibrated = _structured_tagger(3, calibration=np.array([0, -2, -1, -1, -2], np.float32))
    p_plain, p_cal = plain.probabilities(idx), calibrated.probabilities(idx)
    assert (p_cal[:, 0] > p_plain[:, 0]).all()
    path_plain = plain._viterbi(plain.decoding_scores(p_plain)[0])
    path_cal = calibrated._viterbi(calibrated.decoding_scores(p_cal)[0])
    assert path_plain == path_cal
    spans_plain = [(s, e) for s, e, _ in plain.decode(p_plain, o_threshold=1.0)]
    spans_cal = [(s, e) for s, e, _ in calibrated.decode(p_cal, o_threshold=1.0)]
    assert spans_plain == spans_cal
    path = tmp_path / "crf.npz"
    save_tagger(calibrated, path)
    loaded = load_tagger(path)
    assert loaded.calibration is not None
    assert np.allclose(loaded.calibration, calibrated.calibration)
    assert np.allclose(loaded.probabilities(idx), p_cal, atol=1e-3)


def test_sgd_tagger_npz_has_no_calibration(tmp_path, tiny_tagger):
    path = tmp_path / "sgd.npz"
    save_tagger(tiny_tagger, path)
    loaded = load_tagger(path)
    assert loaded.calibration is None and loaded.transitions is None


def test_crf_span_probability_matches_brute_force_enumeration():
    """The forward-backward span probability equals the sum over every allowed label
    sequence of the region (start/end constraints, learned transitions)."""
    import itertools

    tagger = _structured_tagger(4)
    rng = np.random.default_rng(5)
    labels = tagger.labels
    allowed_start, allowed_end = {"O", "B", "S"}, {"O", "E", "S"}
    for n in (1, 2, 4, 6):
        logp = rng.normal(size=(n, 5)) * 2
        paths, weights = [], []
        for path in itertools.product(range(5), repeat=n):
            tags = [labels[k] for k in path]
            if tags[0] not in allowed_start or tags[-1] not in allowed_end:
                continue
            if any(tagger._trans[a, b] < -1e8 for a, b in itertools.pairwise(path)):
                continue
            score = sum(logp[i, k] for i, k in enumerate(path))
            score += sum(tagger._trans[a, b] for a, b in itertools.pairwise(path))
            paths.append(tags)
            weights.append(np.exp(score))
        z = sum(weights)
        segments = [(s, e) for s in range(n) for e in range(s + 1, n + 1)]
        got = tagger._segment_probabilities(logp, segments)
        for (s, e), p in zip(segments, got, strict=True):
            want = ["S"] if e - s == 1 else ["B"] + ["I"] * (e - s - 2) + ["E"]
            expected = sum(w for tags, w in zip(paths, weights, strict=True) if tags[s:e] == want)
            assert p == pytest.approx(expected / z, rel=1e-9, abs=1e-12)


def test_all_o_shortcut_is_exact_when_o_to_o_is_the_best_transition():
    """A region whose argmax is all O is skipped only when Viterbi would agree."""
    tagger = _structured_tagger(6)
    trans = np.random.default_rng(7).uniform(-3, 3, size=(5, 5))
    trans[0, 0] = 3.5
    tagger = OrgTagger(
        weights=tagger.weights,
        bias=tagger.bias,
        labels=tagger.labels,
        config=tagger.config,
        transitions=trans,
    )
    assert tagger._all_o_is_optimal
    rng = np.random.default_rng(8)
    for n in range(1, 25):
        logp = rng.normal(size=(n, 5))
        logp[:, 0] = logp.max(axis=1) + rng.uniform(0, 0.5, size=n)  # O wins everywhere
        assert not any(tagger._viterbi(logp))
    trans[0, 0] = 2.0
    trans[2, 2] = 2.5
    assert not OrgTagger(
        weights=tagger.weights,
        bias=tagger.bias,
        labels=tagger.labels,
        config=tagger.config,
        transitions=trans,
    )._all_o_is_optimal
