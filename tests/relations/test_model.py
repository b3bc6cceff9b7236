"""The pair model: JSON round trip, hash check, refusal of tampered files."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from pipeline.errors import ZhnewsError
from pipeline.relations.model import (
    CARD_FILE,
    MODEL_FILE,
    PairModel,
    default_model_dir,
    load_model,
    save_model,
)


@pytest.mark.parametrize(
    "features",
    [{"bias": 1.0, "type=ORG": 1.0}, {"bias": 1.0, "unknown": 3.0}, {}],
)
def test_model_round_trip(tmp_path, features):
    model = PairModel({"bias": 0.5, "type=ORG": -1.25}, 0.1, 0.4, {"C": 1.0})
    save_model(model, tmp_path, {"name": "test"})
    again = load_model(tmp_path)
    assert again.weights == model.weights
    assert again.threshold == model.threshold
    assert again.score(features) == pytest.approx(model.score(features))
    card = json.loads((tmp_path / CARD_FILE).read_text(encoding="utf8"))
    assert card["name"] == "test" and len(card["sha256"]) == 64


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda text: text.replace('"intercept": ', '"intercept": 1'), "SHA-256"),
        (lambda text: text + " ", "SHA-256"),
    ],
)
def test_model_tampered_file_is_refused(tmp_path, edit, reason):
    target = tmp_path / "model"
    shutil.copytree(default_model_dir(), target)
    path = target / MODEL_FILE
    path.write_text(edit(path.read_text(encoding="utf8")), encoding="utf8")
    with pytest.raises(ZhnewsError, match=r"\[E006\].*" + reason):
        load_model(target)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"format": "other"}, "not a"),
        (
            {
                "format": "zhnews.rel_clf.v1",
                "features": ["a"],
                "weights": [],
                "intercept": 0,
                "threshold": 0.5,
            },
            "equal length",
        ),
        (
            {
                "format": "zhnews.rel_clf.v1",
                "features": ["a"],
                "weights": ["x"],
                "intercept": 0,
                "threshold": 0.5,
            },
            "finite",
        ),
        (
            {
                "format": "zhnews.rel_clf.v1",
                "features": [],
                "weights": [],
                "intercept": 0,
                "threshold": 2,
            },
            "threshold",
        ),
        ([1, 2, 3], "not a"),
    ],
)
def test_model_bad_structure_is_refused(data, reason):
    with pytest.raises(ZhnewsError, match=r"\[E006\].*" + reason):
        PairModel.from_json(data)


@pytest.mark.parametrize("missing", [MODEL_FILE, CARD_FILE])
def test_model_missing_file_is_refused(tmp_path, missing):
    target = tmp_path / "model"
    shutil.copytree(default_model_dir(), target)
    (target / missing).unlink()
    with pytest.raises(ZhnewsError, match=r"\[E006\]"):
        load_model(target)


def test_model_shipped_card_matches_file():
    card = json.loads((default_model_dir() / CARD_FILE).read_text(encoding="utf8"))
    for key in ("data", "versions", "metrics", "trained_at", "sha256"):
        assert key in card
    assert load_model(default_model_dir()).weights


@pytest.mark.parametrize("content", [b"[" * 50_000 + b"]" * 50_000, b"\x80\x04not json"])
def test_model_unparsable_file_with_matching_card_is_refused(tmp_path, content):
    target = tmp_path / "model"
    shutil.copytree(default_model_dir(), target)
    (target / MODEL_FILE).write_bytes(content)
    card_path = target / CARD_FILE
    card = json.loads(card_path.read_text(encoding="utf8"))
    card["sha256"] = hashlib.sha256(content).hexdigest()
    card_path.write_text(json.dumps(card), encoding="utf8")
    with pytest.raises(ZhnewsError, match=r"\[E006\].*invalid JSON"):
        load_model(target)


def test_bucket_table_equals_bucket() -> None:
    from pipeline.relations.features import _BUCKET_OF, _bucket, _bucket_fast

    assert [_bucket(n) for n in range(len(_BUCKET_OF))] == _BUCKET_OF
    assert all(_bucket_fast(n) == _bucket(n) for n in range(-3, 400))
