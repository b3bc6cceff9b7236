"""Segment, metric and anaphor mentions found by the character-level rules."""

from __future__ import annotations

import pytest

from pipeline.relations import mentions
from pipeline.relations.document import DocView
from pipeline.relations.mentions import MentionFinder, segment_key
from pipeline.relations.textnorm import normalize

from .rel_helpers import make_ents


def _view(lexicons, text, orgs=()):
    # the linker's own normalisation: the lexicons' traditional -> simplified table
    view = DocView(text, normalize(text, lexicons.table), make_ents(text, orgs))
    MentionFinder(lexicons).annotate(view)
    view.index()
    return view


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("其中生成式AI业务收入24.04亿元。", ["生成式AI"]),
        (
            "收入来自生成式AI、视觉AI（传统AI）、智能汽车（绝影）三个板块。",
            ["生成式AI", "视觉AI（传统AI）", "智能汽车（绝影）"],
        ),
        ("“手机×AIoT”分部收入为1000亿元。", ["手机×AIoT"]),
        ("海外市场收入增长20%。", ["海外市场"]),
        ("云智能集团收入296亿元。", ["云智能集团"]),
        ("智能汽车业务承压，其智能汽车收入2.56亿元。", ["智能汽车", "智能汽车"]),
        ("分业务看，住宿预订营业收入54亿元。", ["住宿预订"]),
        ("公司主营业务收入100亿元。", []),
        ("在香港上市的公司。", []),
        # one character before the cue is no name: the name keeps the first suffix word
        ("新业务分部收入242亿元。", ["新业务"]),
        ("公司新业务收入增长20%。", ["新业务"]),
        ("主品牌销量下降5.0%。", ["主品牌"]),
        ("按渠道划分，电商渠道收入占比31%。", ["电商"]),
        ("海外业务收入增长12.6%，其中南亚市场增长超过25%。", ["海外", "南亚市场"]),
        # the name length limit never cuts a Latin word
        ("其中，Reality Labs部门运营亏损49.7亿美元。", ["Reality Labs部门"]),
        # an accounting basis before a metric is no segment
        ("全年非美国通用会计准则运营利润为28亿元。", []),
        # the one example of 等业务 is a segment; a numeral list without items is none
        ("手机部件及组装等业务收入1597亿元。", ["手机部件及组装"]),
        ("集团三大板块收入合计100亿元。", []),
        # a list before one suffix or metric is one segment per item (、 before the last
        # item, or 和 with 分别 after), not one long name
        (
            "分业务看,光伏玻璃、浮法玻璃和工程玻璃业务收入分别为8亿元、5亿元和2亿元。",
            ["光伏玻璃", "浮法玻璃", "工程玻璃"],
        ),
        ("分产品看，米醋、料酒和鸡精分别实现收入7亿元、4亿元和3亿元。", ["米醋", "料酒", "鸡精"]),
        ("公司锂电和光伏业务收入分别为12亿元和8亿元。", ["锂电", "光伏"]),
        # without 分别 an inner 和 stays part of one name
        ("公司锂电和光伏业务收入为20亿元。", ["锂电和光伏"]),
        ("公司锂电及光伏业务的收入分别为12亿元及8亿元。", ["锂电", "光伏"]),
        # consolidated figures name no segment; a time word ends a name
        ("2024年第三季度合併營收約新台幣7,596.9億元。", []),
        ("2024年上半年智能座舱营业收入为3亿元。", ["智能座舱"]),
        ("新兴业务收入7.88亿元。", ["新兴"]),
        # a market sector, and associates, are no segments
        ("港股新能源汽车板块上半年累计上涨约30%。", []),
        ("集团连同合营、联营公司共实现合同销售金额2826亿元。", []),
        ("公司本季度智能座舱营业收入为3亿元。", ["智能座舱"]),
    ],
)
def test_mentions_segments(lexicons, text, segments):
    view = _view(lexicons, text)
    assert [m.text for m in view.segments] == segments


