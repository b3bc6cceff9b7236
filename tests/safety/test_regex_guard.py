"""Static regex guard: catastrophic patterns are refused, ordinary rule patterns pass."""

from __future__ import annotations

import itertools
import re

import pytest

from pipeline.errors import ZhnewsError
from pipeline.safety.regex_guard import (
    MAX_PATTERN_CHARS,
    RegexRejected,
    bounded_finditer,
    check_pattern,
    compile_rule_pattern,
    findings_for,
)

EXPONENTIAL = [
    r"(a+)+$",
    r"(a*)*b",
    r"(a|a)*b",
    r"(a|aa)*b",
    r"(\w+\s?)*$",
    r"(?:a(?:b?)?)*c",
    r"(x+x+)+y",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    r"(\d+|\d+\.\d+)*x",
    r"(.*,)*x",
    r"(?:a{1,10}){1,10}b",
    r"(?>(a+)+b)",  # the inside of an atomic group still backtracks
    r"(?=(a+)+)b",  # and so does a lookahead
    r"(?:[一二三]+亿?)+元",  # 亿 optional: iterations can split a run of numerals
    r"(?i:(A|a)+)+z",
]

POLYNOMIAL = [
    r"\d+\d+x",
    r".*a.*b",
    r"\s*\s*$",
    r"[0-9]+\.?[0-9]+%",
]

SAFE = [
    r"a+",
    r"(?:\d+,)*\d+",
    r"(a|b)*",
    r"(a|ab)*c",
    r"[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+",
    r"\d+(?:\.\d+)?",
    r"(?>a+)+",
    r"(?:a++)+",
    r"(?:\w++\s?)*$",  # the fix for (\w+\s?)*: a possessive inner run
    r"(?:\w+\s?)*+$",  # or a possessive loop: earlier iterations are never revisited
    r"(?:万亿|[万亿兆])*+元",
    r"(?:[0-9]|[0-9０-９])+元",  # re's parser merges one-character branches into one set
    r"[0-9]{4}[0-9]{2}[0-9]{2}",
    r"(?:[零一二三四五六七八九]|[十百千万亿])*",
    r"\d{1,2}月\d{1,2}日",
    r"(?P<s>[-/.])\d{1,2}(?P=s)\d{1,2}",  # backreference to a one-character group
    r"(?i)rmb\s?\d+(?:\.\d+)?\s?(?:bn|mn)",
    r"(?<![0-9])\d+(?:\.\d+)?%",
    r"第[一二三四]季度|上半年|下半年",
]


@pytest.mark.parametrize("pattern", EXPONENTIAL)
def test_regex_guard_refuses_exponential(pattern: str) -> None:
    kinds = [f.kind for f in findings_for(pattern)]
    assert "exponential" in kinds, kinds
    with pytest.raises(RegexRejected, match="exponentially"):
        check_pattern(pattern)


@pytest.mark.parametrize("pattern", POLYNOMIAL)
def test_regex_guard_refuses_polynomial_unless_allowed(pattern: str) -> None:
    assert [f.kind for f in findings_for(pattern)] == ["polynomial"]
    with pytest.raises(RegexRejected, match="polynomially"):
        check_pattern(pattern)
    check_pattern(pattern, allow_polynomial=True)  # the caller then matches bounded


@pytest.mark.parametrize("pattern", SAFE)
def test_regex_guard_accepts_ordinary_patterns(pattern: str) -> None:
    assert findings_for(pattern) == ()
    check_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [
        (r"(a+)\1", "backreference"),
        (r"(a)?(?(1)(b+)+|c)x", "exponential"),
        (r"a{5000}", "too_large"),
        (r"a{2,100000}", "too_large"),
        ("a" * (MAX_PATTERN_CHARS + 1), "too_large"),
        ("(" * 200 + "a" + ")" * 200, None),  # deep but harmless nesting: either way no crash
        (r"(unclosed", "invalid"),
        (r"a**", "invalid"),
    ],
)
def test_regex_guard_other_refusals(pattern: str, kind: str | None) -> None:
    kinds = [f.kind for f in findings_for(pattern)]
    if kind is None:
        assert all(k in ("too_large", "invalid") for k in kinds)
    else:
        assert kind in kinds


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a+)+$", "exponentially"),
        (r"\d+\d+x", "polynomially"),
        (r"(unclosed", "not a valid regular expression"),
        (r"(a+)\1", "backreferences"),
    ],
)
def test_regex_guard_compile_rule_pattern_names_file_and_line(pattern: str, reason: str) -> None:
    with pytest.raises(ZhnewsError) as info:
        compile_rule_pattern(pattern, path="configs/x/rules.yaml", line=17)
    message = str(info.value)
    assert message.startswith("[E005]")
    assert "configs/x/rules.yaml" in message
    assert "line 17" in message
    assert reason in message


