"""Node codes equal pkuseg's normalize_text, and feature strings parse back to nodes."""

from __future__ import annotations

import pytest

from pipeline.fastseg.nodes import LETTER, NUM, parse_nodes, text_nodes


def _pkuseg_nodes(text: str) -> list[str]:
    from spacy_pkuseg.feature_extractor import FeatureExtractor

    return list(FeatureExtractor.normalize_text(text))


def _as_strings(codes) -> list[str]:
    special = {NUM: "**Num", LETTER: "**Letter"}
    return [special.get(int(c), chr(int(c)) if c < 0x110000 else "?") for c in codes]


def test_nodes_every_bmp_character_matches_pkuseg():
    text = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    assert _as_strings(text_nodes(text)) == _pkuseg_nodes(text)


@pytest.mark.parametrize(
    "text", ["", "𠀀😀", "-._,|/*:", "0.5％", "ＡＺａｚ／・－", "\ud800x\udfff", "\U0010ffff"]
)
def test_nodes_edge_texts_match_pkuseg(text):
    assert _as_strings(text_nodes(text)) == _pkuseg_nodes(text)


@pytest.mark.parametrize(
    ("value", "nodes"),
    [
        ("", []),
        ("中国", [ord("中"), ord("国")]),
        ("**Num", [NUM]),
        ("**Num**Num年", [NUM, NUM, ord("年")]),
        ("**Letter股", [LETTER, ord("股")]),
        ("&", [ord("&")]),
        ("**noWord", None),  # not a node sequence: pkuseg's placeholder
        ("a*b", None),  # a raw "*" never survives keyword_rename
        ("1.5", None),  # nor does a raw "."
        ("**Nu", None),
    ],
)
def test_nodes_parse_feature_atoms(value, nodes):
    assert parse_nodes(value) == nodes
