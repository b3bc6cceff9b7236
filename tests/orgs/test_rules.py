"""Rule-file parsing and validation (file + line in every error)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ZhnewsError
from pipeline.orgs.rules import (
    OrgRules,
    load_gazetteer,
    load_rules,
    load_suffixes,
    load_trad_simp,
    load_triggers,
)


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
