"""Case tables for figures (corpus/cases/*.yaml): loading, variants and scoring.

A case file is YAML::

    pub_date: 2025-03-26            # default for the file (a case may override)
    cases:
      - t: 公司2024年营收37.7亿元
        e:
          - DATE 2024年 = 2024-01-01/2024-12-31 year
          - MONEY 37.7亿元 = 3770000000 CNY
      - t: 一元化管理               # a negative: no entity expected
        e: []

Expected values use a compact notation (one line per entity, ``LABEL span = value``):

* MONEY ``<amount|low~high> <ISO> [approx] [per=股]``
* PERCENT ``<value|low~high> <%|pp|‰>``
* DATE ``<start>/<end> <granularity> [rel] [fiscal]`` or ``unresolved <granularity>``
  (start/end null with an ``unresolved`` reason)
* any label: ``null`` (the span is right but the value must be null, e.g. 2月30日)

Spans are located left to right in the text.  ``variants: [fullwidth]`` on a case also
checks the same case with full-width digits/punctuation (offsets are unchanged).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import srsly

from pipeline.errors import Errors, ZhnewsError

UNITS = {"%": "percent", "pp": "percentage_point", "‰": "per_mille"}


@dataclass
class Expected:
    start: int
    end: int
    label: str
    value: dict[str, Any] | None


@dataclass
class Case:
    text: str
    pub_date: str | None
    entities: list[Expected] = field(default_factory=list)
    source: str = ""


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def parse_value(label: str, spec: str) -> dict[str, Any] | None:
    """Expand the compact value notation into a schema-v1 value dict."""
    parts = spec.split()
    if parts == ["null"]:
        return None
    if label == "MONEY":
        amount, currency, *flags = parts
        value: dict[str, Any] = {
            "amount": None,
            "currency": currency,
            "approximate": "approx" in flags,
            "per": None,
        }
        for flag in flags:
            if flag.startswith("per="):
                value["per"] = flag[4:]
        if "~" in amount:
            low, high = amount.split("~")
            value["low"], value["high"] = _number(low), _number(high)
            value["amount"] = value["low"]  # schema v1: a range's amount is its low end
        else:
            value["amount"] = _number(amount)
        return value
    if label == "PERCENT":
        number, unit = parts
        value = {"value": None, "unit": UNITS[unit]}
        if "~" in number:
            low, high = number.split("~")
            value["low"], value["high"] = _number(low), _number(high)
            value["value"] = value["low"]  # schema v1: a range's value is its low end
        else:
            value["value"] = _number(number)
        return value
    if parts[0] == "unresolved":
        return {"start": None, "end": None, "granularity": parts[1],
                "fiscal": "fiscal" in parts, "unresolved": True}  # fmt: skip
    start, end = parts[0].split("/")
    return {
        "start": start,
        "end": end,
        "granularity": parts[1],
        "relative": "rel" in parts,
        "fiscal": "fiscal" in parts,
    }


def _fullwidth(text: str) -> str:
    return "".join(
        chr(ord(ch) + 0xFEE0) if ("0" <= ch <= "9" or ch in "%.,") else ch for ch in text
    )


def load_cases(path: str | Path) -> list[Case]:
    """Read a case file; malformed entries raise E009 with file and case index."""
    path = Path(path)
    data = srsly.read_yaml(path)
    default_pub = data.get("pub_date")
    cases: list[Case] = []
    for index, item in enumerate(data.get("cases") or []):
        text = item["t"]
        pub = item.get("pub", default_pub)
        pub = None if pub in (None, "none") else str(pub)
        entities: list[Expected] = []
        cursor = 0
        for line in item.get("e") or []:
            head, _, value_spec = line.partition(" = ")
            label, _, span = head.partition(" ")
            start = text.find(span, cursor)
            if start < 0 or label not in ("MONEY", "PERCENT", "DATE") or not value_spec.strip():
                raise ZhnewsError(
                    Errors.E009.format(path=path, line=index + 1, reason=f"bad entity {line!r}")
                )
            entities.append(
                Expected(start, start + len(span), label, parse_value(label, value_spec))
            )
            cursor = start + len(span)
        cases.append(Case(text, pub, entities, f"{path.name}#{index + 1}"))
        for variant in item.get("variants") or []:
            if variant == "fullwidth":
                cases.append(Case(_fullwidth(text), pub, entities, f"{path.name}#{index + 1}fw"))
    return cases


def load_news_corpus(
    path: str | Path, labels: tuple[str, ...] = ("MONEY", "PERCENT", "DATE")
) -> list[Case]:
    """Annotated news paragraphs (corpus/annotated/*.jsonl) as cases of ``labels`` only.

    The corpus also holds ORG / SEGMENT / METRIC mentions; they are filtered out here so
    the figure scores are not diluted by labels this stage never produces.
    """
    cases: list[Case] = []
    for record in srsly.read_jsonl(Path(path)):
        entities = [
            Expected(e["start"], e["end"], e["label"], e.get("value"))
            for e in record["entities"]
            if e["label"] in labels
        ]
        cases.append(Case(record["text"], record.get("date"), entities, record["id"]))
    return cases


def value_matches(expected: dict[str, Any] | None, got: dict[str, Any] | None) -> bool:
    """Exact value comparison; ``unresolved`` only needs to be present."""
    if expected is None or got is None:
        return expected is None and got is None
    for key, want in expected.items():
        if key == "unresolved":
            if not got.get("unresolved"):
                return False
            continue
        have = got.get(key)
        if isinstance(want, float) or isinstance(have, float):
            if have is None or want is None or abs(float(have) - float(want)) > 1e-9:
                return False
        elif have != want:
            return False
    return True


def score(cases: list[Case], predict) -> dict[str, dict[str, float]]:
    """Span P/R/F1 per label and exact-value accuracy over correctly found spans.

    ``predict(text, pub_date)`` returns objects with start, end, label, value.
    """
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    exact: dict[str, int] = defaultdict(int)
    errors: list[str] = []
    for case in cases:
        got = {(p.start, p.end, p.label): p.value for p in predict(case.text, case.pub_date)}
        want = {(e.start, e.end, e.label): e.value for e in case.entities}
        for key, value in want.items():
            if key in got:
                tp[key[2]] += 1
                if value_matches(value, got[key]):
                    exact[key[2]] += 1
                else:
                    errors.append(
                        f"{case.source} value {case.text[key[0] : key[1]]!r}: want {value} got {got[key]}"
                    )
            else:
                fn[key[2]] += 1
                errors.append(
                    f"{case.source} missed {key[2]} {case.text[key[0] : key[1]]!r} in {case.text!r}"
                )
        for key in got:
            if key not in want:
                fp[key[2]] += 1
                errors.append(
                    f"{case.source} spurious {key[2]} {case.text[key[0] : key[1]]!r} in {case.text!r}"
                )
    report: dict[str, dict[str, float]] = {}
    for label in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 1.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        acc = exact[label] / tp[label] if tp[label] else 0.0
        report[label] = {"precision": p, "recall": r, "f1": f, "exact": acc,
                         "support": tp[label] + fn[label]}  # fmt: skip
    report["_errors"] = errors  # type: ignore[assignment]
    return report
