"""Lexicon loading and validation (file, line and reason on every bad row)."""

from __future__ import annotations

import shutil

import pytest

from pipeline.errors import ZhnewsError
from pipeline.relations.lexicon import (
    default_lexicon_dir,
    load_anaphors,
    load_cues,
    load_lexicons,
    load_metrics,
    load_segments,
    load_trad_simp,
)


@pytest.mark.parametrize(
    ("surface", "canonical", "mtype"),
    [
        ("收入", "revenue", "amount"),
        ("營業收入", "revenue", "amount"),  # traditional row normalised at load
        ("股东应占溢利", "net_profit", "amount"),
        ("毛利率", "gross_margin", "ratio"),
        ("经调整EBITDA", "adjusted_ebitda", "amount"),
        ("亏损", "net_loss", "generic"),
    ],
)
def test_lexicon_shipped_metrics(surface, canonical, mtype):
    from pipeline.relations.textnorm import normalize

    lex = load_lexicons(default_lexicon_dir())
    assert lex.metrics[normalize(surface)] == (canonical, mtype)


@pytest.mark.parametrize(
    ("loader", "content", "reason"),
    [
        (load_metrics, "收入\trevenue\n", "expected 3"),
        (load_metrics, "收入\tRevenue!\tamount\n", "canonical id"),
        (load_metrics, "收入\trevenue\tbig\n", "type 'big'"),
        (load_metrics, "收入\trevenue\tamount\n收入\tnet_profit\tamount\n", "already maps"),
        (load_metrics, "收 入\trevenue\tamount\n", "whitespace"),
        (load_cues, "direction\t增长\tup\n", "category 'direction'"),
        (load_cues, "change\t增长\tsideways\n", "value 'sideways'"),
        (load_segments, "suffix\t业务\tx\n", "only 'name' rows"),
        (load_segments, "weird\t业务\n", "category 'weird'"),
        (load_segments, "head_metric\t收入\n", "canonical metric id"),
        (load_anaphors, "该业务\tthing\n", "target 'thing'"),
        (load_trad_simp, "貸款\t贷款\n", "exactly one character"),
        (load_trad_simp, "貸\n", "expected 2"),
    ],
)
def test_lexicon_bad_rows_name_file_line_reason(tmp_path, loader, content, reason):
    path = tmp_path / "rules.tsv"
    path.write_text("# comment line\n\n" + content, encoding="utf8")
    with pytest.raises(ZhnewsError) as info:
        loader(path)
    message = str(info.value)
    assert "[E005]" in message
    assert str(path) in message
    assert "line " in message
    assert reason in message


@pytest.mark.parametrize(
    "missing", ["trad_simp.tsv", "metrics.tsv", "cues.tsv", "segments.tsv", "anaphors.tsv"]
)
def test_lexicon_missing_file_is_reported(tmp_path, missing):
    target = tmp_path / "relations"
    shutil.copytree(default_lexicon_dir(), target)
    (target / missing).unlink()
    with pytest.raises(ZhnewsError, match=r"\[E005\].*file missing"):
        load_lexicons(target)


@pytest.mark.parametrize("name", ["metrics", "cues", "segments", "anaphors", "trad_simp"])
def test_lexicon_round_trips_through_dict(name):
    from pipeline.relations.lexicon import Lexicons

    lex = load_lexicons(default_lexicon_dir())
    again = Lexicons.from_dict(lex.to_dict())
    assert getattr(again, name) == getattr(lex, name)


@pytest.mark.parametrize(
    ("text", "canonical"), [("減值貸款比率", "npl_ratio"), ("股東應佔溢利", "net_profit")]
)
def test_lexicon_trad_simp_table_reaches_matching(text, canonical):
    from pipeline.relations.textnorm import normalize

    lex = load_lexicons(default_lexicon_dir())
    assert lex.metrics[normalize(text, lex.table)][0] == canonical


@pytest.mark.parametrize("name", ["metrics.tsv", "trad_simp.tsv"])
def test_lexicon_non_utf8_names_file_and_line(tmp_path, name):
    target = tmp_path / "relations"
    shutil.copytree(default_lexicon_dir(), target)
    (target / name).write_bytes(b"# ok\n\xff\xfe\n")
    with pytest.raises(ZhnewsError, match=r"\[E005\].*line 2: not UTF-8"):
        load_lexicons(target)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        # 占 inside 拥有人应占亏损 is part of the metric, not a share cue
        ("星河餐饮2024年收入为40亿元，公司拥有人应占亏损为3.5亿元。", "net_loss"),
        ("星河餐饮2024年收入为40亿元，扣非后归母净利润为1.2亿元。", "net_profit_deducted"),
    ],
)
def test_loss_and_deducted_profit_wordings(linker, text, canonical):
    from .rel_helpers import make_ents

    relations, _ = linker.link(text, make_ents(text, ("星河餐饮",)))
    last = [r for r in relations if r["figure"]["text"] != "40亿元"]
    assert [r["metric_canonical"] for r in last] == [canonical]
    assert last[0]["kind"] == "value"
