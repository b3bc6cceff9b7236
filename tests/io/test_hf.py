"""Hugging Face datasets as input, built locally in the test (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import UsageError
from pipeline.io.hf import check_dataset
from pipeline.io.records import Fields

datasets = pytest.importorskip("datasets")

ROWS = {
    "uid": ["n1", "n2", "n3"],
    "body": ["腾讯收入6090亿元。", "", None],
    "published": ["2024-03-20", None, "2024-03-21"],
}


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "saved"
    datasets.DatasetDict({"train": datasets.Dataset.from_dict(ROWS)}).save_to_disk(str(path))
    return path


@pytest.mark.parametrize("streaming", [False, True])
def test_hf_saved_dataset_rows_become_items(saved: Path, streaming: bool) -> None:
    checked = check_dataset(
        str(saved), split=None, fields=Fields("body", "uid", "published"), streaming=streaming
    )
    items = list(checked.items())
    assert [(i.doc_id, i.text, i.date, i.ok) for i in items[:2]] == [
        ("n1", "腾讯收入6090亿元。", "2024-03-20", True),
        ("n2", "", None, True),
    ]
    assert not items[2].ok and items[2].line == 3 and items[2].source.startswith("dataset:")


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_hf_local_data_file(tmp_path: Path, suffix: str) -> None:
    data = datasets.Dataset.from_dict({"id": ["a", "b"], "text": ["x", "y"]})
    path = tmp_path / f"news{suffix}"
    (data.to_parquet if suffix == ".parquet" else data.to_json)(str(path))
    checked = check_dataset(str(path), split=None, fields=Fields())
    assert [i.doc_id for i in checked.items()] == ["a", "b"]


@pytest.mark.parametrize(
    ("fields", "explicit"),
    [(Fields("text"), Fields("", "", "")), (Fields("body", "id"), Fields("body", "id", ""))],
)
def test_hf_unknown_field_is_usage_error(saved: Path, fields: Fields, explicit: Fields) -> None:
    with pytest.raises(UsageError, match=r"\[E003\]"):
        check_dataset(str(saved), split=None, fields=fields, explicit=explicit)


@pytest.mark.parametrize("split", ["validation"])
def test_hf_unknown_split_is_usage_error(saved: Path, split: str) -> None:
    with pytest.raises(UsageError, match="no split 'validation'"):
        check_dataset(str(saved), split=split, fields=Fields("body"))
