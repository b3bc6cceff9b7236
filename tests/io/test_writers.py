"""JSONL sink checkpoints and the checks on output paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import UsageError
from pipeline.io.writers import JsonlSink, check_writable, output_format


@pytest.mark.parametrize(
    ("name", "shards", "fmt"),
    [
        ("o.jsonl", False, "jsonl"),
        ("o.json", False, "jsonl"),
        ("O.PARQUET", False, "parquet"),
        ("dir", True, "parquet"),
    ],
)
def test_writers_output_format(name: str, shards: bool, fmt: str) -> None:
    assert output_format(name, shards=shards) == fmt


@pytest.mark.parametrize("name", ["o.csv", "o", "o.txt"])
def test_writers_unknown_format_is_usage_error(name: str) -> None:
    with pytest.raises(UsageError, match=r"\[E008\]"):
        output_format(name)


@pytest.mark.parametrize(
    ("relative", "reason"),
    [("no/such/dir/out.jsonl", "does not exist"), (".", "is a directory")],
)
def test_writers_unwritable_output_is_usage_error(
    tmp_path: Path, relative: str, reason: str
) -> None:
    with pytest.raises(UsageError, match=reason) as info:
        check_writable(tmp_path / relative)
    assert "[E002]" in str(info.value)


@pytest.mark.parametrize("lines", [['{"id":"一"}', '{"id":"二"}']])
def test_writers_jsonl_resume_drops_what_followed_the_checkpoint(
    tmp_path: Path, lines: list[str]
) -> None:
    path = tmp_path / "o.jsonl"
    sink = JsonlSink(path)
    sink.write(lines[:1])
    state = sink.checkpoint()
    sink.write(lines[1:])
    sink._handle.write(b'{"half a li')  # what a kill -9 can leave behind
    sink.close()
    resumed = JsonlSink(path, resume=state)
    resumed.write(lines[1:])
    resumed.finish()
    assert path.read_text(encoding="utf8") == "".join(line + "\n" for line in lines)


@pytest.mark.parametrize("damage", ["delete", "truncate"])
def test_writers_resume_refuses_output_changed_since_the_checkpoint(
    tmp_path: Path, damage: str
) -> None:
    path = tmp_path / "o.jsonl"
    sink = JsonlSink(path)
    sink.write(['{"id":"a"}', '{"id":"b"}'])
    state = sink.checkpoint()
    sink.close()
    if damage == "delete":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes()[:3])
    with pytest.raises(UsageError, match="rerun without --resume"):
        JsonlSink(path, resume=state)


class _Streamed:
    """A line given as pieces of bytes (what a spooled record offers)."""

    def __init__(self, text: str, size: int) -> None:
        self.data, self.size = text.encode("utf8"), size

    def chunks(self):
        for start in range(0, len(self.data), self.size):
            yield self.data[start : start + self.size]


@pytest.mark.parametrize(
    "lines",
    [
        ['{"id":"a"}', _Streamed('{"id":"大","entities":[1,2,3]}', 4), '{"id":"c"}'],
        [_Streamed('{"id":"x"}', 1), _Streamed('{"id":"y"}', 100)],
        [_Streamed("{}", 1)],
        [],
    ],
)
def test_writers_jsonl_streamed_lines_written_like_strings(tmp_path: Path, lines: list) -> None:
    text = [line if isinstance(line, str) else line.data.decode("utf8") for line in lines]
    sink = JsonlSink(tmp_path / "o.jsonl")
    sink.write(lines)
    sink.finish()
    assert (tmp_path / "o.jsonl").read_text(encoding="utf8") == "".join(t + "\n" for t in text)
