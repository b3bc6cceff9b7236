"""How rules and the trained tagger are combined (the one documented way).

The model proposes, the rules confirm, extend or override:

1. **Model spans** (``model:org_clf``) are the base proposals, with the tagger's
   confidence.
2. **Gazetteer** (``gazetteer:org``): a strong name always becomes an ORG (conf 0.97),
   unless a longer model span contains it (``招商银行股份有限公司`` keeps the model
   boundaries but takes the gazetteer canonical).  A weak alias (``~平安``) is kept only
   if the model marks an overlapping span, the same organisation is named in the
   document in another way, or it is an item of a list context.
3. **Stock-code context** (``rule:org.stock_code``): the name right before
   ``(HKG: 0020)`` / ``（000402.SZ）`` is an ORG: a proposal ending there is confirmed
   (confidence raised to >= 0.95); otherwise the rule creates the span (left edge walked
   back to a stop character and snapped to a token start).
   **Sentence subjects** (``rule:org.subject``): ``<name>：`` / ``<name>公告`` /
   ``<name>(300001)`` at the start of a sentence: confirms a proposal with the same
   span, or fills a gap when the model gives the name some support (>= ``subject_support``).
4. **List contexts** (``rule:org.list``) and **suffix patterns** (``rule:org.suffix``)
   only fill gaps: they are used where no other proposal overlaps.  A suffix match
   (``<name>银行``) also needs some support from the model (mean P(not O) over the span
   >= ``suffix_support``): the suffix alone cannot tell ``宁波银行`` from ``超过集团``.
   **Subsidiaries** (``rule:org.affiliate``, :func:`pipeline.orgs.context.affiliates`):
   ``全资子公司|洛阳金鼎`` also only fills gaps, with a little model support; a model
   span ``<industry>公司`` glued to the name it describes (``矿业公司|洛阳钼业``) is
   dropped and the name after it is looked for the same way.
   A subject the model does not support at all is still taken (confidence 0.55) when it
   opens the text or a line as a flash headline ``<name>：<corporate event>``.
5. **Boundary repairs** (:mod:`pipeline.orgs.context`): a model / suffix span ending in a
   legal form (``有限公司``) is extended left over a cut-off name (``（重庆）`` included).
   (Moving a model span that starts inside a pkuseg token to the token start was
   measured and dropped: CLUENER dev F1 -0.006, no gain elsewhere.)
   **Descriptors** (``configs/orgs/descriptors.tsv``): a model or stock-code span that
   starts with an apposition such as ``光学元件厂商`` / ``酒店集团`` is cut after it.
   **Leading words** (``configs/orgs/leading_words.tsv``): a span that starts with a
   verb or role word (``股东|厦门象屿集团有限公司``, ``审核|…股份有限公司``) is cut
   after it, also inside the part a legal-name repair walked over.  A span never keeps
   half a bracket, and one character is never a name unless the gazetteer says so.
6. **Exclusions** (``rule:org.exclusion``) veto any proposal whose text is a market,
   index, product or generic word (港股, A股, 公司 ...); a model span that is a bare
   place name (吉林省, 浦东新区) is a location and is dropped too.
7. Everything below ``threshold`` is dropped; overlaps are resolved by priority
   (gazetteer / stock code > model > list / enumeration / propagation > suffix), then
   length.
8. **Enumerations** (``rule:org.coordination``): an item next to a confident ORG across
   ``、`` with a clear edge and some model support; then **other mentions**
   (``rule:org.propagate``): every other whole-word occurrence of a kept name (or of its
   short form without 集团 / 有限公司) that a subject's usual next word follows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.orgs.context import (
    INDEFINITE_BEFORE,
    RULE_AFFILIATE,
    RULE_COORDINATION,
    RULE_PROPAGATE,
    affiliates,
    coordinate,
    descriptor_company,
    extend_legal_name,
    propagate,
    trim_leading_words,
)
from pipeline.orgs.matchers import (
    RULE_GAZETTEER,
    RULE_LIST,
    RULE_PUBLIC_BODY,
    RULE_RATING,
    RULE_STOCK,
    RULE_SUBJECT,
    RULE_SUFFIX,
    TRAILING_ADVERBS,
    OrgMatchers,
    RuleMatch,
)
from pipeline.spans import EntityCandidate

MODEL_SOURCE = "model:org_clf"
PRIORITY = {
    RULE_GAZETTEER: 3,
    RULE_STOCK: 3,
    RULE_SUBJECT: 3,
    RULE_RATING: 3,
    RULE_PUBLIC_BODY: 3,
    MODEL_SOURCE: 2,
    RULE_LIST: 1,
    RULE_COORDINATION: 1,
    RULE_PROPAGATE: 1,
    RULE_AFFILIATE: 1,
    RULE_SUFFIX: 0,
}
# Words that, glued to the end of a name, turn it into "the parent/subsidiary of".
_RELATION_TAILS = ("母公司", "子公司", "控股股东", "旗下")
_STRIP = " \u3000\t\n“”\"'‘’《》「」『』"


@dataclass
class Proposal:
    """A candidate ORG span while the combination runs."""

    start: int
    end: int
    source: str
    confidence: float
    canonical: str | None = None


# A subject the model does not support at all is still taken when its shape fits a
# company short name (新宙邦：…, 春立医疗：…): short names are what flash news and
# announcement headlines start with, and the tagger's training data has few of them.
_UNSUPPORTED_SUBJECT_CONFIDENCE = 0.55
# A sentence subject ending in a suffix at least this confident (科技, 股份, 集团, 银行,
# 证券 ...) needs no model support; weaker suffixes (技术 0.55, 汽车 0.55) still do.
_SHAPED_SUBJECT_MIN_SUFFIX = 0.8
# Common single-character surnames: a 2-3 character subject starting with one is
# more likely a person (张伟：…) than a company.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
# Words that make a sentence-initial "<x>：" a heading or a figure, not a company.
_NOT_SUBJECT = (
    "利润",
    "收入",
    "营收",
    "业绩",
    "季度",
    "年度",
    "点评",
    "记者",
    "数据",
    "方面",
    "显示",
    "表示",
    "预计",
    "市场",
    "行业",
    "板块",
    "指数",
    "价格",
    "股价",
    "消息",
    "来源",
    "提示",
    "风险",
    "观点",
    "摘要",
    "总结",
    "原因",
    "问题",
    "回答",
    "答",
    "问",
    "注",
    "编辑",
    "公告",
    "快讯",
    "资讯",
    "晚报",
    "早报",
    "要闻",
    "策略",
    "研报",
    "分析",
    "评级",
    "目标",
    "建议",
)


def plausible_subject(name: str) -> bool:
    """Whether a sentence-initial ``<name>：`` looks like a company short name."""
    if not 3 <= len(name) <= 8 or any(ch.isdigit() for ch in name):
        return False
    if len(name) <= 3 and name[0] in _SURNAMES:
        return False
    return not any(word in name for word in _NOT_SUBJECT)


# Corporate events a flash headline reports after "<company>：" (新宙邦：预计…净利润…).
_EVENT_WORDS = (
    "拟",
    "预计",
    "获得",
    "取得",
    "中标",
    "签署",
    "签订",
    "公告",
    "股东",
    "减持",
    "增持",
    "回购",
    "收购",
    "控股",
    "子公司",
    "净利润",
    "营收",
    "营业收入",
    "定增",
    "募资",
    "股份",
    "股权",
    "业绩",
    "注册证",
    "批准",
    "终止",
    "投资",
    "出售",
    "转让",
    "质押",
    "涨停",
    "跌停",
    "发行",
    "上市",
    "申请",
    "董事",
    "总经理",
    "分红",
    "停牌",
    "复牌",
    "合同",
    "订单",
    "产能",
)
_HEADLINE_START = "\n】"


# <name>公告，… opening a text or line is a headline too (longest first).
_ANNOUNCES = ("晚间公告", "发布公告", "公告")


def event_headline(form: str, start: int, end: int) -> bool:
    """``<name>：<corporate event>`` (or ``<name>公告，<event>``) opening a text or line:
    a flash-news headline.

    Used for subjects the model does not support (short names it never saw): the
    position, a company-like shape and an event word after the colon must all agree;
    ``主持人：…`` / ``净息差：1.82%`` / ``开放时间：…`` fail one of them.
    """
    if start > 0 and form[start - 1] not in _HEADLINE_START:
        return False
    if not plausible_subject(form[start:end]):
        return False
    if form.startswith(_ANNOUNCES, end):
        # 高争民爆公告，预计上半年净利…: the announcement opens the text like a headline
        end += next(len(w) for w in _ANNOUNCES if form.startswith(w, end))
        if form[end : end + 1] not in ("，", ",", "称", "："):
            return False
    elif end >= len(form) or form[end] not in "：:":
        return False
    clause = form[end + 1 : end + 40]
    for stop in "。；;\n":
        clause = clause.split(stop, 1)[0]
    return any(word in clause for word in _EVENT_WORDS)


_PLACE = re.compile(
    r"[\u4e00-\u9fff]{1,8}(?:省|自治区|特别行政区|县|(?<![超门股城集夜])市|(?<![社园景专营])区)"
)
_BRACKETS = {"（": "）", "(": ")"}


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _balance_brackets(form: str, start: int, end: int) -> tuple[int, int]:
    """Cut a span at a bracket it opens but does not close (韩国银行（央行 -> 韩国银行),
    or after one it closes but did not open; a name never holds half a bracket."""
    depth = 0
    for i in range(start, end):
        ch = form[i]
        if ch in _BRACKETS:
            close = _BRACKETS[ch]
            if form.find(close, i + 1, end) < 0:
                return start, i
            depth += 1
        elif ch in "）)":
            if depth == 0:
                return i + 1, end
            depth -= 1
    return start, end


def _overlaps(a: Proposal | RuleMatch, b: Proposal | RuleMatch) -> bool:
    return a.start < b.end and b.start < a.end


def combine(
    form: str,
    model_spans: Sequence[tuple[int, int, float]],
    matchers: OrgMatchers,
    token_starts: Sequence[int],
    *,
    threshold: float = 0.4,
    use_rules: bool = True,
    support: Callable[[int, int], float] | None = None,
    suffix_support: float = 0.3,
    subject_support: float = 0.05,
    coordination_support: float = 0.1,
    affiliate_support: float = 0.01,
) -> list[EntityCandidate]:
    """Merge model and rule proposals over the match form ``form`` of the text."""
    proposals = [Proposal(s, e, MODEL_SOURCE, c) for s, e, c in model_spans]
    # Word boundaries (token starts and the text's end), for every edge check below.
    bounds = {*token_starts, len(form)}
    if use_rules:
        proposals = _apply_gazetteer(form, proposals, matchers, bounds)
        proposals = _apply_stock_codes(form, proposals, matchers, token_starts)
        proposals = _apply_subjects(form, proposals, matchers, support, subject_support)
        proposals = _apply_latin_legal_words(form, proposals)
        proposals = _apply_legal_names(form, proposals)
        for body in matchers.public_bodies(form, sorted(bounds)):
            if any(
                p.start == body.start and p.end == body.end and p.source == RULE_GAZETTEER
                for p in proposals
            ):
                continue  # a gazetteer name keeps its canonical
            # the standard name wins over parts of it (改革委员会, 生态局)
            proposals = [p for p in proposals if not _overlaps(p, body)]
            proposals.append(Proposal(body.start, body.end, body.rule, body.confidence))
        described = [
            p
            for p in proposals
            if p.source == MODEL_SOURCE and descriptor_company(form, p.start, p.end)
        ]
        proposals = [p for p in proposals if p not in described]
        for s, e, rule, conf in affiliates(
            form,
            token_starts,
            matchers.is_generic,
            continuations=matchers.continuations,
            extra_starts=[p.end for p in described],
        ):
            gap = not any(p.start < e and s < p.end for p in proposals)
            if gap and (support is None or support(s, e) >= affiliate_support):
                proposals.append(Proposal(s, e, rule, conf))
        lists = matchers.list_items(form)
        for m in lists:
            if not any(_overlaps(m, p) for p in proposals):
                proposals.append(Proposal(m.start, m.end, m.rule, m.confidence, m.canonical))
        # Weak gazetteer aliases that are list items are accepted.
        for m in matchers.gazetteer(form):
            if m.weak and any(li.start <= m.start and m.end <= li.end for li in lists):
                proposals = [p for p in proposals if not _overlaps(p, m)]
                proposals.append(Proposal(m.start, m.end, m.rule, 0.9, m.canonical))
        for m in matchers.suffixes(form, token_starts):
            if any(_overlaps(m, p) for p in proposals):
                continue
            conf = m.confidence
            if support is not None:
                backing = support(m.start, m.end)
                if backing < suffix_support:
                    continue
                conf = min(conf, 0.5 + backing / 2)
            proposals.append(Proposal(m.start, m.end, m.rule, conf, m.canonical))
    out: list[EntityCandidate] = []
    for p in proposals:
        s, e = p.start, p.end
        proposed_start = s
        if use_rules and p.source in (MODEL_SOURCE, RULE_SUFFIX):
            s = extend_legal_name(form, s, e)
        if use_rules and p.source in (MODEL_SOURCE, RULE_SUFFIX, RULE_STOCK, RULE_SUBJECT):
            s = trim_leading_words(
                form,
                s,
                e,
                matchers.leading_words,
                bounds,
                matchers.is_generic,
                matchers.name_to_entry.__contains__,
                walked_from=proposed_start,
            )
        if use_rules and p.source in (MODEL_SOURCE, RULE_STOCK, RULE_SUBJECT):
            s = matchers.trim_descriptor(form, s, e)
            # 拼多多母公司 / 星河科技子公司: the organisation named is the part before.
            for tail in _RELATION_TAILS:
                if form.endswith(tail, s, e) and e - s - len(tail) >= 2:
                    e -= len(tail)
                    break
        while s < e and form[s] in _STRIP:
            s += 1
        while e > s and form[e - 1] in _STRIP:
            e -= 1
        if use_rules:
            s, e = _balance_brackets(form, s, e)
        if e <= s or p.confidence < threshold:
            continue
        # A bare place name (吉林省, 浦东新区) is a location, whatever the tagger says;
        # its government is named with a body (吉林省统计局, 浦东新区政府).
        if use_rules and p.source == MODEL_SOURCE and _PLACE.fullmatch(form, s, e):
            continue
        # One character is never a name on its own (道指 -> 道): only a gazetteer entry
        # may be that short.
        if use_rules and e - s < 2 and p.source != RULE_GAZETTEER:
            continue
        if use_rules and p.source == MODEL_SOURCE:
            # 欧股集体收跌 / 国内商品期货多数收涨: an adverb closing the span is no name
            for tail in TRAILING_ADVERBS:
                if form.endswith(tail, s, e) and e - s - len(tail) >= 2:
                    e -= len(tail)
                    break
        if use_rules and form[s:e] in matchers.exclusions:
            continue
        if use_rules and form.endswith(_VAGUE_BODIES, s, e):
            continue  # 深圳市相关部门: no particular organisation
        if (
            use_rules
            and p.source in (MODEL_SOURCE, RULE_SUFFIX)
            and INDEFINITE_BEFORE.search(form, max(0, s - 8), s)
        ):
            continue  # 与一家本地生物科技公司合作: an unnamed company
        if use_rules and _INDEX_AFTER.match(form, e):
            continue  # 标普500指数 / 纳斯达克100指数: an index, not the company
        out.append(
            EntityCandidate(
                start=s,
                end=e,
                label="ORG",
                source=p.source,
                confidence=round(float(p.confidence), 4),
                canonical=p.canonical,
                priority=PRIORITY.get(p.source, 1),
            )
        )
    if use_rules:
        out.extend(
            coordinate(
                form,
                out,
                token_starts,
                matchers.is_generic,
                support=support,
                min_support=coordination_support,
            )
        )
        out.extend(propagate(form, out, token_starts, matchers.is_generic))
    return out


def _apply_gazetteer(
    form: str, proposals: list[Proposal], matchers: OrgMatchers, bounds: set[int]
) -> list[Proposal]:
    matches = matchers.gazetteer(form)
    strong_canon = {m.canonical for m in matches if not m.weak}
    # organisations named on token boundaries somewhere in the text
    on_bounds = {
        m.canonical for m in matches if (m.start in bounds or m.start == 0) and m.end in bounds
    }
    for m in matches:
        overlapping = [p for p in proposals if _overlaps(p, m)]
        # A name that ends inside a pkuseg token followed by more Han characters is
        # usually the head of a longer word (中国银行|业, 海通|国际, 索尼|亚): keep it
        # only if the model also sees an organisation ending there, or it opens a
        # sentence and the text names the same organisation elsewhere (商汤集团…。
        # 商汤|期内净亏损: pkuseg glued 商汤期).  The same holds at the start
        # (祖|国航|空): a name starting inside a token after a Han character needs a
        # model span starting with it.
        if (
            m.end not in bounds
            and m.end < len(form)
            and _is_han(form[m.end])
            and not any(p.end == m.end for p in overlapping)
            and not (m.canonical in on_bounds and _opens_sentence(form, m.start))
            # 高|盛涨近4%, 爱奇|艺涨: pkuseg glues a price move to the name before it
            and not form.startswith(_PRICE_MOVES, m.end)
        ):
            continue
        if (
            m.start not in bounds
            and m.start > 0
            and _is_han(form[m.start - 1])
            and not any(p.start == m.start for p in overlapping)
        ):
            continue
        containing = [
            p
            for p in overlapping
            if p.start <= m.start
            and m.end <= p.end
            and (p.end - p.start) > (m.end - m.start)
            # 亚马逊AWS部门 / 苹果iPhone业务: a Latin unit name glued to a known company
            # before a segment word is the company's segment, not part of its name
            and not _latin_unit(form, m.end, p.end)
        ]
        if m.weak and not overlapping and m.canonical not in strong_canon:
            continue
        if containing and all(p.confidence >= 0.5 for p in containing):
            # A longer model name (e.g. with 股份有限公司) keeps its boundaries; it takes
            # the canonical only when it starts with the gazetteer name.
            for p in containing:
                if p.start == m.start and p.canonical is None:
                    p.canonical = m.canonical
            continue
        proposals = [p for p in proposals if not _overlaps(p, m)]
        proposals.append(Proposal(m.start, m.end, m.rule, m.confidence, m.canonical))
    return proposals


_SENTENCE_OPENERS = "。！？；!?;\n"
# "The relevant departments" of a place name no particular organisation.
_VAGUE_BODIES = ("相关部门", "有关部门", "主管部门", "相关机构", "有关机构")
# A name followed by an index word names the index (标普500指数, 纳斯达克100指数,
# 纳斯达克综合指数, 道琼斯工业平均指数).
_INDEX_AFTER = re.compile(
    r"\s*[0-9]*\s*(?:综合|成份|成分|工业平均|工业|科技)?(?:指数|综指|成指|期指)"
)
# Words after which a name denotes a business unit (亚马逊AWS|部门).
_SEGMENT_WORDS = ("部门", "业务", "板块", "分部", "事业部", "事业群")


def _latin_unit(form: str, start: int, end: int) -> bool:
    """``[start, end)`` is a Latin word followed by a segment word (AWS|部门)."""
    part = form[start:end].strip()
    return bool(part) and part.isascii() and form.startswith(_SEGMENT_WORDS, end)


# Words of a share-price move that follow a company name in market news.
_PRICE_MOVES = ("涨", "跌", "股价", "大涨", "大跌", "收涨", "收跌", "高开", "低开")


def _opens_sentence(form: str, start: int) -> bool:
    """True at the text start or right after a sentence or ；-clause mark."""
    return start == 0 or form[start - 1] in _SENTENCE_OPENERS


# A Latin company name written with its legal or business word (Siemens AG, Arm
# Holdings, Marvell Technology, Volkswagen Group); ``form`` is lower-cased.
_LATIN_LEGAL_WORD = (
    r"(?:ag|se|nv|inc\.?|corp\.?|corporation|group|holdings?|technolog(?:y|ies)"
    r"|engineering|ltd\.?|limited|plc|llc|gmbh|systems|semiconductor|motors"
    r"|pharmaceuticals|therapeutics|networks|software|labs|a/s)(?![a-z0-9])"
)
_ASCII_LETTER = re.compile("[a-z]")
_LATIN_NOT_NAMES = frozenset({"ai", "the", "a", "an", "our", "and", "of", "for", "data"})
# one more word may stand between the name and its legal word (Toyota Motor Corporation)
_LATIN_LEGAL_TAIL = re.compile(r"(?:[ \u00a0][a-z][a-z0-9&'-]*)?[ \u00a0]" + _LATIN_LEGAL_WORD)
_LATIN_MORE_LEGAL = re.compile(r",?[ \u00a0]" + _LATIN_LEGAL_WORD)
_LATIN_LEGAL_NAME = re.compile(
    r"(?<![a-z0-9&'-])[a-z][a-z0-9&'-]*(?:[ \u00a0][a-z][a-z0-9&'-]*){0,2}?[ \u00a0]"
    + _LATIN_LEGAL_WORD
)


def _apply_latin_legal_words(form: str, proposals: list[Proposal]) -> list[Proposal]:
    """Extend a Latin name over its legal word (siemens -> siemens ag); a Latin name
    with one and no proposal on it (altair engineering) becomes a proposal."""
    if _ASCII_LETTER.search(form) is None:
        return proposals
    for p in proposals:
        if "a" <= form[p.end - 1] <= "z":
            m = _LATIN_LEGAL_TAIL.match(form, p.end)
            if m is not None:
                p.end = m.end()
    covered = bytearray(len(form))
    for p in proposals:
        covered[p.start : p.end] = b"\x01" * (p.end - p.start)
    for m in _LATIN_LEGAL_NAME.finditer(form):
        if m.group().split()[0] in _LATIN_NOT_NAMES:
            continue  # ai software / our group: a generic word, not a name
        if covered.find(1, m.start(), m.end()) == -1:
            proposals.append(Proposal(m.start(), m.end(), RULE_SUFFIX, 0.8))
    for p in proposals:
        # further legal words, a comma allowed: astera labs, inc. / … group holding ltd
        while "a" <= form[p.end - 1] <= "z" or form[p.end - 1] == ".":
            m = _LATIN_MORE_LEGAL.match(form, p.end)
            if m is None:
                break
            p.end = m.end()
    return proposals


_LEGAL_FORM_RE = re.compile(r"(?:股份)?有限(?:责任)?公司|株式会社")


def _apply_legal_names(form: str, proposals: list[Proposal]) -> list[Proposal]:
    """A full legal name (…股份有限公司) that no proposal ends at: walk left over its name
    (:func:`extend_legal_name`) and propose it whole; the pieces proposed inside it (a
    gazetteer short name 和硕, a suffix match 联合科技) give way.  The legal form is
    evidence enough: a company's registered name ends this way and nothing else does."""
    if "有限" not in form and "株式会社" not in form:
        return proposals
    ends = {p.end for p in proposals}
    for m in _LEGAL_FORM_RE.finditer(form):
        if m.end() in ends:
            continue
        start = extend_legal_name(form, m.start(), m.end())
        # the walk stops at 和/与 …; a known name crossing that edge starts the name
        # (和硕|联合科技股份有限公司: 和硕 is the gazetteer's)
        for p in proposals:
            if p.source == RULE_GAZETTEER and p.start < start < p.end <= m.start():
                start = p.start
        if m.start() - start < 2:
            continue
        span = Proposal(start, m.end(), RULE_SUFFIX, 0.85)
        if any(
            _overlaps(p, span) and not (start <= p.start and p.end <= span.end) for p in proposals
        ):
            continue  # a proposal crossing its edge: leave the decision to the others
        proposals = [p for p in proposals if not _overlaps(p, span)]
        proposals.append(span)
    return proposals


