"""The spaCy component: runs on doc.ents, round-trips through to_disk/from_disk."""

from __future__ import annotations

import pytest
import spacy

import pipeline.registrations  # noqa: F401  (registers zhnews_relations)
from pipeline.extensions import ensure_extensions

from .rel_helpers import EXAMPLE, make_ents


def _blank_nlp():
    ensure_extensions()
    nlp = spacy.blank("zh")  # character segmentation: no pkuseg model needed
    nlp.add_pipe("zhnews_relations")
    nlp.initialize()
    return nlp


def _doc(nlp, text, orgs=("商汤集团",)):
    doc = nlp.make_doc(text)
    spans = []
    for e in make_ents(text, orgs):
        span = doc.char_span(e.start, e.end, label=e.label)
        assert span is not None
        spans.append(span)
    doc.ents = spans
    return doc


@pytest.mark.parametrize("text", [EXAMPLE])
def test_component_writes_relations_and_mentions(text):
    nlp = _blank_nlp()
    doc = nlp.get_pipe("zhnews_relations")(_doc(nlp, text))
    assert len(doc._.relations) == 6
    assert {m["type"] for m in doc._.mentions} >= {"METRIC", "SEGMENT"}


def test_component_to_disk_from_disk(tmp_path):
    nlp = _blank_nlp()
    component = nlp.get_pipe("zhnews_relations")
    before = component(_doc(nlp, EXAMPLE))._.relations
    nlp.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp")
    after = loaded.get_pipe("zhnews_relations")(_doc(loaded, EXAMPLE))._.relations
    assert after == before
    assert (tmp_path / "nlp" / "zhnews_relations" / "model" / "rel_clf.card.json").is_file()


def test_component_config_bounds_reach_generator():
    ensure_extensions()
    nlp = spacy.blank("zh")
    nlp.add_pipe("zhnews_relations", config={"candidates": {"max_before": 2}})
    assert nlp.get_pipe("zhnews_relations").candidates.max_before == 2


def test_component_without_model_uses_baseline():
    ensure_extensions()
    nlp = spacy.blank("zh")
    nlp.add_pipe("zhnews_relations", config={"use_model": False})
    nlp.initialize()
    doc = nlp.get_pipe("zhnews_relations")(_doc(nlp, EXAMPLE))
    assert doc._.relations and all(r["source"] == "rule:nearest_subject" for r in doc._.relations)


@pytest.mark.parametrize(("alias", "canonical"), [("商汤", "商汤集团")])
def test_component_reads_span_canonical(alias, canonical):
    nlp = _blank_nlp()
    text = f"2024年，{alias}收入37.7亿元，同比增长10.8%。"
    doc = _doc(nlp, text, orgs=(alias,))
    for ent in doc.ents:
        if ent.label_ == "ORG":
            ent._.canonical = canonical
    doc = nlp.get_pipe("zhnews_relations")(doc)
    assert doc._.relations
    assert {r["company"] for r in doc._.relations} == {canonical}
    assert {r["subject"]["canonical"] for r in doc._.relations} == {canonical}
