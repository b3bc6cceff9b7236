"""Load and validate the ORG rule files in ``configs/orgs/`` (data users edit).

Every file is plain UTF-8 text with ``#`` comments.  Nothing in a rule file is ever
executed: each line is split on TABs and checked, and a malformed line raises
``ZhnewsError(Errors.E005)`` naming the file, the line number and the reason, so a
typo in a user's edit is found at load time instead of silently changing results.

The loaded rules are kept in one :class:`OrgRules` value that serialises to a plain
JSON-able dict, so the component can embed it in ``to_disk`` without the files.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import Errors, ZhnewsError
from pipeline.safety.rule_files import tsv_rows

GAZETTEER_FILE = "gazetteer.tsv"
# The large list of listed companies, banks, brokers, funds, insurers, exchanges and state
# bodies; kept apart from the hand-curated ``gazetteer.tsv`` so each file stays reviewable.
LISTED_FILE = "listed_companies.tsv"
# Further gazetteers a user adds (``gazetteer_<topic>.tsv``) are loaded after these two,
# in name order; every file is validated the same way.
EXTRA_GAZETTEER_GLOB = "gazetteer_*.tsv"
SUFFIX_FILE = "suffixes.tsv"
EXCLUSION_FILE = "exclusions.tsv"
TRIGGER_FILE = "list_triggers.tsv"
TAIL_FILE = "list_tails.tsv"
TRAD_FILE = "trad_simp.tsv"
DESCRIPTOR_FILE = "descriptors.tsv"
SUBJECT_FILE = "subject_triggers.tsv"
LEADING_FILE = "leading_words.tsv"

# Characters that may not occur inside a name or alias (they are our separators or
# would make a match span a sentence boundary).
_FORBIDDEN_IN_NAME = set("\t|\n\r。，；;")


@dataclass(frozen=True)
class GazetteerEntry:
    """One organisation: canonical name, aliases (strong and weak) and stock codes."""

    canonical: str
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


@dataclass
class OrgRules:
    """Everything the rule side of the ORG recogniser needs, validated."""

    gazetteer: list[GazetteerEntry] = field(default_factory=list)
    # suffix -> (confidence, max_name_chars)
    suffixes: dict[str, tuple[float, int]] = field(default_factory=dict)
    exclusions: dict[str, str] = field(default_factory=dict)
    triggers: dict[str, float] = field(default_factory=dict)
    # Words closing a list of listed companies in market news (A、B、C等跟涨).
    list_tails: dict[str, float] = field(default_factory=dict)
    trad_simp: dict[str, str] = field(default_factory=dict)
    descriptors: list[str] = field(default_factory=list)
    subject_triggers: dict[str, float] = field(default_factory=dict)
    # Verbs and role words that precede a name and never start one (股东|厦门象屿集团).
    leading_words: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (embedded by the component's ``to_disk``)."""
        return {
            "gazetteer": [
                {
                    "canonical": e.canonical,
                    "aliases": list(e.aliases),
                    "weak_aliases": list(e.weak_aliases),
                    "codes": list(e.codes),
                }
                for e in self.gazetteer
            ],
            "suffixes": {k: list(v) for k, v in self.suffixes.items()},
            "exclusions": dict(self.exclusions),
            "triggers": dict(self.triggers),
            "list_tails": dict(self.list_tails),
            "trad_simp": dict(self.trad_simp),
            "descriptors": list(self.descriptors),
            "subject_triggers": dict(self.subject_triggers),
            "leading_words": list(self.leading_words),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OrgRules:
        """Inverse of :meth:`to_dict`."""
        return cls(
            gazetteer=[
                GazetteerEntry(
                    canonical=e["canonical"],
                    aliases=tuple(e.get("aliases", ())),
                    weak_aliases=tuple(e.get("weak_aliases", ())),
                    codes=tuple(e.get("codes", ())),
                )
                for e in data.get("gazetteer", [])
            ],
            suffixes={k: (float(v[0]), int(v[1])) for k, v in data.get("suffixes", {}).items()},
            exclusions=dict(data.get("exclusions", {})),
            triggers={k: float(v) for k, v in data.get("triggers", {}).items()},
            list_tails={k: float(v) for k, v in data.get("list_tails", {}).items()},
            trad_simp=dict(data.get("trad_simp", {})),
            descriptors=list(data.get("descriptors", [])),
            subject_triggers={k: float(v) for k, v in data.get("subject_triggers", {}).items()},
            leading_words=list(data.get("leading_words", [])),
        )


def _lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, TAB columns) for every non-comment, non-blank line."""
    return tsv_rows(path)


def _fail(path: Path, line: int, reason: str) -> ZhnewsError:
    return ZhnewsError(Errors.E005.format(path=path, line=line, reason=reason))


def _check_name(path: Path, line: int, name: str, what: str) -> str:
    if not name:
        raise _fail(path, line, f"empty {what}")
    bad = sorted(set(name) & _FORBIDDEN_IN_NAME)
    if bad:
        raise _fail(path, line, f"{what} {name!r} contains forbidden character(s) {bad}")
    if len(name) > 40:
        raise _fail(path, line, f"{what} {name!r} is longer than 40 characters")
    return name


# folded name -> (canonical, file, line) of the entry that first used it
NameOwners = dict[str, tuple[str, Path, int]]


def name_key(name: str, trad_simp: dict[str, str] | None = None) -> str:
    """The form two names are compared in: NFKC (full-width folded), traditional
    characters mapped to simplified, case-folded.  Matching runs on the same kind of
    form, so two aliases equal here would be indistinguishable in text."""
    text = unicodedata.normalize("NFKC", name)
    if trad_simp:
        text = "".join(trad_simp.get(ch, ch) for ch in text)
    return text.casefold()


def load_gazetteer(
    path: Path,
    owners: NameOwners | None = None,
    trad_simp: dict[str, str] | None = None,
) -> list[GazetteerEntry]:
    """Parse ``canonical<TAB>aliases<TAB>codes``; reject duplicates and bad names.

    ``owners`` carries the names of files loaded before this one (see
    :func:`load_gazetteers`): a name already used by another organisation, or listed
    in another file at all, is rejected with both locations, because a name that
    points to two entries cannot be linked to one canonical.
    """
    entries: list[GazetteerEntry] = []
    owner: NameOwners = owners if owners is not None else {}
    for number, cols in _lines(path):
        if len(cols) > 3:
            raise _fail(path, number, f"expected at most 3 TAB-separated columns, got {len(cols)}")
        canonical = _check_name(path, number, cols[0], "canonical name")
        if canonical.startswith("~"):
            raise _fail(path, number, "a canonical name cannot be weak ('~')")
        strong: list[str] = []
        weak: list[str] = []
        if len(cols) > 1 and cols[1]:
            for alias in cols[1].split("|"):
                alias = alias.strip()
                if alias.startswith("~"):
                    weak.append(_check_name(path, number, alias[1:].strip(), "weak alias"))
                else:
                    strong.append(_check_name(path, number, alias, "alias"))
        codes: list[str] = []
        if len(cols) > 2 and cols[2]:
            for code in cols[2].split("|"):
                code = code.strip().replace(" ", "")
                if not code or not all(ch.isalnum() or ch in ".:-" for ch in code):
                    raise _fail(path, number, f"bad stock code {code!r}")
                codes.append(code.upper())
        for name in (canonical, *strong, *weak):
            key = name_key(name, trad_simp)
            if key in owner:
                other, other_path, other_line = owner[key]
                if other != canonical:
                    raise _fail(
                        path,
                        number,
                        f"name {name!r} already belongs to {other!r} "
                        f"({other_path}:{other_line}); an alias must name one organisation",
                    )
                if other_path != path:
                    raise _fail(
                        path,
                        number,
                        f"name {name!r} is already listed in {other_path}:{other_line}; "
                        "an organisation belongs in one gazetteer file",
                    )
            owner[key] = (canonical, path, number)
        entries.append(GazetteerEntry(canonical, tuple(strong), tuple(weak), tuple(codes)))
    return entries


def gazetteer_files(directory: Path | str) -> list[Path]:
    """The gazetteer files of a rule directory, in load order: ``gazetteer.tsv``,
    ``listed_companies.tsv``, then ``gazetteer_*.tsv`` by name (missing ones skipped)."""
    directory = Path(directory)
    fixed = [directory / GAZETTEER_FILE, directory / LISTED_FILE]
    extra = sorted(p for p in directory.glob(EXTRA_GAZETTEER_GLOB) if p not in fixed)
    return [p for p in (*fixed, *extra) if p.is_file()]


def load_gazetteers(
    paths: Sequence[Path], trad_simp: dict[str, str] | None = None
) -> list[GazetteerEntry]:
    """Load several gazetteer files as one: every line validated with its file and
    line, and a name used in two files (or by two organisations) rejected with both
    locations."""
    owners: NameOwners = {}
    entries: list[GazetteerEntry] = []
    for path in paths:
        entries.extend(load_gazetteer(path, owners, trad_simp))
    return entries


def load_suffixes(path: Path) -> dict[str, tuple[float, int]]:
    """Parse ``suffix<TAB>confidence<TAB>max_name_chars``."""
    out: dict[str, tuple[float, int]] = {}
    for number, cols in _lines(path):
        if len(cols) != 3:
            raise _fail(path, number, f"expected 3 TAB-separated columns, got {len(cols)}")
        suffix = _check_name(path, number, cols[0], "suffix")
        try:
            conf = float(cols[1])
            max_chars = int(cols[2])
        except ValueError:
            raise _fail(
                path, number, "confidence must be a number and max_name_chars an integer"
            ) from None
        if not 0.0 < conf <= 1.0:
            raise _fail(path, number, f"confidence {conf} is not in (0, 1]")
        if not 1 <= max_chars <= 30:
            raise _fail(path, number, f"max_name_chars {max_chars} is not in 1..30")
        if suffix in out:
            raise _fail(path, number, f"duplicate suffix {suffix!r}")
        out[suffix] = (conf, max_chars)
    return out


def load_exclusions(path: Path) -> dict[str, str]:
    """Parse ``text[<TAB>category]``."""
    out: dict[str, str] = {}
    for number, cols in _lines(path):
        if len(cols) > 2:
            raise _fail(path, number, f"expected at most 2 TAB-separated columns, got {len(cols)}")
        text = _check_name(path, number, cols[0], "exclusion")
        out[text] = cols[1] if len(cols) > 1 and cols[1] else "generic"
    return out


def load_triggers(path: Path) -> dict[str, float]:
    """Parse ``trigger<TAB>confidence``."""
    out: dict[str, float] = {}
    for number, cols in _lines(path):
        if len(cols) != 2:
            raise _fail(path, number, f"expected 2 TAB-separated columns, got {len(cols)}")
        trigger = _check_name(path, number, cols[0], "trigger")
        try:
            conf = float(cols[1])
        except ValueError:
            raise _fail(path, number, f"confidence {cols[1]!r} is not a number") from None
        if not 0.0 < conf <= 1.0:
            raise _fail(path, number, f"confidence {conf} is not in (0, 1]")
        out[trigger] = conf
    return out


def load_words(path: Path, kind: str = "word") -> list[str]:
    """Parse one word per line (descriptors, leading words); duplicates are rejected."""
    out: list[str] = []
    for number, cols in _lines(path):
        if len(cols) != 1:
            raise _fail(path, number, f"expected one word per line, got {len(cols)} columns")
        word = _check_name(path, number, cols[0], kind)
        if word in out:
            raise _fail(path, number, f"duplicate {kind} {word!r}")
        out.append(word)
    return out


def load_descriptors(path: Path) -> list[str]:
    """Parse one descriptor word per line."""
    return load_words(path, "descriptor")


def load_leading_words(path: Path) -> list[str]:
    """Parse one leading word (a verb or role word that precedes names) per line."""
    return load_words(path, "leading word")


def load_trad_simp(path: Path) -> dict[str, str]:
    """Parse ``traditional<TAB>simplified`` (exactly one character each side)."""
    out: dict[str, str] = {}
    for number, cols in _lines(path):
        if len(cols) != 2 or len(cols[0]) != 1 or len(cols[1]) != 1:
            raise _fail(path, number, "expected one traditional and one simplified character")
        out[cols[0]] = cols[1]
    return out


def load_rules(directory: Path | str) -> OrgRules:
    """Load every ORG rule file from ``directory`` (missing files mean empty rules)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ZhnewsError(
            Errors.E005.format(path=directory, line=0, reason="rule directory not found")
        )

    def maybe(name: str, loader, default):
        path = directory / name
        return loader(path) if path.exists() else default

    # Read first: gazetteer names are compared for duplicates in simplified form.
    trad_simp = maybe(TRAD_FILE, load_trad_simp, {})
    return OrgRules(
        gazetteer=load_gazetteers(gazetteer_files(directory), trad_simp),
        suffixes=maybe(SUFFIX_FILE, load_suffixes, {}),
        exclusions=maybe(EXCLUSION_FILE, load_exclusions, {}),
        triggers=maybe(TRIGGER_FILE, load_triggers, {}),
        list_tails=maybe(TAIL_FILE, load_triggers, {}),
        trad_simp=trad_simp,
        descriptors=maybe(DESCRIPTOR_FILE, load_descriptors, []),
        subject_triggers=maybe(SUBJECT_FILE, load_triggers, {}),
        leading_words=maybe(LEADING_FILE, load_leading_words, []),
    )
