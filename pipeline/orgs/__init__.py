"""ORG recognition (issue #4): rule files, a trained character tagger, and how they combine.

Modules, in pipeline order: :mod:`rules` (load/validate ``configs/orgs``),
:mod:`features` (shared hashed character features), :mod:`classifier` (the tagger and
its safe persistence), :mod:`tagging` (text -> tagger spans), :mod:`matchers` (rule
proposals), :mod:`combine` (the documented combination), :mod:`linking` (alias
linking) and :mod:`component` (the ``zhnews_orgs`` spaCy component).
"""
