"""``zhnews train`` end to end with the real relation recipe (slow: trains a model)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import _register_commands, app

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = REPO_ROOT / "pipeline" / "models" / "relations"


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.glob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_train_relations_to_out_prints_metrics_and_keeps_shipped(nlp, tmp_path: Path):
    if not (REPO_ROOT / "training" / "relations" / "train.py").is_file():
        pytest.skip("training/relations recipe not present")
    _register_commands()
    before = _digest(SHIPPED)
    out = tmp_path / "models"
    result = CliRunner().invoke(
        app, ["train", "-c", "relations", "--out", str(out)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "relation F1" in result.output and "before" in result.output and "after" in result.output
    assert any(out.joinpath("relations").iterdir())
    assert _digest(SHIPPED) == before


def test_train_weak_records_drop_model_entities(nlp, tmp_path: Path):
    from pipeline.authoring.retrain import weak_records

    source = tmp_path / "feed.txt"
    source.write_text(
        "示例科技2024年收入12.5亿元，同比增长8%。\n\n另一家公司营收3亿元。\n", encoding="utf8"
    )
    records = weak_records(nlp, [str(source)], limit=10)
    assert [r["split"] for r in records] == ["train", "train"]
    assert any(e["label"] == "MONEY" for e in records[0]["entities"])
