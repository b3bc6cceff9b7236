"""Rule introspection of the shipped components (through their own matchers)."""

from __future__ import annotations

import pytest

from pipeline.api import make_doc
from pipeline.authoring.adapters import adapter_for
from pipeline.authoring.protocol import RelationRuleHit

TEXT = "2024年9月30日，示例科技云服务业务收入37.7亿元，同比增长10.8%。"


@pytest.fixture(scope="module")
def doc(nlp):
    return nlp(make_doc(nlp, TEXT, "2024-11-15"))


def _component(nlp, name: str):
    if name not in nlp.pipe_names:
        pytest.skip(f"{name} is not in the pipeline yet")
    return nlp.get_pipe(name)


def test_adapters_figures_return_every_rule_match_before_resolution(nlp, doc):
    matches = adapter_for(_component(nlp, "zhnews_figures"), "rule_matches")(doc)
    by_rule = {(c.source, TEXT[c.start : c.end]) for c in matches}
    assert ("rule:date.ymd", "2024年9月30日") in by_rule
    # the year alone is a raw candidate too (lost to the longer date in the output)
    assert any(src == "rule:date.year" and text.startswith("2024") for src, text in by_rule)
    money = [c for c in matches if TEXT[c.start : c.end] == "37.7亿元"]
    assert money and money[0].value["amount"] == 3770000000


def test_adapters_figures_catalogue_has_file_and_line(nlp):
    catalogue = adapter_for(_component(nlp, "zhnews_figures"), "rule_catalogue")()
    ids = {e["id"] for e in catalogue}
    assert {"money.currency_after", "percent.symbol", "date.ymd"} <= ids
    assert all(e["file"].endswith("patterns.yaml") and e["line"] > 0 for e in catalogue)


def test_adapters_relations_mentions_and_hits(nlp, doc):
    component = _component(nlp, "zhnews_relations")
    mentions = adapter_for(component, "rule_matches")(doc)
    assert any(c.label == "METRIC" and TEXT[c.start : c.end] == "收入" for c in mentions)
    hits = adapter_for(component, "relation_rule_hits")(doc)
    assert all(isinstance(h, RelationRuleHit) for h in hits)
    percent = (TEXT.index("10.8%"), TEXT.index("10.8%") + 5)
    fields = {(h.field, h.value) for h in hits if h.figure == percent}
    assert ("comparison", "yoy") in fields and ("kind", "change") in fields


def test_adapters_relations_catalogue_lists_lexicon_lines(nlp):
    catalogue = adapter_for(_component(nlp, "zhnews_relations"), "rule_catalogue")()
    metric_lines = [e for e in catalogue if e["id"] == "metric.lexicon" and e.get("entry")]
    assert metric_lines and all(e["line"] > 0 for e in metric_lines)
    assert any(e["id"] == "nearest_subject" for e in catalogue)


def test_adapters_orgs(nlp, doc):
    component = _component(nlp, "zhnews_orgs")
    matches = adapter_for(component, "rule_matches")(doc)
    assert all(c.label == "ORG" for c in matches)
    catalogue = adapter_for(component, "rule_catalogue")()
    assert {"org.suffix", "gazetteer:org"} <= {e["id"] for e in catalogue}
    # every gazetteer file contributes its lines as entries of the one gazetteer rule
    gazetteer_files = {
        e["file"].rsplit("/", 1)[-1]
        for e in catalogue
        if e["id"] == "gazetteer:org" and e.get("entry") and e["line"] > 0
    }
    assert {"gazetteer.tsv", "listed_companies.tsv"} <= gazetteer_files


def test_adapters_unknown_component_has_no_adapter():
    assert adapter_for(object(), "rule_matches") is None


@pytest.mark.parametrize(
    ("name", "relation_rules"),
    [("zhnews_figures", False), ("zhnews_orgs", False), ("zhnews_relations", True)],
)
def test_adapters_components_implement_the_protocol(nlp, name, relation_rules):
    from pipeline.authoring.protocol import EntityRules, RelationRules

    component = _component(nlp, name)
    assert isinstance(component, EntityRules)
    assert isinstance(component, RelationRules) is relation_rules
