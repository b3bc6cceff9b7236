"""``zhnews show``: entity and fact tables on the terminal, displaCy HTML on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import _register_commands, app


@pytest.mark.parametrize("as_file", [False, True])
def test_show_prints_tables_and_writes_html(nlp, as_file: bool, tmp_path: Path):
    _register_commands()
    text = "2024年，示例科技收入12.5亿元，同比增长8%。"
    source = str(tmp_path / "a.txt") if as_file else text
    if as_file:
        Path(source).write_text(text, encoding="utf8")
    html = tmp_path / "show.html"
    result = CliRunner().invoke(
        app, ["show", source, "--html", str(html), "--date", "2025-03-01"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Entities" in result.output and "Facts" in result.output
    assert "12.5亿元" in result.output and "1250000000 CNY" in result.output
    page = html.read_text(encoding="utf8")
    assert "<mark" in page and "1250000000 CNY" in page
    assert 'title="1250000000 CNY | rule:' in page  # value on hover
