"""Subject mentions and the bounded candidate generator.

The generator decides which figure x subject pairs the classifier scores.  It takes
at most ``max_before`` distinct subjects before the figure within ``max_distance``
characters, at most ``max_after`` within ``max_after_distance`` after it in the same
sentence, plus the paragraph's main company as a fallback.  Lookups are binary
searches over subjects sorted by offset, so a paragraph with F figures costs
O(F * (max_before + max_after)) pair scorings: never quadratic.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from pipeline.relations.document import DocView, Ent, Subject
from pipeline.relations.mentions import segment_key


@dataclass(frozen=True)
class CandidateConfig:
    """Bounds of the candidate generator (``[components.zhnews_relations.candidates]``)."""

    max_before: int = 4
    max_distance: int = 160
    max_after: int = 1
    max_after_distance: int = 12
    include_main: bool = True


@dataclass(slots=True)
class Candidate:
    """One figure x subject pair to score."""

    subject: Subject
    rank: int  # 0 = nearest before; -1 = after; 99 = main-company fallback
    distance: int
    after: bool = False
    fallback: bool = False


def org_key(ent: Ent) -> str:
    """Comparison key of an ORG mention: its canonical name, else its text."""
    return (ent.canonical or ent.text).strip()


# Words after an ORG that make it the author of the text, not its subject
# (招商证券点评顺丰控股..., 东吴证券发布研报称).
SPEAKER_RIGHT = (
    "研报", "发布研", "发表研", "报告", "指出", "表示", "称", "认为", "预计", "预期",
    "发布报告", "分析", "点评", "评级", "维持", "给予",
)  # fmt: skip


# Words after an ORG that make it the author of a research note (招商证券点评…,
# 高盛发布报告): never the subject of the figures (no annotated figure links to one).
RESEARCH_RIGHT = ("研报", "发布研", "发表研", "点评", "评级", "发布报告", "维持", "给予")


# 瑞银将其目标价维持在215美元 / 高盛把目标价上调至…: the broker sets the target price
# (a company followed directly by 目标价 is the one rated: 将小米集团目标价由…上调至…);
# 中金下调其盈利预测 / 维持其“买入”评级: the broker acts on 其, the company it covers.
_TARGET_PRICE_RIGHT = re.compile(
    r"(?:将其|将|把其|把|对其)(?:目标价|目标股价|评级)"
    r"|(?:下调|上调|调低|调高|调升|调降|维持|重申)其"
)


def is_research_author(view: DocView, ent: Ent) -> bool:
    """An ORG followed by 研报/点评/发布报告 ... or setting a target price or rating
    wrote the note; it is no subject."""
    return view.norm.startswith(RESEARCH_RIGHT, ent.end) or (
        _TARGET_PRICE_RIGHT.match(view.norm, ent.end) is not None
    )


def is_speaker(view: DocView, ent: Ent) -> bool:
    """An ORG followed by 研报/点评/指出 ... is a source of the news, not its subject."""
    return view.norm.startswith(SPEAKER_RIGHT, ent.end)


# A bracket that cites where the figures come from: （来源：国家统计局）,
# （数据来源：…）, （文中数据…均来自国家统计局…）.
_CITATION_WORDS = ("来源", "来自", "出处")
_OPEN_BRACKETS = "（(【["
_CLOSE_BRACKETS = "）)】]"
_BRACKET_RE = re.compile("[" + re.escape(_OPEN_BRACKETS + _CLOSE_BRACKETS) + "]")


def is_cited_source(view: DocView, ent: Ent) -> bool:
    """An ORG inside a citation bracket is where the data come from, not their subject.

    Only brackets whose text before the ORG holds 来源 / 来自 count: a company that
    reports its own figures (据商汤集团公告) stays a subject.
    """
    norm = view.norm
    brackets = view.__dict__.get("_brackets")
    if brackets is None:  # every bracket of the paragraph, once (sorted offsets)
        brackets = view.__dict__["_brackets"] = [m.start() for m in _BRACKET_RE.finditer(norm)]
    # the nearest bracket before the ORG, at most 40 characters back, decides
    i = bisect_left(brackets, ent.start) - 1
    if i < 0 or brackets[i] < ent.start - 40:
        return False
    k = brackets[i]
    if norm[k] in _CLOSE_BRACKETS:
        return False
    return any(word in norm[k + 1 : ent.start] for word in _CITATION_WORDS)


# 据海关总署数据 / 根据中汽协统计 / 据X监测: the ORG is where the data come from.
_DATA_SOURCE_LEFT = ("据", "根据", "依据")
_DATA_SOURCE_RIGHT = (
    "数据", "统计", "显示", "监测", "调查", "测算", "发布的数据", "公布的数据", "的数据", "的统计",
)  # fmt: skip


# 商务部数据显示 / 国家统计局最新统计显示: without 据, only "data ... show" says it.
_DATA_SHOW_RIGHT = (
    "数据显示", "数据表明", "统计显示", "统计数据显示", "最新数据显示", "最新统计显示",
    "监测数据显示", "发布的数据显示", "公布的数据显示", "发布数据显示", "公布数据显示",
)  # fmt: skip


def is_data_source(view: DocView, ent: Ent) -> bool:
    """An ORG introduced by 据 and followed by 数据/统计/显示, or followed by 数据显示,
    is the source of the data.

    Figures after 据海关总署数据 / 商务部数据显示 are about the economy, a market or
    other companies, not about the agency that compiled them.  据商汤集团公告 /
    商汤集团公告显示 (the company's own report) stays a subject: 公告/财报 are not
    data-source words.
    """
    norm = view.norm
    if norm.startswith(_DATA_SHOW_RIGHT, ent.end):
        return True
    return norm[max(0, ent.start - 2) : ent.start].endswith(_DATA_SOURCE_LEFT) and norm.startswith(
        _DATA_SOURCE_RIGHT, ent.end
    )


# An exchange named before a contract it trades (LME期铜收跌…, 纽约金属交易所（COMEX）
# 黄金期货价格收于…) is the venue of a price, not the subject of a company fact.
_VENUES = frozenset({"LME", "COMEX", "CBOT", "NYMEX", "ICE", "CME", "IPE", "SHFE"})
_VENUE_PREFIXES = tuple(sorted(_VENUES))  # (for str.startswith, built once)
# the contract right after the exchange (an abbreviation in brackets may come first):
# 期铜 / 玉米期货 / 棉花期货主力合约 / 当月期货铜
_CONTRACT_RE = re.compile(
    r"\s*(?:[（(][A-Za-z]{2,6}[）)])?\s*"
    r"(?:(?:三个月|3个月)?(?:期铜|期铝|期锌|期镍|期铅|期锡|期金|期银)"
    r"|[^，。；、\s]{0,6}?(?:期货|期权|合约))"
)


def is_venue(view: DocView, ent: Ent) -> bool:
    """An exchange followed by a contract (期铜, 黄金期货, 布伦特原油期货) is a price
    venue; 港交所上半年收入… (the exchange's own results) keeps it a subject."""
    name = ent.text
    if name[:4].upper().startswith(_VENUE_PREFIXES) and "期货" in name:
        return True  # CME比特币期货BTC: the tagger kept the contract in the name
    if not (name.endswith(("交易所", "联交所", "交所")) or name.upper() in _VENUES):
        return False
    if view.norm.startswith(("上市", "挂牌", "主板上市", "创业板上市"), ent.end):
        return True  # 恒达地产（香港联交所上市）: where a company is listed
    return _CONTRACT_RE.match(view.norm, ent.end) is not None


# 彭博谷物分类指数 / 纳斯达克生物科技指数 / 巴克莱美国可转债ETF: the ORG names an index or
# a fund it publishes; the figures are the product's, not the company's.
_PRODUCT_AFTER = re.compile(r"[^，。；、,;\s]{0,8}?(?:指数|ETF|etf)")


def is_product_name(view: DocView, ent: Ent) -> bool:
    """An ORG that starts the name of an index or a fund (彭博|谷物分类指数)."""
    return _PRODUCT_AFTER.match(view.norm, ent.end) is not None


# Government bodies, regulators, central banks, associations and international bodies
# publish, regulate or trade with; the facts users extract are about companies and
# their segments, so these are never subjects (商务部消息，全国实际使用外资…; 我国对欧盟
# 出口…; 中国物流与采购联合会发布的…指数).  The annotated corpus has no such subject.
_PUBLIC_BODY_ENDS = (
    "局", "部", "署", "委", "委员会", "协会", "联合会", "商会", "学会", "办公室", "海关",
    "政府", "国务院", "法院", "监会", "央行", "人民银行", "统计厅", "工作组", "小组",
    "厅", "处", "省",  # 经济和信息化厅, 统计处, 日本财务省 (Japanese ministries)
)  # fmt: skip
_PUBLIC_BODIES = frozenset(
    {
        "美联储", "欧盟", "东盟", "OECD", "IMF", "WTO", "欧佩克", "OPEC", "世界银行",
        "联合国", "世贸组织", "国际货币基金组织", "经合组织", "二十国集团", "G20", "G7",
        "发改委", "国资委", "证监会", "银保监会", "金融监管总局", "外汇局",
    }
)  # fmt: skip


# News outlets: the source of a story, never the subject of its figures.
_NEWS_OUTLETS = frozenset({
    "新华社", "中新社", "路透社", "路透", "彭博社", "彭博", "美联社", "法新社", "共同社",
    "财联社", "证券时报", "上海证券报", "中国证券报", "证券日报", "经济日报", "人民日报",
    "第一财经", "澎湃新闻", "界面新闻", "21世纪经济报道", "经济观察报", "每日经济新闻",
    "券商中国", "华尔街日报", "金融时报", "彭博新闻社", "新浪财经", "财新", "财新网",
})  # fmt: skip
# A dateline after the outlet: 新华社洛阳3月21日电 / 路透北京1月5日电.
_DATELINE_RE = re.compile(r"[\u4e00-\u9fff]{0,6}\d{1,2}月\d{1,2}日(?:电|讯)")


def is_news_outlet(view: DocView, ent: Ent) -> bool:
    """A news agency or newspaper (新华社, 证券时报) or an ORG opening a dateline."""
    name = view.norm[ent.start : ent.end]
    if name in _NEWS_OUTLETS or (
        len(name) >= 3 and name.endswith(("通讯社", "新闻社")) and not name.endswith("合作社")
    ):
        return True
    return _DATELINE_RE.match(view.norm, ent.end) is not None


def is_public_body(view: DocView, ent: Ent) -> bool:
    """A government body, regulator, association or international body (no company)."""
    name = view.norm[ent.start : ent.end]
    return name in _PUBLIC_BODIES or (len(name) >= 3 and name.endswith(_PUBLIC_BODY_ENDS))


_DESCRIPTOR_ENDS = ("公司", "集团", "企业", "龙头", "厂商", "巨头")


def is_descriptor(view: DocView, ent: Ent) -> bool:
    """An ORG glued to the next ORG and ending in 公司/龙头 ... describes it
    (矿业公司洛阳钼业): the name that follows is the subject."""
    if not ent.text.endswith(_DESCRIPTOR_ENDS):
        return False
    starts = view.__dict__.get("_org_starts")
    if starts is None:
        starts = view.__dict__["_org_starts"] = {o.start for o in view.orgs}
    return ent.end in starts


def _never_subject(view: DocView, ent: Ent) -> bool:
    """A descriptor, cited or data source, venue, public body, product name or news
    outlet: an ORG that is neither the main company nor a subject.

    Cached per paragraph: :func:`main_company` and :func:`build_subjects` both ask.
    """
    cache = view.__dict__.get("_never_subject")
    if cache is None:
        cache = view.__dict__["_never_subject"] = {}
    found = cache.get(id(ent))
    if found is None:
        found = cache[id(ent)] = (
            is_descriptor(view, ent)
            or is_cited_source(view, ent)
            or is_data_source(view, ent)
            or is_venue(view, ent)
            or is_public_body(view, ent)
            or is_product_name(view, ent)
            or is_news_outlet(view, ent)
        )
    return found


def main_company(view: DocView) -> Ent | None:
    """The most mentioned ORG of the paragraph (ties: the earliest); speakers last."""
    if not view.orgs:
        return None
    orgs = [o for o in view.orgs if not is_speaker(view, o) and not _never_subject(view, o)]
    if not orgs:
        return None  # only the author of the text (研报/点评) or descriptors: no main company
    # one pass: mentions per key and the first mention of each (dicts keep the order
    # of first mention, so max() breaks ties as before: the earliest key wins)
    counts: dict[str, int] = {}
    first: dict[str, Ent] = {}
    for o in orgs:
        k = org_key(o)
        if k in counts:
            counts[k] += 1
        else:
            counts[k] = 1
            first[k] = o
    key = max(counts, key=lambda k: (counts[k], -first[k].start))
    return first[key]


def _bracketed_alias(view: DocView, ent: Ent, before: list[Ent]) -> bool:
    """``路威酩轩集团（LVMH）``: an ORG in brackets right after another ORG is that
    organisation's alias; the name written first stays the subject of its figures."""
    norm = view.norm
    return (
        bool(before)
        and before[-1].end == ent.start - 1
        and norm[ent.start - 1] in "（("
        and norm[ent.end : ent.end + 1] in ("）", ")")
    )


def build_subjects(view: DocView) -> Ent | None:
    """Fill ``view.subjects`` from ORGs, segments and resolved anaphors; return main ORG."""
    main = main_company(view)
    main_key = org_key(main) if main is not None else None
    seg_cover = bytearray(len(view.text))
    for m in view.segments:
        seg_cover[m.start : m.end] = b"\x01" * (m.end - m.start)
    org_starts: list[Ent] = []
    owner_keys: list[str] = []  # their keys (each segment's company, below)
    for o in view.orgs:
        if seg_cover.find(1, o.start, o.end) != -1 or _never_subject(view, o):
            continue
        if is_research_author(view, o) or _bracketed_alias(view, o, org_starts):
            continue
        org_starts.append(o)
        k = org_key(o)
        owner_keys.append(k)
        view.subjects.append(Subject(o.start, o.end, "ORG", k, k, o.start, o.end, o.text, k))

    org_ends = [o.end for o in org_starts]
    # a segment's company: the last ORG subject before it, else the main company (the
    # ORG keys above, not org_key once per segment)
    counts = view.segment_counts
    segs: list[Subject] = []
    for m in view.segments:
        canon = m.canonical or m.text
        extra = m.extra
        i = bisect_right(org_ends, m.start)
        # positional, in field order (keywords cost a third of the call, per segment)
        subject = Subject(
            m.start,
            m.end,
            "SEGMENT",
            segment_key(canon),
            canon,
            m.start,
            m.end,
            m.text,
            owner_keys[i - 1] if i else main_key,
            False,
            str(extra.get("suffix", "")),
            m.source,
            bool(extra.get("after_entity")),
        )
        segs.append(subject)
        counts[subject.key] = counts.get(subject.key, 0) + 1
    view.subjects.extend(segs)
    seg_ends = [s.end for s in segs]
    main_orgs = [o for o, k in zip(org_starts, owner_keys, strict=True) if k == main_key]
    main_ends = [o.end for o in main_orgs]
    for a in view.anaphors:
        target = a.extra.get("target")
        if target == "segment":
            i = bisect_right(seg_ends, a.start)
            if not i:
                continue
            ref = segs[i - 1]
            a.canonical = ref.canonical
            a.extra["refers_to"] = {"start": ref.start, "end": ref.end, "text": ref.ref_text}
            view.subjects.append(
                Subject(
                    a.start,
                    a.end,
                    "SEGMENT",
                    ref.key,
                    ref.canonical,
                    ref.ref_start,
                    ref.ref_end,
                    ref.ref_text,
                    ref.company,
                    via_anaphor=True,
                    source=ref.source,
                )
            )
        elif main is not None and main_key is not None:
            i = bisect_right(main_ends, a.start)
            ref_ent = main_orgs[i - 1] if i else main
            a.canonical = main_key
            a.extra["refers_to"] = {
                "start": ref_ent.start,
                "end": ref_ent.end,
                "text": ref_ent.text,
            }
            view.subjects.append(
                Subject(
                    a.start,
                    a.end,
                    "ORG",
                    main_key,
                    main_key,
                    ref_ent.start,
                    ref_ent.end,
                    ref_ent.text,
                    main_key,
                    via_anaphor=True,
                )
            )
    return main


def generate(view: DocView, fig: Ent, main: Ent | None, config: CandidateConfig) -> list[Candidate]:
    """Bounded candidate subjects for one figure (distinct keys, nearest first)."""
    out: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    subjects = view.subjects
    starts = view._subject_starts
    f = fig.start
    i = bisect_left(starts, f) - 1
    rank = 0
    scanned = 0
    max_before, max_distance = config.max_before, config.max_distance
    max_scanned = 4 * max_before
    while i >= 0 and rank < max_before and scanned < max_scanned:
        subject = subjects[i]
        i -= 1
        scanned += 1
        if subject.end > f:
            continue
        distance = f - subject.end
        if distance > max_distance:
            break
        ident = (subject.type, subject.key)
        if ident in seen:
            continue
        seen.add(ident)
        out.append(Candidate(subject, rank, distance))
        rank += 1
    e = fig.end
    j = bisect_left(starts, e)
    sent_end = -1  # the sentence end, looked up when a subject follows closely
    taken = 0
    n = len(subjects)
    max_after, max_after_distance = config.max_after, config.max_after_distance
    while j < n and taken < max_after:
        subject = subjects[j]
        j += 1
        distance = subject.start - e
        if distance > max_after_distance:
            break
        if sent_end < 0:
            sent_end = view.sentence_end(e)
        if subject.start >= sent_end:
            break
        ident = (subject.type, subject.key)
        if ident in seen:
            continue
        seen.add(ident)
        out.append(Candidate(subject, -1, distance, after=True))
        taken += 1
    if config.include_main and main is not None:
        # _main_subject's cache read inline: every figure of the paragraph asks
        cached = view.__dict__.get("_main_subject")
        subject = (
            cached[1] if cached is not None and cached[0] is main else _main_subject(view, main)
        )
        if ("ORG", subject.key) not in seen:
            out.append(Candidate(subject, 99, abs(fig.start - main.end), fallback=True))
    return out


def _main_subject(view: DocView, main: Ent) -> Subject:
    """The main company as a fallback subject: one object per paragraph, shared by the
    candidates of every figure (so per-subject scores can be cached by identity)."""
    cached = view.__dict__.get("_main_subject")
    if cached is None or cached[0] is not main:
        key = org_key(main)
        subject = Subject(
            main.start, main.end, "ORG", key, key, main.start, main.end, main.text, key
        )
        cached = view.__dict__["_main_subject"] = (main, subject)
    return cached[1]
