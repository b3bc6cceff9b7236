"""Label Studio tasks (JSON array) with pre-annotations as ``predictions``.

Each entity is a ``labels`` region; what Label Studio has no field for travels in two
per-region TextAreas, both plain JSON a reviewer may edit: ``norm`` (value, canon,
mention id) and, on figures, ``fact`` (kind, comparison, direction, role).  Relations
are Label Studio relations from the figure region to its subject / metric / period
regions, labelled with the part name.  :func:`label_config` is the matching labelling
interface (``annotate`` writes it next to the tasks).

On import, the last non-cancelled annotation of a task is used; a task nobody has
annotated yet falls back to its prediction, so unchanged output imports as written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.authoring.corpus import LABELS
from pipeline.authoring.formats import (
    Decoded,
    facts_of,
    make_entity,
    make_relations,
    meta_of,
    norm_of,
    ordered_record,
)
from pipeline.authoring.formats.jsonfile import decode_items, write_array

FROM_LABEL, FROM_NORM, FROM_FACT, TO_NAME = "label", "norm", "fact", "text"
MODEL_VERSION = "zhnews"


def label_config(labels: Iterable[str] = LABELS) -> str:
    """The Label Studio labelling interface matching the tasks written here."""
    label_tags = "\n".join(f'    <Label value="{label}"/>' for label in labels)
    return f"""<View>
  <Labels name="{FROM_LABEL}" toName="{TO_NAME}">
{label_tags}
  </Labels>
  <Relations>
    <Relation value="subject"/>
    <Relation value="metric"/>
    <Relation value="period"/>
  </Relations>
  <Text name="{TO_NAME}" value="$text" granularity="symbol"/>
  <TextArea name="{FROM_NORM}" toName="{TO_NAME}" perRegion="true" editable="true"
            placeholder='normalised value as JSON, e.g. {{"value": {{"amount": 3770000000, "currency": "CNY"}}}}'/>
  <TextArea name="{FROM_FACT}" toName="{TO_NAME}" perRegion="true" editable="true"
            placeholder='figure facts as JSON, e.g. {{"kind": "value", "comparison": null}}'/>
</View>
"""


def _region(region_id: str, ent: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": region_id,
        "from_name": FROM_LABEL,
        "to_name": TO_NAME,
        "type": "labels",
        "value": {
            "start": ent["start"],
            "end": ent["end"],
            "text": ent["text"],
            "labels": [ent["label"]],
        },
    }


def _textarea(
    region_id: str, name: str, ent: dict[str, Any], payload: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": region_id,
        "from_name": name,
        "to_name": TO_NAME,
        "type": "textarea",
        "value": {
            "start": ent["start"],
            "end": ent["end"],
            "text": [json.dumps(payload, ensure_ascii=False, sort_keys=True)],
        },
    }


def to_task(record: dict[str, Any]) -> dict[str, Any]:
    """One Label Studio task with the record's annotations as a prediction."""
    results: list[dict[str, Any]] = []
    ids: dict[tuple[int, int], str] = {}
    for index, ent in enumerate(record.get("entities", [])):
        region_id = f"e{index}"
        ids[(ent["start"], ent["end"])] = region_id
        results.append(_region(region_id, ent))
        norm = norm_of(ent)
        if norm:
            results.append(_textarea(region_id, FROM_NORM, ent, norm))
    by_key = {(e["start"], e["end"]): e for e in record.get("entities", [])}
    for rel in record.get("relations", []):
        fig_key = (rel["figure"]["start"], rel["figure"]["end"])
        fig_id = ids[fig_key]
        results.append(_textarea(fig_id, FROM_FACT, by_key[fig_key], facts_of(rel)))
        for part in ("subject", "metric", "period"):
            span = rel.get(part)
            if span:
                results.append(
                    {
                        "from_id": fig_id,
                        "to_id": ids[(span["start"], span["end"])],
                        "type": "relation",
                        "direction": "right",
                        "labels": [part],
                    }
                )
    return {
        "data": {"text": record["text"], **{f"meta_{k}": v for k, v in meta_of(record).items()}},
        "predictions": [{"model_version": MODEL_VERSION, "result": results}],
    }


