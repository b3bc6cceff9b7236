"""The linker on gold-like entities: the issue's example and bad input."""

from __future__ import annotations

import pytest

from pipeline.relations.document import Ent

from .rel_helpers import EXAMPLE, make_ents

EXPECTED = [
    # figure, subject, subject type, metric, kind, comparison, direction, period
    ("37.7亿元", "商汤集团", "ORG", "revenue", "value", None, None, "2024年"),
    ("10.8%", "商汤集团", "ORG", "revenue", "change", "yoy", "up", "2024年"),
    ("24.04亿元", "生成式AI", "SEGMENT", "revenue", "value", None, None, "2024年"),
    ("103.1%", "生成式AI", "SEGMENT", "revenue", "change", "yoy", "up", "2024年"),
    ("63.7%", "生成式AI", "SEGMENT", "revenue", "share", None, None, "2024年"),
    ("42.9%", "商汤集团", "ORG", "gross_margin", "ratio", None, None, "2024年"),
]
SCHEMA_KEYS = {
    "figure",
    "subject",
    "metric",
    "metric_canonical",
    "kind",
    "comparison",
    "direction",
    "period",
    "role",
    "company",
    "source",
    "confidence",
}


def _facts(relations):
    return [
        (
            r["figure"]["text"],
            r["subject"]["text"],
            r["subject"]["type"],
            r["metric_canonical"],
            r["kind"],
            r["comparison"],
            r["direction"],
            r["period"]["text"] if r["period"] else None,
        )
        for r in relations
    ]


@pytest.mark.parametrize("expected", [EXPECTED])
def test_linker_issue_example_six_facts(linker, expected):
    relations, _ = linker.link(EXAMPLE, make_ents(EXAMPLE, ("商汤集团",)))
    assert _facts(relations) == expected
    for rel in relations:
        assert set(rel) == SCHEMA_KEYS
        assert rel["company"] == "商汤集团"
        assert rel["source"] == "model:rel_clf"
        assert 0.0 <= rel["confidence"] <= 1.0
        for part in ("figure", "subject", "period"):
            span = rel[part]
            assert EXAMPLE[span["start"] : span["end"]] == span["text"]


@pytest.mark.parametrize(
    ("text", "orgs", "expected"),
    [
        # from/to pair with a glued base period (从2023年的53.9%下降至29.5%)
        (
            "2024年，商汤视觉AI业务收入11.12亿元，占总收入比重从2023年的53.9%，下降至29.5%。",
            ("商汤",),
            {"53.9%": ("share", "from", "2023年"), "29.5%": ("share", "to", "2024年")},
        ),
        # a narrowing loss is a decrease
        (
            "2024年商汤集团亏损净额43.07亿元，同比收窄33.7%。",
            ("商汤集团",),
            {"33.7%": ("change", None, "2024年")},
        ),
    ],
)
def test_linker_rules_kind_role_period(linker, text, orgs, expected):
    relations, _ = linker.link(text, make_ents(text, orgs))
    got = {r["figure"]["text"]: r for r in relations}
    for figure, (kind, role, period) in expected.items():
        assert got[figure]["kind"] == kind
        assert got[figure]["role"] == role
        assert got[figure]["period"]["text"] == period
    if "收窄" in text:
        assert got["33.7%"]["direction"] == "down"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "今天天气很好。",
        "全国市场规模达到100亿元，同比增长5%。",
        "增长10%，下降5%，占比30%。",
    ],
)
def test_linker_no_subject_no_relation(linker, text):
    relations, _ = linker.link(text, make_ents(text))
    assert relations == []


@pytest.mark.parametrize("n_figures", [500])
def test_linker_many_figures_paragraph(linker, n_figures):
    parts = [f"分部{i % 50}业务收入{i + 1}.5亿元" for i in range(n_figures)]
    text = "商汤集团2024年" + "，".join(parts) + "。"
    relations, mentions = linker.link(text, make_ents(text, ("商汤集团",)))
    assert len(relations) <= n_figures
    assert len(relations) > n_figures // 2
    for rel in relations:
        assert text[rel["figure"]["start"] : rel["figure"]["end"]] == rel["figure"]["text"]
    assert all(text[m["start"] : m["end"]] == m["text"] for m in mentions)


