"""Regression guard on the annotated corpus: the model beats the baseline on dev."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.relations.document import Ent
from pipeline.relations.scoring import score_relations

DEV = Path(__file__).resolve().parents[2] / "corpus" / "annotated" / "dev.jsonl"


@pytest.mark.slow
@pytest.mark.parametrize("floor", [{"link_f1": 0.85, "metric_acc": 0.85, "kind_acc": 0.9}])
def test_corpus_eval_model_beats_nearest_subject(linker, floor):
    # training/ is not an importable package under pytest: read the JSONL here.
    records = (
        [json.loads(line) for line in DEV.read_text(encoding="utf8").splitlines() if line.strip()]
        if DEV.is_file()
        else []
    )
    if not records:
        pytest.skip(f"no dev records in {DEV}")
    model = score_relations(
        (r, linker.link(r["text"], gold_entities(r))[0]) for r in records
    ).as_dict()
    baseline = score_relations(
        (r, linker.link(r["text"], gold_entities(r), baseline=True)[0]) for r in records
    ).as_dict()
    assert model["link_f1"] > baseline["link_f1"]
    for key, value in floor.items():
        assert model[key] >= value, (key, model[key])


def gold_entities(record: dict) -> list[Ent]:
    """MONEY/PERCENT/DATE/ORG of a corpus record (segments/metrics are left to the rules)."""
    return [
        Ent(e["start"], e["end"], e["label"], e["text"], e.get("value"), e.get("canon"))
        for e in record["entities"]
        if e["label"] in ("MONEY", "PERCENT", "DATE", "ORG")
    ]
