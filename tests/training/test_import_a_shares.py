"""The A-share gazetteer recipe: name folding, codes and which lines become entries."""

from __future__ import annotations

from pipeline.orgs.rules import gazetteer_files, load_gazetteers, load_trad_simp
from training.org.data import REPO_ROOT
from training.org.import_a_shares import exchange_code, fold_name, read_listings


def test_fold_name_removes_spacing_width_markers_and_notes() -> None:
    assert fold_name("万  科Ａ") == "万科A"
    assert fold_name("XD中衡设") == "中衡设"
    assert fold_name("S湘火炬") == "湘火炬"
    assert fold_name("百联股份(已合并)") == "百联股份"
    # a Latin name that merely starts with a marker letter is left alone
    assert fold_name("CBD传媒") == "CBD传媒"


def test_exchange_code_by_prefix() -> None:
    assert exchange_code("600519") == "600519.SH"
    assert exchange_code("688981") == "688981.SH"
    assert exchange_code("300750") == "300750.SZ"
    assert exchange_code("430047") == "430047.BJ"
    assert exchange_code("200002") is None  # B share
    assert exchange_code("900901") is None


def test_read_listings_skips_b_shares_and_special_treatment() -> None:
    rows = [
        {"stock_code": "000002", "short_name": "万  科Ａ"},
        {"stock_code": "200002", "short_name": "万  科Ｂ"},
        {"stock_code": "600001", "short_name": "*ST示例"},
        {"stock_code": "600002", "short_name": "示例退"},
        {"stock_code": "300999", "short_name": "示例科技"},
    ]
    listings = read_listings(rows)
    assert [(x.code, x.name, x.canonical) for x in listings] == [
        ("000002.SZ", "万科A", "万科"),
        ("300999.SZ", "示例科技", "示例科技"),
    ]


def test_shipped_a_share_file_loads_with_the_other_gazetteers() -> None:
    rules = REPO_ROOT / "configs" / "orgs"
    paths = gazetteer_files(rules)
    assert rules / "gazetteer_a_shares.tsv" in paths
    entries = load_gazetteers(paths, load_trad_simp(rules / "trad_simp.tsv"))
    shares = {e.canonical: e.codes for e in entries}
    assert len(entries) > 5000
    assert shares["长荣股份"] == ("300195.SZ",)
    assert shares["国华网安"] == ("000004.SZ",)
