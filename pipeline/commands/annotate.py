"""``zhnews annotate INPUT... --format F -o OUT``: pre-annotate text for human review.

The current pipeline annotates every paragraph (entities with values, segment and
metric mentions, facts); the result is written in the annotation tool's own format
(Label Studio, Prodigy, doccano or a spaCy DocBin).  ``zhnews import`` brings the
corrected file back into the corpus format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.authoring.formats import FORMAT_NAMES
from pipeline.authoring.options import CONFIG, CONFIGS_DIR, PKUSEG, SETS


def annotate_command(
    inputs: Annotated[
        list[str],
        typer.Argument(help=".txt files (one paragraph per line) or JSONL with text/id/date."),
    ],
    fmt: str = typer.Option(..., "--format", "-f", help=f"One of: {', '.join(FORMAT_NAMES)}."),
    output: str = typer.Option(
        ..., "--output", "-o", help="Output file (.json for labelstudio, .jsonl, .spacy)."
    ),
    by: str = typer.Option(
        "line", "--by", help="Split .txt files by 'line' (paragraphs) or keep the whole 'file'."
    ),
    date: str | None = typer.Option(
        None, "--date", help="Publication date YYYY-MM-DD for documents that have none."
    ),
    existing: bool = typer.Option(
        False,
        "--existing",
        help="Write the annotations already in corpus-format JSONL input (no pipeline run), "
        "e.g. to review gold data in a tool.",
    ),
    config: str | None = CONFIG,
    configs_dir: str | None = CONFIGS_DIR,
    sets: list[str] | None = SETS,
    pkuseg_model: str | None = PKUSEG,
) -> None:
    """Pre-annotate documents with the current pipeline for human review."""
    from pipeline.authoring.annotate import annotate
    from pipeline.authoring.formats import get_format
    from pipeline.authoring.inputs import iter_documents
    from pipeline.authoring.loading import load_pipeline

    fmt_spec = get_format(fmt)  # usage error before the model loads
    if existing:
        from pipeline.authoring.corpus import load_gold

        gold = load_gold(inputs)
        for problem in gold.problems:
            typer.echo(str(problem), err=True)
        count = fmt_spec.write(gold.records, Path(output))
        typer.echo(f"wrote {count} annotated records -> {output} ({fmt}); skipped {gold.skipped}")
        return
    documents = list(iter_documents(inputs, by))
    if date:
        for document in documents:
            document.setdefault("date", date)
    nlp = load_pipeline(config, configs_dir, sets, pkuseg_model)
    report = annotate(nlp, documents, fmt, Path(output))
    typer.echo(f"annotated {report.documents} documents -> {output} ({fmt})")
    if fmt == "labelstudio":
        typer.echo(f"labelling config for Label Studio: {Path(output).with_suffix('.xml')}")
    if report.dropped:
        typer.echo(
            f"{len(report.dropped)} relations not carried over (their spans overlap others):",
            err=True,
        )
        for line in report.dropped[:20]:
            typer.echo(f"  {line}", err=True)


def register(app: typer.Typer) -> None:
    """Attach ``annotate`` to the ``zhnews`` app."""
    app.command("annotate")(annotate_command)
