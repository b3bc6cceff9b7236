"""doccano "sequence labelling with relations" JSONL.

Spans are ``entities`` (``start_offset``/``end_offset``), relations are edges from the
figure to its subject / metric / period typed with the part name.  doccano keeps any
other top-level field as document metadata and exports it again, which is where the
extras live: ``zhnews_meta`` (id, date, split, style), ``zhnews_norm`` and
``zhnews_facts`` keyed by ``"start:end"`` of the span.  A span whose offsets a reviewer
changed loses its stored value (there is no per-span slot in doccano): review values
after moving a figure.  The older ``"label": [[start, end, label], ...]`` export is
read too.
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
    offset_key,
    ordered_record,
    parse_offset_key,
)
from pipeline.authoring.formats.jsonfile import decode_items, write_lines


def to_item(record: dict[str, Any]) -> dict[str, Any]:
    """One doccano document."""
    entities = []
    ids: dict[tuple[int, int], int] = {}
    norms: dict[str, Any] = {}
    for index, ent in enumerate(record.get("entities", [])):
        ids[(ent["start"], ent["end"])] = index
        entities.append(
            {
                "id": index,
                "label": ent["label"],
                "start_offset": ent["start"],
                "end_offset": ent["end"],
            }
        )
        norm = norm_of(ent)
        if norm:
            norms[offset_key(ent["start"], ent["end"])] = norm
    relations = []
    facts: dict[str, Any] = {}
    for rel in record.get("relations", []):
        fig = (rel["figure"]["start"], rel["figure"]["end"])
        facts[offset_key(*fig)] = facts_of(rel)
        for part in ("subject", "metric", "period"):
            target = rel.get(part)
            if target:
                relations.append(
                    {
                        "id": len(relations),
                        "from_id": ids[fig],
                        "to_id": ids[(target["start"], target["end"])],
                        "type": part,
                    }
                )
    return {
        "text": record["text"],
        "entities": entities,
        "relations": relations,
        "zhnews_meta": meta_of(record),
        "zhnews_norm": norms,
        "zhnews_facts": facts,
    }


def write(records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write one document per line."""
    return write_lines((to_item(r) for r in records), path)


def _entities(item: dict[str, Any]) -> list[tuple[Any, Any, Any, Any]]:
    """(id, start, end, label) from either doccano export shape."""
    if isinstance(item.get("entities"), list):
        return [
            (e.get("id"), e.get("start_offset"), e.get("end_offset"), e.get("label"))
            for e in item["entities"]
            if isinstance(e, dict)
        ]
    legacy = item.get("label") or item.get("labels") or []
    return [(None, *entry[:3]) for entry in legacy if isinstance(entry, list) and len(entry) >= 3]


def from_item(item: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """Decode one doccano document (or the reasons it cannot be)."""
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        return None, ["document has no 'text' string"]
    text = item["text"]
    meta = dict(item.get("zhnews_meta") or {})
    if "id" not in meta and "id" in item:
        meta["id"] = str(item["id"])
    norms = item.get("zhnews_norm") or {}
    stored_facts = item.get("zhnews_facts") or {}
    problems: list[str] = []
    entities: list[dict[str, Any]] = []
    by_key: dict[tuple[int, int], dict[str, Any]] = {}
    by_id: dict[Any, tuple[int, int]] = {}
    for ent_id, start, end, label in _entities(item):
        if not isinstance(start, int) or not isinstance(end, int) or not isinstance(label, str):
            problems.append(f"entity {ent_id} has no integer offsets or no label")
            continue
        if not 0 <= start < end <= len(text):
            problems.append(
                f"entity {ent_id} offsets {start}-{end} are outside the text (length {len(text)})"
            )
            continue
        ent = make_entity(text, start, end, label, norms.get(offset_key(start, end)))
        entities.append(ent)
        by_key[(start, end)] = ent
        by_id[ent_id] = (start, end)
    links: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}
    for rel in item.get("relations") or []:
        source, target = by_id.get(rel.get("from_id")), by_id.get(rel.get("to_id"))
        if source is None or target is None:
            problems.append(f"relation {rel.get('id')} points at a missing entity")
            continue
        links.setdefault(source, {})[str(rel.get("type", "subject"))] = target
    facts: dict[tuple[int, int], dict[str, Any]] = {}
    for key, value in stored_facts.items():
        offsets = parse_offset_key(key)
        if offsets is not None and isinstance(value, dict) and offsets in by_key:
            facts[offsets] = value
    # Facts without a subject link have no relation.
    relations, relation_problems = make_relations(
        by_key, ((figure, links[figure], facts.get(figure, {})) for figure in sorted(links))
    )
    return ordered_record(meta, text, entities, relations), problems + relation_problems


def read(path: Path) -> Iterator[Decoded]:
    """Decode every document of a doccano JSONL export."""
    return decode_items(path, from_item)
