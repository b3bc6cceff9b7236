"""``zhnews import FILE --format F -o OUT``: corrected annotations back into the corpus.

Every record is validated (overlapping spans, offsets outside the text, text that does
not match its offsets, unknown labels, relations to unannotated spans); bad records
are reported as ``file line N: reason`` and left out, the valid ones are written.
Exit status 0 when every record was imported, 3 when some were skipped, 2 for usage
errors (unreadable file, unknown format).
"""

from __future__ import annotations

from pathlib import Path

import typer

from pipeline.authoring.formats import FORMAT_NAMES

EXIT_SKIPPED = 3


def import_command(
    file: str = typer.Argument(..., help="Export of the annotation tool."),
    fmt: str = typer.Option(..., "--format", "-f", help=f"One of: {', '.join(FORMAT_NAMES)}."),
    output: str = typer.Option(
        ..., "--output", "-o", help="Corpus JSONL to write (e.g. corpus/annotated/mine.jsonl)."
    ),
    split: str | None = typer.Option(
        None, "--split", help="Set the split of every record (train/dev/test)."
    ),
    max_problems: int = typer.Option(50, "--max-problems", help="How many problems to print."),
) -> None:
    """Import corrected annotations into the corpus format, with validation."""
    from pipeline.authoring.importer import import_annotations

    report = import_annotations(Path(file), fmt, Path(output), split=split)
    for problem in report.problems[:max_problems]:
        typer.echo(str(problem), err=True)
    if len(report.problems) > max_problems:
        typer.echo(f"... {len(report.problems) - max_problems} more problems", err=True)
    typer.echo(f"imported {len(report.records)} records -> {output}; skipped {report.skipped}")
    if report.skipped:
        raise typer.Exit(EXIT_SKIPPED)


def register(app: typer.Typer) -> None:
    """Attach ``import`` to the ``zhnews`` app."""
    app.command("import")(import_command)
