"""Progress bar only on a terminal; the closing summary says what happened."""

from __future__ import annotations

import io

import pytest

from pipeline.batch.progress import Counts, Progress, summary_text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "enabled", "shown"),
    [(io.StringIO(), True, False), (_Terminal(), False, False), (_Terminal(), True, True)],
)
def test_progress_shown_only_on_a_terminal_without_quiet(
    stream: io.StringIO, enabled: bool, shown: bool
) -> None:
    counts = Counts(documents=12, errors=1, chars=3400, bytes=100)
    with Progress(enabled=enabled, total_bytes=1000, stream=stream) as progress:
        progress.update(counts)
    output = stream.getvalue()
    assert ("docs/s" in output and "chars/s" in output) is shown
    if not shown:
        assert output == ""


@pytest.mark.parametrize(
    ("counts", "fragments"),
    [
        (
            Counts(documents=5, entities=9, facts=2, seconds=2.0, chars=1000),
            ["5 documents", "9 entities", "2 facts", "0 records rejected", "500 chars/s"],
        ),
        (
            Counts(documents=5, errors=2, resumed=3, crashes=1, seconds=1.0),
            ["2 records rejected", "resumed after 3", "1 worker crash", "errors.jsonl"],
        ),
    ],
)
def test_progress_summary_text(counts: Counts, fragments: list[str]) -> None:
    text = summary_text(counts, output="out.jsonl", errors_path="out.errors.jsonl")
    for fragment in fragments:
        assert fragment in text
