"""Split huge documents into pieces the pipeline accepts, and map offsets back.

A 50 MB document must not stop a run on spaCy's ``max_length`` guard nor need memory
proportional to the whole document in every component.  Such a document is cut into
pieces of at most ``limit`` characters, preferably after a paragraph break, else after
a sentence end, else after whitespace, and only as a last resort in the middle of a
run of characters.  Each piece is processed as its own ``Doc``; :func:`shift_record`
moves every offset of the piece's record back into the original text, so records of
split documents index the text exactly as given, like all other records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

# Sentence ends in Chinese and Western punctuation (full and half width).
SENTENCE_ENDS = frozenset("。！？!?；;…\u3002\uff01\uff1f\uff1b")
# Closing marks that belong to the sentence before the cut (」』”’）) etc.).
CLOSERS = frozenset("」』”’）)】〕》\"'")


def cut_point(text: str, start: int, limit: int) -> int:
    """Where the piece starting at ``start`` should end (exclusive)."""
    hard_end = start + limit
    if hard_end >= len(text):
        return len(text)
    # Do not look for a boundary in the first half of the window: pieces stay large.
    floor = start + max(1, limit // 2)
    newline = text.rfind("\n", floor, hard_end)
    if newline != -1:
        return newline + 1
    for index in range(hard_end - 1, floor - 1, -1):
        if text[index] in SENTENCE_ENDS:
            end = index + 1
            while end < hard_end and text[end] in CLOSERS:
                end += 1
            return end
    for index in range(hard_end - 1, floor - 1, -1):
        if text[index].isspace():
            return index + 1
    return hard_end


def split_spans(text: str, limit: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of consecutive pieces covering ``text``, each ≤ ``limit`` chars."""
    if limit < 1:
        raise ValueError("limit must be positive")
    if len(text) <= limit:
        yield 0, len(text)
        return
    start = 0
    while start < len(text):
        end = cut_point(text, start, limit)
        yield start, end
        start = end


def _shift(span: Any, offset: int) -> None:
    if (
        isinstance(span, dict)
        and isinstance(span.get("start"), int)
        and isinstance(span.get("end"), int)
    ):
        span["start"] += offset
        span["end"] += offset


def shift_record(record: dict[str, Any], offset: int) -> dict[str, Any]:
    """Move every offset in ``record`` by ``offset`` characters (in place; returned).

    Entities and unplaced candidates carry ``start``/``end`` themselves; relations
    carry them in their nested spans (figure, subject, period, and any other nested
    span a later schema adds), so every nested dict with integer ``start``/``end`` moves.
    """
    if offset == 0:
        return record
    for entity in record.get("entities", []):
        _shift(entity, offset)
    for item in record.get("unplaced", []) or []:
        _shift(item, offset)
    for relation in record.get("relations", []):
        for value in relation.values():
            _shift(value, offset)
    return record


def merge_records(pieces: list[dict[str, Any]]) -> dict[str, Any]:
    """Join the (already shifted) records of one document's pieces into one record."""
    merged = dict(pieces[0])
    merged["entities"] = [e for piece in pieces for e in piece.get("entities", [])]
    merged["relations"] = [r for piece in pieces for r in piece.get("relations", [])]
    unplaced = [u for piece in pieces for u in piece.get("unplaced", []) or []]
    merged.pop("unplaced", None)
    if unplaced:
        merged["unplaced"] = unplaced
    return merged


_LISTS = ("entities", "relations", "unplaced")


class RecordAssembler:
    """Build the JSON line of a split document from its pieces' records, piece by piece.

    A huge document can have a million entities; as dicts they would take gigabytes,
    as JSON text a fraction of that.  Each piece's (shifted) record is serialised as it
    comes; :meth:`line` joins the fragments into exactly the bytes ``dumps`` would
    write for :func:`merge_records` of all pieces (same keys, same order, same format).
    """

    def __init__(self, dumps: Callable[[Any], str]) -> None:
        self._dumps = dumps
        self._head: dict[str, Any] | None = None
        self._order: list[str] = []
        self._fragments: dict[str, list[str]] = {key: [] for key in _LISTS}
        self.entities = 0
        self.relations = 0

    def add(self, record: dict[str, Any]) -> None:
        if self._head is None:
            self._head = {k: v for k, v in record.items() if k not in _LISTS}
            self._order = [k for k in record if k != "unplaced"]
        for key in _LISTS:
            self._fragments[key].extend(self._dumps(item) for item in record.get(key) or [])
        self.entities += len(record.get("entities", []))
        self.relations += len(record.get("relations", []))

    def line(self) -> str:
        assert self._head is not None, "no piece was added"
        keys = self._order + (["unplaced"] if self._fragments["unplaced"] else [])
        parts = []
        for key in keys:
            if key in _LISTS:
                value = "[" + ",".join(self._fragments[key]) + "]"
            else:
                value = self._dumps(self._head[key])
            parts.append(json.dumps(key, ensure_ascii=False) + ":" + value)
        return "{" + ",".join(parts) + "}"
