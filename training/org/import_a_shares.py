"""Build ``configs/orgs/gazetteer_a_shares.tsv`` from a public list of A-share short names.

    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python -m training.org.import_a_shares
        [--csv code.csv | --wheel adata-2.9.5-py3-none-any.whl] [--out PATH] [--no-words]

Why: most organisations in Chinese financial news are listed companies, written by their
exchange short name (国华网安, 鲍斯股份).  The hand-written ``listed_companies.tsv`` covers
~2,450 of the largest; the ~5,000 others are left to the classifier, which gets a name it
has never seen right only part of the time.  A short-name list turns those into
dictionary matches, with the stock code for linking.

Source: the stock list cached inside the ``adata`` package (PyPI ``adata==2.9.5``,
Apache-2.0, file ``adata/stock/cache/code.csv``: code, short name, listing date; a
snapshot of October 2023).  Without ``--csv``/``--wheel`` the recipe downloads that wheel
from the package registry with ``pip download`` and checks its SHA-256, so the output
is the same on every machine.  Only facts (names and codes) are kept.

What is kept, and why:

* A shares only (B shares 200xxx/900xxx are the same companies under other names);
  names under special treatment or delisted (``ST``, ``*ST``, ``PT``, ``退``) are left
  out: their news name changes with the status.
* Whitespace and full-width letters are folded (``万  科Ａ`` -> ``万科A``); a trailing
  share-class ``A`` gives the name without it as the canonical (``深康佳A`` -> 深康佳,
  alias 深康佳A).
* Names already in another gazetteer file, names of two Han characters or fewer, and
  names in ``exclusions.tsv`` are skipped, as are names whose code is already listed
  (the same company under another name).
* Every remaining name is counted with :mod:`training.org.gazetteer_check` (MSRA +
  CLUENER *train* inside/outside gold ORG spans, THUCNews, word starts in segmented
  finance news) and left out when that check would flag it as a strong name, or when it
  is common in finance text (THUCNews >= 20) without ever being a gold ORG: 农产品 and
  太阳能 are listed companies but mostly ordinary words.  Left-out names are written
  as a comment at the end of the file, so a user can add one with a fuller name.

Every name in the output is a strong alias: a strong gazetteer name always becomes an
ORG (``pipeline/orgs/combine.py``), which is the point of the list.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.orgs.features import Normaliser
from pipeline.orgs.rules import gazetteer_files, load_trad_simp, name_key
from pipeline.safety.rule_files import tsv_rows
from training.org.data import REPO_ROOT, SHARED, msra_splits, read_cluener
from training.org.gazetteer_check import (
    THUC_COMMON,
    Counts,
    NameIndex,
    NameRow,
    _news_sentences,
    _thucnews_texts,
    count,
    count_word_starts,
    judge,
)

ADATA_VERSION = "2.9.5"
ADATA_WHEEL = f"adata-{ADATA_VERSION}-py3-none-any.whl"
ADATA_SHA256 = "f9dc5d276f8771cf5a5f11fb81c6d97a00d188e20cfcef67022f210c8b23cbf1"
CSV_MEMBER = "adata/stock/cache/code.csv"
OUT_FILE = REPO_ROOT / "configs" / "orgs" / "gazetteer_a_shares.tsv"
RULES = REPO_ROOT / "configs" / "orgs"
MIN_HAN = 3  # names of 1-2 Han characters are ordinary words too often
# Names the data checks cannot judge (absent from every text we have) but a reader sees
# are ordinary words or places: left out after reading the list once.
REVIEWED_OUT = {
    "驱动力": "ordinary word", "动力源": "ordinary word", "数字人": "ordinary word",
    "线上线下": "ordinary phrase", "今天国际": "ordinary phrase (今天|国际)",
    "百合花": "ordinary word", "三人行": "ordinary phrase", "葫芦娃": "cartoon title",
    "金太阳": "ordinary phrase", "新城市": "ordinary phrase", "新里程": "ordinary phrase",
    "电子城": "ordinary word", "生物谷": "place name", "好上好": "ordinary phrase",
    "欢乐家": "ordinary phrase", "天地在线": "ordinary phrase", "首都在线": "ordinary phrase",
    "大地海洋": "ordinary phrase", "力量钻石": "ordinary phrase", "珠海港": "place name",
    "营口港": "place name", "天目湖": "place name", "西上海": "place name",
    "智动力": "ordinary phrase", "两面针": "plant and product name",
}  # fmt: skip


@dataclass
class Listing:
    """One A-share line of the source list."""

    code: str  # with exchange suffix: 000001.SZ
    name: str  # folded short name
    canonical: str  # name without a share-class A


def exchange_code(code: str) -> str | None:
    """``000001`` -> ``000001.SZ``; None for B shares and unknown prefixes."""
    if code.startswith(("200", "900")):
        return None  # B shares: same companies as their A shares
    if code.startswith(("60", "68")):
        return code + ".SH"
    if code.startswith(("00", "30")):
        return code + ".SZ"
    if code.startswith(("43", "83", "87", "92")):
        return code + ".BJ"
    return None


# Trading-status markers written before a short name on quote screens, not in news:
# XD/XR/DR (ex-dividend, ex-rights), S (share reform pending), N/C (first trading days).
_STATUS_PREFIXES = ("XD", "XR", "DR", "S", "N", "C")


def fold_name(raw: str) -> str:
    """NFKC (full-width letters), no whitespace, no status marker or bracketed note:
    ``万  科Ａ`` -> ``万科A``, ``XD中衡设`` -> ``中衡设``, ``百联股份(已合并)`` -> ``百联股份``."""
    name = "".join(unicodedata.normalize("NFKC", raw).split())
    name = name.split("(")[0]
    for prefix in _STATUS_PREFIXES:
        rest = name[len(prefix) :]
        if name.startswith(prefix) and rest and "\u4e00" <= rest[0] <= "\u9fff":
            return rest
    return name


def read_listings(rows: list[dict[str, str]]) -> list[Listing]:
    """The A-share lines worth a gazetteer entry (see the module docstring)."""
    out: list[Listing] = []
    for row in rows:
        code = exchange_code(row["stock_code"].strip())
        name = fold_name(row["short_name"])
        if code is None or not name:
            continue
        upper = name.upper()
        if upper.startswith(("ST", "*ST", "PT", "S*ST", "SST")) or "退" in name:
            continue
        canonical = name[:-1] if name.endswith("A") and len(name) > 2 else name
        out.append(Listing(code, name, canonical))
    return out


def han_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def fetch_csv(wheel: Path | None) -> list[dict[str, str]]:
    """The rows of ``code.csv``, from a given wheel or one downloaded from PyPI."""
    if wheel is None:
        tmp = Path(tempfile.mkdtemp(prefix="adata-"))
        subprocess.run(
            [sys.executable, "-m", "pip", "download", f"adata=={ADATA_VERSION}", "--no-deps",
             "-q", "-d", str(tmp)],
            check=True,
        )  # fmt: skip
        wheel = tmp / ADATA_WHEEL
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != ADATA_SHA256:
        raise SystemExit(f"{wheel}: sha256 {digest}, expected {ADATA_SHA256} ({ADATA_WHEEL})")
    with zipfile.ZipFile(wheel) as zf:
        data = zf.read(CSV_MEMBER).decode("utf8")
    return list(csv.DictReader(io.StringIO(data)))


def existing(trad_simp: dict[str, str]) -> tuple[set[str], set[str]]:
    """Names (match form) and bare stock codes of every other gazetteer file."""
    names: set[str] = set()
    codes: set[str] = set()
    for path in gazetteer_files(RULES):
        if path.resolve() == OUT_FILE.resolve():
            continue
        for _number, cols in tsv_rows(path):
            for alias in [cols[0], *(cols[1].split("|") if len(cols) > 1 else [])]:
                if alias.strip():
                    names.add(name_key(alias.strip().lstrip("~"), trad_simp))
            if len(cols) > 2:
                codes.update(c.strip().split(".")[0] for c in cols[2].split("|") if c.strip())
    return names, codes


def exclusions() -> set[str]:
    path = RULES / "exclusions.tsv"
    return {cols[0].strip() for _n, cols in tsv_rows(path)} if path.is_file() else set()


def plain_words() -> set[str]:
    """Words of the MSR segmentation training dictionary: a short name that is also an
    ordinary word there (向日葵, 连云港) would be matched in every text that uses the word."""
    path = SHARED / "cws" / "sighan2005" / "msr_training_words.utf8"
    if not path.is_file():
        return set()
    return {ln.strip() for ln in path.read_text(encoding="utf8").splitlines() if ln.strip()}


def gold_places(fold: Normaliser) -> set[str]:
    """Every gold LOC span of MSRA train and CLUENER train address/scene spans (folded):
    a short name that is a place there (张家界, 徐家汇) is a place in news too."""
    import json

    from training.org.data import read_bio

    places: set[str] = set()
    for ex in read_bio(SHARED / "msra_ner" / "train.bio", label="LOC"):
        places.update(fold(ex.text[a:b]) for a, b in ex.spans)
    with open(SHARED / "cluener2020" / "train.json", encoding="utf8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                for label in ("address", "scene"):
                    places.update(fold(n) for n in rec.get("label", {}).get(label, {}))
    return places


def untagged_in_news(names: set[str], fold: Normaliser) -> dict[str, tuple[int, int]]:
    """Per name: (occurrences in unlabelled finance news, occurrences tagged ORG there by
    the pipeline without this file).  A name that occurs but is never an ORG is an
    ordinary phrase (今天国际 in 今天国际金价…, 线上线下)."""
    import shutil

    import pipeline
    from pipeline.orgs.rules import load_rules

    index = NameIndex(fold(n) for n in names)
    texts = [t for t in _news_sentences() + _thucnews_texts() if index.find(fold(t))]
    nlp = pipeline.load()
    orgs = nlp.get_pipe("zhnews_orgs")
    with tempfile.TemporaryDirectory() as tmp:
        rules_dir = Path(tmp) / "orgs"
        shutil.copytree(RULES, rules_dir)
        (rules_dir / OUT_FILE.name).unlink(missing_ok=True)
        orgs.set_resources(load_rules(rules_dir), orgs.tagger)
    seen: dict[str, list[int]] = {}
    for doc in nlp.pipe(texts):
        form = fold(doc.text)
        ents = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "ORG"]
        for s, e, name in index.find(form):
            hit = seen.setdefault(name, [0, 0])
            hit[0] += 1
            hit[1] += any(a <= s and e <= b for a, b in ents)
    return {name: (n, tagged) for name, (n, tagged) in seen.items()}


def ambiguous(counts: Counts) -> bool:
    """Common in finance text but never a gold ORG: an ordinary word that is also a
    listed company's short name (农产品, 太阳能)."""
    return counts.thuc >= THUC_COMMON and counts.inside == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--csv", type=Path, help="adata's code.csv, already extracted")
    source.add_argument("--wheel", type=Path, help=f"a downloaded {ADATA_WHEEL}")
    parser.add_argument("--out", type=Path, default=OUT_FILE)
    parser.add_argument("--no-words", action="store_true", help="skip the word-start check")
    args = parser.parse_args(argv)

    if args.csv is not None:
        rows = list(csv.DictReader(args.csv.open(encoding="utf8")))
    else:
        rows = fetch_csv(args.wheel)
    trad_file = RULES / "trad_simp.tsv"
    trad_simp = load_trad_simp(trad_file) if trad_file.is_file() else {}
    fold = Normaliser(trad_simp, collapse_digits=False)
    known_names, known_codes = existing(trad_simp)
    excluded = {name_key(x, trad_simp) for x in exclusions()}

    listings: list[Listing] = []
    skipped = {"known name or code": 0, "short": 0, "excluded": 0}
    seen: set[str] = set()
    for item in read_listings(rows):
        keys = {name_key(item.name, trad_simp), name_key(item.canonical, trad_simp)}
        if keys & known_names or item.code.split(".")[0] in known_codes or keys & seen:
            skipped["known name or code"] += 1
        elif han_count(item.canonical) < MIN_HAN and not item.canonical.isascii():
            skipped["short"] += 1
        elif keys & excluded:
            skipped["excluded"] += 1
        else:
            listings.append(item)
            seen |= keys
    print(f"{len(rows)} source lines, {len(listings)} candidates, skipped {skipped}")

    if not (SHARED / "msra_ner" / "train.bio").is_file():
        print(f"../shared/data not found at {SHARED}: cannot check names against data")
        return 1
    names = {item.canonical for item in listings} | {item.name for item in listings}
    index = NameIndex(fold(n) for n in names)
    msra_train, _dev, _test = msra_splits()
    labelled = [*msra_train, *read_cluener(SHARED / "cluener2020" / "train.json")]
    counts = count(index, fold, labelled, _thucnews_texts())
    if not args.no_words:
        count_word_starts(index, fold, _news_sentences(), counts)

    words, places = plain_words(), gold_places(fold)
    in_news = untagged_in_news(names, fold)
    kept: list[Listing] = []
    left_out: list[tuple[Listing, str]] = []
    for item in listings:
        reasons = []
        for name in dict.fromkeys((item.canonical, item.name)):
            form = fold(name)
            c = counts.get(form, Counts())
            n_news, n_tagged = in_news.get(form, (0, 0))
            if name in REVIEWED_OUT:
                reasons.append(f"{name}: {REVIEWED_OUT[name]} (reviewed)")
                continue
            if c.inside == 0 and name in words:
                reasons.append(f"{name}: an ordinary word of the MSR dictionary")
                continue
            if c.inside == 0 and form in places:
                reasons.append(f"{name}: a gold place name")
                continue
            if n_news and not n_tagged:
                reasons.append(f"{name}: in finance news {n_news}x, never an ORG there")
                continue
            row = NameRow(name, item.canonical, False, True, args.out, 0)
            flagged = judge([row], {fold(name): c}, fold, min_outside=3).flagged
            if flagged:
                reasons.append(f"{name}: {flagged[0][2]}")
            elif ambiguous(c):
                reasons.append(f"{name}: common in finance text, never a gold ORG")
        if reasons:
            left_out.append((item, "; ".join(reasons)))
        else:
            kept.append(item)
    write(args.out, kept, left_out, len(rows))
    print(f"wrote {len(kept)} organisations to {args.out} ({len(left_out)} left out)")
    return 0


