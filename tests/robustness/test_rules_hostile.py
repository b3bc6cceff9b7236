"""Rules are data, not code (issue #8): hostile rule files are refused at load time.

Kinds of hostile input tried, per rule family:

* figures (``configs/figures/*.yaml``): classic evil regexes in a rule pattern or a
  sub-pattern (``(a+)+``, ``(a|a)*``, ``(\\w+\\s?)*``, ``\\d+\\d+``, unbounded
  backreferences, a 100,000 repeat count); YAML tags that other loaders turn into
  code (``!!python/object/apply:subprocess.check_call``), anchors/aliases
  ("billion laughs"), non-UTF-8 bytes;
* ORG and relation TSVs: regex metacharacters and Python source in names (must be
  inert text), malformed rows, non-UTF-8 bytes;
* matching: long adversarial strings (100,000 digits, ``亿亿亿``, evil-looking
  literal names) run through the shipped rules in a subprocess whose generous
  timeout is the failure condition (no timed assertion).

Every refusal is ``E005`` naming the file and the line; nothing in a rule file is
executed (a sentinel file the payload would create stays absent).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.errors import ZhnewsError

REPO_ROOT = Path(__file__).resolve().parents[2]
FIGURES = REPO_ROOT / "configs" / "figures"
ORGS = REPO_ROOT / "configs" / "orgs"
RELATIONS = REPO_ROOT / "configs" / "relations"
# Generous: a healthy run takes a few seconds; catastrophic backtracking takes hours.
SUBPROCESS_TIMEOUT_S = 240


def _run_isolated(code: str, timeout: int = SUBPROCESS_TIMEOUT_S) -> str:
    """Run ``code`` in a fresh interpreter; fail if it does not finish within ``timeout``."""
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO_ROOT))
    try:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"matching did not finish within {timeout} s (catastrophic backtracking?)")
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _assert_e005(err: pytest.ExceptionInfo[ZhnewsError], path: Path, line: int, *words: str):
    message = str(err.value)
    assert message.startswith("[E005]"), message
    assert str(path) in message, message
    assert f"line {line}:" in message, message
    for word in words:
        assert word in message, message


# ----------------------------------------------------------------- figures: evil regexes


def _figures_dir(tmp_path: Path, patterns: str) -> Path:
    """A figures rule directory: hostile patterns.yaml + the shipped lexicons."""
    if not (FIGURES / "lexicon.yaml").is_file():
        pytest.skip("configs/figures not present")
    target = tmp_path / "figures"
    target.mkdir()
    (target / "patterns.yaml").write_text(patterns, encoding="utf8")
    for name in ("lexicon.yaml", "fiscal_years.yaml"):
        (target / name).write_text((FIGURES / name).read_text(encoding="utf8"), encoding="utf8")
    return target


def _load_figures(directory: Path) -> None:
    from pipeline.figures.recognizer import FigureEngine

    FigureEngine.from_paths(
        directory / "patterns.yaml", directory / "lexicon.yaml", directory / "fiscal_years.yaml"
    )


def _one_rule(pattern: str, sub: str | None = None) -> tuple[str, int]:
    """patterns.yaml text with one MONEY rule, and the line of its (or the sub-)pattern."""
    subs = f"subpatterns:\n  evil: '{sub}'\n" if sub is not None else "subpatterns: {}\n"
    text = (
        "version: 1\n"
        + subs
        + "rules:\n"
        + "  - id: money.evil\n"
        + "    label: MONEY\n"
        + "    normaliser: money\n"
        + f"    pattern: '{pattern}'\n"
        + "    examples: ['1元']\n"
    )
    line = 3 if sub is not None else text.splitlines().index(f"    pattern: '{pattern}'") + 1
    return text, line


EVIL_PATTERNS = [
    ("(?P<num>([0-9]+)+)元", "exponential"),
    ("(?P<num>(?:[0-9]|[0-9][0-9])+)元", "exponential"),
    ("(?P<num>(?:[0-9]+[ ]?)*)元", "exponential"),
    ("(?P<num>(?:[0-9]*)*)元", "exponential"),
    ("(?P<num>[0-9]+[0-9]+)x元", "polynomial"),
    ("(?P<num>[0-9]+)(?P=num)元", "backreference"),
    ("(?P<num>[0-9]{1,100000})元", "repeat count"),
]


@pytest.mark.parametrize(("pattern", "kind"), EVIL_PATTERNS, ids=[k for _, k in EVIL_PATTERNS])
def test_rules_hostile_figures_evil_pattern_refused(tmp_path: Path, pattern: str, kind: str):
    text, line = _one_rule(pattern)
    directory = _figures_dir(tmp_path, text)
    with pytest.raises(ZhnewsError) as err:
        _load_figures(directory)
    _assert_e005(err, directory / "patterns.yaml", line)
    message = str(err.value)
    assert "unsafe regular expression" in message or "not a valid" in message, message


@pytest.mark.parametrize("sub", ["(a+)+", "(a|a)*", "(\\w+\\s?)*", "([0-9]+,?)+"])
def test_rules_hostile_figures_evil_subpattern_refused(tmp_path: Path, sub: str) -> None:
    text, line = _one_rule("(?P<num>{{evil}})元", sub=sub)
    directory = _figures_dir(tmp_path, text)
    with pytest.raises(ZhnewsError) as err:
        _load_figures(directory)
    # Refused at the sub-pattern's own line, or at the rule that uses it.
    message = str(err.value)
    assert message.startswith("[E005]") and "patterns.yaml" in message, message
    assert "unsafe regular expression" in message, message
    assert f"line {line}:" in message or "line 8:" in message, message


def test_rules_hostile_figures_shipped_rules_pass_the_guard() -> None:
    """The guard must not refuse what the project itself ships."""
    if not (FIGURES / "patterns.yaml").is_file():
        pytest.skip("configs/figures not present")
    from pipeline.figures.rules import load_rules
    from pipeline.safety.regex_guard import findings_for

    rules = load_rules(FIGURES / "patterns.yaml")
    flagged = {r.id: [f.kind for f in findings_for(r.pattern)] for r in rules.rules}
    assert {k: v for k, v in flagged.items() if v} == {}


# ----------------------------------------------------------------- figures: YAML is data

YAML_PAYLOADS = [
    "!!python/object/apply:subprocess.check_call [['touch', '{sentinel}']]",
    "!!python/object/apply:os.system ['touch {sentinel}']",
    "!!python/object/new:subprocess.Popen [['touch', '{sentinel}']]",
    "!!python/name:os.system",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {sentinel}']",
]


@pytest.mark.parametrize("payload", YAML_PAYLOADS, ids=range(len(YAML_PAYLOADS)))
@pytest.mark.parametrize("where", ["patterns.yaml", "lexicon.yaml", "fiscal_years.yaml"])
def test_rules_hostile_figures_yaml_tags_refused(tmp_path: Path, payload: str, where: str):
    if not (FIGURES / "patterns.yaml").is_file():
        pytest.skip("configs/figures not present")
    sentinel = tmp_path / "PWNED"
    directory = _figures_dir(tmp_path, (FIGURES / "patterns.yaml").read_text(encoding="utf8"))
    target = directory / where
    original = target.read_text(encoding="utf8")
    lines = original.splitlines()
    # Put the payload on a line of its own right after `version: 1`.
    at = next(i for i, ln in enumerate(lines) if ln.startswith("version:")) + 1
    lines.insert(at, "evil: " + payload.format(sentinel=sentinel))
    target.write_text("\n".join(lines) + "\n", encoding="utf8")
    with pytest.raises(ZhnewsError) as err:
        _load_figures(directory)
    _assert_e005(err, target, at + 1, "YAML tag")
    assert not sentinel.exists(), "a rule file ran code"


@pytest.mark.parametrize(
    "snippet",
    [
        "evil: &a [1, 2]\nmore: *a",
        "a0: &a0 ['lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol']\n"
        "a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\n"
        "a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]",
    ],
    ids=["alias", "billion-laughs"],
)
def test_rules_hostile_figures_yaml_anchors_refused(tmp_path: Path, snippet: str) -> None:
    if not (FIGURES / "patterns.yaml").is_file():
        pytest.skip("configs/figures not present")
    text = (FIGURES / "patterns.yaml").read_text(encoding="utf8")
    lines = text.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("version:")) + 1
    lines[at:at] = snippet.splitlines()
    directory = _figures_dir(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(ZhnewsError) as err:
        _load_figures(directory)
    _assert_e005(err, directory / "patterns.yaml", at + 1, "anchors")


def test_rules_hostile_figures_non_utf8_refused(tmp_path: Path) -> None:
    directory = _figures_dir(tmp_path, "version: 1\n")
    (directory / "patterns.yaml").write_bytes(b"version: 1\n# caf\xe9\n")
    with pytest.raises(ZhnewsError) as err:
        _load_figures(directory)
    _assert_e005(err, directory / "patterns.yaml", 2, "UTF-8")


# ----------------------------------------------------------------- figures: long strings

ADVERSARIAL = {
    "digits": "'9' * 100_000",
    "digits_then_unit": "'9' * 100_000 + '亿元'",
    "fullwidth_digits": "'９' * 100_000",
    "yi": "'1' + '亿' * 100_000 + '元'",
    "cn_numerals": "'一二三四五六七八九十百千万' * 8_000",
    "commas": "'1,' * 50_000",
    "dates": "'2024年' * 20_000",
    "percent": "'1.5' * 30_000 + '%'",
    "spaces": "'1 ' * 50_000",
    # Each 万亿 can be one big unit or two (万, 亿): exponential in an ambiguous loop.
    "wanyi": "'一' + '万亿' * 40 + '!'",
    "wanyi_money": "'一' + '万亿' * 40 + '美'",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_rules_hostile_figures_long_adversarial_strings_finish(name: str) -> None:
    out = _run_isolated(
        f"""
        from pipeline.figures.recognizer import FigureEngine
        engine = FigureEngine.from_paths()
        text = {ADVERSARIAL[name]}
        found = engine.find(text, "2025-03-26")
        assert all(0 <= c.start < c.end <= len(text) for c in found)
        print(len(text), len(found))
        """
    )
    assert out.split()[0].isdigit()


def test_rules_hostile_evil_pattern_refused_before_it_can_run(tmp_path: Path) -> None:
    """The classic evil pattern on its classic input: refused at load, never matched.

    Unguarded, ``(a+)+$`` against 'a' * 40 + '!' takes hours; the subprocess shows
    the load refuses it immediately, and that the bounded helpers finish on a
    polynomial pattern that a caller explicitly allowed.
    """
    text, _ = _one_rule("(?P<num>(a+)+$)")
    directory = _figures_dir(tmp_path, text)
    out = _run_isolated(
        f"""
        import re
        from pipeline.errors import ZhnewsError
        from pipeline.figures.recognizer import FigureEngine
        from pipeline.safety.regex_guard import bounded_finditer, check_pattern
        d = {str(directory)!r}
        try:
            FigureEngine.from_paths(d + "/patterns.yaml", d + "/lexicon.yaml",
                                    d + "/fiscal_years.yaml")
        except ZhnewsError as err:
            print("REFUSED", err)
        else:
            # Only reached if the guard is not wired in: prove the danger is real.
            re.match("(a+)+$", "a" * 40 + "!")
        check_pattern(r"\\d+\\d+x", allow_polynomial=True)
        hits = list(bounded_finditer(re.compile(r"\\d+\\d+x"), "1" * 200_000, max_window=300,
                                     overlap=30))
        print("BOUNDED", len(hits))
        """,
        timeout=SUBPROCESS_TIMEOUT_S,
    )
    assert "REFUSED" in out and "[E005]" in out
    assert "BOUNDED 0" in out


# ----------------------------------------------------------------- ORG rule files


def _copy_dir(source: Path, target: Path) -> Path:
    if not source.is_dir():
        pytest.skip(f"{source} not present")
    target.mkdir()
    for path in source.iterdir():
        if path.is_file():
            (target / path.name).write_bytes(path.read_bytes())
    return target


def _append(path: Path, line: str) -> int:
    """Append a line to a rule file; return its line number."""
    text = path.read_text(encoding="utf8") if path.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    text += line + "\n"
    path.write_text(text, encoding="utf8")
    return text.count("\n")


ORG_BAD_ROWS = [
    ("suffixes.tsv", "集团\tlots\t8", "confidence"),
    ("suffixes.tsv", "集团\t0.9", "columns"),
    ("suffixes.tsv", "银行\t7.5\t8", "not in"),
    ("list_triggers.tsv", "客户包括\t0.8\textra", "columns"),
    ("trad_simp.tsv", "銀行\t银行", "character"),
    ("gazetteer.tsv", "腾讯控股\t腾讯\tBAD CODE!", "stock code"),
    ("gazetteer.tsv", "A\tB\tC\tD", "columns"),
]


@pytest.mark.parametrize(("name", "row", "reason"), ORG_BAD_ROWS)
def test_rules_hostile_orgs_bad_rows_refused(tmp_path: Path, name: str, row: str, reason: str):
    from pipeline.orgs.rules import load_rules

    directory = _copy_dir(ORGS, tmp_path / "orgs")
    line = _append(directory / name, row)
    with pytest.raises(ZhnewsError) as err:
        load_rules(directory)
    _assert_e005(err, directory / name, line, reason)


@pytest.mark.parametrize("name", ["gazetteer.tsv", "suffixes.tsv", "exclusions.tsv"])
def test_rules_hostile_orgs_non_utf8_refused(tmp_path: Path, name: str) -> None:
    from pipeline.orgs.rules import load_rules

    directory = _copy_dir(ORGS, tmp_path / "orgs")
    (directory / name).write_bytes(b"# ok\n\xff\xfe\xfd\n")
    with pytest.raises(ZhnewsError) as err:
        load_rules(directory)
    message = str(err.value)
    assert message.startswith("[E005]") and name in message, message


# (``|`` separates aliases in the gazetteer, so it cannot be part of a name.)
INERT_NAMES = ["(a+)+$", "a+b", ".*", "[^x]{1,9}", "__import__('os').system('id')", "$(id)"]


@pytest.mark.parametrize("name", INERT_NAMES)
def test_rules_hostile_orgs_metacharacters_are_literal(tmp_path: Path, name: str) -> None:
    """A regex or code in a gazetteer name is text: it matches itself, nothing else."""
    from pipeline.orgs.rules import load_rules

    directory = _copy_dir(ORGS, tmp_path / "orgs")
    _append(directory / "gazetteer.tsv", f"测试公司{len(name)}\t{name}")
    rules = load_rules(directory)
    names = {a for e in rules.gazetteer for a in e.aliases}
    assert name in names
    sentinel = tmp_path / "PWNED"
    out = _run_isolated(
        f"""
        from pipeline.orgs.matchers import OrgMatchers
        from pipeline.orgs.rules import load_rules
        rules = load_rules({str(directory)!r})
        matchers = OrgMatchers(rules, lambda s: s)
        text = "a" * 100_000 + "!" + "x" * 1000 + "。" + {name!r}
        hits = [(m.start, m.end) for m in matchers.gazetteer(text)]
        print(hits[-1] if hits else None, len(hits))
        """
    )
    n = 100_000 + 1 + 1000 + 1
    assert f"({n}, {n + len(name)}) " in out, out  # only the literal occurrence matches
    assert not sentinel.exists()


# ----------------------------------------------------------------- relation lexicons

REL_BAD_ROWS = [
    ("metrics.tsv", "营收\trevenue", "columns"),
    ("cues.tsv", "comparison\t同比\tsideways", ""),
    ("cues.tsv", "nonsense\t同比\tyoy", ""),
    ("anaphors.tsv", "该公司\tsomeone", "target"),
    ("metrics.tsv", "营 收\trevenue\tamount", "whitespace"),
    ("metrics.tsv", "营" * 41 + "\trevenue\tamount", "longer"),
]


@pytest.mark.parametrize(("name", "row", "reason"), REL_BAD_ROWS)
def test_rules_hostile_relations_bad_rows_refused(tmp_path: Path, name: str, row: str, reason):
    from pipeline.relations.lexicon import load_lexicons

    directory = _copy_dir(RELATIONS, tmp_path / "relations")
    line = _append(directory / name, row)
    with pytest.raises(ZhnewsError) as err:
        load_lexicons(directory)
    _assert_e005(err, directory / name, line, reason)


@pytest.mark.parametrize("name", ["metrics.tsv", "cues.tsv", "segments.tsv", "anaphors.tsv"])
def test_rules_hostile_relations_non_utf8_refused(tmp_path: Path, name: str) -> None:
    from pipeline.relations.lexicon import load_lexicons

    directory = _copy_dir(RELATIONS, tmp_path / "relations")
    (directory / name).write_bytes(b"# ok\n\xff\xfe\xfd\n")
    with pytest.raises(ZhnewsError) as err:
        load_lexicons(directory)
    message = str(err.value)
    assert message.startswith("[E005]") and name in message, message


@pytest.mark.parametrize("surface", ["(a+)+$", "a|b", ".*", "__import__('os')"])
def test_rules_hostile_relations_metacharacters_are_literal(tmp_path: Path, surface: str):
    from pipeline.relations.lexicon import load_lexicons

    directory = _copy_dir(RELATIONS, tmp_path / "relations")
    _append(directory / "metrics.tsv", f"{surface}\tevil_metric\tamount")
    lexicons = load_lexicons(directory)
    assert any(canon == "evil_metric" for canon, _ in lexicons.metrics.values())
    out = _run_isolated(
        f"""
        from pipeline.relations.lexicon import load_lexicons
        from pipeline.relations.mentions import MentionFinder
        finder = MentionFinder(load_lexicons({str(directory)!r}))
        text = "a" * 100_000 + "!"
        print(sum(1 for _ in finder.metric_re.finditer(text)))
        """
    )
    assert out.strip().isdigit()
