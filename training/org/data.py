"""Readers for the ORG training / evaluation sets (all read from ``../shared/data``
or ``corpus/annotated``; nothing is copied into the project).

Every reader returns ``list[Example]``: the text and its gold ORG character spans
(end-exclusive), so training and evaluation treat all sources alike.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT / ".." / "shared" / "data"
CORPUS = REPO_ROOT / "corpus" / "annotated"
CLUENER_ORG_LABELS = ("company", "organization", "government")
MSRA_DEV_FRACTION = 0.05
MSRA_DEV_SEED = 13


@dataclass
class Example:
    """One sentence or paragraph with its gold ORG spans."""

    text: str
    spans: list[tuple[int, int]]
    source: str


def read_bio(path: Path, label: str = "ORG", source: str = "msra") -> list[Example]:
    """``char<TAB>tag`` lines, blank line between sentences (MSRA, People's Daily)."""
    examples: list[Example] = []
    chars: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        if chars:
            spans = []
            start = None
            for i, tag in enumerate([*tags, "O"]):
                inside = tag.endswith("-" + label) and not tag.startswith("B-")
                if start is not None and not inside:
                    spans.append((start, i))
                    start = None
                if tag == "B-" + label or (
                    tag.endswith("-" + label) and start is None and tag != "O"
                ):
                    start = i if start is None else start
            examples.append(Example("".join(chars), spans, source))
        chars.clear()
        tags.clear()

    with open(path, encoding="utf8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                flush()
                continue
            parts = line.split("\t") if "\t" in line else line.split()
            if len(parts) < 2:
                continue
            chars.append(parts[0][:1] if parts[0] else " ")
            tags.append(parts[-1])
    flush()
    return examples


def msra_splits() -> tuple[list[Example], list[Example], list[Example]]:
    """(train, dev, test): dev is a fixed-seed 5% carve-out of MSRA train."""
    train = read_bio(SHARED / "msra_ner" / "train.bio")
    rng = random.Random(MSRA_DEV_SEED)
    order = list(range(len(train)))
    rng.shuffle(order)
    n_dev = int(len(train) * MSRA_DEV_FRACTION)
    dev_ids = set(order[:n_dev])
    dev = [ex for i, ex in enumerate(train) if i in dev_ids]
    rest = [ex for i, ex in enumerate(train) if i not in dev_ids]
    test = read_bio(SHARED / "msra_ner" / "test.bio")
    return rest, dev, test


def read_cluener(path: Path) -> list[Example]:
    """CLUENER json lines; company + organization + government -> ORG (inclusive ends)."""
    examples: list[Example] = []
    with open(path, encoding="utf8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            spans = []
            for label in CLUENER_ORG_LABELS:
                for positions in rec.get("label", {}).get(label, {}).values():
                    for start, end in positions:
                        spans.append((int(start), int(end) + 1))
            examples.append(Example(rec["text"], sorted(set(spans)), "cluener"))
    return examples


def read_corpus(split: str) -> list[Example]:
    """The project's annotated news (``corpus/annotated/<split>.jsonl``), ORG spans."""
    path = CORPUS / f"{split}.jsonl"
    if not path.is_file():
        return []
    examples = []
    with open(path, encoding="utf8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            spans = [
                (int(e["start"]), int(e["end"]))
                for e in rec.get("entities", [])
                if e["label"] == "ORG"
            ]
            examples.append(Example(rec["text"], sorted(spans), f"corpus:{split}"))
    return examples


def read_cfsc_corporate() -> list[Example]:
    """CFSC val sentences with their Corporate aspect spans (``to`` end-exclusive)."""
    path = SHARED / "cfsc_fin_news" / "val.json"
    data = json.loads(path.read_text(encoding="utf8"))
    out = []
    for rec in data:
        spans = [
            (int(lab["from"]), int(lab["to"]))
            for lab in rec.get("labels", [])
            if lab.get("Level 1 Aspect") == "Corporate"
        ]
        out.append(Example(rec["text"], spans, "cfsc"))
    return out


def shared_available() -> bool:
    """True when ../shared/data holds the sets the recipes need."""
    return (SHARED / "msra_ner" / "train.bio").is_file() and (
        SHARED / "cluener2020" / "train.json"
    ).is_file()
