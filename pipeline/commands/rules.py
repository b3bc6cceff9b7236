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
    by_entry: bool = typer.Option(
        False, "--by-entry", help="Score every lexicon line (suffix, name, surface) as a rule."
    ),
    compare: str | None = typer.Option(
        None, "--compare", help="An earlier --json report: also print what changed since."
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
    report = evaluate_rules(nlp, gold_set, paths, by_entry=by_entry).to_dict()
    console = terminal()
    print_report(report, console, show_zero=not hide_zero, examples=examples)
    if compare:
        import json

        from pipeline.authoring.report import print_comparison
        from pipeline.errors import Errors, UsageError

        try:
            earlier = json.loads(Path(compare).read_text(encoding="utf8"))
        except (OSError, ValueError) as err:
            raise UsageError(Errors.E001.format(path=compare, reason=err)) from err
        print_comparison(earlier, report, console, Path(compare).name)
    if json_out:
        write_json(report, Path(json_out))
        typer.echo(f"JSON report written to {json_out}")
    if html_out:
        write_html(report, Path(html_out))
        typer.echo(f"HTML report written to {html_out}")


UNLABELED = typer.Option(
    None,
    "--unlabeled",
    help="Unlabelled .txt/.jsonl (repeatable; default: ../shared/data/cfsc_fin_news/sentences_unlabeled.txt if present).",
)
KINDS = typer.Option(None, "--kind", help="org, mention, currency, cue (repeatable; default: all).")
SUGGEST_GOLD = typer.Option(
    None,
    "--gold",
    help="Gold corpus JSONL to mine (repeatable; default: corpus/annotated/train.jsonl).",
)


@rules_app.command("suggest")
def suggest_command(
    gold: list[str] | None = SUGGEST_GOLD,
    unlabeled: list[str] | None = UNLABELED,
    no_unlabeled: bool = typer.Option(False, "--no-unlabeled", help="Do not read unlabelled text."),
    kinds: list[str] | None = KINDS,
    min_support: int = typer.Option(
        2, "--min-support", help="Minimum gold misses (or unlabelled uses) per suggestion."
    ),
    top: int = typer.Option(40, "--top", help="Print at most this many suggestions."),
    json_out: str | None = typer.Option(None, "--json", help="Write every suggestion as JSON."),
    config: str | None = CONFIG,
    configs_dir: str | None = CONFIGS_DIR,
    sets: list[str] | None = SETS,
    pkuseg_model: str | None = PKUSEG,
) -> None:
    """Propose rule entries (ready to paste) from gold misses and unlabelled text."""
    import json

    from pipeline.authoring.corpus import CORPUS_DIR, REPO_ROOT, load_gold
    from pipeline.authoring.loading import load_pipeline
    from pipeline.authoring.render import rich_table
    from pipeline.authoring.report import terminal
    from pipeline.authoring.suggest import read_unlabeled, suggest
    from pipeline.errors import UsageError

    chosen = list(kinds or ("org", "mention", "currency", "cue"))
    bad = [k for k in chosen if k not in ("org", "mention", "currency", "cue")]
    if bad:
        raise UsageError(f"unknown --kind {bad}: use org, mention, currency, cue")
    paths = list(gold) if gold else [str(CORPUS_DIR / "train.jsonl")]
    gold_set = load_gold(paths)
    if unlabeled is None and not no_unlabeled:
        default = REPO_ROOT.parent / "shared" / "data" / "cfsc_fin_news" / "sentences_unlabeled.txt"
        unlabeled = [str(default)] if default.is_file() else []
    text = None if no_unlabeled else read_unlabeled(unlabeled or [])
    nlp = load_pipeline(config, configs_dir, sets, pkuseg_model)
    configs = Path(configs_dir) if configs_dir else REPO_ROOT / "configs"
    found = suggest(nlp, gold_set.records, configs, text, min_support=min_support, kinds=chosen)
    console = terminal()
    rows = [
        [
            s.kind,
            s.file,
            s.entry.replace("\t", " ⇥ "),
            s.coverage,
            "-" if s.precision is None else f"{s.precision:.2f}",
            s.gold_occurrences,
            "-" if s.unlabeled is None else s.unlabeled,
            s.examples[0] if s.examples else s.note,
        ]
        for s in found[:top]
    ]
    console.print(
        rich_table(
            f"Suggestions from {', '.join(paths)} ({len(gold_set.records)} records)",
            ("kind", "file", "entry", "covers", "P", "gold occ", "unlabelled", "example / note"),
            rows,
        )
    )
    by_file: dict[str, list[str]] = {}
    for s in found[:top]:
        by_file.setdefault(s.file, []).append(s.entry)
    for file, entries in by_file.items():
        console.print(f"[bold]# paste into configs/{file}[/bold]", highlight=False)
        for entry in entries:
            console.print(entry, markup=False, highlight=False)
    if gold_set.skipped:
        console.print(f"[yellow]{gold_set.skipped} gold records skipped[/yellow]")
        for problem in gold_set.problems[:20]:
            console.print(f"  {problem}", markup=False, highlight=False)
    if json_out:
        Path(json_out).write_text(
            json.dumps(
                {"gold": paths, "suggestions": [s.to_dict() for s in found]},
                ensure_ascii=False,
                indent=1,
            )
            + "\n",
            encoding="utf8",
        )
        typer.echo(f"JSON written to {json_out}")


def register(app: typer.Typer) -> None:
    """Attach the ``rules`` command group to the ``zhnews`` app."""
    app.add_typer(rules_app, name="rules")
