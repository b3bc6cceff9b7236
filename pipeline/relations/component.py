"""spaCy component ``zhnews_relations``: writes ``doc._.relations`` and ``doc._.mentions``.

The component is a thin adapter around :class:`pipeline.relations.linker.Linker`:
it turns ``doc.ents`` (MONEY/PERCENT/DATE from ``zhnews_figures``, ORG from
``zhnews_orgs``) into plain entities, runs the linker and stores the schema-v1
relation dicts.  ``__init__`` only stores arguments; lexicons and the pair model are
loaded in :meth:`initialize` (from ``[initialize.components.zhnews_relations]``) and
embedded by :meth:`to_disk`, so ``nlp.to_disk()`` -> ``spacy.load()`` needs no file
outside the saved pipeline.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path

from pipeline.doctext import doc_text
from pipeline.extensions import ensure_extensions
from pipeline.relations.candidates import CandidateConfig
from pipeline.relations.document import Ent
from pipeline.relations.lexicon import Lexicons, default_lexicon_dir, load_lexicons
from pipeline.relations.linker import Linker
from pipeline.relations.model import PairModel, default_model_dir, load_model, save_model

LEXICON_FILE = "lexicons.json"
_LABELS = frozenset(("MONEY", "PERCENT", "DATE", "ORG"))
SETTINGS_FILE = "settings.json"


class RelationLinker:
    """Link every figure to its company or segment, metric, kind and period."""

    def __init__(
        self,
        nlp: Language,
        name: str = "zhnews_relations",
        *,
        candidates: CandidateConfig | None = None,
        use_model: bool = True,
    ) -> None:
        ensure_extensions()
        self.nlp = nlp
        self.name = name
        self.candidates = candidates or CandidateConfig()
        self.use_model = use_model
        self.lexicons: Lexicons | None = None
        self.model: PairModel | None = None
        self._linker: Linker | None = None

    # -- data --------------------------------------------------------------------------
    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        lexicon_dir: str | None = None,
        model_dir: str | None = None,
    ) -> None:
        """Load and validate the lexicons and the pair model (``E005`` / ``E006``)."""
        self.lexicons = load_lexicons(Path(lexicon_dir) if lexicon_dir else default_lexicon_dir())
        self.model = None
        if self.use_model:
            self.model = load_model(Path(model_dir) if model_dir else default_model_dir())
        self._linker = None

    @property
    def linker(self) -> Linker:
        """The linker, built lazily (initialises with the defaults if needed)."""
        if self._linker is None:
            if self.lexicons is None:
                self.initialize()
            assert self.lexicons is not None
            self._linker = Linker(self.lexicons, self.model, self.candidates)
        return self._linker

    # -- processing --------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        # Span extensions live in doc.user_data keyed by ("._.", name, start, end)
        # (pipeline/extensions.py); reading the dict directly avoids building a
        # Underscore object per entity, which costs more than the linking itself.
        data = doc.user_data
        text = doc_text(doc)
        ents = []
        for e in doc.ents:
            label = e.label_
            if label not in _LABELS:
                continue
            s, t = e.start_char, e.end_char
            ents.append(
                Ent(
                    s,
                    t,
                    label,
                    text[s:t],
                    data.get(("._.", "value", s, t)),
                    data.get(("._.", "canonical", s, t)),
                )
            )
        relations, mentions = self.linker.link(text, ents)
        # Same storage as ``doc._.relations = ...`` (spaCy keeps Doc extensions in
        # user_data under ("._.", name, None, None)) without building an Underscore.
        data[("._.", "relations", None, None)] = relations
        data[("._.", "mentions", None, None)] = mentions
        return doc

    # -- rule introspection for `zhnews rules eval` (issue #7) --------------------------

    def rule_matches(self, doc: Doc) -> list:
        """Every raw candidate of every rule, before overlap resolution (``source`` = rule id).

        Built from this component's own matchers; see ``pipeline/authoring/protocol.py``.
        """
        from pipeline.authoring.adapters import relations_rule_matches

        return relations_rule_matches(self, doc)

    def rule_catalogue(self) -> list[dict]:
        """Every loaded rule as ``{"id", "label", "file", "line"}`` (rules with no hit too)."""
        from pipeline.authoring.adapters import relations_rule_catalogue

        return relations_rule_catalogue(self)

    def relation_rule_hits(self, doc: Doc) -> list:
        """Per figure, what each relation rule decided (kind, cues, metric, period, ...)."""
        from pipeline.authoring.adapters import relations_rule_hits

        return relations_rule_hits(self, doc)

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in stream:
            yield self(doc)

    # -- serialisation -----------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write lexicons, model (with its card) and settings into ``path``."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.lexicons is None:
            self.initialize()
        assert self.lexicons is not None
        (path / LEXICON_FILE).write_text(
            json.dumps(self.lexicons.to_dict(), ensure_ascii=False, sort_keys=True),
            encoding="utf8",
        )
        settings = {"use_model": self.use_model, "has_model": self.model is not None}
        (path / SETTINGS_FILE).write_text(json.dumps(settings), encoding="utf8")
        if self.model is not None:
            card_src = default_model_dir() / "rel_clf.card.json"
            card = json.loads(card_src.read_text(encoding="utf8")) if card_src.is_file() else {}
            card.pop("sha256", None)
            save_model(self.model, path / "model", card)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> RelationLinker:
        """Read what :meth:`to_disk` wrote (the model hash is checked again)."""
        path = ensure_path(path)
        data = json.loads((path / LEXICON_FILE).read_text(encoding="utf8"))
        self.lexicons = Lexicons.from_dict(data)
        settings = json.loads((path / SETTINGS_FILE).read_text(encoding="utf8"))
        self.use_model = bool(settings.get("use_model", True))
        self.model = load_model(path / "model") if settings.get("has_model") else None
        self._linker = None
        return self
