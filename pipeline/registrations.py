"""Every spaCy registration of zhnews, in one module (spaCy 3.8 convention).

Keeping factories and registry functions here avoids circular imports and gives the
``spacy_factories`` entry point (pyproject.toml) one stable target, so ``spacy.load``
and worker processes find the components without importing anything by hand.
Component classes live in their own modules and are imported inside the factories, so
importing this module stays cheap.  spaCy loads every ``spacy_factories`` entry point
when a ``Language`` is created, so each name listed in pyproject.toml must exist here.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.util import registry

from pipeline.extensions import ensure_extensions

ensure_extensions()

# --- figures: MONEY / PERCENT / DATE (issue #3) -------------------------------------


@Language.factory(
    "zhnews_figures",
    default_config={"overwrite": False},
    assigns=["doc.ents", "span._.value", "span._.source", "span._.flags", "doc._.unplaced"],
)
def make_figure_recognizer(nlp: Language, name: str, overwrite: bool):
    """MONEY / PERCENT / DATE rules with normalised values (pipeline.figures)."""
    from pipeline.figures.component import FigureRecognizer

    return FigureRecognizer(nlp, name, overwrite=overwrite)


# --- orgs: ORG (issue #4) -----------------------------------------------------------


@Language.factory(
    "zhnews_orgs",
    default_config={
        "threshold": 0.4,
        "o_threshold": 0.995,
        "use_model": True,
        "use_rules": True,
        "suffix_support": 0.3,
        "subject_support": 0.05,
    },
    assigns=["doc.ents", "span._.source", "span._.confidence", "span._.canonical"],
)
def make_org_recognizer(
    nlp: Language,
    name: str,
    threshold: float,
    o_threshold: float,
    use_model: bool,
    use_rules: bool,
    suffix_support: float,
    subject_support: float,
):
    """ORG gazetteer + patterns + trained classifier (pipeline.orgs).

    ``threshold``: minimum confidence of a kept ORG; ``o_threshold``: characters whose
    P(O) is above it are not decoded (speed); ``use_model`` / ``use_rules`` switch
    either side off (used by the evaluation recipe to compare them);
    ``suffix_support`` / ``subject_support``: model support a suffix / sentence-subject
    rule match needs (see pipeline/orgs/combine.py).
    """
    from pipeline.orgs.component import OrgRecognizer

    return OrgRecognizer(
        nlp,
        name,
        threshold=threshold,
        o_threshold=o_threshold,
        use_model=use_model,
        use_rules=use_rules,
        suffix_support=suffix_support,
        subject_support=subject_support,
    )


# --- relations: facts (issue #5) ----------------------------------------------------


@registry.misc("zhnews.relation_candidates.v1")
def make_relation_candidates(
    max_before: int = 4,
    max_distance: int = 160,
    max_after: int = 1,
    max_after_distance: int = 12,
    include_main: bool = True,
):
    """Bounds of the figure x subject candidate generator (never quadratic)."""
    from pipeline.relations.candidates import CandidateConfig

    return CandidateConfig(max_before, max_distance, max_after, max_after_distance, include_main)


@Language.factory(
    "zhnews_relations",
    assigns=["doc._.relations", "doc._.mentions"],
    requires=["doc.ents"],
    default_config={
        "candidates": {"@misc": "zhnews.relation_candidates.v1"},
        "use_model": True,
    },
)
def make_relation_linker(nlp: Language, name: str, candidates, use_model: bool):
    """Links figures to subjects, metrics and periods (pipeline.relations)."""
    from pipeline.relations.component import RelationLinker

    return RelationLinker(nlp, name, candidates=candidates, use_model=use_model)


# --- tokenizer: vectorised pkuseg (issue #6, pipeline.fastseg) -----------------------


@registry.tokenizers("zhnews.pkuseg_tokenizer.v1")
def make_pkuseg_tokenizer(segmenter: str = "pkuseg", fast: bool = True):
    """spaCy's Chinese pkuseg tokenizer; ``fast`` = the vectorised, output-identical
    pkuseg of pipeline.fastseg (false: spacy_pkuseg's own implementation)."""

    def create_tokenizer(nlp: Language):
        from pipeline.fastseg.tokenizer import FastChineseTokenizer

        return FastChineseTokenizer(nlp.vocab, segmenter=segmenter, fast=fast)

    return create_tokenizer
