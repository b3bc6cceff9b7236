"""Parquet output: fixed schema, atomic parts, resume, readable by ``datasets``."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.io.parquet import ARROW_SCHEMA, ParquetSink, record_to_row

RECORD = {
    "id": "d1",
    "schema": "zhnews/1",
    "date": "2024-03-20",
    "entities": [
        {
            "start": 0,
            "end": 4,
            "text": "腾讯控股",
            "label": "ORG",
            "value": None,
            "source": "gazetteer:x",
            "confidence": 0.9,
            "canonical": "腾讯控股有限公司",
        },
        {
            "start": 9,
            "end": 15,
            "text": "6090亿元",
            "label": "MONEY",
            "value": {"amount": 6.09e11, "currency": "CNY"},
            "source": "rule:m",
            "confidence": 1.0,
            "flags": {"qualifier": "约"},
        },
    ],
    "relations": [
        {
            "figure": {"start": 9, "end": 15, "text": "6090亿元"},
            "subject": {"start": 0, "end": 4, "text": "腾讯控股", "type": "ORG", "canonical": None},
            "metric": "收入",
            "metric_canonical": "revenue",
            "kind": "value",
            "comparison": None,
            "direction": None,
            "period": None,
            "role": None,
            "company": "腾讯控股有限公司",
            "source": "model:linker",
            "confidence": 0.8,
            "novel_key": [1, 2],
        }
    ],
}


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)


@pytest.mark.parametrize(
    "record",
    [
        RECORD,
        {
            **RECORD,
            "entities": [],
            "relations": [],
            "unplaced": [{"start": 1, "end": 2, "label": "ORG", "source": "x"}],
        },
    ],
)
def test_parquet_row_round_trip(tmp_path: Path, record: dict) -> None:
    sink = ParquetSink(tmp_path / "o.parquet")
    sink.write([_line(record)])
    sink.finish()
    (row,) = pq.read_table(tmp_path / "o.parquet").to_pylist()
    assert row == record_to_row(record)
    assert [json.loads(e["value"]) if e["value"] else None for e in row["entities"]] == [
        e["value"] for e in record["entities"]
    ]
    for rel, original in zip(row["relations"], record["relations"], strict=True):
        assert json.loads(rel["extra"]) == {"novel_key": [1, 2]}
        assert rel["figure"] == original["figure"] and rel["metric_canonical"] == "revenue"
    assert not (tmp_path / "o.parquet.parts").exists()


@pytest.mark.parametrize("rows", [5])
def test_parquet_resume_discards_parts_after_checkpoint(tmp_path: Path, rows: int) -> None:
    out = tmp_path / "shards"
    sink = ParquetSink(out, shards=True, shard_rows=2)
    lines = [_line({**RECORD, "id": f"d{n}"}) for n in range(rows)]
    sink.write(lines[:2])
    state = sink.checkpoint()
    sink.write(lines[2:4])
    sink.checkpoint()  # a part the journal never heard of (crash before the journal was saved)
    (out / "part-00009.parquet.tmp").write_bytes(b"half")
    resumed = ParquetSink(out, shards=True, shard_rows=2, resume=state)
    resumed.write(lines[2:])
    resumed.finish()
    ids = [r["id"] for f in sorted(out.glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    assert ids == [f"d{n}" for n in range(rows)]
    assert not list(out.glob("*.tmp"))


def test_parquet_empty_run_still_writes_a_readable_shard(tmp_path: Path) -> None:
    sink = ParquetSink(tmp_path / "shards", shards=True)
    sink.finish()
    (shard,) = (tmp_path / "shards").glob("*.parquet")
    # (datasets cannot load a zero-row Parquet file; pyarrow and every other reader can)
    assert pq.read_table(shard).num_rows == 0 and pq.read_schema(shard).equals(ARROW_SCHEMA)


@pytest.mark.parametrize("count", [1, 3])
def test_parquet_shards_load_with_datasets(tmp_path: Path, count: int) -> None:
    datasets = pytest.importorskip("datasets")
    out = tmp_path / "shards"
    sink = ParquetSink(out, shards=True, shard_rows=2)
    sink.write([_line({**RECORD, "id": f"d{n}"}) for n in range(count)])
    sink.finish()
    loaded = datasets.load_dataset(
        "parquet",
        data_files=str(out / "*.parquet"),
        split="train",
        cache_dir=str(tmp_path / "cache"),
    )
    assert loaded.num_rows == count
    assert pq.read_schema(next(out.glob("*.parquet"))).equals(ARROW_SCHEMA)
    assert loaded[0]["entities"][1]["label"] == "MONEY"


def test_parquet_resume_refuses_missing_parts(tmp_path: Path) -> None:
    from pipeline.errors import UsageError

    out = tmp_path / "shards"
    sink = ParquetSink(out, shards=True, shard_rows=1)
    sink.write([_line(RECORD)])
    state = sink.checkpoint()
    (out / "part-00000.parquet").unlink()
    with pytest.raises(UsageError, match="missing"):
        ParquetSink(out, shards=True, shard_rows=1, resume=state)
