"""Rule matchers: gazetteer (incl. traditional characters), stock codes, lists, suffixes."""

from __future__ import annotations

import re

import pytest

from pipeline.orgs.features import Normaliser
from pipeline.orgs.matchers import (
    RULE_GAZETTEER,
    RULE_LIST,
    NameScanner,
    OrgMatchers,
    names_pattern,
)


@pytest.fixture(scope="module")
def matchers(shipped_rules):
    return OrgMatchers(shipped_rules, Normaliser(shipped_rules.trad_simp, collapse_digits=False))


def _fold(matchers, text):
    return matchers.fold(text)


@pytest.mark.parametrize(
    "text,surface,canonical",
    [
        ("商汤集团发布业绩", "商汤集团", "商汤集团"),
        ("商湯集團發布業績", "商湯集團", "商汤集团"),
        ("客户包括宁波银行", "宁波银行", "宁波银行"),
        ("ＮＶＩＤＩＡ股价上涨", "ＮＶＩＤＩＡ", "英伟达"),
    ],
)
def test_matchers_gazetteer_finds_names(matchers, text, surface, canonical):
    found = [
        (text[m.start : m.end], m.canonical) for m in matchers.gazetteer(_fold(matchers, text))
    ]
    assert (surface, canonical) in found


@pytest.mark.parametrize("text", ["AMDX公司", "Metaverse概念", "3600点"])
def test_matchers_gazetteer_respects_ascii_word_boundaries(matchers, text):
    assert all(m.rule == RULE_GAZETTEER for m in matchers.gazetteer(_fold(matchers, text)))
    found = [text[m.start : m.end] for m in matchers.gazetteer(_fold(matchers, text))]
    assert not any(name in found for name in ("AMD", "Meta", "360"))


@pytest.mark.parametrize(
    "text,bracket,canonical",
    [
        ("商汤集团(HKG: 0020)发布公告", "(HKG: 0020)", "商汤集团"),
        ("星河电气（003999.SZ）公告", "（003999.SZ）", None),  # a code no gazetteer lists
        ("腾讯控股(00700.HK)涨2%", "(00700.HK)", "腾讯控股"),
        # ticker.exchange: the gazetteer's code gives the canonical name
        ("新东方（EDU.NYSE）公布业绩", "（EDU.NYSE）", "新东方"),
        ("英伟达(NASDAQ: NVDA)", "(NASDAQ: NVDA)", "英伟达"),
        ("星河电气（SZ003998，股价10.2元）", "（SZ003998，", None),
    ],
)
def test_matchers_stock_codes(matchers, text, bracket, canonical):
    codes = matchers.stock_codes(_fold(matchers, text))
    assert [(text[s:e], c) for s, e, c in codes] == [(bracket, canonical)]


@pytest.mark.parametrize(
    "text", ["增长(2024)", "见(图1)", "(约30%)", "（002735，股价10元）", "（SZ，股价）"]
)
def test_matchers_stock_codes_ignore_other_brackets(matchers, text):
    assert matchers.stock_codes(_fold(matchers, text)) == []


@pytest.mark.parametrize(
    "text,items",
    [
        ("客户包括星河科技、北辰证券、东岳控股等；", ["星河科技", "北辰证券", "东岳控股"]),
        ("合作伙伴包括：甲乙公司、丙丁集团。", ["甲乙公司", "丙丁集团"]),
    ],
)
def test_matchers_list_context_items(matchers, text, items):
    found = [text[m.start : m.end] for m in matchers.list_items(_fold(matchers, text))]
    assert found == items
    assert all(m.rule == RULE_LIST for m in matchers.list_items(_fold(matchers, text)))


@pytest.mark.parametrize("text,expected", [("他看好星河银行", "星河银行")])
def test_matchers_suffix_pattern(matchers, text, expected):
    starts = [0, 1, 3, 5]  # 他|看好|星河|银行
    found = [text[m.start : m.end] for m in matchers.suffixes(_fold(matchers, text), starts)]
    assert expected in found


