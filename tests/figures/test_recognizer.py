"""The engine on the dev case table, evil inputs and a never-crash property."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.figures.cases import load_cases, value_matches

DEV = Path(__file__).resolve().parents[2] / "corpus" / "cases" / "dev.yaml"
DEV_CASES = load_cases(DEV)


@pytest.mark.parametrize("case", DEV_CASES, ids=lambda c: c.source)
def test_recognizer_dev_cases(engine, case) -> None:
    got = {(c.start, c.end, c.label): c for c in engine.find(case.text, case.pub_date)}
    want = {(e.start, e.end, e.label): e.value for e in case.entities}
    assert {k: case.text[k[0] : k[1]] for k in got} == {k: case.text[k[0] : k[1]] for k in want}
    for key, value in want.items():
        assert value_matches(value, got[key].value), (case.text, got[key].value, got[key].flags)


@pytest.mark.parametrize(
    ("text", "label", "reason"),
    [
        ("2024年2月30日到期", "DATE", "day 30 out of range"),
        ("2023年2月29日", "DATE", "day 29 out of range"),
        ("我们有 202107211321363588510367 美元", "MONEY", "absurd magnitude"),
        ("规模达" + "9" * 60 + "亿元", "MONEY", "overflow"),
        ("增长" + "9" * 12 + "%", "PERCENT", "absurd magnitude"),
    ],
)
def test_recognizer_evil_inputs_keep_span_with_null_value(engine, text, label, reason) -> None:
    found = [c for c in engine.find(text, "2025-03-26") if c.label == label]
    assert len(found) == 1
    assert found[0].value is None
    assert reason in found[0].flags["value_error"]


@pytest.mark.parametrize(
    ("text", "qualifier", "approximate"),
    [
        ("约12亿港元", "约", True),
        ("逾20亿美元", "逾", False),
        ("800万元左右", "左右", True),
        ("超过500亿元", "超过", False),
    ],
)
def test_recognizer_qualifiers_outside_span(engine, text, qualifier, approximate) -> None:
    (cand,) = engine.find(text)
    assert qualifier not in text[cand.start : cand.end]
    assert cand.flags == {"qualifier": qualifier, "approximate": approximate}
    assert cand.value["approximate"] is approximate


def test_recognizer_fiscal_company_override(engine) -> None:
    (cand,) = engine.find("阿里巴巴2025财年收入增长", "2025-05-15")
    assert (cand.value["start"], cand.value["end"]) == ("2024-04-01", "2025-03-31")
    assert cand.flags["fiscal_company"] == "阿里巴巴"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # NVIDIA's fiscal year ends in late January: FY2025 Q4 is Nov 2024 - Jan 2025
        ("英伟达公布2025财年第四季度业绩", "2024-11-01", "2025-01-31"),
        ("耐克2025财年收入", "2024-06-01", "2025-05-31"),
    ],
)
def test_recognizer_fiscal_years_of_us_companies(engine, text, start, end) -> None:
    (cand,) = engine.find(text, "2025-02-27")
    assert (cand.value["start"], cand.value["end"]) == (start, end)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            "0123456789.,%-至到年月日季度上下半今去同亿万元港美人民币百分之成个点一二三四五六七八九十 约每股/财FYQ"
        ),
        max_size=40,
    )
)
def test_recognizer_never_crashes_and_spans_are_sane(engine, text) -> None:
    cands = engine.find(text, "2025-03-26")
    previous_end = 0
    for c in sorted(cands, key=lambda c: c.start):
        assert 0 <= c.start < c.end <= len(text)
        assert c.start >= previous_end
        previous_end = c.end
        assert c.value is not None or (c.flags and c.flags.get("value_error"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_recognizer_never_crashes_on_unicode(engine, text) -> None:
    for c in engine.find(text):
        assert 0 <= c.start < c.end <= len(text)


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        # a change verb, an amount with its own currency, 至 and a much larger amount:
        # the change and the level it reached
        ("除税前利润按年上升21亿美元至323亿美元", ["21亿美元", "323亿美元"]),
        ("營收增加3000萬元至2億元", ["3000萬元", "2億元"]),
        # a forecast range has close ends; a range without a change verb stays one
        ("净利润同比增加1.2亿元至1.5亿元", ["1.2亿元至1.5亿元"]),
        ("预计净利润10亿元至45亿元", ["10亿元至45亿元"]),
        ("预计净利润10亿至12亿元", ["10亿至12亿元"]),
    ],
)
def test_recognizer_change_then_level_is_two_figures(engine, text, figures) -> None:
    found = [text[c.start : c.end] for c in engine.find(text, "2025-03-26") if c.label == "MONEY"]
    assert found == figures


def test_recognizer_new_taiwan_dollar_before_the_amount(engine) -> None:
    text = "營業收入為新台幣1,234億元"
    found = [c for c in engine.find(text, "2025-03-26") if c.label == "MONEY"]
    assert [text[c.start : c.end] for c in found] == ["新台幣1,234億元"]
    assert found[0].value["currency"] == "TWD"
