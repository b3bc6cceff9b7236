"""Rule files are data: refuse YAML features that exist to build objects or bombs.

Why: the project's YAML loaders use a round-trip (no-Python-objects) parser, so a tag
such as ``!!python/object/apply:os.system`` is not executed, but it is *silently
dropped* and the value under it is used as plain data, which hides a hostile or broken
file.  Anchors and aliases let a few lines expand into billions of nodes ("billion
laughs") for any code that walks the data.  Rule files need neither, so a file that
contains an explicit tag, an anchor or an alias is refused with its line.

:func:`read_rule_text` is the strict reader shared by rule loaders: bounded size,
UTF-8 only (the failing line is named), no NUL characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import Errors, ZhnewsError

__all__ = ["MAX_RULE_FILE_BYTES", "check_yaml_data_only", "read_rule_text"]

#: Rule files are written by hand; anything bigger is a mistake or an attack.
MAX_RULE_FILE_BYTES = 20 * 1024 * 1024
# Tags the YAML spec resolves implicitly for plain scalars / collections; writing them
# explicitly is harmless but pointless, so only these are tolerated.
_PLAIN_TAGS = frozenset(
    {
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:seq",
        "tag:yaml.org,2002:map",
        "!!str",
        "!!int",
        "!!float",
        "!!bool",
        "!!null",
        "!!seq",
        "!!map",
    }
)


def _fail(path: str | Path, line: int, reason: str) -> ZhnewsError:
    return ZhnewsError(Errors.E005.format(path=path, line=line, reason=reason))


def check_yaml_data_only(text: str, path: str | Path) -> None:
    """Raise ``E005`` (file, line, reason) if ``text`` uses tags, anchors or aliases.

    Runs only the YAML *parser* (events), which builds no objects at all.
    """
    from srsly import ruamel_yaml

    yaml = ruamel_yaml.YAML(typ="rt")
    try:
        for event in yaml.parse(text):
            mark = getattr(event, "start_mark", None)
            line = mark.line + 1 if mark is not None else 0
            kind = type(event).__name__
            if kind == "AliasEvent":
                raise _fail(
                    path,
                    line,
                    "YAML aliases (*name) are not allowed in rule files; write the value out",
                )
            if getattr(event, "anchor", None):
                raise _fail(
                    path,
                    line,
                    f"YAML anchors (&{event.anchor}) are not allowed in rule files",
                )
            tag = getattr(event, "tag", None)
            if tag and str(tag) not in _PLAIN_TAGS:
                raise _fail(
                    path,
                    line,
                    f"YAML tag {tag!s} is not allowed: rule files hold plain data only "
                    "(nothing in them is ever constructed or executed)",
                )
    except ZhnewsError:
        raise
    except Exception as err:  # ruamel raises many error types; report them uniformly
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise _fail(path, line, f"not valid YAML: {getattr(err, 'problem', err)}") from err


def read_rule_text(path: str | Path, *, max_bytes: int = MAX_RULE_FILE_BYTES) -> str:
    """Read a rule file strictly: size-capped, UTF-8 (failing line named), no NUL."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise _fail(path, 0, f"cannot read: {err}") from err
    if len(data) > max_bytes:
        raise _fail(path, 0, f"file is larger than {max_bytes} bytes")
    try:
        text = data.decode("utf8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise _fail(path, line, f"not UTF-8 (byte {data[err.start]:#04x})") from err
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _fail(path, line, "NUL character in a text file")
    return text.removeprefix("\ufeff")


def tsv_rows(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, stripped TAB columns) of a TSV rule file read strictly,
    skipping blank lines and ``#`` comments; shared by every TSV lexicon loader."""
    for number, raw in enumerate(read_rule_text(path).splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield number, [col.strip() for col in line.split("\t")]
