"""Hardening helpers shared by every loader (issue #8).

* :mod:`pipeline.safety.regex_guard`: refuse rule regexes that can backtrack
  catastrophically; bounded matching for the polynomial ones that must stay.
* :mod:`pipeline.safety.model_files`: the one audited way to load model files
  (skops with a reviewed trusted-type list, ``.npz`` without pickle, JSON), each
  verified against the SHA-256 in its model card.
* :mod:`pipeline.safety.rule_files`: YAML that is data only (no tags, no aliases).
"""
