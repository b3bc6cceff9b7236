"""Light pipelines for batch tests: fast to build in every worker, with fault injection.

The real pipeline costs ~5 s and ~1 GB per process; tests of ordering, resume, crash
isolation and engines do not need its linguistics, only a deterministic pipeline
that finds entities.  ``load_light`` builds ``spacy.blank("zh")`` (one token per
character) plus a regex MONEY recogniser; texts containing ``CRASH_MARK`` kill the
worker process (``os._exit``), texts containing ``RAISE_MARK`` raise an exception.
Batch code reaches these through ``PipelineSpec(loader="zhnews_fakes:load_light")``
(the ``tests`` folder is on ``sys.path`` in pytest and its spawned workers).
"""

from __future__ import annotations

import os
import re
import time

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extensions import ensure_extensions

CRASH_MARK = "☠CRASH☠"
RAISE_MARK = "☠RAISE☠"
LIGHT_LOADER = "zhnews_fakes:load_light"
_MONEY = re.compile(r"\d+(?:\.\d+)?[万亿]?元")


@Language.component("zhnews_fake_faults")
def fake_faults(doc: Doc) -> Doc:
    """Kill the process or raise when the text asks for it (fault injection)."""
    if CRASH_MARK in doc.text:
        os._exit(13)
    if RAISE_MARK in doc.text:
        raise ValueError("injected failure")
    return doc


@Language.component("zhnews_fake_delay")
def fake_delay(doc: Doc) -> Doc:
    """Sleep ``ZHNEWS_FAKE_DELAY_S`` per document so a run lasts long enough to be killed."""
    time.sleep(float(os.environ.get("ZHNEWS_FAKE_DELAY_S", "0") or 0))
    return doc


@Language.component("zhnews_fake_money")
def fake_money(doc: Doc) -> Doc:
    """Mark ``12.5亿元``-style amounts as MONEY with a source and a toy value."""
    spans = []
    for match in _MONEY.finditer(doc.text):
        span = doc.char_span(match.start(), match.end(), label="MONEY")
        if span is not None:
            spans.append(span)
    doc.ents = spans
    for span in doc.ents:
        span._.source = "rule:fake.money"
        span._.value = {"amount": float(len(span.text)), "currency": "CNY"}
    return doc


def load_light() -> Language:
    """A pipeline that builds in well under a second."""
    ensure_extensions()
    nlp = spacy.blank("zh")
    nlp.add_pipe("zhnews_fake_faults")
    if os.environ.get("ZHNEWS_FAKE_DELAY_S"):
        nlp.add_pipe("zhnews_fake_delay")
    nlp.add_pipe("zhnews_fake_money")
    return nlp


def load_light_short() -> Language:
    """The light pipeline with a tiny spaCy ``max_length`` (the guard must never stop a run)."""
    nlp = load_light()
    nlp.max_length = 5_000
    return nlp
