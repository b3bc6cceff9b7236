"""Meta-test: every point of the hardening issue (#8) has a test module that tests it.

Why: a robustness suite rots silently when a module is renamed or emptied.  This test
lists the issue's points, the module(s) that cover each one and, where useful, words
that must appear in that module (the behaviour it is meant to exercise).  It reads the
files with ``ast`` only: nothing is imported or run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent

# point -> [(test module relative to tests/, words that must all appear in it)]
COVERAGE: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "record errors (malformed JSON, text/date, UTF-8, surrogates, control chars)": [
        ("robustness/test_records.py", ()),
    ],
    "accounting (outputs + errors = inputs, exit status 0/3/2/1)": [
        ("robustness/test_records.py", ()),
    ],
    "huge documents (50 MB split, offsets mapped back, bounded memory)": [
        ("robustness/test_huge_documents.py", ()),
    ],
    "crashes (kill -9 then --resume equals an uninterrupted run)": [
        ("robustness/test_resume.py", ()),
    ],
    "determinism (byte-identical output across workers and engines)": [
        ("robustness/test_determinism.py", ()),
    ],
    "rules are data (file/line/reason, evil regex, nothing executed)": [
        ("robustness/test_rules_hostile.py", ("(a+)+", "!!python", "subprocess")),
        ("safety/test_regex_guard.py", ("exponential", "polynomial")),
        ("safety/test_rule_files.py", ("YAML tag", "anchors")),
    ],
    "models (skops trusted list or arrays/JSON; tampered file refused)": [
        ("robustness/test_models_tampered.py", ("sha", "trusted")),
        (
            "safety/test_model_files.py",
            ("does not match the model card", "outside the trusted list"),
        ),
    ],
    "fuzzing (normalisers and extract: no crash, offsets, overlaps, determinism)": [
        ("robustness/test_fuzz.py", ("hypothesis", "parse_number", "validate_record")),
    ],
}


def _test_functions(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test_"
        ):
            names.append(node.name)
    return names


def _asserts_something(tree: ast.Module) -> bool:
    """At least one assert / pytest.raises / pytest.fail in the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Attribute) and node.attr in ("raises", "fail", "xfail"):
            return True
    return False


CASES = [(point, module, words) for point, mods in COVERAGE.items() for module, words in mods]


@pytest.mark.parametrize(("point", "module", "words"), CASES, ids=[c[1] for c in CASES])
def test_suite_coverage_point_has_tests(point: str, module: str, words: tuple[str, ...]) -> None:
    path = TESTS / module
    assert path.is_file(), f"issue #8 point {point!r}: {module} is missing"
    source = path.read_text(encoding="utf8")
    tree = ast.parse(source, filename=str(path))
    tests = _test_functions(tree)
    assert tests, f"{module} (covering {point!r}) contains no test functions"
    assert _asserts_something(tree), f"{module} contains tests that assert nothing"
    missing = [w for w in words if w not in source]
    assert not missing, f"{module} never mentions {missing} (needed for {point!r})"


def test_suite_coverage_readme_lists_every_module() -> None:
    readme = HERE / "README.md"
    assert readme.is_file(), "tests/robustness/README.md is missing"
    text = readme.read_text(encoding="utf8")
    modules = sorted(p.name for p in HERE.glob("test_*.py"))
    assert modules, "no robustness test modules"
    missing = [m for m in modules if m not in text]
    assert not missing, f"README.md does not describe {missing}"


@pytest.mark.parametrize("module", sorted({m for _, m, _ in CASES}))
def test_suite_coverage_names_follow_convention(module: str) -> None:
    path = TESTS / module
    if not path.is_file():
        pytest.skip(f"{module} missing (reported by test_suite_coverage_point_has_tests)")
    tree = ast.parse(path.read_text(encoding="utf8"))
    stem = path.stem.removeprefix("test_")
    # tests/<dir>/test_<module>.py holds test_<module>_<behaviour> functions (spaCy habit);
    # the robustness modules are named after the behaviour, so any test_ prefix is fine.
    if module.startswith("safety/"):
        bad = [n for n in _test_functions(tree) if not n.startswith(f"test_{stem}_")]
        assert not bad, f"{module}: rename {bad} to test_{stem}_<behaviour>"
    else:
        assert all(n.startswith("test_") for n in _test_functions(tree))