@pytest.mark.parametrize(
    ("text", "metrics"),
    [
        ("毛利16.2亿元，毛利率为42.9%。", [("毛利", "gross_profit"), ("毛利率", "gross_margin")]),
        ("股東應佔溢利為384.0億港元。", [("股東應佔溢利", "net_profit")]),
        (
            "经调整EBITDA亏损收窄42.3%。",
            [("经调整EBITDA", "adjusted_ebitda"), ("亏损", "net_loss")],
        ),
        ("归母净利润93.74亿元。", [("归母净利润", "net_profit")]),
        ("股東應佔盈利2227億元。", [("股東應佔盈利", "net_profit")]),
        ("平均每日成交金额为1318亿港元。", [("平均每日成交金额", "turnover")]),
        (
            "Non-GAAP净利润139.4亿元，运营亏损49.7亿美元。",
            [("Non-GAAP净利润", "adjusted_net_profit"), ("运营亏损", "operating_loss")],
        ),
        # 营收 must not match inside 经营收益 / 经营收入
        ("炼油板块经营收益18.5亿元。", [("经营收益", "operating_profit")]),
        (
            "稅後營運溢利66.05億美元，每股稅後營運溢利增長9%。",
            [
                ("稅後營運溢利", "operating_profit"),
                ("每股稅後營運溢利", "operating_profit_per_share"),
            ],
        ),
        # Taiwan wording: 純益 is net profit, 營業利益 operating profit
        (
            "稅後純益約新台幣800億元，營業利益率為40.5%，稅後純益率為35.1%。",
            [
                ("稅後純益", "net_profit"),
                ("營業利益率", "operating_margin"),
                ("稅後純益率", "net_margin"),
            ],
        ),
        (
            "營業利益120億元，經營溢利率為14.1%。",
            [("營業利益", "operating_profit"), ("經營溢利率", "operating_margin")],
        ),
        ("营业利润同比增长8%。", [("营业利润", "operating_profit")]),
        ("季度车辆交付量为15万辆。", [("车辆交付量", "deliveries")]),
        ("合同銷售金額為人民幣2,610.7億元。", [("合同銷售金額", "contract_sales")]),
        ("一年新业务价值为337.63亿元。", [("一年新业务价值", "new_business_value")]),
        (
            "归属于上市公司股东的扣除非经常性损益的净利润27.37亿元。",
            [("归属于上市公司股东的扣除非经常性损益的净利润", "net_profit_deducted")],
        ),
        (
            "股東應佔基本純利為15.18億港元，每股溢利為2.91港元。",
            [("股東應佔基本純利", "net_profit"), ("每股溢利", "eps")],
        ),
        # 订单 inside 合訂單位 is no metric
        (
            "末期分派每股股份合訂單位43.3港仙。",
            [("末期分派", "dividend_per_share"), ("每股股份合訂單位", "dividend_per_share")],
        ),
        (
            "首年保费为13.7亿元，物業收入淨額為107.59億港元，每基金單位分派為273.70港仙。",
            [
                ("首年保费", "premium_income"),
                ("物業收入淨額", "net_property_income"),
                ("每基金單位分派", "dividend_per_share"),
            ],
        ),
    ],
)
def test_mentions_metrics(lexicons, text, metrics):
    view = _view(lexicons, text)
    assert [(m.text, m.canonical) for m in view.metrics] == metrics


@pytest.mark.parametrize(
    ("text", "anaphors"),
    [
        ("智能云业务收入49亿元，该业务收入占比18.5%。", ["该业务"]),
        ("这是因为集团持续专注。", ["集团"]),
        ("子公司收入增长。", []),
        ("科技公司收入增长。", []),
    ],
)
def test_mentions_anaphors(lexicons, text, anaphors):
    view = _view(lexicons, text)
    assert [m.text for m in view.anaphors] == anaphors


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("生成式AI", "生成式ai"),
        ("“视觉AI（传统AI）”业务", "视觉ai"),
        ("海外市场", "海外"),
        ("云智能集团", "云智能集团"),
    ],
)
def test_mentions_segment_key(text, key):
    assert segment_key(text) == key


