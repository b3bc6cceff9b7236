"""zhnews: LLM-free information extraction for Chinese financial news.

The importable package is ``pipeline``; the distribution and command are ``zhnews``.
``pipeline.load()`` assembles the spaCy pipeline from ``configs/``;
``pipeline.extract()`` turns texts into schema-v1 records (the same dicts the CLI writes).

``load`` and ``extract`` are imported lazily so that ``import pipeline.<module>`` stays
cheap (worker processes, the CLI's ``--help``) and never imports spaCy needlessly.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "extract", "load"]


def __getattr__(name: str) -> Any:
    if name in ("load", "extract"):
        from pipeline import api

        return getattr(api, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
