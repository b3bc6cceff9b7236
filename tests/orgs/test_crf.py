"""CRF recipe option (training/org/crf.py): export to the tagger's arrays, toy learning.

python-crfsuite is a training-only dependency: these tests are skipped without it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from pipeline.orgs.classifier import OrgTagger, load_tagger, save_tagger
from pipeline.orgs.features import LABELS, FeatureConfig, spans_to_tags
from pipeline.orgs.tagging import CharTagPipeline

pycrfsuite = pytest.importorskip("pycrfsuite")

from training.org.crf import attribute_names, export_weights, items, train_crf  # noqa: E402

BITS = 8
LABEL_INDEX = {lab: i for i, lab in enumerate(LABELS)}


def _toy_sequences() -> list[tuple[np.ndarray, np.ndarray]]:
    """Index 5 on one character is an ``S``; indices 7, 8, 9 in a row are ``B I E``.

    Every character also has a second feature (its position parity) and, on some
    characters, the same index twice (a hash collision the export must count twice).
    """
    out = []
    patterns = [
        [1, 7, 8, 9, 2],
        [5, 1, 2, 3],
        [3, 3, 7, 8, 9, 5, 1],
        [2, 1, 3],
        [7, 8, 9],
    ]
    tags = {1: "O", 2: "O", 3: "O", 5: "S", 7: "B", 8: "I", 9: "E"}
    for _ in range(4):
        for pat in patterns:
            idx = np.array([[v, 20 + (i % 2), v] for i, v in enumerate(pat)], dtype=np.int64)
            out.append((idx, np.array([LABEL_INDEX[tags[v]] for v in pat], dtype=np.int64)))
    return out


def _tagger(weights: np.ndarray, transitions: np.ndarray, bits: int = BITS) -> OrgTagger:
    return OrgTagger(
        weights=weights,
        bias=np.zeros(len(LABELS), dtype=np.float32),
        labels=LABELS,
        config=FeatureConfig(bits=bits),
        transitions=transitions,
    )


def _path_score(tagger: OrgTagger, idx: np.ndarray, path: list[int]) -> float:
    emis = tagger.weights[idx].sum(axis=1)
    score = float(sum(emis[i, k] for i, k in enumerate(path)))
    return score + float(sum(tagger.transitions[a, b] for a, b in itertools.pairwise(path)))


def test_items_count_collisions_and_use_hex_names():
    names = attribute_names(BITS)
    row = items(np.array([[10, 255, 10], [1, 2, 3]], dtype=np.int64), names)
    assert row[0] == {"a": 2.0, "ff": 1.0}
    assert row[1] == ["1", "2", "3"]


def test_export_matches_crfsuite_scores(tmp_path):
    """Exported arrays give the same path score differences as crfsuite's own model."""
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params({"c2": 0.1, "max_iterations": 30, "feature.possible_transitions": True})
    names = attribute_names(BITS)
    seqs = _toy_sequences()
    for idx, y in seqs:
        trainer.append(items(idx, names), [LABELS[t] for t in y])
    model = tmp_path / "toy.crfsuite"
    trainer.train(str(model))
    weights, transitions = export_weights(model, BITS)
    assert weights.shape == (1 << BITS, len(LABELS))
    assert np.abs(transitions).sum() > 0
    tagger = _tagger(weights, transitions)
    crf = pycrfsuite.Tagger()
    crf.open(str(model))
    idx, y = seqs[2]
    crf.set(items(idx, names))
    gold = y.tolist()
    other = [LABEL_INDEX["O"]] * len(gold)
    # log P(a) - log P(b) = score(a) - score(b): the partition function cancels.
    expected = np.log(crf.probability([LABELS[k] for k in gold])) - np.log(
        crf.probability([LABELS[k] for k in other])
    )
    got = _path_score(tagger, idx, gold) - _path_score(tagger, idx, other)
    assert got == pytest.approx(expected, abs=1e-3)
    assert [LABELS[k] for k in tagger._viterbi(tagger.weights[idx].sum(axis=1))] == crf.tag()
    crf.close()


def test_train_crf_learns_toy_pattern_and_survives_npz(tmp_path):
    weights, transitions = train_crf(_toy_sequences(), BITS, c2=0.01, iterations=50, log=str)
    tagger = _tagger(weights, transitions)
    path = tmp_path / "org_clf.npz"
    save_tagger(tagger, path)
    loaded = load_tagger(path)
    assert loaded.transitions is not None
    idx = np.array([[v, 20 + (i % 2), v] for i, v in enumerate([2, 7, 8, 9, 1, 5])])
    spans = [(s, e) for s, e, _ in loaded.decode(loaded.probabilities(idx), o_threshold=1.0)]
    assert spans == [(1, 4), (5, 6)]


def test_train_crf_on_real_features_tags_toy_sentences(shipped_rules):
    """The recipe path: CharTagPipeline features -> CRF -> the same pipeline decodes."""
    from tests.orgs.conftest import TOY_TRAIN

    config = FeatureConfig(bits=12)
    featurizer = CharTagPipeline(shipped_rules, None, config)
    seqs = [
        (
            featurizer.indices(text),
            np.array([LABEL_INDEX[t] for t in spans_to_tags(len(text), spans)], dtype=np.int64),
        )
        for text, spans in TOY_TRAIN * 3
    ]
    weights, transitions = train_crf(seqs, config.bits, c2=0.01, iterations=60, log=str)
    featurizer.tagger = _tagger(weights, transitions, bits=config.bits)
    found = [(s, e) for s, e, _ in featurizer.spans("宁波银行与星河科技签约")]
    assert found == [(0, 4), (5, 9)]
