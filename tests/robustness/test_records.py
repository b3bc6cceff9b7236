"""Every kind of bad record is rejected with a reason; nothing is lost (issue #8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.batch.runner import ExtractOptions, exit_status, run_extract
from pipeline.batch.work import PipelineSpec

zhnews_fakes = pytest.importorskip("zhnews_fakes")

GOOD = '{"id":"g%d","text":"第%d季度营收%d亿元。","date":"2024-06-30"}'
# (raw line, expected reason fragment): one of each kind of broken record.
BAD_LINES: list[tuple[bytes, str]] = [
    (b'{"id":"m1","text":"unterminated', "malformed JSON"),
    (b"not json at all", "malformed JSON"),
    (b'["a","list"]', "must be a JSON object"),
    (b"42", "must be a JSON object"),
    (b'{"id":"m2"}', "missing text field"),
    (b'{"id":"m3","text":null}', "text must be a string, got NoneType"),
    (b'{"id":"m4","text":123}', "text must be a string, got int"),
    (b'{"id":"m5","text":["x"]}', "text must be a string, got list"),
    (b'{"id":"m6","text":"x","date":"2024/06/30"}', "date must be YYYY-MM-DD"),
    (b'{"id":"m7","text":"x","date":"2024-02-30"}', "not a calendar date"),
    (b'{"id":"m8","text":"x","date":20240630}', "date must be YYYY-MM-DD"),
    (b'{"id":"m9","text":"\xe6\x94\xb6\xff\xfe"}', "invalid UTF-8"),
    (b'{"id":"m10","text":"a\\ud800b"}', "lone surrogate"),
    (b'{"id":"m11","text":"a\\udfffb"}', "lone surrogate"),
    (b'{"id":"m12","text":"a\\u0000b"}', "control character U+0000"),
    (b'{"id":"m13","text":"\\u001b[31mred"}', "control character U+001B"),
    (b'{"id":{"x":1},"text":"x"}', "id field 'id' must be a string or integer"),
    (b"[" * 50_000, "malformed JSON"),
    (b'{"id":"m14","text":"x"} trailing', "malformed JSON"),
]


def _mixed_corpus(folder: Path) -> tuple[list[Path], int, int]:
    """A JSONL file interleaving good and bad records, plus good and bad .txt files."""
    lines: list[bytes] = []
    good = 0
    for number, (raw, _) in enumerate(BAD_LINES):
        lines.append((GOOD % (number, number, number)).encode())
        good += 1
        lines.append(raw)
        lines.append(b"   ")  # blank lines are not records
    lines.append(b'{"id":"crash","text":"' + zhnews_fakes.CRASH_MARK.encode() + b'"}')
    lines.append(b'{"id":"raise","text":"' + zhnews_fakes.RAISE_MARK.encode() + b'"}')
    lines.append(b'{"id":"last","text":"no newline at the end"}')
    good += 1
    jsonl = folder / "mixed.jsonl"
    jsonl.write_bytes(b"\n".join(lines))
    (folder / "good.txt").write_text("营收5亿元。", encoding="utf8")
    (folder / "bad.txt").write_bytes(b"\xc3\x28 broken")
    inputs = len(BAD_LINES) * 2 + 3 + 2
    return [jsonl, folder / "good.txt", folder / "bad.txt"], inputs, good + 1


@pytest.mark.parametrize("workers", [0, 2])
def test_records_outputs_plus_errors_equal_inputs(tmp_path: Path, workers: int) -> None:
    files, inputs, good = _mixed_corpus(tmp_path)
    if workers == 0:  # the crash marker would kill this very process
        files[0].write_bytes(
            files[0].read_bytes().replace(zhnews_fakes.CRASH_MARK.encode(), b"crash")
        )
        good += 1
    out = tmp_path / "out.jsonl"
    opts = ExtractOptions(
        inputs=[str(f) for f in files],
        output=str(out),
        workers=workers,
        chunk_docs=5,
        spec=PipelineSpec(loader=zhnews_fakes.LIGHT_LOADER),
    )
    counts = run_extract(opts)
    outputs = out.read_text(encoding="utf8").splitlines()
    errors = [
        json.loads(line)
        for line in (tmp_path / "out.errors.jsonl").read_text(encoding="utf8").splitlines()
    ]
    assert len(outputs) + len(errors) == inputs  # nothing lost
    assert len(outputs) == good and counts.documents == good and counts.errors == len(errors)
    assert exit_status(counts) == 3
    by_line = {(e["source"], e["line"]): e for e in errors}
    for number, (_, reason) in enumerate(BAD_LINES):
        error = by_line[(str(files[0]), 3 * number + 2)]
        assert reason in error["error"], (number, error)
        assert set(error) == {"source", "line", "id", "error"}
    assert any(e["source"] == str(files[2]) and "invalid UTF-8" in e["error"] for e in errors)
    reasons = {e["id"]: e["error"] for e in errors}
    assert "pipeline failed: ValueError" in reasons["raise"]
    if workers:
        assert "worker process crashed" in reasons["crash"]
    ids = [json.loads(line)["id"] for line in outputs]
    assert ids[-2:] == ["last", str(files[1])]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=40),
            st.text(max_size=20).map(lambda t: json.dumps({"text": t}).encode()),
        ),
        max_size=12,
    )
)
def test_records_reader_fuzz_one_item_per_non_blank_line(
    tmp_path: Path, lines: list[bytes]
) -> None:
    """Arbitrary bytes never crash the reader; every non-blank line is one item."""
    from pipeline.io.readers import check_inputs
    from pipeline.io.records import Fields

    lines = [line.replace(b"\n", b" ") for line in lines]
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines))
    items = list(check_inputs([str(path)], Fields()).items())

    def blank(number: int, raw: bytes) -> bool:
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a BOM only counts on line 1
            raw = raw[3:]
        return raw.strip(b" \t\r") == b""

    expected = [number for number, raw in enumerate(lines, start=1) if not blank(number, raw)]
    assert [item.line for item in items] == expected
    for item in items:
        assert item.ok or item.error
        if item.ok:
            assert isinstance(item.text, str)
