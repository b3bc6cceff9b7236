"""Group input items into numbered chunks, the unit engines dispatch and re-order.

A chunk holds consecutive input items, good and bad; only the good ones travel to a
worker (``tasks``).  Chunks close at a number of documents or of characters, whichever
comes first, so a worker gets similar amounts of work whatever the document lengths,
and a huge document travels alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pipeline.batch.work import DocTask, Result
from pipeline.io.records import InputItem


@dataclass
class Chunk:
    """Consecutive input items with a sequence number; results fill in as they come."""

    seq: int
    items: list[InputItem]
    results: list[Result | None] = field(default_factory=list)

    @property
    def tasks(self) -> list[DocTask]:
        return [(item.doc_id or "", item.text or "", item.date) for item in self.items if item.ok]

    @property
    def chars(self) -> int:
        return sum(len(item.text or "") for item in self.items)

    @property
    def size(self) -> int:
        return sum(item.size for item in self.items)


def make_chunks(
    items: Iterable[InputItem], *, max_docs: int = 64, max_chars: int = 200_000
) -> Iterator[Chunk]:
    """Cut the item stream into chunks of at most ``max_docs`` items / ``max_chars``."""
    seq = 0
    current: list[InputItem] = []
    chars = 0
    for item in items:
        length = len(item.text or "")
        if current and (len(current) >= max_docs or chars + length > max_chars):
            yield Chunk(seq, current)
            seq += 1
            current, chars = [], 0
        current.append(item)
        chars += length
    if current:
        yield Chunk(seq, current)
