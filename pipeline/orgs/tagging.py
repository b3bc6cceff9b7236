"""Text -> hashed features -> tagger spans, the one path shared by training and inference.

:class:`CharTagPipeline` ties the equal-length normaliser, the dictionary marks built
from the rule files and the trained :class:`~pipeline.orgs.classifier.OrgTagger`, so
the training recipe and the spaCy component compute features in exactly the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.orgs.classifier import OrgTagger
from pipeline.orgs.features import (
    DictionaryMarks,
    FeatureConfig,
    Normaliser,
    feature_indices,
    feature_indices_many,
)
from pipeline.orgs.rules import OrgRules


def dictionary_marks(rules: OrgRules) -> DictionaryMarks:
    """Marks from suffixes and the gazetteer's canonical names and strong aliases.

    Weak aliases (``~大众``, ``~绿地``: also ordinary words) are left out: a weak alias
    is kept only when the tagger agrees, so the tagger must not be told that the
    string is a gazetteer name, or its agreement is no independent evidence (with the
    listed-companies gazetteer, marking them let 大众 / 中海 through as ORGs).
    """
    names: list[str] = []
    norm = Normaliser(rules.trad_simp, collapse_digits=False)
    for entry in rules.gazetteer:
        names.extend(norm(n) for n in (entry.canonical, *entry.aliases))
    return DictionaryMarks((norm(s) for s in rules.suffixes), names)


class CharTagPipeline:
    """Features and decoding for the ORG tagger (no spaCy objects needed)."""

    def __init__(
        self, rules: OrgRules, tagger: OrgTagger | None, config: FeatureConfig | None = None
    ) -> None:
        self.rules = rules
        self.tagger = tagger
        self.config = tagger.config if tagger is not None else (config or FeatureConfig())
        self.normaliser = Normaliser(rules.trad_simp)
        self.match_normaliser = Normaliser(rules.trad_simp, collapse_digits=False)
        self.marks = dictionary_marks(rules)

    def indices(
        self, text: str, token_spans: Sequence[tuple[int, int, str]] | None = None
    ) -> np.ndarray:
        """Hashed feature indices of every character of ``text``."""
        return feature_indices(
            self.normaliser(text),
            self.marks,
            self.config,
            token_spans,
            match_form=self.match_normaliser(text),
        )

    def spans(
        self,
        text: str,
        token_spans: Sequence[tuple[int, int, str]] | None = None,
        o_threshold: float = 0.995,
    ) -> list[tuple[int, int, float]]:
        """Decoded ORG spans ``(start, end, confidence)`` in offsets of ``text``."""
        return self.analyse(text, token_spans, o_threshold)[0]

    def analyse(
        self,
        text: str,
        token_spans: Sequence[tuple[int, int, str]] | None = None,
        o_threshold: float = 0.995,
    ) -> tuple[list[tuple[int, int, float]], np.ndarray | None]:
        """Decoded spans and the per-character P(not O) (None without a tagger)."""
        if self.tagger is None or not text:
            return [], None
        probs = self.tagger.probabilities(self.indices(text, token_spans))
        not_o = 1.0 - probs[:, self.tagger.labels.index("O")]
        return self.tagger.decode(probs, o_threshold=o_threshold), not_o

    def analyse_many(
        self,
        items: Sequence[tuple[str, Sequence[tuple[int, int, str]] | None]],
        o_threshold: float = 0.995,
        match_forms: Sequence[str] | None = None,
    ) -> list[tuple[list[tuple[int, int, float]], np.ndarray | None]]:
        """:meth:`analyse` of many ``(text, token_spans)`` at once, identical results.

        Features and the weight gather run once for the whole batch (see
        :func:`~pipeline.orgs.features.feature_indices_many`); decoding stays per text.
        ``match_forms``: the texts through an equal ``Normaliser(trad_simp,
        collapse_digits=False)``, when the caller has them already (the component does).
        """
        if self.tagger is None or not items:
            return [([], None) for _ in items]
        texts = [text for text, _ in items]
        indices, offsets = feature_indices_many(
            [self.normaliser(t) for t in texts],
            self.marks,
            self.config,
            [spans for _, spans in items],
            match_forms if match_forms is not None else [self.match_normaliser(t) for t in texts],
        )
        probs = self.tagger.probabilities(indices)
        logp, greedy = self.tagger.decoding_scores(probs)
        not_o = 1.0 - probs[:, self.tagger.labels.index("O")]
        results: list[tuple[list[tuple[int, int, float]], np.ndarray | None]] = []
        for text, lo, hi in zip(texts, offsets[:-1], offsets[1:], strict=True):
            if not text:
                results.append(([], None))
                continue
            p = probs[lo:hi]
            spans = self.tagger.decode(
                p, o_threshold=o_threshold, scores=(logp[lo:hi], greedy[lo:hi])
            )
            results.append((spans, not_o[lo:hi]))
        return results
