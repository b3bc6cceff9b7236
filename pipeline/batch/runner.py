"""``zhnews extract`` as a function: check, read, process, write, account.

Order of work: every check that can fail on user input (inputs, field names, output
paths, pipeline config and pkuseg model) runs before any document is processed, so
those failures are usage errors (exit status 2) that cost nothing.  Then records
stream from the readers into numbered chunks, through an engine (in-process, local
worker pool, or Dask), and are written in input order; good records go to the
output, rejected ones to the errors file, so ``documents + errors == inputs``.
After each checkpoint the resume journal is saved (see :mod:`pipeline.batch.journal`).

Split (huge) documents are streamed by the workers into a spool directory next to the
output (:mod:`pipeline.batch.stream`); their records are copied from there into the
output, the Parquet row and the facts table when their turn comes, then removed.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.batch.chunks import make_chunks
from pipeline.batch.journal import Journal, fingerprint
from pipeline.batch.progress import Counts, Progress
from pipeline.batch.stream import SpooledRecord, fresh_spool_dir, remove_spool_dir
from pipeline.batch.work import PipelineSpec, dumps_record
from pipeline.errors import Errors, UsageError
from pipeline.io.records import Fields, InputItem, error_record
from pipeline.io.writers import JsonlSink, check_writable, output_format

EXIT_OK = 0
EXIT_REJECTED = 3


@dataclass
class ExtractOptions:
    """Everything ``zhnews extract`` was asked to do."""

    inputs: list[str]
    output: str
    errors: str | None = None
    fields: Fields = field(default_factory=Fields)
    explicit_fields: Fields = field(default_factory=lambda: Fields("", "", ""))
    dataset: str | None = None
    split: str | None = None
    streaming: bool = False
    workers: int = 1
    engine: str = "local"
    scheduler: str | None = None
    dask_processes: bool = True
    resume: bool = False
    quiet: bool = True
    shard_rows: int | None = None
    chunk_docs: int = 64
    chunk_chars: int = 200_000
    facts: str | None = None
    spec: PipelineSpec = field(default_factory=PipelineSpec)


def default_errors_path(output: str) -> str:
    """``out.jsonl`` → ``out.errors.jsonl``; a shard directory ``out/`` → ``out.errors.jsonl``."""
    path = Path(output.rstrip("/") or ".")
    stem = (
        path.stem
        if path.suffix.lower() in (".jsonl", ".json", ".ndjson", ".parquet")
        else path.name
    )
    return str(path.with_name(stem + ".errors.jsonl"))


@dataclass
class _Prepared:
    items: Any  # a callable returning the item iterator
    total_bytes: int | None
    settings: dict[str, Any]


def _prepare_inputs(opts: ExtractOptions) -> _Prepared:
    if opts.dataset:
        from pipeline.io.hf import check_dataset

        checked = check_dataset(
            opts.dataset,
            split=opts.split,
            fields=opts.fields,
            explicit=opts.explicit_fields,
            streaming=opts.streaming,
        )
        settings = {"dataset": opts.dataset, "split": checked.split}
        return _Prepared(checked.items, None, settings)
    from pipeline.io.readers import STDIN, check_inputs

    checked_files = check_inputs(opts.inputs, opts.fields, opts.explicit_fields)
    total = (
        None
        if STDIN in checked_files.files
        else sum(os.path.getsize(f) for f in checked_files.files)
    )
    settings = {
        "files": checked_files.files,
        "sizes": [0 if f == STDIN else os.path.getsize(f) for f in checked_files.files],
    }
    return _Prepared(checked_files.items, total, settings)


def _check_distinct(output: str, errors: str, facts: str | None, inputs: list[str]) -> None:
    """Outputs must differ from each other and from every input (or a run eats its input)."""
    seen: dict[str, str] = {}
    for role, name in (("output", output), ("errors file", errors), ("facts file", facts)):
        if name is None:
            continue
        key = os.path.realpath(name)
        if key in seen:
            raise UsageError(Errors.E002.format(path=name, reason=f"is also the {seen[key]}"))
        seen[key] = role
    for name in inputs:
        if name != "-" and os.path.realpath(name) in seen:
            raise UsageError(Errors.E002.format(path=name, reason="is also an input"))


def _check_pipeline(spec: PipelineSpec) -> None:
    """Fail on a missing config or pkuseg model now, not in every worker later."""
    if spec.loader:
        return
    import json

    from pipeline.api import load_config

    overrides = {key: json.loads(value) for key, value in spec.overrides}
    load_config(spec.config, pkuseg_model=spec.pkuseg_model, overrides=overrides)


def _check_facts(path: str | None) -> None:
    if path is None:
        return
    from pipeline.batch.facts import check_facts_path

    check_facts_path(path)


def _open_output(opts: ExtractOptions, fmt: str, resume: dict[str, Any] | None) -> Any:
    if fmt == "jsonl":
        return JsonlSink(opts.output, resume=resume)
    from pipeline.io.parquet import ParquetSink

    shards = opts.shard_rows is not None
    return ParquetSink(
        opts.output, shards=shards, shard_rows=opts.shard_rows or 10_000, resume=resume
    )


def _make_engine(opts: ExtractOptions, spool_dir: str | None = None) -> Any:
    if opts.engine == "dask":
        from pipeline.batch.dask_engine import DaskEngine

        return DaskEngine(
            opts.spec,
            scheduler=opts.scheduler,
            workers=opts.workers,
            processes=opts.dask_processes,
            spool_dir=spool_dir,
        )
    from pipeline.batch.pool import InProcessEngine, LocalPool

    if opts.workers <= 0:
        return InProcessEngine(opts.spec, spool_dir=spool_dir)
    return LocalPool(opts.spec, opts.workers, spool_dir=spool_dir)


def run_extract(opts: ExtractOptions) -> Counts:
    """Run one extraction; returns the counts (see :func:`exit_status`)."""
    # --- checks: all before any work --------------------------------------------
    shards = opts.shard_rows is not None
    fmt = output_format(opts.output, shards=shards)
    check_writable(opts.output, directory=shards)
    errors_path = opts.errors or default_errors_path(opts.output)
    check_writable(errors_path)
    _check_facts(opts.facts)
    prepared = _prepare_inputs(opts)
    _check_distinct(opts.output, errors_path, opts.facts, prepared.settings.get("files", []))
    _check_pipeline(opts.spec)
    spec_settings = asdict(opts.spec)
    settings = dict(
        prepared.settings,
        fields=asdict(opts.fields),
        spec=spec_settings,
        format=fmt,
        shards=shards,
        shard_rows=opts.shard_rows,
        facts=opts.facts,
    )
    journal = Journal(opts.output, fingerprint(settings))

    # --- resume state -----------------------------------------------------------
    state = journal.load() if opts.resume else None
    if not opts.resume:
        journal.remove()
    counts = Counts()
    if state:
        for key in ("documents", "errors", "entities", "facts"):
            setattr(counts, key, int(state.get("counts", {}).get(key, 0)))
    done = int(state["done"]) if state else 0
    counts.resumed = done

    out = _open_output(opts, fmt, state.get("output") if state else None)
    err = JsonlSink(errors_path, resume=state.get("errors") if state else None)
    facts = _open_facts(opts, state.get("facts") if state else None)

    def checkpoint() -> None:
        saved = {
            "done": done,
            "output": out.checkpoint(),
            "errors": err.checkpoint(),
            "counts": {k: getattr(counts, k) for k in ("documents", "errors", "entities", "facts")},
        }
        if facts is not None:
            saved["facts"] = facts.checkpoint()
        journal.save(saved)

    items: Iterator[InputItem] = itertools.islice(prepared.items(), done, None)
    chunks = make_chunks(items, max_docs=opts.chunk_docs, max_chars=opts.chunk_chars)
    started = time.monotonic()
    finished = False
    writing = False
    spool_dir = fresh_spool_dir(opts.output)
    try:
        engine = _make_engine(opts, spool_dir)
        with (
            engine,
            Progress(enabled=not opts.quiet, total_bytes=prepared.total_bytes) as progress,
        ):
            for chunk in engine.run(chunks):
                lines: list[Any] = []
                rejected: list[str] = []
                fact_rows: list[Any] = []
                spooled: list[SpooledRecord] = []
                for item, result in zip(chunk.items, chunk.results, strict=True):
                    counts.bytes += item.size
                    if result is None or result[0] == "error":
                        if result is not None:
                            item.error = result[1]
                        rejected.append(dumps_record(error_record(item)))
                        continue
                    _, line, n_entities, n_facts, rows = result
                    lines.append(line)
                    if isinstance(line, SpooledRecord):
                        spooled.append(line)
                        if facts is not None:
                            fact_rows.append((line, item.text))
                    counts.documents += 1
                    counts.entities += n_entities
                    counts.facts += n_facts
                    counts.chars += len(item.text or "")
                    if rows:
                        fact_rows.extend(rows)
                writing = True
                counts.errors += len(rejected)
                out.write(lines)
                err.write(rejected)
                if facts is not None:
                    facts.write(fact_rows)
                for record in spooled:
                    record.discard()
                done += len(chunk.items)
                writing = False
                counts.crashes = engine.crashes
                if out.ready():
                    checkpoint()
                progress.update(counts)
        counts.startup_seconds = getattr(engine, "startup_seconds", 0.0)
        counts.worker_peak_rss_mb = list(getattr(engine, "peak_rss_mb", []))
        out.finish()
        err.finish()
        if facts is not None:
            facts.finish()
        journal.remove()
        finished = True
    finally:
        counts.seconds = time.monotonic() - started
        if not finished:
            # Interrupted (Ctrl-C, or an internal failure): what was written in complete
            # chunks is kept and journaled, so --resume continues from here.
            # Parquet parts are cut only where an uninterrupted run cuts them
            # (out.ready()), so a resumed run writes byte-identical parts.
            try:
                if not writing and out.ready():
                    checkpoint()
            finally:
                out.close()
                err.close()
                if facts is not None:
                    facts.close()
        remove_spool_dir(spool_dir)
    return counts


def _open_facts(opts: ExtractOptions, resume: dict[str, Any] | None) -> Any:
    if opts.facts is None:
        return None
    from pipeline.batch.facts import FactsSink

    return FactsSink(opts.facts, resume=resume)


def exit_status(counts: Counts) -> int:
    """0 when every record was processed, 3 when some were rejected."""
    return EXIT_REJECTED if counts.errors else EXIT_OK
