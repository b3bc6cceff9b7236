"""Context repairs: legal-name extension, token snapping, enumerations, propagation."""

from __future__ import annotations

import pytest

from pipeline.orgs.combine import event_headline, plausible_subject
from pipeline.orgs.context import (
    RULE_COORDINATION,
    RULE_PROPAGATE,
    affiliates,
    coordinate,
    descriptor_company,
    extend_legal_name,
    propagate,
    trim_leading_words,
)
from pipeline.spans import EntityCandidate

GENERIC = {"公司", "集团", "港股"}


def _cand(text: str, name: str, conf: float = 0.8, occurrence: int = 0) -> EntityCandidate:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(name, start + 1)
    return EntityCandidate(start, start + len(name), "ORG", "model:org_clf", confidence=conf)


@pytest.mark.parametrize(
    "text,cut,expected",
    [
        ("近日，北辰星海制药股份有限公司成立", "制药股份有限公司", "北辰星海制药股份有限公司"),
        (
            "日前，宁川数园科技（重庆）有限公司获批",
            "重庆）有限公司",
            "宁川数园科技（重庆）有限公司",
        ),
        ("全资子公司东岳长开电力有限公司中标", "电力有限公司", "东岳长开电力有限公司"),
        ("星河科技与东岳银行签约", "东岳银行", "东岳银行"),  # no legal form: unchanged
        ("2023东岳电力有限公司", "电力有限公司", "东岳电力有限公司"),
    ],
)
def test_context_extend_legal_name(text, cut, expected):
    start = text.index(cut)
    end = start + len(cut)
    assert text[extend_legal_name(text, start, end) : end] == expected


@pytest.mark.parametrize(
    "text,seed,expected",
    [
        ("已有星河科技、北辰证券、东岳控股4家公司发布", "北辰证券", ["星河科技", "东岳控股"]),
        ("北辰证券、星海银行分别净卖出", "北辰证券", ["星海银行"]),
        ("港股、北辰证券上涨", "北辰证券", []),
    ],
)
def test_context_coordinate_enumeration_items(text, seed, expected):
    tokens = list(range(len(text)))
    added = coordinate(text, [_cand(text, seed)], tokens, GENERIC.__contains__)
    assert sorted(text[c.start : c.end] for c in added) == sorted(expected)
    assert all(c.source == RULE_COORDINATION for c in added)


@pytest.mark.parametrize(
    "text,seed,expected",
    [
        ("星河科技发布财报。星河科技称", "星河科技", ["星河科技"]),
        ("埃尼集团表示，埃尼要求", "埃尼集团", ["埃尼"]),
        ("星河科技主办的《星河科技》杂志", "星河科技", []),
        ("星河科技发布财报。星河科技称", "星河科技", ["星河科技"]),
    ],
)
def test_context_propagate_other_mentions(text, seed, expected):
    tokens = list(range(len(text)))
    added = propagate(text, [_cand(text, seed)], tokens, GENERIC.__contains__)
    assert [text[c.start : c.end] for c in added] == expected
    assert all(c.source == RULE_PROPAGATE and c.confidence <= 0.85 for c in added)


def test_context_propagate_whole_words_only():
    text = "星河发布财报，星河科技称"
    # 星河 is a proposal; inside the token 星河科技 it must not be tagged again.
    tokens = [0, 2, 4, 6, 7, 11]
    added = propagate(text, [_cand(text, "星河")], tokens, GENERIC.__contains__)
    assert added == []


def test_context_propagate_ignores_low_confidence():
    text = "星河科技发布财报。星河科技称"
    added = propagate(text, [_cand(text, "星河科技", conf=0.3)], [], GENERIC.__contains__)
    assert added == []


@pytest.mark.parametrize(
    "name,expected",
    [
        ("新宙邦", True),
        ("春立医疗", True),
        ("张伟", False),
        ("王小明", False),
        ("归母净利润", False),
        ("记者", False),
        ("第2季度", False),
    ],
)
def test_combine_plausible_subject(name, expected):
    assert plausible_subject(name) is expected


