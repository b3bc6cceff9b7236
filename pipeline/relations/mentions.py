"""Character-level rules that find metric, segment, anaphor and cue mentions.

pkuseg tokens do not line up with these mentions (``生成式AI业务收入`` may be one
token or four), so every rule here matches the normalised text directly and stores
offsets.  Mentions never overlap an entity (MONEY/PERCENT/DATE/ORG), except that an
ORG whose text is a known internal unit (云智能集团) is treated as a segment.

Segment rules, in order of strength:

1. ``name`` rows of ``segments.tsv`` (known internal units and product lines);
2. a suffix cue (业务/板块/分部/事业群 ...) with the name scanned backwards up to a
   stop word, punctuation or an entity (``其中生成式AI业务`` -> 生成式AI);
3. an enumeration before a suffix (``A、B（别名）、C三个板块``) -> one segment each,
   the parenthesised alias linked to the same canonical name;
4. a quoted name followed by a suffix or a metric (``“手机×AIoT”分部收入``);
5. a region word followed by 市场/地区/业务 or a metric (``海外市场收入``);
6. every later occurrence of a name found by 1-5 in the same paragraph
   (``商汤智能汽车收入`` after ``智能汽车业务``).
"""

from __future__ import annotations

import math
import operator
import re
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from pipeline.relations.document import _END, _ONES, _START, CLAUSE_BREAKS, Cue, DocView, Mention
from pipeline.relations.lexicon import Lexicons

_NAME_BREAKS = CLAUSE_BREAKS | frozenset("、“”\"'《》<>[]【】/|:：")
_NAME_BREAK_RE = re.compile("[" + re.escape("".join(sorted(_NAME_BREAKS))) + "]")
_CLOSE_PAREN_RE = re.compile("[)）]")
# A half-width full stop (not after a Latin letter or digit): a name break.
# (the lookbehind after the stop: see document._HALF_WIDTH_STOP)
_HALF_WIDTH_STOP_RE = re.compile(r"\.(?<![0-9A-Za-z]\.)")
# Name scans of a paragraph that run the character loop before the flags are built.
_LOOP_SCANS = 8
_NUMERAL_CHARS = "一二三四五六七八九十两几多数0123456789"
_NUMERALS = frozenset(_NUMERAL_CHARS)
_ITEM_SEPARATORS = ("以及", "、", "和", "与")
# ... and where 分别 follows two names joined by a conjunction, 及 separates them too.
_PAIR_SEPARATORS = (*_ITEM_SEPARATORS, "及")
# Conjunctions that usually sit inside one segment name (供应链及国际业务, 油气和新能源分部).
_CONJUNCTIONS = ("及", "和", "与")
# Characters before a bare 公司/集团 that make it an anaphor (not 子公司, 科技公司).
_ANAPHOR_LEFT = frozenset("为因称而但且并据将由令使对在与和及让其该本即向给于")
# Period words before a bare 公司 that make it an anaphor (报告期内公司研发投入…); a
# bare 内 is not enough (国内公司 are domestic companies).
_ANAPHOR_LEFT_WORDS = ("期内", "年内", "季内", "同期", "当期", "本期", "全年", "年度")
_MAX_NAME = 12
# Suffix cues of a paragraph past which _suffix_segments merges its two blocking arrays.
_FEW_CUES = 16
# Names whose verdicts a finder remembers; past this the memo starts afresh.
_MAX_REMEMBERED = 4096
# Verdicts of MentionFinder._suffix_verdict other than a canonical name (not strings).
_TO_RULE = 1
_NO_NAME = 0
# How far a name may grow past _MAX_NAME to keep a Latin word whole.
_MAX_LATIN_WORD = 20


# The start and end of a (start, end) pair (C-level keys).
_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# One-character words before a suffix cue that name no segment (按渠道, 各业务, 该板块).
_FUNCTION_CHARS = frozenset("按分各其在以从对该本每此另")
# Verbs between a segment name and its metric (X实现收入, X录得营业额).
_HEAD_VERBS = ("实现", "录得", "取得", "贡献")
# One-character adverbs between a name and its head verb (B则实现…, B亦录得…).
_HEAD_ADVERBS = frozenset("则亦均也")
# ... unless the character ends a word (非美国通用会计准则, 平均, 亦即).
_ADVERB_WORDS = frozenset({"准则", "原则", "规则", "法则", "细则", "总则", "否则", "平均", "人均"})
_HEAD_VERB_ENDS = frozenset(verb[-1] for verb in _HEAD_VERBS)
# The last characters before a metric that MentionFinder._metric_heads may cut off (的,
# a head verb, 分别, an adverb).
_HEAD_CUT_ENDS = frozenset("的别") | _HEAD_VERB_ENDS | _HEAD_ADVERBS
_MAX_LIST = 60
# A market before a sector word names a market sector, not a company's segment.
_MARKET_PREFIXES = ("港股", "A股", "a股", "美股", "两市", "沪深", "沪市", "深市", "恒指")
# An unnamed organisation or group of them: never a segment name.
_UNNAMED_STARTS = ("某", "一家", "另一家", "多家", "部分", "一些", "不少")
# A cue followed by this character is cut out of other words: 投资银行业务 holds 行业
# (the market-wide "industry") only as 银行 + 业务.
_CUE_CUT_BY_NEXT = {"行业": "务"}
# A name with 和, 与 or 及 inside is two coordinated names when 分别 follows closely
# (tested inline in MentionFinder._coordination).
_RESPECTIVELY_GAP = 8


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    """Longest-first alternation so that 毛利率 wins over 毛利 at the same start."""
    ordered = tuple(sorted({w for w in words if w}, key=lambda w: (-len(w), w)))
    if not ordered:
        return None
    return _compiled(ordered)


@lru_cache(maxsize=512)
def _compiled(ordered: tuple[str, ...]) -> re.Pattern[str]:
    """Compiled alternation (cached: segment names repeat across paragraphs).

    The words are compiled as a character trie (``收(?:入|益)`` rather than
    ``收入|收益``): a flat alternation of a few hundred words makes the regex engine
    try every word at every position, the trie tries one branch per character.
    Greedy optional tails keep the longest-word-wins behaviour of the flat form; a
    large lexicon groups each level's characters into classes (:func:`_trie_pattern`).
    """
    return re.compile(_trie_pattern(ordered))


def _trie_pattern(words: Iterable[str]) -> str:
    """Regex source matching exactly ``words``, longest word first at a position.

    A lexicon whose words start with more than :data:`_TRIE_FANOUT` characters is
    compiled as a class trie (:func:`_class_trie_pattern`), a small one as the exact
    character trie (:func:`_exact_trie_pattern`); both match the same spans.
    """
    unique = sorted(set(words))
    if "" in unique or len({w[0] for w in unique}) <= _TRIE_FANOUT:
        return _exact_trie_pattern(unique)
    return _class_trie_pattern(unique, 0)


# A trie level with more distinct next characters than this is split into classes.
_TRIE_FANOUT = 8
# A split level's classes hold about this many times the square root of its number of
# next characters (measured: larger classes than the plain square root scan faster).
_CLASS_SIZE_FACTOR = 3


