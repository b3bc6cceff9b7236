"""The unit of work every engine runs: a list of documents in, JSON lines out.

The local process pool, the in-process engine and the Dask engine all call
:func:`process_docs`, so their outputs are byte-identical by construction: records
come from :func:`pipeline.schema.doc_to_record` and are serialised here with one
fixed ``json.dumps`` setting (:func:`dumps_record`).  A pipeline is built once per
process (per :class:`PipelineSpec`) and cached, which is what "one pipeline per
worker" means for every engine.  A Python exception on one document becomes an
error result for that document only; the rest of the batch is processed.

A document longer than ``piece_chars`` is cut into pieces (:mod:`pipeline.batch.split`).
Given a :class:`~pipeline.batch.stream.SpoolTarget` (local engines), the record of such a
document is streamed to a disk spool piece by piece and its result carries a
:class:`~pipeline.batch.stream.SpooledRecord` instead of the JSON line, so memory does
not grow with the document; without one (remote Dask workers) the line is assembled
from JSON fragments in memory.
"""

from __future__ import annotations

import gc
import importlib
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.batch.split import RecordAssembler, shift_record, split_spans
from pipeline.batch.stream import PieceFeed, SpooledRecord, SpoolTarget, SpoolWriter

# A document as sent to a worker: (id, text, publication date or None).  A local pool
# may send a huge document's text as a PieceFeed: the worker then fetches its pieces.
DocTask = tuple[str, "str | PieceFeed", "str | None"]
# A result: ("ok", json_line, n_entities, n_facts, facts_rows or None) or
# ("error", reason, 0, 0, None).  The line of a spooled document is a SpooledRecord;
# its facts rows are computed by the parent from the spool (the last item is None).
Result = tuple[str, "str | SpooledRecord", int, int, "list[dict[str, Any]] | None"]
# Fetches a piece of a fed document: (document index, start, limit) -> piece text.
Fetch = Callable[[int, int, int], str]

DEFAULT_PIECE_CHARS = 50_000


@dataclass(frozen=True)
class PipelineSpec:
    """Everything a worker needs to build the same pipeline as every other worker.

    ``loader`` (``"module:function"``, returning a ``Language``) replaces
    :func:`pipeline.api.load`; tests use it for light pipelines and fault injection.
    ``piece_chars`` is the longest text handed to the pipeline in one ``Doc``.
    """

    config: str | None = None
    pkuseg_model: str | None = None
    loader: str | None = None
    piece_chars: int = DEFAULT_PIECE_CHARS
    facts: bool = False
    batch_size: int = 64
    # spaCy config overrides as sorted (key, JSON value) pairs (hashable, picklable).
    overrides: tuple[tuple[str, str], ...] = ()


_PIPELINES: dict[PipelineSpec, Language] = {}
_LOCKS: dict[PipelineSpec, threading.Lock] = {}
_GUARD = threading.Lock()


