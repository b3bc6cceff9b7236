"""Prodigy tasks (JSONL) for the ``rel.manual`` / ``spans.manual`` interfaces.

Tokens are single characters: Chinese has no spaces and zhnews rules cut inside pkuseg
words (``37.7亿`` + ``元``), so character tokens let a reviewer put a boundary
anywhere.  Each span carries a ``zhnews`` object (value, canon, mention id), figures
with a relation also a ``zhnews_fact`` object; relations are Prodigy relations from the
figure (head) to the subject / metric / period (child), labelled with the part name.
Tasks answered ``reject`` or ``ignore`` are not imported (reported as skipped).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.authoring.formats import (
    Decoded,
    facts_of,
    make_entity,
    make_relations,
    meta_of,
    norm_of,
    ordered_record,
)
from pipeline.authoring.formats.jsonfile import decode_items, write_lines


def _tokens(text: str) -> list[dict[str, Any]]:
    return [
        {"text": ch, "start": i, "end": i + 1, "id": i, "ws": False} for i, ch in enumerate(text)
    ]


def _span(ent: dict[str, Any]) -> dict[str, Any]:
    return {
        "start": ent["start"],
        "end": ent["end"],
        "token_start": ent["start"],
        "token_end": ent["end"] - 1,
        "label": ent["label"],
    }


def to_task(record: dict[str, Any]) -> dict[str, Any]:
    """One Prodigy task with spans, relations and the zhnews extras."""
    by_key = {(e["start"], e["end"]): e for e in record.get("entities", [])}
    facts = {
        (r["figure"]["start"], r["figure"]["end"]): facts_of(r) for r in record.get("relations", [])
    }
    spans = []
    for ent in record.get("entities", []):
        span = _span(ent)
        norm = norm_of(ent)
        if norm:
            span["zhnews"] = norm
        fact = facts.get((ent["start"], ent["end"]))
        if fact is not None:
            span["zhnews_fact"] = fact
        spans.append(span)
    relations = []
    for rel in record.get("relations", []):
        head = _span(by_key[(rel["figure"]["start"], rel["figure"]["end"])])
        for part in ("subject", "metric", "period"):
            target = rel.get(part)
            if not target:
                continue
            child = _span(by_key[(target["start"], target["end"])])
            relations.append(
                {
                    "head": head["token_end"],
                    "child": child["token_end"],
                    "head_span": head,
                    "child_span": child,
                    "label": part,
                }
            )
    return {
        "text": record["text"],
        "meta": meta_of(record),
        "tokens": _tokens(record["text"]),
        "spans": spans,
        "relations": relations,
    }


def write(records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write one task per line."""
    return write_lines((to_task(r) for r in records), path)


def _offsets(span: Any) -> tuple[int, int] | None:
    try:
        return int(span["start"]), int(span["end"])
    except (KeyError, TypeError, ValueError):
        return None


def from_task(task: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """Decode one Prodigy task (or the reasons it cannot be)."""
    if not isinstance(task, dict) or not isinstance(task.get("text"), str):
        return None, ["task has no 'text' string"]
    answer = task.get("answer", "accept")
    if answer not in ("accept", None):
        return None, [f"task answered {answer!r} by the reviewer"]
    text = task["text"]
    meta = dict(task.get("meta") or {})
    problems: list[str] = []
    entities: list[dict[str, Any]] = []
    by_key: dict[tuple[int, int], dict[str, Any]] = {}
    facts: dict[tuple[int, int], dict[str, Any]] = {}
    for index, span in enumerate(task.get("spans") or []):
        key = _offsets(span)
        if key is None or not isinstance(span.get("label"), str):
            problems.append(f"span {index} has no integer start/end or no label")
            continue
        if not 0 <= key[0] < key[1] <= len(text):
            problems.append(
                f"span {index} offsets {key[0]}-{key[1]} are outside the text (length {len(text)})"
            )
            continue
        ent = make_entity(text, key[0], key[1], span["label"], span.get("zhnews"))
        entities.append(ent)
        by_key[key] = ent
        if isinstance(span.get("zhnews_fact"), dict):
            facts[key] = span["zhnews_fact"]
    links: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}
    for rel in task.get("relations") or []:
        head, child = _offsets(rel.get("head_span")), _offsets(rel.get("child_span"))
        if head is None or child is None:
            problems.append("relation without head_span/child_span offsets")
            continue
        links.setdefault(head, {})[str(rel.get("label", "subject"))] = child
    # Facts without a subject link have no relation.
    relations, relation_problems = make_relations(
        by_key, ((figure, links[figure], facts.get(figure, {})) for figure in sorted(links))
    )
    return ordered_record(meta, text, entities, relations), problems + relation_problems


def read(path: Path) -> Iterator[Decoded]:
    """Decode every task of a Prodigy export (``prodigy db-out``, JSONL)."""
    return decode_items(path, from_task)
