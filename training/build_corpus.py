"""Build the annotated news corpus (``corpus/annotated/{train,dev,test}.jsonl``).

The corpus is authored by hand in a light inline markup (``corpus/annotated/src/*.md``,
described in ``corpus/annotated/README.md``) because offsets typed by hand are always
wrong: authors write ``[37.7亿元]{MONEY amount=3770000000 cur=CNY | subj=c1 ...}`` and
this script removes the markup, computes the character offsets and writes one JSON
record per paragraph.

Why so strict: the JSONL files are the gold standard that figure, ORG and relation
evaluation are scored against, so a typo in the markup silently becomes a wrong target.
Every problem is reported with file, line and reason, all problems at once, and nothing
is written while any remains. Output is deterministic (sorted by id, stable key order,
``ensure_ascii=False``) so that ``--check`` can tell whether the committed JSONL files are
stale against the sources (a test runs it).

Usage::

    python training/build_corpus.py            # validate, write JSONL, print counts
    python training/build_corpus.py --check    # exit 1 if the JSONL files are stale
    python training/build_corpus.py --strict   # completeness warnings become errors
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import re
import shlex
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pipeline.errors import Errors, ZhnewsError

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = REPO_ROOT / "corpus" / "annotated" / "src"
DEFAULT_OUT = REPO_ROOT / "corpus" / "annotated"

SPLITS = ("train", "dev", "test")
LABELS = ("ORG", "MONEY", "PERCENT", "DATE", "SEGMENT", "METRIC")
FIGURE_LABELS = ("MONEY", "PERCENT")
SUBJECT_LABELS = ("ORG", "SEGMENT")

# Canonical metric ids. Relation evaluation compares these, so one id per meaning; add
# new ids here (with a comment) rather than inventing them in the sources.
METRIC_CANON = frozenset(
    {
        # income statement
        "revenue",  # 收入/营收/营业收入/销售收入/营业额/收益
        "gross_profit",  # 毛利
        "gross_margin",  # 毛利率
        "operating_profit",  # 经营利润/营业利润
        "operating_loss",  # 经营亏损
        "operating_margin",  # 经营利润率
        "net_profit",  # 净利润/纯利/归母净利润/股东应占溢利 (as configs/relations/metrics.tsv)
        "profit",  # 利润/溢利 when nothing more precise is said
        "total_profit",  # 利润总额
        "profit_before_tax",  # 除税前利润/税前利润
        "net_loss",  # 净亏损/亏损净额
        "net_profit_deducted",  # 扣非净利润/扣非归母净利润
        "adjusted_net_profit",  # 经调整净利润 (non-GAAP)
        "adjusted_net_loss",  # 经调整净亏损
        "net_margin",  # 净利率
        "adjusted_ebitda",  # 经调整EBITDA
        "adjusted_ebita",  # 经调整EBITA
        "ebitda",
        "ebita",
        "eps",  # 每股收益/每股盈利
        "operating_expense",  # 运营支出/营运开支
        "selling_expense",  # 销售费用
        "admin_expense",  # 管理费用
        "rd_expense",  # 研发支出/研发费用/研发投入
        "rd_expense_ratio",  # 研发费用率
        "expense_ratio",  # 费用率
        "impairment",  # 减值
        "investment_income",  # 投资收益
        # cash flow and balance sheet
        "capex",  # 资本支出
        "operating_cash_flow",  # 经营活动现金流
        "free_cash_flow",  # 自由现金流
        "cash",  # 现金及现金等价物/在手现金
        "total_assets",  # 总资产
        "net_assets",  # 净资产
        "total_liabilities",  # 总负债
        "debt",  # 有息负债/借款
        "debt_ratio",  # 资产负债率
        "net_gearing",  # 净负债率
        "inventory",  # 存货
        "roe",  # 净资产收益率
        "roa",
        # market and capital
        "share_price",  # 股价/收报
        "market_cap",  # 市值
        "dividend",  # 股息/分红 (total)
        "dividend_per_share",  # 每股股息/末期股息 per share
        "dividend_payout",  # 派息率/分红比例
        "share_buyback",  # 股份回购
        "financing",  # 融资/募资/募集资金/IPO集资
        "deal_value",  # 收购/交易对价
        "investment",  # 投资额/投入
        "valuation",  # 估值
        "pe_ratio",  # 市盈率
        "target_price",  # 目标价
        "shareholding",  # 持股比例
        # banks, insurers, brokers
        "net_interest_income",  # 利息净收入
        "net_interest_margin",  # 净息差
        "fee_income",  # 手续费及佣金净收入
        "npl_ratio",  # 不良贷款率
        "provision_coverage",  # 拨备覆盖率
        "capital_adequacy",  # 资本充足率/核心一级资本充足率
        "loans",  # 贷款总额
        "deposits",  # 存款总额
        "premium_income",  # 保费收入
        "new_business_value",  # 新业务价值
        "new_business_margin",  # 新业务价值率/新业务价值利润率
        "combined_ratio",  # 综合成本率
        "investment_yield",  # 投资收益率
        "aum",  # 资产管理规模
        "brokerage_income",  # 经纪业务收入
        "investment_banking_income",  # 投行业务收入
        # operations
        "gmv",  # 商品交易总额
        "contract_sales",  # 合同销售额/签约销售额 (property)
        "sales_volume",  # 销量/交付量 (as a growth figure)
        "production",  # 产量 (output, not sales)
        "deliveries",  # 交付量
        "shipments",  # 出货量
        "market_share",  # 市场份额/市占率
        "revenue_share",  # 收入占比 (prefer metric=revenue with kind=share)
        "turnover",  # 成交额 (trading value)
        "users",  # 用户数/月活/日活
        "arpu",  # 每用户平均收入
        "same_store_sales",  # 同店销售
        "orders",  # 订单金额/在手订单
        "cost",  # 成本/营业成本
        "price",  # 产品价格/均价
        "capacity_utilization",  # 产能利用率
        "vehicle_margin",  # 整车毛利率 (a segment gross margin; gross_margin is preferred)
        "headcount",  # 员工人数 (as a change figure)
        "guidance",  # 业绩指引 (when the metric is not named)
        "other",  # anything else; prefer adding a precise id
    }
)

CURRENCIES = frozenset(
    {"CNY", "HKD", "USD", "EUR", "JPY", "GBP", "TWD", "MOP", "SGD", "KRW", "AUD", "CAD", "CHF"}
)
PERCENT_UNITS = ("percent", "percentage_point", "per_mille")
GRANULARITIES = ("year", "half", "quarter", "month", "week", "day", "range")
KINDS = ("value", "change", "share", "ratio")
DIRECTIONS = ("up", "down", "flat")
ROLES = ("from", "to")
BOOL_VALUES = ("0", "1")

ENTITY_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # label: (required keys, allowed keys)
    "MONEY": (
        frozenset({"cur"}),
        frozenset({"amount", "cur", "low", "high", "per", "approx"}),
    ),
    "PERCENT": (frozenset({"unit"}), frozenset({"value", "unit", "low", "high"})),
    "DATE": (frozenset({"start", "end"}), frozenset({"start", "end", "gran", "rel", "fiscal"})),
    "ORG": (frozenset(), frozenset({"canon"})),
    "SEGMENT": (frozenset(), frozenset({"canon"})),
    "METRIC": (frozenset({"canon"}), frozenset({"canon"})),
}
RELATION_REQUIRED = frozenset({"subj", "kind"})
RELATION_KEYS = frozenset({"subj", "metric", "kind", "cmp", "dir", "period", "role"})

PARA_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
MENTION_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
STYLE_RE = re.compile(r"^[a-z][a-z0-9_+,-]*$")
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
HEADER_RE = re.compile(r"^#\s*id\s*:")
COMMENT_RE = re.compile(r"^\s*<!--.*-->\s*$")
ESCAPABLE = "[]{}\\|"

# A DATE that is a whole reporting period named by its last day (截至…止六个月 / 止年度).
_PERIOD_ENDING = re.compile(r"止(?:财政年度|財政年度|年度|.{1,2}[个個]月)$")

# Span-convention lints: words that must stay OUTSIDE a span (see the README).
OUTSIDE_PREFIXES = (
    "约",
    "近",
    "逾",
    "超过",
    "不足",
    "达",
    "高达",
    "仅",
    "每股",
    "截至",
    "至",
    "从",
    "自",
    "由",
)
OUTSIDE_SUFFIXES = ("左右", "/股", "以上", "以下")
PERCENT_END_RE = re.compile(
    r"([%％‰]|成[半一二三四五六七八九]?|个百分点|個百分點|pct|ppt|pp|bp|个基点|個基點)$|^(百分之|千分之)"
)
# Qualifiers that make a MONEY amount approximate when written right next to it.
APPROX_BEFORE = ("约", "大约", "近", "将近", "接近", "逾", "约合")
APPROX_AFTER = ("左右", "多")

# Completeness lints: figure-looking text left outside every annotation.
UNANNOTATED_PATTERNS = (
    re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?\s*[%％]"),
    re.compile(
        r"[0-9０-９]+(?:[.．][0-9０-９]+)?\s*(?:万亿|亿|萬億|億|万|萬)?\s*(?:元|港元|美元|港币|港幣)"
    ),
    re.compile(r"(?:19|20)[0-9]{2}\s*(?:年|财年|財年)"),
    re.compile(r"百分之[零〇一二两三四五六七八九十百点點]+"),
    re.compile(r"(?<![零〇一二两三四五六七八九十])[一二两三四五六七八九]成(?![本员交立功为長长])"),
    re.compile(r"(?:今年|去年|上年|明年|前年|本年|同年|上一年)(?:同期|末|底|初)?"),
    re.compile(r"(?:第?[一二三四1-4１-４]季度|[上下]半年|Q[1-4]|年初至今)"),
    re.compile(r"(?<![0-9０-９])[0-9０-９]{1,2}月(?:[0-9０-９]{1,2}[日号])?"),
)

# Quick value cross-check for plain Arabic MONEY/PERCENT surfaces (catches 37.7亿 typed
# as 377000000). Chinese numerals are not parsed here: that is the figures component's job.
MULTIPLIERS = {
    "万亿": Decimal(10) ** 12,
    "萬億": Decimal(10) ** 12,
    "亿": Decimal(10) ** 8,
    "億": Decimal(10) ** 8,
    "千万": Decimal(10) ** 7,
    "千萬": Decimal(10) ** 7,
    "百万": Decimal(10) ** 6,
    "百萬": Decimal(10) ** 6,
    "万": Decimal(10) ** 4,
    "萬": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
    "": Decimal(1),
}
CURRENCY_WORDS = (
    ("人民币", "CNY"),
    ("人民幣", "CNY"),
    ("RMB", "CNY"),
    ("港元", "HKD"),
    ("港币", "HKD"),
    ("港幣", "HKD"),
    ("HK$", "HKD"),
    ("美元", "USD"),
    ("US$", "USD"),
    ("欧元", "EUR"),
    ("歐元", "EUR"),
    ("日元", "JPY"),
    ("英镑", "GBP"),
    ("新台币", "TWD"),
    ("新台幣", "TWD"),
    ("元", "CNY"),
)
SIMPLE_MONEY_RE = re.compile(
    r"^(?P<pre>人民币|人民幣|RMB|HK\$|US\$)?\s*(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*"
    r"(?P<mult>万亿|萬億|亿|億|千万|千萬|百万|百萬|万|萬|千)?"
    r"(?P<cur>元人民币|元人民幣|港元|港币|港幣|美元|欧元|歐元|日元|英镑|新台币|新台幣|元)?$"
)
SIMPLE_PERCENT_RE = re.compile(r"^(?P<num>-?\d+(?:\.\d+)?)\s*(?P<unit>%|％|个百分点|個百分點|‰)$")


@dataclass
class Mention:
    """One ``[surface]{LABEL#id key=value | relation}`` annotation, offsets resolved."""

    label: str
    surface: str
    start: int
    end: int
    line: int
    mid: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    rel: dict[str, str] | None = None


@dataclass
class Paragraph:
    """A header plus its text lines, after markup removal."""

    path: Path
    line: int
    header: dict[str, str]
    text: str = ""
    mentions: list[Mention] = field(default_factory=list)
    # (start offset in text, source line) for each joined line, to map offsets to lines.
    line_starts: list[tuple[int, int]] = field(default_factory=list)

    def line_of(self, offset: int) -> int:
        """Source line of a text offset (for lint messages)."""
        line = self.line
        for start, src_line in self.line_starts:
            if start <= offset:
                line = src_line
        return line


class CorpusErrors(ZhnewsError):
    """All problems found in the sources, each formatted with file and line."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass
class Problems:
    """Collects errors and warnings so that authors see everything in one run."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, path: Path, line: int, reason: str) -> None:
        self.errors.append(Errors.E009.format(path=_display(path), line=line, reason=reason))

    def warn(self, path: Path, line: int, reason: str) -> None:
        self.warnings.append(Errors.E009.format(path=_display(path), line=line, reason=reason))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- parsing


def parse_header(line: str, path: Path, lineno: int, problems: Problems) -> dict[str, str] | None:
    """Parse ``# id: x | date: YYYY-MM-DD | split: train | style: mainland``."""
    body = line.lstrip("#").strip()
    header: dict[str, str] = {}
    for part in body.split("|"):
        key, sep, value = part.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            problems.error(path, lineno, f"header field {part.strip()!r} is not 'key: value'")
            return None
        if key in header:
            problems.error(path, lineno, f"header field {key!r} given twice")
            return None
        header[key] = value
    expected = {"id", "date", "split", "style"}
    if set(header) != expected:
        missing = sorted(expected - set(header))
        extra = sorted(set(header) - expected)
        problems.error(
            path,
            lineno,
            f"header needs id, date, split, style (missing {missing}, unknown {extra})",
        )
        return None
    if not PARA_ID_RE.match(header["id"]):
        problems.error(
            path, lineno, f"paragraph id {header['id']!r} must match {PARA_ID_RE.pattern}"
        )
        return None
    if _parse_date(header["date"]) is None:
        problems.error(
            path, lineno, f"header date {header['date']!r} is not a valid YYYY-MM-DD date"
        )
        return None
    if header["split"] not in SPLITS:
        problems.error(path, lineno, f"split {header['split']!r} must be one of {list(SPLITS)}")
        return None
    if not STYLE_RE.match(header["style"]):
        problems.error(path, lineno, f"style {header['style']!r} must match {STYLE_RE.pattern}")
        return None
    return header


def parse_line(
    raw: str, para: Paragraph, lineno: int, problems: Problems
) -> tuple[str, list[tuple[int, int, str, str]]]:
    """Strip markup from one source line.

    Returns the plain text and ``(start, end, surface, body)`` for each annotation, with
    offsets relative to the start of this line's plain text.
    """
    out: list[str] = []
    found: list[tuple[int, int, str, str]] = []
    i, n = 0, len(raw)
    path = para.path

    def read_escape(pos: int) -> tuple[str | None, int]:
        if pos + 1 < n and raw[pos + 1] in ESCAPABLE:
            return raw[pos + 1], pos + 2
        problems.error(
            path, lineno, f"unknown escape '\\{raw[pos + 1 : pos + 2]}' at column {pos + 1}"
        )
        return None, pos + 1

    while i < n:
        ch = raw[i]
        if ch == "\\":
            lit, i = read_escape(i)
            if lit is not None:
                out.append(lit)
            continue
        if ch in "]{}":
            problems.error(
                path, lineno, f"unbalanced '{ch}' at column {i + 1} (write '\\{ch}' for a literal)"
            )
            i += 1
            continue
        if ch != "[":
            out.append(ch)
            i += 1
            continue
        # An annotation: [surface]{body}
        open_col = i + 1
        j = i + 1
        surface: list[str] = []
        closed = False
        while j < n:
            cj = raw[j]
            if cj == "\\":
                lit, j = read_escape(j)
                if lit is not None:
                    surface.append(lit)
                continue
            if cj == "]":
                closed = True
                break
            if cj in "[{}":
                problems.error(
                    path,
                    lineno,
                    f"'{cj}' inside the annotation opened at column {open_col} (nested or unbalanced brackets)",
                )
                return "".join(out), found
            surface.append(cj)
            j += 1
        if not closed:
            problems.error(path, lineno, f"'[' at column {open_col} is never closed on this line")
            return "".join(out), found
        if j + 1 >= n or raw[j + 1] != "{":
            problems.error(
                path,
                lineno,
                f"'[...]' opened at column {open_col} is not followed by '{{LABEL ...}}'",
            )
            return "".join(out), found
        close = raw.find("}", j + 2)
        body = raw[j + 2 : close] if close != -1 else ""
        if close == -1 or any(c in body for c in "[]{"):
            problems.error(
                path, lineno, f"'{{' after the annotation at column {open_col} is never closed"
            )
            return "".join(out), found
        text_surface = "".join(surface)
        start = len("".join(out))
        out.append(text_surface)
        found.append((start, start + len(text_surface), text_surface, body))
        i = close + 1
    return "".join(out), found


def parse_body(
    body: str, path: Path, lineno: int, problems: Problems
) -> tuple[str, str | None, dict[str, str], dict[str, str] | None] | None:
    """Parse ``LABEL#id k=v ... | k=v ...`` into label, id, entity keys, relation keys."""
    left, sep, right = body.partition("|")
    try:
        left_tokens = shlex.split(left)
        right_tokens = shlex.split(right) if sep else []
    except ValueError as exc:
        problems.error(path, lineno, f"cannot read annotation {{{body}}}: {exc}")
        return None
    if not left_tokens:
        problems.error(path, lineno, f"annotation {{{body}}} has no label")
        return None
    label, _, mid = left_tokens[0].partition("#")
    if label not in LABELS:
        problems.error(path, lineno, f"unknown label {label!r} (expected one of {list(LABELS)})")
        return None
    if "#" in left_tokens[0] and not MENTION_ID_RE.match(mid):
        problems.error(path, lineno, f"mention id {mid!r} must match {MENTION_ID_RE.pattern}")
        return None
    keys = _pairs(left_tokens[1:], path, lineno, problems, f"{label} annotation")
    rel = _pairs(right_tokens, path, lineno, problems, "relation") if sep else None
    if keys is None or (sep and rel is None):
        return None
    if sep and not rel:
        problems.error(path, lineno, "empty relation after ' | '")
        return None
    return label, (mid or None), keys, rel


def _pairs(
    tokens: Iterable[str], path: Path, lineno: int, problems: Problems, what: str
) -> dict[str, str] | None:
    pairs: dict[str, str] = {}
    for tok in tokens:
        key, sep, value = tok.partition("=")
        if not sep or not key or value == "":
            problems.error(path, lineno, f"{what}: {tok!r} is not key=value")
            return None
        if key in pairs:
            problems.error(path, lineno, f"{what}: key {key!r} given twice")
            return None
        pairs[key] = value
    return pairs


def parse_source(path: Path, problems: Problems) -> list[Paragraph]:
    """Read one markup file into paragraphs (markup removed, mentions with offsets)."""
    paragraphs: list[Paragraph] = []
    current: Paragraph | None = None
    # utf-8-sig: editors on Windows may prepend a BOM, which must not become text.
    with path.open(encoding="utf-8-sig") as fh:
        lines = fh.read().splitlines()
    for lineno, raw in enumerate(lines, start=1):
        raw = raw.rstrip()
        if not raw.strip() or COMMENT_RE.match(raw):
            continue
        if HEADER_RE.match(raw):
            header = parse_header(raw, path, lineno, problems)
            current = Paragraph(path=path, line=lineno, header=header or {})
            if header is not None:
                paragraphs.append(current)
            continue
        if raw.startswith("#"):
            problems.error(path, lineno, "a line starting with '#' must be a '# id: ...' header")
            continue
        if current is None:
            problems.error(path, lineno, "text before the first '# id: ...' header")
            continue
        plain, found = parse_line(raw, current, lineno, problems)
        base = len(current.text)
        current.line_starts.append((base, lineno))
        current.text += plain
        for start, end, surface, body in found:
            parsed = parse_body(body, path, lineno, problems)
            if parsed is None:
                continue
            label, mid, keys, rel = parsed
            current.mentions.append(
                Mention(label, surface, base + start, base + end, lineno, mid, keys, rel)
            )
    return paragraphs


# ------------------------------------------------------------------------ validation


def _parse_date(value: str) -> dt.date | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _number(value: str) -> int | float | None:
    """Exact JSON number for a markup number: int when whole, else the shortest float."""
    if not NUMBER_RE.match(value):
        return None
    try:
        dec = Decimal(value)
    except InvalidOperation:
        return None
    if dec == dec.to_integral_value():
        return int(dec)
    return float(dec)


def _infer_granularity(start: dt.date, end: dt.date) -> str:
    """Granularity from an inclusive date range (so authors rarely need ``gran=``)."""
    if start == end:
        return "day"
    next_day = end + dt.timedelta(days=1)
    if start.day == 1 and next_day.day == 1:
        months = (next_day.year - start.year) * 12 + next_day.month - start.month
        if months == 1:
            return "month"
        if months == 3 and start.month in (1, 4, 7, 10):
            return "quarter"
        if months == 6 and start.month in (1, 7):
            return "half"
        if months == 12 and start.month == 1:
            return "year"
    return "range"


# Full-width digits and signs checked like their ASCII forms (same length, so no offsets move).
FULLWIDTH = str.maketrans("０１２３４５６７８９．，％－＋", "0123456789.,%-+")


def _simple_money(surface: str) -> tuple[Decimal, str] | None:
    m = SIMPLE_MONEY_RE.match(surface.translate(FULLWIDTH))
    if not m or not (m.group("pre") or m.group("cur")):
        return None
    num = Decimal(m.group("num").replace(",", ""))
    amount = num * MULTIPLIERS[m.group("mult") or ""]
    word = (m.group("pre") or "") + (m.group("cur") or "")
    cur = next(code for w, code in CURRENCY_WORDS if w in word)
    return amount, cur


def validate_mention(m: Mention, para: Paragraph, problems: Problems) -> dict[str, Any] | None:
    """Check one mention's keys and build its schema-v1 ``value`` (None if not a figure)."""
    path, line = para.path, m.line
    required, allowed = ENTITY_KEYS[m.label]
    unknown = sorted(set(m.keys) - allowed)
    if unknown:
        problems.error(
            path,
            line,
            f"{m.label} {m.surface!r}: unknown value keys {unknown} (allowed {sorted(allowed)})",
        )
        return None
    missing = sorted(required - set(m.keys))
    if missing:
        problems.error(path, line, f"{m.label} {m.surface!r}: missing value keys {missing}")
        return None
    if not m.surface:
        problems.error(path, line, f"{m.label}: empty surface")
        return None
    if m.surface != m.surface.strip():
        problems.error(
            path, line, f"{m.label} {m.surface!r}: surface starts or ends with whitespace"
        )
    if m.rel is not None and m.label not in FIGURE_LABELS:
        problems.error(
            path, line, f"{m.label} {m.surface!r}: only MONEY and PERCENT may carry a relation"
        )
    if m.label in ("MONEY", "PERCENT", "DATE"):
        for prefix in OUTSIDE_PREFIXES:
            # 近 opens rolling DATEs (近三年); 截至…止六个月 names a whole period (the
            # date.period_ending rule), unlike 截至6月底 ("as of").
            allowed = m.label == "DATE" and (
                prefix == "近" or (prefix == "截至" and _PERIOD_ENDING.search(m.surface))
            )
            if m.surface.startswith(prefix) and not allowed:
                problems.error(
                    path, line, f"{m.label} {m.surface!r}: {prefix!r} must stay outside the span"
                )
        for suffix in OUTSIDE_SUFFIXES:
            if m.surface.endswith(suffix):
                problems.error(
                    path, line, f"{m.label} {m.surface!r}: {suffix!r} must stay outside the span"
                )
    for key in ("approx", "rel", "fiscal"):
        if key in m.keys and m.keys[key] not in BOOL_VALUES:
            problems.error(
                path, line, f"{m.label} {m.surface!r}: {key}={m.keys[key]!r} must be 0 or 1"
            )
            return None

    if m.label == "MONEY":
        return _money_value(m, para, problems)
    if m.label == "PERCENT":
        return _percent_value(m, para, problems)
    if m.label == "DATE":
        return _date_value(m, para, problems)
    if m.label == "METRIC" and m.keys["canon"] not in METRIC_CANON:
        problems.error(
            path,
            line,
            f"METRIC {m.surface!r}: canon={m.keys['canon']!r} is not a known metric id (see METRIC_CANON in training/build_corpus.py)",
        )
    if m.label == "ORG" and ("(" in m.surface or "（" in m.surface):
        problems.error(
            path, line, f"ORG {m.surface!r}: a stock-code bracket stays outside the span"
        )
    return None


def _range_numbers(
    m: Mention, para: Paragraph, problems: Problems, main: str
) -> dict[str, Any] | None:
    """Read ``main`` (amount/value) and optional ``low``/``high``; a range defaults main to low."""
    values: dict[str, Any] = {}
    for key in (main, "low", "high"):
        if key in m.keys:
            num = _number(m.keys[key])
            if num is None:
                problems.error(
                    para.path,
                    m.line,
                    f"{m.label} {m.surface!r}: {key}={m.keys[key]!r} is not a number",
                )
                return None
            values[key] = num
    if ("low" in values) != ("high" in values):
        problems.error(
            para.path, m.line, f"{m.label} {m.surface!r}: a range needs both low= and high="
        )
        return None
    if "low" in values:
        if values["low"] > values["high"]:
            problems.error(para.path, m.line, f"{m.label} {m.surface!r}: low is greater than high")
            return None
        values.setdefault(main, values["low"])
    if main not in values:
        problems.error(
            para.path, m.line, f"{m.label} {m.surface!r}: missing {main}= (or low= and high=)"
        )
        return None
    return values


def _money_value(m: Mention, para: Paragraph, problems: Problems) -> dict[str, Any] | None:
    nums = _range_numbers(m, para, problems, "amount")
    if nums is None:
        return None
    cur = m.keys["cur"]
    if cur not in CURRENCIES:
        problems.error(
            para.path,
            m.line,
            f"MONEY {m.surface!r}: cur={cur!r} is not one of {sorted(CURRENCIES)}",
        )
        return None
    simple = _simple_money(m.surface)
    if simple is not None and "low" not in nums:
        amount, surface_cur = simple
        if Decimal(str(nums["amount"])) != amount:
            problems.error(
                para.path,
                m.line,
                f"MONEY {m.surface!r}: amount={m.keys['amount']} but the surface says {amount.normalize():f}",
            )
        if surface_cur != cur:
            problems.error(
                para.path,
                m.line,
                f"MONEY {m.surface!r}: cur={cur} but the surface says {surface_cur}",
            )
    if "approx" in m.keys:
        approximate = m.keys["approx"] == "1"
    else:
        before = para.text[max(0, m.start - 2) : m.start]
        after = para.text[m.end : m.end + 2]
        approximate = any(before.endswith(q) for q in APPROX_BEFORE) or any(
            after.startswith(q) for q in APPROX_AFTER
        )
    value: dict[str, Any] = {
        "amount": nums["amount"],
        "currency": cur,
        "approximate": approximate,
        "per": m.keys.get("per"),
    }
    if "low" in nums:
        value["low"], value["high"] = nums["low"], nums["high"]
    return value


def _percent_value(m: Mention, para: Paragraph, problems: Problems) -> dict[str, Any] | None:
    nums = _range_numbers(m, para, problems, "value")
    if nums is None:
        return None
    unit = m.keys["unit"]
    if unit not in PERCENT_UNITS:
        problems.error(
            para.path,
            m.line,
            f"PERCENT {m.surface!r}: unit={unit!r} must be one of {list(PERCENT_UNITS)}",
        )
        return None
    if not PERCENT_END_RE.search(m.surface):
        problems.error(
            para.path,
            m.line,
            f"PERCENT {m.surface!r}: span must end with %/％/‰/成/个百分点 (or start with 百分之/千分之)",
        )
    points = any(w in m.surface for w in ("百分点", "百分點", "pct", "ppt", "pp", "基点"))
    if points != (unit == "percentage_point"):
        problems.error(
            para.path, m.line, f"PERCENT {m.surface!r}: unit={unit} does not fit the surface"
        )
    simple = SIMPLE_PERCENT_RE.match(m.surface.translate(FULLWIDTH))
    if simple and "low" not in nums and Decimal(simple.group("num")) != Decimal(str(nums["value"])):
        problems.error(
            para.path,
            m.line,
            f"PERCENT {m.surface!r}: value={m.keys['value']} but the surface says {simple.group('num')}",
        )
    value: dict[str, Any] = {"value": nums["value"], "unit": unit}
    if "low" in nums:
        value["low"], value["high"] = nums["low"], nums["high"]
    return value


def _date_value(m: Mention, para: Paragraph, problems: Problems) -> dict[str, Any] | None:
    start, end = _parse_date(m.keys["start"]), _parse_date(m.keys["end"])
    if start is None or end is None:
        problems.error(
            para.path, m.line, f"DATE {m.surface!r}: start/end must be valid YYYY-MM-DD dates"
        )
        return None
    if start > end:
        problems.error(para.path, m.line, f"DATE {m.surface!r}: start {start} is after end {end}")
        return None
    gran = m.keys.get("gran") or _infer_granularity(start, end)
    if gran not in GRANULARITIES:
        problems.error(
            para.path,
            m.line,
            f"DATE {m.surface!r}: gran={gran!r} must be one of {list(GRANULARITIES)}",
        )
        return None
    # A fiscal year may be named after the calendar year it ends in (FY2025 = Apr 2024-Mar 2025).
    slack = 1 if m.keys.get("fiscal") == "1" else 0
    for year in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", m.surface):
        if not start.year <= int(year) <= end.year + slack:
            problems.error(
                para.path, m.line, f"DATE {m.surface!r}: year {year} is outside {start}..{end}"
            )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "granularity": gran,
        "relative": m.keys.get("rel") == "1",
        "fiscal": m.keys.get("fiscal") == "1",
    }