@pytest.mark.parametrize(
    "text,name,expected",
    [
        ("新宙邦：预计上半年归母净利润增长", "新宙邦", True),
        ("快讯\n春立医疗：取得医疗器械注册证", "春立医疗", True),
        ("主持人：谢谢各位嘉宾", "主持人", False),
        ("开放时间：上午九点", "开放时间", False),
        ("收入增长；净息差：1.82%", "净息差", False),
        ("星河科技：我们看好明年", "星河科技", False),
        # <name>公告，<event> opening the text reads as a headline too
        ("星河民爆公告，预计上半年净利增长", "星河民爆", True),
        ("星河民爆晚间公告称拟回购股份", "星河民爆", True),
        ("张小明公告，今天天气很好", "张小明", False),
        ("星河民爆公告显示收入增长", "星河民爆", False),
    ],
)
def test_combine_event_headline(text, name, expected):
    start = text.index(name)
    assert event_headline(text, start, start + len(name)) is expected


@pytest.mark.parametrize(
    "text,tokens,expected",
    [
        ("控股子公司新郑煤电停产", ["控股", "子公司", "新郑", "煤电", "停产"], ["新郑煤电"]),
        ("全资子公司洛阳金鼎有限公司", ["全资", "子公司", "洛阳", "金鼎", "有限公司"], []),
        ("子公司相关业务", ["子公司", "相关", "业务"], []),
        ("子公司星河科技拟", ["子公司", "星河", "科技", "拟"], ["星河科技"]),
    ],
)
def test_context_affiliates(text, tokens, expected):
    starts, pos = [], 0
    for tok in tokens:
        starts.append(pos)
        pos += len(tok)
    found = affiliates(
        text, starts, GENERIC.__contains__, continuations=frozenset({"有限公司", "科技"})
    )
    assert [text[s:e] for s, e, _, _ in found] == expected


@pytest.mark.parametrize(
    "text,span,expected",
    [
        ("矿业公司洛阳钼业去年", "矿业公司", True),
        ("星河公司宣布回购", "星河公司", False),
        ("美团公司CEO表示", "美团公司", False),
        ("该矿业公司洛阳", "矿业公司", False),
    ],
)
def test_context_descriptor_company(text, span, expected):
    start = text.index(span)
    assert descriptor_company(text, start, start + len(span)) is expected


def test_context_affiliates_after_descriptor():
    text = "矿业公司洛阳钼业去年"
    starts = [0, 2, 4, 6, 8]
    found = affiliates(text, starts, GENERIC.__contains__, extra_starts=[4])
    assert [text[s:e] for s, e, _, _ in found] == ["洛阳钼业"]


LEADING = ("控股股东", "关联方", "股东", "增设", "最后", "诉")


@pytest.mark.parametrize(
    "text,span,token_cuts,expected",
    [
        # A role word glued to a legal name is cut where pkuseg has a boundary.
        (
            "公告称股东东岳星辰集团有限公司拟减持",
            "股东东岳星辰集团有限公司",
            [2],
            "东岳星辰集团有限公司",
        ),
        # Stacked words are all cut, longest first (控股股东 before 股东).
        (
            "最后控股股东北辰投资有限公司胜出",
            "最后控股股东北辰投资有限公司",
            [2, 6],
            "北辰投资有限公司",
        ),
        ("交易所增设星海仓储有限公司为交割库", "增设星海仓储有限公司", [2], "星海仓储有限公司"),
        ("原告诉东岳信托有限公司一案", "诉东岳信托有限公司", [1], "东岳信托有限公司"),
        # No pkuseg boundary after the word: the span is left alone.
        ("股东东岳集团", "股东东岳集团", [], "股东东岳集团"),
        # Fewer than two name characters would remain: left alone.
        ("关联方星", "关联方星", [3], "关联方星"),
        # What remains is a generic word: left alone.
        ("股东公司", "股东公司", [2], "股东公司"),
        # A known (gazetteer) name is never cut.
        ("最后一公里物流", "最后一公里物流", [2], "最后一公里物流"),
        # The word began before the span (pkuseg: 大|股|东): cut where it ends.
        ("大股东北辰集团此前减持", "东北辰集团", [1], "北辰集团"),
        ("股东北辰集团减持", "东北辰集团", [], "东北辰集团"),
    ],
)
def test_context_trim_leading_words(text, span, token_cuts, expected):
    start = text.index(span)
    end = start + len(span)
    starts = {start + c for c in token_cuts}
    new = trim_leading_words(
        text, start, end, LEADING, starts, GENERIC.__contains__, {"最后一公里物流"}.__contains__
    )
    assert text[new:end] == expected


def test_context_trim_leading_words_shipped_file_loads(shipped_rules):
    """The shipped list loads, holds the role words and no word that starts real names."""
    words = set(shipped_rules.leading_words)
    assert {"股东", "控股股东", "关联方"} <= words
    assert not words & {"与", "和", "中", "华", "东方", "联合"}


