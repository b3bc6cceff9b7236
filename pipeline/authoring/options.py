"""typer options shared by the authoring commands (annotate, show, rules, train)."""

from __future__ import annotations

import typer

CONFIG = typer.Option(None, "--config", help="Pipeline config (default: configs/zhnews.cfg).")
CONFIGS_DIR = typer.Option(
    None, "--configs", help="Rule directory to use instead of configs/ (paths.configs)."
)
SETS = typer.Option(None, "--set", help="Config override key=value (repeatable).")
PKUSEG = typer.Option(None, "--pkuseg-model", help="pkuseg model directory.")
