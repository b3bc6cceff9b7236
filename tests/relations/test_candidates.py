"""The candidate generator is bounded: never quadratic in the number of figures."""

from __future__ import annotations

import pytest

from pipeline.relations.candidates import CandidateConfig, build_subjects, generate
from pipeline.relations.document import DocView
from pipeline.relations.mentions import MentionFinder
from pipeline.relations.textnorm import normalize

from .rel_helpers import make_ents


def _prepared(lexicons, text, orgs):
    view = DocView(text, normalize(text), make_ents(text, orgs))
    MentionFinder(lexicons).annotate(view)
    view.index()
    main = build_subjects(view)
    view.index()
    return view, main


def _many_subjects_text(n: int) -> tuple[str, tuple[str, ...]]:
    names = tuple(f"公司{chr(0x4E00 + i)}{chr(0x4E10 + i)}集团" for i in range(n))
    parts = [f"{name}收入{i + 1}.5亿元，同比增长{i % 90 + 1}%" for i, name in enumerate(names)]
    return "；".join(parts) + "。", names


@pytest.mark.parametrize(
    "config",
    [
        CandidateConfig(),
        CandidateConfig(max_before=2, max_distance=40, max_after=0),
        CandidateConfig(max_before=10, max_distance=500, max_after=3, max_after_distance=50),
    ],
)
def test_candidates_respect_bounds(lexicons, config):
    text, names = _many_subjects_text(60)
    view, main = _prepared(lexicons, text, names)
    assert len(view.figures) == 120
    for fig in view.figures:
        cands = generate(view, fig, main, config)
        before = [c for c in cands if not c.after and not c.fallback]
        after = [c for c in cands if c.after]
        assert len(before) <= config.max_before
        assert len(after) <= config.max_after
        assert len(cands) <= config.max_before + config.max_after + 1
        assert all(c.distance <= config.max_distance for c in before)
        assert all(c.distance <= config.max_after_distance for c in after)
        keys = [(c.subject.type, c.subject.key) for c in cands]
        assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("text", "orgs", "expected_first"),
    [
        ("商汤集团收入37.7亿元。", ("商汤集团",), "商汤集团"),
        ("商汤集团收入37.7亿元，其中生成式AI业务收入24.04亿元。", ("商汤集团",), "生成式AI"),
    ],
)
def test_candidates_nearest_first(lexicons, text, orgs, expected_first):
    view, main = _prepared(lexicons, text, orgs)
    cands = generate(view, view.figures[-1], main, CandidateConfig())
    assert cands[0].subject.ref_text == expected_first


@pytest.mark.parametrize("text", ["", "收入增长了。", "市场规模达到100亿元，增长5%。"])
def test_candidates_empty_when_no_subject(lexicons, text):
    view, main = _prepared(lexicons, text, ())
    for fig in view.figures:
        assert generate(view, fig, main, CandidateConfig()) == []


@pytest.mark.parametrize(
    ("text", "orgs", "subject_keys"),
    [
        # The statistics office in a citation bracket is where the data come from.
        (
            "全市服务业营业收入3783亿元，同比增长2.3%。（来源：星海市统计局网站）",
            ("星海市统计局",),
            [],
        ),
        ("全国房地产开发投资4.59万亿元（数据来源：星海统计局）", ("星海统计局",), []),
        # A company named in an ordinary bracket stays a subject.
        ("收入37.7亿元（星河科技公告）。", ("星河科技",), ["星河科技"]),
        # 据X数据 / 根据X统计: the data come from X; they are not about X.
        ("据星海海关数据，一季度进出口总值10.3万亿元，同比下降1.3%。", ("星海海关",), []),
        ("根据星海汽车协会统计，4月新能源车销量增长33.5%。", ("星海汽车协会",), []),
        # 据X公告: a company reporting its own figures stays a subject.
        ("据星河科技公告，上半年收入37.7亿元。", ("星河科技",), ["星河科技"]),
        # an exchange before a contract it trades is the venue of a price ...
        ("星海金属交易所期铜收跌221美元，报7584美元/吨。", ("星海金属交易所",), []),
        ("星海商品交易所（XCE）原油期货收于39.6美元/桶。", ("星海商品交易所",), []),
        # ... its own results keep it a subject
        ("星海交易所公布，期内收入109亿港元。", ("星海交易所",), ["星海交易所"]),
        # government bodies, regulators and international bodies are never subjects
        ("星海商务部消息，1-6月实际使用外资6078亿元。", ("星海商务部",), []),
        ("我国对欧盟出口1.5万亿元。", ("欧盟",), []),
        # an exchange before a futures contract of any commodity is a venue
        ("CBOT玉米期货跌2.88%，报5.7美元。", ("CBOT",), []),
        ("星海商品交易所 8月黄金期货收涨10.70美元。", ("星海商品交易所",), []),
        # an ORG opening the name of an index or a fund is not the subject of its moves
        ("纽约尾盘，星海谷物分类指数跌2.19%。", ("星海",), []),
        ("星海美国可转债ETF跌超0.7%。", ("星海",), []),
        # the exchange a company is listed on is no subject of its results
        ("恒达地产（星海交易所上市）公布，收益842亿港元。", ("星海交易所",), []),
        # X数据显示 without 据: still the source of the data ...
        ("星海商务局数据显示，1-8月服务出口1.5万亿元，增长25.3%。", ("星海商务局",), []),
        # ... but a company's own announcement (公告显示) keeps it a subject.
        ("星河科技公告显示，上半年收入37.7亿元。", ("星河科技",), ["星河科技"]),
    ],
)
def test_candidates_cited_source_is_no_subject(lexicons, text, orgs, subject_keys):
    view, main = _prepared(lexicons, text, orgs)
    assert [s.key for s in view.subjects if s.type == "ORG"] == subject_keys
    if not subject_keys:
        assert main is None