def write(path: Path, kept: list[Listing], left_out: list[tuple[Listing, str]], n: int) -> None:
    """The gazetteer file: header, one line per company, the left-out names as comments."""
    lines = [
        "# zhnews ORG gazetteer, part 3: A-share short names (generated, do not edit by hand:",
        "# rerun `python -m training.org.import_a_shares`; add your own names to another",
        "# gazetteer_*.tsv file, which is loaded as well).",
        f"# Source: adata {ADATA_VERSION} (PyPI, Apache-2.0), adata/stock/cache/code.csv, a",
        f"# snapshot of October 2023 ({n} lines): names and codes only.  Kept: A shares not in",
        "# gazetteer.tsv / listed_companies.tsv, of 3+ Han characters, that the data check of",
        "# training.org.gazetteer_check does not flag.  Same line format as gazetteer.tsv:",
        "#   canonical<TAB>alias|alias<TAB>code",
    ]
    for item in kept:
        alias = item.name if item.name != item.canonical else ""
        lines.append(f"{item.canonical}\t{alias}\t{item.code}")
    lines.append(f"# Left out ({len(left_out)}): ordinary words or ambiguous in the data check.")
    lines.append("# Add one by hand with a fuller canonical name and the short name as ~alias.")
    lines.extend(f"#   {item.canonical} {item.code}: {why}" for item, why in left_out)
    path.write_text("\n".join(lines) + "\n", encoding="utf8")


if __name__ == "__main__":
    sys.exit(main())
