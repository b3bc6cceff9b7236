"""The shipped ORG model: checksum, size, format, and a few predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.orgs.classifier import load_tagger, sha256_file

MODEL_DIR = Path(__file__).resolve().parents[2] / "pipeline" / "models" / "org"
MODEL = MODEL_DIR / "org_clf.npz"
CARD = MODEL_DIR / "org_clf.card.json"


@pytest.fixture(scope="module")
def card() -> dict:
    if not MODEL.is_file():
        pytest.skip("shipped ORG model not built yet (python -m training.org.train)")
    return json.loads(CARD.read_text(encoding="utf8"))


@pytest.mark.parametrize("key", ["training_data", "created", "versions", "metrics", "sha256"])
def test_shipped_model_card_has_required_fields(card, key):
    assert card[key]


@pytest.mark.parametrize("limit_mb", [50])
def test_shipped_model_size_and_checksum(card, limit_mb):
    assert MODEL.stat().st_size <= limit_mb * 1_000_000
    assert sha256_file(MODEL) == card["sha256"]
    assert all(d.get("licence") for d in card["training_data"])


@pytest.mark.parametrize(
    "text,name",
    [
        ("星河科技股份有限公司今日发布公告", "星河科技股份有限公司"),
        ("中国人民银行宣布降准", "中国人民银行"),
    ],
)
def test_shipped_model_finds_organisations(card, shipped_rules, pkuseg_tokens, text, name):
    from pipeline.orgs.tagging import CharTagPipeline

    tagger = load_tagger(MODEL, CARD)
    spans = CharTagPipeline(shipped_rules, tagger).spans(text, pkuseg_tokens(text))
    assert name in [text[s:e] for s, e, _ in spans]


@pytest.fixture(scope="module")
def pkuseg_tokens():
    """pkuseg tokens (the model was trained with them); skip when the model is absent."""
    from pipeline.segmenter import default_model_dir, model_is_ready

    if not model_is_ready(default_model_dir()):
        pytest.skip(f"pkuseg model not found at {default_model_dir()}")
    from spacy.lang.zh import Chinese

    nlp = Chinese.from_config({"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(default_model_dir()), pkuseg_user_dict="default")

    def tokens(text: str) -> list[tuple[int, int, str]]:
        return [(t.idx, t.idx + len(t.text), t.text) for t in nlp.make_doc(text)]

    return tokens
