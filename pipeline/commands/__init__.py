"""Sub-commands of ``zhnews``, one module each.

``register_all`` attaches them to the typer app; add a new command by writing a module
with a ``register(app)`` function and listing it in ``COMMAND_MODULES``.
"""

from __future__ import annotations

import importlib

import typer

COMMAND_MODULES: tuple[str, ...] = ("extract", "annotate", "import_cmd", "show", "rules", "train")


def register_all(app: typer.Typer) -> None:
    """Import every command module and let it attach its commands to ``app``."""
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(f"pipeline.commands.{module_name}")
        module.register(app)
