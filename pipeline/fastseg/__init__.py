"""Vectorised, output-identical pkuseg inference (issue #6: throughput and memory).

``FastPkuseg(model_dir, user_dict).cut(text)`` returns exactly what
``spacy_pkuseg.pkuseg(model_dir, user_dict=user_dict).cut(text)`` returns, several
times faster and without pkuseg's ~850 MB feature dict: the features are exact integer
keys in numpy hash tables (:mod:`pipeline.fastseg.index`, cached as ``.npz``), scored
for a whole text at once (:mod:`pipeline.fastseg.segmenter`).
"""

from pipeline.fastseg.segmenter import FastPkuseg

__all__ = ["FastPkuseg"]
