"""Output schema v1: the one place a processed ``Doc`` becomes a record.

The JSON Schema lives in ``pipeline/schema/zhnews-1.schema.json`` (shipped with the
package and documented in the README).  Records carry ``"schema": "zhnews/1"`` so that
consumers can tell versions apart; a breaking change gets a new schema id and file.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Span

SCHEMA_ID = "zhnews/1"
SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "zhnews-1.schema.json"


def entity_to_dict(span: Span) -> dict[str, Any]:
    """One entity in schema-v1 shape; optional keys appear only when set."""
    record: dict[str, Any] = {
        "start": span.start_char,
        "end": span.end_char,
        "text": span.text,
        "label": span.label_,
        "value": span._.value,
        "source": span._.source or "unknown",
        "confidence": span._.confidence if span._.confidence is not None else 1.0,
    }
    if span._.flags:
        record["flags"] = span._.flags
    if span._.canonical:
        record["canonical"] = span._.canonical
    return record


def doc_to_record(doc: Doc, doc_id: str, *, date: str | None = None) -> dict[str, Any]:
    """Serialise a processed doc; offsets index ``doc.text`` exactly as given."""
    record: dict[str, Any] = {
        "id": doc_id,
        "schema": SCHEMA_ID,
        "date": date,
        "entities": [entity_to_dict(span) for span in doc.ents],
        "relations": list(doc._.relations or []),
    }
    if doc._.unplaced:
        record["unplaced"] = list(doc._.unplaced)
    return record


@lru_cache(maxsize=1)
def json_schema() -> dict[str, Any]:
    """The schema-v1 JSON Schema document."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf8"))


def validate_record(record: dict[str, Any], text: str | None = None) -> list[str]:
    """Return every problem with ``record`` (empty when valid).

    Besides the JSON Schema, checks what a schema cannot: that every offset pair points
    at its text in the original ``text`` and that entities do not overlap.
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(json_schema())
    problems = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(record)]
    if text is not None:
        spans = [("entity", e) for e in record.get("entities", [])]
        for rel in record.get("relations", []):
            spans.append(("relation.figure", rel.get("figure", {})))
            spans.append(("relation.subject", rel.get("subject", {})))
            if rel.get("period"):
                spans.append(("relation.period", rel["period"]))
        for where, span in spans:
            start, end = span.get("start"), span.get("end")
            if start is None or end is None:
                continue
            if not (0 <= start <= end <= len(text)) or text[start:end] != span.get("text"):
                problems.append(f"{where} {span!r} does not point at its text")
        previous_end = -1
        for ent in sorted(record.get("entities", []), key=lambda e: e["start"]):
            if ent["start"] < previous_end:
                problems.append(f"entity {ent!r} overlaps the previous one")
            previous_end = max(previous_end, ent["end"])
    return problems
