"""Load and validate the relation lexicons users edit (``configs/relations/*.tsv``).

The files are plain TAB-separated data: nothing in them is executed.  Every row is
checked when loaded and a bad row raises ``ZhnewsError(Errors.E005)`` naming the
file, the line and the reason, so a user who adds a metric sees exactly what to fix.
Surfaces are normalised with :func:`pipeline.relations.textnorm.normalize`, so a
traditional-character row matches the same text as its simplified form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import Errors, ZhnewsError
from pipeline.relations.textnorm import make_table, normalize
from pipeline.safety.rule_files import tsv_rows

METRIC_TYPES = ("amount", "ratio", "generic")
CUE_VALUES: dict[str, tuple[str, ...]] = {
    "comparison": ("yoy", "qoq", "mom", "base"),
    "change": ("up", "down", "flat"),
    "to": ("up", "down"),
    "from": ("-",),
    "share": ("-",),
    "rate": ("up", "down"),
    "market": ("-",),
    "adjusted": ("-",),
}
SEGMENT_CATEGORIES = (
    "suffix",
    "name",
    "region",
    "stop",
    "notname",
    "list",
    "keep",
    "head_metric",
    "notsuffix",
)
ANAPHOR_TARGETS = ("segment", "company")
_CANONICAL_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_MAX_SURFACE = 40

LEXICON_FILES = {
    "trad_simp": "trad_simp.tsv",
    "metrics": "metrics.tsv",
    "cues": "cues.tsv",
    "segments": "segments.tsv",
    "anaphors": "anaphors.tsv",
}


@dataclass
class Lexicons:
    """All relation lexicons, normalised and validated."""

    # normalised surface -> (canonical metric id, metric type)
    metrics: dict[str, tuple[str, str]] = field(default_factory=dict)
    # category -> normalised surface -> value
    cues: dict[str, dict[str, str]] = field(default_factory=dict)
    # category -> normalised surface -> canonical ("" when none)
    segments: dict[str, dict[str, str]] = field(default_factory=dict)
    # normalised surface -> target
    anaphors: dict[str, str] = field(default_factory=dict)
    # traditional -> simplified character pairs (extends the built-in table)
    trad_simp: dict[str, str] = field(default_factory=dict)

    @property
    def table(self) -> dict[int, int]:
        """Translation table for :func:`normalize` (built-ins + ``trad_simp.tsv``)."""
        cached = self.__dict__.get("_table")
        if cached is None:
            cached = self.__dict__["_table"] = make_table(self.trad_simp)
        return cached

    def to_dict(self) -> dict:
        """JSON-serialisable form (for ``to_disk``)."""
        return {
            "metrics": {k: list(v) for k, v in self.metrics.items()},
            "cues": self.cues,
            "segments": self.segments,
            "anaphors": self.anaphors,
            "trad_simp": self.trad_simp,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Lexicons:
        """Inverse of :meth:`to_dict`."""
        return cls(
            metrics={k: (v[0], v[1]) for k, v in data["metrics"].items()},
            cues={k: dict(v) for k, v in data["cues"].items()},
            segments={k: dict(v) for k, v in data["segments"].items()},
            anaphors=dict(data["anaphors"]),
            trad_simp=dict(data.get("trad_simp", {})),
        )


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, columns) for every non-comment, non-blank line."""
    return tsv_rows(path)


def _fail(path: Path, line: int, reason: str) -> ZhnewsError:
    return ZhnewsError(Errors.E005.format(path=path, line=line, reason=reason))


def _surface(path: Path, line: int, value: str, table: dict[int, int] | None = None) -> str:
    """Validate one surface form and return its normalised copy."""
    if not value:
        raise _fail(path, line, "empty surface")
    if len(value) > _MAX_SURFACE:
        raise _fail(path, line, f"surface longer than {_MAX_SURFACE} characters")
    if any(ch.isspace() for ch in value):
        raise _fail(path, line, "surface contains whitespace")
    return normalize(value, table)


def load_metrics(path: Path, table: dict[int, int] | None = None) -> dict[str, tuple[str, str]]:
    """Read ``metrics.tsv``: surface, canonical id, type."""
    out: dict[str, tuple[str, str]] = {}
    for line, cols in _rows(path):
        if len(cols) != 3:
            raise _fail(path, line, f"expected 3 TAB-separated columns, got {len(cols)}")
        surface = _surface(path, line, cols[0], table)
        canonical, mtype = cols[1], cols[2]
        if not _CANONICAL_RE.match(canonical):
            raise _fail(path, line, f"canonical id '{canonical}' must match [a-z][a-z0-9_]*")
        if mtype not in METRIC_TYPES:
            raise _fail(path, line, f"type '{mtype}' is not one of {', '.join(METRIC_TYPES)}")
        if surface in out and out[surface] != (canonical, mtype):
            raise _fail(path, line, f"surface '{cols[0]}' already maps to {out[surface][0]}")
        out[surface] = (canonical, mtype)
    return out


