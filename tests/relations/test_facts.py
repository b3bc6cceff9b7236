"""Facts rows and the Parquet / CSV writers."""

from __future__ import annotations

import csv

import pyarrow.parquet as pq
import pytest

from pipeline.errors import ZhnewsError
from pipeline.relations.facts import FACT_COLUMNS, SENTENCE_WINDOW, facts_rows, write_facts

from .rel_helpers import EXAMPLE, make_ents


def _record(linker):
    ents = make_ents(EXAMPLE, ("商汤集团",))
    relations, _ = linker.link(EXAMPLE, ents)
    entities = []
    for e in ents:
        value = None
        if e.label == "MONEY":
            value = {"amount": float(e.text[:-2]) * 1e8, "currency": "CNY"}
        elif e.label == "PERCENT":
            value = {"value": float(e.text[:-1]), "unit": "percent"}
        elif e.label == "DATE":
            value = {"start": "2024-01-01", "end": "2024-12-31", "granularity": "year"}
        entities.append(
            {"start": e.start, "end": e.end, "label": e.label, "text": e.text, "value": value}
        )
    return {"id": "doc-1", "entities": entities, "relations": relations}


def test_facts_rows_one_per_relation(linker):
    record = _record(linker)
    rows = facts_rows(record, EXAMPLE)
    assert len(rows) == len(record["relations"]) == 6
    first = rows[0]
    assert set(first) == set(FACT_COLUMNS)
    assert first["doc_id"] == "doc-1"
    assert first["subject"] == "商汤集团" and first["subject_type"] == "ORG"
    assert first["metric_canonical"] == "revenue" and first["kind"] == "value"
    assert first["amount"] == pytest.approx(3.77e9) and first["currency"] == "CNY"
    assert (first["period_start"], first["period_end"]) == ("2024-01-01", "2024-12-31")
    assert first["sentence"].startswith("商汤集团2024年") and first["sentence"].endswith("。")
    share = next(r for r in rows if r["kind"] == "share")
    assert share["unit"] == "percent" and share["amount"] == pytest.approx(63.7)
    assert share["subject_type"] == "SEGMENT"


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_facts_write_round_trip(tmp_path, linker, suffix):
    rows = facts_rows(_record(linker), EXAMPLE)
    path = tmp_path / f"facts{suffix}"
    assert write_facts(iter(rows), path) == 6
    if suffix == ".parquet":
        table = pq.read_table(path)
        assert table.column_names == list(FACT_COLUMNS)
        assert table.column("figure_text").to_pylist() == [r["figure_text"] for r in rows]
    else:
        with path.open(encoding="utf8", newline="") as handle:
            read = list(csv.DictReader(handle))
        assert [r["figure_text"] for r in read] == [r["figure_text"] for r in rows]


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_facts_write_empty(tmp_path, suffix):
    path = tmp_path / f"facts{suffix}"
    assert write_facts([], path) == 0
    assert path.is_file()


def test_facts_write_rejects_unknown_suffix(tmp_path):
    with pytest.raises(ZhnewsError, match=r"\[E002\]"):
        write_facts([], tmp_path / "facts.xlsx")


def _row_for(text: str, figure: str) -> dict:
    start = text.index(figure)
    record = {
        "id": "long",
        "entities": [{"start": start, "end": start + len(figure), "label": "MONEY"}],
        "relations": [
            {
                "figure": {"start": start, "end": start + len(figure), "text": figure},
                "subject": {"text": "甲乙集团", "type": "ORG"},
                "period": None,
            }
        ],
    }
    (row,) = facts_rows(record, text)
    return row


def test_facts_sentence_is_the_figure_sentence():
    text = "上一句。甲乙集团收入37.7亿元，同比增长10.8%！下一句。"
    assert _row_for(text, "37.7亿元")["sentence"] == "甲乙集团收入37.7亿元，同比增长10.8%！"


def test_facts_sentence_is_bounded_without_sentence_marks():
    # a table dump on one line: the row keeps a window around the figure, not the text
    filler = "甲乙集团收入增长，" * 2000
    text = filler + "收入37.7亿元" + filler
    sentence = _row_for(text, "37.7亿元")["sentence"]
    assert "37.7亿元" in sentence
    assert len(sentence) <= 2 * SENTENCE_WINDOW + len("37.7亿元")
