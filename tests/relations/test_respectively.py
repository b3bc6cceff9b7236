"""分别: coordinated metrics, periods and subjects shared out over the figures after it."""

from __future__ import annotations

import pytest

from pipeline.relations.candidates import build_subjects
from pipeline.relations.document import DocView
from pipeline.relations.linker import RESPECTIVELY_CONFIDENCE, RESPECTIVELY_SOURCE
from pipeline.relations.mentions import MentionFinder
from pipeline.relations.respectively import find_groups
from pipeline.relations.textnorm import normalize

from .rel_helpers import make_ents


def _link(linker, text, orgs=()):
    relations, _ = linker.link(text, make_ents(text, orgs))
    return {r["figure"]["text"]: r for r in relations}


def _groups(lexicons, text, orgs=()):
    view = DocView(text, normalize(text), make_ents(text, orgs))
    MentionFinder(lexicons).annotate(view)
    view.index()
    build_subjects(view)
    view.index_subjects()
    return view, find_groups(view)


def test_metrics_are_shared_out_and_reused_by_the_next_group(linker):
    text = "2024年，甲乙集团营收和净利润分别为100亿元和20亿元，同比分别增长10%和25%。"
    rels = _link(linker, text, ("甲乙集团",))
    got = {f: (r["metric"], r["kind"], r["comparison"], r["direction"]) for f, r in rels.items()}
    assert got == {
        "100亿元": ("营收", "value", None, None),
        "20亿元": ("净利润", "value", None, None),
        "10%": ("营收", "change", "yoy", "up"),
        "25%": ("净利润", "change", "yoy", "up"),
    }
    assert {r["subject"]["text"] for r in rels.values()} == {"甲乙集团"}


def test_subjects_are_shared_out_by_position(linker):
    text = "北向资金今日净卖出33.85亿元。甲乙科技、丙丁银行、戊己股份分别净卖出2.09亿元、1.86亿元、1.41亿元。"
    orgs = ("甲乙科技", "丙丁银行", "戊己股份")
    rels = _link(linker, text, orgs)
    assert [rels[f]["subject"]["text"] for f in ("2.09亿元", "1.86亿元", "1.41亿元")] == list(orgs)
    by_rule = [r for r in rels.values() if r["source"] == RESPECTIVELY_SOURCE]
    assert by_rule, "the model alone does not link these figures: the rule must"
    assert all(r["confidence"] == RESPECTIVELY_CONFIDENCE for r in by_rule)


@pytest.mark.parametrize(
    "text",
    [
        "星河玻璃营收30亿元。分业务看，光伏玻璃、浮法玻璃和工程玻璃业务收入分别为8亿元、5亿元和2亿元。",
        "星河玻璃营收30亿元。分产品看，光伏玻璃、浮法玻璃和工程玻璃分别实现收入8亿元、5亿元和2亿元。",
    ],
)
def test_listed_segments_are_shared_out_by_position(linker, text):
    rels = _link(linker, text, ("星河玻璃",))
    got = [rels[f]["subject"]["text"] for f in ("8亿元", "5亿元", "2亿元")]
    assert got == ["光伏玻璃", "浮法玻璃", "工程玻璃"]
    assert {rels[f]["metric_canonical"] for f in ("8亿元", "5亿元", "2亿元")} == {"revenue"}
    assert rels["30亿元"]["subject"]["text"] == "星河玻璃"


def test_periods_are_shared_out(linker):
    text = "甲乙集团预计2024年、2025年归母净利润分别为121.3亿元和142.6亿元。"
    rels = _link(linker, text, ("甲乙集团",))
    assert rels["121.3亿元"]["period"]["text"] == "2024年"
    assert rels["142.6亿元"]["period"]["text"] == "2025年"


@pytest.mark.parametrize(
    ("text", "orgs", "n_groups", "sizes"),
    [
        # three figures, two companies: no positional pairing
        ("甲乙科技、丙丁银行分别增长10%、20%和30%。", ("甲乙科技", "丙丁银行"), 1, (0, 0, 0)),
        # one figure after 分别: no group
        ("甲乙科技和丙丁银行的营收分别增长10%。", ("甲乙科技", "丙丁银行"), 0, None),
        # the figures must follow 分别 closely, in the same clause
        ("甲乙科技和丙丁银行分别公告，营收增长10%和20%。", ("甲乙科技", "丙丁银行"), 0, None),
        # subjects and metrics of the right size are both kept; the years before the
        # comma are outside the clause of 分别
        (
            "2023年和2024年，甲乙科技和丙丁银行的营收和净利润分别为10亿元和20亿元。",
            ("甲乙科技", "丙丁银行"),
            1,
            (2, 2, 0),
        ),
    ],
)  # fmt: skip
def test_groups_need_matching_sizes(lexicons, text, orgs, n_groups, sizes):
    _, groups = _groups(lexicons, text, orgs)
    assert len(groups) == n_groups
    if groups:
        (group,) = groups
        assert (len(group.subjects), len(group.metrics), len(group.dates)) == sizes


def test_no_coordination_leaves_the_model_alone(linker):
    # 分别 without named items (the names come after an earlier 分别为): no shared subject
    text = "甲乙集团公告称，主力资金净流入居前的个股分别为丙丁银行、戊己股份，净流入额分别为3.83亿元、3.42亿元。"
    rels = _link(linker, text, ("甲乙集团", "丙丁银行", "戊己股份"))
    assert all(r["source"] != RESPECTIVELY_SOURCE for r in rels.values())


def test_figures_moving_apart_keep_their_own_directions(linker):
    # a direction verb after the connector (…及下跌4.7%) still continues the list
    text = (
        "2024年，星河鞋业营收为80亿元。其中代工业务及门店业务收入分别为50亿元及30亿元，"
        "分别同比增长8.5%及下降4.5%。"
    )
    rels = _link(linker, text, ("星河鞋业",))
    got = {
        f: (rels[f]["subject"]["text"], rels[f]["kind"], rels[f]["direction"])
        for f in ("50亿元", "30亿元", "8.5%", "4.5%")
    }
    assert got == {
        "50亿元": ("代工", "value", None),
        "30亿元": ("门店", "value", None),
        "8.5%": ("代工", "change", "up"),
        "4.5%": ("门店", "change", "down"),
    }
