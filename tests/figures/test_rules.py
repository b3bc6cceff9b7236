"""Rule files: every rule compiles and matches its own examples; bad files are rejected
with file, line and reason; nothing compiled is stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import ZhnewsError
from pipeline.figures.cases import load_cases
from pipeline.figures.firstchars import first_chars
from pipeline.figures.lexicon import parse_fiscal_years, parse_lexicon
from pipeline.figures.recognizer import DEFAULT_DIR, FigureEngine
from pipeline.figures.rules import load_rules, parse_rules
from pipeline.figures.textnorm import normalise

RULES = load_rules(DEFAULT_DIR / "patterns.yaml")


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rules_match_their_examples(rule) -> None:
    missed = [ex for ex in rule.examples if not rule.regex.fullmatch(normalise(ex))]
    assert not missed, f"{rule.id} (line {rule.line}) misses its examples {missed}"


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rules_reject_their_negatives(rule) -> None:
    hits = [neg for neg in rule.negatives if rule.regex.search(normalise(neg))]
    assert not hits, f"{rule.id} (line {rule.line}) matches its negatives {hits}"


def test_rules_master_regex_is_fresh() -> None:
    """The master regex is rebuilt from the rules, never a stale artefact."""
    from pipeline.figures.rules import build_master

    assert RULES.master.pattern == build_master(RULES.rules).pattern
    assert RULES.master.groups == sum(r.regex.groups for r in RULES.rules)


@pytest.mark.parametrize("rule", [r for r in RULES.rules if r.requires], ids=lambda r: r.id)
def test_rules_requires_literal_in_every_example(rule) -> None:
    """A rule skipped for lacking its `requires` literals must not lose real matches."""
    missing = [ex for ex in rule.examples if not any(lit in normalise(ex) for lit in rule.requires)]
    assert not missing, f"{rule.id}: examples without any of {rule.requires}: {missing}"


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rules_have_bounded_first_chars(rule) -> None:
    """Every rule can only start with known characters, so the master regex stays fast."""
    first = first_chars(rule.pattern)
    assert first is not None, f"{rule.id} could start anywhere (or match empty)"
    bad = [ex for ex in rule.examples if normalise(ex)[0] not in first]
    assert not bad


DEV_TEXTS = [c.text for c in load_cases(DEFAULT_DIR.parents[1] / "corpus" / "cases" / "dev.yaml")]


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rules_first_chars_are_sound(rule) -> None:
    """No match of a rule, anywhere in the dev texts, starts outside its FIRST set."""
    first = first_chars(rule.pattern)
    assert first is not None
    for text in DEV_TEXTS + rule.examples:
        norm = normalise(text)
        for pos in range(len(norm)):
            m = rule.regex.match(norm, pos)
            if m is not None and m.end() > pos:
                assert norm[pos] in first, (rule.id, text, m.group())


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            "0123456789.,%-年月日季度上下半今去同亿万元港美人民币百分之成个点一二三四五六七八九十 约每股近过未周"
        ),
        max_size=25,
    )
)
def test_rules_first_chars_sound_on_random_text(text: str) -> None:
    for rule in RULES.rules:
        first = first_chars(rule.pattern)
        for pos in range(len(text)):
            m = rule.regex.match(text, pos)
            if m is not None and m.end() > pos:
                assert text[pos] in first, (rule.id, text, m.group())


GOOD_RULE = """version: 1
subpatterns:
  d: '[0-9]+'
rules:
  - id: money.test
    label: MONEY
    normaliser: money
    pattern: '(?P<num>{{d}})(?P<post>元)'
    examples: ['5元']
"""


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("version: 1\nrules: [\n", 3, "not valid YAML"),
        ("version: 2\nrules: []\n", 1, "`version` must be 1"),
        (GOOD_RULE.replace("label: MONEY", "label: CASH"), 6, "label must be one of"),
        (GOOD_RULE.replace("{{d}}", "{{digits}}"), 8, "unknown sub-pattern"),
        (GOOD_RULE.replace("(?P<post>元)", "(?P<post>元"), 8, "not a valid regex"),
        (GOOD_RULE.replace("id: money.test", "id: Money Test"), 5, "bad rule id"),
        (GOOD_RULE.replace("    examples: ['5元']\n", ""), 5, "at least one example"),
        (
            GOOD_RULE.replace("normaliser: money", "normaliser: exec"),
            7,
            "normaliser must be one of",
        ),
        (
            GOOD_RULE.replace("  d: '[0-9]+'", "  d: '(?P<x>[0-9]+)'"),
            3,
            "must not contain named groups",
        ),
        (GOOD_RULE.replace("  d: '[0-9]+'", "  d: '{{d}}'"), 3, "cycle"),
        (
            GOOD_RULE
            + "  - id: money.test\n    label: MONEY\n    normaliser: money\n    pattern: 'x'\n    examples: ['x']\n",
            10,
            "duplicate rule id",
        ),
        (
            GOOD_RULE.replace("    examples:", "    colour: red\n    examples:"),
            9,
            "unknown rule key",
        ),
        (
            GOOD_RULE.replace("    examples:", "    requires: 元\n    examples:"),
            9,
            "`requires` must be a list",
        ),
    ],
)
def test_rules_bad_file_reports_file_line_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(ZhnewsError) as info:
        parse_rules(text, "configs/figures/broken.yaml")
    message = str(info.value)
    assert "E005" in message and "configs/figures/broken.yaml" in message
    assert f"line {line}:" in message and reason in message


def test_rules_good_file_compiles() -> None:
    rules = parse_rules(GOOD_RULE, "x.yaml")
    assert [r.id for r in rules.rules] == ["money.test"]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("version: 1\ncurrencies:\n  元: cny\n", 3, "ISO 4217"),
        (
            "version: 1\ncurrencies: {元: CNY}\nqualifiers:\n  - {text: 约, position: around}\n",
            4,
            "position",
        ),
        ("version: 1\ncurrencies: {元: CNY}\nlimits:\n  money_max_amount: -1\n", 4, "positive"),
        ("version: 1\ncurrencies: {元: CNY}\nextra: 1\n", 3, "unknown top-level key"),
        (
            "version: 1\ncurrencies: {元: CNY}\nsubunits:\n  港仙: {currency: hkd, per_unit: 100}\n",
            4,
            "ISO 4217",
        ),
        (
            "version: 1\ncurrencies: {元: CNY}\nsubunits:\n  港仙: {currency: HKD, per_unit: 1}\n",
            4,
            "per_unit",
        ),
    ],
)
def test_rules_bad_lexicon_reports_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(ZhnewsError, match=rf"lex.yaml' line {line}: .*{reason}"):
        parse_lexicon(text, "lex.yaml")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("version: 1\ndefault: {start_month: 13}\n", 2, "start_month"),
        ("version: 1\ncompanies:\n  - {start_month: 4}\n", 3, "names"),
        (
            "version: 1\ncompanies:\n  - {names: [阿里], start_month: 4, named_by: middle}\n",
            3,
            "named_by",
        ),
    ],
)
def test_rules_bad_fiscal_years_reports_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(ZhnewsError, match=rf"fy.yaml' line {line}: .*{reason}"):
        parse_fiscal_years(text, "fy.yaml")


def test_rules_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ZhnewsError, match="E005"):
        FigureEngine.from_paths(patterns=tmp_path / "nope.yaml")
