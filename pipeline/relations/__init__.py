"""Relation stage (issue #5): link every MONEY/PERCENT figure to its company or
business segment, metric, kind, comparison, direction and period.

Modules, in pipeline order: ``textnorm`` (equal-length normalisation), ``lexicon``
(validated rule files in ``configs/relations``), ``mentions`` (segments, metrics,
anaphors, cues), ``rules`` (metric / kind / comparison / direction / from-to / period),
``candidates`` (subjects and the bounded candidate generator), ``features`` + ``model``
(the pair classifier, JSON weights with a checksummed model card), ``linker`` (all of
it on plain data), ``component`` (the spaCy component ``zhnews_relations``),
``scoring`` (link P/R/F and accuracies) and ``facts`` (the facts table).
"""
