"""Context repairs of ORG candidates: boundaries, enumerations, other mentions.

The tagger decides one character at a time from a small window, so three kinds of
error recur on unseen financial news, each fixed here by a rule that looks further:

* **Cut-off legal names** (``rule`` keeps the proposal's source): a span ending in a
  legal form (``有限公司`` …) that starts in the middle of a name
  (``广州白云山天心|制药股份有限公司``, ``三羊马数园科技（重庆）|有限公司``) is extended
  left to the previous stop character, across bracketed place names.
* **Enumerations** (``rule:org.coordination``): ``中兵红箭、力量钻石、四方达`` — an item
  next to an ORG across ``、`` is an ORG of the same kind.
* **Other mentions** (``rule:org.propagate``): a name found once as an ORG is tagged
  at its other occurrences in the same text, and its short form without a legal
  suffix (``埃尼集团`` -> ``埃尼``) too.

All functions work on the equal-length match form, so offsets index the original text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pipeline.spans import EntityCandidate

RULE_COORDINATION = "rule:org.coordination"
RULE_PROPAGATE = "rule:org.propagate"
RULE_AFFILIATE = "rule:org.affiliate"
# Words after which a company's subsidiary or partner is named (全资子公司|倍特|建安).
AFFILIATE_TRIGGERS = ("子公司", "孙公司", "参股公司", "一致行动人")
# Ordinary words that follow those triggers in other sentences (子公司|相关|业务).
_COMMON_WORDS = frozenset(
    {
        "相关",
        "业务",
        "主要",
        "目前",
        "已经",
        "正在",
        "进行",
        "共同",
        "分别",
        "合计",
        "近日",
        "今年",
        "去年",
        "全部",
        "部分",
        "股权",
        "股份",
        "经营",
        "管理",
        "生产",
        "销售",
        "项目",
        "资产",
        "收入",
        "利润",
        "亏损",
        "数量",
        "名称",
        "情况",
        "以及",
        "之间",
        "层面",
        "方面",
        "注册",
        "员工",
        "董事",
        "高管",
        "业绩",
        "财务",
        "账户",
        "名下",
        "运营",
        "持有",
        "完成",
        "实现",
        "获得",
        "取得",
        "签署",
        "签订",
        "发生",
        "存在",
        "出现",
        "开展",
        "负责",
        "合并",
        "设立",
        "成立",
        "注销",
        "增资",
        "减资",
        "提供",
        "使用",
        "承担",
        "支付",
        "收到",
        "中标",
        "累计",
        "同比",
        "所在",
        "所属",
        "其他",
        "各自",
        "相应",
        "均为",
        "均已",
    }
)

# Legal forms that end a registered name; only spans ending in these are extended left.
LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "股份公司",
    "株式会社",  # Japanese companies written in Chinese (本田技研工业株式会社)
)
# Suffixes whose removal gives the short form a company is usually called by.
SHORT_FORM_SUFFIXES = (
    "集团股份有限公司",
    "股份有限公司",
    "集团有限公司",
    "有限责任公司",
    "控股有限公司",
    "有限公司",
    "股份公司",
    "控股集团",
    "集团公司",
    "集团",
)
_STOP = set(
    "，。；：、！？,.;:!?\"'“”‘’《》〈〉【】[]{}<> \t\n\u3000的在与和及了是为由向对将被把从据称于至到其该"
)
_OPEN = "（("
_CLOSE = "）)"
# Words that end an enumeration item on the right (格林美|分别净卖出) or start the first
# item on the left (已有|中兵红箭).
_ITEM_TAILS = ("分别", "均", "也", "都", "共", "各", "等", "合计", "以及", "已", "将", "此前")
_ITEM_HEADS = ("已有", "还有", "共有", "包括", "其中", "例如", "比如", "如", "有", "像")
# First characters of the words that usually follow an organisation named as a
# subject or object (称/表示/宣布/的/在/与/将/已/累计/今年/股价 …).
_AFTER_SUBJECT = set(
    "称表宣公的在与和及于将已也还拟预期累今全上本同此并再仍正曾又均则就都向对被把从为是获实发披"
    "股市旗等、近去首共继持成计提签达要认说推出开启进决召收期"
)
_MAX_ITEM = 10
_MAX_FIRST_ITEM = 6
_MAX_NAME = 30


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _is_name_char(ch: str) -> bool:
    return _is_han(ch) or (ch.isascii() and ch.isalnum()) or ch in "·&-"


def extend_legal_name(form: str, start: int, end: int) -> int:
    """New start of a span ending in a legal form whose name was cut off on the left.

    Walks left over name characters and bracketed parts (``（重庆）``) and stops at a
    stop character, a digit, or right after another ``公司`` (``子公司|天水长开…``).
    """
    orig = start
    if not form.endswith(LEGAL_FORMS, start, end) or start == 0:
        return start
    # 重庆）有限公司: the span begins inside a bracket; step back over its opening.
    inner = form[start:end]
    if form[start - 1] in _OPEN and any(c in inner for c in _CLOSE):
        if start - 1 == 0:
            return start
        start -= 1
    prev = form[start - 1]
    if not (_is_name_char(prev) or prev in _CLOSE) or prev.isdigit():
        return start
    i = start
    while i > 0 and end - i < _MAX_NAME:
        ch = form[i - 1]
        if ch in _CLOSE:
            j = i - 2
            while j >= 0 and i - j <= 8 and form[j] not in _OPEN and form[j] not in _STOP:
                j -= 1
            if j < 0 or form[j] not in _OPEN or j == 0 or not _is_name_char(form[j - 1]):
                break
            i = j
            continue
        if ch in _STOP or ch.isdigit() or not _is_name_char(ch):
            break
        if form.endswith("公司", 0, i) or form.endswith("方", 0, i):
            break
        i -= 1
    if form[i] in _OPEN:
        return orig
    return i if i < orig else orig


def _strip_tail(text: str) -> str:
    """Cut an item before the first word that follows a name (格林美|分别净卖出)."""
    cuts = [text.find(tail, 2) for tail in _ITEM_TAILS]
    cuts = [c for c in cuts if c >= 2]
    return text[: min(cuts)] if cuts else text


def _right_item(form: str, pos: int) -> tuple[int, int] | None:
    """The enumeration item starting at ``pos`` (right after ``、``).

    Only items with a clear right edge are taken: the next ``、``, ``等``, a count
    (``黄河旋风4家公司``), the end of the text, or a word that follows names
    (``格林美|分别``); an item running into a comma may hold a whole clause.
    """
    i = pos
    while i < len(form) and i - pos <= _MAX_ITEM + 2:
        ch = form[i]
        if ch == "、" or ch in _STOP or ch.isdigit() or ch in _OPEN or ch == "等":
            break
        i += 1
    raw = form[pos:i]
    item = _strip_tail(raw)
    hard = i == len(form) or form[i] in "、等" or form[i].isdigit()
    if not hard and item == raw:
        return None
    end = pos + len(item)
    return (pos, end) if 2 <= end - pos <= _MAX_ITEM else None


def _left_item(form: str, end: int) -> tuple[int, int] | None:
    """The enumeration item ending at ``end`` (right before ``、``).

    An item after another ``、`` is exact; the first item of an enumeration must start
    after a stop character or a word that introduces a list (``已有|中兵红箭``) and be
    short, since the clause before it is still in the way.
    """
    i = end
    while i > 0 and end - i <= _MAX_ITEM + 2:
        ch = form[i - 1]
        if ch == "、" or ch in _STOP or ch.isdigit() or ch in _CLOSE:
            break
        i -= 1
    if i > 0 and form[i - 1] == "、":
        return (i, end) if 2 <= end - i <= _MAX_ITEM else None
    if i > 0 and form[i - 1] not in _STOP:
        return None
    stripped = True
    while stripped:
        stripped = False
        for head in _ITEM_HEADS:
            if form.startswith(head, i) and end - i - len(head) >= 2:
                i += len(head)
                stripped = True
                break
    return (i, end) if 2 <= end - i <= _MAX_FIRST_ITEM else None


def coordinate(
    form: str,
    candidates: list[EntityCandidate],
    token_starts: Sequence[int],
    excluded: Callable[[str], bool],
    *,
    support: Callable[[int, int], float] | None = None,
    min_support: float = 0.1,
    min_confidence: float = 0.7,
    confidence: float = 0.6,
) -> list[EntityCandidate]:
    """New candidates for the neighbours of ORGs across ``、`` (enumerations).

    An item also needs some support from the tagger (mean P(not O) >= ``min_support``):
    enumerations mix kinds (``黑龙江省委、省政府``, ``荷兰、比利时``), so the neighbour
    of an ORG is only a strong hint, not proof.
    """
    taken = [(c.start, c.end) for c in candidates]
    added: list[EntityCandidate] = []
    queue = [c for c in candidates if c.confidence >= min_confidence]
    while queue:
        c = queue.pop()
        items = []
        if c.end < len(form) and form[c.end] == "、":
            items.append(_right_item(form, c.end + 1))
        if c.start > 0 and form[c.start - 1] == "、":
            items.append(_left_item(form, c.start - 1))
        for item in items:
            if item is None:
                continue
            s, e = item
            if any(s < b and a < e for a, b in taken) or excluded(form[s:e]):
                continue
            if support is not None and support(s, e) < min_support:
                continue
            new = EntityCandidate(
                start=s,
                end=e,
                label="ORG",
                source=RULE_COORDINATION,
                confidence=confidence,
                priority=1,
            )
            taken.append((s, e))
            added.append(new)
            queue.append(new)
    return added


def propagate(
    form: str,
    candidates: list[EntityCandidate],
    token_starts: Sequence[int],
    excluded: Callable[[str], bool],
    *,
    min_confidence: float = 0.5,
    max_confidence: float = 0.85,
) -> list[EntityCandidate]:
    """New candidates at the other occurrences of names already found in the text."""
    names: dict[str, tuple[float, str | None]] = {}
    for c in candidates:
        if c.confidence < min_confidence:
            continue
        name = form[c.start : c.end]
        forms = [name]
        for suffix in SHORT_FORM_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                forms.append(name[: -len(suffix)])
                break
        for f in forms:
            if len(f) < 2 or excluded(f):
                continue
            conf = min(c.confidence, max_confidence)
            if f not in names or names[f][0] < conf:
                names[f] = (conf, c.canonical)
    if not names:
        return []
    bounds = {*token_starts, len(form)}
    # characters already taken by a candidate: an overlap test is one find (a list of
    # spans made it quadratic on a text with thousands of mentions)
    taken = bytearray(len(form) + 1)
    for c in candidates:
        taken[c.start : c.end] = b"\x01" * (c.end - c.start)
    hits = []
    # A handful of names per text: str.find is cheaper than compiling a regex per text.
    for name in sorted(names, key=lambda n: (-len(n), n)):
        pos = form.find(name)
        while pos >= 0:
            hits.append((pos, pos + len(name), name))
            pos = form.find(name, pos + 1)
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    added = []
    for s, e, name in hits:
        if taken.find(1, s, e) != -1:
            continue
        if s > 0 and form[s - 1] == "《":
            continue  # 《大众软件》: a title names a work, not the organisation
        # Whole words only: a Han name must start and end on token boundaries (or next
        # to a non-Han character); an ASCII name must not touch ASCII letters/digits.
        if s > 0 and _is_name_char(form[s - 1]) and s not in bounds:
            continue
        if e < len(form) and _is_name_char(form[e]) and e not in bounds:
            continue
        # 百度|核心收入, 京东|零售: a name glued to a noun names a business segment; only
        # continue when a subject's usual next word (or no Han character) follows.
        if e < len(form) and _is_han(form[e]) and form[e] not in _AFTER_SUBJECT:
            continue
        if (s > 0 and form[s - 1].isascii() and form[s - 1].isalnum() and form[s].isascii()) or (
            e < len(form) and form[e].isascii() and form[e].isalnum() and form[e - 1].isascii()
        ):
            continue
        conf, canonical = names[name]
        added.append(
            EntityCandidate(
                start=s,
                end=e,
                label="ORG",
                source=RULE_PROPAGATE,
                confidence=conf,
                canonical=canonical,
                priority=1,
            )
        )
        taken[s:e] = b"\x01" * (e - s)
    return added


def affiliates(
    form: str,
    token_starts: Sequence[int],
    excluded: Callable[[str], bool],
    *,
    continuations: frozenset[str] = frozenset(),
    extra_starts: Sequence[int] = (),
    confidence: float = 0.6,
) -> list[tuple[int, int, str, float]]:
    """``<subsidiary trigger><name>`` where the name is two two-character tokens.

    Subsidiaries are mostly called by a four-character short name (place or brand +
    business: 洛阳|金鼎, 广西|钢铁) that pkuseg splits in two; a longer registered name
    (``…（新加坡）有限公司``) is left to the tagger and the suffix rule, so the match is
    refused when the next token continues the name (``continuations``: 公司, 集团 …).
    ``extra_starts`` are further places where such a name may start (after a
    descriptor, see :func:`descriptor_company`).
    """
    if not token_starts:
        return []
    starts = list(token_starts)
    ends = [*starts[1:], len(form)]
    index = {s: i for i, s in enumerate(starts)}
    out = []
    positions = []
    for trigger in AFFILIATE_TRIGGERS:
        pos = form.find(trigger)
        while pos >= 0:
            positions.append(pos + len(trigger))
            pos = form.find(trigger, pos + 1)
    for name_start in sorted({*positions, *extra_starts}):
        i = index.get(name_start)
        if i is None or i + 1 >= len(starts):
            continue
        a, b = (starts[i], ends[i]), (starts[i + 1], ends[i + 1])
        if b[0] != a[1] or a[1] - a[0] != 2 or b[1] - b[0] != 2:
            continue
        name = form[a[0] : b[1]]
        if form[a[0] : a[1]] in _COMMON_WORDS or form[b[0] : b[1]] in _COMMON_WORDS:
            continue
        if not all(_is_han(c) for c in name) or excluded(name):
            continue
        if b[1] < len(form):
            nxt = form[b[1] : ends[i + 2]] if i + 2 < len(ends) else form[b[1] :]
            if nxt in continuations or form[b[1]] in _OPEN:
                continue
        out.append((a[0], b[1], RULE_AFFILIATE, confidence))
    return out


# Words that describe a young company ("an AI start-up"); a span ending in one is not
# the company's name.
_STARTUP_WORDS = ("初创公司", "初创企业", "创业公司", "新创公司")
# An indefinite determiner shortly before a span (与一家本地生物科技公司合作): the span
# describes an unnamed company; 一家名为…的公司 introduces a name and is no such case.
INDEFINITE_BEFORE = re.compile(
    r"(?:一家|多家|这家|那家|某家|某|一些|几家)[^，。；,;、名叫为]{0,4}$"
)
# Role words written in Latin right after a company (星河公司CEO): no apposition.
_LATIN_ROLES = ("ceo", "cfo", "coo", "cto", "cio", "vp", "CEO", "CFO", "COO", "CTO", "CIO", "VP")


def descriptor_company(form: str, start: int, end: int) -> bool:
    """``矿业公司|洛阳钼业``: a four-character ``<industry>公司`` glued to the name it
    describes is an apposition, not an organisation (a real name would be followed by
    a subject's usual next word: 星河公司|宣布)."""
    if form.endswith(_STARTUP_WORDS, start, end):
        return True  # 杭州人工智能初创公司|DeepSeek: a description, never a name
    if (
        end - start >= 5
        and form.endswith("公司", start, end)
        and end < len(form)
        and "a" <= form[end].lower() <= "z"
        and not form.startswith(_LATIN_ROLES, end)
    ):
        return True  # 美国工业软件公司|Altair Engineering: the Latin name is the company
    return (
        end - start == 4
        and form.endswith("公司", start, end)
        and end < len(form)
        and _is_han(form[end])
        and form[end] not in _AFTER_SUBJECT
        and (start == 0 or not _is_han(form[start - 1]))
    )


def trim_leading_words(
    form: str,
    start: int,
    end: int,
    leading_words: Sequence[str],
    token_starts: Sequence[int] | set[int],
    is_generic: Callable[[str], bool],
    known: Callable[[str], bool],
    walked_from: int | None = None,
) -> int:
    """New start after verbs and role words glued to the front of a name.

    The tagger, and the left walk of :func:`extend_legal_name`, often take the word
    before a legal name into the span (``股东|厦门象屿集团有限公司``,
    ``增设|湖北三宁化工股份有限公司``, ``诉|五矿国际信托有限公司``): these words
    (``configs/orgs/leading_words.tsv``) introduce a name and never begin one.  The cut
    is made only where pkuseg also sees a word boundary, when at least two name
    characters remain that are not a generic word, and never inside a known
    (gazetteer) name; it repeats for stacked words (``最后|关联方|…``).

    ``walked_from`` is where the span started before :func:`extend_legal_name` walked
    left over "name characters" without knowing words: inside that walked-over part a
    leading word may stand anywhere (``刘某同志|任|<name>有限公司``), and the name
    starts after the last one.
    """
    if not leading_words:
        return start
    starts = token_starts if isinstance(token_starts, set) else set(token_starts)
    if walked_from is not None and walked_from > start:
        for cut in range(walked_from, start, -1):
            if (
                cut in starts
                and end - cut >= 2
                and any(form.endswith(word, start, cut) for word in leading_words)
                and not is_generic(form[cut:end])
            ):
                start = cut
                break
    words, lengths = _word_set(leading_words)
    moved = True
    while moved:
        moved = False
        if known(form[start:end]):
            break
        # longest words first; a word starts at the span start, or before it and ends
        # inside it (大|股|东软银集团: pkuseg cut 股东, the tagger began at its last char)
        for length in lengths:
            for back in range(min(length - 1, start), -1, -1):
                cut = start - back + length
                if (
                    form[start - back : cut] in words
                    and cut in starts
                    and end - cut >= 2
                    and not is_generic(form[cut:end])
                ):
                    start = cut
                    moved = True
                    break
            if moved:
                break
    return start


_WORD_SETS: dict[int, tuple[Sequence[str], frozenset[str], tuple[int, ...]]] = {}


def _word_set(words: Sequence[str]) -> tuple[frozenset[str], tuple[int, ...]]:
    """``words`` as a set and their lengths, longest first (cached per sequence object,
    which is the matchers' own tuple: built once, not per span)."""
    cached = _WORD_SETS.get(id(words))
    if cached is None or cached[0] is not words:
        lengths = tuple(sorted({len(w) for w in words}, reverse=True))
        cached = _WORD_SETS[id(words)] = (words, frozenset(words), lengths)
    return cached[1], cached[2]
