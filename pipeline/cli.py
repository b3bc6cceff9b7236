"""The ``zhnews`` command.

Each sub-command lives in its own module under ``pipeline/commands/`` and is attached
here; this module only wires them together so ``zhnews --help`` stays fast.
"""

from __future__ import annotations

import sys

import typer

from pipeline.errors import ZhnewsError

app = typer.Typer(
    name="zhnews",
    help="LLM-free information extraction for Chinese financial news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command("setup")
def setup_command(
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
) -> None:
    """Fetch and convert the pkuseg model (idempotent; needs the package registry once)."""
    from pipeline.fastseg.index import ensure_index
    from pipeline.segmenter import ensure_model

    ensure_index(ensure_model(quiet=quiet), quiet=quiet)


@app.command("package")
def package_command(
    output: str = typer.Argument(..., help="Directory to write the assembled pipeline to."),
) -> None:
    """Write the assembled pipeline with ``nlp.to_disk`` (loadable with ``spacy.load``)."""
    from pipeline.api import load

    nlp = load()
    nlp.to_disk(output)
    typer.echo(f"pipeline written to {output} (components: {', '.join(nlp.pipe_names)})")


def _register_commands() -> None:
    """Attach the sub-commands that live in their own modules."""
    from pipeline.commands import register_all

    register_all(app)


def main() -> None:
    """Console-script entry point: usage errors exit 2, internal failures exit 1."""
    _register_commands()
    try:
        app()
    except ZhnewsError as err:
        typer.echo(f"zhnews: error: {err}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