@pytest.mark.parametrize(
    "text,model_span,expected",
    [
        ("道指涨0.87%", (0, 1), []),  # a one-character model span is never a name
        ("星河科技涨0.87%", (0, 4), ["星河科技"]),
    ],
)
def test_combine_drops_one_character_model_spans(shipped_rules, text, model_span, expected):
    from pipeline.orgs.combine import combine
    from pipeline.orgs.matchers import OrgMatchers

    matchers = OrgMatchers(shipped_rules, lambda s: s)
    out = combine(text, [(*model_span, 0.9)], matchers, list(range(len(text))))
    assert [text[c.start : c.end] for c in out] == expected


@pytest.mark.parametrize(
    "text,model_span,token_cuts,expected",
    [
        # The legal-name repair walked left over a verb: cut after it.
        (
            "委员会将审核东岳星辰科技股份有限公司的首发事项",
            "科技股份有限公司",
            ["审核", "东岳星辰"],
            "东岳星辰科技股份有限公司",
        ),
        # No leading word inside the walked part: the whole repaired name stays.
        (
            "近日，北辰星海制药股份有限公司成立",
            "制药股份有限公司",
            ["北辰星海"],
            "北辰星海制药股份有限公司",
        ),
    ],
)
def test_context_trim_leading_words_inside_walked_part(text, model_span, token_cuts, expected):
    start = text.index(model_span)
    end = start + len(model_span)
    walked = extend_legal_name(text, start, end)
    starts = {text.index(t) for t in token_cuts} | {text.index(t) + len(t) for t in token_cuts}
    new = trim_leading_words(
        text,
        walked,
        end,
        ("审核", "股东"),
        starts,
        GENERIC.__contains__,
        set().__contains__,
        walked_from=start,
    )
    assert text[new:end] == expected


@pytest.mark.parametrize(
    "text,model_span,expected",
    [
        ("吉林省固定资产投资增长", "吉林省", []),  # a bare place name is a location
        ("浦东新区发布数据", "浦东新区", []),
        ("吉林省统计局发布数据", "吉林省统计局", ["吉林省统计局"]),
        ("永辉超市收入增长", "永辉超市", ["永辉超市"]),
        ("韩国银行（央行）行长表示", "韩国银行（央行", ["韩国银行"]),  # half a bracket
        ("星河（成都）科技有限公司成立", "星河（成都）科技有限公司", ["星河（成都）科技有限公司"]),
        ("公司党组书记表示", "党组", []),  # a body inside an organisation
        # the company's shares are no organisation, also after 公司 is cut as a lead word
        ("控股股东持有公司股份5000万股", "公司股份", []),
        ("股东拟减持本公司股份", "本公司股份", []),
        # an index named after a company is no organisation; trailing adverbs are cut
        ("标普500指数涨0.03%", "标普", []),
        ("纳斯达克100指数的成分股", "纳斯达克", []),
        ("纳斯达克综合指数当日下跌", "纳斯达克", []),
        ("道琼斯工业平均指数上涨", "道琼斯", []),
        ("欧股集体收跌", "欧股集体", []),
        # a start-up described, and "the relevant departments" of a place, are no names
        ("杭州人工智能初创公司星河智算发布模型", "杭州人工智能初创公司", []),
        ("深圳市相关部门表示", "深圳市相关部门", []),
        ("星河公司CEO张三表示", "星河公司", ["星河公司"]),
        ("星河控股集体收跌", "星河控股集体", ["星河控股"]),
        # a Latin unit glued to a known company before a segment word is a segment;
        # a longer legal name keeps the model's boundaries
        ("商汤集团XR业务收入增长", "商汤集团XR", ["商汤集团"]),
        ("商汤集团有限公司收入增长", "商汤集团有限公司", ["商汤集团有限公司"]),
        # job titles, investment kinds and generic institution kinds are no names
        ("三位基金经理表示", "基金经理", []),
        ("设立金融租赁公司", "金融租赁公司", []),
        # a verb before the name is cut (参与竞拍|星河华联锌铟股份有限公司)
        (
            "参与竞拍星河锌铟股份有限公司8%股份",
            "竞拍星河锌铟股份有限公司",
            ["星河锌铟股份有限公司"],
        ),
    ],
)
def test_combine_model_span_repairs(shipped_rules, text, model_span, expected):
    from pipeline.orgs.combine import combine
    from pipeline.orgs.matchers import OrgMatchers

    matchers = OrgMatchers(shipped_rules, lambda s: s)
    start = text.index(model_span)
    out = combine(
        text,
        [(start, start + len(model_span), 0.9)],
        matchers,
        list(range(len(text))),
        support=lambda s, e: 0.9 if (s, e) == (start, start + len(model_span)) else 0.0,
    )
    assert [text[c.start : c.end] for c in out] == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # the model gives no support: a company suffix on a plausible name opening the
        # sentence before a trigger is enough (two rules agree) ...
        ("北辰科技涨停创历史新高", ["北辰科技"]),
        ("星河股份公告称将回购股份", ["星河股份"]),
        ("星河科技表示，公司上半年营收增长", ["星河科技"]),
        # ... a name without such a suffix is not (the position alone fits people too)
        ("张三丰公告称将回购股份", []),
        ("李小明表示，市场回暖", []),
    ],
)
def test_combine_shaped_subject_needs_no_model_support(shipped_rules, text, expected):
    from pipeline.orgs.combine import combine
    from pipeline.orgs.matchers import OrgMatchers

    matchers = OrgMatchers(shipped_rules, lambda s: s)
    out = combine(text, [], matchers, list(range(len(text))), support=lambda s, e: 0.0)
    assert [text[c.start : c.end] for c in out] == expected


