"""Check the ORG gazetteer files: duplicates and aliases that should be WEAK (``~``).

    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python -m training.org.gazetteer_check
        [--rules configs/orgs] [--all] [--min-outside 3]

A strong gazetteer name always becomes an ORG, so a name that is also an ordinary word,
a place or a brand (华夏, 长安, 新希望 ...) produces false positives on every text it
occurs in.  Intuition misses many of these, so the decision is made from data: every
name (canonical, strong and weak alias) is counted in the labelled MSRA + CLUENER train
texts *inside* gold ORG spans and *outside* any ORG span, and in THUCNews finance text
(unlabelled: how common the string is in financial news).  Texts and names are compared
in the same match form as the recogniser (traditional -> simplified, full-width folded,
ASCII lower-cased), ASCII names only where they do not touch other letters or digits.

Flagged (printed as ``file:line``, exit status 1 when any):

* a **duplicate**: a name used by two organisations or listed in two files (the loader
  rejects these too, but only the first; this lists them all);
* a **strong** name found mostly outside ORG spans (``outside >= --min-outside`` and an
  outside share >= 0.5);
* a **short** strong name (<= 2 Han characters or <= 3 ASCII characters) that occurs
  outside ORG spans at all often (outside >= 2 and share >= 0.25), or that is frequent
  in finance text (THUCNews >= 20) with no labelled evidence either way;
* a strong name that in financial news mostly **starts inside a word** (pkuseg tokens
  of THUCNews and the unlabelled CFSC sentences): ``中海外`` in ``其中|海外``, ``中煤``
  in ``其中|煤炭`` (at least 2 such starts and half of its occurrences).

The fix is to mark the alias ``~`` (or, for a canonical name, to make the full name the
canonical and the short name a weak alias), never to change the evaluation sets.
``--all`` also prints the counts of every name and weak aliases that the data suggest
could be strong.  Only MSRA / CLUENER *train* texts are used (no evaluation set).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.orgs.features import Normaliser
from pipeline.orgs.matchers import NameScanner
from pipeline.orgs.rules import gazetteer_files, load_trad_simp, name_key
from pipeline.safety.rule_files import tsv_rows
from training.org.data import REPO_ROOT, SHARED, Example, msra_splits, read_cluener

SHORT_HAN = 2
SHORT_ASCII = 3
THUC_COMMON = 20


@dataclass
class NameRow:
    """One name of one gazetteer line, with where it was written."""

    name: str
    canonical: str
    weak: bool
    is_canonical: bool
    path: Path
    line: int


@dataclass
class Counts:
    """Occurrences of one folded name."""

    inside: int = 0  # within a gold ORG span
    outside: int = 0  # overlapping no gold ORG span
    partial: int = 0  # crossing an ORG span boundary
    thuc: int = 0  # THUCNews finance text (unlabelled)
    news: int = 0  # occurrences in segmented finance news (THUCNews + CFSC unlabelled)
    mid_word: int = 0  # ... of which start inside a pkuseg word

    @property
    def labelled(self) -> int:
        return self.inside + self.outside

    @property
    def outside_share(self) -> float:
        return self.outside / self.labelled if self.labelled else 0.0


@dataclass
class Report:
    """What the check found."""

    duplicates: list[str] = field(default_factory=list)
    flagged: list[tuple[NameRow, Counts, str]] = field(default_factory=list)
    could_be_strong: list[tuple[NameRow, Counts]] = field(default_factory=list)


def read_names(paths: Sequence[Path], trad_simp: dict[str, str]) -> tuple[list[NameRow], list[str]]:
    """Every name of every gazetteer line, leniently (duplicates are collected, not raised)."""
    rows: list[NameRow] = []
    duplicates: list[str] = []
    owner: dict[str, NameRow] = {}
    for path in paths:
        for number, cols in tsv_rows(path):
            canonical = cols[0].strip()
            names = [(canonical, False, True)]
            if len(cols) > 1 and cols[1]:
                for alias in cols[1].split("|"):
                    alias = alias.strip()
                    weak = alias.startswith("~")
                    names.append((alias.lstrip("~").strip(), weak, False))
            for name, weak, is_canon in names:
                if not name:
                    continue
                row = NameRow(name, canonical, weak, is_canon, path, number)
                key = name_key(name, trad_simp)
                first = owner.get(key)
                if first is not None and (first.canonical != canonical or first.path != path):
                    duplicates.append(
                        f"{_loc(row)}: {name!r} ({canonical}) duplicates "
                        f"{_loc(first)} ({first.canonical})"
                    )
                owner.setdefault(key, row)
                rows.append(row)
    return rows, duplicates


def _loc(row: NameRow) -> str:
    try:
        shown = row.path.resolve().relative_to(REPO_ROOT)
    except ValueError:
        shown = row.path
    return f"{shown}:{row.line}"


class NameIndex:
    """All occurrences of a set of names in a text (by two-character prefix, then
    length), including overlapping ones: each name is counted on its own."""

    def __init__(self, names: Iterable[str]) -> None:
        self.single: set[str] = set()
        self.by_prefix: dict[str, set[int]] = defaultdict(set)
        self.names: set[str] = set()
        for name in names:
            if not name:
                continue
            self.names.add(name)
            if len(name) == 1:
                self.single.add(name)
            else:
                self.by_prefix[name[:2]].add(len(name))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        out = []
        for i in range(len(text)):
            if text[i] in self.single:
                out.append((i, i + 1, text[i]))
            lengths = self.by_prefix.get(text[i : i + 2])
            if lengths:
                for length in lengths:
                    cand = text[i : i + length]
                    if len(cand) == length and cand in self.names:
                        out.append((i, i + length, cand))
        return [m for m in out if _ascii_clear(text, m[0], m[1])]


def _ascii_clear(text: str, s: int, e: int) -> bool:
    """ASCII names may not touch ASCII letters/digits (``AMD`` in ``AMDX`` is no match)."""

    def alnum(ch: str) -> bool:
        return ch.isascii() and ch.isalnum()

    if alnum(text[s]) and s > 0 and alnum(text[s - 1]):
        return False
    return not (alnum(text[e - 1]) and e < len(text) and alnum(text[e]))


def count(
    index: NameIndex,
    fold: Normaliser,
    labelled: Iterable[Example],
    unlabelled: Iterable[str],
) -> dict[str, Counts]:
    """Inside / outside / partial counts over labelled examples, plain counts elsewhere."""
    counts: dict[str, Counts] = defaultdict(Counts)
    for ex in labelled:
        spans = ex.spans
        for s, e, name in index.find(fold(ex.text)):
            c = counts[name]
            if any(a <= s and e <= b for a, b in spans):
                c.inside += 1
            elif any(a < e and s < b for a, b in spans):
                c.partial += 1
            else:
                c.outside += 1
    for text in unlabelled:
        for _, _, name in index.find(fold(text)):
            counts[name].thuc += 1
    return counts


def count_word_starts(
    index: NameIndex, fold: Normaliser, texts: Iterable[str], counts: dict[str, Counts]
) -> None:
    """Occurrences in segmented news and how many start inside a pkuseg word: a name
    that usually starts mid-word is a substring of other words (其中|海外 -> 中海外),
    which the gazetteer would match wherever the word occurs."""
    from training.org.tokens import PkusegTokens

    tokens = PkusegTokens()
    # The matcher's own leftmost-longest matches (保监会 inside 银保监会 is no match).
    scanner = NameScanner(index.names)
    for text in texts:
        form = fold(text)
        found = list(scanner.finditer(form))
        if not found:
            continue
        starts = {s for s, _, _ in tokens(text)}
        for s, e in found:
            c = counts[form[s:e]]
            c.news += 1
            c.mid_word += s not in starts


def is_short(name: str) -> bool:
    """1-2 Han characters, or an ASCII name of at most 3 characters."""
    return len(name) <= (SHORT_ASCII if name.isascii() else SHORT_HAN)


def judge(
    rows: Sequence[NameRow], counts: dict[str, Counts], fold: Normaliser, min_outside: int
) -> Report:
    """Apply the flag rules of the module docstring."""
    report = Report()
    for row in rows:
        c = counts.get(fold(row.name), Counts())
        if row.weak:
            if c.inside >= 5 and c.outside == 0:
                report.could_be_strong.append((row, c))
            continue
        reason = None
        if c.outside >= min_outside and c.outside_share >= 0.5:
            reason = "mostly outside ORG spans"
        elif is_short(row.name) and c.outside >= 2 and c.outside_share >= 0.25:
            reason = "short and often outside ORG spans"
        elif is_short(row.name) and c.labelled == 0 and c.thuc >= THUC_COMMON:
            reason = "short and common in finance text, no labelled evidence"
        elif c.mid_word >= 2 and c.mid_word * 2 >= c.news:
            reason = "in finance news it mostly starts inside a word"
        if reason:
            report.flagged.append((row, c, reason))
    return report


def _news_sentences() -> list[str]:
    """Unlabelled finance news sentences (THUCNews, CFSC unlabelled; no evaluation set)."""
    texts: list[str] = []
    for path in (
        SHARED / "thucnews" / "finance_sentences.txt",
        SHARED / "cfsc_fin_news" / "sentences_unlabeled.txt",
    ):
        if path.is_file():
            texts += [ln for ln in path.read_text(encoding="utf8").splitlines() if ln.strip()]
    return texts


def _thucnews_texts() -> list[str]:
    texts: list[str] = []
    sentences = SHARED / "thucnews" / "finance_sentences.txt"
    if sentences.is_file():
        texts += [ln for ln in sentences.read_text(encoding="utf8").splitlines() if ln.strip()]
    titles = SHARED / "thucnews" / "finance_stocks_titles.tsv"
    if titles.is_file():
        texts += [ln.split("\t")[0] for ln in titles.read_text(encoding="utf8").splitlines()]
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=REPO_ROOT / "configs" / "orgs")
    parser.add_argument("--all", action="store_true", help="print the counts of every name")
    parser.add_argument("--min-outside", type=int, default=3)
    parser.add_argument(
        "--no-words", action="store_true", help="skip the word-start check (no pkuseg run)"
    )
    args = parser.parse_args(argv)

    trad_file = args.rules / "trad_simp.tsv"
    trad_simp = load_trad_simp(trad_file) if trad_file.is_file() else {}
    fold = Normaliser(trad_simp, collapse_digits=False)
    rows, duplicates = read_names(gazetteer_files(args.rules), trad_simp)
    print(f"{len(rows)} names on {len({(r.path, r.line) for r in rows})} gazetteer lines")

    if not (SHARED / "msra_ner" / "train.bio").is_file():
        print(f"../shared/data not found at {SHARED}: only duplicates are checked")
        labelled: list[Example] = []
        unlabelled: list[str] = []
    else:
        msra_train, _dev, _test = msra_splits()
        labelled = [*msra_train, *read_cluener(SHARED / "cluener2020" / "train.json")]
        unlabelled = _thucnews_texts()
        print(f"counted in {len(labelled)} labelled and {len(unlabelled)} unlabelled texts")
    index = NameIndex(fold(r.name) for r in rows)
    counts = count(index, fold, labelled, unlabelled)
    if labelled and not args.no_words:
        news = _news_sentences()
        count_word_starts(index, fold, news, counts)
        print(f"word starts checked in {len(news)} segmented news sentences")
    report = judge(rows, counts, fold, args.min_outside)
    report.duplicates = duplicates

    for line in report.duplicates:
        print(f"DUPLICATE {line}")
    for row, c, reason in report.flagged:
        print(
            f"WEAK? {_loc(row)}: {row.name!r} ({row.canonical}) {reason}: "
            f"in ORG {c.inside}, outside {c.outside}, partial {c.partial}, THUCNews {c.thuc}, "
            f"news {c.news} ({c.mid_word} starting mid-word)"
        )
    if args.all:
        for row, c in report.could_be_strong:
            print(
                f"strong? {_loc(row)}: ~{row.name} only inside ORG spans "
                f"(in ORG {c.inside}, THUCNews {c.thuc})"
            )
        for row in rows:
            c = counts.get(fold(row.name), Counts())
            if c.labelled or c.thuc:
                mark = "~" if row.weak else ""
                print(
                    f"count {_loc(row)}: {mark}{row.name} in ORG {c.inside}, "
                    f"outside {c.outside}, partial {c.partial}, THUCNews {c.thuc}, "
                    f"news {c.news} ({c.mid_word} mid-word)"
                )
    print(f"{len(report.duplicates)} duplicate(s), {len(report.flagged)} name(s) to review")
    return 1 if report.duplicates or report.flagged else 0


if __name__ == "__main__":
    sys.exit(main())