@pytest.mark.parametrize(
    ("text", "orgs", "figure", "subject", "source"),
    [
        # a ；/。 unit with its own metric and no subject returns to the main company
        ("2024年，甲乙集团收入50亿元，其中丙丁业务收入20亿元；毛利率为30.5%。", ("甲乙集团",), "30.5%", "甲乙集团", "rule:unit_main_subject"),
        ("2024年，甲乙集团收入50亿元。其中丙丁业务收入20亿元。净利润为8亿元。", ("甲乙集团",), "8亿元", "甲乙集团", "rule:unit_main_subject"),
        # 其 / 该业务 point back to the segment: the unit rule stays silent
        ("2024年，甲乙集团收入50亿元，其中丙丁业务收入20亿元；其毛利率为30.5%。", ("甲乙集团",), "30.5%", "丙丁", "model:rel_clf"),
        # no metric in the unit (；同比增长): the figure continues the segment
        ("2024年，甲乙集团收入50亿元，其中丙丁业务收入20亿元；同比增长12%。", ("甲乙集团",), "12%", "丙丁", "model:rel_clf"),
    ],
)  # fmt: skip
def test_linker_unit_without_subject_returns_to_main(linker, text, orgs, figure, subject, source):
    relations, _ = linker.link(text, make_ents(text, orgs))
    rel = next(r for r in relations if r["figure"]["text"] == figure)
    assert (rel["subject"]["text"], rel["source"]) == (subject, source)


@pytest.mark.parametrize(
    ("text", "unit", "figure"),
    [
        ("2024年，示例集团收入1000亿元，同比增长5%。示例零售收入800亿元，同比增长3%。", "示例零售", "800亿元"),
        ("2024年，示例集团收入1000亿元，同比增长5%；示例云音乐营业收入20亿元。", "示例云音乐", "20亿元"),
        # 核心 alone names no segment (notname), glued to the ORG it is a unit
        ("2024年，示例集团收入1000亿元，其中示例核心收入800亿元。", "示例核心", "800亿元"),
    ],
)  # fmt: skip
def test_linker_org_glued_name_is_internal_unit(linker, text, unit, figure):
    # the ORG stage tags only the company part (示例) of 示例零售: ORG + glued name
    # before a metric is one internal unit, reported as a segment
    ents = make_ents(text, ("示例集团",))
    pos = text.index(unit)
    ents.append(Ent(pos, pos + 2, "ORG", "示例", None, "示例集团"))
    relations, _ = linker.link(text, ents)
    rel = next(r for r in relations if r["figure"]["text"] == figure)
    assert (rel["subject"]["text"], rel["subject"]["type"]) == (unit, "SEGMENT")
    first = next(r for r in relations if r["figure"]["text"] == "1000亿元")
    assert first["subject"]["text"] == "示例集团"


@pytest.mark.parametrize(
    ("text", "figure", "direction"),
    [
        ("2024年，甲乙集团毛利率为30.5%，较上年持平0个百分点。", "0个百分点", "flat"),
        ("2024年，甲乙集团收入同比持平于0%。", "0%", "flat"),
        ("2024年，甲乙集团收入同比增长0.1%。", "0.1%", "up"),
    ],
)
def test_linker_flat_direction(linker, text, figure, direction):
    relations, _ = linker.link(text, make_ents(text, ("甲乙集团",)))
    rel = next(r for r in relations if r["figure"]["text"] == figure)
    assert (rel["kind"], rel["direction"]) == ("change", direction)


@pytest.mark.parametrize(
    "text",
    ["甲证券点评：乙公司2024年营收50亿元，同比增长12%。", "甲证券发布研报称，乙公司营收50亿元。"],
)
def test_linker_research_author_is_no_subject(linker, text):
    relations, _ = linker.link(text, make_ents(text, ("甲证券",)))
    assert all(r["subject"]["text"] != "甲证券" for r in relations)


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        # The base period is a DATE inside the comparison phrase: still a comparison cue.
        ("星河科技收入10亿元，较去年同期增长5%。", "去年同期", "yoy"),
        ("星河科技收入10亿元，比上年同期下降5%。", "上年同期", "yoy"),
        ("星河科技收入10亿元，相较去年同期增长5%。", "去年同期", "yoy"),
        ("星河科技收入10亿元，较上季度增长5%。", "上季度", "qoq"),
        # A named base period stays the comparison's text.
        ("星河科技收入10亿元，较2023年增长5%。", "2023年", "2023年"),
        # 较|上年末: the yoy cue 较上年 would cut through the DATE; the base cue 较 wins
        ("星河科技收入10亿元，较上年末增长5%。", "上年末", "上年末"),
    ],
)
def test_linker_comparison_with_relative_base(linker, text, base, expected):
    ents = make_ents(text, ("星河科技",))
    if not base[0].isdigit():
        start = text.index(base)
        ents.append(Ent(start, start + len(base), "DATE", base))
        ents.sort(key=lambda e: e.start)
    relations, _ = linker.link(text, ents)
    change = next(r for r in relations if r["figure"]["text"] == "5%")
    assert change["comparison"] == expected


