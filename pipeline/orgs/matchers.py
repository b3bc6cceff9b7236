"""Rule-based ORG candidates: gazetteer names, stock-code context, list context, suffixes.

All matching runs on the *match form* of the text (traditional -> simplified, full-width
ASCII folded, ASCII lower-cased; equal length), so offsets index the original text and
``商湯集團`` or ``ＳｅｎｓｅＴｉｍｅ`` match the simplified / ASCII gazetteer entries.
Character regexes are used rather than spaCy's token ``PhraseMatcher`` because pkuseg
often glues a name to its neighbour (``商汤集团收入``), which a token matcher cannot see.

Each match carries its rule id (used in ``Span._.source``) and a confidence; deciding
what to keep is the job of :mod:`pipeline.orgs.combine`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pipeline.orgs.rules import OrgRules

RULE_GAZETTEER = "gazetteer:org"
RULE_STOCK = "rule:org.stock_code"
RULE_LIST = "rule:org.list"
RULE_SUFFIX = "rule:org.suffix"
RULE_SUBJECT = "rule:org.subject"
RULE_RATING = "rule:org.rating"
RULE_PUBLIC_BODY = "rule:org.public_body"

# Government bodies whose standard names hold 和/及 or run long, so that neither the
# suffix walk nor the tagger gets them whole (湖北省发展和改革委员会, 安徽省人民政府国有资产
# 监督管理委员会, 环境及生态局), with an optional place in front.  Written in the match
# form (simplified).
# The place before a body: a province, city, district ... ending (湖北省, 杭州市), found
# on token edges; national prefixes are listed.
_GOV_PLACE_ENDS = ("省", "市", "区", "县", "州", "盟")
_GOV_NATIONAL = (
    "中华人民共和国", "国务院", "国家", "澳门特别行政区", "澳门",
    "日本", "韩国", "美国", "英国", "德国", "法国", "印度", "越南", "新加坡",
)  # fmt: skip
_GOV_BODY = (
    r"(?:发展和改革委员会|住房和城乡建设(?:部|厅|局|委员会)|人力资源和社会保障(?:部|厅|局)"
    r"|经济和信息化(?:厅|局|委员会)"
    r"|工业和信息化(?:部|厅|局)|国有资产监督管理委员会|自然资源和规划(?:局|委员会)"
    r"|文化和旅游(?:部|厅|局)|科学技术和信息化局|卫生健康委员会|市场监督管理(?:总局|局)"
    r"|地方金融监督管理局|金融监督管理(?:总局|局)"
    # Hong Kong and Macau policy bureaus and departments
    r"|环境及生态局|创新科技及工业局|财经事务及库务局|商务及经济发展局|运输及物流局"
    r"|劳工及福利局|民政及青年事务局|文化体育及旅游局|政制及内地事务局|医务卫生局"
    r"|公务员事务局|差饷物业估价署|入境事务处|地政总署|屋宇署|政府统计处|博彩监察协调局"
    # Japanese ministries (written 省)
    r"|经济产业省|财务省|外务省|总务省|厚生劳动省|国土交通省|文部科学省|农林水产省|防卫省"
    r"|环境省|法务省)"
)
_GOV_BODY_RE = re.compile(_GOV_BODY)
# A university's affiliated hospital, named whole (华中科技大学同济医学院附属协和医院):
# the tagger stops at the university.
_AFFILIATED_HOSPITAL_RE = re.compile(
    r"(?:(?!医院)[^\W\d_与和及在由对]){2,12}?大学(?:[\u4e00-\u9fff]{0,8}?(?:医学院|学院))?附属"
    r"[\u4e00-\u9fff]{0,8}?医院"
)
# The last characters of the names above: a text without any has no body to find.
_GOV_BODY_ENDS = ("局", "会", "部", "署", "处", "厅", "省")
# Where a sentence (or headline) starts: subjects are looked for right after these.
_SENTENCE_START = re.compile(
    r"(?:^|[。！？；;!?\n]|】)[\s\u3000“\"'【]*"
    # A leading date or time adverbial does not change who the subject is:
    # 6月23日，欣旺达公告… / 近日，星河科技宣布…
    r"(?:(?:\d{1,2}月\d{1,2}日|近日|日前|今日|昨日|今天|昨天)"
    r"(?:晚间|早间|上午|下午|晚|早)?[，,]\s*)?"
    # ... nor does a discourse opener (消息面上，爱玛科技昨日公告… / 此外，星河科技…)
    r"(?:(?:消息面上|消息面|消息方面|此外|另外|同时|与此同时|个股方面|个股上)[，,]\s*)?"
)
_YEAR_RE = re.compile(r"(?:19|20)\d{2}\s*(?:年|财年|财政年度)")
_REL_YEARS = ("今年", "去年", "明年", "前年", "本年", "上年", "本财年", "上财年")
# Results metrics that may follow a company name opening a sentence.
_OPENING_METRIC = re.compile(
    r"营业收入|营收|收入|收益|归母净利润|净利润|净利|净亏损|股东应占|毛利率|营业利润|经营利润"
    r"|营业额|新业务价值|保费收入|销量|交付量"
)
# Adverbs between a market name and a move (欧股集体|收跌, 国内商品期货多数|收涨): never
# the end of a name (also cut from model spans in pipeline/orgs/combine.py).
TRAILING_ADVERBS = (
    "集体", "多数", "普遍", "全线", "纷纷", "初步", "盘中", "大多",
    "则", "亦", "均",  # 任天堂…，万代南梦宫则实现… / 两家公司均…
)  # fmt: skip
# A verb between a name and a period trigger (星河科技预计上半年…) is no part of it.
_TRAILING_VERBS = ("预计", "预期", "预告", "计划", "拟", "将")
# Words before a suffix that refer to the company itself (公司|控股子公司, 本集团|控股…).
_SUFFIX_NOT_NAMES = frozenset({"公司", "本公司", "该公司", "集团", "本集团", "该集团", "其"})
# Bodies inside a company that open its announcements (董事会宣派…, 管理层预计…).
_BODY_STARTS = ("董事会", "董事局", "监事会", "股东大会", "管理层", "股东")
# A day adverb between a name and its trigger (爱玛科技昨日公告) is no part of the name.
_REL_DAYS = ("昨日", "今日", "近日", "日前", "今天", "昨天", "当日", "晚间", "早间", "盘中")
# A relative reporting period after a name (Apple今年第一财季营收…, 星河去年上半年…).
_REL_PERIOD_RE = re.compile(
    r"(?:今年|去年|本财年|上财年)(?:第?[一二三四1-4]季度|第[一二三四]财季|上半年|下半年|前三季度|全年)"
)
# A sentence opening with a pronoun (a closed class) has the speaker, not a name, as
# its subject: 我们预计公司…, 我司公告…, 他们认为….  Single characters (我/他) are left
# out: they start real names (我爱我家, 我乐家居).
_PRONOUN_STARTS = ("我们", "我司", "我国", "你们", "他们", "她们", "本报", "笔者")
_SUBJECT_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z·&\-]{1,11}")

# Characters that end a name when walking left from a suffix or a stock-code bracket.
_STOP_CHARS = set(
    "，。；：、！？,.;:!?\"'“”‘’（）()《》〈〉【】[]{}<> \t\n\u3000的在与和及了是为由向对将被把从据称于至到其该"
)
# Stop characters that are words, not punctuation (they may also begin a name).
_FUNCTION_CHARS = frozenset("的在与和及了是为由向对将被把从据称于至到其该")
_SENTENCE_BREAKS = frozenset('。；！？;!?\n\u3000 】”"')
# A bracketed stock code: exchange prefix and/or exchange suffix, or a 4-6 digit code.
# What follows a descriptor word inside one legal name (集团|控股有限公司): legal words only.
_LEGAL_TAIL_RE = re.compile(r"(?:控股|股份|有限|责任|集团|公司|国际)+")
_STOCK_RE = re.compile(
    r"[（(]\s*"
    r"(?:(?P<exch>hkg|hkex|sehk|hk|nasdaq|nyse|sz|sh|sse|szse|bj|港股|港交所|股票代码|证券代码|代码)\s*[:：]?\s*)?"
    r"(?P<code>[0-9]{4,6}|[a-z]{1,5})"
    r"(?P<suffix>\.(?:hk|sz|sh|ss|bj|us|nyse|nasdaq|n|o|oq|t|ks|tw))?"
    r"\s*(?P<close>[)）]|[，,；;](?=\s*(?:股价|收盘价|市值|现价|最新价)))"
)
_LIST_SEPARATORS = "、"
# Name endings that shape a sentence subject but are no suffix proposal (see
# OrgMatchers.suffix_confidence): (suffix, (confidence, max name characters)).
_SHAPE_SUFFIXES = tuple(
    (ending, (0.8, 6))
    for ending in (
        "股份", "药业", "制药", "医药", "能源", "电气", "化工", "材料", "重工", "实业",
        "传媒", "食品", "环保", "物流", "地产", "置业", "航空", "电力", "矿业", "钢铁",
    )
)  # fmt: skip
# Company endings that make <name><metric> a company: not 集团, since internal units
# are named so too (云智能集团收入… is a segment of its parent).
_METRIC_OPENING_ENDINGS = (
    *(e for e, _ in _SHAPE_SUFFIXES), "科技", "电子", "半导体", "银行", "证券", "保险", "汽车",
)  # fmt: skip
# The longest name opening a sentence before a stock code that may hold a function
# character (征和工业, 中和科技): A-share short names have at most 4-5 characters.
_MAX_OPENING_NAME = 6
# The function characters that also occur inside company names (征和, 万和, 移为通信).
_INNER_NAME_CHARS = frozenset("和为")
# Stock lists closed by a tail (A、B等跟涨): where the list may start, how long it may
# be, and the words that make a sentence about stocks rather than futures.
_LIST_OPENERS = "，。；;,！？!?\n：:（("
_MAX_STOCK_LIST = 80
_LIST_COUNT = r"(?:[0-9十百余多数几两一二三四五六七八九]+(?:只|股|家|个)?(?:个股)?)?"
# <clause start><name><price move>: 云图控股涨超7% / 金莱特一度跌停 (lazy name: the
# earliest move word ends it).
_CLAUSE_MOVER = re.compile(
    r"[，,]\s*(?P<name>\*?[\u4e00-\u9fffA-Za-z]{2,8}?)"
    r"(?:一度|盘中|早盘|午后|尾盘|今日|直线|大幅)?"
    r"(?:涨停|跌停|涨超|跌超|涨近|跌近|涨逾|跌逾|大涨|大跌|收涨|收跌|领涨|领跌|高开|低开)"
)
# 维持<name>“买入”评级 / 给予<name>目标价 / 首次覆盖<name> (lazy name).
_RATING_TARGET = re.compile(
    r"(?:(?:维持|给予|重申|上调|下调)(?:对)?(?P<name>[\u4e00-\u9fffA-Za-z]{2,8}?)"
    r"(?:[“\"「]|(?:的)?(?:投资评级|评级|目标价))"
    r"|首次覆盖(?P<name2>[\u4e00-\u9fffA-Za-z]{2,8}?)(?:[，,。；（(]|$))"
)
# Words that make a rated "name" a part of the note instead (维持公司盈利预测).
_RATING_NOT_NAME = ("公司", "预测", "盈利", "评级", "目标", "观点", "推荐", "行业", "板块")
# ... and first characters of a pronoun or preposition, never of the rated name.
_RATING_NOT_START = ("其", "对", "该", "此", "本")
# 据<name>半年报 / 根据<name>公告 (lazy name: the earliest report word ends it).
_REPORT_SOURCE = re.compile(
    r"(?:^|(?<=[。！？；;!?\n，,]))\s*(?:据|根据)(?P<name>[\u4e00-\u9fffA-Za-z]{2,8}?)"
    r"(?:最新|发布的|披露的|公布的)?"
    r"(?:半年报|半年度报告|年报|年度报告|财报|季报|一季报|三季报|中报|业绩快报|业绩预告|公告)"
)
_STOCK_CONTEXT = ("股", "板块", "概念", "涨停", "跌停")
_FUTURES_CONTEXT = ("期货", "期指", "合约", "期铜", "期铝", "期锌", "期镍", "期金")
_LIST_END = re.compile(r"等|，|。|；|;|,|！|？|\n|以及|及其")


@dataclass(frozen=True)
class RuleMatch:
    """One rule proposal in character offsets of the original text."""

    start: int
    end: int
    rule: str
    confidence: float
    canonical: str | None = None
    weak: bool = False


class NameScanner:
    """Leftmost-longest, non-overlapping matches of many literal names (gazetteer).

    Gives exactly what ``re.finditer`` over the longest-first alternation ``A|B|C``
    gave, at a cost that hardly grows with the number of names: ``re`` tries the
    alternatives of a pattern one after another at every position, so with thousands
    of listed companies the alternation (even factored into a trie) became the
    slowest part of the ORG stage.  Here one character-class regex finds the positions
    whose character can start a name and whose next character can follow it (two
    class tests per position, in C); each such position is looked up by its first two
    characters in a dict, and only names with that prefix are tried, by one small
    compiled trie of their remainders (longest first).  One-character names are a set.
    """

    def __init__(self, names: Iterable[str]) -> None:
        names = [n for n in names if n]
        by_prefix: dict[str, list[str]] = {}
        for name in names:
            if len(name) >= 2:
                by_prefix.setdefault(name[:2], []).append(name[2:])
        self._single = frozenset(n for n in names if len(n) == 1)
        # prefix -> trie of the remainders (it may match the empty string), compiled on
        # first use (most prefixes never occur in a batch: loading stays fast); None:
        # the prefix itself is the only name.
        self._tails: dict[str, re.Pattern[str] | str | None] = {}
        for prefix, tails in by_prefix.items():
            self._tails[prefix] = names_pattern(tails) or None
        alternatives = []
        if by_prefix:
            firsts = _char_class(p[0] for p in by_prefix)
            seconds = _char_class(p[1] for p in by_prefix)
            alternatives.append(f"{firsts}(?={seconds})")
        if self._single:
            alternatives.append(_char_class(self._single))
        self._candidates = re.compile("|".join(alternatives)) if alternatives else None

    def __bool__(self) -> bool:
        return self._candidates is not None

    def finditer(self, text: str) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of each match, left to right, never overlapping."""
        if self._candidates is None:
            return
        tails = self._tails
        single = self._single
        pos = 0
        for cand in self._candidates.finditer(text):
            i = cand.start()
            if i < pos:
                continue
            prefix = text[i : i + 2]
            if prefix in tails:
                tail = tails[prefix]
                if tail is None:
                    pos = i + 2
                    yield i, pos
                    continue
                if isinstance(tail, str):
                    tail = tails[prefix] = re.compile(tail)
                m = tail.match(text, i + 2)
                if m is not None:
                    pos = m.end()
                    yield i, pos
                    continue
            if text[i] in single:
                pos = i + 1
                yield i, pos


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(ch) for ch in sorted(set(chars))) + "]"


