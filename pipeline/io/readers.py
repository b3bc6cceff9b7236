"""Streaming readers: JSONL files, ``.txt`` files, directories and stdin.

Readers yield one :class:`~pipeline.io.records.InputItem` per record and never hold
more than one record in memory, so ``zhnews extract`` runs over corpora of any size.
Bytes are decoded here (strict UTF-8) so a bad byte rejects one record, not the run.
:func:`check_inputs` runs before any work starts: unreadable paths and field names
that no record has are usage errors (exit status 2), not thousands of record errors.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import Errors, UsageError
from pipeline.io.records import Fields, InputItem, item_from_mapping, text_problem

STDIN = "-"
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
_BOM = b"\xef\xbb\xbf"
# Only what JSON itself calls whitespace makes a line blank (not a record); anything
# else, e.g. a lone U+2028 or U+001C, is a record and, being no JSON, a rejected one.
JSON_WHITESPACE = " \t\r\n"
# How many records of each JSONL input are looked at to decide whether a field exists.
PEEK_RECORDS = 100


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Replace directories by their ``*.jsonl``/``*.txt`` files, recursively and sorted.

    Sorting by path parts makes the document order (and so the output) the same on
    every machine, whatever order the file system lists entries in.
    """
    expanded: list[str] = []
    for name in inputs:
        if name != STDIN and os.path.isdir(name):
            found = [
                path
                for path in Path(name).rglob("*")
                if path.is_file() and path.suffix.lower() in (*TEXT_SUFFIXES, ".jsonl")
            ]
            expanded.extend(str(path) for path in sorted(found, key=lambda p: p.parts))
        else:
            expanded.append(name)
    return expanded


def is_text_file(name: str) -> bool:
    return name != STDIN and name.lower().endswith(TEXT_SUFFIXES)


