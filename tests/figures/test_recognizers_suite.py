"""Regression guard on the Recognizers-Text Chinese specs (skips without ../shared)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR = ROOT / ".." / "shared" / "data" / "recognizers_text_zh_specs"


def _benchmark():
    spec = importlib.util.spec_from_file_location(
        "figures_recognizers", ROOT / "benchmarks" / "figures_recognizers.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared
@pytest.mark.parametrize(
    ("rel", "minimum"),
    [
        ("NumberWithUnit/Chinese/CurrencyModel.json", 0.95),
        ("Number/Chinese/PercentModel.json", 0.95),
        ("DateTime/Chinese/DateExtractor.json", 0.90),
        ("DateTime/Chinese/DateParser.json", 0.85),
    ],
)
def test_recognizers_suite_pass_rate_outside_conventions(engine, rel: str, minimum: float) -> None:
    if not SPEC_DIR.is_dir():
        pytest.skip(f"Recognizers-Text specs not found at {SPEC_DIR}")
    bench = _benchmark()
    label, kind = bench.FILES[rel]
    result = bench.run_file(engine, SPEC_DIR / rel, label, kind, False)
    rest = result["total"] - sum(result["conventions"].values())
    assert result["passed"] / rest >= minimum, "\n".join(result["failures"])