@pytest.mark.parametrize("pattern", SAFE[:5])
def test_regex_guard_compile_rule_pattern_returns_compiled(pattern: str) -> None:
    assert compile_rule_pattern(pattern, path="p", line=1).pattern == pattern


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\d+(?:\.\d+)?亿元", "营收123.4亿元，同比增长5%。净利润8亿元！" * 50),
        (r"[0-9]+", "12 345 6789 " * 300),
        (r"a+", "a" * 9000),  # one long run with no sentence break: hard cuts
        (r"(?<=x)y", "xy" * 3000),
        (r"ab|b", "ab" * 2000 + "。" + "b" * 10),
        (r"\d*", "1a22b" * 10),
    ],
)
def test_regex_guard_bounded_finditer_matches_like_finditer(pattern: str, text: str) -> None:
    regex = re.compile(pattern)
    got = [(m.start(), m.end()) for m in bounded_finditer(regex, text, max_window=500, overlap=50)]
    want = [(m.start(), m.end()) for m in regex.finditer(text)]
    if pattern == "a+":
        # A run longer than a window is cut into window-sized pieces, covering it all.
        assert got[0][0] == 0 and got[-1][1] == len(text)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(got))
    elif pattern == r"\d*":
        assert [g for g in got if g[0] != g[1]] == [w for w in want if w[0] != w[1]]
    else:
        assert got == want


@pytest.mark.parametrize("text_len", [0, 1, 499, 500, 501, 5000])
def test_regex_guard_bounded_finditer_offsets_in_bounds(text_len: int) -> None:
    text = ("中文1" * text_len)[:text_len]
    for m in bounded_finditer(re.compile(r"\d"), text, max_window=100, overlap=10):
        assert 0 <= m.start() < m.end() <= len(text)
        assert text[m.start() : m.end()] == m.group(0)


@pytest.mark.parametrize(("window", "overlap"), [(10, 10), (5, 20)])
def test_regex_guard_bounded_finditer_rejects_bad_window(window: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="max_window"):
        list(bounded_finditer(re.compile("a"), "aaa", max_window=window, overlap=overlap))


@pytest.mark.parametrize(
    ("pattern", "text", "pos"),
    [
        (r"\d+(?:\.\d+)?亿元", "公司营收123.4亿元，同比增长5%。" * 80, 0),
        (r"\d+(?:\.\d+)?亿元", "公司营收123.4亿元，同比增长5%。" * 80, 777),
        (r"[0-9]+元", "9" * 3000 + "元", 0),  # one figure longer than a window
        (r"[0-9]{1,4}元", "9" * 3000 + "元", 0),
        (r"(?<![0-9])[0-9]+%", "12% " * 600, 5),
        (r"亿元", "无" * 5000, 0),
        (r"x", "", 0),
    ],
)
def test_regex_guard_bounded_search_agrees_with_search(pattern: str, text: str, pos: int) -> None:
    from pipeline.safety.regex_guard import bounded_search

    regex = re.compile(pattern)
    got = bounded_search(regex, text, pos, max_window=500, overlap=50)
    want = regex.search(text, pos)
    if pattern == r"[0-9]+元":
        # Longer than a window: found, ending at the same place, start clipped.
        assert got is not None and want is not None
        assert got.end() == want.end()
    else:
        assert (got and got.span()) == (want and want.span())


@pytest.mark.parametrize(
    "pattern",
    [r"(?P<y>\d{4})?(?P<s>[春夏])(?(y)季|天)", r"(a)?(?(1)b|c)", r"(a)?(?(1)b)"],
)
def test_regex_guard_conditionals_are_alternations(pattern: str) -> None:
    assert findings_for(pattern) == ()
