"""Every spaCy registration of zhnews, in one module (spaCy 3.8 convention).

Keeping factories and registry functions here avoids circular imports and gives the
``spacy_factories`` entry point (pyproject.toml) one stable target, so ``spacy.load``
and worker processes find the components without importing anything by hand.
Component classes live in their own modules and are imported here.
"""

from __future__ import annotations

from spacy.language import Language  # noqa: F401  (used by the factory blocks below)

from pipeline.extensions import ensure_extensions

ensure_extensions()

# --- figures: MONEY / PERCENT / DATE (issue #3) -------------------------------------
# (factory `zhnews_figures` -> make_figure_recognizer)

# --- orgs: ORG (issue #4) -----------------------------------------------------------
# (factory `zhnews_orgs` -> make_org_recognizer)

# --- relations: facts (issue #5) ----------------------------------------------------
# (factory `zhnews_relations` -> make_relation_linker)
