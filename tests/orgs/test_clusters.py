"""Cluster features of the ORG tagger: identical single/batch features, persistence,
backward compatibility with models saved before them, and the seeded cluster recipe."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.errors import ZhnewsError
from pipeline.orgs.classifier import OrgTagger, load_tagger, save_tagger
from pipeline.orgs.features import (
    LABELS,
    N_CHAR_TEMPLATES,
    N_CLUSTER_TEMPLATES,
    N_TOKEN_TEMPLATES,
    Clusters,
    DictionaryMarks,
    FeatureConfig,
    Normaliser,
    feature_indices,
    feature_indices_many,
)


def toy_clusters() -> Clusters:
    return Clusters(
        words=["宁波", "银行", "发布", "0000年"],
        word_fine=np.array([1, 2, 3, 4]),
        word_coarse=np.array([1, 1, 2, 3]),
        chars=np.array([ord("宁"), ord("银"), ord("行")]),
        char_ids=np.array([5, 6, 6]),
    )


TEXTS = ["宁波银行发布公告", "银行", "", "A宁波", "2024年宁波银行"]
TOKENS = [
    [(0, 2, "宁波"), (2, 4, "银行"), (4, 6, "发布"), (6, 8, "公告")],
    [(0, 2, "银行")],
    [],
    None,
    [(0, 5, "2024年"), (5, 7, "宁波"), (7, 9, "银行")],
]


@pytest.mark.parametrize("use_tokens", [True, False])
@pytest.mark.parametrize("hash_version", [1, 2])
@pytest.mark.parametrize("use_wide", [False, True])
def test_clusters_single_and_batch_features_are_identical(use_tokens, hash_version, use_wide):
    marks = DictionaryMarks(["银行"], ["宁波银行"])
    config = FeatureConfig(
        bits=16,
        use_tokens=use_tokens,
        clusters=toy_clusters(),
        hash_version=hash_version,
        use_wide=use_wide,
    )
    norm = Normaliser()
    norms = [norm(t) for t in TEXTS]
    batch, offsets = feature_indices_many(norms, marks, config, TOKENS, TEXTS)
    assert batch.shape[1] == config.n_templates
    for i, text in enumerate(TEXTS):
        if not text:
            continue
        single = feature_indices(norms[i], marks, config, TOKENS[i], match_form=text)
        assert np.array_equal(single, batch[offsets[i] : offsets[i + 1]])
        assert single.min() >= 0 and single.max() < 1 << 16


def test_clusters_add_templates_and_use_the_normalised_token():
    config = FeatureConfig(bits=16, use_tokens=True, clusters=toy_clusters())
    assert config.n_templates == N_CHAR_TEMPLATES + N_TOKEN_TEMPLATES + N_CLUSTER_TEMPLATES
    marks = DictionaryMarks([], [])
    # "2024年" is looked up as its normalised form "0000年" (a clustered word): its
    # word-cluster feature must differ from an unknown word's.
    known = feature_indices("0000年", marks, config, [(0, 5, "2024年")])
    unknown = feature_indices("0000月", marks, config, [(0, 5, "2024月")])
    own_word = N_CHAR_TEMPLATES + N_TOKEN_TEMPLATES + 5
    assert known[0, own_word] != unknown[0, own_word]


def test_clusters_array_and_json_round_trip():
    clusters = toy_clusters()
    again = Clusters.from_json(clusters.to_json())
    assert again.word_code == clusters.word_code
    assert np.array_equal(again.char_table, clusters.char_table)
    assert clusters.summary()["word_fine_clusters"] == 4


@pytest.mark.parametrize("bad", ["lengths", "char_range"])
def test_clusters_malformed_tables_are_rejected(bad):
    kwargs = {
        "words": ["a", "b"],
        "word_fine": np.array([1, 2]),
        "word_coarse": np.array([1, 1]),
        "chars": np.array([ord("a")]),
        "char_ids": np.array([1]),
    }
    if bad == "lengths":
        kwargs["word_fine"] = np.array([1])
    else:
        kwargs["chars"] = np.array([0x20000])
    with pytest.raises(ValueError):
        Clusters(**kwargs)


def _random_tagger(config: FeatureConfig) -> OrgTagger:
    rng = np.random.default_rng(0)
    return OrgTagger(
        weights=rng.normal(size=(1 << config.bits, len(LABELS))).astype(np.float32),
        bias=np.zeros(len(LABELS), dtype=np.float32),
        labels=LABELS,
        config=config,
    )


def test_clusters_travel_inside_the_npz(tmp_path):
    config = FeatureConfig(
        bits=12, use_tokens=True, clusters=toy_clusters(), hash_version=2, use_wide=True
    )
    path = tmp_path / "m.npz"
    save_tagger(_random_tagger(config), path)
    loaded = load_tagger(path)
    assert loaded.config.hash_version == 2 and loaded.config.use_wide
    assert loaded.config.clusters is not None
    assert loaded.config.clusters.word_code == toy_clusters().word_code
    marks = DictionaryMarks(["银行"], [])
    a = feature_indices("宁波银行", marks, config, TOKENS[0][:2])
    b = feature_indices("宁波银行", marks, loaded.config, TOKENS[0][:2])
    assert np.array_equal(a, b)


def test_clusters_old_model_files_keep_their_features(tmp_path):
    """A file saved before the cluster templates (no cluster / hash_version arrays)
    loads with the old features: hash version 1, no cluster templates."""
    config = FeatureConfig(bits=12, use_tokens=True)
    tagger = _random_tagger(config)
    raw = dict(np.load(__import__("io").BytesIO(tagger.to_bytes()), allow_pickle=False))
    raw.pop("hash_version")
    raw.pop("use_wide")
    path = tmp_path / "old.npz"
    np.savez_compressed(path, **raw)
    loaded = load_tagger(path)
    assert loaded.config == config and loaded.config.clusters is None
    assert loaded.config.hash_version == 1 and not loaded.config.use_wide


def test_clusters_unknown_hash_version_is_refused(tmp_path):
    tagger = _random_tagger(FeatureConfig(bits=12))
    raw = dict(np.load(__import__("io").BytesIO(tagger.to_bytes()), allow_pickle=False))
    raw["hash_version"] = np.array(7)
    path = tmp_path / "future.npz"
    np.savez_compressed(path, **raw)
    with pytest.raises(ZhnewsError, match=r"E006"):
        load_tagger(path)


def test_clusters_constraint_viterbi_matches_plain_viterbi():
    """One-vs-rest models decode invalid greedy paths with the unrolled Viterbi; it must
    give the plain Viterbi's path."""
    tagger = _random_tagger(FeatureConfig(bits=8))
    rng = np.random.default_rng(1)
    for n in (1, 2, 3, 7, 20):
        for _ in range(50):
            logp = np.log(rng.dirichlet(np.ones(len(LABELS)), size=n))
            assert tagger._viterbi_bioes(logp, tagger._constraint_rows) == tagger._viterbi(logp)


def test_clusters_recipe_is_seeded():
    from training.org.clusters import ClusterSettings, build_clusters

    texts = ["宁波银行发布公告", "星河科技发布公告", "宁波银行今天涨停", "星河科技今天跌停"] * 5
    chars_of = {t: [(i, i + 2, t[i : i + 2]) for i in range(0, len(t) - 1, 2)] for t in texts}
    settings = ClusterSettings(
        word_dims=2,
        word_fine=3,
        word_coarse=2,
        word_min_count=1,
        char_dims=2,
        char_clusters=3,
        char_min_count=1,
        contexts=10,
    )
    runs = [
        build_clusters(
            texts, chars_of.__getitem__, Normaliser(), log=lambda _: None, settings=settings
        )
        for _ in range(2)
    ]
    assert runs[0].word_code == runs[1].word_code
    assert np.array_equal(runs[0].char_ids, runs[1].char_ids)
    assert runs[0].word_fine.min() >= 1 and runs[0].char_ids.min() >= 1
