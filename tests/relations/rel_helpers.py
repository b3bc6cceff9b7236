"""Helpers shared by the relation-stage tests."""

from __future__ import annotations

import re

from pipeline.relations.document import Ent

# The example, reworded by us: six figures, two subjects, one ratio metric.
EXAMPLE = (
    "商汤集团2024年全年实现收入37.7亿元，较上年同期增长10.8%。生成式AI业务收入为24.04亿元，"
    "同比增长103.1%，其占总收入的比重升至63.7%；集团毛利率为42.9%。"
)


def make_ents(text: str, orgs: tuple[str, ...] = ()) -> list[Ent]:
    """Gold-like entities for test texts: figures, years and the given ORG names."""
    out: list[Ent] = []
    pattern = (
        r"\d+(?:\.\d+)?(?:亿元|万元|亿港元|港元|元|%|个百分点)|\d{4}年(?:上半年|第[一二三四]季度)?"
    )
    for m in re.finditer(pattern, text):
        s = m.group()
        if re.fullmatch(r"\d{4}年.*", s):
            label = "DATE"
        elif s.endswith(("%", "个百分点")):
            label = "PERCENT"
        else:
            label = "MONEY"
        out.append(Ent(m.start(), m.end(), label, s))
    for name in orgs:
        for m in re.finditer(re.escape(name), text):
            out.append(Ent(m.start(), m.end(), "ORG", name))
    return out
