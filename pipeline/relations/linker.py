"""Link every MONEY/PERCENT figure to its subject, metric, kind and period.

:class:`Linker` is the whole relation stage on plain data (text + entities), so the
training and evaluation recipes run it on gold entities without spaCy, and the
spaCy component (:mod:`pipeline.relations.component`) only converts ``doc.ents``.

Steps per paragraph: normalise a same-length copy; find metric, segment, anaphor and
cue mentions (rules); decide metric/kind/comparison/direction/role/period per figure
(rules); generate bounded subject candidates and score them with the pair model; keep
the best candidate when its probability reaches the model threshold, otherwise the
figure gets no relation.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from pipeline.relations import vector
from pipeline.relations.candidates import (
    Candidate,
    CandidateConfig,
    build_subjects,
    generate,
    is_cited_source,
    is_data_source,
    is_news_outlet,
    is_public_body,
    is_research_author,
    org_key,
)
from pipeline.relations.document import DocView, Ent, Subject, mention_dicts, sort_by_start_end
from pipeline.relations.features import (
    figure_features,
    pair_features,
)
from pipeline.relations.lexicon import Lexicons
from pipeline.relations.mentions import MentionFinder
from pipeline.relations.model import PairModel
from pipeline.relations.pair_scorer import PairScorer, SubjectScorer
from pipeline.relations.respectively import Group, apply_to_facts, groups_by_figure
from pipeline.relations.rules import FigureFacts, figure_facts
from pipeline.relations.textnorm import normalize

MODEL_SOURCE = "model:rel_clf"
BASELINE_SOURCE = "rule:nearest_subject"
UNIT_MAIN_SOURCE = "rule:unit_main_subject"
FROM_TO_SOURCE = "rule:from_to_pair"
RESPECTIVELY_SOURCE = "rule:respectively"
# Confidence of a positional 分别 link (A、B、C分别…X、Y、Z): all 42 such links the rule
# made on the 561 CFSC sentences with 分别 paired the right items (checked by hand,
# 2026-11-26); 0.93 is the one-sided 95% lower bound for 42 of 42 (rule of three).
RESPECTIVELY_CONFIDENCE = 0.93
# Confidence of the unit rule: on the annotated corpus (train+dev+test, gold entities)
# 153 of 155 figures in a ；/。 unit that names a metric but no subject, after a
# segment's figures, belong to the main company.
UNIT_MAIN_CONFIDENCE = 0.95
# Words that refer back to the segment without being an anaphor mention (其收入占比).
_SEGMENT_POINTERS = ("其", "该业务", "该板块", "该分部")


@dataclass
class Scored:
    """A figure with its rule facts and scored candidates (for training and debugging)."""

    figure: Ent
    facts: FigureFacts
    candidates: list[Candidate]
    features: list[dict[str, float]]


class Linker:
    """The relation stage on plain data."""

    def __init__(
        self,
        lexicons: Lexicons,
        model: PairModel | None = None,
        config: CandidateConfig | None = None,
    ) -> None:
        self.lexicons = lexicons
        self.finder = MentionFinder(lexicons)
        self.model = model
        self.config = config or CandidateConfig()
        self._figure_scores: dict[tuple[int, str, str, bool, bool], float] = {}
        self._scorer: tuple[PairModel, PairScorer] | None = None
        self._subject_scorer: tuple[PairModel, SubjectScorer] | None = None

    def prepare(self, text: str, ents: Sequence[Ent]):
        """Mentions, subjects and rule facts for one paragraph."""
        view = DocView(text, normalize(text, self.lexicons.table), list(ents))
        self.finder.annotate(view)
        view.index()
        main = build_subjects(view)
        view.index_subjects()
        main_key = org_key(main) if main is not None else None
        facts = figure_facts(view)
        apply_to_facts(view, facts)
        return view, main, main_key, facts

    def analyse(self, text: str, ents: Sequence[Ent]) -> tuple[DocView, list[Scored], str | None]:
        """Mentions, rule facts, candidates and full feature dicts (for training)."""
        view, main, main_key, facts = self.prepare(text, ents)
        scored: list[Scored] = []
        for fig, fact in zip(view.figures, facts, strict=True):
            cands = generate(view, fig, main, self.config)
            feats = [pair_features(view, fig, fact, c, main_key) for c in cands]
            scored.append(Scored(fig, fact, cands, feats))
        return view, scored, main_key

    def link(
        self, text: str, ents: Sequence[Ent], *, baseline: bool = False
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Relations (schema v1) and mentions for one paragraph.

        ``baseline=True`` (or no model) links each figure to the nearest subject before
        it in the same sentence: the trivial baseline the evaluation prints beside.
        The model path scores figure, subject and pair features separately (the figure
        and subject parts are computed once), which is the same sum as scoring the
        merged dict that training uses.
        """
        view, main, main_key, facts = self.prepare(text, ents)
        model = self.model
        use_baseline = baseline or model is None
        scorer = None if model is None else self._pair_scorer(model)
        config = self.config
        relations: list[dict[str, Any]] = []
        subject_cache: dict[int, float] = {}
        # the link of the previous figure when it opened a 由A增至B pair
        pair_from: tuple[Candidate, float] | None = None
        # 分别 groups: figure index -> group, and each group's first link
        grouped = groups_by_figure(view) if view.figures else {}
        group_first: dict[int, tuple[Candidate, float]] = {}
        # Segments are parts of a company: a statistics release that names no company
        # (餐饮收入…增长, 税收收入…, data from 国家统计局) has categories, not business
        # segments, and its figures get no relation rather than a wrong one.  A company
        # the ORG stage missed still leaves its segments linked (东方动力…动力电池业务…).
        figures = view.figures if not _statistics_release(view, main) else []
        bests = None
        roundings: dict[float, float] = {}  # (the array path's cache, see _decide)
        if not use_baseline and len(figures) >= vector.MIN_FIGURES:
            assert model is not None and scorer is not None
            bests = self._vector_bests(view, facts, main, main_key, model, scorer)
        if not use_baseline and bests is None and figures and view.subjects:
            assert model is not None
            # every subject scored in one call (almost all are some figure's candidate;
            # one call per subject repeated score_many's set-up for each)
            subjects = view.subjects
            zs = self._subject_z(model).score_many(view, subjects)
            subject_cache = dict(zip(map(id, subjects), zs, strict=True))
        subject_z = None if model is None else self._subject_z_of(view, subject_cache, model)
        for index, (fig, fact) in enumerate(zip(figures, facts[: len(figures)], strict=True)):
            if bests is not None:
                # the arrays found each figure's best candidate; the whole list is built
                # only where a rule below compares candidates by identity
                if not bests.found[index]:
                    pair_from = None
                    continue
                need = (fact.role == "to" and pair_from is not None) or index in grouped
                cands = generate(view, fig, main, config) if need else []
                best = cands[bests.position[index]] if need else bests.candidate(index)
                assert model is not None
                choice = self._decide(
                    view,
                    fig,
                    fact,
                    best,
                    bests.z[index],
                    cands or None,
                    main_key,
                    model,
                    main,
                    roundings,
                    bests.outside_clause[index],
                )
            else:
                cands = generate(view, fig, main, config)
                if not cands:
                    pair_from = None
                    continue
                if use_baseline:
                    choice = self._nearest(view, fig, cands)
                else:
                    assert model is not None and scorer is not None and subject_z is not None
                    # the best candidate, then the rules (inline: a call per figure)
                    base = self._figure_z(model, fig, fact)
                    best_cand, best_z = scorer.best(
                        view, fig, fact, cands, main_key, base, subject_cache, subject_z
                    )
                    choice = (
                        None
                        if best_cand is None
                        else self._decide(
                            view, fig, fact, best_cand, best_z, cands, main_key, model
                        )
                    )
            if not use_baseline:
                if fact.role == "to" and pair_from is not None:
                    # the "to" figure is the same change as its "from" figure
                    choice = _follow(cands, *pair_from, FROM_TO_SOURCE, choice)
                group = grouped.get(index)
                if group is not None:
                    choice = _respectively(cands, group, index, group_first, choice)
            pair_from = None
            if choice is not None:
                cand, confidence, source = choice
                relations.append(_relation(fig, fact, cand, confidence, source))
                if fact.role == "from":
                    pair_from = (cand, confidence)
        # sorted by (start, end); ties keep segments, metrics, anaphors order (stable)
        ordered = sort_by_start_end([*view.segments, *view.metrics, *view.anaphors])
        return relations, mention_dicts(ordered)

    def _subject_z_of(
        self, view: DocView, subject_cache: dict[int, float], model: PairModel
    ) -> Callable[[Subject], float]:
        """The subject part of the score, cached per paragraph by subject identity (the
        candidates share the Subject objects of the view, the fallback main company
        too, which outlive this paragraph's cache)."""
        score = self._subject_z(model).score

        def subject_z(s: Subject) -> float:
            z = subject_cache.get(id(s))
            if z is None:
                z = subject_cache[id(s)] = score(view, s)
            return z

        return subject_z

    def _subject_z(self, model: PairModel) -> SubjectScorer:
        """The compiled subject scorer of ``model`` (rebuilt when the model is replaced)."""
        scorer = self._subject_scorer
        if scorer is None or scorer[0] is not model:
            scorer = self._subject_scorer = (model, SubjectScorer(model.weights))
        return scorer[1]

    def _pair_scorer(self, model: PairModel) -> PairScorer:
        """The compiled pair scorer of ``model`` (rebuilt when the model is replaced)."""
        scorer = self._scorer
        if scorer is None or scorer[0] is not model:
            scorer = self._scorer = (model, PairScorer(model.weights))
        return scorer[1]

    @staticmethod
    def _nearest(
        view: DocView, fig: Ent, cands: list[Candidate]
    ) -> tuple[Candidate, float, str] | None:
        before = [c for c in cands if not c.after and not c.fallback]
        if not before:
            return None
        nearest = min(before, key=lambda c: c.rank)
        if view.breaks_between(nearest.subject.end, fig.start, sentence=True):
            return None
        return nearest, 1.0, BASELINE_SOURCE

    def _figure_z(self, model: PairModel, fig: Ent, fact: FigureFacts) -> float:
        """Intercept plus the figure's own features (they depend on four values only:
        scored once per model and combination)."""
        fkey = (id(model), fig.label, fact.kind, fact.market_cue, fact.metric is not None)
        base = self._figure_scores.get(fkey)
        if base is None:
            base = self._figure_scores[fkey] = model.intercept + model.partial(
                figure_features(fact, fig)
            )
        return base

    def _figure_zs(
        self, model: PairModel, figures: Sequence[Ent], facts: Sequence[FigureFacts]
    ) -> list[float]:
        """:meth:`_figure_z` of every figure, in one loop (replaces a call per figure:
        hundreds of figures share a handful of keys)."""
        scores = self._figure_scores
        model_id = id(model)
        out: list[float] = []
        for fig, fact in zip(figures, facts, strict=True):
            base = scores.get(
                (model_id, fig.label, fact.kind, fact.market_cue, fact.metric is not None)
            )
            out.append(base if base is not None else self._figure_z(model, fig, fact))
        return out

    def _vector_bests(
        self,
        view: DocView,
        facts: list[FigureFacts],
        main: Ent | None,
        main_key: str | None,
        model: PairModel,
        scorer: PairScorer,
    ) -> vector.Bests | None:
        """Every figure's best candidate from :func:`vector.best_candidates` (None when
        a kind or subject type is outside the scorer's tables)."""
        if not vector.supported(view, facts, scorer):
            return None
        return vector.best_candidates(
            view,
            facts,
            main,
            main_key,
            self.config,
            scorer,
            partial(self._figure_zs, model),
            partial(self._subject_z(model).score_many, view),
        )

    def _decide(
        self,
        view: DocView,
        fig: Ent,
        fact: FigureFacts,
        best_cand: Candidate,
        best_z: float,
        cands: Sequence[Candidate] | None,
        main_key: str | None,
        model: PairModel,
        main: Ent | None = None,
        roundings: dict[float, float] | None = None,
        outside_clause: bool | None = None,
    ) -> tuple[Candidate, float, str] | None:
        """The rules after scoring: the unit rule, market-wide wording, the threshold.

        ``cands`` may be None (then ``main`` must be the paragraph's main company): only
        the unit rule needs the candidate list, and the array path has none at hand, so
        it is generated here when the rule asks (building it for every figure of a long
        paragraph costs more than the rule).  ``roundings``: the paragraph's cache of
        ``round(p, 4)`` by ``p`` (the array path passes one: the figures of a long list
        share a few probabilities, the same structure repeating, and the rounding
        costs more than the lookup).  ``outside_clause``: the
        clause test below for ``best_cand``, when the caller has it (the array path
        finds it for every figure at once); it is redone when the unit rule replaces
        the candidate.
        """
        best = best_cand
        source = MODEL_SOURCE
        if best.subject.type == "SEGMENT" and (
            _unit_returns_to_main(view, fig, fact) or _overall_metric(view, fact)
        ):
            if cands is None:
                cands = generate(view, fig, main, self.config)
            main_cand = _main_candidate(cands, main_key)
            if main_cand is not None:
                best, source = main_cand, UNIT_MAIN_SOURCE
        if outside_clause is None or best is not best_cand:
            # a clause break between the subject and the figure (DocView.breaks_between)
            clause_breaks = view.clause_breaks
            outside_clause = (
                best.fallback
                or best.after
                or bisect_left(clause_breaks, fig.start)
                != bisect_left(clause_breaks, best.subject.end)
            )
        if outside_clause and fact.market_cue:
            return None  # market-wide wording and no subject in the figure's own clause
        others = view.__dict__.get("_non_subject_orgs")  # _non_subject_orgs' cache, read inline
        if others is None:
            others = _non_subject_orgs(view)
        if others:
            unit_start = view.unit_start(fig.start)
            outside_unit = best.fallback or best.after or best.subject.end <= unit_start
            other_org = (
                outside_clause and _other_org_since(view, fig, view.clause_start(fig.start))
            ) or (outside_unit and _other_org_since(view, fig, unit_start))
        else:
            other_org = False
        if other_org or (outside_clause and _unnamed_subject_in_clause(view, fig)):
            # 伦敦金属交易所三个月期铜价格上涨约2% / 某养老目标基金的份额净值为1.0325元:
            # the clause is about another, named or unnamed, body
            return None
        if source == UNIT_MAIN_SOURCE:
            return best, UNIT_MAIN_CONFIDENCE, source
        p = model.probability(best_z)
        if p < model.threshold:
            # the main company scored low, but the figure's unit names its own metric
            # and no other subject: the same rule as above (稅後淨利…，全年毛利率達49.6%)
            if (
                best.subject.type == "ORG"
                and best.subject.key == main_key
                and not fact.market_cue
                and _unit_returns_to_main(view, fig, fact)
            ):
                return best, UNIT_MAIN_CONFIDENCE, UNIT_MAIN_SOURCE
            return None
        if roundings is None:
            return best, round(p, 4), MODEL_SOURCE
        rounded = roundings.get(p)
        if rounded is None:
            rounded = roundings[p] = round(p, 4)
        return best, rounded, MODEL_SOURCE