@pytest.mark.parametrize(
    ("text", "org"),
    [("云智能集团收入296亿元。", "云智能"), ("云智能集团收入296亿元。", "云智能集团")],
)
def test_mentions_known_unit_wins_over_org(lexicons, text, org):
    view = _view(lexicons, text, orgs=(org,))
    assert [m.text for m in view.segments] == ["云智能集团"]


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("房地产业务合约销售额2416亿元。", ["房地产"]),
        ("所有其他品牌收益106.78亿元。", ["所有其他"]),
        ("供应链及国际分部收入715.3亿元。", ["供应链及国际"]),
        ("LPCVD设备实现收入0.36亿元。", ["LPCVD设备"]),
    ],
)
def test_mentions_segment_names_keep_their_parts(lexicons, text, segments):
    view = _view(lexicons, text)
    assert [m.text for m in view.segments] == segments


def test_mentions_single_example_is_named_like_a_suffix_segment(lexicons):
    view = _view(lexicons, "手机部件及组装等业务收入1597亿元。")
    (segment,) = view.segments
    assert segment.source == "rule:segment.suffix"
    assert segment.extra["suffix"] == "业务"


def test_mentions_no_segment_in_the_total_of_a_share(lexicons):
    # 占服务收入比重: 服务 is the denominator's name, not a segment (neither found there
    # nor propagated there from an earlier 服务收入)
    from pipeline.relations.linker import Linker

    text = "星河电信服务收入3688亿元。产业数字化收入1046亿元，占服务收入比重提升至28.4%。"
    _, mentions = Linker(lexicons, None).link(text, [])
    starts = [m["start"] for m in mentions if m["type"] == "SEGMENT" and m["text"] == "服务"]
    assert text.index("占服务") + 1 not in starts


def _suffix_views(lexicons, texts_ents):
    """Views with metrics and cues found and the scan flags built (so that
    ``_suffix_segments`` takes its one-loop path wherever it can)."""
    finder = MentionFinder(lexicons)
    for text, ents in texts_ents:
        view = DocView(text, normalize(text, lexicons.table), ents)
        finder._find_metrics(view)
        finder._find_cues(view)
        view.__dict__["_scans"] = mentions._LOOP_SCANS
        assert finder._scan_flags(view) is not None
        yield finder, view


def _per_cue(finder, view, hits, in_metric):
    """The suffix segments cue by cue through ``_from_suffix`` (the definition)."""
    norm, out = view.norm, []
    for start, end in hits:
        if view.covered.find(1, start, end) != -1 or in_metric.find(1, start, end) != -1:
            continue
        if norm.startswith("链", end):
            continue
        out.extend(finder._from_suffix(view, start, norm[start:end]))
    return out


_SUFFIX_TEXTS = (
    "其中生成式AI业务收入24.04亿元，Reality Labs部门亏损，新业务分部收入增长。",
    "消费电池、动力电池和储能电池业务收入分别为1亿元、2亿元和3亿元。",
    "智联业务和能源业务收入增长， 云服务 业务收入、手机部件及组装等业务收入下降。",
    "第1分部业务收入1.5亿元，第2分部业务收入同比增长2.2%，智能汽车（绝影）业务亏损。",
    # one normalised name written in two ways (its canonical name follows the text)
    "雲端業務收入1亿元，云端业务收入2亿元，雲端業務收入3亿元，AI業務收入4亿元，ai业务收入5亿元。",
    # a space or list word before the cue, a space or conjunction at the name's start
    # (the tests _suffix_verdict makes of the name's text)
    "甲乙丙等业务增长，丁戊 业务下降，己庚两大板块，，及辛壬业务， 癸子业务，和丑寅分部， 卯辰 业务。",
    "期内，与甲乙业务、 丙丁 业务和戊己等板块收入分别增长，及 庚辛业务收入下降。",
)


