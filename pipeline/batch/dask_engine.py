"""The Dask engine: the same chunks, processed as tasks on a Dask distributed cluster.

Each chunk of the input becomes one task running :func:`pipeline.batch.work.process_docs`,
the function every engine uses, so results are byte-identical to the local engine.
The pipeline is built once per worker process and cached there (a module-level cache
keyed by the :class:`~pipeline.batch.work.PipelineSpec`); the worker's own copy of the
repository or installed package provides the code and ``pipeline.load()`` the models,
so workers need the pkuseg model at the same path (or ``--pkuseg-model``).

Without ``--scheduler`` a ``LocalCluster`` with ``workers`` single-threaded processes
is started.  Only ``max_ahead`` tasks are submitted at a time, so the client's memory
stays flat and results are yielded in input order as they complete.

Split (huge) documents are streamed to the run's spool directory
(:mod:`pipeline.batch.stream`) only on a ``LocalCluster`` this engine started: its
workers share the client's disk.  Workers of an outside scheduler may run on other
machines, so there a split document's line is assembled in the worker's memory.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from pipeline.batch.chunks import Chunk
from pipeline.batch.pool import _ChunkState, _expand
from pipeline.batch.stream import SpoolTarget
from pipeline.batch.work import DocTask, PipelineSpec, Result, process_docs


def _run_task(
    spec: PipelineSpec, tasks: list[DocTask], spool: SpoolTarget | None = None
) -> list[Result]:
    """Task body (a top-level function so Dask can ship it by reference)."""
    return process_docs(spec, tasks, spool)


class DaskEngine:
    """Run chunks on a Dask cluster (``scheduler`` address, or a new LocalCluster)."""

    def __init__(
        self,
        spec: PipelineSpec,
        *,
        scheduler: str | None = None,
        workers: int = 1,
        processes: bool = True,
        max_ahead: int | None = None,
        client: Any = None,
        spool_dir: str | None = None,
    ) -> None:
        self.spec = spec
        self.crashes = 0
        self._own_client = client is None
        self._cluster = None
        if client is None:
            from dask.distributed import Client, LocalCluster

            if scheduler:
                client = Client(scheduler)
            else:
                self._cluster = LocalCluster(
                    n_workers=max(1, workers),
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=None,
                )
                client = Client(self._cluster)
        self.client = client
        # Only the workers of our own LocalCluster can write where the client reads.
        self.spool_dir = spool_dir if self._cluster is not None else None
        total_threads = sum(self.client.nthreads().values()) or 1
        self.max_ahead = max_ahead or 2 * total_threads + 2

    def _spool(self, name: str) -> SpoolTarget | None:
        return SpoolTarget(self.spool_dir, name) if self.spool_dir else None

    def _results(self, seq: int, tasks: list[DocTask], future: Any) -> list[Result]:
        """Results of one task; if it failed (e.g. its worker died), go document by document."""
        try:
            return future.result()
        except Exception:
            self.crashes += 1
        results: list[Result] = []
        for index, task in enumerate(tasks):
            spool = self._spool(f"{seq}-d{index}")
            try:
                results.extend(
                    self.client.submit(_run_task, self.spec, [task], spool, pure=False).result()
                )
            except Exception as err:
                results.append(
                    (
                        "error",
                        f"task failed on the Dask worker: {type(err).__name__}: {err}",
                        0,
                        0,
                        None,
                    )
                )
        return results

    def run(self, chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        """Submit at most ``max_ahead`` chunks at once; yield them in input order."""
        window: deque[tuple[Chunk, list[DocTask], Any]] = deque()
        for chunk in chunks:
            tasks = chunk.tasks
            spool = self._spool(f"{chunk.seq}-c")
            future = (
                self.client.submit(_run_task, self.spec, tasks, spool, pure=False)
                if tasks
                else None
            )
            window.append((chunk, tasks, future))
            while len(window) >= self.max_ahead:
                yield self._finish(*window.popleft())
        while window:
            yield self._finish(*window.popleft())

    def _finish(self, chunk: Chunk, tasks: list[DocTask], future: Any) -> Chunk:
        results = self._results(chunk.seq, tasks, future) if future is not None else []
        chunk.results = _expand(_ChunkState(chunk, tasks, list(results), 0))
        return chunk

    def close(self) -> None:
        if self._own_client:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
