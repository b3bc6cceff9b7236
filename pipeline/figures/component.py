"""spaCy component ``zhnews_figures``: MONEY / PERCENT / DATE with normalised values.

``__init__`` only stores arguments; the rule files are read in :meth:`initialize`
(paths from the ``[initialize.components.zhnews_figures]`` block) and embedded by
:meth:`to_disk`, so ``nlp.to_disk()`` -> ``spacy.load()`` needs no outside file.
Matching is done on characters by :class:`~pipeline.figures.recognizer.FigureEngine`;
:func:`pipeline.spans.place_entities` then splits pkuseg tokens at entity boundaries
(anything that cannot be placed is counted in ``doc._.unplaced``).
"""

# No `from __future__ import annotations`: spaCy validates initialize() settings from
# the evaluated signature (pydantic), which string annotations would break.
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.doctext import doc_text
from pipeline.extensions import ensure_extensions
from pipeline.figures.recognizer import RULE_FILES, FigureEngine
from pipeline.spans import place_entities


class FigureRecognizer:
    """Rule-based figure recogniser; see ``configs/figures/patterns.yaml``."""

    def __init__(
        self, nlp: Language, name: str = "zhnews_figures", *, overwrite: bool = False
    ) -> None:
        ensure_extensions()
        self.nlp = nlp
        self.name = name
        self.overwrite = overwrite
        self._engine: FigureEngine | None = None

    # -------------------------------------------------------------- lifecycle
    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        patterns: str | Path | None = None,
        lexicon: str | Path | None = None,
        fiscal_years: str | Path | None = None,
    ) -> None:
        """Read and compile the rule files (defaults: the shipped configs/figures/)."""
        self._engine = FigureEngine.from_paths(patterns, lexicon, fiscal_years)

    @property
    def engine(self) -> FigureEngine:
        """The compiled rules; loads the shipped defaults if never initialised."""
        if self._engine is None:
            self._engine = FigureEngine.from_paths()
        return self._engine

    # ---------------------------------------------------------------- running
    def __call__(self, doc: Doc) -> Doc:
        candidates = self.engine.find(doc_text(doc), doc._.pub_date)
        if candidates:
            place_entities(doc, candidates, overwrite=self.overwrite)
        elif doc._.unplaced is None:
            doc._.unplaced = []
        return doc

    # -- rule introspection for `zhnews rules eval` (issue #7) --------------------------

    def rule_matches(self, doc: Doc) -> list:
        """Every raw candidate of every rule, before overlap resolution (``source`` = rule id).

        Built from this component's own matchers; see ``pipeline/authoring/protocol.py``.
        """
        from pipeline.authoring.adapters import figures_rule_matches

        return figures_rule_matches(self, doc)

    def rule_catalogue(self) -> list[dict]:
        """Every loaded rule as ``{"id", "label", "file", "line"}`` (rules with no hit too)."""
        from pipeline.authoring.adapters import figures_rule_catalogue

        return figures_rule_catalogue(self)

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterable[Doc]:
        for doc in stream:
            yield self(doc)

    # ----------------------------------------------------------- serialisation
    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps({"rules": self.engine.texts, "overwrite": self.overwrite})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "FigureRecognizer":
        msg = srsly.msgpack_loads(data)
        self.overwrite = bool(msg.get("overwrite", False))
        self._engine = FigureEngine(dict(msg["rules"]))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name in RULE_FILES:
            (path / name).write_text(self.engine.texts[name], encoding="utf8")
        srsly.write_json(path / "cfg.json", {"overwrite": self.overwrite})

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "FigureRecognizer":
        path = Path(path)
        cfg = srsly.read_json(path / "cfg.json") if (path / "cfg.json").exists() else {}
        self.overwrite = bool(cfg.get("overwrite", False))
        self._engine = FigureEngine.from_paths(*(path / name for name in RULE_FILES))
        return self
