"""Input records and the checks that decide whether a record can be processed.

Every line of a JSONL file, every ``.txt`` file and every dataset row becomes one
:class:`InputItem`, good or bad, so that the batch layer can account for every
input: a bad item carries the reason a person can act on and is written to the
errors file instead of the output (issue #8).  The checks live here, in one place,
so the readers (files, stdin, Hugging Face datasets) reject exactly the same things.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

# C0 controls other than tab, line feed, vertical tab, form feed and carriage return,
# plus DEL: they never occur in real news text and usually mean a binary or mangled
# record; NUL in particular breaks many downstream tools.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Fields:
    """Which JSON keys hold the text, id and publication date (``--text-field`` …)."""

    text: str = "text"
    id: str = "id"
    date: str = "date"


@dataclass
class InputItem:
    """One input record: either processable (``error is None``) or rejected.

    ``source`` is the path as the user gave it (``-`` for stdin, ``dataset:NAME`` for
    datasets) and ``line`` the 1-based line (row for datasets); both end up in the
    errors file so a person can find the record.
    """

    source: str
    line: int | None
    doc_id: str | None
    text: str | None = None
    date: str | None = None
    error: str | None = None
    # Bytes this record took in its input (for progress and ETA).
    size: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


def text_problem(text: Any) -> str | None:
    """Why ``text`` cannot be processed, or ``None`` when it can."""
    if not isinstance(text, str):
        return f"text must be a string, got {type(text).__name__}"
    match = _SURROGATE.search(text)
    if match:
        return (
            f"text contains a lone surrogate U+{ord(match.group()):04X} at position {match.start()}"
        )
    match = _CONTROL.search(text)
    if match:
        return f"text contains control character U+{ord(match.group()):04X} at position {match.start()}"
    return None


def date_problem(date: Any) -> str | None:
    """Why ``date`` is not a usable publication date (``YYYY-MM-DD`` or null)."""
    if date is None:
        return None
    if not isinstance(date, str) or not _DATE.fullmatch(date):
        return f"date must be YYYY-MM-DD or null, got {date!r}"
    try:
        _dt.date.fromisoformat(date)
    except ValueError:
        return f"date {date!r} is not a calendar date"
    return None


def id_value(raw: Any) -> str | None:
    """Normalise an id: strings stay, integers become strings, others are refused."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return None


def item_from_mapping(
    obj: Any, fields: Fields, *, source: str, line: int, default_id: str
) -> InputItem:
    """Turn one decoded JSON value (or dataset row) into a good or bad item."""
    if not isinstance(obj, dict):
        return InputItem(
            source, line, None, error=f"record must be a JSON object, got {type(obj).__name__}"
        )
    raw_id = obj.get(fields.id, default_id)
    doc_id = id_value(raw_id)
    if doc_id is None:
        return InputItem(
            source,
            line,
            None,
            error=f"id field '{fields.id}' must be a string or integer, got {type(raw_id).__name__}",
        )
    if fields.text not in obj:
        return InputItem(source, line, doc_id, error=f"missing text field '{fields.text}'")
    text = obj[fields.text]
    problem = text_problem(text)
    if problem is None:
        problem = id_problem(doc_id)
    if problem is not None:
        return InputItem(source, line, _printable_id(doc_id), error=problem)
    date = obj.get(fields.date)
    problem = date_problem(date)
    if problem is not None:
        return InputItem(source, line, doc_id, error=problem)
    return InputItem(source, line, doc_id, text=text, date=date)


def id_problem(doc_id: str) -> str | None:
    """Ids are written to JSON and Parquet: they must be valid Unicode too."""
    match = _SURROGATE.search(doc_id)
    if match:
        return f"id contains a lone surrogate U+{ord(match.group()):04X}"
    return None


def _printable_id(doc_id: str) -> str | None:
    """The id as it can be written to the errors file (None if it is not valid Unicode)."""
    return None if id_problem(doc_id) else doc_id


def error_record(item: InputItem) -> dict[str, Any]:
    """The errors-file line for a rejected item (issue #8 shape)."""
    return {"source": item.source, "line": item.line, "id": item.doc_id, "error": item.error}