def validate_paragraph(para: Paragraph, problems: Problems) -> dict[str, Any] | None:
    """Validate one paragraph and build its JSONL record (None if it has errors)."""
    n_errors = len(problems.errors)
    if not para.text.strip():
        problems.error(para.path, para.line, f"paragraph {para.header['id']!r} has no text")
        return None
    by_id: dict[str, Mention] = {}
    values: dict[int, dict[str, Any] | None] = {}
    for m in para.mentions:
        if m.mid is not None:
            if m.mid in by_id:
                problems.error(
                    para.path,
                    m.line,
                    f"duplicate mention id {m.mid!r} (first on line {by_id[m.mid].line})",
                )
            by_id[m.mid] = m
        values[id(m)] = validate_mention(m, para, problems)
    ordered = sorted(para.mentions, key=lambda x: (x.start, x.end))
    for a, b in itertools.pairwise(ordered):
        if b.start < a.end:
            problems.error(para.path, b.line, f"spans {a.surface!r} and {b.surface!r} overlap")
    relations = []
    for m in ordered:
        if m.rel is None or m.label not in FIGURE_LABELS:
            continue
        rel = _relation(m, para, by_id, problems)
        if rel is not None:
            relations.append(rel)
    _lint_unannotated(para, ordered, problems)
    if len(problems.errors) > n_errors:
        return None
    entities = []
    for m in ordered:
        ent: dict[str, Any] = {
            "start": m.start,
            "end": m.end,
            "label": m.label,
            "text": m.surface,
        }
        if m.mid is not None:
            ent["id"] = m.mid
        if values[id(m)] is not None:
            ent["value"] = values[id(m)]
        if "canon" in m.keys:
            ent["canon"] = m.keys["canon"]
        entities.append(ent)
    for ent in entities:
        assert para.text[ent["start"] : ent["end"]] == ent["text"]
    return {
        "id": para.header["id"],
        "text": para.text,
        "date": para.header["date"],
        "split": para.header["split"],
        "style": para.header["style"],
        "entities": entities,
        "relations": relations,
    }


