"""Properties of the linker on arbitrary input: never crashes, offsets stay honest."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.relations.document import Ent

_ALPHABET = "商汤集团收入营收净利润毛利率业务板块分部同比增长下降至占比由从该公司，。；、（）“”0123456789.%亿元年 "


def _ents(text: str) -> list[Ent]:
    out: list[Ent] = []
    for m in re.finditer(r"\d+(?:\.\d+)?(?:%|亿元)|\d{4}年|商汤集团", text):
        s = m.group()
        label = (
            "ORG"
            if s == "商汤集团"
            else "DATE"
            if s.endswith("年")
            else ("PERCENT" if s.endswith("%") else "MONEY")
        )
        out.append(Ent(m.start(), m.end(), label, s))
    return out


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=_ALPHABET, max_size=300))
def test_properties_linker_never_crashes_and_offsets_point_at_text(linker, text):
    ents = _ents(text)
    relations, mentions = linker.link(text, ents)
    figures = {(e.start, e.end) for e in ents if e.label in ("MONEY", "PERCENT")}
    seen = set()
    for rel in relations:
        span = (rel["figure"]["start"], rel["figure"]["end"])
        assert span in figures and span not in seen
        seen.add(span)
        for part in ("figure", "subject", "period"):
            if rel[part] is not None:
                s, e = rel[part]["start"], rel[part]["end"]
                assert 0 <= s <= e <= len(text) and text[s:e] == rel[part]["text"]
        assert 0.0 <= rel["confidence"] <= 1.0
    for m in mentions:
        assert text[m["start"] : m["end"]] == m["text"]
