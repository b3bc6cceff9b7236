"""Documents to pre-annotate or show: ``.txt`` files, JSONL files, or a literal text.

Annotation is done paragraph by paragraph (the unit of the corpus), so a ``.txt`` file
is split into one document per non-empty line by default (``by="file"`` keeps the
whole file).  JSONL records keep their ``id``, ``date`` and any corpus metadata
(``split``, ``style``) so annotate → import preserves them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import Errors, UsageError

KEEP_KEYS = ("date", "split", "style")


def _text_documents(path: Path, by: str) -> Iterator[dict[str, Any]]:
    try:
        content = path.read_text(encoding="utf8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(Errors.E001.format(path=path, reason=err)) from err
    if by == "file":
        yield {"id": path.stem, "text": content}
        return
    for lineno, line in enumerate(content.splitlines(), start=1):
        if line.strip():
            yield {"id": f"{path.stem}-{lineno}", "text": line}


def _jsonl_documents(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as err:
                raise UsageError(
                    Errors.E009.format(path=path, line=lineno, reason=f"invalid JSON: {err.msg}")
                ) from err
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise UsageError(
                    Errors.E009.format(path=path, line=lineno, reason="record has no 'text' string")
                )
            doc: dict[str, Any] = {
                "id": str(item.get("id", f"{path.stem}-{lineno}")),
                "text": item["text"],
            }
            doc.update({k: item[k] for k in KEEP_KEYS if item.get(k) is not None})
            yield doc


def iter_documents(inputs: Iterable[str], by: str = "line") -> Iterator[dict[str, Any]]:
    """Yield ``{"id", "text", "date"?, ...}`` for every document of ``inputs``."""
    if by not in ("line", "file"):
        raise UsageError(f"--by must be 'line' or 'file', not {by!r}")
    for name in inputs:
        path = Path(name)
        if not path.is_file():
            raise UsageError(Errors.E001.format(path=path, reason="file not found"))
        if path.suffix in (".jsonl", ".ndjson"):
            yield from _jsonl_documents(path)
        else:
            yield from _text_documents(path, by)


def text_or_file(value: str) -> tuple[str, str]:
    """``(id, text)`` for ``show``: a readable file's content, else ``value`` itself."""
    path = Path(value)
    try:
        if len(value) < 4096 and path.is_file():
            return path.stem, path.read_text(encoding="utf8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(Errors.E001.format(path=path, reason=err)) from err
    return "text", value
