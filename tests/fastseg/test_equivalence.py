"""FastPkuseg.cut must equal spacy_pkuseg's pkuseg.cut, word for word, on any text.

Run on the toy model (always) and on the real model (skipped when it is not fetched):
hand-written edge cases, every text of corpus/, the shared finance news when present,
and arbitrary Unicode from hypothesis.  A mismatch is a bug in pipeline.fastseg.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO_ROOT = Path(__file__).resolve().parents[2]

EDGE_CASES = [
    "",
    " ",
    " \t\n\u3000 ",
    "a",
    "中",
    "，",
    "0",
    "12.5",
    "１２３４５６７８９０％",
    "ＡＢＣｘｙｚ／・－",
    "abcXYZ 123",
    "-._,|/*:",
    "公司-集团.子公司_业务,合作|伙伴/地区*说明:完",
    "**Num**Letter**noWord",
    "归母净利润",  # a user-dictionary word alone
    "归母净利润增长",  # user word at the start
    "公司实现归母净利润",  # user word at the end
    "归母净利润扣非净利润",  # two user words back to back
    "归母净利",  # a prefix of a user word only
    "😀中文😀𠀀𠀁",  # astral characters
    "中国 人民\t银行\u3000发布\n公告",
    "  前后空白  ",
    "贵州茅台2023年实现归母净利润747.34亿元，同比增长19.16%。",
    "腾讯控股（00700.HK）第三季度营收1546.25亿元，同比增长10%。",
    "中" * 3,
    "中国人民银行" * 400,  # a long piece, more than one scoring block
    "股价上涨3.5%，" * 1500,
    "\x00中\x00",
    "A股B股H股N股",
    "\ud800中文\udfff",  # lone surrogates (spaCy refuses them later; pkuseg does not)
]


def _corpus_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted((REPO_ROOT / "corpus").glob("*/*.jsonl")):
        for line in path.read_text(encoding="utf8").splitlines():
            if line.strip():
                record = json.loads(line)
                if isinstance(record, dict) and isinstance(record.get("text"), str):
                    texts.append(record["text"])
    for path in sorted((REPO_ROOT / "corpus" / "sample").glob("*.txt")):
        texts.extend(p for p in path.read_text(encoding="utf8").split("\n\n") if p.strip())
    return texts


@pytest.mark.parametrize("text", EDGE_CASES, ids=range(len(EDGE_CASES)))
def test_fastseg_toy_model_edge_cases(toy_pair, text):
    fast, reference = toy_pair
    assert fast.cut(text) == reference.cut(text)


@pytest.mark.parametrize("text", EDGE_CASES, ids=range(len(EDGE_CASES)))
def test_fastseg_real_model_edge_cases(real_pair, text):
    fast, reference = real_pair
    assert fast.cut(text) == reference.cut(text)


def test_fastseg_corpus_texts_identical(real_pair):
    fast, reference = real_pair
    texts = _corpus_texts()
    assert len(texts) > 100, "corpus/ should hold the annotated and sample news"
    mismatches = [t for t in texts if fast.cut(t) != reference.cut(t)]
    assert mismatches == []


def _shared_lines(shared_data: Path, relative: str, limit: int) -> list[str]:
    path = shared_data / relative
    if not path.is_file():
        pytest.skip(f"{path} not found")
    lines = []
    with path.open(encoding="utf8") as handle:
        for line in handle:
            # TSV files carry an id or label before the text; keep the text column.
            text = line.rstrip("\n").split("\t")[-1]
            if text.strip():
                lines.append(text)
            if len(lines) >= limit:
                break
    return lines


@pytest.mark.parametrize(
    ("relative", "limit"),
    [("thucnews/finance_docs.tsv", 40), ("thucnews/finance_sentences.txt", 600)],
)
def test_fastseg_shared_news_sample_identical(real_pair, shared_data, relative, limit):
    fast, reference = real_pair
    lines = _shared_lines(shared_data, relative, limit)
    assert [t for t in lines if fast.cut(t) != reference.cut(t)] == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "relative",
    [
        "thucnews/finance_docs.tsv",
        "thucnews/finance_sentences.txt",
        "thucnews/finance_stocks_titles.tsv",
        "cfsc_fin_news/sentences_unlabeled.txt",
    ],
)
def test_fastseg_shared_news_all_identical(real_pair, shared_data, relative):
    fast, reference = real_pair
    lines = _shared_lines(shared_data, relative, 10_000)
    assert [t for t in lines if fast.cut(t) != reference.cut(t)] == []


# Characters that exercise every branch: CJK, num/letter classes, keyword chars,
# whitespace of several kinds, user-dictionary letters, astral and control characters.
_ALPHABET = st.sampled_from(
    list("中国人民银行公司归母净利润扣非经调整增长亿元万年月日，。、（）")
    + list("0123456789.几二三十百千万亿零１２３％ＡＢｚ／・－abcXYZ")
    + list("-._,|/*: \t\n\u3000\xa0")
    + ["😀", "𠀀", "\x00", "\ufeff", "é"]
)
_TEXTS = st.one_of(st.text(_ALPHABET, max_size=60), st.text(max_size=40))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTS)
def test_fastseg_property_toy_model(toy_pair, text):
    fast, reference = toy_pair
    assert fast.cut(text) == reference.cut(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTS)
def test_fastseg_property_real_model(real_pair, text):
    fast, reference = real_pair
    assert fast.cut(text) == reference.cut(text)


def test_fastseg_cut_many_equals_reference_per_text(real_pair):
    fast, reference = real_pair
    texts = EDGE_CASES + _corpus_texts()[:50]
    assert fast.cut_many(texts) == [reference.cut(t) for t in texts]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(_TEXTS, max_size=8))
def test_fastseg_property_cut_many_toy_model(toy_pair, texts):
    fast, reference = toy_pair
    assert fast.cut_many(texts) == [reference.cut(t) for t in texts]
