"""Output writers that can be resumed after a crash without a corrupt or lost line.

Writers append as they go and expose two operations the batch journal relies on:
``checkpoint()`` makes everything written so far durable and returns a small state
(e.g. the byte length of a JSONL file); opening with that state (``resume=``) drops
whatever was written after the checkpoint, such as half a line written when the
process was killed.  So a resumed run neither loses nor duplicates a document.

A line is a ``str``, or a streamed record (anything with ``chunks()`` yielding the
line's UTF-8 bytes, e.g. :class:`pipeline.batch.stream.SpooledRecord`): huge records
are copied from their spool in bounded blocks, never held whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from pipeline.batch.work import dumps_record
from pipeline.errors import Errors, UsageError

FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def output_format(path: str, *, shards: bool = False) -> str:
    """``jsonl`` or ``parquet`` from the output name (``--shard-rows`` means Parquet shards)."""
    if shards:
        return "parquet"
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(Errors.E008.format(path=path))
    return FORMATS[suffix]


def check_writable(path: str | os.PathLike[str], *, directory: bool = False) -> None:
    """Refuse an output that cannot be written, before any work starts."""
    target = Path(path)
    parent = target if directory and target.exists() else target.parent
    parent = parent if str(parent) else Path(".")
    if target.exists() and target.is_dir() and not directory:
        raise UsageError(Errors.E002.format(path=path, reason="is a directory"))
    if target.exists() and not target.is_dir() and directory:
        raise UsageError(Errors.E002.format(path=path, reason="exists and is not a directory"))
    if not parent.is_dir():
        raise UsageError(
            Errors.E002.format(path=path, reason=f"directory '{parent}' does not exist")
        )
    if target.exists() and not os.access(target, os.W_OK):
        raise UsageError(Errors.E002.format(path=path, reason="permission denied"))
    if not target.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(
            Errors.E002.format(path=path, reason=f"directory '{parent}' is not writable")
        )


class StreamedLine(Protocol):
    """A line too large to hold: its UTF-8 bytes (without newline) come in pieces."""

    def chunks(self) -> Iterator[bytes]: ...


def line_blocks(lines: Iterable[Any]) -> Iterator[bytes]:
    """UTF-8 bytes of ``lines`` each followed by a newline; small lines are batched."""
    batch: list[str] = []
    for line in lines:
        if isinstance(line, str):
            batch.append(line + "\n")
            continue
        if batch:
            yield "".join(batch).encode("utf8")
            batch = []
        yield from line.chunks()
        yield b"\n"
    if batch:
        yield "".join(batch).encode("utf8")


class Sink(Protocol):
    """What the batch runner writes records to."""

    def write(self, lines: Sequence[Any]) -> None: ...
    def ready(self) -> bool: ...
    def checkpoint(self) -> dict[str, Any]: ...
    def finish(self) -> None: ...


class JsonlSink:
    """Append-only JSONL; a checkpoint is the file length after a flushed, synced write."""

    def __init__(
        self, path: str | os.PathLike[str], *, resume: dict[str, Any] | None = None
    ) -> None:
        self.path = Path(path)
        if resume is not None:
            expected = int(resume.get("bytes", 0))
            actual = self.path.stat().st_size if self.path.exists() else -1
            if actual < expected:
                raise UsageError(
                    Errors.E002.format(
                        path=path,
                        reason=f"has {max(actual, 0)} bytes but the resume journal recorded {expected}; "
                        "it was changed since the interrupted run: rerun without --resume",
                    )
                )
        try:
            if resume is not None and self.path.exists():
                self._handle = open(self.path, "r+b")  # noqa: SIM115 (closed in finish())
                self._handle.truncate(int(resume.get("bytes", 0)))
                self._handle.seek(0, os.SEEK_END)
            else:
                self._handle = open(self.path, "wb")  # noqa: SIM115
        except OSError as err:
            raise UsageError(Errors.E002.format(path=path, reason=err.strerror or err)) from err

    def write(self, lines: Sequence[Any]) -> None:
        """Append ``lines`` (strings or streamed lines, see :func:`line_blocks`)."""
        for block in line_blocks(lines):
            self._handle.write(block)

    def write_records(self, records: list[dict[str, Any]]) -> None:
        self.write([dumps_record(record) for record in records])

    def ready(self) -> bool:
        return True

    def checkpoint(self) -> dict[str, Any]:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        return {"bytes": self._handle.tell()}

    def finish(self) -> None:
        if not self._handle.closed:
            self.checkpoint()
            self._handle.close()

    def close(self) -> None:
        """Close without the final checkpoint (interrupted runs)."""
        if not self._handle.closed:
            self._handle.flush()
            self._handle.close()
