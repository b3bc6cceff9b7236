"""Small hand-written corpus records shared by the authoring tests (no model needed)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

TEXT = "2024年，示例科技收入12.5亿元，同比增长8%，其中云服务业务收入3亿元。"


def _record() -> dict[str, Any]:
    t = TEXT

    def span(s: str, label: str, **extra: Any) -> dict[str, Any]:
        start = t.index(s)
        return {"start": start, "end": start + len(s), "label": label, "text": s, **extra}

    ents = [
        span(
            "2024年",
            "DATE",
            id="p1",
            value={
                "start": "2024-01-01",
                "end": "2024-12-31",
                "granularity": "year",
                "relative": False,
                "fiscal": False,
            },
        ),
        span("示例科技", "ORG", id="c1"),
        span("收入", "METRIC", id="m1", canon="revenue"),
        span(
            "12.5亿元",
            "MONEY",
            value={"amount": 1250000000, "currency": "CNY", "approximate": False, "per": None},
        ),
        span("8%", "PERCENT", value={"value": 8, "unit": "percent"}),
        span("云服务", "SEGMENT", id="s1"),
        span(
            "3亿元",
            "MONEY",
            value={"amount": 300000000, "currency": "CNY", "approximate": False, "per": None},
        ),
    ]
    by = {e["text"]: e for e in ents}

    def ref(name: str) -> dict[str, Any]:
        e = by[name]
        return {"start": e["start"], "end": e["end"], "text": e["text"]}

    def rel(fig: str, subj: str, kind: str, **extra: Any) -> dict[str, Any]:
        s = by[subj]
        m = by["收入"]
        return {
            "figure": ref(fig),
            "subject": {
                "start": s["start"],
                "end": s["end"],
                "text": s["text"],
                "type": s["label"],
                "canonical": s["text"],
            },
            "metric": {
                "start": m["start"],
                "end": m["end"],
                "text": "收入",
                "canonical": "revenue",
            },
            "kind": kind,
            "comparison": extra.get("comparison"),
            "direction": extra.get("direction"),
            "period": ref("2024年"),
            "role": None,
        }

    return {
        "id": "toy-1",
        "text": t,
        "date": "2025-03-01",
        "split": "dev",
        "style": "mainland",
        "entities": ents,
        "relations": [
            rel("12.5亿元", "示例科技", "value"),
            rel("8%", "示例科技", "change", comparison="yoy", direction="up"),
            rel("3亿元", "云服务", "value"),
        ],
    }


@pytest.fixture
def toy_record() -> dict[str, Any]:
    """A complete, valid corpus record with all six labels and three relations."""
    return copy.deepcopy(_record())
