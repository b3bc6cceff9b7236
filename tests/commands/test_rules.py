"""``zhnews rules eval``: the CLI report, skipped gold records, rules added to configs/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import _register_commands, app

REPO_ROOT = Path(__file__).resolve().parents[2]
TEXT = "示例能源今年在越南投资500亿越南盾，营收12.5亿元，同比增长8%。"


def _gold_record() -> dict:
    def span(surface: str, label: str, **extra) -> dict:
        start = TEXT.index(surface)
        return {
            "start": start,
            "end": start + len(surface),
            "label": label,
            "text": surface,
            **extra,
        }

    return {
        "id": "vnd-1",
        "text": TEXT,
        "date": "2025-03-01",
        "entities": [
            span("示例能源", "ORG"),
            span(
                "今年",
                "DATE",
                value={"start": "2025-01-01", "end": "2025-12-31", "granularity": "year"},
            ),
            span("500亿越南盾", "MONEY", value={"amount": 50000000000, "currency": "VND"}),
            span("12.5亿元", "MONEY", value={"amount": 1250000000, "currency": "CNY"}),
            span("8%", "PERCENT", value={"value": 8, "unit": "percent"}),
        ],
        "relations": [],
    }


@pytest.fixture(scope="module")
def runner(nlp) -> CliRunner:  # nlp: skip when the pkuseg model is missing
    _register_commands()
    return CliRunner()


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    bad = _gold_record()
    bad["id"] = "bad"
    bad["entities"].append({"start": 0, "end": 2, "label": "ORG", "text": TEXT[:2]})
    path = tmp_path / "gold.jsonl"
    lines = [json.dumps(_gold_record(), ensure_ascii=False), json.dumps(bad, ensure_ascii=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def test_rules_eval_writes_json_html_and_reports_skipped(runner, gold: Path, tmp_path: Path):
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    result = runner.invoke(
        app,
        ["rules", "eval", "--gold", str(gold), "--json", str(out_json), "--html", str(out_html)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out_json.read_text(encoding="utf8"))
    assert report["documents"] == 1 and report["skipped"] == 1
    assert f"'{gold}' line 2" in report["problems"][0] and "overlaps" in report["problems"][0]
    assert report["rules"], "no rule in the report"
    for rule in report["rules"]:
        assert {"id", "label", "hits", "precision", "recall"} <= set(rule)
    assert "1 gold records skipped" in result.output
    assert "<html" in out_html.read_text(encoding="utf8")


def test_rules_eval_rule_added_to_configs_shows_up(runner, gold: Path, tmp_path: Path):
    configs = tmp_path / "configs"
    shutil.copytree(REPO_ROOT / "configs", configs)
    lexicon = configs / "figures" / "lexicon.yaml"
    lexicon.write_text(
        lexicon.read_text(encoding="utf8").replace(
            "currencies:\n", "currencies:\n  越南盾: VND\n", 1
        ),
        encoding="utf8",
    )
    patterns = configs / "figures" / "patterns.yaml"
    patterns.write_text(
        patterns.read_text(encoding="utf8").rstrip("\n")
        + "\n\n  - id: money.test_vnd\n    label: MONEY\n    normaliser: money\n"
        + "    pattern: '(?P<num>{{number}})(?P<post>越南盾)'\n    examples: ['500亿越南盾']\n"
        + "\n  - id: money.test_never\n    label: MONEY\n    normaliser: money\n"
        + "    pattern: '(?P<num>{{number}})(?P<post>越南盾币)'\n    examples: ['5越南盾币']\n",
        encoding="utf8",
    )
    out_json = tmp_path / "r.json"
    args = ["rules", "eval", "--gold", str(gold), "--json", str(out_json), "--examples", "0"]
    result = runner.invoke(app, [*args, "--configs", str(configs)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rules = {r["id"]: r for r in json.loads(out_json.read_text(encoding="utf8"))["rules"]}
    assert rules["money.test_vnd"]["hits"] == 1 and rules["money.test_vnd"]["precision"] == 1.0
    assert "money.test_vnd" in result.output
    # a rule that never fires is listed too (from the component's rule catalogue)
    assert rules["money.test_never"]["hits"] == 0 and rules["money.test_never"]["line"] > 0
