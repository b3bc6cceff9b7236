"""The assembled pipeline: loading, extraction, and the to_disk -> spacy.load round trip."""

from __future__ import annotations

import json

import pytest
import spacy

import pipeline
from pipeline.api import extract, load_config, make_doc, make_docs
from pipeline.errors import ZhnewsError
from pipeline.schema import doc_to_record, validate_record

TEXTS = [
    "2024年，示例科技集团收入37.7亿元，同比增长10.8%，其中云服务业务收入24.04亿元。",
    "",
    "   ",
    "港股周三收市，恒生指數按年上升3.2％，成交額約1,137億港元。",
    "公司公告称，截至2025年6月30日止六个月，毛利率为42.9%，较去年同期提升2.3个百分点。",
]


def test_api_load_returns_language_with_pkuseg(nlp):
    assert nlp.lang == "zh"
    assert nlp.tokenizer.segmenter == "pkuseg"
    words = [t.text for t in nlp.make_doc("示例银行发布年度报告")]
    assert "".join(words) == "示例银行发布年度报告"


def test_api_extract_yields_one_valid_record_per_input_in_order(nlp):
    items = [{"id": f"d{i}", "text": t, "date": "2025-03-26"} for i, t in enumerate(TEXTS)]
    records = list(extract(items, nlp=nlp))
    assert [r["id"] for r in records] == [f"d{i}" for i in range(len(TEXTS))]
    for record, text in zip(records, TEXTS, strict=True):
        assert validate_record(record, text) == []
        assert record["schema"] == "zhnews/1"
        assert record["date"] == "2025-03-26"


def test_api_extract_plain_strings_get_positional_ids(nlp):
    records = list(extract(["", "示例"], nlp=nlp))
    assert [r["id"] for r in records] == ["0", "1"]
    assert records[0]["entities"] == [] and records[0]["relations"] == []


def test_api_make_doc_sets_publication_date(nlp):
    doc = make_doc(nlp, "去年收入增长", "2025-03-26")
    assert doc._.pub_date == "2025-03-26"


def test_api_make_docs_equals_make_doc_one_by_one(nlp):
    # batched tokenisation (the tokenizer's pipe) gives exactly the Docs of make_doc
    items = [
        ("2024年，商汤集团收入37.7亿元。", "2025-03-26"),
        ("", None),
        ("  空格 与\n换行  ", "2024-01-01"),
        ("騰訊控股公佈業績，收入按年增長8%。", None),
    ] * 3
    batched = list(make_docs(nlp, items, batch_size=5))
    single = [make_doc(nlp, text, date) for text, date in items]
    assert [(d.text, [t.text for t in d], d._.pub_date) for d in batched] == [
        (d.text, [t.text for t in d], d._.pub_date) for d in single
    ]


def test_api_make_docs_rejects_bad_text_like_make_doc(nlp):
    with pytest.raises(ZhnewsError):
        list(make_docs(nlp, [("好", None), (None, None)]))  # type: ignore[list-item]


def test_api_to_disk_spacy_load_round_trip_gives_identical_output(nlp, tmp_path):
    nlp.to_disk(tmp_path / "zhnews_pipeline")
    reloaded = spacy.load(tmp_path / "zhnews_pipeline")
    assert reloaded.pipe_names == nlp.pipe_names
    for text in TEXTS:
        original = doc_to_record(nlp(make_doc(nlp, text, "2025-03-26")), "x")
        again = doc_to_record(reloaded(make_doc(reloaded, text, "2025-03-26")), "x")
        assert json.dumps(original, ensure_ascii=False) == json.dumps(again, ensure_ascii=False)


def test_api_lazy_package_attributes():
    assert callable(pipeline.load) and callable(pipeline.extract)
    with pytest.raises(AttributeError):
        _ = pipeline.no_such_attribute


def test_api_load_config_rejects_missing_file(tmp_path):
    with pytest.raises(ZhnewsError, match="E007"):
        load_config(tmp_path / "missing.cfg")


def test_api_load_config_rejects_missing_pkuseg_model(tmp_path):
    with pytest.raises(ZhnewsError, match="E004"):
        load_config(pkuseg_model=str(tmp_path / "no-model-here"))