def _apply_stock_codes(
    form: str, proposals: list[Proposal], matchers: OrgMatchers, token_starts: Sequence[int]
) -> list[Proposal]:
    for b_start, b_end, canonical in matchers.stock_codes(form):
        # (NASDAQ: SMCI) / (NYSE: DELL): the exchange and the ticker in the bracket are
        # part of the code, not organisations of their own
        proposals = [p for p in proposals if not (b_start <= p.start and p.end <= b_end)]
        ending = [p for p in proposals if p.end == b_start]
        if ending:
            for p in ending:
                p.confidence = max(p.confidence, 0.95)
                if p.canonical is None:
                    p.canonical = canonical
            continue
        start = matchers.name_before(form, b_start, token_starts, limit=16)
        if b_start - start < 2:
            continue
        rule = Proposal(start, b_start, RULE_STOCK, 0.9, canonical)
        proposals = [p for p in proposals if not _overlaps(p, rule)]
        proposals.append(rule)
    return proposals


def _apply_subjects(
    form: str,
    proposals: list[Proposal],
    matchers: OrgMatchers,
    support: Callable[[int, int], float] | None,
    min_support: float,
) -> list[Proposal]:
    """Sentence subjects (星河科技：…) confirm a proposal with the same span, or add a
    span where nothing else was proposed and the model gives it some support (the
    position alone also fits people, 主持人：, 归母净利润：…) or the gazetteer knows
    the name (a weak alias: 长和公布…)."""
    known: dict[tuple[int, int], str | None] | None = None
    # Proposals are only added here (never removed): a coverage mask and a span index
    # keep every test O(span) instead of a pass over all proposals per match.
    covered = bytearray(len(form) + 1)
    by_span: dict[tuple[int, int], list[Proposal]] = {}

    def add(p: Proposal) -> None:
        proposals.append(p)
        covered[p.start : p.end] = b"\x01" * (p.end - p.start)
        by_span.setdefault((p.start, p.end), []).append(p)

    existing = list(proposals)
    proposals.clear()
    for p in existing:
        add(p)
    # 据<name>半年报 / 维持<name>“买入”评级: the report or the rating names a company
    for m in [*matchers.report_sources(form), *matchers.rating_targets(form)]:
        if covered.find(1, m.start, m.end) == -1:
            add(Proposal(m.start, m.end, m.rule, m.confidence, m.canonical))
    for m in [*matchers.subjects(form), *matchers.clause_movers(form)]:
        same = by_span.get((m.start, m.end))
        if same:
            for p in same:
                p.confidence = max(p.confidence, m.confidence)
            continue
        if covered.find(1, m.start, m.end) != -1:
            continue
        if known is None:  # gazetteer names (weak aliases included), looked up once
            known = {(g.start, g.end): g.canonical for g in matchers.gazetteer(form)}
        if (m.start, m.end) in known:
            # a known name (a weak alias such as 长和 / Apple) opening the sentence as
            # its subject needs no model support: position and name agree
            add(Proposal(m.start, m.end, m.rule, m.confidence, known[m.start, m.end]))
            continue
        confidence = m.confidence
        if support is not None and support(m.start, m.end) < min_support:
            # Without model support, the position must be backed by the name's shape:
            # a flash headline (新宙邦：预计…), or a company suffix on a plausible short
            # name (爱玛科技涨停…, 中路股份公告…): two rules agreeing.
            name = form[m.start : m.end]
            shaped = (
                plausible_subject(name)
                and matchers.suffix_confidence(name) >= _SHAPED_SUBJECT_MIN_SUFFIX
            )
            if not shaped and not event_headline(form, m.start, m.end):
                continue
            confidence = min(confidence, _UNSUPPORTED_SUBJECT_CONFIDENCE)
        add(Proposal(m.start, m.end, m.rule, confidence, m.canonical))
    return proposals