# 整体毛利率 / 综合毛利率 / 集团整体…: the metric is the whole company's, not the
# segment named before it in the clause (饮品业务收益…，整体毛利率为32.5%).
_OVERALL_LEFT = ("整体", "综合", "总体", "全公司", "全集团")  # (at most 3 characters each)


def _overall_metric(view: DocView, fact: FigureFacts) -> bool:
    """True when the figure's metric is qualified as the whole company's: one of the
    words ends right where the metric starts (``norm.endswith(_OVERALL_LEFT, start - 3,
    start)``, every word being at most three characters long)."""
    metric = fact.metric
    if metric is None:
        return False
    ends = view.__dict__.get("_overall_ends")
    if ends is None:  # once per paragraph: where each word ends (replaces a test per figure)
        norm = view.norm
        ends = set()
        for word in _OVERALL_LEFT:
            pos = norm.find(word)
            while pos != -1:
                ends.add(pos + len(word))
                pos = norm.find(word, pos + 1)
        view.__dict__["_overall_ends"] = ends
    return metric.start in ends


# Words of macro statistics: with no company named, the paragraph reports categories.
_STATISTICS_WORDS = (
    "全国", "全省", "全市", "全区", "我国", "规模以上", "限额以上", "社会消费品",
    "居民人均", "一般公共预算", "生产总值", "统计局", "进出口", "全行业", "各省",
    "省份",
)  # fmt: skip


