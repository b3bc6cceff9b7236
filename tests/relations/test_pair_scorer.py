"""The compiled pair scorer adds the same weights, in the same order, as the feature names.

``PairScorer.score`` must equal ``model.partial(pair_only_names(...))`` bit for bit
(and ``SubjectScorer.score`` ``model.partial(subject_features(...))``):
the linker's choices and confidences then cannot differ from scoring the features
the model was trained on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.relations.candidates import Candidate, generate
from pipeline.relations.document import Ent
from pipeline.relations.features import figure_positions, pair_only_names, subject_features
from pipeline.relations.model import PairModel
from pipeline.relations.pair_scorer import PairScorer, SubjectScorer

from .rel_helpers import EXAMPLE, make_ents

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "annotated"


def _records(split: str) -> list[dict]:
    path = CORPUS / f"{split}.jsonl"
    if not path.is_file():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf8").splitlines() if x.strip()]


def _ents(record: dict) -> list[Ent]:
    return [
        Ent(e["start"], e["end"], e["label"], e["text"], e.get("value"), e.get("canon"))
        for e in record["entities"]
        if e["label"] in ("MONEY", "PERCENT", "DATE", "ORG")
    ]


def _pairs(linker, text: str, ents: list[Ent]):
    view, main, main_key, facts = linker.prepare(text, ents)
    for fig, fact in zip(view.figures, facts, strict=True):
        positions = figure_positions(view, fig)
        for cand in generate(view, fig, main, linker.config):
            yield view, fig, fact, cand, main_key, positions


def _check(model: PairModel, pairs) -> int:
    scorer = PairScorer(model.weights)
    n = 0
    for view, fig, fact, cand, main_key, positions in pairs:
        names = pair_only_names(view, fig, fact, cand, main_key, positions)
        expected = model.partial(names)
        got = scorer.score(view, fig, fact, cand, main_key, positions)
        assert got == expected, (fig.text, cand.subject.ref_text, names)
        n += 1
    return n


@pytest.mark.parametrize("split", ["dev", "test"])
def test_scorer_equals_feature_names_on_corpus(linker, split):
    records = _records(split)
    if not records:
        pytest.skip(f"no {split} records under {CORPUS}")
    pairs = (p for r in records for p in _pairs(linker, r["text"], _ents(r)))
    assert _check(linker.model, pairs) > 100


@pytest.mark.parametrize(
    "weights",
    [
        {},  # every feature missing: the score is 0.0
        {"same_clause": 1.5, "after": -2.0, "fallback_main": 0.25, "is_main": 3.0},
        {"src=rule:segment.suffix|rank=0": 0.7, "semicolon_between|type=ORG": -0.3},
    ],
)
def test_scorer_equals_feature_names_with_sparse_weights(linker, weights):
    model = PairModel(dict(weights))
    text = EXAMPLE + "其中，另一业务收入为3.5亿元；公司毛利率为40.1%。"
    assert _check(model, _pairs(linker, text, make_ents(text, ("商汤集团",)))) > 5


@pytest.mark.parametrize("kind", ["unheard_of"])
def test_scorer_unknown_kind_goes_through_names(linker, kind):
    view, main, main_key, facts = linker.prepare(EXAMPLE, make_ents(EXAMPLE, ("商汤集团",)))
    fig, fact = view.figures[0], facts[0]
    fact.kind = kind
    cands: list[Candidate] = generate(view, fig, main, linker.config)
    positions = figure_positions(view, fig)
    model = PairModel({f"kind={kind}|type=ORG": 2.0, "same_sentence": 0.5})
    scorer = PairScorer(model.weights)
    for cand in cands:
        names = pair_only_names(view, fig, fact, cand, main_key, positions)
        assert scorer.score(view, fig, fact, cand, main_key, positions) == model.partial(names)


def _check_subjects(model: PairModel, linker, texts_ents) -> int:
    scorer = SubjectScorer(model.weights)
    n = 0
    for text, ents in texts_ents:
        view, *_ = linker.prepare(text, ents)
        for s in view.subjects:
            expected = model.partial(subject_features(view, s))
            assert scorer.score(view, s) == expected, (s.ref_text, subject_features(view, s))
            n += 1
    return n


@pytest.mark.parametrize("split", ["dev", "test"])
def test_subject_scorer_equals_feature_names_on_corpus(linker, split):
    records = _records(split)
    if not records:
        pytest.skip(f"no {split} records under {CORPUS}")
    texts_ents = ((r["text"], _ents(r)) for r in records)
    assert _check_subjects(linker.model, linker, texts_ents) > 100


@pytest.mark.parametrize(
    "weights",
    [
        {},
        {"type=ORG": 0.5, "src=rule:segment.suffix": -1.25, "seg_len=3-4": 0.125},
        {"segment_context|src=rule:segment.suffix": 2.0, "followed_by_metric|type=SEGMENT": 1.0},
    ],
)
def test_subject_scorer_equals_feature_names_with_sparse_weights(linker, weights):
    text = EXAMPLE + "其中，另一业务收入为3.5亿元；公司毛利率为40.1%。"
    pairs = [(text, make_ents(text, ("商汤集团",)))]
    assert _check_subjects(PairModel(dict(weights)), linker, pairs) > 2


@pytest.mark.parametrize("segments", [0, 40])
def test_segment_context_lookup_equals_the_windowed_search(segments: int) -> None:
    # both paths (a regex search per window, and the paragraph scan from 16 segments
    # on) must answer as the search over [start - 60, start) at every offset, with
    # overlapping and adjacent context words (业务来看 contains 业务看's neighbours)
    from pipeline.relations.document import DocView, Mention
    from pipeline.relations.features import _SEGMENT_CONTEXT_RE
    from pipeline.relations.pair_scorer import _segment_context_before

    text = (
        "分业务来看，A业务收入1亿元。" + "其中" + "乙" * 70 + "按业务分板块看" + "丙" * 55
        + "分渠道业务看其中" + "丁" * 30 + "其中"
    )  # fmt: skip
    view = DocView(text, text, [])
    view.segments = [Mention(i, i + 1, "x", "SEGMENT") for i in range(segments)]
    for start in range(len(text) + 1):
        lo = max(0, start - 60)
        want = _SEGMENT_CONTEXT_RE.search(text, lo, start) is not None
        assert _segment_context_before(view, start) is want, start


@pytest.mark.parametrize("split", ["dev", "test"])
def test_subject_scorer_array_lookups_equal_feature_names_on_corpus(linker, monkeypatch, split):
    # score_many's array lookups (long subject lists, _ARRAY_SUBJECTS) forced on every
    # paragraph: each subject must still score as model.partial(subject_features(...))
    from pipeline.relations import pair_scorer

    records = _records(split)
    if not records:
        pytest.skip(f"no {split} records under {CORPUS}")
    monkeypatch.setattr(pair_scorer, "_ARRAY_SUBJECTS", 1)
    scorer = SubjectScorer(linker.model.weights)
    n = 0
    for r in records:
        view, *_ = linker.prepare(r["text"], _ents(r))
        expected = [linker.model.partial(subject_features(view, s)) for s in view.subjects]
        assert scorer.score_many(view, view.subjects) == expected, r["text"]
        n += len(expected)
    assert n > 100


def test_subject_scorer_array_lookups_with_context_words_and_latin(linker, monkeypatch):
    # a long list with segment-context words and Latin names on both paths
    from pipeline.relations import pair_scorer

    text = (
        EXAMPLE
        + "分业务来看，"
        + "".join(
            f"{'其中' if i % 9 == 0 else ''}{'AI' if i % 4 == 0 else ''}第{i}分部业务收入{i + 1}.5亿元，"
            for i in range(60)
        )
    )
    view, *_ = linker.prepare(text, make_ents(text, ("商汤集团",)))
    scorer = SubjectScorer(linker.model.weights)
    expected = [linker.model.partial(subject_features(view, s)) for s in view.subjects]
    assert len(expected) >= pair_scorer._ARRAY_SUBJECTS
    assert scorer.score_many(view, view.subjects) == expected
    monkeypatch.setattr(pair_scorer, "_ARRAY_SUBJECTS", 10**9)
    assert scorer.score_many(view, view.subjects) == expected


@pytest.mark.parametrize(
    "text", ["", "收入1亿元", "AI业务", "第1分部z", "Ｚ全角ａ与x和b", "汉字" * 50 + "q"]
)
def test_first_latin_is_the_first_regex_match(text: str) -> None:
    from pipeline.relations.document import DocView
    from pipeline.relations.features import _LATIN_RE
    from pipeline.relations.pair_scorer import _first_latin

    m = _LATIN_RE.search(text)
    assert _first_latin(DocView(text, text, [])) == (m.start() if m else len(text))


@pytest.mark.parametrize("split", ["dev", "test"])
def test_best_equals_the_highest_score_on_corpus(linker, split):
    # PairScorer.best (tables bound once per figure, edge scores cached) picks the same
    # candidate with the same total as scoring every candidate with score()
    records = _records(split)
    if not records:
        pytest.skip(f"no {split} records under {CORPUS}")
    model = linker.model
    scorer = PairScorer(model.weights)
    subject_scorer = SubjectScorer(model.weights)
    n = 0
    for r in records:
        view, main, main_key, facts = linker.prepare(r["text"], _ents(r))
        subject_zs: dict[int, float] = {}

        def subject_z(s, view=view, subject_zs=subject_zs):
            z = subject_zs[id(s)] = subject_scorer.score(view, s)
            return z

        for fig, fact in zip(view.figures, facts, strict=True):
            cands = generate(view, fig, main, linker.config)
            if not cands:
                continue
            positions = figure_positions(view, fig)
            want, want_z = None, 0.0
            for c in cands:
                z = 0.5 + subject_scorer.score(view, c.subject)
                z += scorer.score(view, fig, fact, c, main_key, positions)
                if want is None or z > want_z:
                    want, want_z = c, z
            got, got_z = scorer.best(view, fig, fact, cands, main_key, 0.5, subject_zs, subject_z)
            assert (got, got_z) == (want, want_z), r["text"]
            n += 1
    assert n > 100


def test_subject_scores_in_one_call_equal_one_by_one(linker):
    # Linker.link scores a paragraph's subjects with one score_many call
    scorer = SubjectScorer(linker.model.weights)
    text = EXAMPLE + "其中，另一业务收入为3.5亿元；公司毛利率为40.1%。"
    view, *_ = linker.prepare(text, make_ents(text, ("商汤集团",)))
    assert len(view.subjects) > 2
    assert scorer.score_many(view, view.subjects) == [scorer.score(view, s) for s in view.subjects]