class LineSource:
    """Binary lines of one input with a replayable look-ahead (stdin cannot seek)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handle: BinaryIO | None = None
        self._peeked: list[bytes] = []

    def _open(self) -> BinaryIO:
        if self._handle is None:
            if self.name == STDIN:
                self._handle = sys.stdin.buffer
            else:
                try:
                    self._handle = open(self.name, "rb")  # noqa: SIM115 (closed in close())
                except OSError as err:
                    raise UsageError(
                        Errors.E001.format(path=self.name, reason=err.strerror or err)
                    ) from err
        return self._handle

    def peek(self, count: int) -> list[bytes]:
        """Read up to ``count`` lines ahead without consuming them."""
        handle = self._open()
        while len(self._peeked) < count:
            line = handle.readline()
            if not line:
                break
            self._peeked.append(line)
        return list(self._peeked)

    def __iter__(self) -> Iterator[bytes]:
        handle = self._open()
        while self._peeked:
            yield self._peeked.pop(0)
        yield from handle

    def close(self) -> None:
        if self._handle is not None and self.name != STDIN:
            self._handle.close()
        self._handle = None


def decode_line(raw: bytes, first: bool) -> tuple[str | None, str | None]:
    """Strict UTF-8 decoding of one line; returns ``(text, error)``."""
    if first and raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        return raw.decode("utf8"), None
    except UnicodeDecodeError as err:
        return None, f"invalid UTF-8 at byte {err.start} of the line"


def iter_jsonl(source: LineSource, fields: Fields) -> Iterator[InputItem]:
    """One item per non-blank line of a JSONL input.

    A record can be one 50 MB line: only its parsed text may outlive the parse.  The
    raw bytes are dropped once decoded and the decoded line once parsed (the line is
    handed over in a one-element list the parser empties), and no ``enumerate`` tuple
    keeps the last line alive while its item is being processed.
    """
    number = 0
    for raw in source:
        number += 1
        size = len(raw)
        line, error = decode_line(raw, number == 1)
        del raw
        if error is not None:
            yield InputItem(source.name, number, None, error=error, size=size)
            continue
        assert line is not None
        holder = [line]
        del line
        item = _jsonl_item(source.name, number, holder, fields)
        if item is not None:
            item.size = size
            yield item


def _jsonl_item(name: str, number: int, holder: list[str], fields: Fields) -> InputItem | None:
    """Parse the line in ``holder`` (taken out of it, so the parse is its last use)."""
    line = holder.pop()
    if not line.strip(JSON_WHITESPACE):
        return None  # blank lines separate nothing and are not records
    try:
        obj = json.loads(line)
        del line
    except (json.JSONDecodeError, RecursionError) as err:
        reason = getattr(err, "msg", "nesting too deep")
        column = getattr(err, "colno", None)
        where = f" (column {column})" if column else ""
        return InputItem(name, number, None, error=f"malformed JSON: {reason}{where}")
    return item_from_mapping(obj, fields, source=name, line=number, default_id=f"{name}:{number}")


def read_text_file(name: str) -> InputItem:
    """A ``.txt`` file is one document whose id is the path as given."""
    try:
        with open(name, "rb") as handle:
            raw = handle.read()
    except OSError as err:
        return InputItem(name, None, name, error=f"cannot read file: {err.strerror or err}")
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        text = raw.decode("utf8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        return InputItem(name, line, name, error=f"invalid UTF-8 at byte {err.start}")
    size = len(raw)
    del raw  # a huge file: keep only the text
    problem = text_problem(text)
    if problem is not None:
        return InputItem(name, None, name, error=problem, size=size)
    return InputItem(name, None, name, text=text, date=None, size=size)


def _check_fields(source: LineSource, fields: Fields, explicit: Fields) -> None:
    """Refuse a field name that none of the first records has (a typo, not bad data)."""
    seen: set[str] = set()
    wanted = [("text", fields.text)]
    wanted += [(kind, getattr(fields, kind)) for kind in ("id", "date") if getattr(explicit, kind)]
    records = 0
    for number, raw in enumerate(source.peek(PEEK_RECORDS), start=1):
        line, _ = decode_line(raw, number == 1)
        if not line or not line.strip(JSON_WHITESPACE):
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(obj, dict):
            records += 1
            seen.update(obj)
            if all(name in seen for _, name in wanted):
                return
    if records == 0:
        return  # nothing decodable to judge by: every line becomes a record error
    for _, name in wanted:
        if name not in seen:
            present = ", ".join(sorted(seen)) or "none"
            raise UsageError(
                Errors.E003.format(field=name, path=source.name, line=1, fields=present)
            )


@dataclass
class CheckedInputs:
    """Inputs that passed :func:`check_inputs`; stdin keeps the lines already peeked."""

    files: list[str]
    fields: Fields
    stdin: LineSource | None = None

    def items(self) -> Iterator[InputItem]:
        return iter_items(self.files, self.fields, stdin=self.stdin)


def check_inputs(
    inputs: list[str], fields: Fields, explicit: Fields | None = None
) -> CheckedInputs:
    """Expand and check every input before any work starts.

    ``explicit`` holds the field names the user set on the command line (empty
    strings for defaults): an optional field is only required to exist when the
    user named it.
    """
    explicit = explicit or Fields("", "", "")
    if not inputs:
        raise UsageError(Errors.E001.format(path="(none)", reason="no input given"))
    if inputs.count(STDIN) > 1:
        raise UsageError(Errors.E001.format(path=STDIN, reason="stdin can be read only once"))
    for name in inputs:
        if name != STDIN and not os.path.exists(name):
            raise UsageError(Errors.E001.format(path=name, reason="no such file or directory"))
    files = expand_inputs(inputs)
    stdin: LineSource | None = None
    for name in files:
        if name == STDIN:
            stdin = LineSource(STDIN)
            _check_fields(stdin, fields, explicit)
            continue
        if not os.access(name, os.R_OK) or not os.path.isfile(name):
            raise UsageError(Errors.E001.format(path=name, reason="not a readable file"))
        if not is_text_file(name):
            source = LineSource(name)
            try:
                _check_fields(source, fields, explicit)
            finally:
                source.close()
    return CheckedInputs(files, fields, stdin)


def iter_items(
    files: list[str], fields: Fields, *, stdin: LineSource | None = None
) -> Iterator[InputItem]:
    """Every record of every input, in order (files as returned by :func:`check_inputs`)."""
    for name in files:
        if is_text_file(name):
            yield read_text_file(name)
            continue
        source = stdin if name == STDIN and stdin is not None else LineSource(name)
        try:
            yield from iter_jsonl(source, fields)
        finally:
            source.close()
