"""Parquet output: one row per document with nested entities and relations.

Entity values differ by label (money, percent, date), so ``value``, ``flags`` and any
relation keys outside schema v1 are stored as JSON strings; everything else is a typed
column, so the files are queryable with any Parquet reader and load with
``datasets.load_dataset("parquet", data_files=...)``.  One fixed Arrow schema is used
for every file, so shards of one run (and of different runs) always concatenate.

Rows are written in parts (``part-00000.parquet`` …) that are complete files, each
written to a temporary name and renamed: a crash never leaves a half-written part,
and ``--resume`` continues after the last complete one.  Single-file output merges
the parts at the end; ``--shard-rows`` keeps them as the shards of a directory.

A huge document arrives as a spooled record (:mod:`pipeline.batch.stream`).  A Parquet
row cannot be cut across row groups, so its row is built whole, but column by column:
each piece's entities and relations are read from the spool, flattened and turned into
Arrow arrays, so what is held is the columnar Arrow form of the row (about the size of
its JSON), never the list of Python dicts of the whole record.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import Errors, UsageError

_SPAN = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())])
_SUBJECT = pa.struct(
    [
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
        ("type", pa.string()),
        ("canonical", pa.string()),
    ]
)
_ENTITY = pa.struct(
    [
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
        ("label", pa.string()),
        ("value", pa.string()),
        ("source", pa.string()),
        ("confidence", pa.float64()),
        ("flags", pa.string()),
        ("canonical", pa.string()),
    ]
)
_RELATION_SCALARS = (
    "metric",
    "metric_canonical",
    "kind",
    "comparison",
    "direction",
    "role",
    "company",
    "source",
)
_RELATION = pa.struct(
    [
        ("figure", _SPAN),
        ("subject", _SUBJECT),
        *[(name, pa.string()) for name in _RELATION_SCALARS],
        ("period", _SPAN),
        ("confidence", pa.float64()),
        ("extra", pa.string()),
    ]
)
ARROW_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("schema", pa.string()),
        ("date", pa.string()),
        ("entities", pa.list_(_ENTITY)),
        ("relations", pa.list_(_RELATION)),
        ("unplaced", pa.string()),
    ]
)
_KNOWN_RELATION_KEYS = {"figure", "subject", "period", "confidence", *_RELATION_SCALARS}


def _json_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _span(value: Any, keys: tuple[str, ...] = ("start", "end", "text")) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    return {key: value.get(key) for key in keys}


def _scalar(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else _json_or_none(value)


def entity_row(e: dict[str, Any]) -> dict[str, Any]:
    """One entity in the fixed Arrow shape."""
    return {
        "start": e["start"],
        "end": e["end"],
        "text": e["text"],
        "label": e["label"],
        "value": _json_or_none(e.get("value")),
        "source": e.get("source"),
        "confidence": e.get("confidence"),
        "flags": _json_or_none(e.get("flags")),
        "canonical": e.get("canonical"),
    }


def relation_row(rel: dict[str, Any]) -> dict[str, Any]:
    """One relation in the fixed Arrow shape (keys outside schema v1 go to ``extra``)."""
    extra = {k: v for k, v in rel.items() if k not in _KNOWN_RELATION_KEYS}
    row = {
        "figure": _span(rel.get("figure")),
        "subject": _span(rel.get("subject"), ("start", "end", "text", "type", "canonical")),
        "period": _span(rel.get("period")),
        "confidence": rel.get("confidence"),
        "extra": _json_or_none(extra) if extra else None,
    }
    row.update({name: _scalar(rel.get(name)) for name in _RELATION_SCALARS})
    return row


def record_to_row(record: dict[str, Any]) -> dict[str, Any]:
    """Flatten one schema-v1 record into the fixed Arrow row shape."""
    return {
        "id": record["id"],
        "schema": record.get("schema"),
        "date": record.get("date"),
        "entities": [entity_row(e) for e in record.get("entities", [])],
        "relations": [relation_row(rel) for rel in record.get("relations", [])],
        "unplaced": _json_or_none(record.get("unplaced")),
    }


def _list_column(pieces: Any, convert: Any, item_type: pa.DataType) -> pa.Array:
    """A one-row list column built piece by piece (each piece flattened, then dropped)."""
    arrays = [pa.array([convert(item) for item in piece], type=item_type) for piece in pieces]
    values = pa.concat_arrays(arrays) if arrays else pa.array([], type=item_type)
    return pa.ListArray.from_arrays(pa.array([0, len(values)], type=pa.int32()), values)


def spooled_to_table(spooled: Any) -> pa.Table:
    """The one-row table of a spooled record; equals ``record_to_row`` of its line."""
    unplaced = None
    if spooled.has("unplaced"):
        items = [_json_or_none(item) for piece in spooled.pieces("unplaced") for item in piece]
        unplaced = "[" + ",".join(items) + "]"  # what _json_or_none gives for the list
    columns = [
        pa.array([spooled.value("id")], type=pa.string()),
        pa.array([spooled.value("schema")], type=pa.string()),
        pa.array([spooled.value("date")], type=pa.string()),
        _list_column(spooled.pieces("entities"), entity_row, _ENTITY),
        _list_column(spooled.pieces("relations"), relation_row, _RELATION),
        pa.array([unplaced], type=pa.string()),
    ]
    return pa.Table.from_arrays(columns, schema=ARROW_SCHEMA)


def _part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


class ParquetSink:
    """Parquet output in complete, atomically renamed parts (see the module docstring)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        shards: bool = False,
        shard_rows: int = 10_000,
        resume: dict[str, Any] | None = None,
    ) -> None:
        self.path = Path(path)
        self.shards = shards
        self.shard_rows = max(1, shard_rows)
        self.parts_dir = self.path if shards else Path(f"{self.path}.parts")
        self.parts = int(resume.get("parts", 0)) if resume else 0
        self._rows: list[dict[str, Any]] = []
        # Rows already in Arrow form (before and including spooled records), in order.
        self._tables: list[pa.Table] = []
        self._pending = 0
        missing = [i for i in range(self.parts) if not (self.parts_dir / _part_name(i)).exists()]
        if missing:
            raise UsageError(
                Errors.E002.format(
                    path=path,
                    reason=f"part {_part_name(missing[0])} recorded by the resume journal is missing; "
                    "rerun without --resume",
                )
            )
        try:
            self.parts_dir.mkdir(parents=False, exist_ok=True)
            for stale in self.parts_dir.iterdir():
                if stale.name.endswith(".tmp") or (
                    stale.name.startswith("part-")
                    and stale.suffix == ".parquet"
                    and int(stale.stem[5:] or 0) >= self.parts
                ):
                    stale.unlink()
        except (OSError, ValueError) as err:
            raise UsageError(Errors.E002.format(path=path, reason=err)) from err

    def write(self, lines: list[Any]) -> None:
        """Rows of JSON lines, or of spooled records (built column by column)."""
        for line in lines:
            if isinstance(line, str):
                self._rows.append(record_to_row(json.loads(line)))
            else:
                self._arrow_rows()
                self._tables.append(spooled_to_table(line))
            self._pending += 1

    def _arrow_rows(self) -> None:
        if self._rows:
            self._tables.append(pa.Table.from_pylist(self._rows, schema=ARROW_SCHEMA))
            self._rows = []

    def ready(self) -> bool:
        return self._pending >= self.shard_rows

    def checkpoint(self) -> dict[str, Any]:
        if self._rows or self._tables:
            if self._tables:
                self._arrow_rows()
                table = pa.concat_tables(self._tables).combine_chunks()
            else:
                table = pa.Table.from_pylist(self._rows, schema=ARROW_SCHEMA)
            target = self.parts_dir / _part_name(self.parts)
            temporary = target.with_name(target.name + ".tmp")
            pq.write_table(table, temporary)
            os.replace(temporary, target)
            self.parts += 1
            self._rows, self._tables, self._pending = [], [], 0
        return {"parts": self.parts}

    def finish(self) -> None:
        self.checkpoint()
        if self.shards:
            if self.parts == 0:  # an empty corpus still gives a readable dataset
                pq.write_table(ARROW_SCHEMA.empty_table(), self.parts_dir / _part_name(0))
            return
        temporary = self.path.with_name(self.path.name + ".tmp")
        with pq.ParquetWriter(temporary, ARROW_SCHEMA) as writer:
            for index in range(self.parts):
                writer.write_table(pq.read_table(self.parts_dir / _part_name(index)))
        os.replace(temporary, self.path)
        shutil.rmtree(self.parts_dir, ignore_errors=True)

    def close(self) -> None:
        """Interrupted: keep the complete parts for ``--resume``; drop unsaved rows."""
        self._rows, self._tables, self._pending = [], [], 0
