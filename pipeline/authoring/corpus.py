"""Corpus records: validation and the tolerant gold-file loader.

The corpus JSONL format (``corpus/annotated/README.md``) is the pivot of the authoring
loop.  Gold files written by users (imports from annotation tools, hand edits) can be
wrong in ways that silently distort an evaluation: spans outside the text, spans whose
text no longer matches, overlapping spans, unknown labels.  :func:`record_problems`
finds those; :func:`load_gold` reports every bad record with file, line and reason and
keeps going with the valid ones, so one typo never blocks a whole evaluation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import Errors, ZhnewsError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GOLD = REPO_ROOT / "corpus" / "annotated" / "dev.jsonl"
CORPUS_DIR = REPO_ROOT / "corpus" / "annotated"

LABELS: tuple[str, ...] = ("ORG", "MONEY", "PERCENT", "DATE", "SEGMENT", "METRIC")
# Labels the pipeline outputs as entities (SEGMENT/METRIC only appear in relations).
ENTITY_LABELS: tuple[str, ...] = ("ORG", "MONEY", "PERCENT", "DATE")
FIGURE_LABELS: tuple[str, ...] = ("MONEY", "PERCENT")
SUBJECT_LABELS: tuple[str, ...] = ("ORG", "SEGMENT")
RELATION_KINDS: tuple[str, ...] = ("value", "change", "share", "ratio")
# Relation parts that point at a span, and the labels that span must carry.
RELATION_SPANS: dict[str, tuple[str, ...]] = {
    "figure": FIGURE_LABELS,
    "subject": SUBJECT_LABELS,
    "metric": ("METRIC",),
    "period": ("DATE",),
}


@dataclass(frozen=True)
class Problem:
    """One bad record (or line) in an input file: where it is and why it is refused."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return Errors.E009.format(path=self.file, line=self.line, reason=self.reason)


@dataclass
class GoldSet:
    """Valid records of one or more files, with the problems of the refused ones."""

    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Records refused (a record with several problems counts once).
    skipped: int = 0


def span_key(span: dict[str, Any]) -> tuple[int, int]:
    """Offsets of a span dict as a hashable key."""
    return (int(span["start"]), int(span["end"]))


def _span_problem(text: str, span: Any, where: str) -> str | None:
    """Why ``span`` does not point at its text inside ``text`` (None when it does)."""
    if not isinstance(span, dict):
        return f"{where} is not an object"
    start, end = span.get("start"), span.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        return f"{where} has no integer start/end"
    if not 0 <= start < end <= len(text):
        return f"{where} offsets {start}-{end} are outside the text (length {len(text)})"
    if "text" in span and text[start:end] != span["text"]:
        return (
            f"{where} {start}-{end} text {span['text']!r} does not match the text at "
            f"those offsets ({text[start:end]!r})"
        )
    return None


