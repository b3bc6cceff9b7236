"""Run the Microsoft Recognizers-Text Chinese specs against zhnews_figures.

    .venv/bin/python benchmarks/figures_recognizers.py [--show-failures] [--spec-dir DIR]

Prints, per spec file, the pass rate over the cases the reference implementation
(.NET) supports (cases whose ``NotSupported`` names dotnet are left out), with and
without our deliberate convention differences, and lists those differences:

* range prepositions (从/自/在) stay outside DATE spans; the RT span includes them;
* ``N个百分点`` is a ``percentage_point`` (RT: a percent); per mille stays per mille;
* an amount is needed for MONEY (RT also tags bare currency names, ``20个比特币``);
* ranges are one entity (``5-20%``), RT tags the upper end only;
* date range ends: we give inclusive ends; RT gives exclusive ends for months/years,
  or the start of the last unit for ranges (2016到2018 -> 2018-01-01), so an end is
  accepted when it equals ours, ours + 1 day, or the first day of our last month/year;
* RT cases without any resolution (seasons) are checked on the span only;
* lunar-calendar dates (正月初一, 大年三十) are found but left unresolved (no
  conversion table); era years (民国三年, 康熙三年五月) are converted with numbered months
  read as Gregorian months, like RT;
* two-digit years without a month (07年), numeric dates without a four-digit year
  (12/1, 27-7-3), bare four-digit numbers (2018), vague spans (最近), ordinal weeks
  (十月的第一周) and crypto amounts (20个比特币) are not DATE / MONEY here; rolling
  windows (近三年, 未来两天) are, resolved like RT (ending or starting at the reference).

The suite lives in ../shared/data/recognizers_text_zh_specs (MIT, not copied here).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.figures.recognizer import FigureEngine

SPEC_DIR = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "recognizers_text_zh_specs"
)
FILES = {
    "NumberWithUnit/Chinese/CurrencyModel.json": ("MONEY", "model"),
    "Number/Chinese/PercentModel.json": ("PERCENT", "model"),
    "DateTime/Chinese/DateExtractor.json": ("DATE", "extractor"),
    "DateTime/Chinese/DatePeriodExtractor.json": ("DATE", "extractor"),
    "DateTime/Chinese/DateParser.json": ("DATE", "parser"),
    "DateTime/Chinese/DatePeriodParser.json": ("DATE", "parser"),
}
PREPOSITIONS = ("从", "自", "在", "于")
# Our deliberate conventions, recognised from the expected span (never from a list of
# the suite's inputs): each returns a short reason when a case conflicts with one.
_CONVENTIONS: list[tuple[str, re.Pattern[str]]] = [
    ("bare currency name without an amount", re.compile(r"^(?:人民币|美元|欧元|日元|港元)$")),
    ("crypto currency", re.compile(r"比特币")),
    (
        "vague span (最近)",
        re.compile(r"^最近$"),
    ),
    (
        "two-digit year without a leading zero (18年) or three-digit year",
        re.compile(r"^(?:[0-9零〇一二三四五六七八九]{2}\s*年|[0-9]{3}年)$"),
    ),
    ("bare four-digit number as a year", re.compile(r"^[0-9]{4}$")),
    ("three-digit year (before 1000)", re.compile(r"^[0-9零〇一二三四五六七八九]{3}年.")),
    ("open-ended range with 之后/之前/之间/间", re.compile(r"(?:之后|之前|之间|间)$")),
    ("ordinal week / last weekday of a month", re.compile(r"(?:第一周|最后一个)")),
    (
        "numeric date without a four-digit year",
        re.compile(r"^[0-9]{1,2}[-/][0-9]{1,2}(?:[-/][0-9]{1,2})?$"),
    ),
    ("space-separated digits", re.compile(r"[0-9] [0-9]")),
]


def supported(case: dict[str, Any]) -> bool:
    """Whether the reference (.NET) implementation supports the case."""
    for key in ("NotSupported", "NotSupportedByDesign"):
        if "dotnet" in str(case.get(key, "")).lower().replace(" ", ""):
            return False
    return True


def _percent_number(value: dict[str, Any] | None) -> float | None:
    if not value or value.get("value") is None:
        return None
    v = float(value["value"])
    return v / 10 if value.get("unit") == "per_mille" else v


def expected_spans(case: dict[str, Any], kind: str) -> list[tuple[int, int, dict[str, Any]]]:
    out = []
    for r in case.get("Results", []):
        if kind == "model":
            out.append((r["Start"], r["End"] + 1, r))
        else:
            out.append((r["Start"], r["Start"] + r["Length"], r))
    return out


def adjust(text: str, start: int, end: int) -> tuple[int, int]:
    """Our span convention: leading prepositions stay outside."""
    while start < end and text[start] in PREPOSITIONS:
        start += 1
    return start, end


def value_ok(label: str, ours: dict[str, Any] | None, res: dict[str, Any], kind: str) -> bool:
    if label == "MONEY":
        resolution = res.get("Resolution", {})
        if resolution.get("value") is None:
            return ours is None or True
        if not ours or ours.get("amount") is None:
            return False
        if abs(float(ours["amount"]) - float(resolution["value"])) > 1e-6 * max(
            1.0, abs(float(resolution["value"]))
        ):
            return False
        iso = resolution.get("isoCurrency")
        return not iso or iso == ours.get("currency")
    if label == "PERCENT":
        want = float(str(res["Resolution"]["value"]).rstrip("%"))
        got = _percent_number(ours)
        return got is not None and abs(got - want) < 1e-6 * max(1.0, abs(want))
    if kind != "parser":
        return True
    value = res.get("Value", {})
    if not any(value.get(k) for k in ("PastResolution", "FutureResolution")):
        return True  # RT gives no resolution (e.g. seasons): nothing to compare
    if (value.get("PastResolution") or {}).get("date", "").startswith("0001-01-01"):
        return ours is None  # RT's "invalid date" sentinel; ours: value null + reason
    if not ours or ours.get("start") is None:
        return False
    for key in ("PastResolution", "FutureResolution"):
        resolution = value.get(key) or {}
        if "date" in resolution:
            if ours["start"] == resolution["date"][:10] and ours["end"] == resolution["date"][:10]:
                return True
        elif "startDate" in resolution:
            end = date.fromisoformat(ours["end"])
            ends = {end.isoformat(), (end + timedelta(days=1)).isoformat()}
            # RT ends a range at the *start* of its last unit (2016到2018 -> 2018-01-01).
            ends.add(end.replace(month=1, day=1).isoformat())
            ends.add(end.replace(day=1).isoformat())
            if ours["start"] == resolution["startDate"][:10] and resolution["endDate"][:10] in ends:
                return True
    return False


def run_file(engine: FigureEngine, path: Path, label: str, kind: str, show: bool) -> dict[str, Any]:
    cases = json.loads(path.read_text(encoding="utf-8-sig"))
    total = passed = passed_raw = 0
    conventions: dict[str, int] = {}
    failures: list[str] = []
    for case in cases:
        if not supported(case):
            continue
        text = case["Input"]
        pub = None
        ref = (case.get("Context") or {}).get("ReferenceDateTime")
        if ref:
            pub = ref[:10]
        elif kind == "parser":
            pub = None
        cands = [c for c in engine.find(text, pub or "2017-03-22") if c.label == label]
        got = {(c.start, c.end): c.value for c in cands}
        want = expected_spans(case, kind)
        raw_spans = {(s, e) for s, e, _ in want}
        adj = {adjust(text, s, e): r for s, e, r in want}
        total += 1
        ok_raw = raw_spans == set(got)
        ok = set(adj) == set(got) and all(
            value_ok(label, got[span], r, kind) for span, r in adj.items()
        )
        passed += ok
        passed_raw += ok_raw and ok
        if not ok:
            reason = next(
                (
                    name
                    for name, rx in _CONVENTIONS
                    for r in case.get("Results", [])
                    if rx.search(r["Text"])
                ),
                None,
            )
            if (
                reason is None
                and label == "MONEY"
                and any(
                    c.value is None and "absurd" in (c.flags or {}).get("value_error", "")
                    for c in cands
                )
            ):
                reason = "absurd magnitude: value null on purpose"
            if reason is None and any(
                c.value
                and "low" in c.value
                and any(c.start <= s and e <= c.end and (s, e) != (c.start, c.end) for s, e in adj)
                for c in cands
            ):
                reason = "a range is one entity (RT: the upper end only)"
            if (
                reason is None
                and label == "DATE"
                and any(c.value and "lunar" in str(c.value.get("unresolved", "")) for c in cands)
            ):
                reason = "lunar date found but not converted"
            if reason:
                conventions[reason] = conventions.get(reason, 0) + 1
            failures.append(
                f"  {'[conv] ' if reason else ''}{text!r}: want {[text[s:e] for s, e in adj]} got "
                f"{[(text[s:e], v) for (s, e), v in got.items()]}"
            )
    return {
        "file": str(path),
        "total": total,
        "passed": passed,
        "conventions": conventions,
        "failures": failures,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spec-dir", type=Path, default=SPEC_DIR)
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    if not args.spec_dir.exists():
        print(f"Recognizers-Text specs not found at {args.spec_dir}: nothing to run")
        return 0
    engine = FigureEngine.from_paths()
    print(
        f"{'spec file':<45} {'supported':>9} {'passed':>7} {'rate':>7} {'conv.':>6} {'rate w/o conv.':>15}"
    )
    all_conventions: dict[str, int] = {}
    for rel, (label, kind) in FILES.items():
        result = run_file(engine, args.spec_dir / rel, label, kind, args.show_failures)
        rate = result["passed"] / result["total"] if result["total"] else 0.0
        n_conv = sum(result["conventions"].values())
        rest = result["total"] - n_conv
        rate2 = result["passed"] / rest if rest else 0.0
        print(
            f"{rel:<45} {result['total']:>9} {result['passed']:>7} {rate:>7.1%} {n_conv:>6} {rate2:>15.1%}"
        )
        for key, n in result["conventions"].items():
            all_conventions[key] = all_conventions.get(key, 0) + n
        if args.show_failures:
            print("\n".join(result["failures"]))
    print("\nCases that differ from the suite on purpose (our conventions), all files:")
    for key, n in sorted(all_conventions.items(), key=lambda kv: -kv[1]):
        print(f"  {n:>3}  {key}")
    print("Also by convention (counted as passes): 从/自 outside DATE spans, N个百分点 as")
    print("percentage_point, inclusive range ends; see the module docstring.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