@pytest.mark.parametrize(
    ("text", "figure", "period"),
    [
        # 全年 without a DATE: an earlier quarter is not this figure's period.
        ("星河科技2024年第二季度收入15亿元。预计全年收入65亿元。", "65亿元", None),
        # A year before 全年 is inherited (same period).
        ("星河科技2024年收入15亿元。全年毛利率为40%。", "40%", "2024年"),
        # 全年 after a quarter in the same sentence: the quarter is not inherited ...
        ("星河科技2024年第四季度收入15亿元；全年收入65亿元。", "65亿元", None),
        # ... but a quarter named after 全年 is that figure's period.
        ("星河科技全年收入65亿元，其中2024年第四季度收入15亿元。", "15亿元", "2024年第四季度"),
    ],
)
def test_linker_bare_full_year_blocks_shorter_period(linker, text, figure, period):
    ents = make_ents(text, ("星河科技",))
    for e in ents:
        if e.label == "DATE":
            e.value = {"granularity": "quarter" if "季度" in e.text else "year"}
    relations, _ = linker.link(text, ents)
    rel = next(r for r in relations if r["figure"]["text"] == figure)
    assert (rel["period"]["text"] if rel["period"] else None) == period


def test_linker_to_figure_follows_its_from_figure(linker):
    # the 4.5% of 由…3.6%提升至4.5% is the same change as 3.6%: same subject.  Scored
    # alone, 4.5% has a figure between it and the unit and is left unlinked (p < 0.1)
    text = "甲乙零售收入2571亿元，经营利润率由去年同期的3.6%提升至4.5%；甲乙物流收入445亿元。"
    ents = make_ents(text, ("甲乙物流",))
    ents.append(Ent(0, 2, "ORG", "甲乙", None, "甲乙集团"))  # the ORG part of 甲乙零售
    ents.sort(key=lambda e: e.start)
    relations, _ = linker.link(text, ents)
    by_figure = {r["figure"]["text"]: r for r in relations}
    assert by_figure["3.6%"]["role"] == "from"
    assert by_figure["4.5%"]["role"] == "to"
    assert (
        by_figure["4.5%"]["subject"]["text"] == by_figure["3.6%"]["subject"]["text"] == "甲乙零售"
    )
    assert by_figure["4.5%"]["source"] == "rule:from_to_pair"
    assert by_figure["4.5%"]["confidence"] == by_figure["3.6%"]["confidence"]


def test_linker_from_to_rule_needs_a_linked_from_figure(linker):
    # no subject at all: neither figure of the pair is linked
    text = "行业平均利润率由3.6%提升至4.5%。"
    relations, _ = linker.link(text, make_ents(text))
    assert relations == []


@pytest.mark.parametrize(
    "text",
    [
        "8月20日，甲乙集团发布半年报。报告期内，甲乙集团实现营收3011.27亿元。",
        "（记者 王明）8月20日，甲乙集团发布半年报。报告期内，甲乙集团实现营收3011.27亿元。",
    ],
)
def test_linker_announcement_day_is_no_period(linker, text):
    # the day opening a sentence that reports an announcement dates the announcement
    ents = make_ents(text, ("甲乙集团",))
    pos = text.index("8月20日")
    ents.append(Ent(pos, pos + 5, "DATE", "8月20日", {"granularity": "day"}))
    ents.sort(key=lambda e: e.start)
    relations, _ = linker.link(text, ents)
    (rel,) = relations
    assert rel["period"] is None


