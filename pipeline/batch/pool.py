"""The local engine: a pool of worker processes, each with its own pipeline.

Why not ``multiprocessing.Pool`` or ``nlp.pipe(n_process=...)``: neither says which
document killed a worker, and both lose the batch when one dies.  Here every worker
owns a pipe; the parent sends it one chunk at a time and watches both the pipe and
the process sentinel.  When a worker dies (segfault, ``os._exit``, out of memory), the
chunk it held is retried one document per task on a fresh worker, so the one document
that kills a worker is found, reported as an error, and the run goes on.

Memory stays flat: only ``max_ahead`` chunks may be in flight or waiting to be
written, whatever the corpus size.  Output order is the input order (chunks carry
sequence numbers and are re-ordered before they are yielded).

Huge documents (longer than ``piece_chars``) never travel whole: the task carries a
:class:`~pipeline.batch.stream.PieceFeed` and the worker asks the parent for each piece
in turn (the parent cuts it from the text it holds anyway), so the worker holds one
piece, not the document.  The record is streamed by the worker into a spool directory
(:mod:`pipeline.batch.stream`); the worker answers with a small handle, the runner
copies the spool into the output when the document's turn comes, and the pool removes
the partial spool of a worker that died in the middle of a document.

Workers use the ``spawn`` start method (no forked copies of the parent's state, the
same behaviour on Linux and macOS) and ignore SIGINT: Ctrl-C is handled by the parent,
which stops them after the last complete chunk has been written.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import signal
import time
import traceback
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from pipeline.batch.chunks import Chunk
from pipeline.batch.split import cut_point
from pipeline.batch.stream import PieceFeed, SpoolTarget, discard_prefix
from pipeline.batch.work import DocTask, PipelineSpec, Result, get_pipeline, process_docs
from pipeline.errors import ZhnewsError

CRASH_REASON = "worker process crashed (exit code {code}) while processing this document"


def _worker_main(conn: Connection, spec: PipelineSpec) -> None:
    """Worker loop: build the pipeline once, then process tasks until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        get_pipeline(spec)
    except BaseException as err:
        conn.send(("init-error", isinstance(err, ZhnewsError), f"{err}\n{traceback.format_exc()}"))
        return
    conn.send(("ready", None, None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if message is None:
            return
        key, tasks, spool = message

        def fetch(index: int, start: int, limit: int, key: Any = key) -> str:
            conn.send(("piece?", key, (index, start, limit)))
            piece = conn.recv()
            if not isinstance(piece, str):
                raise RuntimeError("the parent stopped while a document was being fed")
            return piece

        try:
            conn.send(("done", key, process_docs(spec, tasks, spool, fetch)))
        except (BrokenPipeError, OSError):
            return


@dataclass
class _Task:
    """Work sent to one worker: a whole chunk, or one document of a chunk (after a crash)."""

    chunk: Chunk
    positions: list[int]  # indices into chunk.tasks
    tasks: list[DocTask]

    @property
    def prefix(self) -> str:
        """Spool-name prefix, unique per attempt (whole chunk, or one retried document)."""
        if len(self.positions) == 1 and len(self.chunk.tasks) > 1:
            return f"{self.chunk.seq}-d{self.positions[0]}"
        return f"{self.chunk.seq}-c"


@dataclass
class _Worker:
    process: Any
    conn: Connection
    task: _Task | None = None
    ready: bool = False


@dataclass
class _ChunkState:
    chunk: Chunk
    tasks: list[DocTask]
    results: list[Result | None] = field(default_factory=list)
    missing: int = 0


class LocalPool:
    """Process chunks on ``workers`` local processes; yields chunks in input order."""

    def __init__(
        self,
        spec: PipelineSpec,
        workers: int,
        *,
        max_ahead: int | None = None,
        spool_dir: str | None = None,
    ) -> None:
        self.spec = spec
        # Where workers stream the records of split documents (None: kept in memory).
        self.spool_dir = spool_dir
        self.workers = max(1, workers)
        self.max_ahead = max_ahead or 2 * self.workers + 2
        self._context = mp.get_context("spawn")
        self._pool: list[_Worker] = []
        self.crashes = 0
        self._created = time.monotonic()
        # When each worker became ready (seconds after the pool was created) and the
        # peak RSS of each worker (MB, read from /proc when the pool stops): benchmarks.
        self.ready_seconds: list[float] = []
        self.peak_rss_mb: list[float] = []

    @property
    def startup_seconds(self) -> float:
        """Time until the first ``workers`` pipelines were ready (model loading)."""
        first = self.ready_seconds[: self.workers]
        return max(first) if first else 0.0

    # -- worker management -------------------------------------------------------
    def _start_worker(self) -> _Worker:
        parent_conn, child_conn = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_worker_main, args=(child_conn, self.spec), daemon=True, name="zhnews-worker"
        )
        process.start()
        child_conn.close()
        worker = _Worker(process, parent_conn)
        self._pool.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        self._pool.remove(worker)
        worker.conn.close()
        worker.process.join(timeout=5)

    def close(self) -> None:
        """Stop every worker (politely, then firmly)."""
        for worker in self._pool:
            peak = peak_rss_mb(worker.process.pid)
            if peak is not None:
                self.peak_rss_mb.append(peak)
        for worker in list(self._pool):
            with contextlib.suppress(BrokenPipeError, OSError):
                worker.conn.send(None)
        for worker in list(self._pool):
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout=5)
            worker.conn.close()
        self._pool.clear()

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the run -----------------------------------------------------------------
    def run(self, chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        """Process ``chunks``; yield each with ``results`` filled, in sequence order."""
        states: dict[int, _ChunkState] = {}
        queue: deque[_Task] = deque()
        next_out = 0
        exhausted = False
        for _ in range(self.workers):
            self._start_worker()

        def admit() -> None:
            nonlocal exhausted
            while not exhausted and not queue and len(states) < self.max_ahead:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    return
                tasks = chunk.tasks
                state = _ChunkState(chunk, tasks, [None] * len(tasks), len(tasks))
                states[chunk.seq] = state
                if tasks:
                    queue.append(_Task(chunk, list(range(len(tasks))), tasks))

        while True:
            admit()
            for worker in self._pool:
                if worker.ready and worker.task is None and queue:
                    task = queue.popleft()
                    worker.task = task
                    worker.conn.send((task.chunk.seq, self._wire(task), self._spool(task)))
                    admit()
            while next_out in states and states[next_out].missing == 0:
                state = states.pop(next_out)
                state.chunk.results = _expand(state)
                yield state.chunk
                next_out += 1
                admit()
            if exhausted and not states:
                return
            if not self._pool:
                self._start_worker()
            if queue and all(w.ready and w.task is None for w in self._pool):
                continue  # chunks admitted while yielding: dispatch them before waiting
            self._wait_once(states, queue)

    def _spool(self, task: _Task) -> SpoolTarget | None:
        return SpoolTarget(self.spool_dir, task.prefix) if self.spool_dir else None

    def _wire(self, task: _Task) -> list[DocTask]:
        """The tasks as sent: a huge text (streamed runs only) becomes a piece feed."""
        if not self.spool_dir:
            return task.tasks
        limit = self.spec.piece_chars
        return [
            (doc_id, PieceFeed(len(text)), date)
            if isinstance(text, str) and len(text) > limit
            else (doc_id, text, date)
            for doc_id, text, date in task.tasks
        ]

    def _send_piece(self, worker: _Worker, request: tuple[int, int, int]) -> None:
        """Answer a worker's request for the piece of a fed document starting at ``start``."""
        index, start, limit = request
        assert worker.task is not None
        text = worker.task.tasks[index][1]
        assert isinstance(text, str)
        end = cut_point(text, start, max(1, limit)) if start < len(text) else start
        with contextlib.suppress(BrokenPipeError, OSError):  # a dead worker: seen below
            worker.conn.send(text[start:end])

    def _wait_once(self, states: dict[int, _ChunkState], queue: deque[_Task]) -> None:
        handles: list[Any] = []
        for worker in self._pool:
            handles.extend((worker.conn, worker.process.sentinel))
        ready = set(wait(handles))
        for worker in list(self._pool):
            if worker.conn in ready:
                try:
                    kind, key, payload = worker.conn.recv()
                except (EOFError, OSError):
                    self._on_crash(worker, states, queue)
                    continue
                if kind == "init-error":
                    self.close()
                    if key:
                        raise ZhnewsError(payload.splitlines()[0])
                    raise RuntimeError(f"a worker could not build the pipeline:\n{payload}")
                if kind == "ready":
                    worker.ready = True
                    self.ready_seconds.append(time.monotonic() - self._created)
                    continue
                if kind == "piece?":
                    self._send_piece(worker, payload)
                    continue
                task = worker.task
                worker.task = None
                assert task is not None and key == task.chunk.seq
                state = states[key]
                for position, result in zip(task.positions, payload, strict=True):
                    state.results[position] = result
                    state.missing -= 1
            elif worker.process.sentinel in ready:
                self._on_crash(worker, states, queue)

    def _on_crash(
        self, worker: _Worker, states: dict[int, _ChunkState], queue: deque[_Task]
    ) -> None:
        """A worker died: isolate the document that killed it, restart, go on."""
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        task = worker.task
        self._retire(worker)
        self.crashes += 1
        self._start_worker()
        if task is None:
            if not worker.ready:
                raise RuntimeError(f"a worker died while building the pipeline (exit code {code})")
            return
        if self.spool_dir:
            discard_prefix(self.spool_dir, task.prefix)  # half-streamed records
        state = states[task.chunk.seq]
        if len(task.tasks) == 1:
            state.results[task.positions[0]] = ("error", CRASH_REASON.format(code=code), 0, 0, None)
            state.missing -= 1
            return
        # Retry each document on its own, first in line, so the culprit is found.
        singles = [
            _Task(task.chunk, [p], [t]) for p, t in zip(task.positions, task.tasks, strict=True)
        ]
        queue.extendleft(reversed(singles))


def peak_rss_mb(pid: int | str | None = "self") -> float | None:
    """Peak resident memory of a process in MB (Linux ``VmHWM``; ``None`` elsewhere).

    Why not ``ru_maxrss``: Linux carries the spawning process's high-water mark into a
    child's ``ru_maxrss`` across fork + exec, so a child would report the size of
    whoever started it.  ``VmHWM`` counts this process's memory since exec.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def _expand(state: _ChunkState) -> list[Result | None]:
    """Results aligned with ``chunk.items`` (``None`` for items rejected on input)."""
    results: list[Result | None] = []
    done = iter(state.results)
    for item in state.chunk.items:
        results.append(next(done) if item.ok else None)
    return results


class InProcessEngine:
    """``--workers 0``: run in this process (debugging, tests; no crash isolation)."""

    def __init__(self, spec: PipelineSpec, *, spool_dir: str | None = None) -> None:
        self.spec = spec
        self.spool_dir = spool_dir
        self.crashes = 0

    def run(self, chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        for chunk in chunks:
            spool = SpoolTarget(self.spool_dir, f"{chunk.seq}") if self.spool_dir else None
            results = process_docs(self.spec, chunk.tasks, spool) if chunk.tasks else []
            state = _ChunkState(chunk, chunk.tasks, list(results), 0)
            chunk.results = _expand(state)
            yield chunk

    def close(self) -> None:
        """Nothing to stop."""

    def __enter__(self) -> InProcessEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
