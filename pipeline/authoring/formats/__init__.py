"""Annotation-tool formats: writers for pre-annotations and readers for corrections.

Every format translates the corpus record (``corpus/annotated/README.md``) to what the
tool edits and back.  Design rules that make ``annotate`` → ``import`` lossless:

- span labels and offsets use the tool's native fields, so reviewers edit them there;
- everything a tool has no field for (normalised values, ``canon``, mention ids,
  relation attributes such as kind/comparison/direction/role) travels as JSON in the
  tool's free-text or metadata slot attached to the span, and is read back as is;
- relations are edges from the figure to its subject / metric / period spans, so a
  reviewer who moves a span keeps its links.  Canonical names of subjects and metrics
  are re-derived from the linked spans (``canon`` or text), as the corpus builder does.

A reader yields ``(line, record or None, reasons)``; ``reasons`` are problems found
while decoding (the import command adds the corpus validation on top).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Keys of a corpus entity that the tools carry natively; all others go into "norm".
SPAN_KEYS = frozenset({"start", "end", "label", "text"})
# Keys of a corpus relation that are span links; all others are "fact" attributes.
LINK_KEYS = ("subject", "metric", "period")
META_KEYS = ("id", "date", "split", "style")

Decoded = tuple[int, dict[str, Any] | None, list[str]]


@dataclass(frozen=True)
class Format:
    """A tool format: file suffix, writer and reader."""

    name: str
    suffix: str
    write: Callable[[Iterable[dict[str, Any]], Path], int]
    read: Callable[[Path], Iterator[Decoded]]


def norm_of(ent: dict[str, Any]) -> dict[str, Any]:
    """What a tool cannot hold natively about an entity (value, canon, id, ...)."""
    return {k: v for k, v in ent.items() if k not in SPAN_KEYS}


def facts_of(rel: dict[str, Any]) -> dict[str, Any]:
    """Relation attributes that are not links to spans (kind, comparison, ...)."""
    return {k: v for k, v in rel.items() if k not in ("figure", *LINK_KEYS)}


def meta_of(record: dict[str, Any]) -> dict[str, Any]:
    """Document metadata carried through the tool untouched."""
    return {k: record.get(k) for k in META_KEYS if k in record}


def make_entity(
    text: str, start: int, end: int, label: str, norm: dict[str, Any] | None
) -> dict[str, Any]:
    """A corpus entity; ``text`` is always re-read from the document text."""
    ent: dict[str, Any] = {"start": start, "end": end, "label": label, "text": text[start:end]}
    ent.update(norm or {})
    return ent


def canonical_of(ent: dict[str, Any]) -> str:
    """Canonical name of a subject or metric span: its ``canon``, else its text."""
    return ent.get("canon") or ent["text"]


def make_relation(
    ents: dict[tuple[int, int], dict[str, Any]],
    figure: tuple[int, int],
    links: dict[str, tuple[int, int] | None],
    facts: dict[str, Any],
) -> dict[str, Any] | str:
    """Assemble a corpus relation from span links; returns a reason string on failure."""
    fig = ents.get(figure)
    if fig is None:
        return f"relation figure {figure[0]}-{figure[1]} is not an annotated span"
    subject_key = links.get("subject")
    subject = ents.get(subject_key) if subject_key else None
    if subject is None:
        return f"relation of figure {fig['text']!r} has no annotated subject"
    rel: dict[str, Any] = {
        "figure": {"start": fig["start"], "end": fig["end"], "text": fig["text"]},
        "subject": {
            "start": subject["start"],
            "end": subject["end"],
            "text": subject["text"],
            "type": subject["label"],
            "canonical": canonical_of(subject),
        },
        "metric": None,
        "period": None,
    }
    for part in ("metric", "period"):
        key = links.get(part)
        if key is None:
            continue
        ent = ents.get(key)
        if ent is None:
            return f"relation {part} {key[0]}-{key[1]} is not an annotated span"
        span: dict[str, Any] = {"start": ent["start"], "end": ent["end"], "text": ent["text"]}
        if part == "metric":
            span["canonical"] = canonical_of(ent)
        rel[part] = span
    rel.update(facts)
    return rel


def make_relations(
    ents: dict[tuple[int, int], dict[str, Any]],
    figures: Iterable[tuple[tuple[int, int], dict[str, tuple[int, int] | None], dict[str, Any]]],
) -> tuple[list[dict[str, Any]], list[str]]:
    """Relations for (figure, links, facts) triples, in the given order, plus problems."""
    relations: list[dict[str, Any]] = []
    problems: list[str] = []
    for figure, links, facts in figures:
        rel = make_relation(ents, figure, links, facts)
        if isinstance(rel, str):
            problems.append(rel)
        else:
            relations.append(rel)
    return relations, problems


def ordered_record(
    meta: dict[str, Any], text: str, entities: list[dict[str, Any]], relations: list[dict[str, Any]]
) -> dict[str, Any]:
    """A corpus record in the builder's key order (id, text, date, split, style, ...)."""
    record: dict[str, Any] = {"id": meta.get("id"), "text": text}
    for key in ("date", "split", "style"):
        if key in meta:
            record[key] = meta[key]
    record["entities"] = sorted(entities, key=lambda e: (e["start"], e["end"]))
    record["relations"] = relations
    return record


def offset_key(start: int, end: int) -> str:
    """String key for offsets (JSON objects need string keys)."""
    return f"{start}:{end}"


def parse_offset_key(key: str) -> tuple[int, int] | None:
    """Inverse of :func:`offset_key`; None when malformed."""
    try:
        start, end = key.split(":")
        return int(start), int(end)
    except ValueError:
        return None


def get_format(name: str) -> Format:
    """The format called ``name`` (labelstudio, prodigy, doccano, spacy)."""
    from pipeline.authoring.formats import docbin, doccano, labelstudio, prodigy

    table = {
        "labelstudio": Format("labelstudio", ".json", labelstudio.write, labelstudio.read),
        "prodigy": Format("prodigy", ".jsonl", prodigy.write, prodigy.read),
        "doccano": Format("doccano", ".jsonl", doccano.write, doccano.read),
        "spacy": Format("spacy", ".spacy", docbin.write, docbin.read),
    }
    if name not in table:
        from pipeline.errors import UsageError

        raise UsageError(f"unknown format {name!r}: use one of {', '.join(table)}")
    return table[name]


FORMAT_NAMES: tuple[str, ...] = ("labelstudio", "prodigy", "doccano", "spacy")