def test_linker_day_before_a_balance_is_its_period(linker):
    text = "9月30日，甲乙银行总资产为3011.27亿元。"
    ents = make_ents(text, ("甲乙银行",))
    ents.append(Ent(0, 5, "DATE", "9月30日", {"granularity": "day"}))
    ents.sort(key=lambda e: e.start)
    relations, _ = linker.link(text, ents)
    assert relations[0]["period"]["text"] == "9月30日"


@pytest.mark.parametrize(
    ("text", "figure", "period"),
    [
        # 与上年同期相比 frames a comparison base: the change is the current period's
        ("星河科技2025年上半年净利润30亿元，与上年同期相比增加12亿元。", "12亿元", "2025年上半年"),
        ("星河科技2025年上半年净利润30亿元，和去年同期相比增长65%。", "65%", "2025年上半年"),
        # a figure OF the comparative period keeps it
        ("星河科技2025年上半年净利润30亿元，上年同期为18亿元。", "18亿元", "上年同期"),
    ],
)
def test_linker_framed_comparison_base_is_no_period(linker, text, figure, period):
    ents = make_ents(text, ("星河科技",))
    for base in ("上年同期", "去年同期"):
        if base in text:
            start = text.index(base)
            ents.append(Ent(start, start + len(base), "DATE", base))
    ents.sort(key=lambda e: e.start)
    relations, _ = linker.link(text, ents)
    rel = next(r for r in relations if r["figure"]["text"] == figure)
    assert rel["period"]["text"] == period


def test_linker_production_is_a_metric(linker):
    text = "星河矿业2025年上半年净利润30亿元。其中矿产铜产量同比上升15%。"
    relations, _ = linker.link(text, make_ents(text, ("星河矿业",)))
    rel = next(r for r in relations if r["figure"]["text"] == "15%")
    assert (rel["metric_canonical"], rel["kind"]) == ("production", "change")


def test_linker_date_in_a_later_clause_is_not_the_figures_period(linker):
    # the 4% move is today's; 二季度 dates the results named in the next clause
    text = "星河银行涨近4%，公司二季度营收高于市场预估。"
    ents = make_ents(text, ("星河银行",))
    start = text.index("二季度")
    ents.append(Ent(start, start + 3, "DATE", "二季度"))
    ents.sort(key=lambda e: e.start)
    relations, _ = linker.link(text, ents)
    rel = next(r for r in relations if r["figure"]["text"] == "4%")
    assert rel["period"] is None


def test_linker_interim_dividend_per_share(linker):
    text = "星河汽车上半年收益45.6亿港元，派中期息每股0.25港元。"
    relations, _ = linker.link(text, make_ents(text, ("星河汽车",)))
    rel = next(r for r in relations if r["figure"]["text"] == "0.25港元")
    assert rel["metric_canonical"] == "dividend_per_share"


def test_linker_basic_eps_hong_kong_wording(linker):
    text = "星河電訊收益45億港元，每股基本盈利1.23港元。"
    relations, _ = linker.link(text, make_ents(text, ("星河電訊",)))
    rel = next(r for r in relations if r["figure"]["text"] == "1.23港元")
    assert rel["metric_canonical"] == "eps"


def test_linker_paragraph_without_company_links_no_segment(linker):
    # a statistics release: categories, not business segments of a company
    text = "一季度全省社会消费品零售总额1788亿元，增长2.1%。其中餐饮收入121亿元，增长5.6%。"
    relations, mentions = linker.link(text, make_ents(text, ()))
    assert relations == []
    # the segment-like mentions are still reported (auditable), only not linked
    assert any(m["type"] == "SEGMENT" for m in mentions)


def test_linker_same_text_with_a_company_links_its_segment(linker):
    text = "星河餐饮一季度收入1788亿元，增长2.1%。其中外卖业务收入121亿元，增长5.6%。"
    relations, _ = linker.link(text, make_ents(text, ("星河餐饮",)))
    rel = next(r for r in relations if r["figure"]["text"] == "121亿元")
    assert rel["subject"]["text"] == "外卖"


def test_linker_ordinal_industry_is_no_segment(linker):
    text = "星河集团称，分产业看，第一产业投资增长11.6%。"
    relations, _ = linker.link(text, make_ents(text, ("星河集团",)))
    assert all(r["subject"]["text"] != "第一" for r in relations)