def test_suffix_segments_equal_the_per_cue_rule(lexicons):
    from .test_pair_scorer import _ents, _records

    texts_ents = [(r["text"], _ents(r)) for s in ("train", "dev", "test") for r in _records(s)]
    texts_ents += [(t, make_ents(t, ())) for t in _SUFFIX_TEXTS]
    checked = 0
    for finder, view in _suffix_views(lexicons, texts_ents):
        hits = finder._suffix_hits(view.norm)
        in_metric = mentions._metric_cover(view)
        assert finder._suffix_segments(view, hits, in_metric) == _per_cue(
            finder, view, hits, in_metric
        ), view.text
        checked += len(hits)
    assert checked > 100


def test_half_width_stop_patterns_equal_their_lookbehind_first_form():
    """The full-stop patterns test the character before the stop after matching it (a
    pattern that starts with a character scans faster); the matches are the same."""
    import re

    from pipeline.relations import document

    from .test_pair_scorer import _records

    texts = [r["text"] for s in ("train", "dev", "test") for r in _records(s)]
    texts += [".开头", "a.", "37.51亿元.分行业看", "300124.SZ", "Inc. 公司", "%.", ").", "。.", "."]
    pairs = [
        (re.compile(r"(?<![0-9A-Za-z])\."), mentions._HALF_WIDTH_STOP_RE),
        (
            re.compile(r"(?<![\x00-\x24\x26-\x28\x2a-\x7f])\.(?![0-9A-Za-z])"),
            re.compile(document._HALF_WIDTH_STOP),
        ),
    ]
    for text in texts:
        for before, after in pairs:
            assert [m.span() for m in before.finditer(text)] == [
                m.span() for m in after.finditer(text)
            ], text


def test_clause_pattern_equals_its_alternation_form():
    """``document._CLAUSE_RE`` is one character class with the half-width stop's tests
    after it (a first-character set the engine skips to); it matches what the plain
    alternation ``[breaks]|<_HALF_WIDTH_STOP>`` matches."""
    import re

    from pipeline.relations import document

    from .test_pair_scorer import _records

    texts = [r["text"] for s in ("train", "dev", "test") for r in _records(s)]
    texts += [".开头", "a.", "37.51亿元.分行业看", "300124.SZ", "Inc. 公司", "%.", ").", "。.", "."]
    texts += ["中.a", "中..", "中.。", "x，1", "；.5", "!.\n"]
    breaks = "".join(sorted(document.CLAUSE_BREAKS))
    plain = re.compile("[" + re.escape(breaks) + "]|" + document._HALF_WIDTH_STOP)
    for text in texts:
        assert [m.span() for m in plain.finditer(text)] == [
            m.span() for m in document._CLAUSE_RE.finditer(text)
        ], text


def test_suffix_hits_equal_the_overlapping_lookahead(lexicons):
    """One hit per start (the longest cue there), as an overlapping lookahead finds them
    (the one scan where no cue found may hold another's start, else a search per cue)."""
    import re

    from .test_pair_scorer import _records

    finder = mentions.MentionFinder(lexicons)
    words = sorted(lexicons.segments["suffix"], key=lambda w: (-len(w), w))
    overlapping = re.compile("(?=(" + mentions._trie_pattern(words) + "))")
    texts = [r["text"] for s in ("train", "dev", "test") for r in _records(s)]
    texts += [*_SUFFIX_TEXTS, "房地产业务", "业务业务板块", "产业产业链", ""]
    # cues that hold another cue's start (the search from every cue) and that do not
    # (the one scan): next to each other, nested, at the text's ends
    texts += ["事业群业务分部", "业务分部业务板块业务", "分部业务分部", "事业部门", "业务分部"]
    for text in texts:
        norm = normalize(text, lexicons.table)
        spans = [m.span(1) for m in overlapping.finditer(norm)]
        assert finder._suffix_hits(norm) == _resolve_overlaps(spans), text