def _span(m: Mention) -> dict[str, Any]:
    return {"start": m.start, "end": m.end, "text": m.surface}


def _relation(
    m: Mention, para: Paragraph, by_id: dict[str, Mention], problems: Problems
) -> dict[str, Any] | None:
    rel = m.rel or {}
    path, line = para.path, m.line
    where = f"{m.label} {m.surface!r} relation"
    unknown = sorted(set(rel) - RELATION_KEYS)
    if unknown:
        problems.error(
            path, line, f"{where}: unknown keys {unknown} (allowed {sorted(RELATION_KEYS)})"
        )
        return None
    missing = sorted(RELATION_REQUIRED - set(rel))
    if missing:
        problems.error(path, line, f"{where}: missing keys {missing}")
        return None

    def ref(key: str, labels: tuple[str, ...]) -> Mention | None:
        target = by_id.get(rel[key])
        if target is None:
            problems.error(
                path, line, f"{where}: {key}={rel[key]!r} refers to no mention id in this paragraph"
            )
        elif target.label not in labels:
            problems.error(
                path,
                line,
                f"{where}: {key}={rel[key]!r} is a {target.label}, expected {'/'.join(labels)}",
            )
            return None
        return target

    subj = ref("subj", SUBJECT_LABELS)
    metric = ref("metric", ("METRIC",)) if "metric" in rel else None
    period = ref("period", ("DATE",)) if "period" in rel else None
    ok = subj is not None and ("metric" not in rel or metric) and ("period" not in rel or period)
    if rel["kind"] not in KINDS:
        problems.error(path, line, f"{where}: kind={rel['kind']!r} must be one of {list(KINDS)}")
        ok = False
    if "dir" in rel and rel["dir"] not in DIRECTIONS:
        problems.error(path, line, f"{where}: dir={rel['dir']!r} must be one of {list(DIRECTIONS)}")
        ok = False
    if rel["kind"] == "change" and "dir" not in rel:
        problems.error(path, line, f"{where}: kind=change needs dir=up|down|flat")
        ok = False
    if "role" in rel and rel["role"] not in ROLES:
        problems.error(path, line, f"{where}: role={rel['role']!r} must be one of {list(ROLES)}")
        ok = False
    if not ok or subj is None:
        return None
    return {
        "figure": _span(m),
        "subject": {
            **_span(subj),
            "type": subj.label,
            "canonical": subj.keys.get("canon", subj.surface),
        },
        "metric": None if metric is None else {**_span(metric), "canonical": metric.keys["canon"]},
        "kind": rel["kind"],
        "comparison": _comparison(rel.get("cmp"), by_id),
        "direction": rel.get("dir"),
        "period": None if period is None else _span(period),
        "role": rel.get("role"),
    }