def load_cues(path: Path, table: dict[int, int] | None = None) -> dict[str, dict[str, str]]:
    """Read ``cues.tsv``: category, surface, value."""
    out: dict[str, dict[str, str]] = {cat: {} for cat in CUE_VALUES}
    for line, cols in _rows(path):
        if len(cols) != 3:
            raise _fail(path, line, f"expected 3 TAB-separated columns, got {len(cols)}")
        category, value = cols[0], cols[2]
        if category not in CUE_VALUES:
            raise _fail(path, line, f"category '{category}' is not one of {', '.join(CUE_VALUES)}")
        if value not in CUE_VALUES[category]:
            allowed = ", ".join(CUE_VALUES[category])
            raise _fail(path, line, f"value '{value}' for {category} is not one of {allowed}")
        surface = _surface(path, line, cols[1], table)
        previous = out[category].get(surface)
        if previous is not None and previous != value:
            raise _fail(path, line, f"'{cols[1]}' already listed as {category} {previous}")
        out[category][surface] = value
    return out


def load_segments(path: Path, table: dict[int, int] | None = None) -> dict[str, dict[str, str]]:
    """Read ``segments.tsv``: category, surface, optional canonical."""
    out: dict[str, dict[str, str]] = {cat: {} for cat in SEGMENT_CATEGORIES}
    for line, cols in _rows(path):
        if len(cols) not in (2, 3):
            raise _fail(path, line, f"expected 2 or 3 TAB-separated columns, got {len(cols)}")
        category = cols[0]
        if category not in SEGMENT_CATEGORIES:
            allowed = ", ".join(SEGMENT_CATEGORIES)
            raise _fail(path, line, f"category '{category}' is not one of {allowed}")
        if len(cols) == 3 and category != "name":
            raise _fail(path, line, "only 'name' rows take a canonical column")
        if category == "head_metric":
            if not _CANONICAL_RE.match(cols[1]):
                raise _fail(path, line, f"head_metric '{cols[1]}' must be a canonical metric id")
            out[category][cols[1]] = ""
            continue
        surface = _surface(path, line, cols[1], table)
        out[category][surface] = cols[2] if len(cols) == 3 else ""
    return out


def load_anaphors(path: Path, table: dict[int, int] | None = None) -> dict[str, str]:
    """Read ``anaphors.tsv``: surface, target."""
    out: dict[str, str] = {}
    for line, cols in _rows(path):
        if len(cols) != 2:
            raise _fail(path, line, f"expected 2 TAB-separated columns, got {len(cols)}")
        if cols[1] not in ANAPHOR_TARGETS:
            raise _fail(
                path, line, f"target '{cols[1]}' is not one of {', '.join(ANAPHOR_TARGETS)}"
            )
        out[_surface(path, line, cols[0], table)] = cols[1]
    return out


def load_trad_simp(path: Path) -> dict[str, str]:
    """Read ``trad_simp.tsv``: one traditional and one simplified character per row."""
    out: dict[str, str] = {}
    for line, cols in _rows(path):
        if len(cols) != 2:
            raise _fail(path, line, f"expected 2 TAB-separated columns, got {len(cols)}")
        if len(cols[0]) != 1 or len(cols[1]) != 1:
            raise _fail(path, line, "each column must be exactly one character")
        out[cols[0]] = cols[1]
    return out


def load_lexicons(directory: str | Path) -> Lexicons:
    """Load every lexicon from ``directory`` (``configs/relations`` by default)."""
    directory = Path(directory)
    for name in LEXICON_FILES.values():
        if not (directory / name).is_file():
            raise ZhnewsError(
                Errors.E005.format(path=directory / name, line=0, reason="file missing")
            )
    trad_simp = load_trad_simp(directory / LEXICON_FILES["trad_simp"])
    table = make_table(trad_simp)
    return Lexicons(
        metrics=load_metrics(directory / LEXICON_FILES["metrics"], table),
        cues=load_cues(directory / LEXICON_FILES["cues"], table),
        segments=load_segments(directory / LEXICON_FILES["segments"], table),
        anaphors=load_anaphors(directory / LEXICON_FILES["anaphors"], table),
        trad_simp=trad_simp,
    )


def default_lexicon_dir() -> Path:
    """``configs/relations`` of this checkout (the default rule files)."""
    return Path(__file__).resolve().parents[2] / "configs" / "relations"
