"""In-document alias linking."""

from __future__ import annotations

import pytest

from pipeline.orgs.linking import link_mentions, stem

GAZ = {"商汤集团": "商汤集团", "商汤": "商汤集团", "商汤科技": "商汤集团"}
SUFFIXES = ["集团", "科技", "股份有限公司", "有限公司", "银行"]


@pytest.mark.parametrize(
    "mentions,expected",
    [
        (["商汤集团", "商汤", "商汤科技"], ["商汤集团", "商汤集团", "商汤集团"]),
        (["零跑科技", "零跑"], ["零跑科技", "零跑科技"]),
        (["星河科技股份有限公司", "星河科技", "星河"], ["星河科技股份有限公司"] * 3),
        (["宁德时代", "宁德"], ["宁德时代", "宁德时代"]),
        (["东岳控股", "北辰证券"], ["东岳控股", "北辰证券"]),
    ],
)
def test_linking_short_forms_point_to_full_name(mentions, expected):
    assert link_mentions(mentions, GAZ, SUFFIXES, lambda s: s) == expected


@pytest.mark.parametrize(
    "name,expected", [("商汤科技", "商汤"), ("星河科技股份有限公司", "星河"), ("科技", "科技")]
)
def test_linking_stem_strips_known_suffixes(name, expected):
    assert stem(name, SUFFIXES) == expected