def record_problems(record: Any, labels: Sequence[str] = LABELS) -> list[str]:
    """Every reason ``record`` is not a usable corpus record (empty when it is).

    Checks the things that make evaluation or training wrong without failing loudly:
    missing text, spans outside the text or not matching it, unknown labels,
    overlapping spans, and relations whose parts are not annotated spans of the
    right label.
    """
    if not isinstance(record, dict):
        return ["record is not a JSON object"]
    text = record.get("text")
    if not isinstance(text, str):
        return ["record has no 'text' string"]
    problems: list[str] = []
    entities = record.get("entities", [])
    if not isinstance(entities, list):
        return ["'entities' is not a list"]
    by_offsets: dict[tuple[int, int], str] = {}
    good: list[dict[str, Any]] = []
    for index, ent in enumerate(entities):
        where = f"entity {index}"
        reason = _span_problem(text, ent, where)
        if reason:
            problems.append(reason)
            continue
        label = ent.get("label")
        if label not in labels:
            problems.append(
                f"{where} {ent.get('text', '')!r}: unknown label {label!r} (expected one of {list(labels)})"
            )
            continue
        good.append(ent)
        by_offsets[span_key(ent)] = label
    previous: dict[str, Any] | None = None
    for ent in sorted(good, key=lambda e: (e["start"], e["end"])):
        if previous is not None and ent["start"] < previous["end"]:
            problems.append(
                f"entity {ent['label']} {ent['start']}-{ent['end']} {text[ent['start'] : ent['end']]!r} "
                f"overlaps {previous['label']} {previous['start']}-{previous['end']} "
                f"{text[previous['start'] : previous['end']]!r}"
            )
        if previous is None or ent["end"] > previous["end"]:
            previous = ent
    relations = record.get("relations", [])
    if not isinstance(relations, list):
        return [*problems, "'relations' is not a list"]
    for index, rel in enumerate(relations):
        if not isinstance(rel, dict):
            problems.append(f"relation {index} is not an object")
            continue
        for part, allowed in RELATION_SPANS.items():
            span = rel.get(part)
            if span is None and part in ("metric", "period"):
                continue
            where = f"relation {index} {part}"
            reason = _span_problem(text, span, where)
            if reason:
                problems.append(reason)
                continue
            label = by_offsets.get(span_key(span))
            if label not in allowed:
                problems.append(
                    f"{where} {text[span['start'] : span['end']]!r} is not an annotated "
                    f"{'/'.join(allowed)} span"
                )
        if rel.get("kind") not in RELATION_KINDS:
            problems.append(
                f"relation {index}: unknown kind {rel.get('kind')!r} (expected one of {list(RELATION_KINDS)})"
            )
    return problems


def iter_jsonl(path: Path) -> Iterator[tuple[int, Any | None, str | None]]:
    """Yield ``(line number, parsed object or None, JSON error or None)`` per non-blank line."""
    with path.open(encoding="utf8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line), None
            except json.JSONDecodeError as err:
                yield lineno, None, f"invalid JSON: {err.msg} (column {err.colno})"


def load_gold(paths: Path | str | Iterable[Path | str], labels: Sequence[str] = LABELS) -> GoldSet:
    """Read corpus JSONL files, keeping valid records and reporting the others.

    A file that cannot be opened at all is a usage error (``E001``); a bad record is a
    :class:`Problem` and is skipped.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    gold = GoldSet()
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise ZhnewsError(Errors.E001.format(path=path, reason="file not found"))
        for lineno, record, error in iter_jsonl(path):
            reasons = [error] if error else record_problems(record, labels)
            if reasons:
                gold.skipped += 1
                gold.problems.extend(Problem(str(path), lineno, reason) for reason in reasons)
                continue
            gold.records.append(record)
    return gold


def normalise_record(record: dict[str, Any]) -> dict[str, Any]:
    """Canonical key order and sorted entities, so equal annotations compare equal."""
    out: dict[str, Any] = {
        "id": str(record.get("id", "")),
        "text": record["text"],
        "date": record.get("date"),
    }
    for key in ("split", "style"):
        if record.get(key) is not None:
            out[key] = record[key]
    out["entities"] = sorted(
        (dict(e) for e in record.get("entities", [])),
        key=lambda e: (e["start"], e["end"], e["label"]),
    )
    out["relations"] = sorted(
        (_ordered_relation(r) for r in record.get("relations", [])),
        key=lambda r: (r["figure"]["start"], r["figure"]["end"], r["subject"]["start"]),
    )
    return out


_RELATION_ORDER = (
    "figure",
    "subject",
    "metric",
    "kind",
    "comparison",
    "direction",
    "period",
    "role",
)


def _ordered_relation(rel: dict[str, Any]) -> dict[str, Any]:
    """The builder's key order (readable diffs); unknown keys are kept after it."""
    out = {k: rel[k] for k in _RELATION_ORDER if k in rel}
    out.update({k: v for k, v in rel.items() if k not in out})
    return out


def write_jsonl(records: Iterable[dict[str, Any]], path: Path | str) -> int:
    """Write records one per line (UTF-8, no ASCII escaping); returns how many."""
    from pipeline.authoring.formats.jsonfile import write_lines

    return write_lines(records, Path(path))