def test_combine_gazetteer_name_glued_to_a_price_move(shipped_rules):
    # pkuseg cuts 高|盛涨|近|4%: the name ends inside a token, but a price move follows
    from pipeline.orgs.combine import combine
    from pipeline.orgs.matchers import OrgMatchers

    text = "美股收盘。高盛涨近4%，摩根大通跌1%。"
    starts = [0, 2, 4, 5, 6, 8, 9, 11, 12, 16, 18, 19]
    matchers = OrgMatchers(shipped_rules, lambda s: s)
    out = combine(text, [], matchers, starts, support=lambda s, e: 0.0)
    assert "高盛" in [text[c.start : c.end] for c in out]


@pytest.mark.parametrize(
    "text,expected",
    [
        # a Latin name keeps its legal word; a company description glued to it is none
        ("西门子股份公司（Siemens AG）宣布收购。", ["Siemens AG"]),
        ("星河软件收购美国工业软件公司Altair Engineering。", ["Altair Engineering"]),
        ("Marvell Technology和Arm Holdings股价上涨。", ["Marvell Technology", "Arm Holdings"]),
        # a full legal name is one ORG, also when it starts with a known short name
        # that a conjunction-like character begins (和硕)
        ("和碩聯合科技股份有限公司（和碩）公佈10月營收。", ["和碩聯合科技股份有限公司", "和碩"]),
        # a Japanese legal form, one word between a Latin name and its legal word, an
        # appointing verb before a name, a provincial department with 和 in its name
        (
            "丰田汽车（Toyota Motor Corporation）与本田技研工业株式会社宣布合作。",
            ["Toyota Motor Corporation", "本田技研工业株式会社"],
        ),
        ("該公司並委任安邁顧問有限公司為獨立顧問。", ["安邁顧問有限公司"]),
        (
            "星河芯片与Astera Labs, Inc.及Credo Technology Group Holding Ltd宣布合作。",
            ["Astera Labs, Inc.", "Credo Technology Group Holding Ltd"],
        ),
        ("浙江省经济和信息化厅发文。", ["浙江省经济和信息化厅"]),
        # the exchange and the ticker in a code bracket are no organisations
        ("超微电脑（NASDAQ: SMCI）收到通知，戴尔科技（NYSE: DELL）受益。", []),
    ],
)
def test_pipeline_latin_names_and_code_brackets(nlp, text, expected):
    """Through the whole pipeline (the match form is folded and lower-cased)."""
    orgs = [e.text for e in nlp(text).ents if e.label_ == "ORG"]
    assert all(name in orgs for name in expected), orgs
    assert not {"NASDAQ", "NYSE", "SMCI", "DELL", "Siemens", "美国工业软件公司"} & set(orgs)


def test_pipeline_unnamed_company_after_an_indefinite_determiner(nlp):
    doc = nlp("香港大學亦宣佈與一家本地生物科技公司合作開發新藥。")
    assert [e.text for e in doc.ents if e.label_ == "ORG"] == ["香港大學"]