@pytest.mark.parametrize(
    "text,expected",
    [
        ("光学元件厂商瑞声科技", "瑞声科技"),
        ("酒店集团华住集团", "华住集团"),
        ("中金公司", "中金公司"),
        ("中国移动通信集团公司", "中国移动通信集团公司"),
        # a descriptor next to a bracket is a word of a legal name
        ("星河酒厂（集团）有限责任公司", "星河酒厂（集团）有限责任公司"),
        ("星河酒店集团（北京）有限公司", "星河酒店集团（北京）有限公司"),
        # a descriptor followed only by legal words is part of the legal name
        ("佳兆业集团控股有限公司", "佳兆业集团控股有限公司"),
    ],
)
def test_matchers_descriptor_trimming(matchers, text, expected):
    form = _fold(matchers, text)
    assert text[matchers.trim_descriptor(form, 0, len(text)) :] == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("星河电气：签订重大合同", ["星河电气"]),
        ("星河电气公告，预计上半年净利增长", ["星河电气"]),
        ("他说。北辰科技(300001)昨日晚间公告", ["北辰科技"]),
        ("记者：今天市场上涨", []),
        ("公司公告称收入增长", []),
        ("数据显示，收入增长", []),
        ("星河置地2024年综合营业额增长", ["星河置地"]),
        ("北辰國際2024財年收入", ["北辰國際"]),
        ("6月23日，星河科技宣布回购", ["星河科技"]),
        ("公司2024年收入增长", []),
        ("收入2024年增长", []),
        # an analyst speaking (pronoun) is no company; 我爱我家 starts with 我 and is one
        ("我们预计公司2024年归母净利润为121亿元", []),
        ("我们上调公司2025年收入预测", []),
        ("我爱我家2024年营收增长", ["我爱我家"]),
        # a relative period after the name is no part of it
        ("星河科技今年上半年营收增长", ["星河科技"]),
        ("Apple今年第一财季营收1243亿美元", ["Apple"]),
        # 公佈 (traditional) is 公布
        ("長和公佈全年業績", ["長和"]),
        # the company's own board or management opening a sentence is no name
        ("董事會宣派中期股息每股0.57港元", []),
        ("管理层预计全年收入增长", []),
        ("公司董事会同时审议通过了中期分红方案", []),
    ],
)
def test_matchers_sentence_subjects(matchers, text, expected):
    found = [text[m.start : m.end] for m in matchers.subjects(_fold(matchers, text))]
    assert found == expected


# ------------------------------------------------------------------ many names (listed companies)


def _alternation(names):
    """The plain longest-first alternation the scanner replaces (the reference)."""
    return re.compile("|".join(map(re.escape, sorted(set(names), key=lambda s: (-len(s), s)))))


@pytest.mark.parametrize(
    "names,text",
    [
        (
            ["中国平安", "中国", "平安银行", "平安"],
            "中国平安银行与平安银行",
        ),  # leftmost, then longest
        (["星河", "星河科技", "科技"], "星河科技科技星河星"),
        (["商", "商汤", "汤"], "商汤汤商x商"),  # one-character names
        (["ab", "abc", "b"], "abcabab"),
        (["a-b", "]x", "x"], "a-b]xx-"),  # regex metacharacters are literal
        (["星河"], ""),
        (["星河"], "星"),
        (["河"], "星河"),  # a one-character name at the very end
    ],
)
def test_matchers_name_scanner_equals_alternation(names, text):
    expected = [(m.start(), m.end()) for m in _alternation(names).finditer(text)]
    assert list(NameScanner(names).finditer(text)) == expected


@pytest.mark.parametrize("names", [[], [""]])
def test_matchers_name_scanner_without_names_finds_nothing(names):
    scanner = NameScanner(names)
    assert not scanner and list(scanner.finditer("星河科技")) == []


@pytest.mark.parametrize(
    "names,expected",
    [
        (["ab", "abc"], "ab(?:c)?"),
        (["星河", "星海"], "星(?:河|海)"),
        ([""], ""),
    ],
)
def test_matchers_names_pattern_is_a_trie(names, expected):
    assert names_pattern(names) == expected


@pytest.mark.parametrize(
    "text,surface,canonical,weak",
    [
        ("欣旺达发布公告", "欣旺达", "欣旺达", False),
        ("三一重工上半年营收增长", "三一重工", "三一重工", False),
        ("香飘飘与固德威股价上涨", "固德威", "固德威", False),
        ("台積電擴產", "台積電", "台积电", False),
        ("绿地控股销售额下降", "绿地控股", "绿地控股", False),
        ("小区绿地面积扩大", "绿地", "绿地控股", True),  # a weak alias is marked weak
    ],
)
def test_matchers_gazetteer_listed_companies(matchers, text, surface, canonical, weak):
    found = [
        (text[m.start : m.end], m.canonical, m.weak)
        for m in matchers.gazetteer(_fold(matchers, text))
    ]
    assert (surface, canonical, weak) in found


