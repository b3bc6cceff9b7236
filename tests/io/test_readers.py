"""Streaming readers: JSONL, .txt, directories, stdin; checks before work starts."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from pipeline.errors import UsageError
from pipeline.io.readers import check_inputs, expand_inputs, iter_items
from pipeline.io.records import Fields


def _write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf8"
    )
    return path


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"id":"a","text":"\xe6\x94\xb6\xe5\x85\xa5"}\n', [("a", "收入", None)]),
        (b'\xef\xbb\xbf{"id":"a","text":"x"}\n', [("a", "x", None)]),
        (
            b'{"id":"a","text":"x"}\r\n\n   \n{"id":"b","text":"y","date":"2024-01-02"}',
            [("a", "x", None), ("b", "y", "2024-01-02")],
        ),
        (b'{"text":"x"}\n', [("IN:1", "x", None)]),
    ],
)
def test_readers_jsonl_good(tmp_path: Path, raw: bytes, expected: list[tuple]) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(raw)
    items = list(check_inputs([str(path)], Fields()).items())
    got = [(i.doc_id, i.text, i.date) for i in items]
    assert got == [(d.replace("IN", str(path)), t, dt) for d, t, dt in expected]
    assert all(i.ok and i.size > 0 for i in items)


@pytest.mark.parametrize(
    ("raw", "line", "error"),
    [
        (b'{"id":"a","text":"x"}\n{"id":"b","text":"\xff\xfe"}\n', 2, "invalid UTF-8"),
        (b'{"id":"a","text":"x"}\n{"id":"b",\n', 2, "malformed JSON"),
        (b'{"id":"a","text":"x"}\n{"id":"b","text":"\\ud800"}\n', 2, "lone surrogate"),
        (b'{"id":"a","text":"x"}\n' + b"[" * 100_000 + b"\n", 2, "malformed JSON"),
    ],
)
def test_readers_jsonl_bad_line_is_one_error(
    tmp_path: Path, raw: bytes, line: int, error: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(raw)
    items = list(check_inputs([str(path)], Fields()).items())
    assert [i.ok for i in items] == [True, False]
    assert items[1].line == line and error in (items[1].error or "")


@pytest.mark.parametrize(
    ("raw", "ok", "error"),
    [
        ("第一段。\r\n第二段。".encode(), True, None),
        (b"\xef\xbb\xbfabc", True, None),
        (b"ok\n\xc3\x28", False, "invalid UTF-8 at byte 3"),
        (b"a\x00b", False, "control character"),
    ],
)
def test_readers_txt_file_is_one_document(
    tmp_path: Path, raw: bytes, ok: bool, error: str | None
) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(raw)
    (item,) = list(check_inputs([str(path)], Fields()).items())
    assert item.doc_id == str(path) and item.ok is ok
    if ok:
        expected = raw.decode("utf-8-sig")
        assert item.text == expected  # text kept exactly (no newline conversion)
    else:
        assert error in (item.error or "")


def test_readers_directory_recursive_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "z").mkdir(parents=True)
    _write_jsonl(tmp_path / "b" / "1.jsonl", [{"id": "b1", "text": "x"}])
    (tmp_path / "a" / "z" / "doc.txt").write_text("t", encoding="utf8")
    _write_jsonl(tmp_path / "a" / "0.jsonl", [{"id": "a0", "text": "x"}])
    (tmp_path / "a" / "notes.md").write_text("ignored", encoding="utf8")
    files = expand_inputs([str(tmp_path)])
    assert [Path(f).relative_to(tmp_path).as_posix() for f in files] == [
        "a/0.jsonl",
        "a/z/doc.txt",
        "b/1.jsonl",
    ]
    ids = [i.doc_id for i in iter_items(files, Fields())]
    assert ids == ["a0", str(tmp_path / "a" / "z" / "doc.txt"), "b1"]


@pytest.mark.parametrize(
    ("fields", "explicit", "message"),
    [
        (Fields(text="body"), Fields("body", "", ""), "Unknown field 'body'"),
        (Fields(id="uid"), Fields("", "uid", ""), "Unknown field 'uid'"),
        (Fields(date="pub"), Fields("", "", "pub"), "Unknown field 'pub'"),
    ],
)
def test_readers_unknown_field_is_usage_error(
    tmp_path: Path, fields: Fields, explicit: Fields, message: str
) -> None:
    path = _write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "x"}] * 3)
    with pytest.raises(UsageError, match=message) as info:
        check_inputs([str(path)], fields, explicit)
    assert str(path) in str(info.value) and "[E003]" in str(info.value)


def test_readers_field_present_in_some_records_is_not_usage_error(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "in.jsonl", [{"id": "a"}, {"id": "b", "text": "x"}])
    items = list(check_inputs([str(path)], Fields()).items())
    assert [i.ok for i in items] == [False, True]


@pytest.mark.parametrize("name", ["missing.jsonl", "missing_dir/"])
def test_readers_missing_input_is_usage_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match=r"\[E001\].*missing"):
        check_inputs([str(tmp_path / name)], Fields())


def test_readers_unreadable_file_is_usage_error(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root can read files without read permission")
    path = _write_jsonl(tmp_path / "in.jsonl", [{"text": "x"}])
    path.chmod(0)
    with pytest.raises(UsageError, match="not a readable file"):
        check_inputs([str(path)], Fields())


@pytest.mark.parametrize("count", [1, 150])
def test_readers_stdin_peek_is_replayed(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    raw = "".join(json.dumps({"id": str(n), "text": "文本"}) + "\n" for n in range(count)).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf8"))
    checked = check_inputs(["-"], Fields())
    assert [i.doc_id for i in checked.items()] == [str(n) for n in range(count)]


def test_readers_stdin_twice_is_usage_error() -> None:
    with pytest.raises(UsageError, match="stdin"):
        check_inputs(["-", "-"], Fields())