def dumps_record(record: dict[str, Any]) -> str:
    """The one serialisation of a record used by every engine and writer."""
    return json.dumps(record, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def build_pipeline(spec: PipelineSpec) -> Language:
    """Build (without caching) the pipeline ``spec`` describes."""
    if spec.loader:
        module_name, _, function_name = spec.loader.partition(":")
        factory = getattr(importlib.import_module(module_name), function_name)
        return factory()
    from pipeline.api import load

    overrides = {key: json.loads(value) for key, value in spec.overrides}
    return load(spec.config, pkuseg_model=spec.pkuseg_model, overrides=overrides)


def get_pipeline(spec: PipelineSpec) -> tuple[Language, threading.Lock]:
    """The cached pipeline of this process for ``spec`` and the lock that guards it.

    Dask workers may run several tasks in threads; a spaCy pipeline is not meant to
    be used by two threads at once, so every use holds the lock.
    """
    with _GUARD:
        if spec not in _PIPELINES:
            _PIPELINES[spec] = build_pipeline(spec)
            _LOCKS[spec] = threading.Lock()
            freeze_loaded_objects()
        return _PIPELINES[spec], _LOCKS[spec]


def freeze_loaded_objects() -> None:
    """Move every object alive now (the loaded pipeline) out of the cyclic GC's reach.

    Why: a loaded pipeline holds about 100,000 GC-tracked objects (vocab, lexicons,
    models) that live as long as the worker.  Every full collection, triggered by the
    objects the stages allocate per document, walks all of them: about 50 ms each,
    ~8% of a worker's CPU time on news (measured with ``gc.callbacks`` on 115 THUCNews
    documents: 0.17 s of 2.09 s, 0.02 s after freezing).  ``gc.freeze`` (the CPython
    idiom for long-lived servers) moves them to the permanent generation; they were
    never garbage, so nothing that could be freed is kept.  Objects allocated later
    are collected as before.
    """
    gc.freeze()


def use_pipeline(spec: PipelineSpec, nlp: Language) -> None:
    """Make this process use an already built ``nlp`` for ``spec`` (tests, notebooks).

    Building the real pipeline costs seconds and about 1 GB; a caller that already
    holds one (e.g. a session-scoped test fixture) can hand it to the in-process and
    threaded Dask engines instead of building a second copy.
    """
    with _GUARD:
        _PIPELINES[spec] = nlp
        _LOCKS[spec] = threading.Lock()


def _facts_rows(record: dict[str, Any], text: str) -> list[dict[str, Any]]:
    from pipeline.relations.facts import facts_rows

    return list(facts_rows(record, text))


def _record_result(spec: PipelineSpec, record: dict[str, Any], text: str) -> Result:
    rows = _facts_rows(record, text) if spec.facts else None
    return ("ok", dumps_record(record), len(record["entities"]), len(record["relations"]), rows)


class _Split:
    """Collects the pieces of one split document: in a spool, or as JSON fragments."""

    def __init__(self, spec: PipelineSpec, path: Any) -> None:
        self.facts = spec.facts
        self.writer = SpoolWriter(path, dumps_record) if path is not None else None
        self.assembler = RecordAssembler(dumps_record)
        self.rows: list[dict[str, Any]] = []

    def add(self, record: dict[str, Any], text: str | PieceFeed) -> None:
        if self.writer is not None:
            self.writer.add(record)  # facts: computed by the parent from the spool
            return
        assert isinstance(text, str), "a fed document is always spooled"
        self.assembler.add(record)
        if self.facts:
            self.rows.extend(_facts_rows(record, text))

    def result(self) -> Result:
        if self.writer is not None:
            spooled = self.writer.finish()
            return ("ok", spooled, spooled.entities, spooled.relations, None)
        assembler = self.assembler
        rows = self.rows if self.facts else None
        return ("ok", assembler.line(), assembler.entities, assembler.relations, rows)

    def discard(self) -> None:
        if self.writer is not None:
            self.writer.discard()


def _pipe_pieces(
    nlp: Language,
    docs: list[DocTask],
    spec: PipelineSpec,
    limit: int,
    spool: SpoolTarget | None = None,
    first: int = 0,
    fetch: Fetch | None = None,
) -> Iterator[Result]:
    """Process ``docs`` through ``nlp.pipe``; yield one result per document.

    Pieces are generated lazily and each piece's record is serialised as soon as its
    ``Doc`` comes out of the pipe, so a huge document never exists as one ``Doc`` nor
    as one big record of dicts: with ``spool`` its fragments go straight to disk
    (:class:`~pipeline.batch.stream.SpoolWriter`), else only its JSON fragments are
    kept (:class:`~pipeline.batch.split.RecordAssembler`).  ``first`` numbers the
    documents for their spool names and for ``fetch``, which returns the pieces of a
    document sent as a :class:`~pipeline.batch.stream.PieceFeed`.
    """
    from pipeline.api import make_doc, make_docs
    from pipeline.schema import doc_to_record

    pending: deque[tuple[int, int, bool, bool]] = deque()

    def fed_pieces(index: int, feed: PieceFeed, date: str | None) -> Iterator[Doc]:
        if fetch is None or spool is None:
            raise RuntimeError("a document sent in pieces needs a piece source and a spool")
        start = 0
        while start < feed.length:
            piece = fetch(first + index, start, limit)
            if not piece:
                raise RuntimeError(f"no piece at {start} of a {feed.length}-character text")
            end = start + len(piece)
            pending.append((index, start, end >= feed.length, True))
            yield make_doc(nlp, piece, date)
            start = end

    # Documents that fit in one piece are tokenised together (make_docs: the tokenizer
    # segments a batch in one call), in input order with the pieces of the others.
    whole: list[tuple[int, str, str | None]] = []

    def flush_whole() -> Iterator[Doc]:
        made = make_docs(nlp, [(text, date) for _, text, date in whole], len(whole) or 1)
        for (index, _, _), doc in zip(whole, made, strict=True):
            pending.append((index, 0, True, False))
            yield doc
        whole.clear()

    def piece_docs() -> Iterator[Doc]:
        for index, (_, text, date) in enumerate(docs):
            if not isinstance(text, PieceFeed) and len(text) <= limit:
                whole.append((index, text, date))
                if len(whole) >= spec.batch_size:
                    yield from flush_whole()
                continue
            yield from flush_whole()
            if isinstance(text, PieceFeed):
                yield from fed_pieces(index, text, date)
                continue
            spans = list(split_spans(text, limit))
            for number, (start, end) in enumerate(spans):
                pending.append((index, start, number == len(spans) - 1, len(spans) > 1))
                yield make_doc(nlp, text[start:end], date)
        yield from flush_whole()

    split: _Split | None = None
    # nlp.pipe holds a whole batch of Docs: for a split document that would be
    # batch_size pieces of `limit` characters, so its pieces go through one at a time.
    batch_size = spec.batch_size
    if any(isinstance(text, PieceFeed) or len(text) > limit for _, text, _ in docs):
        batch_size = 1
    try:
        for doc in nlp.pipe(piece_docs(), batch_size=batch_size):
            index, offset, last, is_split = pending.popleft()
            doc_id, text, date = docs[index]
            record = doc_to_record(doc, doc_id, date=date)
            if not is_split:
                assert isinstance(text, str)
                yield _record_result(spec, record, text)
                continue
            if split is None:
                split = _Split(spec, spool.path(first + index) if spool else None)
            split.add(shift_record(record, offset), text)
            del record
            if last:
                result, split = split.result(), None
                yield result
    finally:
        if split is not None:
            split.discard()  # the document failed (or the consumer stopped) mid-way


def _discard(results: list[Result]) -> None:
    for result in results:
        if isinstance(result[1], SpooledRecord):
            result[1].discard()


def piece_limit(spec: PipelineSpec, nlp: Language) -> int:
    """The longest piece handed to ``nlp``: ``piece_chars``, below spaCy's ``max_length``."""
    return max(1, min(spec.piece_chars, nlp.max_length - 1))


def process_docs(
    spec: PipelineSpec,
    docs: list[DocTask],
    spool: SpoolTarget | None = None,
    fetch: Fetch | None = None,
) -> list[Result]:
    """Run the pipeline over ``docs``; one result per document, in order.

    With ``spool``, split documents are streamed to spool files named after
    ``spool.prefix`` and the document's index in ``docs``; documents sent as a
    :class:`~pipeline.batch.stream.PieceFeed` are read piece by piece with ``fetch``.
    """
    nlp, lock = get_pipeline(spec)
    limit = piece_limit(spec, nlp)
    with lock:
        done: list[Result] = []
        try:
            done.extend(_pipe_pieces(nlp, docs, spec, limit, spool, fetch=fetch))
            return done
        except Exception:
            _discard(done)  # find the culprit below: one document at a time
        results: list[Result] = []
        for index, task in enumerate(docs):
            try:
                results.extend(
                    _pipe_pieces(nlp, [task], spec, limit, spool, first=index, fetch=fetch)
                )
            except Exception as err:
                results.append(
                    ("error", f"pipeline failed: {type(err).__name__}: {err}", 0, 0, None)
                )
        return results
