"""The ``zhnews_orgs`` spaCy component: ORG entities from rules + the trained tagger.

Runs after ``zhnews_figures``: MONEY / PERCENT / DATE entities are already in
``doc.ents`` and always win (``place_entities`` never overlaps them).  The combination
of model and rules is documented in :mod:`pipeline.orgs.combine`; alias linking in
:mod:`pipeline.orgs.linking`.

``__init__`` only stores settings; ``initialize()`` loads the rule files (validated,
``Errors.E005``) and the shipped skops model (trusted types + SHA-256 from the model
card, ``Errors.E006``).  ``to_disk`` embeds the rules as JSON and the weights as npz
(no pickle), so ``nlp.to_disk()`` -> ``spacy.load()`` needs no outside file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import spacy.util
import srsly
from spacy.attrs import IDX, LENGTH, ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path

from pipeline.extensions import ensure_extensions
from pipeline.orgs.classifier import OrgTagger, load_tagger
from pipeline.orgs.combine import combine
from pipeline.orgs.features import Normaliser
from pipeline.orgs.linking import link_mentions
from pipeline.orgs.matchers import OrgMatchers
from pipeline.orgs.rules import OrgRules, load_rules
from pipeline.orgs.tagging import CharTagPipeline
from pipeline.spans import place_entities


class _MatchForm:
    """Equal-length match form: trad -> simplified, full-width folded, ASCII lower-case."""

    def __init__(self, trad_simp: dict[str, str]) -> None:
        self._norm = Normaliser(trad_simp, collapse_digits=False)

    def __call__(self, text: str) -> str:
        return self._norm(text)


def _text_and_tokens(doc: Doc) -> tuple[str, list[tuple[int, int, str]]]:
    """``doc.text`` and (start, end, text) per token in one pass over C arrays.

    Why: ``doc.text`` and iterating ``Token`` objects each cost more than the whole
    tagger on a short paragraph; ``to_array`` + the string store does not create tokens.
    """
    arr = doc.to_array([IDX, LENGTH, ORTH, SPACY]).tolist()
    strings = doc.vocab.strings
    words = [strings[orth] for _, _, orth, _ in arr]
    text = "".join([w + " " if sp else w for w, (_, _, _, sp) in zip(words, arr, strict=True)])
    return text, [(idx, idx + n, w) for w, (idx, n, _, _) in zip(words, arr, strict=True)]


# Characters per batched tagger call: batching pays off on short docs, but the gathered
# weight rows take ~800 bytes per character, so a batch of long articles would raise
# the worker's peak memory; past this size a call's fixed cost is negligible anyway.
_MAX_BATCH_CHARS = 8192


def _char_chunks(lengths: list[int]) -> list[tuple[int, int]]:
    """Consecutive ``(lo, hi)`` index ranges of at most ``_MAX_BATCH_CHARS`` characters
    (a longer single text is a range of its own)."""
    chunks: list[tuple[int, int]] = []
    lo = total = 0
    for i, n in enumerate(lengths):
        if i > lo and total + n > _MAX_BATCH_CHARS:
            chunks.append((lo, i))
            lo, total = i, 0
        total += n
    if lo < len(lengths):
        chunks.append((lo, len(lengths)))
    return chunks


class OrgRecognizer:
    """Adds ORG spans with ``_.source``, ``_.confidence`` and ``_.canonical``."""

    def __init__(
        self,
        nlp: Language,
        name: str = "zhnews_orgs",
        *,
        threshold: float = 0.4,
        o_threshold: float = 0.995,
        use_model: bool = True,
        use_rules: bool = True,
        suffix_support: float = 0.3,
        subject_support: float = 0.05,
    ) -> None:
        ensure_extensions()
        self.nlp = nlp
        self.name = name
        self.threshold = threshold
        self.o_threshold = o_threshold
        self.use_model = use_model
        self.use_rules = use_rules
        self.suffix_support = suffix_support
        self.subject_support = subject_support
        self.rules: OrgRules | None = None
        self.tagger: OrgTagger | None = None
        self._ready = False

    # -- setup ------------------------------------------------------------------------------

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        rules_dir: str | None = None,
        model_path: str | None = None,
        card_path: str | None = None,
    ) -> None:
        """Load rule files from ``rules_dir`` and the tagger from ``model_path``."""
        if rules_dir is not None:
            self.rules = load_rules(rules_dir)
        if model_path:
            self.tagger = load_tagger(model_path, card_path)
        self._build()

    def set_resources(self, rules: OrgRules, tagger: OrgTagger | None) -> None:
        """Use already-loaded rules and tagger (training/evaluation recipes, tests)."""
        self.rules = rules
        self.tagger = tagger
        self._build()

    def _build(self) -> None:
        rules = self.rules if self.rules is not None else OrgRules()
        self.rules = rules
        self._fold = _MatchForm(rules.trad_simp)
        self._matchers = OrgMatchers(rules, self._fold)
        self._tagging = CharTagPipeline(rules, self.tagger)
        self._gazetteer = {
            self._fold(name): entry.canonical
            for entry in rules.gazetteer
            for name in (entry.canonical, *entry.aliases, *entry.weak_aliases)
        }
        self._folded_suffixes = [self._fold(s) for s in rules.suffixes]
        self._ready = True

    # -- processing -------------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        if not self._ready:
            self._build()
        if len(doc) == 0:
            return doc
        text, token_spans = _text_and_tokens(doc)
        analysis = None
        if self._model_on:
            analysis = self._tagging.analyse(text, token_spans, o_threshold=self.o_threshold)
        return self._finish(doc, text, token_spans, analysis)

    @property
    def _model_on(self) -> bool:
        return self.use_model and self.tagger is not None

    def _finish(
        self,
        doc: Doc,
        text: str,
        token_spans: list[tuple[int, int, str]],
        analysis: tuple[list[tuple[int, int, float]], Any] | None,
        form: str | None = None,
    ) -> Doc:
        """Rules, combination, placement and linking, given the tagger's analysis."""
        token_starts = [s for s, _, _ in token_spans]
        model_spans: list[tuple[int, int, float]] = []
        support = None
        if analysis is not None:
            model_spans, not_o = analysis
            if not_o is not None:

                def support(start: int, end: int, _p=not_o) -> float:
                    return float(_p[start:end].mean()) if end > start else 0.0

        if form is None:
            form = self._fold(text)
        candidates = combine(
            form,
            model_spans,
            self._matchers,
            token_starts,
            threshold=self.threshold,
            use_rules=self.use_rules,
            support=support,
            suffix_support=self.suffix_support,
            subject_support=self.subject_support,
        )
        placed = place_entities(doc, candidates)
        self._link(doc, placed)
        return doc

    def _link(self, doc: Doc, placed: list) -> None:
        """Set ``_.canonical`` on every ORG of the document (in-document alias linking)."""
        orgs = [span for span in doc.ents if span.label_ == "ORG"]
        if not orgs:
            return
        canon = link_mentions(
            [span.text for span in orgs], self._gazetteer, self._folded_suffixes, self._fold
        )
        for span, name in zip(orgs, canon, strict=True):
            if span._.canonical is None or span._.canonical == span.text:
                span._.canonical = name

    # -- rule introspection for `zhnews rules eval` (issue #7) --------------------------

    def rule_matches(self, doc: Doc) -> list:
        """Every raw candidate of every rule, before overlap resolution (``source`` = rule id).

        Built from this component's own matchers; see ``pipeline/authoring/protocol.py``.
        """
        from pipeline.authoring.adapters import orgs_rule_matches

        return orgs_rule_matches(self, doc)

    def rule_catalogue(self) -> list[dict]:
        """Every loaded rule as ``{"id", "label", "file", "line"}`` (rules with no hit too)."""
        from pipeline.authoring.adapters import orgs_rule_catalogue

        return orgs_rule_catalogue(self)

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        """Like calling the component on each doc, with the tagger run once per batch.

        Why: features and the weight gather cost a fixed ~50 numpy calls per text, which
        dominate on sentence-length docs; batched they are paid once per batch
        (:meth:`CharTagPipeline.analyse_many`, output identical to per-doc calls).
        """
        if not self._ready:
            self._build()
        for batch in spacy.util.minibatch(stream, size=batch_size):
            work = [(doc, *_text_and_tokens(doc)) for doc in batch if len(doc)]
            # The rules' match form doubles as the tagger's dictionary form (same folding).
            forms = [self._fold(text) for _, text, _ in work]
            analyses: list[Any] = [None] * len(work)
            if self._model_on and work:
                analyses = []
                for lo, hi in _char_chunks([len(text) for _, text, _ in work]):
                    analyses.extend(
                        self._tagging.analyse_many(
                            [(text, spans) for _, text, spans in work[lo:hi]],
                            o_threshold=self.o_threshold,
                            match_forms=forms[lo:hi],
                        )
                    )
            results = {
                id(doc): (text, spans, analysis, form)
                for (doc, text, spans), analysis, form in zip(work, analyses, forms, strict=True)
            }
            for doc in batch:
                if id(doc) in results:
                    self._finish(doc, *results[id(doc)])
                yield doc

    # -- serialisation ----------------------------------------------------------------------

    def _settings(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "o_threshold": self.o_threshold,
            "use_model": self.use_model,
            "use_rules": self.use_rules,
            "suffix_support": self.suffix_support,
            "subject_support": self.subject_support,
        }

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        data = {
            "settings": self._settings(),
            "rules": (self.rules or OrgRules()).to_dict(),
            "tagger": self.tagger.to_bytes() if self.tagger is not None else b"",
        }
        return srsly.msgpack_dumps(data)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> OrgRecognizer:
        msg = srsly.msgpack_loads(data)
        for key, value in msg["settings"].items():
            setattr(self, key, value)
        self.rules = OrgRules.from_dict(msg["rules"])
        self.tagger = OrgTagger.from_bytes(msg["tagger"]) if msg["tagger"] else None
        self._build()
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "settings.json", self._settings())
        srsly.write_json(path / "rules.json", (self.rules or OrgRules()).to_dict())
        if self.tagger is not None:
            (path / "tagger.npz").write_bytes(self.tagger.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> OrgRecognizer:
        path = ensure_path(path)
        for key, value in srsly.read_json(path / "settings.json").items():
            setattr(self, key, value)
        self.rules = OrgRules.from_dict(srsly.read_json(path / "rules.json"))
        tagger_file = path / "tagger.npz"
        self.tagger = (
            OrgTagger.from_bytes(tagger_file.read_bytes()) if tagger_file.exists() else None
        )
        self._build()
        return self
