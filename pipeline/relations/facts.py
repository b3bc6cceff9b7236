"""The facts table: one row per linked figure, written as Parquet or CSV.

``facts_rows(record, text)`` turns one schema-v1 record (``id``, ``entities`` with
``value``, ``relations``) and its text into flat rows; ``write_facts(rows, path)``
writes any iterable of rows to ``.parquet`` (pyarrow) or ``.csv``.  The batch command
``zhnews extract ... --facts FILE`` calls these two functions.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.errors import Errors, ZhnewsError

FACT_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "subject",
    "subject_type",
    "subject_canonical",
    "company",
    "metric",
    "metric_canonical",
    "kind",
    "comparison",
    "direction",
    "role",
    "figure_text",
    "amount",
    "low",
    "high",
    "unit",
    "currency",
    "period_text",
    "period_start",
    "period_end",
    "figure_start",
    "figure_end",
    "sentence",
    "source",
    "confidence",
)
_SENTENCE_ENDS = "。！？!?\n"
_NUMERIC = ("amount", "low", "high", "confidence")
_INTEGER = ("figure_start", "figure_end")


# At most this many characters of a sentence are kept on each side of its figure.
SENTENCE_WINDOW = 500


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` that contains ``[start, end)`` (with its end mark).

    The search looks at most :data:`SENTENCE_WINDOW` characters each way: a text
    without sentence marks (a table dump, a 50 MB document on one line) would otherwise
    put the whole text in every row and scan it once per figure.
    """
    lo = max(0, start - SENTENCE_WINDOW)
    hi = min(len(text), end + SENTENCE_WINDOW)
    left = max(text.rfind(ch, lo, start) for ch in _SENTENCE_ENDS) + 1 or lo
    rights = [i for i in (text.find(ch, end, hi) for ch in _SENTENCE_ENDS) if i != -1]
    right = min(rights) + 1 if rights else hi
    return text[left:right].strip()


def facts_rows(record: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """One row per relation of a schema-v1 ``record`` over ``text``."""
    by_span = {(e["start"], e["end"]): e for e in record.get("entities", [])}
    rows: list[dict[str, Any]] = []
    for rel in record.get("relations", []):
        fig = rel["figure"]
        ent = by_span.get((fig["start"], fig["end"]), {})
        value = ent.get("value") or {}
        period = rel.get("period")
        pvalue = (
            (by_span.get((period["start"], period["end"]), {}).get("value") or {}) if period else {}
        )
        subject = rel["subject"]
        amount = value.get("amount", value.get("value"))
        rows.append(
            {
                "doc_id": str(record.get("id", "")),
                "subject": subject.get("text"),
                "subject_type": subject.get("type"),
                "subject_canonical": subject.get("canonical"),
                "company": rel.get("company"),
                "metric": rel.get("metric"),
                "metric_canonical": rel.get("metric_canonical"),
                "kind": rel.get("kind"),
                "comparison": rel.get("comparison"),
                "direction": rel.get("direction"),
                "role": rel.get("role"),
                "figure_text": fig.get("text"),
                "amount": float(amount) if isinstance(amount, (int, float)) else None,
                "low": float(value["low"]) if isinstance(value.get("low"), (int, float)) else None,
                "high": float(value["high"])
                if isinstance(value.get("high"), (int, float))
                else None,
                "unit": value.get("unit") or (f"per {value['per']}" if value.get("per") else None),
                "currency": value.get("currency"),
                "period_text": period.get("text") if period else None,
                "period_start": pvalue.get("start"),
                "period_end": pvalue.get("end"),
                "figure_start": fig["start"],
                "figure_end": fig["end"],
                "sentence": _sentence(text, fig["start"], fig["end"]),
                "source": rel.get("source"),
                "confidence": float(rel["confidence"])
                if rel.get("confidence") is not None
                else None,
            }
        )
    return rows


def _arrow_schema():
    import pyarrow as pa

    fields = []
    for name in FACT_COLUMNS:
        if name in _NUMERIC:
            fields.append(pa.field(name, pa.float64()))
        elif name in _INTEGER:
            fields.append(pa.field(name, pa.int64()))
        else:
            fields.append(pa.field(name, pa.string()))
    return pa.schema(fields)


def write_facts(rows: Iterable[dict[str, Any]], path: str | Path, batch_rows: int = 10_000) -> int:
    """Write rows to ``path`` (``.parquet`` or ``.csv``), streaming; return the row count."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise ZhnewsError(
            Errors.E002.format(path=path, reason="facts file must end in .parquet or .csv")
        )
    count = 0
    try:
        if suffix == ".csv":
            with path.open("w", encoding="utf8", newline="") as handle:
                writer = csv.DictWriter(
                    handle, fieldnames=list(FACT_COLUMNS), extrasaction="ignore"
                )
                writer.writeheader()
                for row in rows:
                    writer.writerow(
                        {k: ("" if row.get(k) is None else row.get(k)) for k in FACT_COLUMNS}
                    )
                    count += 1
            return count
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = _arrow_schema()
        with pq.ParquetWriter(str(path), schema) as writer:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append({k: row.get(k) for k in FACT_COLUMNS})
                count += 1
                if len(batch) >= batch_rows:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    batch = []
            if batch or count == 0:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    except OSError as err:
        raise ZhnewsError(Errors.E002.format(path=path, reason=err)) from err
    return count
