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
5. **Descriptors** (``configs/orgs/descriptors.tsv``): a model or stock-code span that
   starts with an apposition such as ``光学元件厂商`` / ``酒店集团`` is cut after it.
6. **Exclusions** (``rule:org.exclusion``) veto any proposal whose text is a market,
   index, product or generic word (港股, A股, 公司 ...).
7. Everything below ``threshold`` is dropped; overlaps are resolved by priority
   (gazetteer / stock code > model > list > suffix), then length.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.orgs.matchers import (
    RULE_GAZETTEER,
    RULE_LIST,
    RULE_STOCK,
    RULE_SUBJECT,
    RULE_SUFFIX,
    OrgMatchers,
    RuleMatch,
)
from pipeline.spans import EntityCandidate

MODEL_SOURCE = "model:org_clf"
PRIORITY = {
    RULE_GAZETTEER: 3,
    RULE_STOCK: 3,
    RULE_SUBJECT: 3,
    MODEL_SOURCE: 2,
    RULE_LIST: 1,
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
) -> list[EntityCandidate]:
    """Merge model and rule proposals over the match form ``form`` of the text."""
    proposals = [Proposal(s, e, MODEL_SOURCE, c) for s, e, c in model_spans]
    if use_rules:
        bounds = {*token_starts, len(form)}
        proposals = _apply_gazetteer(form, proposals, matchers, bounds)
        proposals = _apply_stock_codes(form, proposals, matchers, token_starts)
        proposals = _apply_subjects(form, proposals, matchers, support, subject_support)
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
        if e <= s or p.confidence < threshold:
            continue
        if use_rules and form[s:e] in matchers.exclusions:
            continue
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
    return out


def _apply_gazetteer(
    form: str, proposals: list[Proposal], matchers: OrgMatchers, bounds: set[int]
) -> list[Proposal]:
    matches = matchers.gazetteer(form)
    strong_canon = {m.canonical for m in matches if not m.weak}
    for m in matches:
        overlapping = [p for p in proposals if _overlaps(p, m)]
        # A name that ends inside a pkuseg token followed by more Han characters is
        # usually the head of a longer word (中国银行|业, 海通|国际): keep it only if the
        # model also sees an organisation there.
        if (
            m.end not in bounds
            and m.end < len(form)
            and "\u4e00" <= form[m.end] <= "\u9fff"
            and not overlapping
        ):
            continue
        containing = [
            p
            for p in overlapping
            if p.start <= m.start and m.end <= p.end and (p.end - p.start) > (m.end - m.start)
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


def _apply_stock_codes(
    form: str, proposals: list[Proposal], matchers: OrgMatchers, token_starts: Sequence[int]
) -> list[Proposal]:
    for b_start, _b_end, canonical in matchers.stock_codes(form):
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
    position alone also fits people, 主持人：, 归母净利润：…)."""
    for m in matchers.subjects(form):
        same = [p for p in proposals if p.start == m.start and p.end == m.end]
        if same:
            for p in same:
                p.confidence = max(p.confidence, m.confidence)
            continue
        if any(_overlaps(p, m) for p in proposals):
            continue
        if support is not None and support(m.start, m.end) < min_support:
            continue
        proposals.append(Proposal(m.start, m.end, m.rule, m.confidence, m.canonical))
    return proposals
