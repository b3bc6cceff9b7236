"""The facts table (issue #5) written during a batch run, resumable like the output.

Rows from :func:`pipeline.relations.facts.facts_rows` are computed in the workers and
appended to a journaled JSONL spool next to the facts file (so a crash or Ctrl-C can
be resumed exactly like the main output; the rows of a huge document are computed
here from its spooled record and its text, one piece at a time); at the end the spool
is streamed through
:func:`pipeline.relations.facts.write_facts` into the ``.parquet`` or ``.csv`` the user
asked for, and removed.  Memory stays flat: rows are never all held at once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.batch.stream import SpooledRecord
from pipeline.errors import Errors, UsageError
from pipeline.io.writers import JsonlSink, check_writable

FACT_SUFFIXES = (".parquet", ".csv")


def check_facts_path(path: str) -> None:
    """The facts file must be ``.parquet`` or ``.csv`` in a writable place."""
    if Path(path).suffix.lower() not in FACT_SUFFIXES:
        raise UsageError(
            Errors.E002.format(path=path, reason="facts file must end in .parquet or .csv")
        )
    check_writable(path)


def facts_line(row: dict[str, Any]) -> str:
    """One facts row as the spool stores it."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def spooled_facts(spooled: SpooledRecord, text: str) -> Iterator[dict[str, Any]]:
    """Facts rows of a spooled (split) document, piece by piece.

    The same rows, in the same order, as ``facts_rows`` of each piece's shifted record
    over the whole text (what the worker computes for a document it holds whole).
    """
    from pipeline.relations.facts import facts_rows

    for record in spooled.piece_records():
        yield from facts_rows(record, text)


class FactsSink:
    """Spool facts rows to JSONL as the run goes; write the table in :meth:`finish`."""

    def __init__(
        self, path: str | os.PathLike[str], *, resume: dict[str, Any] | None = None
    ) -> None:
        self.path = Path(path)
        self.spool = self.path.with_name(self.path.name + ".rows.jsonl")
        self._sink = JsonlSink(self.spool, resume=resume)

    def write(self, rows: list[Any]) -> None:
        """Append rows in order; ``(SpooledRecord, text)`` stands for a split document's rows."""
        lines: list[str] = []
        for row in rows:
            if isinstance(row, tuple):
                spooled, text = row
                for fact in spooled_facts(spooled, text):
                    lines.append(facts_line(fact))
                    if len(lines) >= 1_000:
                        self._sink.write(lines)
                        lines = []
            else:
                lines.append(facts_line(row))
        self._sink.write(lines)

    def ready(self) -> bool:
        return True

    def checkpoint(self) -> dict[str, Any]:
        return self._sink.checkpoint()

    def _rows(self) -> Iterator[dict[str, Any]]:
        with open(self.spool, encoding="utf8") as handle:
            for line in handle:
                yield json.loads(line)

    def finish(self) -> None:
        from pipeline.relations.facts import write_facts

        self._sink.finish()
        write_facts(self._rows(), self.path)
        self.spool.unlink()

    def close(self) -> None:
        self._sink.close()
