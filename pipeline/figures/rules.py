"""Load, validate and compile the figure rule files (configs/figures/*.yaml).

Rule files are data users edit, so every problem is reported with file, line and
reason (``Errors.E005``) and nothing in them is ever executed: YAML is read with a
plain (round-trip, non-Python-object) loader only to keep line numbers.

Compilation happens once (in the component's ``initialize``/``from_disk``), never
per document: every rule becomes one compiled regex, and a *master* regex (the
alternation of all rules, with group names prefixed per rule) finds the next
position where any rule can start, so a document is scanned once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from srsly import ruamel_yaml

from pipeline.errors import Errors, ZhnewsError
from pipeline.figures.firstchars import char_class, first_chars
from pipeline.safety.regex_guard import compile_rule_pattern
from pipeline.safety.rule_files import check_yaml_data_only

LABELS = frozenset({"MONEY", "PERCENT", "DATE"})
NORMALISERS = frozenset({"money", "percent", "date", "date_range"})
PERCENT_UNITS = frozenset(
    {"percent", "percentage_point", "per_mille", "cheng", "zhe", "basis_point"}
)
_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$")
_REF = re.compile(r"\{\{([a-z_][a-z0-9_]*)\}\}")
_NAMED_GROUP = re.compile(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>")
_BACKREF = re.compile(r"\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)")
_CONDITIONAL = re.compile(r"\(\?\(([A-Za-z_][A-Za-z0-9_]*)\)")
_RULE_KEYS = frozenset(
    {
        "id",
        "label",
        "normaliser",
        "pattern",
        "examples",
        "negatives",
        "unit",
        "priority",
        "requires",
    }
)


@dataclass
class Rule:
    """One compiled top-level rule."""

    id: str
    label: str
    normaliser: str
    pattern: str  # expanded (sub-patterns substituted)
    regex: re.Pattern[str]
    examples: list[str] = field(default_factory=list)
    negatives: list[str] = field(default_factory=list)
    unit: str | None = None
    priority: int = 0
    line: int = 0
    # Literals of which every match contains at least one: a document without any of them
    # skips the rule (speed only; the tests check every example contains one).
    requires: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return f"rule:{self.id}"


@dataclass
class RuleSet:
    """All rules of a patterns file plus the master regex that locates them."""

    rules: list[Rule]
    master: re.Pattern[str]
    path: str


def _fail(path: str | Path, line: int, reason: str) -> ZhnewsError:
    return ZhnewsError(Errors.E005.format(path=path, line=line, reason=reason))


def load_yaml_text(text: str, path: str | Path) -> Any:
    """Parse YAML keeping line numbers (round-trip loader, no Python objects)."""
    check_yaml_data_only(text, path)  # issue #8: no tags, anchors or aliases
    yaml = ruamel_yaml.YAML(typ="rt")
    try:
        return yaml.load(text)
    except Exception as exc:  # ruamel raises many error types; report them uniformly
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise _fail(path, line, f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc


def line_of(node: Any, key: Any = None, default: int = 0) -> int:
    """1-based line of a mapping (or of one of its keys / list items), if known."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return default
    try:
        if key is None:
            return lc.line + 1
        if isinstance(key, int):
            return lc.item(key)[0] + 1
        return lc.key(key)[0] + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return lc.line + 1


def expand(pattern: str, subpatterns: dict[str, str], path: str | Path, line: int) -> str:
    """Substitute ``{{name}}`` references recursively; reject unknown names and cycles."""

    def _expand(text: str, stack: tuple[str, ...]) -> str:
        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in subpatterns:
                raise _fail(path, line, f"unknown sub-pattern {{{{{name}}}}}")
            if name in stack:
                raise _fail(path, line, f"sub-pattern cycle: {' -> '.join((*stack, name))}")
            return "(?:" + _expand(subpatterns[name], (*stack, name)) + ")"

        return _REF.sub(repl, text)

    return _expand(pattern, ())


def parse_rules(text: str, path: str | Path = "<patterns>") -> RuleSet:
    """Validate and compile the text of a patterns file into a :class:`RuleSet`."""
    data = load_yaml_text(text, path)
    if not isinstance(data, dict):
        raise _fail(path, 1, "top level must be a mapping with `version`, `subpatterns`, `rules`")
    if data.get("version") != 1:
        raise _fail(path, line_of(data, "version", 1), "`version` must be 1")
    unknown = set(data) - {"version", "subpatterns", "rules"}
    if unknown:
        key = sorted(unknown)[0]
        raise _fail(path, line_of(data, key, 1), f"unknown top-level key {key!r}")
    subs_node = data.get("subpatterns") or {}
    if not isinstance(subs_node, dict):
        raise _fail(path, line_of(data, "subpatterns", 1), "`subpatterns` must be a mapping")
    subpatterns: dict[str, str] = {}
    for name, value in subs_node.items():
        line = line_of(subs_node, name, 1)
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise _fail(path, line, f"bad sub-pattern name {name!r} (use lower_snake_case)")
        if not isinstance(value, str) or not value:
            raise _fail(path, line, f"sub-pattern {name!r} must be a non-empty string")
        if _NAMED_GROUP.search(value):
            raise _fail(path, line, f"sub-pattern {name!r} must not contain named groups")
        subpatterns[name] = value
    for name, value in subpatterns.items():
        line = line_of(subs_node, name, 1)
        expanded = expand(value, subpatterns, path, line)
        try:
            compiled = re.compile(expanded)
        except re.error as exc:
            raise _fail(path, line, f"sub-pattern {name!r} is not a valid regex: {exc}") from exc
        compile_rule_pattern(expanded, path=path, line=line)  # issue #8: no evil regexes
        if compiled.groups:
            raise _fail(
                path, line, f"sub-pattern {name!r} must use (?:...) groups only: it is reused"
            )

    rules_node = data.get("rules")
    if not isinstance(rules_node, list) or not rules_node:
        raise _fail(path, line_of(data, "rules", 1), "`rules` must be a non-empty list")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, node in enumerate(rules_node):
        rules.append(_parse_rule(node, index, rules_node, subpatterns, seen, path))
    return RuleSet(rules=rules, master=build_master(rules), path=str(path))