def write(records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write the tasks and, beside them, the labelling config (``<name>.xml``)."""
    count = write_array((to_task(r) for r in records), path)
    path.with_suffix(".xml").write_text(label_config(), encoding="utf8")
    return count


def _chosen_result(task: dict[str, Any]) -> tuple[list[Any] | None, str | None]:
    for annotation in reversed(task.get("annotations") or []):
        if isinstance(annotation, dict) and not annotation.get("was_cancelled"):
            return annotation.get("result") or [], None
    predictions = task.get("predictions") or []
    if predictions and isinstance(predictions[-1], dict):
        return predictions[-1].get("result") or [], None
    if task.get("annotations"):
        return None, "every annotation of the task was cancelled"
    return [], None


def from_task(task: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """Decode one exported task into a corpus record (or the reasons it cannot be)."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        return None, ["task has no 'data' object"]
    data = task["data"]
    text = data.get("text")
    if not isinstance(text, str):
        return None, ["task data has no 'text' string"]
    results, why = _chosen_result(task)
    if results is None:
        return None, [why or "no result"]
    meta = {k[5:]: v for k, v in data.items() if k.startswith("meta_")}
    if "id" not in meta:
        meta["id"] = str(task.get("id", ""))
    regions: dict[str, dict[str, Any]] = {}
    norms: dict[str, dict[str, Any]] = {}
    facts: dict[str, dict[str, Any]] = {}
    edges: list[tuple[str, str, str]] = []
    problems: list[str] = []
    for item in results:
        if not isinstance(item, dict):
            problems.append("result item is not an object")
            continue
        kind = item.get("type")
        if kind == "relation":
            for label in item.get("labels") or ["subject"]:
                edges.append((str(item.get("from_id")), str(item.get("to_id")), label))
            continue
        value = item.get("value") or {}
        region_id = str(item.get("id"))
        if kind == "labels":
            labels = value.get("labels") or []
            if len(labels) != 1:
                problems.append(f"region {region_id} has {len(labels)} labels (expected one)")
                continue
            try:
                start, end = int(value["start"]), int(value["end"])
            except (KeyError, TypeError, ValueError):
                problems.append(f"region {region_id} has no integer start/end")
                continue
            regions[region_id] = {"start": start, "end": end, "label": labels[0]}
        elif kind == "textarea" and item.get("from_name") in (FROM_NORM, FROM_FACT):
            texts = value.get("text") or []
            raw = "".join(texts).strip() if isinstance(texts, list) else str(texts)
            if not raw:
                continue
            try:
                payload = json.loads(raw)
            except json.JSONDecodeError as err:
                problems.append(f"region {region_id} {item['from_name']}: invalid JSON ({err.msg})")
                continue
            if not isinstance(payload, dict):
                problems.append(f"region {region_id} {item['from_name']}: expected a JSON object")
                continue
            (norms if item["from_name"] == FROM_NORM else facts)[region_id] = payload
    entities: list[dict[str, Any]] = []
    by_key: dict[tuple[int, int], dict[str, Any]] = {}
    for region_id, region in regions.items():
        start, end = region["start"], region["end"]
        if not 0 <= start < end <= len(text):
            problems.append(
                f"region {region_id} offsets {start}-{end} are outside the text (length {len(text)})"
            )
            continue
        ent = make_entity(text, start, end, region["label"], norms.get(region_id))
        entities.append(ent)
        by_key[(start, end)] = ent
    links: dict[str, dict[str, tuple[int, int]]] = {}
    for source, target, part in edges:
        if source not in regions or target not in regions:
            problems.append(f"relation {source}->{target} points at a missing region")
            continue
        tgt = regions[target]
        links.setdefault(source, {})[part] = (tgt["start"], tgt["end"])
    figures = (
        ((regions[r]["start"], regions[r]["end"]), links[r], facts.get(r, {}))
        for r in sorted(links, key=lambda r: (regions.get(r, {}).get("start", -1), r))
        if r in regions
    )
    relations, relation_problems = make_relations(by_key, figures)
    return ordered_record(meta, text, entities, relations), problems + relation_problems


def read(path: Path) -> Iterator[Decoded]:
    """Decode every task of a Label Studio export (JSON array or JSONL)."""
    return decode_items(path, from_task)
