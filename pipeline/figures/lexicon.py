"""Load and validate the word lists around figures (lexicon.yaml, fiscal_years.yaml).

Both files are user-edited data: every problem is reported with file, line and
reason (``Errors.E005``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import Errors, ZhnewsError
from pipeline.figures.rules import line_of, load_yaml_text


@dataclass(frozen=True)
class Qualifier:
    text: str
    position: str  # "before" | "after"
    approximate: bool


@dataclass(frozen=True)
class PerUnit:
    unit: str
    before: str
    after: str


@dataclass
class Lexicon:
    currencies: dict[str, str]
    qualifiers_before: list[Qualifier]  # longest first
    qualifiers_after: list[Qualifier]
    per_units: list[PerUnit]
    # Sub-unit words (港仙, 美分) -> (ISO code, how many make one currency unit).
    subunits: dict[str, tuple[str, int]] = field(default_factory=dict)
    money_max_amount: float = 1e17
    percent_max_value: float = 1e7


@dataclass(frozen=True)
class FiscalRule:
    start_month: int
    named_by: str  # "end" | "start"


@dataclass
class FiscalYears:
    default: FiscalRule
    window: int
    companies: list[tuple[tuple[str, ...], FiscalRule]] = field(default_factory=list)

    def rule_for(self, text: str, pos: int) -> tuple[FiscalRule, str | None]:
        """Fiscal rule of the company named closest before ``pos`` (within the window)."""
        lo = max(0, pos - self.window)
        best: tuple[int, FiscalRule, str] | None = None
        for names, rule in self.companies:
            for name in names:
                idx = text.rfind(name, lo, pos)
                if idx >= 0 and (best is None or idx > best[0]):
                    best = (idx, rule, name)
        if best is None:
            return self.default, None
        return best[1], best[2]


def _fail(path: str | Path, line: int, reason: str) -> ZhnewsError:
    return ZhnewsError(Errors.E005.format(path=path, line=line, reason=reason))


def _check_version(data: Any, path: str | Path) -> None:
    if not isinstance(data, dict):
        raise _fail(path, 1, "top level must be a mapping")
    if data.get("version") != 1:
        raise _fail(path, line_of(data, "version", 1), "`version` must be 1")


def parse_lexicon(text: str, path: str | Path = "<lexicon>") -> Lexicon:
    """Validate lexicon.yaml text."""
    data = load_yaml_text(text, path)
    _check_version(data, path)
    allowed = {"version", "currencies", "subunits", "qualifiers", "per_units", "limits"}
    for key in data:
        if key not in allowed:
            raise _fail(path, line_of(data, key, 1), f"unknown top-level key {key!r}")
    cur = data.get("currencies")
    if not isinstance(cur, dict) or not cur:
        raise _fail(path, line_of(data, "currencies", 1), "`currencies` must be a mapping")
    currencies: dict[str, str] = {}
    for word, code in cur.items():
        if not isinstance(code, str) or len(code) != 3 or not code.isupper():
            raise _fail(
                path, line_of(cur, word, 1), f"currency {word!r}: {code!r} is not an ISO 4217 code"
            )
        currencies[str(word)] = code
    subunits: dict[str, tuple[str, int]] = {}
    snode = data.get("subunits") or {}
    if not isinstance(snode, dict):
        raise _fail(path, line_of(data, "subunits", 1), "`subunits` must be a mapping")
    for word, spec in snode.items():
        line = line_of(snode, word, 1)
        code = spec.get("currency") if isinstance(spec, dict) else None
        per_unit = spec.get("per_unit") if isinstance(spec, dict) else None
        if not isinstance(code, str) or len(code) != 3 or not code.isupper():
            raise _fail(path, line, f"sub-unit {word!r}: `currency` must be an ISO 4217 code")
        if not isinstance(per_unit, int) or isinstance(per_unit, bool) or per_unit < 2:
            raise _fail(path, line, f"sub-unit {word!r}: `per_unit` must be an integer >= 2")
        subunits[str(word)] = (code, per_unit)
    quals: list[Qualifier] = []
    qnode = data.get("qualifiers") or []
    if not isinstance(qnode, list):
        raise _fail(path, line_of(data, "qualifiers", 1), "`qualifiers` must be a list")
    for i, item in enumerate(qnode):
        line = line_of(qnode, i, 1)
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"]:
            raise _fail(path, line, "qualifier needs a non-empty `text`")
        if item.get("position") not in ("before", "after"):
            raise _fail(path, line, "qualifier `position` must be before or after")
        if not isinstance(item.get("approximate", False), bool):
            raise _fail(path, line, "qualifier `approximate` must be true or false")
        quals.append(
            Qualifier(item["text"], item["position"], bool(item.get("approximate", False)))
        )
    per: list[PerUnit] = []
    pnode = data.get("per_units") or []
    if not isinstance(pnode, list):
        raise _fail(path, line_of(data, "per_units", 1), "`per_units` must be a list")
    for i, item in enumerate(pnode):
        line = line_of(pnode, i, 1)
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) and item.get(k) for k in ("unit", "before", "after")
        ):
            raise _fail(path, line, "per_units entries need non-empty `unit`, `before`, `after`")
        per.append(PerUnit(item["unit"], item["before"], item["after"]))
    limits = data.get("limits") or {}
    values: dict[str, float] = {}
    for key in ("money_max_amount", "percent_max_value"):
        if key in limits:
            value = limits[key]
            if not isinstance(value, int | float) or value <= 0:
                raise _fail(path, line_of(limits, key, 1), f"`{key}` must be a positive number")
            values[key] = float(value)
    return Lexicon(
        currencies=currencies,
        qualifiers_before=sorted(
            (q for q in quals if q.position == "before"), key=lambda q: -len(q.text)
        ),
        qualifiers_after=sorted(
            (q for q in quals if q.position == "after"), key=lambda q: -len(q.text)
        ),
        per_units=per,
        subunits=subunits,
        **values,
    )


def _fiscal_rule(node: Any, path: str | Path, line: int) -> FiscalRule:
    if not isinstance(node, dict):
        raise _fail(path, line, "fiscal rule must be a mapping")
    month = node.get("start_month")
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise _fail(path, line_of(node, "start_month", line), "`start_month` must be 1..12")
    named_by = node.get("named_by", "end")
    if named_by not in ("end", "start"):
        raise _fail(path, line_of(node, "named_by", line), "`named_by` must be end or start")
    return FiscalRule(month, named_by)


def parse_fiscal_years(text: str, path: str | Path = "<fiscal_years>") -> FiscalYears:
    """Validate fiscal_years.yaml text."""
    data = load_yaml_text(text, path)
    _check_version(data, path)
    for key in data:
        if key not in {"version", "default", "window", "companies"}:
            raise _fail(path, line_of(data, key, 1), f"unknown top-level key {key!r}")
    default = _fiscal_rule(
        data.get("default") or {"start_month": 1}, path, line_of(data, "default", 1)
    )
    window = data.get("window", 120)
    if not isinstance(window, int) or window < 0:
        raise _fail(path, line_of(data, "window", 1), "`window` must be a non-negative integer")
    companies = []
    cnode = data.get("companies") or []
    if not isinstance(cnode, list):
        raise _fail(path, line_of(data, "companies", 1), "`companies` must be a list")
    for i, item in enumerate(cnode):
        line = line_of(cnode, i, 1)
        rule = _fiscal_rule(item, path, line)
        names = item.get("names")
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(n, str) and n for n in names)
        ):
            raise _fail(path, line, "company needs a non-empty list of `names`")
        companies.append((tuple(str(n) for n in names), rule))
    return FiscalYears(default=default, window=window, companies=companies)