def _statistics_release(view: DocView, main: Ent | None) -> bool:
    """True when no company is named and the paragraph reads as macro statistics: an
    ORG that is only a source or a public body (国家统计局, 商务部), or statistics
    wording (全国, 规模以上, 社会消费品 …)."""
    if main is not None or any(s.type == "ORG" for s in view.subjects):
        return False
    # a research note's author or a speaker does not make a paragraph statistics
    sources = any(
        is_public_body(view, o)
        or is_data_source(view, o)
        or is_cited_source(view, o)
        or is_news_outlet(view, o)
        for o in view.orgs
    )
    return sources or any(word in view.norm for word in _STATISTICS_WORDS)


# An unnamed organisation as a clause's subject (某养老目标基金, 某券商, 一家私募机构).
_UNNAMED_SUBJECT_RE = re.compile(
    r"(?:某|一家|另一家)[^，。；,;！？!?]{0,10}?"
    r"(?:基金|公司|券商|银行|机构|企业|私募|公募|险企|房企|车企|药企)"
)


def _unnamed_subject_in_clause(view: DocView, fig: Ent) -> bool:
    """True when the figure's clause opens with an unnamed organisation (某…基金)."""
    d = view.__dict__
    possible = d.get("_unnamed_possible")
    if possible is None:  # once per paragraph: most have no 某 / 一家 at all
        possible = d["_unnamed_possible"] = "某" in view.norm or "一家" in view.norm
    if not possible:
        return False
    start = view.clause_start(fig.start)
    return _UNNAMED_SUBJECT_RE.search(view.norm, start, fig.start) is not None


