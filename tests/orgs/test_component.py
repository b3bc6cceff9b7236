"""The zhnews_orgs component on a character-segmented Doc (no pkuseg needed)."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.orgs.component import OrgRecognizer
from pipeline.spans import EntityCandidate, place_entities


@pytest.fixture(scope="module")
def nlp_char():
    return spacy.blank("zh")


@pytest.fixture(scope="module")
def component(nlp_char, shipped_rules, tiny_tagger):
    comp = OrgRecognizer(nlp_char)
    comp.set_resources(shipped_rules, tiny_tagger)
    return comp


def _orgs(doc):
    return [(e.text, e._.source, e._.canonical) for e in doc.ents if e.label_ == "ORG"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("商汤集团收入增长，商汤称需求旺盛", [("商汤集团", "商汤集团"), ("商汤", "商汤集团")]),
        ("商湯科技公布業績", [("商湯科技", "商汤集团")]),
        ("客户包括宁波银行、招商银行等", [("宁波银行", "宁波银行"), ("招商银行", "招商银行")]),
    ],
)
def test_component_gazetteer_and_alias_linking(component, nlp_char, text, expected):
    doc = component(nlp_char.make_doc(text))
    assert [(t, c) for t, _, c in _orgs(doc)] == expected
    assert all(
        s and (s.startswith("gazetteer:") or s.startswith("rule:") or s.startswith("model:"))
        for _, s, _ in _orgs(doc)
    )
    assert all(0.0 <= e._.confidence <= 1.0 for e in doc.ents)


@pytest.mark.parametrize(
    "text,name",
    [
        ("星河电气（000402.SZ）发布公告", "星河电气"),
        ("电气设备厂商星河电气（000402.SZ）公告", "星河电气"),
        ("商汤集团(HKG: 0020)发布业绩", "商汤集团"),
    ],
)
def test_component_stock_code_context(component, nlp_char, text, name):
    doc = component(nlp_char.make_doc(text))
    assert name in [t for t, _, _ in _orgs(doc)]


@pytest.mark.parametrize("text", ["港股收盘上涨", "A股和美股", "公司表示"])
def test_component_exclusions(component, nlp_char, text):
    assert _orgs(component(nlp_char.make_doc(text))) == []


@pytest.mark.parametrize(
    "text,money", [("宁波银行100亿元", (2, 9)), ("商汤集团收入37.7亿元", (6, 12))]
)
def test_component_never_overlaps_existing_figures(component, nlp_char, text, money):
    doc = nlp_char.make_doc(text)
    # A figure placed first (even over part of a name, as here): the figure wins.
    place_entities(doc, [EntityCandidate(money[0], money[1], "MONEY", "rule:test")])
    doc = component(doc)
    labels = [(e.label_, e.start_char, e.end_char) for e in doc.ents]
    assert ("MONEY", *money) in labels
    for ent in doc.ents:
        if ent.label_ == "ORG":
            assert ent.end_char <= money[0] or ent.start_char >= money[1]


@settings(max_examples=40, deadline=None)
@given(
    st.text(
        alphabet="商汤集团宁波银行港股公司（）(HKG:0020)、客户包括等，。1234亿元科技", max_size=40
    )
)
def test_component_spans_never_overlap_and_stay_in_bounds(component, nlp_char, text):
    doc = component(nlp_char.make_doc(text))
    previous_end = 0
    for ent in doc.ents:
        assert 0 <= ent.start_char < ent.end_char <= len(text)
        assert ent.start_char >= previous_end
        assert doc.text[ent.start_char : ent.end_char] == ent.text
        previous_end = ent.end_char


@pytest.mark.parametrize("text", ["商汤集团与星河科技在上海签约，宁波银行参与"])
def test_component_disk_and_bytes_round_trip(tmp_path, component, nlp_char, text):
    expected = _orgs(component(nlp_char.make_doc(text)))
    component.to_disk(tmp_path / "orgs")
    again = OrgRecognizer(nlp_char).from_disk(tmp_path / "orgs")
    assert _orgs(again(nlp_char.make_doc(text))) == expected
    again_b = OrgRecognizer(nlp_char).from_bytes(component.to_bytes())
    assert _orgs(again_b(nlp_char.make_doc(text))) == expected


@pytest.mark.parametrize("text", ["商汤集团发布业绩"])
def test_component_initialize_from_rule_dir_without_model(nlp_char, text):
    from pathlib import Path

    comp = OrgRecognizer(nlp_char)
    comp.initialize(rules_dir=str(Path(__file__).resolve().parents[2] / "configs" / "orgs"))
    assert _orgs(comp(nlp_char.make_doc(text)))[0][0] == "商汤集团"


@pytest.mark.parametrize("batch_size", [1, 3, 128])
def test_component_pipe_equals_per_doc_calls(component, nlp_char, batch_size):
    texts = [
        "商汤集团收入增长，商汤称需求旺盛",
        "",
        "客户包括宁波银行、招商银行等",
        "星河科技今天发布财报",
        "今天天气很好",
    ]
    one = [component(nlp_char.make_doc(t)) for t in texts]
    many = list(component.pipe((nlp_char.make_doc(t) for t in texts), batch_size=batch_size))
    assert [d.text for d in many] == texts
    for a, b in zip(one, many, strict=True):
        assert [
            (e.start_char, e.end_char, e.label_, e._.source, e._.confidence) for e in a.ents
        ] == [(e.start_char, e.end_char, e.label_, e._.source, e._.confidence) for e in b.ents]
    assert any(d.ents for d in many)


@pytest.mark.parametrize(
    "lengths,expected",
    [
        ([], []),
        ([9000], [(0, 1)]),
        ([5000, 3000, 500, 9000, 10, 10], [(0, 2), (2, 3), (3, 4), (4, 6)]),
        ([10] * 5, [(0, 5)]),
    ],
)
def test_component_char_chunks_cap_batch_size(lengths, expected):
    from pipeline.orgs.component import _char_chunks

    assert _char_chunks(lengths) == expected
