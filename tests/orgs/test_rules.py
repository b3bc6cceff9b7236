"""Rule-file parsing and validation (file + line in every error)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ZhnewsError
from pipeline.orgs.rules import (
    OrgRules,
    gazetteer_files,
    load_gazetteer,
    load_rules,
    load_suffixes,
    load_trad_simp,
    load_triggers,
    name_key,
)
from pipeline.safety.rule_files import tsv_rows


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf8")
    return path


@pytest.mark.parametrize(
    "text,canonical,aliases,weak,codes",
    [
        (
            "商汤集团\t商汤|商湯集團|~商\t0020.HK\n",
            "商汤集团",
            ("商汤", "商湯集團"),
            ("商",),
            ("0020.HK",),
        ),
        ("# comment\n\n宁波银行\n", "宁波银行", (), (), ()),
        ("英伟达\tNVIDIA\tnvda\n", "英伟达", ("NVIDIA",), (), ("NVDA",)),
    ],
)
def test_rules_gazetteer_parses_columns(tmp_path, text, canonical, aliases, weak, codes):
    (entry,) = load_gazetteer(_write(tmp_path, "g.tsv", text))
    assert (entry.canonical, entry.aliases, entry.weak_aliases, entry.codes) == (
        canonical,
        aliases,
        weak,
        codes,
    )


@pytest.mark.parametrize(
    "text,line,reason",
    [
        ("商汤集团\t商汤\t0020.HK\textra\n", 1, "at most 3"),
        ("# c\n商汤集团\t商汤\n宁波银行\t商汤\n", 3, "already belongs"),
        ("商汤集团\t商汤||x\n", 1, "empty alias"),
        ("~商汤集团\n", 1, "cannot be weak"),
        ("商汤集团\t\t00 20/HK\n", 1, "bad stock code"),
        ("商汤。集团\n", 1, "forbidden"),
    ],
)
def test_rules_gazetteer_rejects_malformed_line_with_file_and_line(tmp_path, text, line, reason):
    path = _write(tmp_path, "gazetteer.tsv", text)
    with pytest.raises(ZhnewsError) as err:
        load_gazetteer(path)
    message = str(err.value)
    assert "[E005]" in message
    assert str(path) in message
    assert f"line {line}:" in message
    assert reason in message


@pytest.mark.parametrize(
    "loader,text,reason",
    [
        (load_suffixes, "银行\t0.9\n", "expected 3"),
        (load_suffixes, "银行\tabc\t10\n", "must be a number"),
        (load_suffixes, "银行\t1.5\t10\n", "not in (0, 1]"),
        (load_suffixes, "银行\t0.9\t99\n", "max_name_chars"),
        (load_triggers, "客户包括\n", "expected 2"),
        (load_triggers, "客户包括\t0\n", "not in (0, 1]"),
        (load_trad_simp, "銀行\t银行\n", "one traditional"),
    ],
)
def test_rules_other_files_reject_malformed_lines(tmp_path, loader, text, reason):
    path = _write(tmp_path, "rules.tsv", "# header\n" + text)
    with pytest.raises(ZhnewsError, match=r"\[E005\].*line 2: .*") as err:
        loader(path)
    assert reason in str(err.value)


@pytest.mark.parametrize("name", ["gazetteer.tsv", "suffixes.tsv", "exclusions.tsv"])
def test_rules_shipped_files_load(shipped_rules, name):
    assert (Path(__file__).resolve().parents[2] / "configs" / "orgs" / name).is_file()
    assert shipped_rules.gazetteer and shipped_rules.suffixes and shipped_rules.exclusions


@pytest.mark.parametrize(
    "key",
    [
        "gazetteer",
        "suffixes",
        "exclusions",
        "triggers",
        "trad_simp",
        "descriptors",
        "subject_triggers",
    ],
)
def test_rules_dict_round_trip(shipped_rules, key):
    again = OrgRules.from_dict(shipped_rules.to_dict())
    assert getattr(again, key) == getattr(shipped_rules, key)


@pytest.mark.parametrize("missing", ["no-such-dir"])
def test_rules_missing_directory_is_an_error(tmp_path, missing):
    with pytest.raises(ZhnewsError, match=r"\[E005\]"):
        load_rules(tmp_path / missing)


# --------------------------------------------------------------------------- gazetteer files
# configs/orgs holds more than one gazetteer (gazetteer.tsv, listed_companies.tsv, and any
# gazetteer_*.tsv a user adds); they are loaded as one and a name may live in one only.


@pytest.mark.parametrize("name", ["gazetteer.tsv", "listed_companies.tsv"])
def test_rules_gazetteer_files_are_all_loaded(shipped_rules, name):
    path = Path(__file__).resolve().parents[2] / "configs" / "orgs" / name
    assert path in gazetteer_files(path.parent)
    canonicals = {e.canonical for e in shipped_rules.gazetteer}
    (_, cols), *_ = tsv_rows(path)
    assert cols[0] in canonicals


@pytest.mark.parametrize("minimum", [1500])
def test_rules_listed_companies_file_is_large(minimum):
    path = Path(__file__).resolve().parents[2] / "configs" / "orgs" / "listed_companies.tsv"
    assert len(load_gazetteer(path)) >= minimum


@pytest.mark.parametrize("files", [("gazetteer.tsv", "listed_companies.tsv")])
def test_rules_shipped_gazetteers_share_no_name(shipped_rules, files):
    directory = Path(__file__).resolve().parents[2] / "configs" / "orgs"
    keys = []
    for name in files:
        entries = load_gazetteer(directory / name, trad_simp=shipped_rules.trad_simp)
        keys.append(
            {
                name_key(n, shipped_rules.trad_simp)
                for e in entries
                for n in (e.canonical, *e.aliases, *e.weak_aliases)
            }
        )
    assert not keys[0] & keys[1]


@pytest.mark.parametrize(
    "second,line,reason",
    [
        ("# c\n星河科技\t星河\n坏行\tA\tB\tC\n", 3, "at most 3"),
        ("新星集团\t宁行\n", 1, "already belongs to '宁波银行'"),  # alias of another org
        ("宁波银行\t宁波银行股份\n", 1, "already listed in"),  # same org in two files
        ("星河集团\t商湯\n", 1, "already belongs to '商汤集团'"),  # equal after trad->simp
        ("星河集团\tＳｅｎｓｅＴｉｍｅ\n", 1, "already belongs"),  # equal after NFKC + case
        ("星河集团\t\tBAD CODE!\n", 1, "bad stock code"),
    ],
)
def test_rules_second_gazetteer_errors_name_file_and_line(tmp_path, second, line, reason):
    _write(tmp_path, "gazetteer.tsv", "宁波银行\t宁行\n商汤集团\t商汤|SenseTime\n")
    _write(tmp_path, "trad_simp.tsv", "湯\t汤\n")
    path = _write(tmp_path, "listed_companies.tsv", second)
    with pytest.raises(ZhnewsError) as err:
        load_rules(tmp_path)
    message = str(err.value)
    assert "[E005]" in message and str(path) in message and f"line {line}:" in message
    assert reason in message
    if "already" in reason:  # both locations are named
        assert f"{tmp_path / 'gazetteer.tsv'}:" in message


@pytest.mark.parametrize(
    "names,expected",
    [
        ((), []),
        (("listed_companies.tsv",), ["listed_companies.tsv"]),
        (
            ("gazetteer_z.tsv", "listed_companies.tsv", "gazetteer.tsv", "gazetteer_a.tsv"),
            ["gazetteer.tsv", "listed_companies.tsv", "gazetteer_a.tsv", "gazetteer_z.tsv"],
        ),
    ],
)
def test_rules_gazetteer_files_load_order(tmp_path, names, expected):
    for name in names:
        _write(tmp_path, name, "")
    assert [p.name for p in gazetteer_files(tmp_path)] == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("星河集团\t星河\n", ["星河集团"]),
        ("星河集团\t星河\n星河集团\t星河科技\n", ["星河集团", "星河集团"]),  # one file: allowed
    ],
)
def test_rules_extra_gazetteer_file_is_loaded(tmp_path, text, expected):
    _write(tmp_path, "gazetteer.tsv", "宁波银行\n")
    _write(tmp_path, "gazetteer_mine.tsv", text)
    rules = load_rules(tmp_path)
    assert [e.canonical for e in rules.gazetteer] == ["宁波银行", *expected]


# -------------------------------------------------------------- the shipped files in the pipeline
# Sentences written for these tests: a listed company's short name standing alone (no
# suffix, stock code or context rule) is found through listed_companies.tsv, and a weak
# alias (~绿地, ~物美, ~新希望: also ordinary words) alone is not an ORG.


@pytest.mark.parametrize(
    "text,expected",
    [
        ("欣旺达发布公告称，拟使用自有资金回购股份。", [("欣旺达", "欣旺达")]),
        ("香飘飘与固德威今日股价均上涨。", [("香飘飘", "香飘飘"), ("固德威", "固德威")]),
        ("三一重工上半年营业收入同比增长。", [("三一重工", "三一重工")]),
        ("绿地控股今年销售额下降。", [("绿地控股", "绿地控股")]),
        ("新希望六和发布公告。", [("新希望六和", "新希望六和")]),
    ],
)
def test_rules_listed_company_names_become_orgs(nlp, text, expected):
    doc = nlp(text)
    orgs = [(e.text, e._.canonical) for e in doc.ents if e.label_ == "ORG"]
    assert orgs == expected
    assert all(e._.source == "gazetteer:org" for e in doc.ents if e.label_ == "ORG")


@pytest.mark.parametrize(
    "text,weak",
    [
        ("小区的绿地面积不断扩大。", "绿地"),
        ("这里的商品物美价廉。", "物美"),
        ("业内人士认为，新希望就在眼前。", "新希望"),
    ],
)
def test_rules_weak_alias_alone_is_not_an_org(nlp, shipped_rules, text, weak):
    assert any(weak in e.weak_aliases for e in shipped_rules.gazetteer)
    assert [e.text for e in nlp(text).ents if e.label_ == "ORG"] == []