def names_pattern(names: Iterable[str]) -> str:
    """A regex matching the longest of ``names`` at a position, written as a trie
    (``中国(?:平安|人寿)``): at every node the longer continuations are tried before
    stopping there (a greedy optional group), and all names matching at one position
    lie on one path of the trie, so the match is the longest name.  An empty name
    makes the whole pattern optional (it may match the empty string)."""
    root: dict = {}
    for name in names:
        node = root
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}  # end-of-name marker (no name character is empty)
    return _trie_pattern(root)


def _trie_pattern(node: dict) -> str:
    branches = [re.escape(ch) + _trie_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a name may end here: try the longer ones first, then stop
        return "(?:" + body + ")?"
    return body


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class OrgMatchers:
    """Compiled rule matchers built from validated :class:`OrgRules`."""

    def __init__(self, rules: OrgRules, fold) -> None:
        self.rules = rules
        self.fold = fold  # text -> equal-length match form
        self.name_to_entry: dict[str, tuple[str, bool]] = {}
        self.code_to_canonical: dict[str, str] = {}
        for entry in rules.gazetteer:
            for name in (entry.canonical, *entry.aliases):
                self.name_to_entry[fold(name)] = (entry.canonical, False)
            for name in entry.weak_aliases:
                self.name_to_entry.setdefault(fold(name), (entry.canonical, True))
            for code in entry.codes:
                self.code_to_canonical[_code_key(code)] = entry.canonical
                if "." in code:
                    self.code_to_canonical.setdefault(
                        _code_key(code.partition(".")[0]), entry.canonical
                    )
        self._names = NameScanner(list(self.name_to_entry))
        self._last_gazetteer: tuple[str, tuple[RuleMatch, ...]] | None = None
        suffixes = sorted((fold(s) for s in rules.suffixes), key=lambda s: (-len(s), s))
        self._suffix_conf = {fold(s): v for s, v in rules.suffixes.items()}
        self._suffix_re = re.compile("|".join(map(re.escape, suffixes))) if suffixes else None
        triggers = sorted((fold(t) for t in rules.triggers), key=lambda s: (-len(s), s))
        self._trigger_conf = {fold(t): c for t, c in rules.triggers.items()}
        self._trigger_re = re.compile("|".join(map(re.escape, triggers))) if triggers else None
        tails = sorted((fold(t) for t in rules.list_tails), key=lambda s: (-len(s), s))
        self._tail_conf = {fold(t): c for t, c in rules.list_tails.items()}
        # 等十余股涨停 / 等5只个股跟涨: a count may stand between 等 and the tail word
        self._tail_re = (
            re.compile(
                "|".join(
                    f"(?P<t{i}>等{_LIST_COUNT}{re.escape(t[1:])})"
                    if t.startswith("等")
                    else f"(?P<t{i}>{re.escape(t)})"
                    for i, t in enumerate(tails)
                )
            )
            if tails
            else None
        )
        self._tail_by_group = {f"t{i}": t for i, t in enumerate(tails)}
        self.exclusions = {fold(x) for x in rules.exclusions}
        # Longest first, so 控股股东 is tried before 股东 (pipeline/orgs/context.py).
        self.leading_words = tuple(
            sorted({fold(w) for w in rules.leading_words}, key=lambda s: (-len(s), s))
        )
        subj = sorted((fold(t) for t in rules.subject_triggers), key=lambda s: (-len(s), s))
        self._subject_conf = {fold(t): c for t, c in rules.subject_triggers.items()}
        self._subject_triggers = subj
        self._subject_trigger_re = re.compile("|".join(map(re.escape, subj)) or "(?!)")
        descriptors = sorted((fold(d) for d in rules.descriptors), key=lambda s: (-len(s), s))
        # What a name may not be reduced to: generic words, bare suffixes, descriptors.
        self._generic = self.exclusions | set(self._suffix_conf) | set(descriptors)
        # Tokens that continue a name rather than follow it (洛阳金鼎|有限|公司).
        self.continuations = frozenset(
            {*self._suffix_conf, "有限", "公司", "股份", "集团", "有限公司", "分公司"}
        )
        self._descriptor_re = (
            re.compile("|".join(map(re.escape, descriptors))) if descriptors else None
        )

    def suffix_confidence(self, name: str) -> float:
        """Confidence of the ORG suffix ``name`` ends with (科技 in 爱玛科技), 0.0 when
        none does or when what comes before it is too short or generic to be a name.

        股份 counts here (新日股份 opening a sentence before 涨停/公告) but is no entry of
        ``suffixes.tsv``: as a suffix proposal and a model feature it also marks
        减持公司股份 / 持有本公司股份 (shares), which the tagger then took for names.
        The other shape endings (药业, 能源 ...) are left out of ``suffixes.tsv`` for the
        same reason: the shipped tagger was trained without them as features."""
        best = 0.0
        for suffix, (conf, _max_chars) in (*self._suffix_conf.items(), *_SHAPE_SUFFIXES):
            if name.endswith(suffix) and conf > best:
                head = name[: -len(suffix)]
                if len(head) >= 2 and head not in self._generic:
                    best = conf
        return best

    def is_generic(self, text: str) -> bool:
        """True for a string that can never be an ORG on its own (exclusion, bare
        suffix or descriptor word)."""
        return text in self._generic

    # -- gazetteer ------------------------------------------------------------------------

    def gazetteer(self, form: str) -> list[RuleMatch]:
        """Longest-first gazetteer matches; ASCII names must not touch ASCII letters/digits.

        The combination asks twice for the same text, so the last result is kept.
        """
        if not self._names:
            return []
        if self._last_gazetteer is not None and self._last_gazetteer[0] == form:
            return list(self._last_gazetteer[1])
        out = []
        for s, e in self._names.finditer(form):
            name = form[s:e]
            if _is_ascii_alnum(name[0]) and s > 0 and _is_ascii_alnum(form[s - 1]):
                continue
            if _is_ascii_alnum(name[-1]) and e < len(form) and _is_ascii_alnum(form[e]):
                continue
            canonical, weak = self.name_to_entry[name]
            out.append(RuleMatch(s, e, RULE_GAZETTEER, 0.8 if weak else 0.97, canonical, weak))
        self._last_gazetteer = (form, tuple(out))
        return out

    # -- stock codes ----------------------------------------------------------------------

    def stock_codes(self, form: str) -> list[tuple[int, int, str | None]]:
        """Bracketed stock codes: (bracket start, bracket end, canonical from the code)."""
        out = []
        for m in _STOCK_RE.finditer(form):
            code, exch, suffix = m.group("code"), m.group("exch"), m.group("suffix")
            # A bare word in brackets is only a code with an exchange marker.
            if not code.isdigit() and not (exch or suffix):
                continue
            # Bare digits: A-share (6) or HK (5, or 4 with a leading 0); never a year.
            bare_ok = len(code) in (5, 6) or (len(code) == 4 and code[0] == "0")
            if code.isdigit() and not (exch or suffix) and not bare_ok:
                continue
            # 王子新材（SZ002735，股价…）: a comma may close the code only after an
            # exchange-marked numeric code.
            if m.group("close") not in ")）" and not (exch and code.isdigit()):
                continue
            canonical = self.code_to_canonical.get(_code_key(code + (suffix or "")))
            if canonical is None:
                canonical = self.code_to_canonical.get(_code_key(code))
            out.append((m.start(), m.end(), canonical))
        return out

    def name_before(self, form: str, end: int, token_starts: Sequence[int], limit: int) -> int:
        """Left edge of the name ending at ``end``: walk left to a stop character
        (at most ``limit`` characters), then snap to a token start if one is inside."""
        start = end
        while start > 0 and end - start < limit and form[start - 1] not in _STOP_CHARS:
            start -= 1
        # A function character that opens the sentence is the name's first character
        # (和邦生物(603077)…): nothing stands before it that it could join or mark.
        if (
            0 < start < end
            and form[start - 1] in _FUNCTION_CHARS
            and (start == 1 or form[start - 2] in _SENTENCE_BREAKS)
        ):
            start -= 1
        elif 1 < start < end and form[start - 1] in _INNER_NAME_CHARS:
            # ... and 和 inside a short name that opens the sentence (征和工业(003033)
            # walked back to 工业; 另据|星海电子 keeps its cut): no other stop before it
            opening = start - 1
            while (
                opening > 0
                and form[opening - 1] not in _SENTENCE_BREAKS
                and form[opening - 1] not in _STOP_CHARS
                and end - opening < _MAX_OPENING_NAME
            ):
                opening -= 1
            if opening < start - 1 and (opening == 0 or form[opening - 1] in _SENTENCE_BREAKS):
                start = opening
        if start == end:
            return end
        start = self.trim_descriptor(form, start, end)
        # Prefer a token boundary: the earliest token start within [start, end).
        for ts in token_starts:
            if start <= ts < end:
                return ts
        return start

    def trim_descriptor(self, form: str, start: int, end: int) -> int:
        """New start after the last descriptor (厂商, 龙头 ...) that leaves >= 2 name chars.

        Keeps the start when the text from ``start`` is itself a gazetteer name, so a
        known name that contains a descriptor word is never cut.
        """
        if self._descriptor_re is None or form[start:end] in self.name_to_entry:
            return start
        cut = start
        for m in self._descriptor_re.finditer(form, start, end):
            if form.startswith(("(", "（", ")", "）"), m.end()):
                # 茅台酒厂（集团）有限责任公司 / 星河酒店集团（北京）有限公司: a word of a
                # legal name next to its bracket; a name never starts with a bracket
                continue
            rest = form[m.end() : end]
            if _LEGAL_TAIL_RE.fullmatch(rest):
                continue  # 佳兆业集团|控股有限公司: the rest is the legal form, not a name
            if len(rest) >= 2 and m.start() > start and rest not in self._generic:
                cut = m.end()
        return cut

    # -- sentence subjects ------------------------------------------------------------------

    def subjects(self, form: str) -> list[RuleMatch]:
        """``<name>：`` / ``<name>公告`` / ``<name>(300001)`` at the start of a sentence."""
        if not self._subject_triggers:
            return []
        out = []
        for start_m in _SENTENCE_START.finditer(form):
            start = start_m.end()
            name_m = _SUBJECT_NAME.match(form, start)
            if name_m is None:
                continue
            head = name_m.group()
            if head.startswith(_PRONOUN_STARTS):
                continue  # 我们预计公司2024年… / 我们上调公司…: the analyst speaks
            if any(body in head for body in _BODY_STARTS if len(body) > 2):
                continue  # (公司)董事会宣派中期股息…: the company's board speaks, no name
            if head.startswith(_BODY_STARTS):
                continue
            # The trigger may start anywhere after two name characters: the earliest
            # one wins (星河科技公告 -> 星河科技 + 公告; 长和公布全年业绩 -> 长和).
            found = self._first_trigger(form, head, start, name_m.end())
            if found is not None:
                trigger, end = found
                for word in _REL_YEARS:  # 苹果今年|上半年: the year word is no part of it
                    if form.endswith(word, start, end) and end - len(word) - start >= 2:
                        end -= len(word)
                        break
                # 爱玛科技昨日|公告, 星河科技预计|上半年, 星河科技今日预计|…
                for words in (_REL_DAYS, _TRAILING_VERBS, _REL_DAYS, TRAILING_ADVERBS):
                    for word in words:
                        if form.endswith(word, start, end) and end - len(word) - start >= 2:
                            end -= len(word)
                            break
                name = form[start:end]
                if name not in self.exclusions and "的" not in name:
                    out.append(RuleMatch(start, end, RULE_SUBJECT, self._subject_conf[trigger]))
            else:
                # A bare stock code right after the name: 星河科技(300001)
                code = _STOCK_RE.match(form, name_m.end())
                if code and code.group("code").isdigit() and head not in self.exclusions:
                    out.append(RuleMatch(start, name_m.end(), RULE_SUBJECT, 0.8))
                # A reporting year right after the name: 星河科技2024年营收… (results news
                # opens this way; the combination still asks the model for support).
                elif (
                    (len(head) >= 3 or head in self.name_to_entry)  # 博通2022财年…
                    and _YEAR_RE.match(form, name_m.end())
                    and head not in self._generic
                ):
                    out.append(RuleMatch(start, name_m.end(), RULE_SUBJECT, 0.6))
                else:
                    rel = _REL_PERIOD_RE.search(head, 2)
                    name = head[: rel.start()] if rel else ""
                    if len(name) >= 2 and name not in self._generic and name not in self.exclusions:
                        out.append(RuleMatch(start, start + len(name), RULE_SUBJECT, 0.6))
                    elif (metric := _OPENING_METRIC.search(head, 2)) is not None:
                        # 星河药业净亏损收窄…: a results metric right after a name that
                        # has a company ending (a segment name before a metric has none)
                        name = head[: metric.start()]
                        if (
                            name.endswith(_METRIC_OPENING_ENDINGS)
                            and len(name) >= 4
                            and name not in self._generic
                        ):
                            out.append(RuleMatch(start, start + len(name), RULE_SUBJECT, 0.6))
        return out

    def rating_targets(self, form: str) -> list[RuleMatch]:
        """``维持星河医药“买入”评级`` / ``首次覆盖星河科技`` / ``给予星河股份目标价45元``:
        the name a broker rates is a company (research notes)."""
        if "评级" not in form and "覆盖" not in form and "目标价" not in form:
            return []
        out = []
        for m in _RATING_TARGET.finditer(form):
            group = "name" if m.group("name") is not None else "name2"
            start, end = m.start(group), m.end(group)
            name = form[start:end]
            if (
                name in self._generic
                or name.startswith(_PRONOUN_STARTS)
                or name.startswith(_RATING_NOT_START)  # 维持对其“增持”评级
                or "的" in name
                or any(word in name for word in _RATING_NOT_NAME)
            ):
                continue
            out.append(RuleMatch(start, end, RULE_RATING, 0.7))
        return out

    def report_sources(self, form: str) -> list[RuleMatch]:
        """``据牧高笛半年报，公司上半年…`` : the name between 据 and a company report
        (年报, 半年报, 公告, 业绩预告 ...) is the company that published it.

        Only a company publishes these reports, so position and report word together
        need no model support; a generic word (据公司公告) is never a name.
        """
        if "据" not in form:
            return []
        out = []
        for m in _REPORT_SOURCE.finditer(form):
            start, end = m.start("name"), m.end("name")
            name = form[start:end]
            if name in self._generic or "的" in name or name.startswith(_PRONOUN_STARTS):
                continue
            out.append(RuleMatch(start, end, RULE_SUBJECT, 0.7))
        return out

    def clause_movers(self, form: str) -> list[RuleMatch]:
        """``…板块走强，云图控股涨超7%`` : a name opening a clause of a sentence about
        stocks, right before a price-move word, is a listed company (a stock).

        The same words describe futures (焦煤涨超4%), so the sentence must speak of
        stocks and not of futures (see :meth:`_stock_list_items`); the combination
        still asks the model or the name's suffix to agree, as for sentence subjects.
        """
        if not any(w in form for w in _STOCK_CONTEXT):
            return []  # no sentence of this text speaks of stocks
        out = []
        for m in _CLAUSE_MOVER.finditer(form):
            start, end = m.start("name"), m.end("name")
            sentence = _sentence_around(form, start, end)
            if not any(w in sentence for w in _STOCK_CONTEXT) or any(
                w in sentence for w in _FUTURES_CONTEXT
            ):
                continue
            name = form[start:end]
            if name in self._generic or name.endswith(("板块", "概念", "指数")):
                continue
            if name.endswith("股") and not name.endswith("控股"):
                continue  # 银行股 / 券商股 / 白马股: a group of stocks, not one company
            out.append(RuleMatch(start, end, RULE_SUBJECT, 0.6))
        return out

    def _first_trigger(
        self, form: str, head: str, start: int, head_end: int
    ) -> tuple[str, int] | None:
        """The earliest subject trigger in ``head`` (after two characters) or right
        after it, and where the name ends; longer triggers first at the same place."""
        # One regex (longest first) instead of a find per trigger: the earliest match in
        # the head is the earliest trigger, the longest one at that place.
        m = self._subject_trigger_re.search(head, 2)
        if m is not None:
            return m.group(), start + m.start()
        m = self._subject_trigger_re.match(form, head_end)
        if m is not None:
            return m.group(), head_end
        # 恒達地產（香港聯交所上市）公佈…: a bracketed note between the name and its trigger
        if form[head_end : head_end + 1] in ("（", "("):
            window = head_end + 16
            close = max(form.find("）", head_end, window), form.find(")", head_end, window))
            m = self._subject_trigger_re.match(form, close + 1) if close != -1 else None
            if m is not None:
                return m.group(), head_end
        return None

    # -- list contexts --------------------------------------------------------------------

    def list_items(self, form: str) -> list[RuleMatch]:
        """Items of enumerations after a trigger such as 客户包括 (A、B、C等), and of
        stock lists closed by a tail such as 等跟涨 (:meth:`_stock_list_items`)."""
        out = self._stock_list_items(form)
        if self._trigger_re is None:
            return out
        for m in self._trigger_re.finditer(form):
            conf = self._trigger_conf[m.group()]
            stop = _LIST_END.search(form, m.end())
            end = stop.start() if stop else len(form)
            segment_start = m.end()
            if form[segment_start : segment_start + 1] in ("：", ":"):
                segment_start += 1
            items = _list_item_spans(form, segment_start, end)
            if len(items) < 2:
                continue
            for s, e in items:
                if 2 <= e - s <= 20 or (e - s >= 2 and form[s:e].isascii()):
                    out.append(RuleMatch(s, e, RULE_LIST, conf))
                elif e - s == 1 and form[s:e].isascii():
                    continue
        return out

    def _stock_list_items(self, form: str) -> list[RuleMatch]:
        """``A、B、C等跟涨`` in market news: the items are listed companies (stocks).

        Futures and commodity reports use the same words (焦煤、焦炭等跌幅居前), so the
        sentence must speak of stocks (股 / 板块 / 概念) and not of futures (期货), and
        each item must be a short name (2-8 characters, no digits) that is not generic.
        """
        if self._tail_re is None or "等" not in form:  # every tail starts with 等
            return []
        out = []
        for m in self._tail_re.finditer(form):
            conf = self._tail_conf[self._tail_by_group[m.lastgroup or ""]]
            sentence = _sentence_around(form, m.start(), m.end())
            if not any(w in sentence for w in _STOCK_CONTEXT) or any(
                w in sentence for w in _FUTURES_CONTEXT
            ):
                continue
            lo = max(0, m.start() - _MAX_STOCK_LIST)
            start = max(max(form.rfind(ch, lo, m.start()) for ch in _LIST_OPENERS) + 1, lo)
            items = []
            for s, e in _list_item_spans(form, start, m.start()):
                for word in self.leading_words:  # 其中|A、B等涨停 / 包括|A、B等
                    if form.startswith(word, s) and e - s - len(word) >= 2:
                        s += len(word)
                        break
                items.append((s, e))
            if len(items) < 2 or not all(
                2 <= e - s <= 8
                and not any(ch.isdigit() for ch in form[s:e])
                and form[s:e] not in self._generic
                for s, e in items
            ):
                continue
            out.extend(RuleMatch(s, e, RULE_LIST, conf) for s, e in items)
        return out

    # -- public bodies --------------------------------------------------------------------

    @staticmethod
    def public_bodies(form: str, token_starts: Sequence[int]) -> list[RuleMatch]:
        """Standard government body names (:data:`_GOV_BODY_RE`) with the place written
        before them (湖北省|发展和改革委员会, 安徽省人民政府|国有资产…, 国家|…)."""
        if not any(end in form for end in _GOV_BODY_ENDS) and "附属" not in form:
            return []
        out = []
        for m in _GOV_BODY_RE.finditer(form):
            start = m.start()
            if form.endswith("人民政府", 0, start):
                start -= 4
            national = next((w for w in _GOV_NATIONAL if form.endswith(w, 0, start)), None)
            if national is not None:
                start -= len(national)
            elif start > 0 and form[start - 1] in _GOV_PLACE_ENDS:
                # the token holding the place ending, or the one before a lone ending
                i = bisect_right(token_starts, start - 1) - 1
                if i >= 0 and token_starts[i] == start - 1:
                    i -= 1
                place = token_starts[i] if i >= 0 else start
                if 2 <= start - place <= 7 and all(
                    "\u4e00" <= ch <= "\u9fff" for ch in form[place:start]
                ):
                    start = place
            out.append(RuleMatch(start, m.end(), RULE_PUBLIC_BODY, 0.9))
        if "附属" in form:
            for m in _AFFILIATED_HOSPITAL_RE.finditer(form):
                start = m.start()
                while start < m.end() and form[start] in _STOP_CHARS:
                    start += 1  # 与|华中科技大学…: a conjunction is no part of the name
                out.append(RuleMatch(start, m.end(), RULE_PUBLIC_BODY, 0.9))
        return out

    # -- suffixes -------------------------------------------------------------------------

    def suffixes(self, form: str, token_starts: Sequence[int]) -> list[RuleMatch]:
        """``<name><suffix>`` with a bounded name, left edge at a token start."""
        if self._suffix_re is None:
            return []
        out = []
        for m in self._suffix_re.finditer(form):
            conf, max_chars = self._suffix_conf[m.group()]
            s = m.start()
            # Take the token before the suffix (two if it is a single character).
            starts = [t for t in token_starts if t < s]
            if not starts:
                continue
            left = starts[-1]
            if s - left < 2 and len(starts) >= 2:
                left = starts[-2]
            left = max(left, s - max_chars)
            cut = left
            for i in range(s - 1, left - 1, -1):
                if form[i] in _STOP_CHARS or form[i].isdigit():
                    cut = i + 1
                    break
            if s - cut < 1 or form[cut:s] in _SUFFIX_NOT_NAMES:
                continue  # 公司|控股子公司: the company itself before the suffix names nothing
            out.append(RuleMatch(cut, m.end(), RULE_SUFFIX, conf))
        return out


def _list_item_spans(form: str, start: int, end: int) -> list[tuple[int, int]]:
    """The items of ``form[start:end]`` split at 、, each without surrounding spaces."""
    spans = []
    pos = start
    for item in form[start:end].split(_LIST_SEPARATORS):
        s, e = pos, pos + len(item)
        pos = e + 1
        while s < e and form[s] in " \u3000":
            s += 1
        while e > s and form[e - 1] in " \u3000":
            e -= 1
        spans.append((s, e))
    return spans


_SENTENCE_MARKS = "。！？；;!?\n"
_SENTENCE_WINDOW = 300  # characters looked at each way (bounded on hostile input)


def _sentence_around(form: str, start: int, end: int) -> str:
    """The sentence holding ``[start, end)``, at most :data:`_SENTENCE_WINDOW` characters
    each way, so that a text without sentence marks costs no quadratic scan."""
    lo = max(0, start - _SENTENCE_WINDOW)
    hi = min(len(form), end + _SENTENCE_WINDOW)
    sent_start = max(max(form.rfind(ch, lo, start) for ch in _SENTENCE_MARKS) + 1, lo)
    ends = [p for p in (form.find(ch, end, hi) for ch in _SENTENCE_MARKS) if p >= 0]
    return form[sent_start : min(ends, default=hi)]


def _code_key(code: str) -> str:
    """Normalise a stock code for lookup: ``HKG: 0020`` / ``0020.HK`` -> ``0020``-style keys."""
    code = code.upper().replace(" ", "")
    for prefix in ("HKG:", "HKEX:", "SEHK:", "NASDAQ:", "NYSE:", "SZ:", "SH:"):
        if code.startswith(prefix):
            code = code[len(prefix) :]
    if "." in code:
        base, _, exch = code.partition(".")
        code = _digits_key(base) + "." + exch if base.isdigit() else code
    elif code.isdigit():
        code = _digits_key(code)
    return code


def _digits_key(digits: str) -> str:
    """A Hong Kong code loses its leading zeros (``0020`` = ``00020`` = ``20``); a
    six-digit mainland code keeps them, so that ``003998`` (Shenzhen) never meets
    ``3998`` (Hong Kong)."""
    return digits if len(digits) == 6 else digits.lstrip("0")
