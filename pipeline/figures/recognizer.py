"""Find MONEY / PERCENT / DATE in a text: characters in, entity candidates out.

Pure Python (no spaCy) so it can be tested and benchmarked on its own; the spaCy
component (:mod:`.component`) only places the candidates on tokens.

One pass per document: the master regex finds the next position where any rule can
start; there every rule is tried and the longest match wins (ties: higher priority,
then earlier rule in the file).  Matching runs on a normalised, space-compressed
copy; offsets are mapped back to the text exactly as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.figures.dates import (
    CALENDAR,
    DateContext,
    combine_range,
    parse_pub_date,
    resolve_date,
)
from pipeline.figures.firstchars import first_chars
from pipeline.figures.lexicon import FiscalYears, Lexicon, parse_fiscal_years, parse_lexicon
from pipeline.figures.money import FigureValueError, money_value
from pipeline.figures.percent import percent_value
from pipeline.figures.rules import Rule, RuleSet, build_master, parse_rules
from pipeline.figures.textnorm import compress, normalise
from pipeline.safety.regex_guard import bounded_search
from pipeline.safety.rule_files import read_rule_text
from pipeline.spans import EntityCandidate

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "configs" / "figures"
RULE_FILES = ("patterns.yaml", "lexicon.yaml", "fiscal_years.yaml")
_PUNCT = set("，,。；;：:！!？?、（）()“”\"'《》\n")
_UNIT_CHARS = "年月日号"
# Verbs of a change written before "<amount>至<amount>" (see _change_then_level).
_CHANGE_VERBS = (
    "增加", "上升", "增长", "下降", "减少", "下跌", "上涨", "提升", "提高", "下滑",
    "扩大", "收窄", "回升", "回落", "降低", "增", "升", "降", "跌", "涨", "减",
)  # fmt: skip
_LEVEL_RATIO = 4.0
# Range sides that are not dates on their own: 一月十日到[十二日], [2016]-2018.
_BARE_DAY = re.compile(
    r"(?P<d>3[01]|[12][0-9]|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])[日号]"
)
_BARE_YEAR = re.compile(r"(?P<y>1[0-9]{3}|20[0-9]{2})")


@dataclass
class RawMatch:
    """A rule match in compressed-text coordinates."""

    start: int
    end: int
    rule: Rule
    groups: dict[str, str | None]
    group_spans: dict[str, tuple[int, int]]


class FigureEngine:
    """Compiled rules + lexicons; ``find(text, pub_date)`` returns candidates."""

    def __init__(self, texts: dict[str, str], paths: dict[str, str] | None = None) -> None:
        paths = paths or {}
        self.texts = dict(texts)
        self.rules: RuleSet = parse_rules(
            texts["patterns.yaml"], paths.get("patterns.yaml", "patterns.yaml")
        )
        self.lexicon: Lexicon = parse_lexicon(
            texts["lexicon.yaml"], paths.get("lexicon.yaml", "lexicon.yaml")
        )
        self.fiscal: FiscalYears = parse_fiscal_years(
            texts["fiscal_years.yaml"], paths.get("fiscal_years.yaml", "fiscal_years.yaml")
        )
        self.date_rules = [r for r in self.rules.rules if r.normaliser == "date"]
        self._masters: dict[frozenset[int], re.Pattern[str]] = {}
        # Which rules can start with a given character (computed FIRST sets); rules
        # whose start is unbounded are tried everywhere.
        self._anywhere: list[int] = []
        self._by_char: dict[str, list[int]] = {}
        for index, rule in enumerate(self.rules.rules):
            first = first_chars(rule.pattern)
            if first is None:
                self._anywhere.append(index)
                continue
            for ch in first:
                self._by_char.setdefault(ch, []).append(index)

    @classmethod
    def from_paths(
        cls,
        patterns: str | Path | None = None,
        lexicon: str | Path | None = None,
        fiscal_years: str | Path | None = None,
    ) -> FigureEngine:
        """Load the three rule files (defaults: the shipped configs/figures/)."""
        from pipeline.errors import Errors, ZhnewsError

        chosen = {
            "patterns.yaml": Path(patterns) if patterns else DEFAULT_DIR / "patterns.yaml",
            "lexicon.yaml": Path(lexicon) if lexicon else DEFAULT_DIR / "lexicon.yaml",
            "fiscal_years.yaml": Path(fiscal_years)
            if fiscal_years
            else DEFAULT_DIR / "fiscal_years.yaml",
        }
        texts: dict[str, str] = {}
        for name, path in chosen.items():
            try:
                texts[name] = read_rule_text(path)  # size-capped, UTF-8 with line (#8)
            except OSError as exc:
                raise ZhnewsError(
                    Errors.E005.format(path=path, line=0, reason=f"cannot read: {exc}")
                ) from exc
        return cls(texts, {k: str(v) for k, v in chosen.items()})

    # ------------------------------------------------------------------ matching
    def _skipped(self, s: str) -> frozenset[int]:
        """Rules whose required literals (``requires:``) are all absent from ``s``."""
        return frozenset(
            index
            for index, rule in enumerate(self.rules.rules)
            if rule.requires and not any(lit in s for lit in rule.requires)
        )

    def _master_for(self, skipped: frozenset[int]) -> re.Pattern[str]:
        """The master regex without the skipped rules (few distinct sets: cached)."""
        if not skipped:
            return self.rules.master
        master = self._masters.get(skipped)
        if master is None:
            kept = [r for i, r in enumerate(self.rules.rules) if i not in skipped]
            master = build_master(kept)
            self._masters[skipped] = master
        return master

    def _match_at(self, s: str, pos: int, skipped: frozenset[int] = frozenset()) -> RawMatch | None:
        best: tuple[int, int, int, Any, Rule] | None = None
        rules = self.rules.rules
        for index in self._by_char.get(s[pos], ()) if not self._anywhere else range(len(rules)):
            if index in skipped:
                continue
            rule = rules[index]
            m = rule.regex.match(s, pos)
            if m is None or m.end() <= pos:
                continue
            key = (m.end(), rule.priority, -index)
            if best is None or key > best[:3]:
                best = (m.end(), rule.priority, -index, m, rule)
        if best is None:
            return None
        m, rule = best[3], best[4]
        groups = {k: v for k, v in m.groupdict().items() if v is not None}
        spans = {k: m.span(k) for k in groups}
        return RawMatch(pos, m.end(), rule, groups, spans)

    def raw_matches(self, s: str) -> list[RawMatch]:
        """All non-overlapping rule matches in a normalised, compressed string."""
        out: list[RawMatch] = []
        pos = 0
        skipped = self._skipped(s)
        master = self._master_for(skipped)
        n = len(s)
        while pos < n:
            # Bounded windows (issue #8): a long unbroken run a rule almost matches
            # (40,000 digits) would otherwise cost O(n^2) here.
            m = bounded_search(master, s, pos)
            if m is None:
                break
            raw = self._match_at(s, m.start(), skipped)
            if raw is None:  # pragma: no cover - the master matched, so a rule does
                pos = m.start() + 1
                continue
            if self._change_then_level(s, raw):
                # 上升21亿美元至323亿美元: the change and the new level, two figures
                again = self._match_at(s, m.start(), skipped | {self._index_of(raw.rule)})
                raw = again if again is not None else raw
            out.append(raw)
            pos = raw.end
        return out

    def _change_then_level(self, s: str, raw: RawMatch) -> bool:
        """``上升21亿美元至323亿美元``: a change verb, an amount with its own currency,
        至/到 and a much larger amount are a change and the level it reached, not a
        range.  A forecast range (同比增加1.2亿元至1.5亿元) has close ends; the end
        must be at least :data:`_LEVEL_RATIO` times the start to split."""
        if raw.rule.label != "MONEY" or "post1" not in raw.groups or "num2" not in raw.group_spans:
            return False
        if s[raw.group_spans["post1"][1] : raw.group_spans["num2"][0]] not in ("至", "到"):
            return False
        before = s[max(0, raw.start - 6) : raw.start].rstrip("约近逾超了达")
        if not before.endswith(_CHANGE_VERBS):
            return False
        try:
            low = self._side_amount(raw.groups["num"], raw.groups["post1"])
            high = self._side_amount(raw.groups["num2"], raw.groups.get("post", ""))
        except FigureValueError:
            return False
        return low > 0 and high >= _LEVEL_RATIO * low

    def _side_amount(self, num: str, post: str) -> float:
        value = money_value(
            {"num": num, "post": post},
            self.lexicon.currencies,
            max_amount=self.lexicon.money_max_amount,
            subunits=self.lexicon.subunits,
        )
        return float(value["amount"])

    def _index_of(self, rule: Rule) -> int:
        return next(i for i, r in enumerate(self.rules.rules) if r is rule)

    # ---------------------------------------------------------------- values
    def _qualifier(self, s: str, start: int, end: int) -> dict[str, Any] | None:
        for q in self.lexicon.qualifiers_before:
            if start >= len(q.text) and s.startswith(q.text, start - len(q.text)):
                return {"qualifier": q.text, "approximate": q.approximate}
        for q in self.lexicon.qualifiers_after:
            if s.startswith(q.text, end):
                return {"qualifier": q.text, "approximate": q.approximate}
        return None

    def _per_unit(self, s: str, start: int, end: int) -> str | None:
        for per in self.lexicon.per_units:
            if s.startswith(per.after, end):
                return per.unit
            lo = max(0, start - len(per.before) - 8)
            idx = s.rfind(per.before, lo, start)
            if idx >= 0 and not any(
                ch in _PUNCT or ch.isdigit() for ch in s[idx + len(per.before) : start]
            ):
                return per.unit
        return None

    def _resolve_side(
        self, side: str, other: str, ctx: DateContext
    ) -> tuple[dict[str, Any], dict[str, str | None]] | None:
        for text in (side, side + (other[-1] if other and other[-1] in _UNIT_CHARS else "")):
            for rule in self.date_rules:
                m = rule.regex.fullmatch(text)
                if m is not None:
                    groups = {k: v for k, v in m.groupdict().items() if v is not None}
                    return resolve_date(groups, ctx), groups
            for bare in (_BARE_DAY, _BARE_YEAR):
                m = bare.fullmatch(text)
                if m is not None:
                    groups = dict(m.groupdict())
                    return resolve_date(groups, ctx), groups
        return None

    def _date_value(self, raw: RawMatch, s: str, ctx: DateContext) -> dict[str, Any]:
        if raw.rule.normaliser == "date":
            return resolve_date(raw.groups, ctx)
        a, b = raw.groups.get("a") or "", raw.groups.get("b") or ""
        left = self._resolve_side(a, b, ctx)
        if left is None:
            raise FigureValueError(f"cannot read range start {a!r}")
        lvalue = left[0]
        rctx = DateContext(ctx.pub, ctx.anchor_year, ctx.last_period, ctx.fiscal)
        right_probe = self._resolve_side(b, "", rctx)
        if right_probe is None:
            raise FigureValueError(f"cannot read range end {b!r}")
        _, rgroups = right_probe
        has_year = any(rgroups.get(k) for k in ("y", "fy", "rel", "frel"))
        if lvalue.get("start") and not has_year:
            start = date.fromisoformat(lvalue["start"])
            rctx.default_year = start.year
            if not rgroups.get("m"):
                rctx.default_month = start.month
            right_probe = self._resolve_side(b, "", rctx)
            assert right_probe is not None
        return combine_range(lvalue, right_probe[0])

    def find(self, text: str, pub_date: Any = None) -> list[EntityCandidate]:
        """Entity candidates (character offsets into ``text``) for one document."""
        if not text:
            return []
        norm = normalise(text)
        comp = compress(norm)
        s = comp.text
        pub = parse_pub_date(pub_date)
        ctx = DateContext(pub=pub)
        out: list[EntityCandidate] = []
        for raw in self.raw_matches(s):
            flags: dict[str, Any] = {}
            qual = self._qualifier(s, raw.start, raw.end)
            if qual:
                flags.update(qual)
            value: dict[str, Any] | None
            try:
                value = self._value(raw, s, ctx, flags)
            except FigureValueError as exc:
                value = None
                flags["value_error"] = str(exc)
            start = comp.to_original(raw.start)
            end = comp.to_original(raw.end, end=True)
            out.append(
                EntityCandidate(
                    start=start,
                    end=end,
                    label=raw.rule.label,
                    source=raw.rule.source,
                    value=value,
                    confidence=1.0 if value is not None else 0.5,
                    flags=flags or None,
                )
            )
        return out

    def _value(
        self, raw: RawMatch, s: str, ctx: DateContext, flags: dict[str, Any]
    ) -> dict[str, Any]:
        rule = raw.rule
        if rule.label == "MONEY":
            return money_value(
                raw.groups,
                self.lexicon.currencies,
                approximate=bool(flags.get("approximate")),
                per=self._per_unit(s, raw.start, raw.end),
                max_amount=self.lexicon.money_max_amount,
                subunits=self.lexicon.subunits,
            )
        if rule.label == "PERCENT":
            return percent_value(
                raw.groups, rule.unit or "percent", max_value=self.lexicon.percent_max_value
            )
        ctx.fiscal = CALENDAR
        if (
            "财" in s[raw.start : raw.end]
            or "年度" in s[raw.start : raw.end]
            or "FY" in s[raw.start : raw.end]
        ):
            rule_for, company = self.fiscal.rule_for(s, raw.start)
            if company is None and ctx.notes.get("fiscal_company"):
                # No company nearby: the document's last fiscal company still applies
                # (联想集团 ... 2024/25财年 ... 集团预计FY2025全年).
                company, rule_for = ctx.notes["fiscal_company"]
            ctx.fiscal = rule_for
            if company:
                flags["fiscal_company"] = company
                ctx.notes["fiscal_company"] = (company, rule_for)
        value = self._date_value(raw, s, ctx)
        if value.get("start"):
            start = date.fromisoformat(value["start"])
            end = date.fromisoformat(value["end"])
            ctx.anchor_year = start.year
            ctx.last_period = (start, end, value["granularity"])
            ctx.notes["last_fiscal"] = bool(value.get("fiscal"))
        return value
