"""The rule-authoring loop (issue #7): evaluate, suggest, annotate, import, retrain, show.

Everything here works on the corpus record format of ``corpus/annotated/*.jsonl``
(see ``corpus/annotated/README.md``), which is the one shape shared by the gold data,
the pre-annotations written for human review and the corrected annotations brought
back: converters in :mod:`pipeline.authoring.formats` only translate that shape to and
from annotation tools, so a round trip cannot lose information.
"""
