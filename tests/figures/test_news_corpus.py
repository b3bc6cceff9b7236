"""Regression floor on the annotated news corpus (dev split only; test is never tuned on)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.figures.cases import load_news_corpus, score
from pipeline.figures.recognizer import FigureEngine

DEV = Path(__file__).resolve().parents[2] / "corpus" / "annotated" / "dev.jsonl"


@pytest.fixture(scope="module")
def report() -> dict:
    if not DEV.exists():
        pytest.skip(f"{DEV} missing")
    engine = FigureEngine.from_paths()
    return score(load_news_corpus(DEV), engine.find)


@pytest.mark.parametrize(("label", "floor"), [("MONEY", 0.97), ("PERCENT", 0.97), ("DATE", 0.95)])
def test_news_corpus_dev_span_f1_floor(report: dict, label: str, floor: float) -> None:
    assert report[label]["f1"] >= floor, report[label]


@pytest.mark.parametrize(("label", "floor"), [("MONEY", 0.97), ("PERCENT", 0.97)])
def test_news_corpus_dev_exact_value_floor(report: dict, label: str, floor: float) -> None:
    assert report[label]["exact"] >= floor, report[label]


def test_news_corpus_loader_keeps_only_figure_labels() -> None:
    if not DEV.exists():
        pytest.skip(f"{DEV} missing")
    labels = {e.label for case in load_news_corpus(DEV) for e in case.entities}
    assert labels == {"MONEY", "PERCENT", "DATE"}