def test_linker_yield_is_not_revenue(linker):
    text = "星河银行发行的两年期债券收益率升至3.08%。"
    relations, _ = linker.link(text, make_ents(text, ("星河银行",)))
    rel = next(r for r in relations if r["figure"]["text"] == "3.08%")
    assert (rel["metric_canonical"], rel["kind"]) == ("yield", "ratio")


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        # the basis stated in its own short clause before the metric's clause
        ("星河控股按非国际财务报告准则，权益持有人应占盈利为59亿元。", "adjusted_net_profit"),
        # a basis named after the figure does not adjust it
        ("星河控股净利润为100亿元，非国际财务报告准则下的指标将另行公布。", "net_profit"),
    ],
)
def test_linker_adjusted_basis_in_previous_clause(linker, text, metric):
    relations, _ = linker.link(text, make_ents(text, ("星河控股",)))
    assert relations[0]["metric_canonical"] == metric


def test_linker_taiwan_wording(linker):
    # 年增 / 年減 (Taiwan) are a year-on-year change; 每股盈餘 is EPS
    text = "星河生物營業收入1234億元，年增15.2%；每股盈餘5.6元，年減3%。"
    relations, _ = linker.link(text, make_ents(text, ("星河生物",)))
    by_figure = {r["figure"]["text"]: r for r in relations}
    assert (by_figure["15.2%"]["comparison"], by_figure["15.2%"]["direction"]) == ("yoy", "up")
    assert by_figure["5.6元"]["metric_canonical"] == "eps"
    assert by_figure["3%"]["direction"] == "down"


@pytest.mark.parametrize(
    ("text", "figure", "comparison", "direction"),
    [
        # 年增 must not swallow 全年增长 / 2023年增长 (a DATE ends on 年)
        ("星河科技收入全年增长10%。", "10%", None, "up"),
        ("星河科技割草机收入较2023年增长超过30%。", "30%", "2023年", "up"),
    ],
)
def test_linker_year_change_cue_does_not_swallow_others(
    linker, text, figure, comparison, direction
):
    ents = make_ents(text, ("星河科技",))
    if "2023年" in text:
        start = text.index("2023年")
        ents.append(Ent(start, start + 5, "DATE", "2023年"))
        ents.sort(key=lambda e: e.start)
    relations, _ = linker.link(text, ents)
    rel = next(r for r in relations if r["figure"]["text"] == figure)
    assert (rel["comparison"], rel["direction"]) == (comparison, direction)


def test_linker_segments_kept_when_the_company_was_missed(linker):
    # no ORG recognised (an unknown company), no statistics wording: the segment facts
    # stay (subject: the segment)
    text = "Q3财报显示，云桥云计算业务收入达到47.5亿元，广告业务收入为19.2亿元。"
    relations, _ = linker.link(text, make_ents(text, ()))
    assert {r["subject"]["text"] for r in relations} >= {"广告"}


@pytest.mark.parametrize(
    ("text", "figure", "implied"),
    [
        # a company's price move: the share price is the metric left unsaid
        ("中概股普涨，星河科技涨超7%，北辰网络周一收跌2.1%。", "7%", "share_price"),
        ("中概股普涨，星河科技涨超7%，北辰网络周一收跌2.1%。", "2.1%", "share_price"),
        # a named metric wins; no ORG right before the move, no implied metric
        ("星河科技净利润增长12%。", "12%", "net_profit"),
        ("星河科技称，行业规模增长12%。", "12%", None),
    ],
)
def test_linker_implied_share_price(linker, text, figure, implied):
    relations, _ = linker.link(text, make_ents(text, ("星河科技", "北辰网络")))
    rel = next((r for r in relations if r["figure"]["text"] == figure), None)
    got = rel["metric_canonical"] if rel is not None else None
    assert got == implied
    if rel is not None and implied == "share_price":
        assert rel["metric"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # two segments each with its own suffix, shared out by 分别
        (
            "星河铁塔其中智联业务和能源业务收入分别为80.96亿元和41.27亿元。",
            {"80.96亿元": "智联", "41.27亿元": "能源"},
        ),
        # a metric qualified as the whole company's goes back to the company
        (
            "星河铁塔饮品业务收益189.6亿元，按年增长4.4%，整体毛利率为32.5%。",
            {"189.6亿元": "饮品", "32.5%": "星河铁塔"},
        ),
    ],
)
def test_linker_segment_pairs_and_overall_metrics(linker, text, expected):
    relations, _ = linker.link(text, make_ents(text, ("星河铁塔",)))
    got = {r["figure"]["text"]: r["subject"]["text"] for r in relations}
    assert {k: got.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("text", "broker", "is_subject"),
    [
        # the broker setting a target price is no subject ...
        ("星河汽车营收增长。瑞银将其目标价维持在215美元。", "瑞银", False),
        # ... the company whose target price is raised is
        ("高盛发布报告，将星河汽车目标价由33港元上调至55港元。", "星河汽车", True),
        # ... and a broker that adjusts 其 (the covered company's) forecast is no subject
        ("星河汽车营收增长。瑞银下调其盈利预测，给予目标价168元。", "瑞银", False),
        ("星河汽车营收增长。瑞银下调其盈利预测，给予目标价168元。", "星河汽车", True),
    ],
)
def test_linker_target_price_belongs_to_the_rated_company(linker, text, broker, is_subject):
    relations, _ = linker.link(text, make_ents(text, ("星河汽车", "瑞银", "高盛")))
    assert any(r["subject"]["text"] == broker for r in relations) is is_subject


