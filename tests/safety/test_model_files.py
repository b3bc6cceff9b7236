"""Model file loading: verified bytes, data-only formats, clear refusals (E006)."""

from __future__ import annotations

import functools
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import ZhnewsError
from pipeline.safety.model_files import (
    expected_sha256,
    file_record,
    load_card,
    load_json,
    load_model_file,
    load_npz,
    load_skops,
    read_verified,
    sha256_bytes,
    sha256_file,
)


def _fitted_model():
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    X = [{"a": 1.0}, {"b": 1.0}] * 4
    y = [0, 1] * 4
    return Pipeline([("vec", DictVectorizer()), ("clf", LogisticRegression())]).fit(X, y)


def _write_with_card(path: Path, data: bytes, sha: str | None = None) -> Path:
    path.write_bytes(data)
    card = {"model_file": path.name, "sha256": sha or sha256_bytes(data)}
    card_path = path.with_name(path.name + ".card.json")
    card_path.write_text(json.dumps(card), encoding="utf8")
    return card_path


def test_model_files_skops_roundtrip(tmp_path: Path) -> None:
    import skops.io as sio

    model = _fitted_model()
    path = tmp_path / "m.skops"
    _write_with_card(path, sio.dumps(model))
    loaded = load_model_file(path)
    assert loaded.predict([{"a": 1.0}]).tolist() == model.predict([{"a": 1.0}]).tolist()


@pytest.mark.parametrize(
    ("payload", "trusted", "reason"),
    [
        ({"f": functools.partial(print, 1)}, [], "outside the trusted list"),
        ({"f": print}, [], "outside the trusted list"),
        (
            {"f": functools.partial(print, 1)},
            ["functools.partial", "builtins.print"],
            "can run code",
        ),
        ({"x": 1}, ["os.system"], "can run code"),
    ],
)
def test_model_files_skops_untrusted_type_refused(
    tmp_path: Path, payload: object, trusted: list[str], reason: str
) -> None:
    import skops.io as sio

    path = tmp_path / "evil.skops"
    data = sio.dumps(payload)
    path.write_bytes(data)
    with pytest.raises(ZhnewsError, match=reason) as info:
        load_skops(path, trusted=trusted, sha256=sha256_bytes(data))
    assert str(info.value).startswith("[E006]")
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b[:-1],  # truncated
        lambda b: b + b"\0",  # appended
        lambda b: bytes([b[0] ^ 1]) + b[1:],  # one bit flipped
    ],
)
def test_model_files_wrong_checksum_refused_before_parsing(tmp_path: Path, mutate) -> None:
    import skops.io as sio

    good = sio.dumps(_fitted_model())
    path = tmp_path / "m.skops"
    _write_with_card(path, mutate(good), sha=sha256_bytes(good))
    with pytest.raises(ZhnewsError, match="does not match the model card"):
        load_model_file(path)


@pytest.mark.parametrize(
    ("sha", "reason"),
    [
        (None, "no SHA-256"),
        ("abc", "not 64 hex digits"),
        ("g" * 64, "not 64 hex digits"),
    ],
)
def test_model_files_missing_or_bad_expected_checksum(tmp_path: Path, sha, reason: str) -> None:
    path = tmp_path / "m.json"
    path.write_text("{}", encoding="utf8")
    with pytest.raises(ZhnewsError, match=reason):
        read_verified(path, sha256=sha)


@pytest.mark.parametrize("suffix", [".pkl", ".pickle", ".joblib", ".pt", ".bin", ""])
def test_model_files_disallowed_format_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"model{suffix}"
    path.write_bytes(b"\x80\x04K\x01.")  # a pickle of 1: must never be opened
    with pytest.raises(ZhnewsError, match="not allowed"):
        load_model_file(path, sha256=sha256_file(path))


def test_model_files_npz_roundtrip_and_keys(tmp_path: Path) -> None:
    buf = io.BytesIO()
    np.savez(buf, w=np.arange(6, dtype=np.float32).reshape(2, 3), labels=np.array(["O", "B"]))
    path = tmp_path / "w.npz"
    _write_with_card(path, buf.getvalue())
    arrays = load_model_file(path)
    assert arrays["w"].shape == (2, 3)
    assert arrays["labels"].tolist() == ["O", "B"]
    with pytest.raises(ZhnewsError, match="expected exactly"):
        load_npz(path, sha256=sha256_file(path), keys=["w"])


def test_model_files_npz_object_array_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    np.savez(buf, evil=np.array([{"a": 1}, None], dtype=object))
    path = tmp_path / "evil.npz"
    path.write_bytes(buf.getvalue())
    with pytest.raises(ZhnewsError, match=r"\[E006\].*evil.npz"):
        load_npz(path, sha256=sha256_file(path))


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"w.npy": b"\x93NUMPY", "payload.py": b"print(1)"}, "unexpected member"),
        ({"../w.npy": b"\x93NUMPY"}, "unexpected member"),
        ({"w.npy": b"not an array"}, "cannot read arrays"),
    ],
)
def test_model_files_npz_odd_archive_refused(tmp_path: Path, members: dict, reason: str) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path = tmp_path / "odd.npz"
    path.write_bytes(buf.getvalue())
    with pytest.raises(ZhnewsError, match=reason):
        load_npz(path, sha256=sha256_file(path))


def test_model_files_npz_decompression_bomb_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    np.savez_compressed(buf, z=np.zeros(2_000_000, dtype=np.uint8))
    path = tmp_path / "bomb.npz"
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 100_000
    with pytest.raises(ZhnewsError, match="limit"):
        load_npz(path, sha256=sha256_file(path), max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"w": NaN}', "not allowed"),
        ('{"w": Infinity}', "not allowed"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
        ("{", "not valid JSON"),
    ],
)
def test_model_files_json_refusals(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(text, encoding="utf8")
    with pytest.raises(ZhnewsError, match=reason):
        load_json(path, sha256=sha256_file(path))


def test_model_files_oversized_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 1000 + "0]", encoding="utf8")
    with pytest.raises(ZhnewsError, match="byte limit"):
        load_json(path, sha256=sha256_file(path), max_bytes=100)


@pytest.mark.parametrize(
    ("card", "name", "expected"),
    [
        ({"sha256": "a" * 64}, "m.skops", "a" * 64),
        ({"model_file": "m.skops", "sha256": "b" * 64}, "m.skops", "b" * 64),
        ({"model_file": "other.skops", "sha256": "b" * 64}, "m.skops", None),
        ({"files": {"m.npz": {"sha256": "c" * 64}}}, "m.npz", "c" * 64),
        ({}, "m.npz", None),
    ],
)
def test_model_files_expected_sha256_from_card(card: dict, name: str, expected) -> None:
    assert expected_sha256(card, name) == expected


@pytest.mark.parametrize(("text", "reason"), [("[1]", "JSON object"), ("{", "not valid JSON")])
def test_model_files_bad_card_refused(tmp_path: Path, text: str, reason: str) -> None:
    card = tmp_path / "m.card.json"
    card.write_text(text, encoding="utf8")
    with pytest.raises(ZhnewsError, match=reason):
        load_card(card)


def test_model_files_card_without_checksum_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("{}", encoding="utf8")
    (tmp_path / "m.json.card.json").write_text('{"model_file": "m.json"}', encoding="utf8")
    with pytest.raises(ZhnewsError, match="no SHA-256"):
        load_model_file(path)


def test_model_files_file_record(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("{}", encoding="utf8")
    assert file_record(path) == {"file": "m.json", "bytes": 2, "sha256": sha256_bytes(b"{}")}