def _comparison(cmp: str | None, by_id: dict[str, Mention]) -> str | None:
    """``cmp=`` is yoy/qoq/mom, a free-text base, or the id of a DATE mention (its text)."""
    if cmp is not None and cmp in by_id and by_id[cmp].label == "DATE":
        return by_id[cmp].surface
    return cmp


def _lint_unannotated(para: Paragraph, ordered: list[Mention], problems: Problems) -> None:
    """Warn about figure-looking text outside every annotation (completeness check)."""
    covered = [(m.start, m.end) for m in ordered]
    for pattern in UNANNOTATED_PATTERNS:
        for hit in pattern.finditer(para.text):
            if not any(s < hit.end() and hit.start() < e for s, e in covered):
                problems.warn(
                    para.path,
                    para.line_of(hit.start()),
                    f"{para.header['id']}: {hit.group()!r} looks like an entity but is not annotated",
                )


# ---------------------------------------------------------------------------- output


def build(
    src_dir: Path = DEFAULT_SRC, strict: bool = False
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Parse and validate every ``*.md`` under ``src_dir``.

    Returns records per split (sorted by id) and the warnings; raises
    :class:`CorpusErrors` listing every error (and, with ``strict``, every warning).
    """
    problems = Problems()
    sources = sorted(src_dir.glob("*.md"))
    seen: dict[str, str] = {}
    records: dict[str, list[dict[str, Any]]] = {split: [] for split in SPLITS}
    for path in sources:
        for para in parse_source(path, problems):
            pid = para.header["id"]
            where = f"{_display(path)} line {para.line}"
            if pid in seen:
                problems.error(
                    path, para.line, f"duplicate paragraph id {pid!r} (first at {seen[pid]})"
                )
                continue
            seen[pid] = where
            record = validate_paragraph(para, problems)
            if record is not None:
                records[record["split"]].append(record)
    errors = problems.errors + (problems.warnings if strict else [])
    if errors:
        raise CorpusErrors(errors)
    for split in SPLITS:
        records[split].sort(key=lambda r: r["id"])
    return records, problems.warnings


def render(records: Sequence[dict[str, Any]]) -> str:
    """Deterministic JSONL text: one record a line, key order as built, UTF-8 as is."""
    return "".join(
        json.dumps(r, ensure_ascii=False, separators=(", ", ": ")) + "\n" for r in records
    )


def output_paths(out_dir: Path) -> dict[str, Path]:
    return {split: out_dir / f"{split}.jsonl" for split in SPLITS}


def stale_files(records: dict[str, list[dict[str, Any]]], out_dir: Path) -> list[Path]:
    """Output files whose content differs from what the sources produce."""
    stale = []
    for split, path in output_paths(out_dir).items():
        expected = render(records[split])
        if not path.exists() or path.read_text(encoding="utf8") != expected:
            stale.append(path)
    return stale


def write(records: dict[str, list[dict[str, Any]]], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for split, path in output_paths(out_dir).items():
        with path.open("w", encoding="utf8", newline="\n") as fh:
            fh.write(render(records[split]))


def counts(records: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, int]]:
    """Paragraphs, entities per label, figures and linked figures per split (and total)."""
    table: dict[str, dict[str, int]] = {}
    total: Counter[str] = Counter()
    for split in SPLITS:
        c: Counter[str] = Counter()
        for rec in records[split]:
            c["paragraphs"] += 1
            for ent in rec["entities"]:
                c[ent["label"]] += 1
                if ent["label"] in FIGURE_LABELS:
                    c["figures"] += 1
            c["linked_figures"] += len(rec["relations"])
        table[split] = {k: c[k] for k in ("paragraphs", *LABELS, "figures", "linked_figures")}
        total.update(c)
    table["total"] = {k: total[k] for k in ("paragraphs", *LABELS, "figures", "linked_figures")}
    return table


def format_counts(table: dict[str, dict[str, int]]) -> str:
    cols = list(next(iter(table.values())))
    width = max(len(c) for c in cols) + 1
    lines = ["split".ljust(8) + "".join(c.rjust(width) for c in cols)]
    for split, row in table.items():
        lines.append(split.ljust(8) + "".join(str(row[c]).rjust(width) for c in cols))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="folder of *.md sources")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="folder for {train,dev,test}.jsonl"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the JSONL files are stale")
    parser.add_argument(
        "--strict", action="store_true", help="treat completeness warnings as errors"
    )
    parser.add_argument("--quiet", action="store_true", help="do not print warnings and counts")
    args = parser.parse_args(argv)
    try:
        records, warnings = build(args.src, strict=args.strict)
    except CorpusErrors as exc:
        for msg in exc.messages:
            print(msg, file=sys.stderr)
        print(f"{len(exc.messages)} problem(s); nothing written.", file=sys.stderr)
        return 2
    if not args.quiet:
        for msg in warnings:
            print(f"warning: {msg}", file=sys.stderr)
    if args.check:
        stale = stale_files(records, args.out)
        if stale:
            names = ", ".join(_display(p) for p in stale)
            print(f"stale: {names}; run `python training/build_corpus.py`", file=sys.stderr)
            return 1
        if not args.quiet:
            print("corpus JSONL files are up to date")
    else:
        write(records, args.out)
    if not args.quiet:
        print(format_counts(counts(records)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