@pytest.mark.parametrize("text", ["欣旺达与三一重工", ""])
def test_matchers_gazetteer_repeated_call_gives_the_same(matchers, text):
    form = _fold(matchers, text)
    first = matchers.gazetteer(form)
    first.append(None)  # the caller may change its list: the kept result is not affected
    assert matchers.gazetteer(form) == first[:-1]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("和邦生物(603077)公告", "和邦生物"),  # 和 opens the sentence: part of the name
        ("公告称，与星河科技(600001)签约", "星河科技"),  # 与 joins: not part of the name
        ("另据星海电子(600002)公告", "星海电子"),
    ],
)
def test_matchers_name_before_stock_code(matchers, text, name):
    end = text.index("(")
    start = matchers.name_before(text, end, list(range(len(text))), limit=16)
    assert text[start:end] == name


@pytest.mark.parametrize(
    "text,expected",
    [
        # a discourse opener and a day adverb between name and trigger are no part of it
        ("消息面上，星河科技昨日公告称预计上半年净利增长", ["星河科技"]),
        ("此外，北辰股份今日涨停", ["北辰股份"]),
        ("北辰股份涨停创历史新高", ["北辰股份"]),
        ("星河科技预计上半年净利润增长", ["星河科技"]),
        # a bracketed note between the name and its trigger
        ("恒达地产（香港联交所上市）公布，收益增长", ["恒达地产"]),
        # a two-character known name before a year (a weak alias: 博通 = Broadcom)
        ("博通2025财年第一季度营收增长", ["博通"]),
        ("星河预计，2025财年营收增长", ["星河"]),
        # an adverb between a market name and its move is no part of the name
        ("星海股指集体收跌1%", ["星海股指"]),
        # a quarter or a results metric right after the name
        ("星河科技第三财季营收增长", ["星河科技"]),
        ("星河药业净亏损收窄至1亿元", ["星河药业"]),
        ("星河保险新业务价值增长20%", ["星河保险"]),
        # an internal unit named 集团 before a metric is no company subject
        ("云智能集团收入增长", []),
        ("星河科技今日预计上半年净利润增长", ["星河科技"]),
    ],
)
def test_matchers_sentence_subjects_openers_and_moves(matchers, text, expected):
    found = [text[m.start : m.end] for m in matchers.subjects(_fold(matchers, text))]
    assert found == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "光伏概念股走强，星河能源、北辰股份、南海科技等跟涨",
            ["星河能源", "北辰股份", "南海科技"],
        ),
        ("白酒板块下跌，其中东山酒业、西岭酒业等跌幅居前", ["东山酒业", "西岭酒业"]),
        # futures and commodities use the same words: not companies
        ("商品期货普涨，焦煤、焦炭等跌幅居前", []),
        # a list with a figure in it is no list of names
        ("板块走强，星河能源、3只新股等跟涨", []),
        # one item is no list
        ("板块走强，星河能源等跟涨", []),
    ],
)
def test_matchers_stock_list_tails(matchers, text, expected):
    found = [
        text[m.start : m.end]
        for m in matchers.list_items(_fold(matchers, text))
        if m.rule == RULE_LIST
    ]
    assert found == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("化工板块走强，北辰控股涨超7%，星河能源一度涨停", ["北辰控股", "星河能源"]),
        ("概念股活跃，北辰股份大幅高开9.6%", ["北辰股份"]),
        ("概念股走低，南海科技跌近5%", ["南海科技"]),
        # futures, and a group of stocks (银行股), are no company
        ("国内商品期货普涨，焦煤涨超4%", []),
        ("银行板块走强，银行股涨超2%", []),
        # no stock context at all
        ("今日气温回升，最高温涨超5度", []),
    ],
)
def test_matchers_clause_movers(matchers, text, expected):
    found = [text[m.start : m.end] for m in matchers.clause_movers(_fold(matchers, text))]
    assert found == expected


@pytest.mark.parametrize(
    "name,strong",
    [
        ("爱玛科技", True),
        ("北辰股份", True),
        ("星河银行", True),
        ("星河汽车", False),
        ("星河药业", True),
        ("药业", False),
        ("科技", False),
    ],
)
def test_matchers_suffix_confidence(matchers, name, strong):
    assert (matchers.suffix_confidence(name) >= 0.8) is strong


@pytest.mark.parametrize(
    "text,expected",
    [
        ("据星河户外半年报，公司上半年营收增长", ["星河户外"]),
        ("上半年业绩向好。根据北辰科技公告，收入增长", ["北辰科技"]),
        ("据北辰股份最新年报，净利润增长", ["北辰股份"]),
        # generic words and data sources are no report source
        ("据公司公告，收入增长", []),
        ("据星海统计局数据，一季度增长", []),
    ],
)
def test_matchers_report_sources(matchers, text, expected):
    found = [text[m.start : m.end] for m in matchers.report_sources(_fold(matchers, text))]
    assert found == expected


