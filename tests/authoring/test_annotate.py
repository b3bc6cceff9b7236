"""Pre-annotation with the real pipeline, and the annotate -> import round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.authoring.annotate import AnnotateReport, annotate, pre_annotate
from pipeline.authoring.corpus import normalise_record, record_problems
from pipeline.authoring.formats import FORMAT_NAMES
from pipeline.authoring.importer import read_annotations

DOCUMENTS = [
    {"id": "a", "text": "2024年，示例科技收入12.5亿元，同比增长8%。", "date": "2025-03-01"},
    {"id": "b", "text": "腾讯控股2024年营收6603亿元人民币，同比增长8.4%，毛利率为52.9%。"},
    {
        "id": "c",
        "text": "商湯集團去年收入37.7億元，其中生成式AI業務收入24億元。",
        "date": "2025-03-26",
        "split": "dev",
    },
    {"id": "d", "text": "沒有任何數字的一句話"},
]


@pytest.fixture(scope="module")
def predicted(nlp):
    report = AnnotateReport()
    return list(pre_annotate(nlp, DOCUMENTS, report))


def test_annotate_pre_annotations_are_valid_corpus_records(predicted):
    assert [r["id"] for r in predicted] == ["a", "b", "c", "d"]
    for record in predicted:
        assert record_problems(record) == []
    assert predicted[0]["date"] == "2025-03-01" and predicted[2]["split"] == "dev"


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_annotate_import_round_trip_is_exact(nlp, predicted, fmt, tmp_path: Path):
    out = tmp_path / f"pre.{fmt}"
    report = annotate(nlp, DOCUMENTS, fmt, out)
    assert report.documents == len(DOCUMENTS)
    back = read_annotations(out, fmt)
    assert back.skipped == 0, back.problems
    assert back.records == [normalise_record(r) for r in predicted]