def _exact_trie_pattern(words: Iterable[str]) -> str:
    """Regex source of the character trie of ``words``, longest word first."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the longer continuation is optional (greedy)
            return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    return build(trie)


def _class_trie_pattern(words: list[str], depth: int) -> str:
    """Regex source matching exactly ``words`` (non-empty, sorted), longest word first,
    for a match whose first ``depth`` characters are consumed and not yet checked.

    Why: the regex engine tries the alternatives of a branch one after another, and
    after the one alternative that matches a character fails further on it still
    tests every later one.  At the root of a lexicon of a few hundred words (113
    first characters for the metrics) every position that starts some word and
    starts none here (业 of 业务, 分 of 分部) cost a test per first character.  Here a
    level's next characters are grouped into a few character classes (one test
    each); the root is one class, which the engine also uses as its first-character
    filter.  A class lets through words whose characters lie in the same classes, so
    each word end is checked by a lookbehind over the whole word: the words ending
    at a level, after the longer continuations (greedy: the longest word wins, as in
    the exact trie).  The classes at a level are disjoint, so the text picks one path
    and a lookbehind accepts exactly the words written there.
    """
    ends = [w for w in words if len(w) == depth]
    longer = [w for w in words if len(w) > depth]
    nexts = sorted({w[depth] for w in longer})
    if depth == 0:
        groups = [nexts]  # (one class: the engine's first-character filter)
    elif len(nexts) <= _TRIE_FANOUT:
        groups = [[ch] for ch in nexts]
    else:
        size = math.ceil(_CLASS_SIZE_FACTOR * math.sqrt(len(nexts)))
        groups = [nexts[i : i + size] for i in range(0, len(nexts), size)]
    branches = []
    for group in groups:
        chars = set(group)
        head = re.escape(group[0]) if len(group) == 1 else _char_class(group)
        branches.append(
            head + _class_trie_pattern([w for w in longer if w[depth] in chars], depth + 1)
        )
    if ends:
        branches.append("(?<=" + _exact_trie_pattern(ends) + ")")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def _char_class(chars: Iterable[str]) -> str:
    """A regex character class of ``chars``."""
    return "[" + "".join(re.escape(ch) for ch in chars) + "]"


_PARENS = re.compile(r"[(（][^)）]*[)）]")


# Share cues a segment name may stand before, and words between the two (则占).
_SHARE_HEAD_CUES = frozenset({"占比", "占"})
_SHARE_HEAD_FILLERS = "则也亦约共"
_MAX_SUFFIX_WORD = 4  # the longest segment word looked for before a conjunction
# Words before the total of a share (占[服务]收入比重): no segment stands there.
_SHARE_LEFT = ("占", "占总", "占公司", "占集团")


def _no_parens(text: str) -> str:
    """``text`` without parenthesised parts (智能汽车（绝影） -> 智能汽车), not stripped.

    Most names have no bracket at all: they are returned as they are, without a regex.
    """
    if "(" in text or "（" in text:
        return _PARENS.sub("", text)
    return text


@lru_cache(maxsize=8192)
def _strip_alias(text: str) -> str:
    """A name without its parenthesised alias: 智能汽车（绝影） -> 智能汽车."""
    return _no_parens(text).strip()


# bytes.translate tables: 1 where a byte is 1 (or 2), else 0.
_CODE_1 = bytes(int(code == 1) for code in range(256))
_CODE_2 = bytes(int(code == 2) for code in range(256))


def _either(a: bytes | bytearray, b: bytes | bytearray) -> bytearray:
    """Per position, ``a[i] | b[i]`` (two arrays of one length, as one big-integer OR)."""
    merged = int.from_bytes(a, "little") | int.from_bytes(b, "little")
    return bytearray(merged.to_bytes(len(a), "little"))


def _any(flags: bytearray, start: int, end: int) -> bool:
    """True when any byte of ``flags[start:end]`` is set (C-speed search)."""
    return flags.find(1, start, end) != -1


@lru_cache(maxsize=8192)
def segment_key(text: str) -> str:
    """Comparison key of a segment name: no quotes, alias, suffix cue or case.

    >>> segment_key("“视觉AI（传统AI）”业务")
    '视觉ai'
    """
    from pipeline.relations.textnorm import normalize

    out = _no_parens(normalize(text))
    out = out.strip(" “”\"'「」『』")
    changed = True
    while changed:
        changed = False
        for suffix in (
            "业务集团",
            "业务板块",
            "业务分部",
            "业务线",
            "业务",
            "品牌",
            "系列",
            "渠道",
            "产品",
            "组合",
            "板块",
            "分部",
            "事业群",
            "事业部",
            "市场",
            "地区",
        ):
            if out.endswith(suffix) and len(out) > len(suffix):
                out = out[: -len(suffix)].rstrip()
                changed = True
    return out.strip(" “”\"'").lower()


class MentionFinder:
    """Compiled matchers for one set of lexicons (built once, reused per document)."""

    def __init__(self, lex: Lexicons) -> None:
        self.lex = lex
        self.metric_re = _alternation(lex.metrics)
        self.cue_table: dict[str, list[tuple[str, str]]] = {}
        for category, table in lex.cues.items():
            for surface, value in table.items():
                self.cue_table.setdefault(surface, []).append((category, value))
        self.cue_re = _alternation(self.cue_table)
        segs = lex.segments
        self.suffix_re = _alternation(segs.get("suffix", {}))
        self.suffix_words = tuple(segs.get("suffix", {}))
        # cues inside which another cue may start (产业 of 房地产业务): where one is found,
        # _suffix_hits searches again from every cue's next character
        firsts = {word[0] for word in self.suffix_words if word}
        # no cue starts with a space or a conjunction (the lexicon's words: _metric_heads
        # then need not test a cue's first character)
        self.suffix_plain_starts = not any(ch.isspace() or ch in _CONJUNCTIONS for ch in firsts)
        self.suffix_nesting = frozenset(
            word for word in self.suffix_words if any(ch in firsts for ch in word[1:])
        )
        self.name_re = _alternation(segs.get("name", {}))
        # known names -> canonical ("" when none); the lexicons are fixed once compiled
        self.segment_names: dict[str, str] = segs.get("name", {})
        self.region_re = _alternation(segs.get("region", {}))
        self.stops = set(segs.get("stop", {}))
        # last character -> the stop words ending with it
        self.stop_lasts: dict[str, tuple[str, ...]] = {}
        for word in sorted(self.stops):
            self.stop_lasts[word[-1]] = (*self.stop_lasts.get(word[-1], ()), word)
        # The characters at which _scan_loop does more than test the entity flag: a
        # bracket, a name break, a half-width stop, the last character of a stop word.
        self.scan_specials = frozenset(("）", ")", ".", *_NAME_BREAKS, *self.stop_lasts))
        stops = sorted(self.stops, key=lambda w: (-len(w), w))
        self.stop_scan = re.compile(_trie_pattern(stops)) if stops else None
        self.notnames = set(segs.get("notname", {}))
        self.list_words = set(segs.get("list", {}))
        self.market_re = _alternation(lex.cues.get("market", {}))
        self.notname_suffixes = tuple(segs.get("notsuffix", {}))
        self.keeps = sorted(segs.get("keep", {}), key=len, reverse=True)
        self.keep_re = _alternation(self.keeps)
        self.anaphor_re = _alternation(lex.anaphors)
        self.quote_re = re.compile(r"[“\"]([^”\"“]{1,15})[”\"]")
        # text before a usual suffix cue -> _suffix_verdict(text)
        self._suffix_verdicts: dict[str, str | int] = {}

    # -- public ----------------------------------------------------------------------
    def annotate(self, view: DocView) -> None:
        """Fill ``view.metrics``, ``view.cues``, ``view.segments`` and ``view.anaphors``."""
        self._find_metrics(view)
        self._find_cues(view)
        self._find_segments(view)
        self._find_anaphors(view)

    # -- metrics and cues --------------------------------------------------------------
    def _free(self, view: DocView, start: int, end: int) -> bool:
        return not _any(view.covered, start, end)

    def _find_metrics(self, view: DocView) -> None:
        if self.metric_re is None:
            return
        covered, text, table = view.covered, view.text, self.lex.metrics
        append = view.metrics.append
        # the metrics' characters (_metric_cover), marked here as each metric is found:
        # no second pass over the list and no function call per paragraph
        cover = view.__dict__["_metric_cover"] = bytearray(len(text))
        for m in self.metric_re.finditer(view.norm):
            start, end = m.span()
            if covered.find(1, start, end) != -1:
                continue
            n = end - start
            cover[start:end] = _ONES[:n] if n <= len(_ONES) else b"\x01" * n
            surface = m.group()
            # (one lookup: the regex matches lexicon keys, _lex_key is a safety net)
            canonical, mtype = table.get(surface) or table[_lex_key(table, surface)]
            append(
                Mention(
                    start,
                    end,
                    text[start:end],
                    "METRIC",
                    canonical,
                    "rule:metric.lexicon",
                    {"metric_type": mtype},
                )
            )

    def _find_cues(self, view: DocView) -> None:
        if self.cue_re is None:
            return
        in_metric = _metric_cover(view)
        covered, table, cues = view.covered, self.cue_table, view.cues
        norm, search = view.norm, self.cue_re.search
        pos = 0
        while (m := search(norm, pos)) is not None:
            start, end = m.span()
            # A rejected cue is searched again one character later: 2023年|增长 must not
            # lose 增长 to 年增 (a Taiwan cue) starting on the DATE's last character.
            pos = start + 1
            # 占 inside 股东应占溢利 is part of a metric, not a share cue
            if in_metric.find(1, start, end) != -1:
                continue
            # A cue over an entity is text of that entity, except a comparison phrase
            # that holds its own base period (较去年同期 / 比上年同期: DATE 去年同期).
            first_covered = covered.find(1, start, end)
            over_entity = first_covered != -1
            if over_entity and not _dates_inside(view, start, end):
                # the longest cue that ends before the entity (较|上年末: 较, a base cue,
                # not 较上年, a yoy cue cut through the DATE 上年末)
                m = self.cue_re.match(norm, start, first_covered)
                if m is None:
                    continue
                start, end = m.span()
                over_entity = False
            pos = end
            surface = m.group()
            cut_by = _CUE_CUT_BY_NEXT.get(surface)  # (a test, not a startswith per cue)
            if cut_by is not None and norm.startswith(cut_by, end):
                continue  # 银|行业|务: the cue's characters belong to other words
            for category, value in table.get(surface) or table[_lex_key(table, surface)]:
                if over_entity and category != "comparison":
                    continue
                cues.append(Cue(start, end, category, value, surface))

    # -- segments ----------------------------------------------------------------------
    def _find_segments(self, view: DocView) -> None:
        found: list[Mention] = []
        norm = view.norm
        # (two substring tests: most paragraphs need no quote regex)
        has_quote = "“" in norm or '"' in norm
        regions = list(self.region_re.finditer(norm)) if self.region_re is not None else []
        # the metrics' starts, read only by the quote and region rules
        metric_starts = {m.start for m in view.metrics} if has_quote or regions else set()
        if self.name_re is not None:
            for m in self.name_re.finditer(norm):
                if not self._free(view, m.start(), m.end()) and not self._only_orgs(
                    view, m.start(), m.end()
                ):
                    continue
                found.append(self._segment(view, m.start(), m.end(), "rule:segment.name"))
        in_metric = _metric_cover(view)
        hits = self._suffix_hits(norm) if self.suffix_re is not None else []
        if self.suffix_re is not None:
            found.extend(self._suffix_segments(view, hits, in_metric))
        for m in self.quote_re.finditer(norm) if has_quote else ():
            after = m.end()
            tail = norm[after : after + 6]
            if (
                (self.suffix_re is not None and self.suffix_re.match(tail))
                or any(after + k in metric_starts for k in range(3))
            ) and self._free(view, m.start(1), m.end(1)):
                found.append(self._segment(view, m.start(1), m.end(1), "rule:segment.quoted"))
        if self.region_re is not None:
            for m in regions:
                if not self._free(view, m.start(), m.end()):
                    continue
                end = m.end()
                for tail in ("市场", "地区"):
                    if norm.startswith(tail, end):
                        end += len(tail)
                        break
                rest = end
                for tail in ("整体", "总"):
                    if norm.startswith(tail, rest):
                        rest += len(tail)
                suffix_next = self.suffix_re is not None and self.suffix_re.match(norm, rest)
                # 海外市场 / 中国区 name a region segment; a bare region word only when a
                # metric or a suffix follows (海外收入, 国际业务), not in 在香港上市.
                if rest in metric_starts or suffix_next or end > m.end():
                    found.append(self._segment(view, m.start(), end, "rule:segment.region"))
        # Strong names (and their repeats) first; weak metric-head names only where
        # nothing stronger was found, then their own repeats.
        found, cover = self._propagate(view, _dedupe(found))
        # (end -> start of the cues, built by C-level maps: a thousand cues in a long list)
        suffix_ends = dict(zip(map(_SECOND, hits), map(_FIRST, hits), strict=True))
        heads = self._metric_heads(view, found, cover, in_metric, suffix_ends)
        # names before a share cue, parallel to a segment found so far (heads included)
        # (both share cues it reads, 占 and 占比, hold 占: without it, no sort and no call)
        if "占" in norm:
            heads += self._share_heads(view, sorted(found + heads, key=_START))
        if heads:  # without new names, a second dedupe + propagate would change nothing
            found, cover = self._propagate(view, _dedupe(found + heads))
        view.segments = found
        # (the segments' characters, for _find_anaphors: no second pass over the list)
        view.__dict__["_segment_cover"] = (found, len(found), cover)

    def _suffix_segments(
        self, view: DocView, hits: list[tuple[int, int]], in_metric: bytearray
    ) -> list[Mention]:
        """The segments :meth:`_from_suffix` finds before the suffix cues ``hits``, in
        cue order (cues over an entity or a metric, and 产业链, name none).

        Why: a long list of segments (第N分部业务收入 …) has a cue per name, and the
        calls of one cue (:meth:`_from_suffix`, :meth:`_scan_back`,
        :meth:`_coordination`, :meth:`_segment`) cost more than their work.  The usual
        cue is read here in one loop over the paragraph's flag arrays: once the scan
        flags exist, with no space or list word before the cue, no bracket, conjunction
        stop word or cut Latin word in the scan, no list comma before the name and no
        和/与/及 in it, and a name of two characters or more.  Every other cue goes
        through :meth:`_from_suffix`; ``tests/relations/test_mentions.py`` requires the
        same mentions from both on every corpus paragraph.
        """
        norm, text, covered = view.norm, view.text, view.covered
        cache = view.__dict__
        names = self.segment_names
        verdicts = self._suffix_verdicts
        found: list[Mention] = []
        flags = None
        # (one search: most paragraphs have no 链, and a long list has a thousand cues)
        has_chain = "链" in norm
        # the characters of the entities and metrics, one array where the cues are many
        # (one search per cue instead of two; merging costs more than a few searches)
        blocked = _either(covered, in_metric) if len(hits) > _FEW_CUES else None
        for start, end in hits:
            if blocked is not None:
                if blocked.find(1, start, end) != -1:
                    continue
            elif covered.find(1, start, end) != -1 or in_metric.find(1, start, end) != -1:
                continue
            if has_chain and norm.startswith("链", end):
                continue  # 光伏产业链 is no segment
            cue = norm[start:end]
            if flags is None:
                # (read until the first _from_suffix scans have built them, then kept)
                flags = cache.get("_scan_flags")
                if flags is None:
                    found.extend(self._from_suffix(view, start, cue))
                    continue
                hard, special = flags
            # The usual scan, inline (a call per cue cost more than its tests): where
            # _scan_back (length _MAX_NAME) starts the name when the flags alone decide
            # it.  Any other cue goes to _from_suffix: a bracket or conjunction stop word
            # in the scan, a cut Latin word, an empty name, a space or list comma (maybe
            # a coordination) before it, and the names _suffix_verdict leaves to the
            # rule (a space or list word before the cue, a space or conjunction at the
            # name's start: tests of the name's text, remembered with its verdict).
            lowest = start - _MAX_NAME if start > _MAX_NAME else 0
            k = hard.rfind(1, lowest, start)
            name_start = k + 1 if k != -1 else lowest
            if (
                special.find(1, k if k > lowest else lowest, start) != -1
                or (k == -1 and lowest > 0 and _is_ascii_alnum(norm[lowest - 1]))
                or name_start == 0
                or name_start >= start
                or norm[name_start - 1].isspace()
                or norm[name_start - 1] == "、"
            ):
                found.extend(self._from_suffix(view, start, cue))
                continue
            raw = norm[name_start:start]
            # (a long list repeats its names: the verdict per text, remembered, replaces
            # the tests and lookups of every cue; the lexicons are fixed, so it never
            # changes)
            verdict = verdicts.get(raw)
            if verdict is None:
                if len(verdicts) >= _MAX_REMEMBERED:
                    verdicts.clear()
                verdict = verdicts[raw] = self._suffix_verdict(raw)
            if verdict is _NO_NAME:
                continue
            if verdict is _TO_RULE:
                found.extend(self._from_suffix(view, start, cue))
                continue
            seg = text[name_start:start]
            # (the canonical name remembered is that of a text read as its normalised copy)
            canon = verdict if seg == raw else names.get(raw) or _strip_alias(seg)
            found.append(
                Mention(
                    name_start,
                    start,
                    seg,
                    "SEGMENT",
                    canon,
                    "rule:segment.suffix",
                    {"suffix": cue},
                )
            )
        return found

    def _suffix_verdict(self, raw: str) -> str | int:
        """What :meth:`_suffix_segments` does with the text ``raw`` its usual scan found
        before a suffix cue: :data:`_TO_RULE` (leave the cue to :meth:`_from_suffix`: a
        possible coordination, 和/与/及 inside, or a one-character name; a space or
        list word before the cue, a space or conjunction at the name's start: the name
        is not the usual one), :data:`_NO_NAME` (no segment), else the canonical name of
        the segment.  ``raw`` is not empty."""
        if "和" in raw or "与" in raw or "及" in raw:  # (a conjunction at its start too)
            return _TO_RULE
        if raw[0].isspace() or raw[-1].isspace() or raw[-1] in self.list_words:
            return _TO_RULE
        name = raw.strip()
        if self._no_suffix_name(name):
            return _NO_NAME
        if len(name) == 1:
            return _TO_RULE
        return self.segment_names.get(raw) or _strip_alias(raw)

    def _no_suffix_name(self, name: str) -> bool:
        """True when the text before a suffix cue names no segment: empty, a listed
        non-name, numerals only, or a market sector (港股新能源汽车板块)."""
        return (
            not name
            or name in self.notnames
            or not name.strip(_NUMERAL_CHARS)
            or name.startswith(_MARKET_PREFIXES)
        )

    def _suffix_hits(self, norm: str) -> list[tuple[int, int]]:
        """Suffix cue spans; of two overlapping cues the one ending later wins
        (房地产业务: 业务, not 产业), so the name keeps its last characters."""
        assert self.suffix_re is not None
        # Usually no cue found can hold the start of another (业务, 分部): the scan's
        # non-overlapping matches are then every cue's start (one C-level scan instead
        # of a search per cue; a long list of segments has a thousand cues).
        matches = list(self.suffix_re.finditer(norm))
        if self.suffix_nesting.isdisjoint(map(re.Match.group, matches)):
            return list(map(re.Match.span, matches))
        # one hit per start (the longest cue there), in order of start: a search from
        # one past each hit replaces a finditer over an overlapping lookahead
        # ``(?=(cues))``, which gives the engine no first-character set (it entered the
        # lookahead at every position instead of skipping to a cue's first character)
        spans: list[tuple[int, int]] = []
        search = self.suffix_re.search
        pos = 0
        while (m := search(norm, pos)) is not None:
            span = m.span()
            spans.append(span)
            pos = span[0] + 1
        # no two cues overlap (sorted by start: neighbours suffice); C-level maps instead
        # of a generator over pairs (a long list of segments has a thousand cues)
        if all(map(operator.le, map(_SECOND, spans), map(_FIRST, spans[1:]))):
            return spans
        hits = sorted(spans, key=lambda h: (-h[1], h[0]))
        kept: list[tuple[int, int]] = []
        occupied = bytearray(len(norm))
        for start, end in hits:
            if _any(occupied, start, end):
                continue
            occupied[start:end] = b"\x01" * (end - start)
            kept.append((start, end))
        return sorted(kept)

    @staticmethod
    def _only_orgs(view: DocView, start: int, end: int) -> bool:
        """True when ``[start, end)`` overlaps only ORG entities, each inside the span or
        containing it: a known internal unit (云智能集团) tagged or cut as an ORG
        (云智能) is still a segment."""
        overlapping = [e for e in view.ents if e.start < end and start < e.end]
        return bool(overlapping) and all(
            e.label == "ORG"
            and ((start <= e.start and e.end <= end) or (e.start <= start and end <= e.end))
            for e in overlapping
        )

    def _metric_heads(
        self,
        view: DocView,
        found: list[Mention],
        taken: bytearray,
        in_metric: bytearray,
        suffix_ends: dict[int, int],
    ) -> list[Mention]:
        """Names written right before a metric: 住宿预订营业收入 -> segment 住宿预订.

        Weak evidence (source ``rule:segment.metric_head``): the classifier weighs it
        against the company, and names that are time words or generic words
        (``notname`` rows) are dropped.  ``taken``: the characters of ``found`` (from
        :meth:`_propagate`); ``suffix_ends``: end -> start of the suffix cues
        (:meth:`_suffix_hits`).
        """
        out: list[Mention] = []
        head_metrics = self.lex.segments.get("head_metric", {})
        suffixes = self.lex.segments.get("suffix", {})
        norm, cache = view.norm, view.__dict__
        for metric in view.metrics:
            end = metric.start
            if end == 0 or in_metric[end - 1]:
                continue
            if metric.canonical not in head_metrics:
                continue
            # (one test: each cut below needs its own last character before the metric,
            # and most metrics follow none of them)
            if norm[end - 1] in _HEAD_CUT_ENDS:
                if norm[end - 1] == "的" and end > 1 and not taken[end - 2]:
                    end -= 1  # 香港物业发展的税前溢利 -> 香港物业发展
                for verb in _HEAD_VERBS if norm[end - 1] in _HEAD_VERB_ENDS else ():
                    if norm.startswith(verb, end - len(verb)) and end - len(verb) > 0:
                        end -= len(verb)  # LPCVD设备实现收入 -> LPCVD设备
                        break
                if norm.startswith("分别", end - 2) and end > 2:
                    end -= 2  # 酱油、调味酱和蚝油分别实现收入: the names end before 分别
                if (
                    end > 2
                    and norm[end - 1] in _HEAD_ADVERBS
                    and norm[end - 2 : end] not in _ADVERB_WORDS
                ):
                    end -= 1  # A…，B则实现营业收入…: 则 is no part of the name
            cue_start = suffix_ends.get(end)  # (tested here: most metrics follow no cue)
            if cue_start is not None and end - cue_start <= _MAX_NAME:
                # The name _scan_back would find before ``end`` surely ends with the
                # suffix cue when the scan passes the whole cue: no stop, entity or
                # bracket in it (the scan flags tell, once built), the cue within the
                # length limit, no space or conjunction at its start.  A long list of
                # segments (第N分部业务收入) has a cue before every metric: this saves a
                # scan per metric (inline: the method it was cost more than its test).
                flags = cache.get("_scan_flags")
                if (
                    flags is not None
                    and flags[0].find(1, cue_start, end) == -1
                    and flags[1].find(1, cue_start, end) == -1
                    and (
                        self.suffix_plain_starts
                        or not (norm[cue_start].isspace() or norm[cue_start] in _CONJUNCTIONS)
                    )
                ):
                    continue  # 第3分部业务收入: a name ending in a suffix word is never a head
            before = norm[end - 1]
            if view.covered[end - 1] or (before in _NAME_BREAKS and before != "、"):
                # an entity or a break right before: the scan would find an empty name
                # and no coordination (only a list comma can end one), so no head; the
                # test skips the scan (and a paragraph's stop-word flags, when no other
                # name is scanned)
                continue
            start = self._scan_back(view, end, _MAX_NAME)
            raw = norm[start:end]
            if _may_coordinate(norm, start, raw):
                items = self._coordination(view, start, end, metric.end)
                if items and not any(_any(taken, m.start, m.end) for m in items):
                    out.extend(items)
                    continue
            name = raw.strip()
            if len(_no_parens(name).strip()) < 2:
                continue  # only a bracket left (腾讯控股（00700.HK）收入)
            if view.norm.endswith(_SHARE_LEFT, max(0, start - 3), start):
                continue  # 占服务收入比重: the total after 占 is the denominator
            # 百度核心收入: a name glued to an ORG is judged with the ORG (百度核心 is a
            # unit even though 核心 alone names nothing)
            glued_unit = (
                start > 0
                and view.covered[start - 1]
                and _ORG_UNIT_MIN <= end - start <= _ORG_UNIT_MAX
                and _org_ending_at(view, start) is not None
            )
            if (
                len(name) < 2
                or (name in self.notnames and not glued_unit)
                or name in self.lex.anaphors
                or name in suffixes
                or name.endswith(self.suffix_words)
                or (_any(taken, start, end) and not self._extends(found, start, end))
                or _any(in_metric, start, end)
                or not name.strip(_NUMERAL_CHARS)  # numerals only
                or name.endswith(self.notname_suffixes)
                or name.startswith(_UNNAMED_STARTS)  # 一家头部券商收入: no segment
                or (self.market_re is not None and self.market_re.search(name))
            ):
                continue
            glued = _org_ending_at(view, start) if start > 0 and view.covered[start - 1] else None
            if glued is not None and _ORG_UNIT_MIN <= end - start <= _ORG_UNIT_MAX:
                # 京东零售收入 / TCL华星营业收入: the ORG and the name glued to it form an
                # internal unit (a segment); the bare ORG is then no competing subject.
                start = glued.start
            mention = self._segment(view, start, end, "rule:segment.metric_head")
            if (start > 0 and view.covered[start - 1]) or glued is not None:
                mention.extra["after_entity"] = True
            out.append(mention)
        return out

    def _share_heads(self, view: DocView, found: list[Mention]) -> list[Mention]:
        """A name right before a share cue, parallel to a segment of the same sentence:
        手机平台营收占比约59%，智慧装置平台占比约32% -> segment 智慧装置平台.

        Only where the sentence already has a segment (the parallel structure): a bare
        name before 占比 alone (女性员工占比) is left alone.
        """
        if not found:
            return []
        out: list[Mention] = []
        norm = view.norm
        seg_starts = [m.start for m in found]
        for cue in view.cues:
            if cue.category != "share" or cue.text not in _SHARE_HEAD_CUES:
                continue
            end = cue.start
            while end > 0 and norm[end - 1] in _SHARE_HEAD_FILLERS:
                end -= 1  # 消费智能产品则占46%
            if end == 0 or view.covered[end - 1] or any(m.end == end for m in view.metrics):
                continue  # a figure, or a metric (the metric-head rule's case)
            sent_start = view.sentence_start(end)
            if bisect_left(seg_starts, sent_start) == bisect_left(seg_starts, end):
                continue  # no segment earlier in the sentence: no parallel structure
            start = self._scan_back(view, end, _MAX_NAME)
            name = norm[start:end].strip()
            if (
                len(name) < 2
                or name in self.notnames
                or name in self.lex.anaphors
                or not name.strip(_NUMERAL_CHARS)
                or any(m.start < end and start < m.end for m in found)
            ):
                continue
            out.append(self._segment(view, start, end, "rule:segment.share_head"))
        return out

    @staticmethod
    def _extends(found: list[Mention], start: int, end: int) -> bool:
        """True when ``[start, end)`` strictly extends, to the left, every mention it
        overlaps (游戏及相关 + 增值服务): the longer name then wins the dedupe.

        ``found`` is sorted by start and free of overlaps, so only the mentions
        starting before ``end`` and after ``start - _MAX_NAME`` need a look."""
        lo = bisect_left(found, start - _MAX_NAME - 1, key=lambda m: m.start)
        hi = bisect_left(found, end, key=lambda m: m.start)
        overlapping = [m for m in found[lo:hi] if m.start < end and start < m.end]
        return all(start < m.start and m.end <= end for m in overlapping)

    def _segment(
        self,
        view: DocView,
        start: int,
        end: int,
        source: str,
        canonical: str = "",
        extra: dict[str, Any] | None = None,
    ) -> Mention:
        text = view.text[start:end]
        canon = canonical or self.segment_names.get(view.norm[start:end]) or _strip_alias(text)
        if extra is None:
            return Mention(start, end, text, "SEGMENT", canon, source)
        return Mention(start, end, text, "SEGMENT", canon, source, extra)

    def _scan_back(self, view: DocView, end: int, limit: int, parens: bool = True) -> int:
        """Start of a segment name ending at ``end`` (stops at breaks, entities, stops).

        Most scans meet neither a closing bracket nor a conjunction stop word: they end
        at the last hard stop (break, entity, stop word) before ``end``, which two C
        searches over per-paragraph flag arrays find (:meth:`_scan_flags`).  The other
        scans take the character loop.
        """
        norm = view.norm
        lowest = end - limit if end > limit else 0
        if end > lowest and (view.covered[end - 1] or norm[end - 1] in _NAME_BREAKS):
            return end  # stopped at once: no flags or stop words needed
        # the cached flags read inline (a long list of names scans once per name)
        flags = view.__dict__.get("_scan_flags") or self._scan_flags(view)
        if flags is None:
            j = self._scan_loop(view, end, lowest, parens)
        else:
            hard, special = flags
            k = hard.rfind(1, lowest, end)
            if parens and special.find(1, max(k, lowest), end) == -1:
                j = k if k != -1 else lowest - 1
            else:
                j = self._scan_loop(view, end, lowest, parens)
        start = j + 1
        if 0 < start < end and j == lowest - 1 and _is_ascii_alnum(norm[start - 1]):
            # the length limit cut a Latin word (Reality Labs部门 -> ality Labs部门):
            # take the whole word, a Latin name is never cut inside a word
            while (
                start > 0 and start > lowest - _MAX_LATIN_WORD and _is_ascii_alnum(norm[start - 1])
            ):
                start -= 1
        while start < end and (norm[start].isspace() or norm[start] in _CONJUNCTIONS):
            start += 1
        return start

    def _scan_flags(self, view: DocView) -> tuple[bytearray, bytearray] | None:
        """Per position, for :meth:`_scan_back` (once per paragraph): ``hard`` marks where
        every scan stops (a name break, an entity, a stop word that is no conjunction),
        ``special`` where the character loop must decide (a closing bracket, a
        conjunction stop word).

        None for the first :data:`_LOOP_SCANS` scans of a paragraph: building the
        flags costs about as much as that many character loops, so a news paragraph
        with a few names never builds them; a long list of names does, once.
        """
        d = view.__dict__
        cached = d.get("_scan_flags")
        if cached is not None:
            return cached
        scans = d.get("_scans", 0)
        if scans < _LOOP_SCANS:
            d["_scans"] = scans + 1
            return None
        norm = view.norm
        stop_end = self._stop_ends(view)
        # (the stop words' codes split and merged with the entities at C speed, not a
        # loop per stop word: a long list of names has one before every figure)
        hard = _either(view.covered, stop_end.translate(_CODE_1))
        special = bytearray(stop_end.translate(_CODE_2))
        for m in _NAME_BREAK_RE.finditer(norm):
            hard[m.start()] = 1
        for m in _HALF_WIDTH_STOP_RE.finditer(norm):
            hard[m.start()] = 1  # as in the character loop: a full stop, not a decimal
        if ")" in norm or "）" in norm:  # (two searches: most paragraphs have no bracket)
            for m in _CLOSE_PAREN_RE.finditer(norm):
                special[m.start()] = 1
        cached = view.__dict__["_scan_flags"] = (hard, special)
        return cached

    def _scan_loop(self, view: DocView, end: int, lowest: int, parens: bool) -> int:
        """The character loop of :meth:`_scan_back`: the position where the scan stopped
        (``lowest - 1`` when it ran to the length limit)."""
        norm = view.norm
        # A stop word can end only where the text before a position ends with one: the
        # paragraph's stop flags (the words as its one left-to-right pass matches them)
        # are built when the scan first meets such a position (a scan that stops at a
        # break or an entity before any needs none)
        stop_end: bytearray | None = None
        stop_lasts = self.stop_lasts
        covered, name_breaks = view.covered, _NAME_BREAKS
        specials = self.scan_specials
        j = end - 1
        while j >= lowest:
            ch = norm[j]
            if ch not in specials:
                # (most characters: one set test instead of the four below, none of
                # which stops or skips at it; only an entity does)
                if covered[j]:
                    break
                j -= 1
                continue
            if parens and ch in ("）", ")"):
                k = max(norm.rfind("（", 0, j), norm.rfind("(", 0, j))
                if k < lowest or k < 0:
                    break
                j = k - 1
                continue
            if ch in name_breaks or covered[j]:
                break
            if ch == "." and (j == 0 or not _is_ascii_alnum(norm[j - 1])):
                break  # a half-width full stop (…亿元.新能源汽车业务), not a decimal point
            ending = stop_lasts.get(ch)
            if ending is None or not norm.endswith(ending, 0, j + 1):
                j -= 1  # no stop word ends here, whatever the paragraph's matches
                continue
            if stop_end is None:
                stop_end = self._stop_ends(view)
            code = stop_end[j]
            if code:
                if code == 2 and j < end - 1:
                    # a conjunction inside the name: keep scanning, unless a segment
                    # word ends right before it (智联业务和|能源业务: two names)
                    if norm.endswith(self.suffix_words, max(0, j - _MAX_SUFFIX_WORD), j):
                        break
                    j -= 1
                    continue
                break
            j -= 1
        return j

    def _stop_ends(self, view: DocView) -> bytearray:
        """Per position: 1 when a stop word ends there, 2 when it is a conjunction.

        Computed once per paragraph (str.find per stop word), so the backward name
        scans are O(1) per character.  Positions inside a ``keep`` word are cleared.
        """
        cached = view.__dict__.get("_stop_ends")
        if cached is not None:
            return cached
        norm = view.norm
        out = bytearray(len(norm))
        if self.stop_scan is not None:
            # one pass, longest stop word first, non-overlapping (C-speed scan): every
            # match ends at its own position, so each end is marked once
            for m in self.stop_scan.finditer(norm):
                out[m.end() - 1] = 2 if m.group() in _CONJUNCTIONS else 1
        # (one scan first: most paragraphs hold no keep word)
        for word in self.keeps if self.keep_re is not None and self.keep_re.search(norm) else ():
            pos = norm.find(word)
            while pos != -1:
                out[pos : pos + len(word)] = bytes(len(word))
                pos = norm.find(word, pos + 1)
        view.__dict__["_stop_ends"] = out
        return out

    def _from_suffix(self, view: DocView, cue_start: int, cue: str) -> list[Mention]:
        norm = view.norm
        end = cue_start
        while end > 0 and norm[end - 1].isspace():
            end -= 1
        # Enumeration: 生成式AI、视觉AI（传统AI）、智能汽车（绝影）三个板块 / ……等业务
        list_end = end
        while list_end > 0 and norm[list_end - 1] in self.list_words:
            list_end -= 1
        if list_end < end:
            k = list_end
            while k > 0 and norm[k - 1] in _NUMERALS:
                k -= 1
            # 三大板块 / 两个业务 / 等业务: a list or nothing (集团三大板块 is no segment),
            # except that 手机部件及组装等业务 names its one example as a segment
            return self._enumeration(view, k, single_cue=cue if norm[k:end] == "等" else "")
        start = self._scan_back(view, end, _MAX_NAME)
        raw = norm[start:end]
        items = (
            self._coordination(view, start, end, cue_start + len(cue))
            if _may_coordinate(norm, start, raw)
            else None
        )
        if items:
            for item in items:
                item.extra["suffix"] = cue
            return items
        name = raw.strip()
        if self._no_suffix_name(name):
            return []
        if len(name) == 1:
            # 新业务分部 / 新业务收入: one character before the cue is no name; the name
            # is that character plus the cue's first suffix word (新业务), unless it is
            # a function word (按渠道划分, 各业务)
            if name in _FUNCTION_CHARS:
                return []
            end = cue_start + self._leading_suffix_length(cue)
        return [self._segment(view, start, end, "rule:segment.suffix", extra={"suffix": cue})]

    def _coordination(
        self, view: DocView, start: int, end: int, after: int
    ) -> list[Mention] | None:
        """Items of a coordination of names written before one suffix or metric:
        ``消费电池、动力电池和储能电池业务收入`` -> three segments, not one name.

        A name whose scan stopped at ``、`` is the last item of a list; a name with an
        inner 和/与 is two items when 分别 follows the cue (``A和B业务收入分别为…``,
        where one name would leave the second figure without its subject).  None when
        neither holds or the list has fewer than two items.
        """
        norm = view.norm
        left = start
        while left > 0 and norm[left - 1].isspace():
            left -= 1
        listed = left > 0 and norm[left - 1] == "、"
        if not listed:
            name = norm[start:end]
            # three substring tests (no generator: this runs once per suffix cue and metric)
            if "和" not in name and "与" not in name and "及" not in name:
                return None
            window = norm[after : after + _RESPECTIVELY_GAP]
            cut = min((window.find(b) for b in CLAUSE_BREAKS if b in window), default=-1)
            if "分别" not in (window[:cut] if cut >= 0 else window):
                return None
        # with 分别, 及 joins the two items too (品牌羽绒服及贴牌加工管理业务的收入分别为…)
        items = self._enumeration(view, end, pair_joins=not listed)
        return items if len(items) >= 2 else None

    def _leading_suffix_length(self, cue: str) -> int:
        """Length of the shortest suffix word ``cue`` starts with (业务分部 -> 业务)."""
        return min((len(w) for w in self.suffix_words if cue.startswith(w)), default=len(cue))

    def _enumeration(
        self, view: DocView, end: int, single_cue: str = "", pair_joins: bool = False
    ) -> list[Mention]:
        """Split ``A、B（b）和C`` ending at ``end`` into segment mentions.

        ``single_cue``: the suffix cue after ``等`` (``A等业务``); a one-item "list" is then
        a segment named like ``A业务`` (source ``rule:segment.suffix``)."""
        norm = view.norm
        lo = max(0, end - _MAX_LIST)
        j = end
        while j > lo:
            ch = norm[j - 1]
            if ch in CLAUSE_BREAKS or view.covered[j - 1]:
                break
            j -= 1
        chunk_start = j
        pieces: list[tuple[int, int]] = []
        cursor = chunk_start
        i = chunk_start
        depth = 0
        while i < end:
            ch = norm[i]
            if ch in "（(":
                depth += 1
            elif ch in "）)":
                depth = max(0, depth - 1)
            if depth == 0:
                seps = _PAIR_SEPARATORS if pair_joins else _ITEM_SEPARATORS
                sep = next((s for s in seps if norm.startswith(s, i)), None)
                if sep is not None:
                    pieces.append((cursor, i))
                    cursor = i + len(sep)
                    i = cursor
                    continue
            i += 1
        pieces.append((cursor, end))
        if len(pieces) < 2 and not single_cue:
            return []
        out: list[Mention] = []
        for n, (a, b) in enumerate(pieces):
            if n == 0:
                a = self._scan_back(view, b, b - a)
            while a < b and norm[a].isspace():
                a += 1
            while b > a and norm[b - 1].isspace():
                b -= 1
            if b <= a:
                continue
            name = _no_parens(norm[a:b]).strip()
            if not name or name in self.notnames or len(name) > _MAX_NAME:
                continue
            if len(pieces) == 1:
                mention = self._segment(view, a, b, "rule:segment.suffix")
                mention.extra["suffix"] = single_cue
                out.append(mention)
                continue
            mention = self._segment(view, a, b, "rule:segment.list")
            alias = re.search(r"[(（]([^)）]+)[)）]", view.text[a:b])
            if alias:
                mention.extra["alias"] = alias.group(1).strip()
            out.append(mention)
        return out

    def _propagate(self, view: DocView, found: list[Mention]) -> tuple[list[Mention], bytearray]:
        """Add later occurrences of every segment name (and alias) found so far.

        ``found`` must be a :func:`_dedupe` result (sorted, no overlaps).  Returns the
        mentions and their characters (1 inside one: the metric-head rule reads them).
        """
        names: dict[str, str] = {}
        norm = view.norm
        # one pass marks the characters and reads the names (two passes did)
        taken = bytearray(len(view.text))
        # the names' texts read so far, and how many mentions have each: a later
        # mention of the same text adds nothing (setdefault keeps the first), so a long
        # list derives each name once
        seen: dict[str, int] = {}
        for m in found:
            start, end = m.start, m.end
            taken[start:end] = b"\x01" * (end - start)
            span = norm[start:end]
            count = seen.get(span)
            if count is not None:
                seen[span] = count + 1
            else:
                seen[span] = 1
                base = _strip_alias(span)  # (memoised: names repeat)
                if len(base) >= 2:
                    names.setdefault(base, m.canonical or base)
            alias = m.extra.get("alias")
            if alias and len(alias) >= 2:
                names.setdefault(alias, m.canonical or _strip_alias(span))
        if not names:
            return found, taken
        extra: list[Mention] = []
        covered = view.covered
        free_firsts = _free_first_chars(norm, seen, names) if len(names) > _FEW_NAMES else None
        # A few names per paragraph: str.find per name beats compiling a regex per paragraph.
        for name in sorted(names, key=len, reverse=True):
            if free_firsts is not None and name[0] not in free_firsts:
                continue  # every occurrence starts inside a mention: none is added
            pos = norm.find(name)
            while pos != -1:
                end = pos + len(name)
                if (
                    taken.find(1, pos, end) == -1  # (_any and _free, inline: once per repeat)
                    and covered.find(1, pos, end) == -1
                    and not norm.endswith(_SHARE_LEFT, max(0, pos - 3), pos)
                ):
                    taken[pos:end] = b"\x01" * len(name)
                    extra.append(self._segment(view, pos, end, "rule:segment.repeat", names[name]))
                pos = norm.find(name, end)
        if not extra:
            # ``found`` is a _dedupe result (both callers): deduping it again changes
            # nothing, and a long list of names costs a sort
            return found, taken
        # (the repeats overlap nothing: ``taken`` covers exactly the deduped list)
        return _dedupe(found + extra), taken

    # -- anaphors ------------------------------------------------------------------------
    def _find_anaphors(self, view: DocView) -> None:
        if self.anaphor_re is None:
            return
        covered, table = view.covered, self.lex.anaphors
        seg_spans: bytearray | None = None
        for m in self.anaphor_re.finditer(view.norm):
            s, e = m.span()
            if covered.find(1, s, e) != -1:
                continue
            if seg_spans is None:  # the segments' characters, once a match needs them
                marked = view.__dict__.get("_segment_cover")
                segs = view.segments
                if marked is not None and marked[0] is segs and marked[1] == len(segs):
                    seg_spans = marked[2]  # (marked by _propagate, for the same list)
                else:
                    seg_spans = bytearray(len(view.text))
                    for seg in view.segments:
                        seg_spans[seg.start : seg.end] = b"\x01" * (seg.end - seg.start)
            if seg_spans.find(1, s, e) != -1:
                continue
            surface = m.group()
            if surface in ("公司", "集团") and s > 0:
                left = view.norm[s - 1]
                if (
                    left not in CLAUSE_BREAKS
                    and left not in _ANAPHOR_LEFT
                    and not view.norm.endswith(_ANAPHOR_LEFT_WORDS, 0, s)
                ):
                    continue
            target = table[surface if surface in table else _lex_key(table, surface)]
            view.anaphors.append(
                Mention(
                    s,
                    e,
                    view.text[s:e],
                    "ANAPHOR",
                    None,
                    "rule:anaphor." + target,
                    {"target": target},
                )
            )


# Names of a paragraph past which _propagate first drops the names that cannot repeat.
_FEW_NAMES = 4


def _free_first_chars(norm: str, spans: dict[str, int], names: Iterable[str]) -> set[str]:
    """The first characters of ``names`` that occur in ``norm`` outside the mentions
    whose texts ``spans`` counts (mentions that do not overlap).

    Why: :meth:`MentionFinder._propagate` adds an occurrence of a name only where none
    of its characters is in a mention, so a name whose first character occurs only
    inside mentions adds nothing.  A long list of names (第N分部业务收入 …) repeats each
    name only where it was found: a count of the character in the text and in the
    mentions' distinct texts replaces a scan of the whole text per name.
    """
    return {
        ch
        for ch in {name[0] for name in names}
        if norm.count(ch) > sum(span.count(ch) * n for span, n in spans.items())
    }


# Length of the name glued to an ORG that makes ORG + name one internal unit (华星,
# 云音乐): longer tails are descriptions, not unit names.
_ORG_UNIT_MIN = 2
_ORG_UNIT_MAX = 4


def _may_coordinate(norm: str, start: int, name: str) -> bool:
    """False when :meth:`MentionFinder._coordination` is sure to find nothing for the
    name ``name`` starting at ``start``: no list comma (or space) before it and no
    和/与/及 inside.  Its own first tests, without the call and the method's setup (most
    names coordinate nothing)."""
    before = norm[start - 1] if start else ""
    return "和" in name or "与" in name or "及" in name or before == "、" or before.isspace()


def _dates_inside(view: DocView, start: int, end: int) -> bool:
    """True when every entity overlapping ``[start, end)`` is a DATE lying inside it."""
    overlapping = [e for e in view.ents if e.start < end and start < e.end]
    return bool(overlapping) and all(
        e.label == "DATE" and start <= e.start and e.end <= end for e in overlapping
    )


def _org_ending_at(view: DocView, pos: int):
    """The ORG entity ending exactly at ``pos`` (binary search), or None."""
    orgs = view.orgs
    ends = view.__dict__.get("_org_ends")
    if ends is None:
        ends = view.__dict__["_org_ends"] = [o.end for o in orgs]
    i = bisect_left(ends, pos)
    if i < len(orgs) and orgs[i].end == pos:
        return orgs[i]
    return None


def _metric_cover(view: DocView) -> bytearray:
    """Per character: 1 inside a metric mention (built once per paragraph; by
    :meth:`MentionFinder._find_metrics` as it finds them, here for a view filled
    otherwise)."""
    cover = view.__dict__.get("_metric_cover")
    if cover is None or len(cover) != len(view.text):
        cover = bytearray(len(view.text))
        for mm in view.metrics:
            cover[mm.start : mm.end] = b"\x01" * (mm.end - mm.start)
        view.__dict__["_metric_cover"] = cover
    return cover


def _lex_key(table: dict, matched: str) -> str:
    """Find the lexicon key for a (possibly differently cased) regex match."""
    if matched in table:
        return matched
    low = matched.lower()
    for key in table:
        if key.lower() == low:
            return key
    raise KeyError(matched)  # pragma: no cover - the regex only matches lexicon keys


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    """Drop overlapping mentions: longer spans win, then earlier ones."""
    if len(mentions) < 2:  # (a news paragraph has a segment or none: no sort, no checks)
        return list(mentions)
    by_start = sorted(mentions, key=_START)
    starts = list(map(_START, by_start))
    ends = list(map(_END, by_start))
    # Usually nothing overlaps: with starts strictly increasing and each mention ending
    # by the next one's start, every mention is kept, in this order (C-level checks
    # instead of the longest-first pass below)
    if all(map(operator.lt, starts, starts[1:])) and all(map(operator.le, ends, starts[1:])):
        return by_start
    lengths = list(map(operator.sub, ends, starts))
    if min(lengths) <= 0:
        return _longest_first(by_start, starts, ends)
    # Which mention of a run of overlapping ones (a cluster) wins depends on that run
    # alone, and the runs follow each other in order of start: each run is decided on
    # its own, a lone mention kept and a pair by one comparison (a long list of names
    # overlaps in pairs, 第3|分部 and 第3分部|业务), instead of the longest-first pass
    # over the whole list.  (Only without empty spans: an empty span at the end of a
    # run sorts apart from it.)
    kept: list[Mention] = []
    count = len(by_start)
    i = 0
    while i < count:
        reach = ends[i]
        j = i + 1
        while j < count and starts[j] < reach:
            if ends[j] > reach:
                reach = ends[j]
            j += 1
        if j == i + 1:
            kept.append(by_start[i])
        elif j == i + 2:  # the longer wins, the earlier (first in this order) on a tie
            kept.append(by_start[j - 1] if lengths[j - 1] > lengths[i] else by_start[i])
        else:
            kept.extend(_longest_first(by_start[i:j], starts[i:j], ends[i:j]))
        i = j
    return kept


def _longest_first(by_start: list[Mention], starts: list[int], ends: list[int]) -> list[Mention]:
    """The longest-first pass of :func:`_dedupe` over mentions sorted by start."""
    occupied = bytearray(max(ends))
    kept: list[Mention] = []
    # longest first, then by start, ties in input order: two stable sorts with C-level
    # keys (a key function per mention costs more than the rest on a long list)
    negative_length = list(map(operator.sub, starts, ends))
    for i in sorted(range(len(by_start)), key=negative_length.__getitem__):
        start, end = starts[i], ends[i]
        if occupied.find(1, start, end) != -1:
            continue
        occupied[start:end] = b"\x01" * (end - start)
        kept.append(by_start[i])
    return sorted(kept, key=_START)