def _other_org_since(view: DocView, fig: Ent, start: int) -> bool:
    """True when ``[start, fig.start)`` (the figure's clause, or its ；/。 unit) names an
    ORG that is no subject (a price venue, a data source, a news outlet, a public body:
    欧洲央行年内四次降息，存款便利利率降至3.00%): the figure is about that body's topic,
    and a company named outside that stretch is no subject for it."""
    others = _non_subject_orgs(view)
    return bool(others) and any(start <= o.start and o.end <= fig.start for o in others)


def _non_subject_orgs(view: DocView) -> list[Ent]:
    """The paragraph's ORGs that are no subject, except a broker writing about the
    company (瑞银下调其盈利预测 keeps the company the subject); once per paragraph."""
    d = view.__dict__
    found = d.get("_non_subject_orgs")
    if found is None:
        subject_starts = {s.start for s in view.subjects}
        found = d["_non_subject_orgs"] = [
            o
            for o in view.orgs
            if o.start not in subject_starts and not is_research_author(view, o)
        ]
    return found


def _unit_returns_to_main(view: DocView, fig: Ent, fact: FigureFacts) -> bool:
    """True when the figure's ；/。 unit names a metric but no subject before it.

    Reports list segments (其中A业务收入…；B业务收入…) and then go back to the
    company without naming it again (；毛利率为42.9%): a unit that names its own
    metric but no segment, company or anaphor (其/该业务) is about the main company,
    not about the segment of the previous unit.  A unit with no metric of its own
    (；同比增长10%) continues the previous figure and is left to the model.
    """
    metric = fact.metric
    if metric is None:  # before the unit lookups: most figures without a metric end here
        return False
    breaks = view.unit_breaks  # (view.unit_start, inlined: the first unit ends here)
    i = bisect_left(breaks, fig.start)
    if i == 0:
        return False
    start = breaks[i - 1] + 1
    if metric.start < start or view.subjects_between(start, fig.start):
        return False
    unit = view.norm[start : fig.start]
    return not any(word in unit for word in _SEGMENT_POINTERS)


