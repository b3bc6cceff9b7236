"""Fixtures for the ORG tests: small rule sets and a tiny trained tagger (fast, no pkuseg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.orgs.classifier import OrgTagger
from pipeline.orgs.features import LABELS, FeatureConfig, spans_to_tags
from pipeline.orgs.rules import OrgRules, load_rules
from pipeline.orgs.tagging import CharTagPipeline

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = REPO_ROOT / "configs" / "orgs"

# Toy training sentences written for these tests (ORG spans marked by offsets).
TOY_TRAIN = [
    ("星河科技今天发布财报", [(0, 4)]),
    ("宁波银行与星河科技签约", [(0, 4), (5, 9)]),
    ("北辰证券的收入增长", [(0, 4)]),
    ("今天天气很好", []),
    ("他在星海集团工作", [(2, 6)]),
    ("东岳控股宣布回购", [(0, 4)]),
    ("收入同比增长了", []),
]


@pytest.fixture(scope="session")
def shipped_rules() -> OrgRules:
    return load_rules(RULES_DIR)


@pytest.fixture(scope="session")
def tiny_estimator():
    """An SGDClassifier fitted on the toy sentences with the shared features."""
    import scipy.sparse as sp
    from sklearn.linear_model import SGDClassifier

    rules = load_rules(RULES_DIR)
    config = FeatureConfig(bits=12)
    featurizer = CharTagPipeline(rules, None, config)
    rows, ys = [], []
    index = {lab: i for i, lab in enumerate(LABELS)}
    for text, spans in TOY_TRAIN * 3:
        rows.append(featurizer.indices(text))
        ys.extend(index[t] for t in spans_to_tags(len(text), spans))
    idx = np.concatenate(rows)
    n, t = idx.shape
    X = sp.csr_matrix(
        (np.ones(n * t), idx.ravel(), np.arange(0, n * t + 1, t)), shape=(n, 1 << config.bits)
    )
    clf = SGDClassifier(loss="log_loss", alpha=1e-4, max_iter=30, tol=None, random_state=0)
    clf.fit(X, np.array(ys))
    return clf


@pytest.fixture(scope="session")
def tiny_tagger(tiny_estimator) -> OrgTagger:
    return OrgTagger.from_estimator(tiny_estimator, FeatureConfig(bits=12))
