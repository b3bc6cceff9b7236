"""``rules suggest`` miners: entries in the rule files' exact syntax, with evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.authoring import suggest as sg


def _ent(text: str, surface: str, label: str, nth: int = 0, **extra: Any) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return {"start": start, "end": start + len(surface), "label": label, "text": surface, **extra}


def _run(records: list[dict[str, Any]], relations: list[dict] | None = None) -> sg._GoldRun:
    """A gold run where the pipeline found nothing (every gold item is a miss)."""
    texts = [r["text"] for r in records]
    return sg._GoldRun(
        texts,
        texts,
        records,
        [set() for _ in records],
        [set() for _ in records],
        relations or [{} for _ in records],
    )


@pytest.fixture
def configs(tmp_path: Path) -> Path:
    (tmp_path / "orgs").mkdir()
    (tmp_path / "relations").mkdir()
    (tmp_path / "figures").mkdir()
    (tmp_path / "orgs" / "suffixes.tsv").write_text("# c\n集团\t0.85\t10\n", encoding="utf8")
    (tmp_path / "orgs" / "gazetteer.tsv").write_text("示例集团\t示例\t0001.HK\n", encoding="utf8")
    (tmp_path / "orgs" / "trad_simp.tsv").write_text("團\t团\n", encoding="utf8")
    (tmp_path / "relations" / "metrics.tsv").write_text("收入\trevenue\tamount\n", encoding="utf8")
    (tmp_path / "relations" / "segments.tsv").write_text(
        "suffix\t业务\nname\t云智能集团\n", encoding="utf8"
    )
    (tmp_path / "relations" / "cues.tsv").write_text(
        "change\t增长\tup\ncomparison\t同比\tyoy\n", encoding="utf8"
    )
    (tmp_path / "figures" / "lexicon.yaml").write_text(
        "version: 1\ncurrencies:\n  元: CNY\n  美元: USD\nqualifiers:\n  约: approx\n",
        encoding="utf8",
    )
    return tmp_path


def test_suggest_load_vocab_reads_every_file(configs):
    vocab = sg.load_vocab(configs)
    assert vocab.suffixes == {"集团"} and "示例" in vocab.names and vocab.metrics == {"收入"}
    assert vocab.segments == {"云智能集团"} and ("change", "增长") in vocab.cues
    assert vocab.currencies == {"元", "美元"} and vocab.simp("示例集團") == "示例集团"


def test_suggest_org_suffix_alias_and_name(configs):
    vocab = sg.load_vocab(configs)
    texts = ["甲乙能源与丙丁能源公布业绩。", "示例科技今日宣布回购。", "戊己能源收入增长。"]
    records = [
        {
            "text": texts[0],
            "entities": [_ent(texts[0], "甲乙能源", "ORG"), _ent(texts[0], "丙丁能源", "ORG")],
            "relations": [],
        },
        {
            "text": texts[1],
            "entities": [_ent(texts[1], "示例科技", "ORG", canon="示例集团")],
            "relations": [],
        },
        {"text": texts[2], "entities": [_ent(texts[2], "戊己能源", "ORG")], "relations": []},
    ]
    found = {s.kind: s for s in sg.org_suggestions(_run(records), vocab, "甲乙能源 某某能源", 2)}
    suffix = found["org_suffix"]
    assert (
        suffix.entry.split("\t")[0] == "能源" and suffix.coverage == 3 and suffix.precision == 1.0
    )
    conf, max_chars = suffix.entry.split("\t")[1:]
    assert 0 < float(conf) <= 1 and 1 <= int(max_chars) <= 30
    assert suffix.unlabeled == 2
    alias = found["org_alias"]
    assert alias.entry == "示例集团\t示例|示例科技\t0001.HK"


def test_suggest_suffix_entry_loads_with_the_org_rule_loader(configs, tmp_path):
    rules = pytest.importorskip("pipeline.orgs.rules")
    vocab = sg.load_vocab(configs)
    text = "甲乙能源与丙丁能源公布业绩。"
    records = [
        {
            "text": text,
            "entities": [_ent(text, "甲乙能源", "ORG"), _ent(text, "丙丁能源", "ORG")],
            "relations": [],
        }
    ]
    entry = next(
        s.entry for s in sg.org_suggestions(_run(records), vocab, None, 2) if s.kind == "org_suffix"
    )
    path = tmp_path / "suffixes.tsv"
    path.write_text(entry + "\n", encoding="utf8")
    assert "能源" in rules.load_suffixes(path)


@pytest.mark.parametrize(
    ("label", "surface", "canon", "expected", "file"),
    [
        (
            "METRIC",
            "经营现金流",
            "operating_cash_flow",
            "经营现金流\toperating_cash_flow\tamount",
            "relations/metrics.tsv",
        ),
        (
            "METRIC",
            "净息差",
            "net_interest_margin",
            "净息差\tnet_interest_margin\tratio",
            "relations/metrics.tsv",
        ),
        ("SEGMENT", "财富管理", None, "name\t财富管理", "relations/segments.tsv"),
    ],
)
def test_suggest_mentions(configs, label, surface, canon, expected, file):
    vocab = sg.load_vocab(configs)
    text = f"公司{surface}为10亿元，{surface}增长。"
    extra = {"canon": canon} if canon else {}
    records = [
        {
            "text": text,
            "entities": [
                _ent(text, surface, label, 0, **extra),
                _ent(text, surface, label, 1, **extra),
            ],
            "relations": [],
        }
    ]
    (found,) = sg.mention_suggestions(_run(records), vocab, None, 2)
    assert (found.entry, found.file, found.coverage, found.precision) == (expected, file, 2, 1.0)


def test_suggest_currency_from_gold_and_unlabeled(configs):
    vocab = sg.load_vocab(configs)
    text = "该公司在越南投资500亿越南盾，另有20亿元。"
    records = [
        {
            "text": text,
            "entities": [
                _ent(text, "500亿越南盾", "MONEY", value={"amount": 5e10, "currency": "VND"}),
                _ent(text, "20亿元", "MONEY"),
            ],
            "relations": [],
        }
    ]
    unlabeled = "成交300万泰铢。又成交5万泰铢。另200泰铢。还有12美元。"
    found = sg.currency_suggestions(_run(records), vocab, unlabeled, 2)
    entries = [s.entry for s in found]
    assert entries[0] == "  越南盾: VND" and found[0].coverage == 1
    assert "  泰铢: <ISO 4217 code>" in entries and not any("美元" in e for e in entries)


def test_suggest_cues_only_for_linked_figures(configs):
    vocab = sg.load_vocab(configs)
    text = "公司收入按年增长12%，利润按年攀高8%。"
    records = [
        {
            "text": text,
            "entities": [],
            "relations": [
                {
                    "figure": {"start": text.index("12%"), "end": text.index("12%") + 3},
                    "kind": "change",
                    "direction": "up",
                    "comparison": "yoy",
                },
                {
                    "figure": {"start": text.index("8%"), "end": text.index("8%") + 2},
                    "kind": "change",
                    "direction": "up",
                    "comparison": "yoy",
                },
            ],
        }
    ]
    predicted = {
        (text.index("12%"), text.index("12%") + 3): {"direction": "up"},
        (text.index("8%"), text.index("8%") + 2): {"direction": None},
    }
    found = sg.cue_suggestions(_run(records, [predicted]), vocab, None, 1)
    entries = {s.entry for s in found}
    assert "change\t攀高\tup" in entries
    assert "comparison\t按年\tyoy" in entries
    assert not any("增长" in e for e in entries)


def test_suggest_load_vocab_reads_every_gazetteer_file(configs):
    """Names from listed_companies.tsv and user gazetteer_*.tsv files are known, and
    each canonical remembers the file its row lives in (alias suggestions edit it)."""
    (configs / "orgs" / "listed_companies.tsv").write_text("星河科技\t星河\n", encoding="utf8")
    (configs / "orgs" / "gazetteer_user.tsv").write_text("东岳银行\n", encoding="utf8")
    vocab = sg.load_vocab(configs)
    assert {"示例集团", "星河科技", "星河", "东岳银行"} <= vocab.names
    assert vocab.gazetteer_file["星河科技"] == "orgs/listed_companies.tsv"
    assert vocab.gazetteer_file["东岳银行"] == "orgs/gazetteer_user.tsv"
    assert vocab.gazetteer_file["示例集团"] == "orgs/gazetteer.tsv"