def test_matchers_stock_list_tail_with_a_count(matchers):
    text = "光伏板块走高，星河能源、北辰股份、南海科技等十余股涨停"
    found = [text[m.start : m.end] for m in matchers.list_items(_fold(matchers, text))]
    assert found == ["星河能源", "北辰股份", "南海科技"]


@pytest.mark.parametrize(
    "text,name",
    [
        # a function character inside a short name opening the sentence (征和工业)
        ("星和工业(003033)晚间公告", "星和工业"),
        ("移为通信(300590)晚间披露半年报", "移为通信"),
        # ... but not a conjunction after other words (公司与|和邦生物)
        ("公司与和邦生物(603077)签署协议", "邦生物"),
    ],
)
def test_matchers_name_before_code_keeps_inner_function_char(matchers, text, name):
    form = _fold(matchers, text)
    end = text.index("(")
    start = matchers.name_before(form, end, [], 16)
    assert text[start:end] == name


@pytest.mark.parametrize(
    "text,expected",
    [
        ("维持星河医药“跑赢行业”评级，目标价45元", ["星河医药"]),
        ("首次覆盖北辰科技，给予“买入”评级", ["北辰科技"]),
        ("上调南海股份目标价至50元", ["南海股份"]),
        # parts of the note are no company
        ("维持公司盈利预测，给予“买入”评级", []),
        ("维持行业“推荐”评级", []),
        # a pronoun after the verb is no rated name
        ("摩根士丹利维持对其“增持”评级", []),
        ("维持该股“买入”评级", []),
    ],
)
def test_matchers_rating_targets(matchers, text, expected):
    found = [text[m.start : m.end] for m in matchers.rating_targets(_fold(matchers, text))]
    assert found == expected


def test_mainland_codes_never_meet_hong_kong_codes(matchers):
    """000700 (Shenzhen) is not 00700 (Hong Kong); a six-digit code keeps its zeros."""
    for text in (
        "示例科技（000700.SZ）公告",
        "示例科技（SZ000700，股价10元）",
        "示例科技（000700）公告",
    ):
        codes = matchers.stock_codes(_fold(matchers, text))
        assert len(codes) == 1 and codes[0][2] != "腾讯控股", text
    codes = matchers.stock_codes(_fold(matchers, "腾讯（0700.HK）"))
    assert [c for _, _, c in codes] == ["腾讯控股"]


@pytest.mark.parametrize(
    "text,token_cuts,expected",
    [
        # standard names holding 和/及, with the place written before them
        ("湖北省发展和改革委员会表示", [0, 3], ["湖北省发展和改革委员会"]),
        ("他表示将推动湖北省发展和改革委员会改革", [0, 1, 3, 4, 6, 9], ["湖北省发展和改革委员会"]),
        (
            "安徽省人民政府国有资产监督管理委员会持股",
            [0, 3, 7],
            ["安徽省人民政府国有资产监督管理委员会"],
        ),
        ("工业和信息化部表示", [0], ["工业和信息化部"]),
        ("環境及生態局宣布", [0], ["環境及生態局"]),
        ("澳門博彩監察協調局公布", [0, 2], ["澳門博彩監察協調局"]),
        ("公司发展和改革的方向", [0, 2], []),
        ("日本經濟產業省將提供補助", [0, 2], ["日本經濟產業省"]),
        (
            "上海交通大学医学院附属瑞金医院与华中科技大学同济医学院附属协和医院联合研究",
            [0],
            ["上海交通大学医学院附属瑞金医院", "华中科技大学同济医学院附属协和医院"],
        ),
    ],
)
def test_matchers_public_bodies(matchers, text, token_cuts, expected):
    found = matchers.public_bodies(_fold(matchers, text), token_cuts)
    assert [text[m.start : m.end] for m in found] == expected


def test_matchers_suffix_after_a_generic_word_is_no_name(matchers):
    text = "公告，公司控股子公司拟引入战略投资者"
    form = _fold(matchers, text)
    found = [text[m.start : m.end] for m in matchers.suffixes(form, list(range(len(text))))]
    assert "公司控股" not in found
    # a country before 银行 still names a bank (美国银行)
    text = "摩根大通涨2.98%，美国银行也涨0.72%"
    form = _fold(matchers, text)
    found = [text[m.start : m.end] for m in matchers.suffixes(form, [0, 4, 5, 10, 11, 13, 15, 16])]
    assert "美国银行" in found
