"""End to end through ``pipeline.load()``: figures, ORGs and relations together.

Each case is a paragraph with a company-level clause, a segment clause (其中 ...),
a share of the total, and then a ；/。 unit that names a company-level metric without
naming the company again.  That last figure must return to the main company, not stay
with the segment of the previous unit.  Uses the session ``nlp`` fixture (skips when
the pkuseg model has not been fetched).
"""

from __future__ import annotations

import pytest

# (subject, metric_canonical, kind, figure, comparison, direction)
Fact = tuple[str, str, str, str, str | None, str | None]

CASES: list[tuple[str, str, list[Fact]]] = [
    (
        "issue-5",
        "2024年，商汤集团收入37.7亿元，同比增长10.8%，其中生成式AI业务收入24.04亿元，"
        "同比增长103.1%，占总收入比重升至63.7%；毛利率为42.9%",
        [
            ("商汤集团", "revenue", "value", "37.7亿元", None, None),
            ("商汤集团", "revenue", "change", "10.8%", "yoy", "up"),
            ("生成式AI", "revenue", "value", "24.04亿元", None, None),
            ("生成式AI", "revenue", "change", "103.1%", "yoy", "up"),
            ("生成式AI", "revenue", "share", "63.7%", None, None),
            ("商汤集团", "gross_margin", "ratio", "42.9%", None, None),
        ],
    ),
    (
        "mainland-semicolon",
        "2024年，腾讯控股收入6603亿元，同比增长8.4%，其中金融科技及企业服务业务收入2120亿元，"
        "同比增长9.2%，占总收入比重升至32.1%；毛利率为52.9%。",
        [
            ("腾讯控股", "revenue", "value", "6603亿元", None, None),
            ("腾讯控股", "revenue", "change", "8.4%", "yoy", "up"),
            ("金融科技及企业服务", "revenue", "value", "2120亿元", None, None),
            ("金融科技及企业服务", "revenue", "change", "9.2%", "yoy", "up"),
            ("金融科技及企业服务", "revenue", "share", "32.1%", None, None),
            ("腾讯控股", "gross_margin", "ratio", "52.9%", None, None),
        ],
    ),
    (
        "hk-traditional",
        "2024年，聯想集團收益為569億美元，按年增長20%，其中基礎設施方案業務收益為118億美元，"
        "按年增長63%，佔總收益比重升至20.7%；毛利率為16.4%。",
        [
            ("聯想集團", "revenue", "value", "569億美元", None, None),
            ("聯想集團", "revenue", "change", "20%", "yoy", "up"),
            ("基礎設施方案", "revenue", "value", "118億美元", None, None),
            ("基礎設施方案", "revenue", "change", "63%", "yoy", "up"),
            ("基礎設施方案", "revenue", "share", "20.7%", None, None),
            ("聯想集團", "gross_margin", "ratio", "16.4%", None, None),
        ],
    ),
    (
        "full-stop",
        "2024年上半年，比亚迪营业收入3011.2亿元，同比增长15.8%。其中汽车业务收入2283.2亿元，"
        "同比增长9.3%。毛利率为18.8%。",
        [
            ("比亚迪", "revenue", "value", "3011.2亿元", None, None),
            ("比亚迪", "revenue", "change", "15.8%", "yoy", "up"),
            ("汽车", "revenue", "value", "2283.2亿元", None, None),
            ("汽车", "revenue", "change", "9.3%", "yoy", "up"),
            ("比亚迪", "gross_margin", "ratio", "18.8%", None, None),
        ],
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_pipeline_e2e_segment_then_company_metric(nlp, name, text, expected):
    doc = nlp(text)
    got = [
        (
            r["subject"]["text"],
            r["metric_canonical"],
            r["kind"],
            r["figure"]["text"],
            r["comparison"],
            r["direction"],
        )
        for r in doc._.relations
    ]
    assert got == expected
    assert all(r["period"] is not None for r in doc._.relations)


def test_pipeline_e2e_unit_rule_is_auditable(nlp):
    doc = nlp(CASES[0][1])
    last = doc._.relations[-1]
    assert last["figure"]["text"] == "42.9%"
    assert last["source"] == "rule:unit_main_subject"
    assert 0.0 < last["confidence"] <= 1.0
    share = next(r for r in doc._.relations if r["kind"] == "share")
    assert share["metric"] == "收入"  # the numerator's metric, not 总收入 (the total)


@pytest.mark.parametrize(
    ("text", "figure", "subject"),
    [
        # the ；-unit names its segment through 其 / 该业务: it stays with the segment
        ("2024年，商汤集团收入37.7亿元，其中生成式AI业务收入24.04亿元；其毛利率为60.1%。", "60.1%", "生成式AI"),
        ("2024年，商汤集团收入37.7亿元，其中生成式AI业务收入24.04亿元；该业务毛利率为60.1%。", "60.1%", "生成式AI"),
    ],
)  # fmt: skip
def test_pipeline_e2e_segment_pointer_keeps_segment(nlp, text, figure, subject):
    doc = nlp(text)
    rel = next(r for r in doc._.relations if r["figure"]["text"] == figure)
    assert rel["subject"]["text"] == subject
