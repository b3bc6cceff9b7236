"""``zhnews extract INPUT... -o OUTPUT``: run the pipeline over files, stdin or a dataset.

Exit status: 0 when every record was processed, 3 when some records were rejected
(they are in the errors file, with reasons), 2 for usage errors or unreadable inputs
(raised as :class:`~pipeline.errors.UsageError` before any work starts), 1 only for an
internal failure, 130 when interrupted (rerun with ``--resume`` to continue).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import typer

from pipeline.errors import Errors, UsageError

EXIT_INTERRUPTED = 130


def available_cores() -> int:
    """Cores this process may run on (CPU affinity / container limits), not the host's."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def extract_command(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="JSONL files, .txt files, directories (recursive), or - for stdin (JSONL)."
        ),
    ] = None,
    output: str = typer.Option(
        ..., "--output", "-o", help="Output .jsonl or .parquet (a directory with --shard-rows)."
    ),
    errors: str | None = typer.Option(
        None, "--errors", help="Rejected records (JSONL); default: OUTPUT's name + .errors.jsonl."
    ),
    text_field: str = typer.Option("text", "--text-field", help="Field with the document text."),
    id_field: str = typer.Option("id", "--id-field", help="Field with the document id."),
    date_field: str = typer.Option(
        "date", "--date-field", help="Field with the publication date (YYYY-MM-DD)."
    ),
    dataset: str | None = typer.Option(
        None, "--dataset", help="Hugging Face dataset name or path (instead of INPUT files)."
    ),
    split: str | None = typer.Option(None, "--split", help="Dataset split (default: train)."),
    streaming: bool = typer.Option(False, "--streaming", help="Stream the dataset lazily."),
    workers: int = typer.Option(
        available_cores(), "--workers", "-w", help="Worker processes (0 = in this process)."
    ),
    engine: str = typer.Option("local", "--engine", help="local or dask."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (default: a LocalCluster)."
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Continue an interrupted run into the same output."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary."),
    shard_rows: int | None = typer.Option(
        None, "--shard-rows", help="Write Parquet shards of this many rows into OUTPUT (a dir)."
    ),
    facts: str | None = typer.Option(
        None, "--facts", help="Also write the facts table (.parquet or .csv)."
    ),
    pkuseg_model: str | None = typer.Option(None, "--pkuseg-model", help="pkuseg model directory."),
    config: str | None = typer.Option(None, "--config", help="Pipeline config (zhnews.cfg)."),
    piece_chars: int = typer.Option(
        50_000,
        "--piece-chars",
        help="Longest text given to the pipeline at once; longer documents are split.",
    ),
    batch_size: int = typer.Option(
        64, "--batch-size", help="Documents per chunk sent to a worker."
    ),
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Config override KEY=VALUE (repeatable), e.g. components.zhnews_orgs.threshold=0.6.",
        ),
    ] = None,
) -> None:
    """Extract entities and facts from news documents into JSONL or Parquet."""
    from pipeline.batch.progress import summary_text
    from pipeline.batch.runner import ExtractOptions, default_errors_path, exit_status, run_extract
    from pipeline.batch.work import PipelineSpec
    from pipeline.io.records import Fields

    if engine not in ("local", "dask"):
        raise UsageError(Errors.E001.format(path=engine, reason="--engine must be local or dask"))
    if dataset is None and not inputs:
        raise UsageError(Errors.E001.format(path="(none)", reason="give INPUT files or --dataset"))
    if dataset is not None and inputs:
        raise UsageError(
            Errors.E001.format(path=dataset, reason="give either INPUT files or --dataset")
        )
    if piece_chars < 1000 or batch_size < 1:
        raise UsageError(
            Errors.E001.format(
                path="(options)", reason="--piece-chars must be ≥ 1000 and --batch-size ≥ 1"
            )
        )
    explicit = Fields(
        text_field if text_field != "text" else "",
        id_field if id_field != "id" else "",
        date_field if date_field != "date" else "",
    )
    options = ExtractOptions(
        inputs=list(inputs or []),
        output=output,
        errors=errors,
        fields=Fields(text_field, id_field, date_field),
        explicit_fields=explicit,
        dataset=dataset,
        split=split,
        streaming=streaming,
        workers=workers,
        engine=engine,
        scheduler=scheduler,
        resume=resume,
        quiet=quiet,
        shard_rows=shard_rows,
        chunk_docs=batch_size,
        facts=facts,
        spec=PipelineSpec(
            config=config,
            pkuseg_model=pkuseg_model,
            loader=os.environ.get("ZHNEWS_PIPELINE_LOADER") or None,
            piece_chars=piece_chars,
            facts=facts is not None,
            overrides=parse_overrides(overrides or []),
        ),
    )
    try:
        counts = run_extract(options)
    except KeyboardInterrupt:
        typer.echo(
            "zhnews: interrupted; everything written so far is kept. "
            "Rerun the same command with --resume to continue.",
            err=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    errors_path = errors or default_errors_path(output)
    if not quiet:
        typer.echo(summary_text(counts, output=output, errors_path=errors_path), err=True)
    elif counts.errors:
        typer.echo(f"zhnews: {counts.errors} records rejected, see {errors_path}", err=True)
    sys.stdout.flush()
    raise typer.Exit(exit_status(counts))


def parse_overrides(items: list[str]) -> tuple[tuple[str, str], ...]:
    """``KEY=VALUE`` → sorted ``(key, JSON value)``; a value that is not JSON is a string."""
    parsed: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(Errors.E001.format(path=item, reason="--set takes KEY=VALUE"))
        try:
            json.loads(value)
            parsed[key.strip()] = value
        except ValueError:
            parsed[key.strip()] = json.dumps(value, ensure_ascii=False)
    return tuple(sorted(parsed.items()))


def register(app: typer.Typer) -> None:
    """Attach ``extract`` to the ``zhnews`` app."""
    app.command("extract")(extract_command)
