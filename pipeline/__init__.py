"""zhnews: LLM-free information extraction for Chinese financial news.

The importable package is ``pipeline``; the distribution and command are ``zhnews``.
``pipeline.load()`` assembles the spaCy pipeline from ``configs/``;
``pipeline.extract()`` turns texts into schema-v1 records (the same dicts the CLI writes).
"""

from __future__ import annotations

__version__ = "0.1.0"

from pipeline.api import extract, load  # noqa: E402

__all__ = ["__version__", "extract", "load"]