def _respectively(
    cands: list[Candidate],
    group: Group,
    index: int,
    group_first: dict[int, tuple[Candidate, float]],
    choice: tuple[Candidate, float, str] | None,
) -> tuple[Candidate, float, str] | None:
    """The subject of a figure after 分别 (see :mod:`pipeline.relations.respectively`).

    With a coordination of subjects (A、B和C分别…) the figure takes the subject at its
    own position (confidence :data:`RESPECTIVELY_CONFIDENCE`).  With a coordination of
    metrics or periods (A的营收和净利润分别为…) the group shares one subject: the later
    figures take the first figure's subject and confidence.
    """
    k = group.position(index)
    if group.subjects:
        want = group.subjects[k]
        for cand in cands:
            s = cand.subject
            if s.start == want.start and s.end == want.end:
                if choice is not None and choice[0] is cand:
                    return choice
                return cand, RESPECTIVELY_CONFIDENCE, RESPECTIVELY_SOURCE
        return choice
    if not group.shared_subject:
        return choice
    # one shared subject per chain of groups (…分别为X和Y，同比分别增长A和B)
    key = group.lender
    first = group_first.get(key)
    if first is None:
        if k == 0 and choice is not None:
            group_first[key] = (choice[0], choice[1])
        return choice
    return _follow(cands, first[0], first[1], RESPECTIVELY_SOURCE, choice)


