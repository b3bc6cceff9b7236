"""Fixtures for the fastseg tests: the real pkuseg model (skips when absent), both
implementations on it, and a tiny synthetic pkuseg model that needs no download.

The toy model is built the way pkuseg builds one (``FeatureExtractor.get_node_features``
over segmented sentences, lexicon = their words plus ``""`` like the real model's), with
seeded random weights, so the equivalence tests also run on machines without the model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import srsly

from pipeline.segmenter import default_model_dir, model_is_ready

REPO_ROOT = Path(__file__).resolve().parents[2]
USER_DICT = REPO_ROOT / "configs" / "pkuseg_user_dict.txt"

# Segmented training lines for the toy model: words, numbers, letters, keyword chars.
TOY_SENTENCES = [
    "中国 人民 银行 今天 发布 公告",
    "公司 2023 年 营业 收入 12.5 亿元 ， 同比 增长 3.4 %",
    "ＡＢＣ 集团 - 子公司 / 业务 : 测试",
    "归母 净利润 同比 下降 五 个 百分点",
    "上海 证券 交易所 科创板 上市 公司",
    "人民 银行 宣布 下调 存款 准备金 率",
    "** 特别 . 说明 * 无",
]


def build_toy_model(directory: Path, seed: int = 7) -> Path:
    """Write features.msgpack + weights.npz of a small pkuseg model into ``directory``."""
    from spacy_pkuseg.feature_extractor import FeatureExtractor

    extractor = FeatureExtractor()
    words = [FeatureExtractor.keyword_rename(line).split() for line in TOY_SENTENCES]
    extractor.unigram = {w for line in words for w in line} | {""}
    features: dict[str, int] = {"$$": 0}
    for line in words:
        example = [FeatureExtractor._num_letter_normalize_char(ch) for w in line for ch in w]
        for i in range(len(example)):
            for feature in extractor.get_node_features(i, example):
                if feature != "/" and feature not in features:
                    features[feature] = len(features)
    tags = {"B": 0, "B_single": 1, "I": 2, "I_end": 3, "I_first": 4}
    data = {
        "unigram": sorted(extractor.unigram),
        "bigram": [],
        "feature_to_idx": features,
        "tag_to_idx": tags,
    }
    directory.mkdir(parents=True, exist_ok=True)
    srsly.write_msgpack(directory / "features.msgpack", data)
    n_tag, n_feature = len(tags), len(features)
    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, 1.0, size=n_tag * (n_feature + n_tag))
    np.savez(directory / "weights.npz", sizes=np.array([n_tag, n_feature]), w=w)
    return directory


@pytest.fixture(scope="session")
def toy_model_dir(tmp_path_factory) -> Path:
    return build_toy_model(tmp_path_factory.mktemp("toy_pkuseg"))


@pytest.fixture(scope="session")
def fastseg_cache(tmp_path_factory) -> Path:
    """A private index cache so tests never touch (or depend on) the user's cache."""
    return tmp_path_factory.mktemp("fastseg_cache")


@pytest.fixture(scope="session")
def toy_pair(toy_model_dir, fastseg_cache):
    """(FastPkuseg, spacy_pkuseg.pkuseg) on the toy model with zhnews's user dictionary."""
    import spacy_pkuseg

    from pipeline.fastseg import FastPkuseg

    fast = FastPkuseg(toy_model_dir, str(USER_DICT), cache_dir=fastseg_cache)
    return fast, spacy_pkuseg.pkuseg(str(toy_model_dir), user_dict=str(USER_DICT))


@pytest.fixture(scope="session")
def real_model_dir() -> Path:
    path = default_model_dir()
    if not model_is_ready(path):
        pytest.skip(f"pkuseg model not found at {path}: run `make setup`")
    return path


@pytest.fixture(scope="session")
def real_pair(real_model_dir):
    """(FastPkuseg, spacy_pkuseg.pkuseg) on the real model with zhnews's user dictionary.

    The index comes from the user's cache (built there on first use, ~20 s), the same
    one the pipeline uses.
    """
    import spacy_pkuseg

    from pipeline.fastseg import FastPkuseg

    fast = FastPkuseg(real_model_dir, str(USER_DICT))
    return fast, spacy_pkuseg.pkuseg(str(real_model_dir), user_dict=str(USER_DICT))
