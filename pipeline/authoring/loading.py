"""Load the pipeline for the authoring commands, with the user's rule directory.

Users iterate on rules in a copy of ``configs/`` (or in the shipped one); every command
takes ``--configs DIR`` (the ``paths.configs`` setting every component reads its rule
files from), ``--config FILE`` and ``--set key=value`` overrides, so a new rule is
measured without touching code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from spacy.language import Language

from pipeline.errors import UsageError


def parse_overrides(sets: Sequence[str] | None) -> dict[str, Any]:
    """``["a.b=1", "c=x"]`` → ``{"a.b": 1, "c": "x"}`` (JSON values where they parse)."""
    overrides: dict[str, Any] = {}
    for item in sets or ():
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set expects key=value, got {item!r}")
        try:
            overrides[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            overrides[key.strip()] = raw
    return overrides


def load_pipeline(
    config: str | None = None,
    configs_dir: str | None = None,
    sets: Sequence[str] | None = None,
    pkuseg_model: str | None = None,
) -> Language:
    """``pipeline.load`` with the authoring options applied."""
    from pipeline.api import load

    overrides = parse_overrides(sets)
    if configs_dir:
        from pathlib import Path

        if not Path(configs_dir).is_dir():
            raise UsageError(f"--configs {configs_dir!r} is not a directory")
        overrides["paths.configs"] = str(Path(configs_dir).resolve())
    return load(config, overrides=overrides, pkuseg_model=pkuseg_model)
