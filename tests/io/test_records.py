"""Checks that decide whether one input record can be processed."""

from __future__ import annotations

import pytest

from pipeline.io.records import Fields, date_problem, error_record, item_from_mapping, text_problem


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("腾讯控股收入增长10%。", None),
        ("", None),
        ("第一段\n\n第二段\t制表\r\n", None),
        ("全角，標點。", None),
        (None, "text must be a string, got NoneType"),
        (12, "text must be a string, got int"),
        (["a"], "text must be a string, got list"),
        ("a\ud800b", "lone surrogate U+D800 at position 1"),
        ("ab\x00", "control character U+0000 at position 2"),
        ("\x1b[31m", "control character U+001B at position 0"),
        ("a\x7f", "control character U+007F at position 1"),
    ],
)
def test_records_text_problem(text: object, problem: str | None) -> None:
    found = text_problem(text)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    ("date", "ok"),
    [
        (None, True),
        ("2024-03-20", True),
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("2024/03/20", False),
        ("2024-3-20", False),
        ("20240320", False),
        (20240320, False),
        ("2024-13-01", False),
    ],
)
def test_records_date_problem(date: object, ok: bool) -> None:
    assert (date_problem(date) is None) is ok


@pytest.mark.parametrize(
    ("obj", "doc_id", "error"),
    [
        ({"id": "a", "text": "x"}, "a", None),
        ({"id": 7, "text": "x"}, "7", None),
        ({"text": "x"}, "f:3", None),
        ({"id": "a"}, "a", "missing text field 'text'"),
        ({"id": "a", "text": 1}, "a", "text must be a string"),
        ({"id": ["a"], "text": "x"}, None, "id field 'id' must be a string or integer"),
        ({"id": True, "text": "x"}, None, "must be a string or integer"),
        ({"id": "a", "text": "x", "date": "yesterday"}, "a", "date must be YYYY-MM-DD"),
        ({"id": "a\udc00", "text": "x"}, None, "id contains a lone surrogate"),
        ([1, 2], None, "record must be a JSON object, got list"),
        ("text", None, "record must be a JSON object, got str"),
    ],
)
def test_records_item_from_mapping(obj: object, doc_id: str | None, error: str | None) -> None:
    item = item_from_mapping(obj, Fields(), source="f", line=3, default_id="f:3")
    assert item.doc_id == doc_id
    if error is None:
        assert item.ok and item.text == "x"
    else:
        assert not item.ok and error in (item.error or "")


@pytest.mark.parametrize(
    ("fields", "obj"),
    [
        (
            Fields(text="body", id="uid", date="published"),
            {"uid": "u1", "body": "x", "published": "2024-01-02"},
        )
    ],
)
def test_records_renamed_fields(fields: Fields, obj: dict) -> None:
    item = item_from_mapping(obj, fields, source="f", line=1, default_id="f:1")
    assert (item.doc_id, item.text, item.date) == ("u1", "x", "2024-01-02")


@pytest.mark.parametrize("line", [1, None])
def test_records_error_record_shape(line: int | None) -> None:
    item = item_from_mapping(
        {"text": 3}, Fields(), source="in.jsonl", line=line or 0, default_id="d"
    )
    item.line = line
    assert error_record(item) == {
        "source": "in.jsonl",
        "line": line,
        "id": "d",
        "error": "text must be a string, got int",
    }
