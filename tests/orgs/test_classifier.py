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
