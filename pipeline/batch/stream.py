"""Stream the record of a huge document through a disk spool, piece by piece.

Why: a 50 MB document has hundreds of thousands of entities.  Built as one record
(dicts, or even one JSON string) it costs gigabytes in the worker and again in the
parent that receives it.  Instead the worker serialises each piece's (shifted)
record as soon as the piece leaves the pipeline and appends the fragments to files
in a spool directory (:class:`SpoolWriter`); only a small :class:`SpooledRecord`
(paths, the record's scalar head, counts) travels back to the parent.  When the
document's turn comes in the output order, the writers copy the spool into the output
in bounded blocks (:meth:`SpooledRecord.chunks`), so neither process ever holds the
whole record nor the list of its entities.

Atomicity: nothing of a document reaches the output before its last piece is
processed; a worker that dies or raises in the middle of a document leaves only spool
files, which are discarded (by the worker on an exception, by the parent on a crash,
and with the whole spool directory at the end of a run).  The output itself is
written exactly as a record held in memory would be (same bytes, same checkpoints).

Spool layout: one directory per record with one file per list (``entities``,
``relations``, ``unplaced``), one line per piece (empty when the piece has none),
holding that piece's items serialised by :func:`pipeline.batch.work.dumps_record` and
joined by commas (a JSON line never contains a raw newline).  Line *k* of every file
belongs to piece *k*, so the facts table (which pairs a piece's relations with its
entities and needs the text around each figure) is computed by the parent, which
holds the text, piece by piece (:meth:`SpooledRecord.piece_records`); the worker may
then be fed the text piece by piece and never hold all of it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LISTS = ("entities", "relations", "unplaced")


@dataclass(frozen=True)
class PieceFeed:
    """Stands for the text of a huge document sent to a worker piece by piece.

    The worker asks for each piece (its start and the worker's piece limit) and the
    parent, which holds the text, cuts it with :func:`pipeline.batch.split.cut_point`,
    so the cut points are those the worker would choose with the whole text.
    """

    length: int


@dataclass(frozen=True)
class SpoolTarget:
    """Where a worker spools the records of split documents: a directory and a name prefix.

    The prefix is unique per task attempt, so the parent can remove what a crashed
    worker left behind (:func:`discard_prefix`) without knowing its file names.
    """

    directory: str
    prefix: str

    def path(self, index: int) -> Path:
        return Path(self.directory) / f"{self.prefix}-{index}"


def spool_dir_for(output: str | os.PathLike[str]) -> Path:
    """The spool directory of a run: next to its output (same disk, never a RAM ``/tmp``)."""
    path = Path(str(output).rstrip("/") or ".")
    return path.with_name(path.name + ".zhnews-spool")


def fresh_spool_dir(output: str | os.PathLike[str]) -> str | None:
    """Create an empty spool directory for a run; ``None`` (records kept in memory) if impossible.

    Whatever an earlier, interrupted run left there belongs to records that were never
    written, so it is removed: ``--resume`` reprocesses those documents.
    """
    path = spool_dir_for(output)
    try:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir()
    except OSError:
        return None
    return str(path)


def remove_spool_dir(directory: str | None) -> None:
    if directory:
        shutil.rmtree(directory, ignore_errors=True)


def discard_prefix(directory: str | os.PathLike[str], prefix: str) -> None:
    """Remove every spooled record whose name starts with ``prefix-`` (after a crash)."""
    root = Path(directory)
    if root.is_dir():
        for path in root.glob(f"{prefix}-*"):
            shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True)
class SpooledRecord:
    """A finished record whose lists live in spool files (small, picklable).

    ``head`` holds the record's keys in output order with the JSON text of each
    scalar value (``None`` for the spooled lists), exactly as
    :class:`~pipeline.batch.split.RecordAssembler` would write them.
    """

    path: str
    head: tuple[tuple[str, str | None], ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def entities(self) -> int:
        return self.counts.get("entities", 0)

    @property
    def relations(self) -> int:
        return self.counts.get("relations", 0)

    def _lines(self, key: str) -> Iterator[bytes]:
        """The spool lines of one list (one per piece, maybe empty), without newline."""
        path = Path(self.path) / key
        if not path.exists():
            return
        with open(path, "rb") as handle:
            for line in handle:
                yield line[:-1] if line.endswith(b"\n") else line

    def chunks(self) -> Iterator[bytes]:
        """The UTF-8 bytes of the record's JSON line (no newline), in bounded pieces."""
        yield b"{"
        for number, (key, value) in enumerate(self.head):
            prefix = ("," if number else "") + json.dumps(key, ensure_ascii=False) + ":"
            if value is not None:
                yield (prefix + value).encode("utf8")
                continue
            yield (prefix + "[").encode("utf8")
            first = True
            for line in self._lines(key):
                if line:
                    yield line if first else b"," + line
                    first = False
            yield b"]"
        yield b"}"

    def line(self) -> str:
        """The whole line as one string (tests and small records only)."""
        return b"".join(self.chunks()).decode("utf8")

    def pieces(self, key: str) -> Iterator[list[dict[str, Any]]]:
        """The items of one list, one piece at a time (the Parquet writer reads these)."""
        for line in self._lines(key):
            yield json.loads(b"[" + line + b"]")

    def piece_records(self) -> Iterator[dict[str, Any]]:
        """Each piece as a small record (id, entities, relations), for the facts table."""
        doc_id = self.value("id")
        pairs = zip(self.pieces("entities"), self.pieces("relations"), strict=True)
        for entities, relations in pairs:
            yield {"id": doc_id, "entities": entities, "relations": relations}

    def value(self, key: str) -> Any:
        """A scalar of the head (``id``, ``schema``, ``date``) as a Python value."""
        for name, value in self.head:
            if name == key and value is not None:
                return json.loads(value)
        return None

    def has(self, key: str) -> bool:
        return any(name == key for name, _ in self.head)

    def discard(self) -> None:
        """Remove the spool files (after the record was written, or when it failed)."""
        shutil.rmtree(self.path, ignore_errors=True)


class SpoolWriter:
    """Append the pieces of one document's record to its spool, as they come.

    Holds no fragment after :meth:`add` returns: memory is one piece's record.
    """

    def __init__(self, path: Path, dumps: Callable[[Any], str]) -> None:
        self.path = path
        self._dumps = dumps
        path.mkdir(parents=True, exist_ok=True)
        self._handles = {key: open(path / key, "wb") for key in LISTS}  # noqa: SIM115
        self._head: list[tuple[str, str | None]] | None = None
        self.counts = dict.fromkeys(LISTS, 0)

    def add(self, record: dict[str, Any]) -> None:
        """Spool one piece's (already shifted) record: one line in every list file."""
        if self._head is None:
            self._head = [
                (key, None if key in LISTS else self._dumps(value))
                for key, value in record.items()
                if key != "unplaced"
            ]
        for key in LISTS:
            items = record.get(key) or []
            text = ",".join(self._dumps(item) for item in items)
            self._handles[key].write(text.encode("utf8") + b"\n")
            self.counts[key] += len(items)
        for handle in self._handles.values():
            handle.flush()  # the piece is on its way to disk, not in a buffer

    def finish(self) -> SpooledRecord:
        """Close the files; the record as the parent will write it."""
        assert self._head is not None, "no piece was added"
        self._close()
        head = list(self._head)
        if self.counts["unplaced"]:
            head.append(("unplaced", None))
        return SpooledRecord(str(self.path), tuple(head), dict(self.counts))

    def _close(self) -> None:
        for handle in self._handles.values():
            handle.close()

    def discard(self) -> None:
        """The document failed: drop what was spooled."""
        self._close()
        shutil.rmtree(self.path, ignore_errors=True)
