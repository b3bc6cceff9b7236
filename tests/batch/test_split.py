"""Splitting huge documents and mapping offsets back."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.batch.split import merge_records, shift_record, split_spans


@pytest.mark.parametrize(
    ("text", "limit", "pieces"),
    [
        ("短文。", 10, ["短文。"]),
        ("", 5, [""]),
        ("第一段很长。\n第二段。", 8, ["第一段很长。\n", "第二段。"]),
        ("甲乙丙。丁戊己庚辛！壬癸", 6, ["甲乙丙。", "丁戊己庚辛！", "壬癸"]),
        ("「他說：好。」然後走了", 8, ["「他說：好。」", "然後走了"]),
        ("abcd efgh ijkl", 6, ["abcd ", "efgh ", "ijkl"]),
        ("一二三四五六七八九十", 4, ["一二三四", "五六七八", "九十"]),
    ],
)
def test_split_prefers_paragraph_then_sentence_then_space(
    text: str, limit: int, pieces: list[str]
) -> None:
    assert [text[s:e] for s, e in split_spans(text, limit)] == pieces


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("收入亿元。！\n 12%"), max_size=300), st.integers(1, 40))
def test_split_pieces_cover_text_within_limit(text: str, limit: int) -> None:
    spans = list(split_spans(text, limit))
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(0 < e - s <= limit for s, e in spans) or text == ""
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))


@pytest.mark.parametrize("offset", [0, 7])
def test_split_shift_record_moves_every_offset(offset: int) -> None:
    record = {
        "id": "x",
        "entities": [{"start": 1, "end": 3, "text": "ab"}],
        "relations": [
            {
                "figure": {"start": 1, "end": 3, "text": "ab"},
                "subject": {"start": 0, "end": 1, "text": "c", "type": "ORG"},
                "period": None,
                "metric": "收入",
            }
        ],
        "unplaced": [{"start": 4, "end": 5, "label": "ORG", "source": "s"}],
    }
    shifted = shift_record(record, offset)
    assert shifted["entities"][0]["start"] == 1 + offset
    assert shifted["relations"][0]["figure"]["end"] == 3 + offset
    assert shifted["relations"][0]["subject"]["start"] == offset
    assert shifted["relations"][0]["period"] is None
    assert shifted["unplaced"][0]["start"] == 4 + offset


@pytest.mark.parametrize("with_unplaced", [False, True])
def test_split_merge_records_keeps_key_order(with_unplaced: bool) -> None:
    base = {"id": "x", "schema": "zhnews/1", "date": None, "entities": [], "relations": []}
    second = dict(base, entities=[{"start": 5}])
    if with_unplaced:
        second["unplaced"] = [{"start": 6}]
    merged = merge_records([dict(base, entities=[{"start": 1}]), second])
    assert [e["start"] for e in merged["entities"]] == [1, 5]
    expected_keys = ["id", "schema", "date", "entities", "relations"] + (
        ["unplaced"] if with_unplaced else []
    )
    assert list(merged) == expected_keys


@pytest.mark.parametrize("with_unplaced", [False, True])
def test_split_assembler_writes_the_bytes_of_the_merged_record(with_unplaced: bool) -> None:
    from pipeline.batch.split import RecordAssembler
    from pipeline.batch.work import dumps_record

    pieces = [
        {
            "id": "文档",
            "schema": "zhnews/1",
            "date": None,
            "entities": [{"start": 1, "text": "一亿元", "value": {"amount": 1e8}}],
            "relations": [],
        },
        {
            "id": "文档",
            "schema": "zhnews/1",
            "date": None,
            "entities": [],
            "relations": [{"figure": {"start": 9}, "metric": "收入"}],
        },
        {
            "id": "文档",
            "schema": "zhnews/1",
            "date": None,
            "entities": [{"start": 20, "text": "5%"}],
            "relations": [],
        },
    ]
    if with_unplaced:
        pieces[1]["unplaced"] = [{"start": 12, "end": 13, "label": "ORG", "source": "x"}]
    assembler = RecordAssembler(dumps_record)
    for piece in pieces:
        assembler.add(piece)
    assert assembler.line() == dumps_record(merge_records(pieces))
    assert (assembler.entities, assembler.relations) == (2, 1)
