"""Tests for the annotated-corpus builder (training/build_corpus.py).

The builder is loaded from its file so the tests do not depend on ``training`` being an
importable package.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
HEADER = "# id: {pid} | date: 2025-03-26 | split: {split} | style: mainland\n"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_corpus", REPO / "training" / "build_corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_corpus"] = module
    spec.loader.exec_module(module)
    return module


bc = _load()


def _src(
    tmp_path: Path, body: str, pid: str = "t-01", split: str = "train", name: str = "a.md"
) -> Path:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / name).write_text(HEADER.format(pid=pid, split=split) + body, encoding="utf8")
    return src


def _one(tmp_path: Path, body: str) -> dict:
    records, _ = bc.build(_src(tmp_path, body))
    return records["train"][0]


@pytest.mark.parametrize(
    ("body", "text", "expected"),
    [
        (
            "[2024年]{DATE start=2024-01-01 end=2024-12-31}收入[37.7亿元]{MONEY amount=3770000000 cur=CNY}\n",
            "2024年收入37.7亿元",
            [
                (
                    "DATE",
                    0,
                    5,
                    {
                        "start": "2024-01-01",
                        "end": "2024-12-31",
                        "granularity": "year",
                        "relative": False,
                        "fiscal": False,
                    },
                ),
                (
                    "MONEY",
                    7,
                    13,
                    {"amount": 3770000000, "currency": "CNY", "approximate": False, "per": None},
                ),
            ],
        ),
        (
            "股价约[1.59港元]{MONEY amount=1.59 cur=HKD per=股}\n",
            "股价约1.59港元",
            [
                (
                    "MONEY",
                    3,
                    9,
                    {"amount": 1.59, "currency": "HKD", "approximate": True, "per": "股"},
                )
            ],
        ),
        (
            "占比[三成]{PERCENT value=30 unit=percent}，提升[2.3个百分点]{PERCENT value=2.3 unit=percentage_point}\n",
            "占比三成，提升2.3个百分点",
            [
                ("PERCENT", 2, 4, {"value": 30, "unit": "percent"}),
                ("PERCENT", 7, 14, {"value": 2.3, "unit": "percentage_point"}),
            ],
        ),
        (
            "预计[10亿至12亿元]{MONEY low=1000000000 high=1200000000 cur=CNY}\n",
            "预计10亿至12亿元",
            [
                (
                    "MONEY",
                    2,
                    10,
                    {
                        "amount": 1000000000,
                        "currency": "CNY",
                        "approximate": False,
                        "per": None,
                        "low": 1000000000,
                        "high": 1200000000,
                    },
                )
            ],
        ),
        (
            "[第三季度]{DATE start=2025-07-01 end=2025-09-30 rel=1}\n毛利率\\[注\\][45%]{PERCENT value=45 unit=percent}\n",
            "第三季度毛利率[注]45%",
            [
                (
                    "DATE",
                    0,
                    4,
                    {
                        "start": "2025-07-01",
                        "end": "2025-09-30",
                        "granularity": "quarter",
                        "relative": True,
                        "fiscal": False,
                    },
                ),
                ("PERCENT", 10, 13, {"value": 45, "unit": "percent"}),
            ],
        ),
        (
            "[商汤]{ORG canon=商汤集团}的[生成式AI]{SEGMENT}业务\n",
            "商汤的生成式AI业务",
            [("ORG", 0, 2, None), ("SEGMENT", 3, 8, None)],
        ),
    ],
)
def test_build_corpus_parses_markup(tmp_path: Path, body: str, text: str, expected: list) -> None:
    rec = _one(tmp_path, body)
    assert rec["text"] == text
    got = [(e["label"], e["start"], e["end"], e.get("value")) for e in rec["entities"]]
    assert got == expected
    for ent in rec["entities"]:
        assert rec["text"][ent["start"] : ent["end"]] == ent["text"]


def test_build_corpus_builds_relations(tmp_path: Path) -> None:
    body = (
        "[2024年]{DATE#p1 start=2024-01-01 end=2024-12-31}，[商汤]{ORG#c1 canon=商汤集团}"
        "[收入]{METRIC#m1 canon=revenue}[37.7亿元]{MONEY amount=3770000000 cur=CNY | subj=c1 metric=m1 kind=value period=p1}，"
        "同比增长[10.8%]{PERCENT value=10.8 unit=percent | subj=c1 metric=m1 kind=change cmp=yoy dir=up period=p1}，"
        "市场规模[5000亿元]{MONEY amount=500000000000 cur=CNY}\n"
    )
    rec = _one(tmp_path, body)
    assert len(rec["relations"]) == 2
    first, second = rec["relations"]
    assert first["figure"]["text"] == "37.7亿元"
    assert first["subject"] == {
        "start": 6,
        "end": 8,
        "text": "商汤",
        "type": "ORG",
        "canonical": "商汤集团",
    }
    assert first["metric"]["canonical"] == "revenue"
    assert first["period"]["text"] == "2024年"
    assert (first["kind"], first["comparison"], first["direction"], first["role"]) == (
        "value",
        None,
        None,
        None,
    )
    assert (second["kind"], second["comparison"], second["direction"]) == ("change", "yoy", "up")


def test_build_corpus_resolves_comparison_date_id(tmp_path: Path) -> None:
    body = (
        "[A公司]{ORG#c1}[毛利率]{METRIC#m1 canon=gross_margin}较[2023年]{DATE#p0 start=2023-01-01 end=2023-12-31}"
        "提升[2个百分点]{PERCENT value=2 unit=percentage_point | subj=c1 metric=m1 kind=change cmp=p0 dir=up}\n"
    )
    (rel,) = _one(tmp_path, body)["relations"]
    assert rel["comparison"] == "2023年"


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        ("[收入]{FOO}\n", 2, "unknown label 'FOO'"),
        ("[1%]{PERCENT value=1 unit=percent | subj=c9 kind=value}\n", 2, "refers to no mention id"),
        ("[A]{ORG#c1}[B]{ORG#c1}\n", 2, "duplicate mention id 'c1'"),
        ("ok\n[收入{METRIC canon=revenue}\n", 3, "nested or unbalanced"),
        ("收入]多\n", 2, "unbalanced ']'"),
        ("[收入]\n", 2, "not followed by"),
        ("[1%]{PERCENT value=1 unit=percent colour=red}\n", 2, "unknown value keys ['colour']"),
        ("[1%]{PERCENT value=1}\n", 2, "missing value keys ['unit']"),
        ("[1亿元]{MONEY amount=1e8 cur=CNY}\n", 2, "is not a number"),
        ("[1亿元]{MONEY amount=10000000 cur=CNY}\n", 2, "the surface says 100000000"),
        ("[１．５亿元]{MONEY amount=1500000 cur=CNY}\n", 2, "the surface says 150000000"),
        ("[１２．５％]{PERCENT value=1.25 unit=percent}\n", 2, "the surface says 12.5"),
        ("[三成以上]{PERCENT value=30 unit=percent}\n", 2, "'以上' must stay outside"),
        (
            "[A]{ORG#c1}[收入]{METRIC canon=revenue | subj=c1 kind=value}\n",
            2,
            "only MONEY and PERCENT may carry a relation",
        ),
        ("[2月30日]{DATE start=2025-02-30 end=2025-02-30}\n", 2, "valid YYYY-MM-DD"),
        ("[2024年]{DATE start=2023-01-01 end=2023-12-31}\n", 2, "year 2024 is outside"),
        (
            "[A]{SEGMENT#s1}[1%]{PERCENT value=1 unit=percent | subj=s1 kind=change}\n",
            2,
            "kind=change needs dir",
        ),
        (
            "[1%]{DATE#p1 start=2024-01-01 end=2024-01-01}[2%]{PERCENT value=2 unit=percent | subj=p1 kind=value}\n",
            2,
            "is a DATE, expected ORG/SEGMENT",
        ),
        ("[约5亿元]{MONEY amount=500000000 cur=CNY}\n", 2, "'约' must stay outside the span"),
        ("[收入]{METRIC canon=sales_turnover}\n", 2, "not a known metric id"),
        ("[2个百分点]{PERCENT value=2 unit=percent}\n", 2, "does not fit the surface"),
    ],
)
def test_build_corpus_reports_errors_with_line(
    tmp_path: Path, body: str, line: int, reason: str
) -> None:
    src = _src(tmp_path, body)
    with pytest.raises(bc.CorpusErrors) as info:
        bc.build(src)
    assert any(f"line {line}:" in msg and reason in msg for msg in info.value.messages), (
        info.value.messages
    )
    assert all("a.md" in msg for msg in info.value.messages)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            "# id: t-1 | date: 2025-13-01 | split: train | style: mainland\n",
            "not a valid YYYY-MM-DD",
        ),
        ("# id: t-1 | date: 2025-01-01 | split: holdout | style: mainland\n", "split 'holdout'"),
        ("# id: t-1 | date: 2025-01-01 | split: train\n", "missing ['style']"),
        ("# id: T 1 | date: 2025-01-01 | split: train | style: hk\n", "paragraph id"),
    ],
)
def test_build_corpus_rejects_bad_headers(tmp_path: Path, header: str, reason: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text(header + "text\n", encoding="utf8")
    with pytest.raises(bc.CorpusErrors) as info:
        bc.build(src)
    assert any("line 1:" in msg and reason in msg for msg in info.value.messages), (
        info.value.messages
    )


def test_build_corpus_rejects_duplicate_paragraph_ids(tmp_path: Path) -> None:
    src = _src(tmp_path, "甲\n", name="a.md")
    (src / "b.md").write_text(HEADER.format(pid="t-01", split="dev") + "乙\n", encoding="utf8")
    with pytest.raises(bc.CorpusErrors, match="duplicate paragraph id 't-01'"):
        bc.build(src)


def test_build_corpus_warns_about_unannotated_figures(tmp_path: Path) -> None:
    src = _src(tmp_path, "营收增长12%，另有5000卡。\n")
    records, warnings = bc.build(src)
    assert len(records["train"]) == 1
    assert len(warnings) == 1 and "'12%'" in warnings[0]
    with pytest.raises(bc.CorpusErrors):
        bc.build(src, strict=True)


def test_build_corpus_check_detects_stale_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _src(tmp_path, "[2024年]{DATE start=2024-01-01 end=2024-12-31}\n")
    out = tmp_path / "out"
    args = ["--src", str(src), "--out", str(out), "--quiet"]
    assert bc.main([*args, "--check"]) == 1
    assert bc.main(args) == 0
    first = (out / "train.jsonl").read_bytes()
    assert bc.main([*args, "--check"]) == 0
    assert bc.main(args) == 0
    assert (out / "train.jsonl").read_bytes() == first  # deterministic
    (src / "a.md").write_text(HEADER.format(pid="t-01", split="train") + "改了\n", encoding="utf8")
    assert bc.main([*args, "--check"]) == 1
    assert "stale" in capsys.readouterr().err


def test_build_corpus_committed_jsonl_is_up_to_date() -> None:
    """The committed corpus/annotated/*.jsonl must match the markup sources."""
    src = REPO / "corpus" / "annotated" / "src"
    if not any(src.glob("*.md")):
        pytest.skip("no corpus sources in corpus/annotated/src yet")
    assert bc.main(["--check", "--quiet"]) == 0, "run: .venv/bin/python training/build_corpus.py"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("[]{}\\|#=收入亿元%12.3 \nORGMONEYPERCENT#c1 amount=cur=CNYsubj=kind=value")
        ),
        max_size=80,
    )
)
def test_build_corpus_never_crashes_on_arbitrary_markup(tmp_path: Path, body: str) -> None:
    """Any source either builds (offsets consistent) or is rejected with CorpusErrors."""
    src = _src(tmp_path, body)
    try:
        records, _ = bc.build(src)
    except bc.CorpusErrors as exc:
        assert exc.messages
        return
    for rec in records["train"]:
        for ent in rec["entities"]:
            assert rec["text"][ent["start"] : ent["end"]] == ent["text"]


def test_build_corpus_accepts_bom_and_crlf(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    text = (
        "\ufeff"
        + HEADER.format(pid="t-01", split="dev")
        + "[2024年]{DATE start=2024-01-01 end=2024-12-31}\r\n"
    )
    (src / "a.md").write_bytes(text.replace("\n", "\r\n").encode("utf8"))
    records, _ = bc.build(src)
    assert records["dev"][0]["text"] == "2024年"


def test_build_corpus_meets_issue_minimums() -> None:
    """Issue #5: at least 300 paragraphs and 1,500 linked figures, every split populated."""
    src = REPO / "corpus" / "annotated" / "src"
    if not any(src.glob("*.md")):
        pytest.skip("no corpus sources in corpus/annotated/src yet")
    records, _ = bc.build(src)
    table = bc.counts(records)
    assert table["total"]["paragraphs"] >= 300
    assert table["total"]["linked_figures"] >= 1500
    assert all(table[split]["paragraphs"] > 0 for split in bc.SPLITS)
