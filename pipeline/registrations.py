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

from pipeline.extensions import ensure_extensions

ensure_extensions()

# --- figures: MONEY / PERCENT / DATE (issue #3) -------------------------------------


@Language.factory("zhnews_figures", default_config={})
def make_figure_recognizer(nlp: Language, name: str):
    """MONEY / PERCENT / DATE rules with normalised values (pipeline.figures)."""
    from pipeline.figures.component import FigureRecognizer

    return FigureRecognizer(nlp, name)


# --- orgs: ORG (issue #4) -----------------------------------------------------------


@Language.factory("zhnews_orgs", default_config={})
def make_org_recognizer(nlp: Language, name: str):
    """ORG gazetteer + patterns + trained classifier (pipeline.orgs)."""
    from pipeline.orgs.component import OrgRecognizer

    return OrgRecognizer(nlp, name)


# --- relations: facts (issue #5) ----------------------------------------------------


@Language.factory("zhnews_relations", default_config={})
def make_relation_linker(nlp: Language, name: str):
    """Links figures to subjects, metrics and periods (pipeline.relations)."""
    from pipeline.relations.component import RelationLinker

    return RelationLinker(nlp, name)
