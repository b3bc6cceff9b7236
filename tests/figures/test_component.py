"""zhnews_figures on pkuseg-tokenised docs: offsets, placement, serialisation."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.figures.component import FigureRecognizer

TEXTS = [
    (
        "商汤集团收入37.7亿元，同比增长10.8%；截至2024年12月31日，人民币100万元约占两成半。",
        "2025-03-26",
    ),
    ("收盘报1.59港元/股，涨1.27%。年初至今累计涨幅12.77%。", "2025-03-26"),
    ("集團收入按年增長12%至約58億港元，２０２４年上半年毛利率提升2個百分點。", "2024-08-20"),
    ("预计净利润10亿至12亿元，2022年-2024年复合增速20%，每股派息0.5元。", None),
]


def _run(nlp, text: str, pub: str | None):
    doc = nlp.make_doc(text)
    doc._.pub_date = pub
    return nlp(doc)


@pytest.mark.parametrize(("text", "pub"), TEXTS)
def test_component_offsets_point_at_text(figures_nlp, text: str, pub: str | None) -> None:
    doc = _run(figures_nlp, text, pub)
    assert doc.text == text
    assert doc.ents
    for ent in doc.ents:
        assert ent.text == text[ent.start_char : ent.end_char]
        assert ent._.source.startswith("rule:")
        assert ent.label_ in {"MONEY", "PERCENT", "DATE"}
    assert doc._.unplaced == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("收入37.7亿元，同比增长10.8%", [("37.7亿元", "MONEY"), ("10.8%", "PERCENT")]),
        ("人民币100万元", [("人民币100万元", "MONEY")]),
        ("约占4成", [("4成", "PERCENT")]),
        ("2024年第三季度营收", [("2024年第三季度", "DATE")]),
    ],
)
def test_component_splits_tokens_at_entity_edges(figures_nlp, text: str, expected: list) -> None:
    doc = _run(figures_nlp, text, "2025-03-26")
    assert [(e.text, e.label_) for e in doc.ents] == expected


def test_component_values_and_flags(figures_nlp) -> None:
    doc = _run(figures_nlp, "营收约12亿港元，每股派息1.59港元", "2025-03-26")
    first, second = doc.ents
    assert first._.value == {
        "amount": 1200000000,
        "currency": "HKD",
        "approximate": True,
        "per": None,
    }
    assert first._.flags == {"qualifier": "约", "approximate": True}
    assert second._.value["per"] == "股"


def test_component_evil_date_keeps_span(figures_nlp) -> None:
    doc = _run(figures_nlp, "2024年2月30日到期", None)
    (ent,) = doc.ents
    assert ent.text == "2024年2月30日" and ent._.value is None
    assert "out of range" in ent._.flags["value_error"]


def test_component_bytes_roundtrip(figures_nlp) -> None:
    component = figures_nlp.get_pipe("zhnews_figures")
    clone = FigureRecognizer(figures_nlp, "zhnews_figures").from_bytes(component.to_bytes())
    assert clone.engine.texts == component.engine.texts


def test_component_disk_roundtrip_needs_no_outside_files(
    figures_nlp, tmp_path, monkeypatch
) -> None:
    figures_nlp.to_disk(tmp_path / "model")
    # Point the defaults somewhere empty: the loaded pipeline must use its embedded rules.
    monkeypatch.setattr("pipeline.figures.recognizer.DEFAULT_DIR", tmp_path / "nothing")
    loaded = spacy.load(tmp_path / "model")
    text, pub = TEXTS[0]
    before = [(e.text, e.label_, e._.value) for e in _run(figures_nlp, text, pub).ents]
    after = [(e.text, e.label_, e._.value) for e in _run(loaded, text, pub).ents]
    assert before == after


_PIECES = ["收入", "37.7亿元", "，", "同比增长", "10.8%", "2024年", "第四季度", "约", "１２％", "人民币",
           "100万元", "至", "两成半", "每股", "1.59港元", "/股", "去年同期", " ", "億", "3月26日", "abc"]  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_component_property_offsets_and_no_overlap(figures_nlp, pieces: list[str]) -> None:
    text = "".join(pieces)
    doc = _run(figures_nlp, text, "2025-03-26")
    assert doc.text == text
    previous_end = 0
    for ent in doc.ents:
        assert ent.text == text[ent.start_char : ent.end_char]
        assert ent.start_char >= previous_end
        previous_end = ent.end_char
    assert doc._.unplaced == []