def _resolve_overlaps(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Of two overlapping cues the one ending later wins (the rule of ``_suffix_hits``)."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda h: (-h[1], h[0])):
        if all(end <= a or b <= start for a, b in kept):
            kept.append((start, end))
    return sorted(kept)


def test_dedupe_equals_the_longest_first_pass():
    """``_dedupe`` returns a list without overlaps as it is (sorted); it equals the
    longest-first pass on random lists, overlapping and empty spans included."""
    import random

    from pipeline.relations.document import Mention

    def reference(items: list[Mention]) -> list[Mention]:
        occupied: set[int] = set()
        kept = []
        by_start = sorted(items, key=lambda m: m.start)
        for m in sorted(by_start, key=lambda m: m.start - m.end):
            if occupied.isdisjoint(range(m.start, m.end)):
                occupied.update(range(m.start, m.end))
                kept.append(m)
        return sorted(kept, key=lambda m: m.start)

    rng = random.Random(7)
    # shortest 0: empty spans (the pass over the whole list); shortest 1: the runs of
    # overlapping mentions decided one by one (lone mentions, pairs, longer runs)
    for shortest, most in ((0, 8), (1, 8), (1, 40)):
        for _ in range(2000):
            items = []
            for _ in range(rng.randint(1, most)):
                start = rng.randint(0, 4 * most)
                items.append(Mention(start, start + rng.randint(shortest, 6), "", "SEGMENT"))
            got = mentions._dedupe(items)
            assert [id(m) for m in got] == [id(m) for m in reference(items)]


def test_scan_loop_equals_the_loop_over_the_full_stop_flags(lexicons):
    """The name scan's character loop builds the stop flags only where a stop word may
    end; it stops where the loop over the paragraph's full flags stops."""
    from .test_pair_scorer import _ents, _records

    finder = MentionFinder(lexicons)

    def reference(view: DocView, end: int, lowest: int) -> int:
        norm, stop_end = view.norm, finder._stop_ends(view)
        j = end - 1
        while j >= lowest:
            ch = norm[j]
            if ch in ("）", ")"):
                k = max(norm.rfind("（", 0, j), norm.rfind("(", 0, j))
                if k < lowest or k < 0:
                    break
                j = k - 1
                continue
            if ch in mentions._NAME_BREAKS or view.covered[j]:
                break
            if ch == "." and (j == 0 or not mentions._is_ascii_alnum(norm[j - 1])):
                break
            code = stop_end[j]
            if code:
                if code == 2 and j < end - 1:
                    if norm.endswith(finder.suffix_words, max(0, j - mentions._MAX_SUFFIX_WORD), j):
                        break
                    j -= 1
                    continue
                break
            j -= 1
        return j

    records = [r for s in ("train", "dev", "test") for r in _records(s)]
    checked = 0
    for text, ents in [(r["text"], _ents(r)) for r in records]:
        norm = normalize(text, lexicons.table)
        for end in range(1, len(text) + 1):
            lowest = max(0, end - mentions._MAX_NAME)
            view = DocView(text, norm, list(ents))  # fresh: no flags built yet
            got = finder._scan_loop(view, end, lowest, True)
            assert got == reference(view, end, lowest), (text, end)
            checked += 1
    assert checked > 10000


# Paragraphs with more names than _propagate reads without its first-character test:
# names repeated outside their first mentions, names only where found, an alias.
_MANY_NAMES_TEXTS = (
    "第1分部业务收入1亿元，第2分部业务收入2亿元，第3分部业务收入3亿元，第4分部业务收入4亿元，"
    "第5分部业务收入5亿元，此后第2分部收入增长，第5分部收入下降。",
    "甲业务、乙业务、丙业务、丁业务、戊业务收入增长，其中丙收入1亿元，戊收入2亿元。",
    "收入来自生成式AI、视觉AI（传统AI）、智能汽车（绝影）三个板块，绝影收入1亿元，"
    "海外市场收入增长20%，港澳业务收入下降，智能汽车收入2.56亿元。",
)


def test_propagate_first_character_test_changes_nothing(lexicons, monkeypatch):
    """``_propagate`` with and without the first-character test (which drops names
    occurring only inside mentions) finds the same segments on every paragraph."""
    from .test_pair_scorer import _ents, _records

    texts_ents = [(r["text"], _ents(r)) for s in ("train", "dev", "test") for r in _records(s)]
    texts_ents += [(t, make_ents(t, ())) for t in _MANY_NAMES_TEXTS]
    finder = MentionFinder(lexicons)

    def segments(few_names: int) -> list[list[tuple]]:
        monkeypatch.setattr(mentions, "_FEW_NAMES", few_names)
        out = []
        for text, ents in texts_ents:
            view = DocView(text, normalize(text, lexicons.table), list(ents))
            finder.annotate(view)
            out.append([(m.start, m.end, m.text, m.canonical, m.source) for m in view.segments])
        return out

    always, never = segments(0), segments(10**9)
    assert always == never
    assert sum(map(len, always)) > 100


def test_scan_flags_equal_the_loops_over_each_kind(lexicons):
    """The scan flags (stop codes split and merged at C level, the keep words and
    brackets searched only where present) equal the flags set position by position."""
    import re

    from .test_pair_scorer import _ents, _records

    finder = MentionFinder(lexicons)

    def reference(view: DocView) -> tuple[bytearray, bytearray]:
        norm = view.norm
        stop_end = bytearray(len(norm))
        for m in finder.stop_scan.finditer(norm):
            stop_end[m.end() - 1] = 2 if m.group() in mentions._CONJUNCTIONS else 1
        for word in finder.keeps:
            for k in range(len(norm)):
                if norm.startswith(word, k):
                    stop_end[k : k + len(word)] = bytes(len(word))
        hard, special = bytearray(view.covered), bytearray(len(norm))
        for k, ch in enumerate(norm):
            if ch in mentions._NAME_BREAKS or stop_end[k] == 1:
                hard[k] = 1
            if ch in ")）" or stop_end[k] == 2:
                special[k] = 1
        for m in re.finditer(r"\.", norm):
            if m.start() == 0 or not mentions._is_ascii_alnum(norm[m.start() - 1]):
                hard[m.start()] = 1
        return hard, special

    texts_ents = [(r["text"], _ents(r)) for s in ("train", "dev", "test") for r in _records(s)]
    crafted = (
        *_SUFFIX_TEXTS,
        "在线业务和其他业务（含显示器）收入增长，以上均为大中华区对公业务。a.b. .c",
        "公司及相关方表示，(甲）乙业务与丙业务",
        "",
    )
    texts_ents += [(t, make_ents(t, ())) for t in crafted]
    for text, ents in texts_ents:
        view = DocView(text, normalize(text, lexicons.table), list(ents))
        view.__dict__["_scans"] = mentions._LOOP_SCANS
        assert finder._scan_flags(view) == reference(view), text


def test_metric_cover_marked_by_find_metrics_equals_a_fresh_one(lexicons) -> None:
    """_find_metrics marks the metrics' characters as it finds them: the same array as
    _metric_cover builds from the finished list."""
    finder = MentionFinder(lexicons)
    for text in (*_SUFFIX_TEXTS, "毛利率为30%，营业收入增长10%，净利润下降"):
        view = DocView(text, normalize(text, lexicons.table), make_ents(text, ()))
        finder.annotate(view)
        marked = view.__dict__.pop("_metric_cover")
        assert marked == mentions._metric_cover(view), text