def _parse_rule(
    node: Any,
    index: int,
    parent: Any,
    subpatterns: dict[str, str],
    seen: dict[str, int],
    path: str | Path,
) -> Rule:
    line = line_of(parent, index, 1)
    if not isinstance(node, dict):
        raise _fail(path, line, "each rule must be a mapping")
    line = line_of(node, None, line)
    unknown = set(node) - _RULE_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise _fail(path, line_of(node, key, line), f"unknown rule key {key!r}")
    for key in ("id", "label", "normaliser", "pattern"):
        if not isinstance(node.get(key), str) or not node.get(key):
            raise _fail(path, line, f"rule needs a non-empty string `{key}`")
    rule_id = node["id"]
    if not _RULE_ID.match(rule_id):
        raise _fail(path, line_of(node, "id", line), f"bad rule id {rule_id!r} (e.g. money.range)")
    if rule_id in seen:
        raise _fail(path, line, f"duplicate rule id {rule_id!r} (first on line {seen[rule_id]})")
    seen[rule_id] = line
    if node["label"] not in LABELS:
        raise _fail(path, line_of(node, "label", line), f"label must be one of {sorted(LABELS)}")
    if node["normaliser"] not in NORMALISERS:
        raise _fail(
            path,
            line_of(node, "normaliser", line),
            f"normaliser must be one of {sorted(NORMALISERS)}",
        )
    unit = node.get("unit")
    if node["normaliser"] == "percent" and unit not in PERCENT_UNITS:
        raise _fail(
            path,
            line_of(node, "unit", line),
            f"percent rules need `unit` in {sorted(PERCENT_UNITS)}",
        )
    priority = node.get("priority", 0)
    if not isinstance(priority, int):
        raise _fail(path, line_of(node, "priority", line), "`priority` must be an integer")
    pattern_line = line_of(node, "pattern", line)
    expanded = expand(node["pattern"], subpatterns, path, pattern_line)
    try:
        regex = re.compile(expanded)
    except re.error as exc:
        raise _fail(
            path, pattern_line, f"pattern of {rule_id!r} is not a valid regex: {exc}"
        ) from exc
    compile_rule_pattern(expanded, path=path, line=pattern_line)  # issue #8: no evil regexes
    lists: dict[str, list[str]] = {}
    for key in ("examples", "negatives"):
        value = node.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _fail(path, line_of(node, key, line), f"`{key}` must be a list of strings")
        lists[key] = [str(v) for v in value]
    if not lists["examples"]:
        raise _fail(path, line, f"rule {rule_id!r} needs at least one example")
    requires = node.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(v, str) and v for v in requires):
        raise _fail(
            path, line_of(node, "requires", line), "`requires` must be a list of non-empty strings"
        )
    return Rule(
        id=rule_id,
        label=node["label"],
        normaliser=node["normaliser"],
        pattern=expanded,
        regex=regex,
        examples=lists["examples"],
        negatives=lists["negatives"],
        unit=unit,
        priority=priority,
        requires=tuple(requires),
        line=line,
    )


def build_master(rules: list[Rule]) -> re.Pattern[str]:
    """One alternation of every rule, group names prefixed so they stay unique.

    Each rule sits behind a one-character lookahead of the characters it can start
    with (computed from its parse tree, :mod:`.firstchars`), and the whole alternation
    behind their union: the regex engine then rejects most positions with one
    character-class test instead of trying every rule there (about 7x faster).
    """
    parts = []
    union: set[str] = set()
    bounded = True
    for i, rule in enumerate(rules):
        body = _NAMED_GROUP.sub(lambda m, i=i: f"(?P<r{i}_{m.group(1)}>", rule.pattern)
        body = _BACKREF.sub(lambda m, i=i: f"(?P=r{i}_{m.group(1)})", body)
        body = _CONDITIONAL.sub(lambda m, i=i: f"(?(r{i}_{m.group(1)})", body)
        first = first_chars(rule.pattern)
        if first is None:
            bounded = False
            parts.append(f"(?:{body})")
        else:
            union |= first
            parts.append(f"(?={char_class(first)})(?:{body})")
    body = "|".join(parts)
    if bounded and union:
        return re.compile(f"(?={char_class(frozenset(union))})(?:{body})")
    return re.compile(body)


def load_rules(path: str | Path) -> RuleSet:
    """Read and compile a patterns file from disk."""
    try:
        text = Path(path).read_text(encoding="utf8")
    except OSError as exc:
        raise _fail(path, 0, f"cannot read: {exc}") from exc
    return parse_rules(text, path)
