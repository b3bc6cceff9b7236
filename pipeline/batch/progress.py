"""Progress display (rich) and the closing summary, both on stderr.

The bar shows documents, documents/s, characters/s and, when the input size is known
(files, not stdin or streamed datasets), the ETA from bytes read.  It is shown only
on a terminal and without ``--quiet``, so logs of batch jobs stay clean.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, TextIO


@dataclass
class Counts:
    """What a run did; ``documents + errors`` equals the number of input records."""

    documents: int = 0
    errors: int = 0
    entities: int = 0
    facts: int = 0
    chars: int = 0
    bytes: int = 0
    resumed: int = 0
    crashes: int = 0
    seconds: float = 0.0
    # Time until the workers' pipelines were loaded, and their peak RSS (MB).
    startup_seconds: float = 0.0
    worker_peak_rss_mb: list[float] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "errors": self.errors,
            "entities": self.entities,
            "facts": self.facts,
            "chars": self.chars,
            "resumed": self.resumed,
            "worker_crashes": self.crashes,
            "seconds": round(self.seconds, 3),
            "startup_seconds": round(self.startup_seconds, 3),
            "worker_peak_rss_mb": [round(x, 1) for x in self.worker_peak_rss_mb],
        }


class Progress:
    """A rich progress bar when enabled, otherwise nothing."""

    def __init__(
        self, *, enabled: bool, total_bytes: int | None, stream: TextIO | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.total_bytes = total_bytes
        self._bar: Any = None
        self._task: Any = None
        self._start = time.monotonic()

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            columns: list[Any] = [
                TextColumn("[bold]zhnews extract"),
                BarColumn(),
                TextColumn("{task.fields[docs]:,} docs"),
                TextColumn("{task.fields[docs_rate]:,.0f} docs/s"),
                TextColumn("{task.fields[chars_rate]:,.0f} chars/s"),
                TextColumn("{task.fields[errors]:,} errors"),
            ]
            if self.total_bytes:
                columns.append(TimeRemainingColumn())
            self._bar = Progress(*columns, console=Console(file=self.stream), transient=False)
            self._bar.start()
            self._task = self._bar.add_task(
                "extract",
                total=self.total_bytes or None,
                docs=0,
                docs_rate=0.0,
                chars_rate=0.0,
                errors=0,
            )
        return self

    def update(self, counts: Counts) -> None:
        if self._bar is None:
            return
        elapsed = max(time.monotonic() - self._start, 1e-9)
        done = counts.documents + counts.errors - counts.resumed
        self._bar.update(
            self._task,
            completed=counts.bytes,
            docs=counts.documents + counts.errors,
            docs_rate=done / elapsed,
            chars_rate=counts.chars / elapsed,
            errors=counts.errors,
        )

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def summary_text(counts: Counts, *, output: str, errors_path: str) -> str:
    """The closing summary printed on stderr."""
    rate = counts.chars / counts.seconds if counts.seconds else 0.0
    lines = [
        f"zhnews: {counts.documents:,} documents written to {output}, "
        f"{counts.entities:,} entities, {counts.facts:,} facts, "
        f"{counts.errors:,} records rejected, in {counts.seconds:.1f} s ({rate:,.0f} chars/s)"
    ]
    if counts.resumed:
        lines.append(f"zhnews: resumed after {counts.resumed:,} records already done")
    if counts.crashes:
        lines.append(f"zhnews: {counts.crashes} worker crash(es) isolated and recovered")
    if counts.errors:
        lines.append(f"zhnews: rejected records and reasons are in {errors_path}")
    return "\n".join(lines)
