"""Read the annotated corpus for the relation recipes.

Records come from ``corpus/annotated/{train,dev,test}.jsonl`` (built by
``training/build_corpus.py``).  Only MONEY/PERCENT/DATE/ORG entities are handed to
the linker as "gold entities": SEGMENT and METRIC mentions must be found by the
relation rules themselves, exactly as at run time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pipeline.relations.document import Ent

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / "corpus" / "annotated"
ENTITY_LABELS = ("MONEY", "PERCENT", "DATE", "ORG")


def load_split(split: str, corpus_dir: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    """Records of one split (empty list when the file is missing or empty)."""
    path = corpus_dir / f"{split}.jsonl"
    if not path.is_file():
        return []
    with path.open(encoding="utf8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def gold_entities(record: dict[str, Any]) -> list[Ent]:
    """The record's MONEY/PERCENT/DATE/ORG entities as linker input."""
    return [
        Ent(e["start"], e["end"], e["label"], e["text"], e.get("value"), e.get("canon"))
        for e in record.get("entities", [])
        if e["label"] in ENTITY_LABELS
    ]


def split_digest(corpus_dir: Path = CORPUS_DIR) -> dict[str, str]:
    """SHA-256 of each split file (recorded in the model card)."""
    out = {}
    for split in ("train", "dev", "test"):
        path = corpus_dir / f"{split}.jsonl"
        if path.is_file():
            out[split] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
