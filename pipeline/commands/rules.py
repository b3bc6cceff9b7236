"""``zhnews rules eval`` and ``zhnews rules suggest``: measure and grow the rule files.

``eval`` scores every entity and relation rule on its own against gold annotations
(default: ``corpus/annotated/dev.jsonl``); ``suggest`` proposes new rule entries from
what the rules miss in gold and what recurs in unlabelled text.  Both read the rule
files through the pipeline (``--configs DIR`` points at another copy of ``configs/``),
so a rule added there is measured without code changes.
"""

from __future__ import annotations

from pathlib import Path

import typer

from pipeline.authoring.options import CONFIG, CONFIGS_DIR, PKUSEG, SETS

GOLD = typer.Option(
    None, "--gold", help="Gold corpus JSONL (repeatable; default: corpus/annotated/dev.jsonl)."
)

rules_app = typer.Typer(
    help="Evaluate rules against gold data and suggest new ones.", no_args_is_help=True
)


def _gold_paths(gold: list[str] | None) -> list[str]:
    from pipeline.authoring.corpus import DEFAULT_GOLD

    return list(gold) if gold else [str(DEFAULT_GOLD)]


@rules_app.command("eval")
def eval_command(
    gold: list[str] | None = GOLD,
    json_out: str | None = typer.Option(None, "--json", help="Write the full report as JSON."),
    html_out: str | None = typer.Option(
        None, "--html", help="Write an HTML report with displaCy examples."
    ),
    examples: int = typer.Option(
        2, "--examples", help="Examples per rule on the terminal (0: none)."
    ),
    hide_zero: bool = typer.Option(
        False, "--hide-zero", help="Leave rules without hits out of the table."
    ),
    config: str | None = CONFIG,
    configs_dir: str | None = CONFIGS_DIR,
    sets: list[str] | None = SETS,
    pkuseg_model: str | None = PKUSEG,
) -> None:
    """Score every rule on gold data: hits, TP/FP, precision, recall, overlaps, examples."""
    from pipeline.authoring.corpus import load_gold
    from pipeline.authoring.evaluate import evaluate_rules
    from pipeline.authoring.loading import load_pipeline
    from pipeline.authoring.report import print_report, terminal, write_html, write_json

    paths = _gold_paths(gold)
    gold_set = load_gold(paths)
    nlp = load_pipeline(config, configs_dir, sets, pkuseg_model)
    report = evaluate_rules(nlp, gold_set, paths).to_dict()
    print_report(report, terminal(), show_zero=not hide_zero, examples=examples)
    if json_out:
        write_json(report, Path(json_out))
        typer.echo(f"JSON report written to {json_out}")
    if html_out:
        write_html(report, Path(html_out))
        typer.echo(f"HTML report written to {html_out}")


def register(app: typer.Typer) -> None:
    """Attach the ``rules`` command group to the ``zhnews`` app."""
    app.add_typer(rules_app, name="rules")
