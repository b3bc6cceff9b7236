"""Rule files are data only: tags, anchors and aliases are refused with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ZhnewsError
from pipeline.safety.rule_files import check_yaml_data_only, read_rule_text

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("a: !!python/object/apply:os.system ['echo pwned']\n", 1, "YAML tag"),
        ("x: 1\ny: !!python/name:os.system\n", 2, "YAML tag"),
        ("x: 1\n\nz: !!python/object/new:subprocess.Popen [['id']]\n", 3, "YAML tag"),
        ("x: !<tag:yaml.org,2002:python/object:os.system> 1\n", 1, "YAML tag"),
        ("a: !custom 1\n", 1, "YAML tag"),
        ("- !!binary aGVsbG8=\n", 1, "YAML tag"),
        ("a: &x [1, 2]\n", 1, "anchors"),
        ("a: [1]\nb: *x\n", 2, "aliases"),
        ("a: [1,\n", 2, "not valid YAML"),
    ],
)
def test_rule_files_yaml_refusals(text: str, line: int, reason: str) -> None:
    with pytest.raises(ZhnewsError) as info:
        check_yaml_data_only(text, "configs/x.yaml")
    message = str(info.value)
    assert message.startswith("[E005] Rule file 'configs/x.yaml'")
    assert f"line {line}:" in message
    assert reason in message


def test_rule_files_billion_laughs_refused_before_expansion() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    with pytest.raises(ZhnewsError, match="anchors"):
        check_yaml_data_only("\n".join(lines) + "\n", "bomb.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nrules:\n  - id: money.x\n    pattern: '[0-9]+元'\n",
        "a: !!str 5\nb: 'plain'\nc: [1, 2.5, true, null]\n",
        "# only a comment\n",
        "",
    ],
)
def test_rule_files_plain_yaml_accepted(text: str) -> None:
    check_yaml_data_only(text, "ok.yaml")


@pytest.mark.parametrize("name", ["patterns.yaml", "lexicon.yaml", "fiscal_years.yaml"])
def test_rule_files_shipped_yaml_is_data_only(name: str) -> None:
    path = REPO_ROOT / "configs" / "figures" / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    check_yaml_data_only(read_rule_text(path), path)


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"a\nb\n\xff\xfe\n", 3, "not UTF-8"),
        (b"ok\n\x00\n", 2, "NUL"),
        (b"x" * 200, 0, "larger than"),
    ],
)
def test_rule_files_read_rule_text_refusals(
    tmp_path: Path, data: bytes, line: int, reason: str
) -> None:
    path = tmp_path / "r.tsv"
    path.write_bytes(data)
    with pytest.raises(ZhnewsError) as info:
        read_rule_text(path, max_bytes=100)
    assert f"line {line}:" in str(info.value)
    assert reason in str(info.value)


@pytest.mark.parametrize(("data", "text"), [(b"\xef\xbb\xbfa\tb\n", "a\tb\n"), (b"", "")])
def test_rule_files_read_rule_text_ok(tmp_path: Path, data: bytes, text: str) -> None:
    path = tmp_path / "r.tsv"
    path.write_bytes(data)
    assert read_rule_text(path) == text


def test_rule_files_read_rule_text_missing(tmp_path: Path) -> None:
    with pytest.raises(ZhnewsError, match="cannot read"):
        read_rule_text(tmp_path / "missing.tsv")