def test_linker_low_scored_main_company_taken_by_the_unit_rule(linker):
    # the gross margin's unit names its own metric and no other subject: the main
    # company, even when the model scores the far-away company below its threshold
    text = (
        "星河电子2024年营收为5305.9亿元，年增22.4%；税后净利1059.9亿元，年增37.2%，"
        "全年毛利率达49.6%。"
    )
    relations, _ = linker.link(text, make_ents(text, ("星河电子",)))
    rel = next(r for r in relations if r["figure"]["text"] == "49.6%")
    assert rel["subject"]["text"] == "星河电子"


def test_linker_research_note_is_no_statistics_release(linker):
    # the author of the note is no subject, but its segments are still the (unnamed)
    # company's: the paragraph is no statistics release
    text = "星海证券点评：公司云业务收入增长30%。"
    relations, _ = linker.link(text, make_ents(text, ("星海证券",)))
    assert [r["subject"]["text"] for r in relations] == ["云业务"]


@pytest.mark.parametrize(
    ("text", "figure", "subject"),
    [
        # a name before a share cue, parallel to a segment of the same sentence
        (
            "星河科技按产品线区分，手机平台营收占比约59%，智慧装置平台占比约32%。",
            "32%",
            "智慧装置平台",
        ),
        (
            "星河科技按产品别来看，云端网络产品营收占比约30%，消费智能产品则占46%。",
            "46%",
            "消费智能产品",
        ),
    ],
)
def test_linker_parallel_share_heads(linker, text, figure, subject):
    relations, _ = linker.link(text, make_ents(text, ("星河科技",)))
    rel = next(r for r in relations if r["figure"]["text"] == figure)
    assert rel["subject"]["text"] == subject


def test_mentions_share_head_needs_a_parallel_segment(linker):
    # a bare name before 占比 with no segment in its sentence is no segment
    text = "星河科技员工总数约3万人。公司女性员工占比约45%。"
    _, mentions = linker.link(text, make_ents(text, ("星河科技",)))
    assert not any(m["source"] == "rule:segment.share_head" for m in mentions)


def test_linker_bank_business_is_no_market_wording(linker):
    # 投资银行业务 holds 行业 (market-wide "industry") only across two words: the
    # segment's figures stay linked
    text = "星河证券财富管理业务收入180亿元，投资银行业务收入26.4亿元，同比下滑31.5%。"
    relations, _ = linker.link(text, make_ents(text, ("星河证券",)))
    got = {r["figure"]["text"]: r["subject"]["text"] for r in relations}
    assert got.get("26.4亿元") == "投资银行"


def test_linker_news_outlet_in_a_dateline_is_no_subject(linker):
    text = "新华社洛阳3月21日电 星河钼业21日晚披露年报，公司实现营业收入2130亿元。"
    relations, _ = linker.link(text, make_ents(text, ("新华社", "星河钼业")))
    assert [r["subject"]["text"] for r in relations] == ["星河钼业"]


def test_linker_figure_about_another_body_takes_no_far_company(linker):
    # the clause names a price venue (no subject): the company of the earlier sentence
    # is no subject for its figure
    text = "星河钼业实现营业收入2130亿元。伦敦金属交易所三个月期铜价格全年上涨约2%。"
    relations, _ = linker.link(text, make_ents(text, ("星河钼业", "伦敦金属交易所")))
    assert [r["figure"]["text"] for r in relations] == ["2130亿元"]


