"""``zhnews train``: retrain the ORG and relation classifiers from the corpus.

Prints dev metrics with the shipped and with the new models (same dev split, same
run) and replaces the shipped models in ``pipeline/models/`` only when the new ones
score at least as well, unless ``--force``; ``--out DIR`` writes them elsewhere (use
them with ``--set paths.models=DIR``).
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from pipeline.authoring.options import CONFIG, CONFIGS_DIR, PKUSEG, SETS

COMPONENTS = typer.Option(
    None, "--component", "-c", help="org and/or relations (repeatable; default: both)."
)
WEAK = typer.Option(
    None, "--weak", help="Unlabelled .txt/.jsonl: rule-labelled paragraphs added to train."
)
ORG_ARGS = typer.Option(
    None,
    "--org-arg",
    help="Extra argument for training.org.train (repeatable), e.g. --org-arg=--limit=5000.",
)


def train_command(
    corpus: str | None = typer.Option(
        None,
        "--corpus",
        help="Corpus directory with train.jsonl and dev.jsonl (default: corpus/annotated).",
    ),
    out: str | None = typer.Option(
        None, "--out", help="Write the new models here instead of replacing the shipped ones."
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace the shipped models even when the new ones score worse."
    ),
    components: list[str] | None = COMPONENTS,
    weak: list[str] | None = WEAK,
    weak_limit: int = typer.Option(2000, "--weak-limit", help="At most this many weak paragraphs."),
    org_args: list[str] | None = ORG_ARGS,
    config: str | None = CONFIG,
    configs_dir: str | None = CONFIGS_DIR,
    sets: list[str] | None = SETS,
    pkuseg_model: str | None = PKUSEG,
) -> None:
    """Retrain the classifiers; print dev metrics before/after; guard the shipped models."""
    from pipeline.authoring.corpus import CORPUS_DIR
    from pipeline.authoring.render import rich_table
    from pipeline.authoring.report import terminal
    from pipeline.authoring.retrain import RECIPES, retrain

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    chosen = list(components or RECIPES)
    result = retrain(
        chosen,
        corpus_dir=Path(corpus) if corpus else CORPUS_DIR,
        out=Path(out) if out else None,
        force=force,
        weak=list(weak or []),
        weak_limit=weak_limit,
        org_args=list(org_args or []),
        load_kwargs={
            "config": config,
            "configs_dir": configs_dir,
            "sets": list(sets or []),
            "pkuseg_model": pkuseg_model,
        },
        log=typer.echo,
    )

    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.4f}"

    rows = []
    for name in chosen:
        metric = " ".join(RECIPES[name].metric[-2:]) if name == "org" else "relation F1"
        before, after = result.before.get(name), result.after.get(name)
        delta = f"{after - before:+.4f}" if before is not None and after is not None else "-"
        rows.append([name, metric, fmt(before), fmt(after), delta, result.decisions.get(name, "")])
    console = terminal()
    console.print(
        rich_table(
            "Dev metrics (shipped → new)",
            ("component", "metric", "before", "after", "Δ", "decision"),
            rows,
        )
    )
    labels = sorted(set(result.details_before["labels"]) | set(result.details_after["labels"]))
    console.print(
        rich_table(
            "Final output F1 per label",
            ("label", "before", "after"),
            [
                [
                    lab,
                    fmt(result.details_before["labels"].get(lab)),
                    fmt(result.details_after["labels"].get(lab)),
                ]
                for lab in labels
            ],
        )
    )


def register(app: typer.Typer) -> None:
    """Attach ``train`` to the ``zhnews`` app."""
    app.command("train")(train_command)
