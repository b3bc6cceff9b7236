"""``zhnews show FILE|TEXT [--html OUT]``: what the pipeline did to one article.

Prints the entities (with normalised values and the rule or model that produced each)
and the facts as tables on the terminal; ``--html`` also writes a displaCy view with
the same tables.
"""

from __future__ import annotations

from pathlib import Path

import typer

from pipeline.authoring.options import CONFIG, CONFIGS_DIR, PKUSEG, SETS


def show_command(
    source: str = typer.Argument(..., help="A text file, or the text itself."),
    html: str | None = typer.Option(None, "--html", help="Write a displaCy HTML view here."),
    date: str | None = typer.Option(
        None, "--date", help="Publication date YYYY-MM-DD (resolves 今年, 去年同期)."
    ),
    config: str | None = CONFIG,
    configs_dir: str | None = CONFIGS_DIR,
    sets: list[str] | None = SETS,
    pkuseg_model: str | None = PKUSEG,
) -> None:
    """Show entities (with values) and facts for one text."""
    from pipeline.api import make_doc
    from pipeline.authoring.inputs import text_or_file
    from pipeline.authoring.loading import load_pipeline
    from pipeline.authoring.render import (
        ENTITY_HEADERS,
        FACT_HEADERS,
        entity_rows,
        fact_rows,
        rich_table,
        show_html,
    )
    from pipeline.authoring.report import terminal
    from pipeline.errors import Errors, ZhnewsError
    from pipeline.schema import doc_to_record

    doc_id, text = text_or_file(source)
    nlp = load_pipeline(config, configs_dir, sets, pkuseg_model)
    doc = nlp(make_doc(nlp, text, date))
    record = doc_to_record(doc, doc_id, date=date)
    record["mentions"] = list(doc._.mentions or [])
    console = terminal()
    console.print(
        rich_table(f"Entities ({len(record['entities'])})", ENTITY_HEADERS, entity_rows(record))
    )
    console.print(
        rich_table(f"Facts ({len(record['relations'])})", FACT_HEADERS, fact_rows(record))
    )
    if record.get("unplaced"):
        console.print(
            f"[yellow]{len(record['unplaced'])} candidates could not be placed on tokens[/yellow]"
        )
    if html:
        path = Path(html)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(show_html(text, record, f"zhnews show: {doc_id}"), encoding="utf8")
        except OSError as err:
            raise ZhnewsError(Errors.E002.format(path=path, reason=err)) from err
        console.print(f"HTML view written to {path}")


def register(app: typer.Typer) -> None:
    """Attach ``show`` to the ``zhnews`` app."""
    app.command("show")(show_command)