def test_linker_half_width_full_stop_ends_a_sentence(linker):
    # …亿元.报告期内公司… : the half-width stop ends the sentence, and 公司 after a
    # period word refers to the company, not to the segment of the sentence before
    text = "星河技术营收370亿元.新能源汽车业务收入160亿元.报告期内公司研发投入33.2亿元."
    relations, _ = linker.link(text, make_ents(text, ("星河技术",)))
    got = {r["figure"]["text"]: r["subject"]["text"] for r in relations}
    assert got["160亿元"] == "新能源汽车"
    assert got["33.2亿元"] in ("星河技术", "公司")


@pytest.mark.parametrize(
    "text",
    [
        "星河人寿总保费6713亿元。同日某养老目标基金披露的份额净值为1.0325元。",
        "星河证券营收100亿元。一家头部券商的收入增长5%。",
    ],
)
def test_linker_unnamed_organisation_takes_no_far_company(linker, text):
    # 某…基金 / 一家…券商: the clause is about an unnamed body, not the named company
    relations, _ = linker.link(text, make_ents(text, ("星河人寿", "星河证券")))
    assert len(relations) == 1


def test_linker_central_bank_unit_takes_no_company(linker):
    # the unit names a public body (no subject) and the company is outside it
    text = "星河集团收入为846.8亿元。欧洲央行年内四次降息，存款便利利率降至3.00%。"
    relations, _ = linker.link(text, make_ents(text, ("星河集团", "欧洲央行")))
    assert [r["figure"]["text"] for r in relations] == ["846.8亿元"]


def test_linker_exchange_rate_quote_is_market_wording(linker):
    text = "星河电子第三季税后纯益为45.8亿元。新台币兑美元汇率当日收在30.62元。"
    relations, _ = linker.link(text, make_ents(text, ("星河电子",)))
    assert [r["figure"]["text"] for r in relations] == ["45.8亿元"]


def test_linker_second_company_with_ze_is_named_without_it(linker):
    text = "星河游戏实现营业收入116亿元。北辰互娱则实现营业收入124亿元，同比增长18.6%。"
    relations, _ = linker.link(text, make_ents(text, ("星河游戏",)))
    got = {r["figure"]["text"]: r["subject"]["text"] for r in relations}
    assert got["124亿元"] == "北辰互娱"


def test_linker_bracketed_alias_leaves_the_full_name_the_subject(linker):
    # both mentions name one organisation (same canonical, as alias linking gives):
    # the nearer bracketed alias must not become the subject's text
    text = "星河时尚集团（XHF）公布全年业绩，收入为846.8亿元。"
    ents = [
        e if e.label != "ORG" else Ent(e.start, e.end, "ORG", e.text, None, "星河时尚")
        for e in make_ents(text, ("星河时尚集团", "XHF"))
    ]
    relations, _ = linker.link(text, ents)
    assert [r["subject"]["text"] for r in relations] == ["星河时尚集团"]


def test_linker_ministry_is_no_subject(linker):
    # a Japanese ministry (…省) publishes statistics; it is no company
    text = "日本财务省20日公布的4月贸易统计初值显示，出口额较上年同期增加38.0%。"
    relations, _ = linker.link(text, make_ents(text, ("日本财务省",)))
    assert relations == []


def test_overall_metric_is_the_window_test():
    """_overall_metric (word ends, found once per paragraph) equals the window test it
    replaces: ``norm.endswith(_OVERALL_LEFT, max(0, start - 3), start)``."""
    from pipeline.relations.document import DocView, Mention
    from pipeline.relations.linker import _OVERALL_LEFT, _overall_metric
    from pipeline.relations.rules import FigureFacts

    for norm in (
        "整体毛利率",
        "集团整体毛利率为1%",
        "综合综合体毛利",
        "全公司净利",
        "体毛利",
        "x全集团y",
    ):
        view = DocView(norm, norm, [])
        for start in range(len(norm) + 1):
            fact = FigureFacts(metric=Mention(start, start + 1, "m", "METRIC"))
            want = norm.endswith(_OVERALL_LEFT, max(0, start - 3), start)
            assert _overall_metric(view, fact) is want, (norm, start)
        assert _overall_metric(view, FigureFacts()) is False
