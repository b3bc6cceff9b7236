"""Read a JSON array or JSONL file item by item, with the line each item starts on.

Annotation tools export either form (Label Studio: one JSON array; Prodigy and doccano:
JSONL).  Reporting problems "with line numbers" needs the position of every item, which
``json.load`` throws away, so arrays are decoded item by item with ``raw_decode``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import Errors, ZhnewsError

_WS = " \t\r\n"


def read_items(path: Path) -> Iterator[tuple[int, Any | None, str | None]]:
    """Yield ``(line, object or None, error or None)`` for each item of ``path``."""
    try:
        text = path.read_text(encoding="utf8")
    except (OSError, UnicodeDecodeError) as err:
        raise ZhnewsError(Errors.E001.format(path=path, reason=err)) from err
    stripped = text.lstrip(_WS + "\ufeff")
    if stripped.startswith("["):
        yield from _array_items(text, text.index("[") + 1)
        return
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line), None
        except json.JSONDecodeError as err:
            yield lineno, None, f"invalid JSON: {err.msg} (column {err.colno})"


def _array_items(text: str, pos: int) -> Iterator[tuple[int, Any | None, str | None]]:
    decoder = json.JSONDecoder()
    n = len(text)
    while True:
        while pos < n and text[pos] in _WS:
            pos += 1
        if pos >= n:
            yield text.count("\n", 0, pos) + 1, None, "invalid JSON: the array is not closed"
            return
        if text[pos] == "]":
            return
        line = text.count("\n", 0, pos) + 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            # After a syntax error the rest of the array cannot be located reliably.
            yield err.lineno, None, f"invalid JSON: {err.msg} (column {err.colno})"
            return
        yield line, item, None
        while pos < n and text[pos] in _WS:
            pos += 1
        if pos < n and text[pos] == ",":
            pos += 1


def write_array(items: Iterable[Any], path: Path) -> int:
    """Write a JSON array with one item per line (so problems can name a line)."""
    count = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf8") as handle:
            handle.write("[")
            for item in items:
                handle.write(",\n" if count else "\n")
                handle.write(json.dumps(item, ensure_ascii=False))
                count += 1
            handle.write("\n]\n")
    except OSError as err:
        raise ZhnewsError(Errors.E002.format(path=path, reason=err)) from err
    return count


def write_lines(items: Iterable[Any], path: Path) -> int:
    """Write JSONL (one item per line, UTF-8)."""
    count = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf8") as handle:
            for item in items:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
                count += 1
    except OSError as err:
        raise ZhnewsError(Errors.E002.format(path=path, reason=err)) from err
    return count


def decode_items(
    path: Path, decode: Callable[[Any], tuple[dict[str, Any], list[str]]]
) -> Iterator[tuple[int, dict[str, Any] | None, list[str]]]:
    """Decode every item of a JSON / JSONL export with ``decode``; unreadable items
    come back as (line, None, [reason]) so one bad item never stops an import."""
    for line, item, error in read_items(path):
        if error:
            yield line, None, [error]
            continue
        record, problems = decode(item)
        yield line, record, problems
