"""Turn a processed ``Doc`` into a corpus record (pre-annotations for review).

The pipeline's output (schema v1) and the corpus format differ in three ways this
module bridges: SEGMENT and METRIC mentions are not output entities (they come from
``doc._.mentions`` and from the relation subjects), the relation's metric is a word
rather than a span (it is located among the metric mentions), and canonical names are
``canon`` keys on the mentions.  Relations whose parts cannot become annotated spans
(e.g. a subject overlapping another entity) are dropped and counted, because a corpus
relation must link annotated spans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from pipeline.authoring.corpus import ENTITY_LABELS


@dataclass
class Conversion:
    """A corpus record and what could not be carried over (reasons)."""

    record: dict[str, Any]
    dropped: list[str] = field(default_factory=list)


def _overlaps(spans: dict[tuple[int, int], dict[str, Any]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _add_mention(
    ents: dict[tuple[int, int], dict[str, Any]],
    text: str,
    start: int,
    end: int,
    label: str,
    canonical: str | None,
) -> bool:
    """Add a SEGMENT/METRIC/ORG span unless it would overlap another; True if present."""
    key = (start, end)
    if key in ents:
        return ents[key]["label"] == label or (
            label in ("ORG", "SEGMENT") and ents[key]["label"] in ("ORG", "SEGMENT")
        )
    if not 0 <= start < end <= len(text) or _overlaps(ents, start, end):
        return False
    ent: dict[str, Any] = {"start": start, "end": end, "label": label, "text": text[start:end]}
    if canonical and canonical != ent["text"]:
        ent["canon"] = canonical
    ents[key] = ent
    return True


def _metric_span(
    mentions: list[dict[str, Any]], rel: dict[str, Any], figure_start: int
) -> tuple[int, int] | None:
    """Where the relation's metric word is: explicit offsets, else the nearest mention."""
    metric = rel.get("metric")
    if isinstance(metric, dict) and "start" in metric:
        return int(metric["start"]), int(metric["end"])
    span = rel.get("metric_span")
    if isinstance(span, dict) and "start" in span:
        return int(span["start"]), int(span["end"])
    if not metric:
        return None
    same = [m for m in mentions if m.get("type") == "METRIC" and m.get("text") == metric]
    if not same:
        return None
    before = [m for m in same if m["end"] <= figure_start]
    best = (
        max(before, key=lambda m: m["end"])
        if before
        else min(same, key=lambda m: abs(m["start"] - figure_start))
    )
    return int(best["start"]), int(best["end"])


def doc_to_corpus(doc: Doc, doc_id: str, meta: dict[str, Any] | None = None) -> Conversion:
    """Pre-annotation record for ``doc`` in the corpus format."""
    text = doc.text
    dropped: list[str] = []
    ents: dict[tuple[int, int], dict[str, Any]] = {}
    for span in doc.ents:
        if span.label_ not in ENTITY_LABELS:
            continue
        ent: dict[str, Any] = {
            "start": span.start_char,
            "end": span.end_char,
            "label": span.label_,
            "text": span.text,
        }
        if span._.value is not None:
            ent["value"] = span._.value
        if span.label_ == "ORG" and span._.canonical and span._.canonical != span.text:
            ent["canon"] = span._.canonical
        ents[(span.start_char, span.end_char)] = ent
    mentions = [m for m in (doc._.mentions or []) if isinstance(m, dict)]
    relations: list[dict[str, Any]] = []
    seen_figures: set[tuple[int, int]] = set()
    for rel in doc._.relations or []:
        fig = (rel["figure"]["start"], rel["figure"]["end"])
        if fig not in ents or fig in seen_figures:
            dropped.append(
                f"relation of {rel['figure'].get('text')!r}: figure not an entity or linked twice"
            )
            continue
        subj = rel["subject"]
        s_type = subj.get("type") if subj.get("type") in ("ORG", "SEGMENT") else "ORG"
        if not _add_mention(ents, text, subj["start"], subj["end"], s_type, subj.get("canonical")):
            dropped.append(
                f"relation of {rel['figure'].get('text')!r}: subject {subj.get('text')!r} overlaps another span"
            )
            continue
        out: dict[str, Any] = {
            "figure": {"start": fig[0], "end": fig[1], "text": text[fig[0] : fig[1]]},
            "subject": None,
            "metric": None,
            "kind": rel.get("kind"),
            "comparison": rel.get("comparison"),
            "direction": rel.get("direction"),
            "period": None,
            "role": rel.get("role"),
        }
        metric = _metric_span(mentions, rel, fig[0])
        if metric and _add_mention(
            ents, text, metric[0], metric[1], "METRIC", rel.get("metric_canonical")
        ):
            out["metric"] = metric
        period = rel.get("period")
        if period and (period["start"], period["end"]) in ents:
            out["period"] = (period["start"], period["end"])
        out["subject"] = (subj["start"], subj["end"])
        relations.append(out)
        seen_figures.add(fig)
    # Remaining segment/metric mentions help the reviewer (gold annotates them).
    for m in mentions:
        if m.get("type") in ("SEGMENT", "METRIC"):
            _add_mention(ents, text, int(m["start"]), int(m["end"]), m["type"], m.get("canonical"))
    final = []
    for rel in relations:
        out = dict(rel)
        s = ents[out["subject"]]
        out["subject"] = {
            "start": s["start"],
            "end": s["end"],
            "text": s["text"],
            "type": s["label"],
            "canonical": s.get("canon") or s["text"],
        }
        if out["metric"]:
            m = ents[out["metric"]]
            out["metric"] = {
                "start": m["start"],
                "end": m["end"],
                "text": m["text"],
                "canonical": m.get("canon") or m["text"],
            }
        if out["period"]:
            p = ents[out["period"]]
            out["period"] = {"start": p["start"], "end": p["end"], "text": p["text"]}
        final.append(out)
    record: dict[str, Any] = {"id": doc_id, "text": text}
    for key, value in (meta or {}).items():
        if key not in ("id", "text") and value is not None:
            record[key] = value
    record["entities"] = sorted(ents.values(), key=lambda e: (e["start"], e["end"]))
    record["relations"] = final
    return Conversion(record, dropped)