def _follow(
    cands: list[Candidate],
    leader: Candidate,
    confidence: float,
    source: str,
    choice: tuple[Candidate, float, str] | None,
) -> tuple[Candidate, float, str] | None:
    """Link a figure to the subject an earlier figure of the same fact was linked to.

    Used where rules tie figures together: the "to" figure of 由A增至B is the same change
    as A, and the figures of one 分别 group share one subject.  Scored alone, the later
    figure has another figure between it and the subject, which the model rightly
    penalises elsewhere.  The model's own choice stays when it agrees; the leader's
    subject must be among the candidates (else the model's choice stays).
    """
    want = (leader.subject.type, leader.subject.key)
    for cand in cands:
        if (cand.subject.type, cand.subject.key) == want:
            if choice is not None and choice[0] is cand:
                return choice
            return cand, confidence, source
    return choice


def _main_candidate(cands: Sequence[Candidate], main_key: str | None) -> Candidate | None:
    """The main company among the candidates (a mention before the figure first)."""
    if main_key is None:
        return None
    mains = [c for c in cands if c.subject.type == "ORG" and c.subject.key == main_key]
    mains.sort(key=lambda c: (c.fallback, c.rank))
    return mains[0] if mains else None


def _relation(
    fig: Ent, facts: FigureFacts, cand: Candidate, confidence: float, source: str
) -> dict[str, Any]:
    """One relation dict in the exact schema-v1 shape."""
    s = cand.subject
    period = facts.period
    metric = facts.metric
    return {
        "figure": {"start": fig.start, "end": fig.end, "text": fig.text},
        "subject": {
            "text": s.ref_text,
            "type": s.type,
            "start": s.ref_start,
            "end": s.ref_end,
            "canonical": s.canonical,
        },
        "metric": metric.text if metric is not None else None,
        "metric_canonical": metric.canonical if metric is not None else facts.implicit_metric,
        "kind": facts.kind,
        "comparison": facts.comparison,
        # 持平 -> "flat" (an extra value allowed by schema v1); anything else is no direction
        "direction": facts.direction if facts.direction in ("up", "down", "flat") else None,
        "period": (
            {"text": period.text, "start": period.start, "end": period.end} if period else None
        ),
        "role": facts.role,
        "company": s.company,
        "source": source,
        "confidence": float(confidence),
    }
