"""Bring corrected annotations back into the corpus format, validated record by record.

Each record decoded from the tool's file is checked by
:func:`pipeline.authoring.corpus.record_problems` (overlaps, offsets outside the text,
text mismatches, unknown labels, relations to unannotated spans); a record with any
problem is reported with file, line and reason and left out, the valid ones are
written.  Nothing is fixed silently: a reviewer's mistake must be seen to be corrected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.authoring.corpus import (
    LABELS,
    Problem,
    normalise_record,
    record_problems,
    write_jsonl,
)
from pipeline.authoring.formats import get_format
from pipeline.errors import Errors, UsageError


@dataclass
class ImportReport:
    """What an import read, kept and refused."""

    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0


def read_annotations(
    path: Path, fmt: str, labels: Sequence[str] = LABELS, split: str | None = None
) -> ImportReport:
    """Decode and validate every record of ``path``."""
    if not path.is_file():
        raise UsageError(Errors.E001.format(path=path, reason="file not found"))
    reader = get_format(fmt)
    report = ImportReport()
    for line, record, decode_problems in reader.read(path):
        reasons = list(decode_problems)
        if record is not None:
            if split is not None:
                record["split"] = split
            reasons.extend(record_problems(record, labels))
        if reasons or record is None:
            report.skipped += 1
            report.problems.extend(
                Problem(str(path), line, reason) for reason in reasons or ["unreadable record"]
            )
            continue
        report.records.append(normalise_record(record))
    return report


def import_annotations(
    path: Path, fmt: str, out: Path, labels: Sequence[str] = LABELS, split: str | None = None
) -> ImportReport:
    """Read, validate and write the valid records to ``out`` (corpus JSONL)."""
    report = read_annotations(path, fmt, labels, split)
    write_jsonl(report.records, out)
    return report
