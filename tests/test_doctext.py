"""``pipeline.doctext``: the recorded text is exactly ``doc.text``, or it is not used."""

from __future__ import annotations

import gc
import json

import pytest
from conftest import REPO_ROOT
from spacy.tokens import Doc

from pipeline.doctext import _TEXTS, doc_text, remember_text

EDGE_TEXTS = [
    "",
    " ",
    "  开头有空格，结尾也有  ",
    "商汤集团\n\n收入37.7亿元\t同比增长10.8%",
    "全角　空格　与 half width  spaces",
    "2024年，商汤集团收入37.7亿元。",
    "\u200b零宽字符\u200b",
    "表情😀与𠀀扩展区字符",
]


def _corpus_texts() -> list[str]:
    path = REPO_ROOT / "corpus" / "annotated" / "dev.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf8").splitlines()]


@pytest.mark.parametrize("text", EDGE_TEXTS)
def test_tokenizer_records_exact_text(nlp, text: str) -> None:
    doc = nlp.tokenizer(text)
    assert doc_text(doc) == doc.text == text


def test_batched_tokenizer_records_exact_text(nlp) -> None:
    texts = EDGE_TEXTS + _corpus_texts()
    docs = list(nlp.tokenizer.pipe(texts))
    assert [doc_text(d) for d in docs] == [d.text for d in docs] == texts
    assert all(d in _TEXTS for d in docs if len(d))


def test_processed_doc_keeps_text_after_entity_splits(nlp) -> None:
    # the figures component splits tokens at entity edges (retokenizer): text unchanged
    text = "2024年,商汤集团收入37.7亿元,同比增长10.8%"
    doc = nlp(text)
    assert doc_text(doc) == doc.text == text


def test_unrecorded_doc_falls_back(nlp) -> None:
    doc = Doc(nlp.vocab, words=["收入", "37.7亿元"], spaces=[False, False])
    assert doc not in _TEXTS
    assert doc_text(doc) == "收入37.7亿元"


def test_mismatched_text_is_not_recorded(nlp) -> None:
    doc = Doc(nlp.vocab, words=["收入"], spaces=[False])
    remember_text(doc, "收入以外")
    assert doc not in _TEXTS
    assert doc_text(doc) == "收入"


def test_record_goes_away_with_the_doc(nlp) -> None:
    doc = nlp.tokenizer("短文本测试")
    assert doc in _TEXTS
    before = len(_TEXTS)
    del doc
    gc.collect()
    assert len(_TEXTS) == before - 1
