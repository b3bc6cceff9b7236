"""``rules suggest``: propose rule entries from gold misses and unlabelled text.

Every suggestion is grounded in data: a gold mention (or relation) the current
pipeline misses and the rule entry that would cover it, with

- ``coverage``: how many missed gold items the entry would cover;
- ``precision``: of all places in the gold texts where the entry's surface occurs,
  the share that are gold items of the right kind (what the new rule would hit
  correctly if it fired everywhere the word occurs — an upper bound on its false
  positives, measured before anyone edits a file);
- ``unlabeled``: how often the surface recurs in the unlabelled text (does it
  generalise beyond the gold data?).

Entries are written in the exact syntax of the rule file they belong to (TSV columns
or YAML lines), ready to paste; nothing is written to ``configs/`` automatically, a
person decides.  Kinds: ORG suffixes, ORG aliases and names (gazetteer), metric words,
segment names, currency forms, relation cue words.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from pipeline.authoring.evaluate import predicted_relations
from pipeline.orgs.rules import gazetteer_files

MIN_SUPPORT = 2
_QUALIFIERS = ("约", "近", "逾", "超过", "高达", "达到", "达", "了", "为", "至", "共", "仅", "约为")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_NUMBER = r"[0-9０-９.,，．零〇一二两三四五六七八九十百千万亿兆多余]+"
_CURRENCY_END = "(?:元|币|镑|郎|卢比|比索|林吉特|盾|铢|兰特|里拉|克朗|卢布|迪拉姆|里亚尔|第纳尔)"
_UNLABELED_CURRENCY = re.compile(
    r"(?<=[0-9万亿千百])((?:(?![万亿千百])[\u4e00-\u9fff]){0,4}?" + _CURRENCY_END + ")"
)
RATIO_HINTS = ("margin", "ratio", "rate", "roe", "roa", "yield")


@dataclass
class Suggestion:
    """One ready-to-paste rule entry with its evidence."""

    kind: str
    file: str
    entry: str
    coverage: int
    precision: float | None
    gold_occurrences: int
    unlabeled: int | None
    examples: list[str] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "entry": self.entry,
            "coverage": self.coverage,
            "precision": self.precision,
            "gold_occurrences": self.gold_occurrences,
            "unlabeled": self.unlabeled,
            "examples": self.examples,
            "note": self.note,
        }


# ---------------------------------------------------------------------------- configs
def _tsv(path: Path) -> list[list[str]]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            rows.append(line.split("\t"))
    return rows


@dataclass
class Vocab:
    """What the rule files already know (so suggestions are only new entries)."""

    trad: dict[str, str] = field(default_factory=dict)
    suffixes: set[str] = field(default_factory=set)
    gazetteer: dict[str, list[str]] = field(default_factory=dict)  # canonical -> row
    # canonical -> the gazetteer file (relative to configs/) that holds its row
    gazetteer_file: dict[str, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # canonicals and aliases
    metrics: set[str] = field(default_factory=set)
    segments: set[str] = field(default_factory=set)
    cues: set[tuple[str, str]] = field(default_factory=set)
    cue_surfaces: set[str] = field(default_factory=set)
    currencies: set[str] = field(default_factory=set)

    def simp(self, text: str) -> str:
        return "".join(self.trad.get(ch, ch) for ch in text)


def load_vocab(configs: Path) -> Vocab:
    """Read the surfaces of the shipped rule files (tolerant: a missing file is empty)."""
    vocab = Vocab()
    for row in _tsv(configs / "orgs" / "trad_simp.tsv"):
        if len(row) >= 2 and len(row[0]) == 1 and len(row[1]) == 1:
            vocab.trad[row[0]] = row[1]
    vocab.suffixes = {row[0] for row in _tsv(configs / "orgs" / "suffixes.tsv")}
    for path in gazetteer_files(configs / "orgs"):
        for row in _tsv(path):
            vocab.gazetteer[row[0]] = row
            vocab.gazetteer_file[row[0]] = f"orgs/{path.name}"
            vocab.names.add(row[0])
            if len(row) > 1:
                vocab.names.update(a.lstrip("~") for a in row[1].split("|") if a)
    vocab.metrics = {row[0] for row in _tsv(configs / "relations" / "metrics.tsv")}
    vocab.segments = {
        row[1]
        for row in _tsv(configs / "relations" / "segments.tsv")
        if len(row) > 1 and row[0] == "name"
    }
    for row in _tsv(configs / "relations" / "cues.tsv"):
        if len(row) >= 2:
            vocab.cues.add((row[0], row[1]))
            vocab.cue_surfaces.add(row[1])
    lexicon = configs / "figures" / "lexicon.yaml"
    if lexicon.is_file():
        inside = False
        for line in lexicon.read_text(encoding="utf8").splitlines():
            if re.match(r"^currencies:\s*$", line):
                inside = True
                continue
            if inside:
                m = re.match(r"^\s+['\"]?([^:'\"]+)['\"]?:\s*([A-Z]{3})\s*$", line)
                if m:
                    vocab.currencies.add(m.group(1))
                elif line and not line.startswith((" ", "#")):
                    inside = False
    return vocab


# ---------------------------------------------------------------------------- helpers
def _occurrences(texts: Sequence[str], word: str) -> list[tuple[int, int]]:
    out = []
    for i, text in enumerate(texts):
        start = text.find(word)
        while start >= 0:
            out.append((i, start))
            start = text.find(word, start + 1)
    return out


def _unlabeled_count(unlabeled: str | None, word: str) -> int | None:
    return None if unlabeled is None else unlabeled.count(word)


def _ctx(text: str, start: int, end: int, width: int = 12) -> str:
    return (
        ("…" if start > width else "")
        + text[max(0, start - width) : start]
        + "【"
        + text[start:end]
        + "】"
        + text[end : end + width]
        + ("…" if end + width < len(text) else "")
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass
class _GoldRun:
    """Gold records with what the pipeline predicted for each."""

    texts: list[str]
    simp: list[str]
    gold: list[dict[str, Any]]
    final: list[set[tuple[int, int, str]]]
    mentions: list[set[tuple[int, int, str]]]
    relations: list[dict[tuple[int, int], dict[str, Any]]]


def run_gold(nlp: Language, records: Sequence[dict[str, Any]], vocab: Vocab) -> _GoldRun:
    """Run the pipeline once over the gold records."""
    from pipeline.api import make_doc

    run = _GoldRun([], [], list(records), [], [], [])
    docs = nlp.pipe(make_doc(nlp, r["text"], r.get("date")) for r in records)
    for record, doc in zip(records, docs, strict=True):
        run.texts.append(record["text"])
        run.simp.append(vocab.simp(record["text"]))
        run.final.append({(s.start_char, s.end_char, s.label_) for s in doc.ents})
        mentions = [m for m in (doc._.mentions or []) if isinstance(m, dict)]
        run.mentions.append(
            {(int(m["start"]), int(m["end"]), str(m.get("type"))) for m in mentions}
        )
        run.relations.append(predicted_relations(record["text"], doc._.relations or [], mentions))
    return run


def _span_precision(
    run: _GoldRun, word: str, label: str, *, suffix: bool = False
) -> tuple[float | None, int]:
    """Share of the occurrences of ``word`` that are (or end) a gold ``label`` span."""
    occurrences = _occurrences(run.simp, word)
    if not occurrences:
        return None, 0
    good = 0
    for i, start in occurrences:
        end = start + len(word)
        spans = run.gold[i]["entities"]
        if suffix:
            good += any(
                e["label"] == label and e["end"] == end and e["start"] < start for e in spans
            )
        else:
            good += any(
                e["label"] == label and e["start"] <= start and end <= e["end"] for e in spans
            )
    return good / len(occurrences), len(occurrences)


# ---------------------------------------------------------------------------- miners
def org_suggestions(
    run: _GoldRun, vocab: Vocab, unlabeled: str | None, min_support: int
) -> list[Suggestion]:
    """ORG suffixes, aliases of known organisations, and new gazetteer names."""
    missed: list[tuple[int, dict[str, Any]]] = []
    for i, record in enumerate(run.gold):
        for e in record["entities"]:
            if e["label"] == "ORG" and (e["start"], e["end"], "ORG") not in run.final[i]:
                missed.append((i, e))
    out: list[Suggestion] = []
    aliases: dict[str, list[tuple[str, str]]] = defaultdict(list)
    leftovers: list[tuple[int, dict[str, Any], str]] = []
    for i, e in missed:
        name = vocab.simp(e["text"])
        canon = vocab.simp(e.get("canon") or "")
        if canon and canon in vocab.gazetteer and name not in vocab.names:
            aliases[canon].append((name, _ctx(run.texts[i], e["start"], e["end"])))
        elif name not in vocab.names:
            leftovers.append((i, e, name))
    for canon, found in sorted(aliases.items()):
        row = list(vocab.gazetteer[canon]) + [""] * (3 - len(vocab.gazetteer[canon]))
        new = sorted({n for n, _ in found})
        row[1] = "|".join([a for a in row[1].split("|") if a] + new)
        precision, occ = _span_precision(run, new[0], "ORG")
        out.append(
            Suggestion(
                "org_alias",
                vocab.gazetteer_file.get(canon, "orgs/gazetteer.tsv"),
                "\t".join(row).rstrip("\t"),
                len(found),
                _round(precision),
                occ,
                _unlabeled_count(unlabeled, new[0]),
                [c for _, c in found[:3]],
                f"replace the line of {canon}",
            )
        )
    by_suffix: dict[str, list[tuple[int, dict[str, Any], str]]] = defaultdict(list)
    for item in leftovers:
        name = item[2]
        for length in (2, 3, 4):
            suffix = name[-length:]
            if len(name) - length >= 2 and _CJK.match(suffix) and suffix not in vocab.suffixes:
                by_suffix[suffix].append(item)
    covered: set[int] = set()
    for suffix, items in sorted(
        by_suffix.items(), key=lambda kv: (-len(kv[1]), -len(kv[0]), kv[0])
    ):
        items = [it for it in items if id(it[1]) not in covered]  # not covered by a better suffix
        # A suffix of one name is that name: it needs two different names at least.
        if len(items) < min_support or len({it[2] for it in items}) < 2:
            continue
        precision, occ = _span_precision(run, suffix, "ORG", suffix=True)
        if precision is None or precision < 0.5:
            continue
        covered.update(id(it[1]) for it in items)
        max_chars = min(16, max(len(it[2]) - len(suffix) for it in items) + 2)
        out.append(
            Suggestion(
                "org_suffix",
                "orgs/suffixes.tsv",
                f"{suffix}\t{max(0.5, min(0.95, precision)):.2f}\t{max_chars}",
                len(items),
                _round(precision),
                occ,
                _unlabeled_count(unlabeled, suffix),
                [_ctx(run.texts[i], e["start"], e["end"]) for i, e, _ in items[:3]],
            )
        )
    names = Counter(name for _, _, name in leftovers)
    for name, count in sorted(names.items(), key=lambda kv: (-kv[1], kv[0])):
        uses = _unlabeled_count(unlabeled, name) or 0
        if count < min_support and uses < min_support:
            continue
        precision, occ = _span_precision(run, name, "ORG")
        examples = [_ctx(run.texts[i], e["start"], e["end"]) for i, e, n in leftovers if n == name][
            :3
        ]
        out.append(
            Suggestion(
                "org_name",
                "orgs/gazetteer.tsv",
                name,
                count,
                _round(precision),
                occ,
                _unlabeled_count(unlabeled, name),
                examples,
                "new organisation (add aliases and codes if known)",
            )
        )
    return out


def mention_suggestions(
    run: _GoldRun, vocab: Vocab, unlabeled: str | None, min_support: int
) -> list[Suggestion]:
    """Metric words (metrics.tsv) and segment names (segments.tsv) the rules miss."""
    found: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for i, record in enumerate(run.gold):
        for e in record["entities"]:
            if (
                e["label"] not in ("METRIC", "SEGMENT")
                or (e["start"], e["end"], e["label"]) in run.mentions[i]
            ):
                continue
            surface = vocab.simp(e["text"])
            known = vocab.metrics if e["label"] == "METRIC" else vocab.segments
            if surface not in known:
                found[(e["label"], surface)].append((i, e))
    out = []
    for (label, surface), items in sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        precision, occ = _span_precision(run, surface, label)
        uses = _unlabeled_count(unlabeled, surface)
        if len(items) < min_support and (uses or 0) < min_support:
            continue
        canon = Counter(e.get("canon") or "" for _, e in items).most_common(1)[0][0]
        examples = [_ctx(run.texts[i], e["start"], e["end"]) for i, e in items[:3]]
        if label == "METRIC":
            kind = "ratio" if any(h in canon for h in RATIO_HINTS) else "amount"
            entry, file = f"{surface}\t{canon or '<canonical_id>'}\t{kind}", "relations/metrics.tsv"
        else:
            entry = f"name\t{surface}" + (f"\t{canon}" if canon and canon != surface else "")
            file = "relations/segments.tsv"
        out.append(
            Suggestion(
                label.lower(), file, entry, len(items), _round(precision), occ, uses, examples
            )
        )
    return out


def _currency_word(surface: str) -> list[str]:
    m = re.match(
        rf"^(?P<pre>[^0-9０-９零〇一二两三四五六七八九十]*){_NUMBER}(?P<post>.*)$", surface
    )
    if not m:
        return []
    return [w for w in (m.group("pre"), m.group("post")) if w and not re.match(r"^[万亿千百]+$", w)]


def currency_suggestions(
    run: _GoldRun, vocab: Vocab, unlabeled: str | None, min_support: int
) -> list[Suggestion]:
    """Currency words in missed gold MONEY spans, and currency-like forms in unlabelled text."""
    found: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for i, record in enumerate(run.gold):
        for e in record["entities"]:
            if e["label"] != "MONEY" or (e["start"], e["end"], "MONEY") in run.final[i]:
                continue
            code = (e.get("value") or {}).get("currency") or "XXX"
            for word in _currency_word(vocab.simp(e["text"])):
                word = word.lstrip("万亿千百")
                if word and word not in vocab.currencies:
                    found[(word, code)].append((i, e))
    out = []
    for (word, code), items in sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        precision, occ = _span_precision(run, word, "MONEY")
        entry = f"  {word}: {code}"
        note = f"lexicon.yaml `currencies:`; also add {word} to the `cur_after` (or `cur_before`) alternation in figures/patterns.yaml"
        out.append(
            Suggestion(
                "currency",
                "figures/lexicon.yaml",
                entry,
                len(items),
                _round(precision),
                occ,
                _unlabeled_count(unlabeled, word),
                [_ctx(run.texts[i], e["start"], e["end"]) for i, e in items[:3]],
                note,
            )
        )
    if unlabeled:
        seen = {s.entry.split(":")[0].strip() for s in out}
        forms = Counter(m.group(1) for m in _UNLABELED_CURRENCY.finditer(unlabeled))
        for word, count in forms.most_common():
            if (
                count < max(min_support, 3)
                or word in vocab.currencies
                or word in seen
                or not word.strip("元")
            ):
                continue
            if any(word.endswith(c) and word != c for c in vocab.currencies if len(c) > 1):
                continue
            precision, occ = _span_precision(run, word, "MONEY")
            out.append(
                Suggestion(
                    "currency",
                    "figures/lexicon.yaml",
                    f"  {word}: <ISO 4217 code>",
                    0,
                    _round(precision),
                    occ,
                    count,
                    [],
                    "recurs after numbers in unlabelled text; check it is a currency",
                )
            )
    return out


def _prefix(text: str, start: int) -> str:
    """Up to 8 characters before a figure, without trailing qualifiers (约, 达, 了 ...)."""
    prefix = text[max(0, start - 8) : start].rstrip()
    stripped = True
    while stripped:
        stripped = False
        for word in sorted(_QUALIFIERS, key=len, reverse=True):
            if prefix.endswith(word):
                prefix, stripped = prefix[: -len(word)].rstrip(), True
                break
    return prefix


def _strip_cue(
    prefix: str, surfaces: set[str], categories: dict[str, set[str]], category: str
) -> str | None:
    """``prefix`` without a known ``category`` cue at its end (None when there is none)."""
    for length in range(min(6, len(prefix)), 0, -1):
        if prefix[-length:] in categories.get(category, set()):
            return prefix[:-length]
    return None


def cue_suggestions(
    run: _GoldRun, vocab: Vocab, unlabeled: str | None, min_support: int
) -> list[Suggestion]:
    """Change and comparison cue words right before figures whose facts the rules get wrong.

    Only figures the pipeline did link are used (a missing link is not a cue problem),
    and only words that are not already cues: a change cue is the word right before the
    figure; a comparison cue the word right before a known change cue (按年 in 按年上升).
    """
    by_category: dict[str, set[str]] = defaultdict(set)
    for category, surface in vocab.cues:
        by_category[category].add(surface)
    change_like = (
        by_category.get("change", set())
        | by_category.get("to", set())
        | by_category.get("rate", set())
    )
    by_category["change_like"] = change_like

    def fresh(word: str) -> bool:
        """A new cue: Chinese, no known cue inside or around it, not a metric word."""
        return (
            len(word) >= 2
            and bool(_CJK.match(word))
            and not any(c in word or word in c for c in vocab.cue_surfaces)
            and not any(m in word for m in vocab.metrics if len(m) > 1)
        )

    candidates: dict[tuple[str, str, str], list[tuple[int, tuple[int, int]]]] = defaultdict(list)
    for i, record in enumerate(run.gold):
        text = run.simp[i]
        for rel in record.get("relations", []):
            fig = (rel["figure"]["start"], rel["figure"]["end"])
            pred = run.relations[i].get(fig)
            if not pred:
                continue
            prefix = _prefix(text, fig[0])
            before_change = _strip_cue(prefix, vocab.cue_surfaces, by_category, "change_like")
            if (
                rel.get("kind") == "change"
                and rel.get("direction")
                and pred.get("direction") != rel["direction"]
                and before_change is None
            ):
                for length in (2, 3):
                    word = prefix[-length:]
                    if fresh(word):
                        candidates[("change", word, rel["direction"])].append((i, fig))
            comp = rel.get("comparison")
            if comp in ("yoy", "qoq", "mom") and pred.get("comparison") != comp and before_change:
                for length in (2, 3):
                    word = before_change[-length:]
                    if fresh(word):
                        candidates[("comparison", word, comp)].append((i, fig))
    out = []
    good_short: set[tuple[str, str, str]] = set()
    for (category, word, value), items in sorted(
        candidates.items(), key=lambda kv: (len(kv[0][1]), -len(set(kv[1])), kv[0])
    ):
        items = sorted(set(items))
        if len(items) < min_support:
            continue
        if len(word) > 2 and (category, word[-2:], value) in good_short:
            continue
        good = total = 0
        for i, start in _occurrences(run.simp, word):
            end = start + len(word)
            following = [
                r for r in run.gold[i].get("relations", []) if 0 <= r["figure"]["start"] - end <= 6
            ]
            if not following:
                continue
            total += 1
            rel = following[0]
            good += (
                (rel.get("direction") == value and rel.get("kind") == "change")
                if category == "change"
                else rel.get("comparison") == value
            )
        precision = good / total if total else None
        if precision is None or precision < 0.5:
            continue
        if precision >= 0.8:
            good_short.add((category, word, value))
        out.append(
            Suggestion(
                "cue",
                "relations/cues.tsv",
                f"{category}\t{word}\t{value}",
                len(items),
                _round(precision),
                total,
                _unlabeled_count(unlabeled, word),
                [_ctx(run.texts[i], f[0], f[1]) for i, f in items[:3]],
            )
        )
    return out


def read_unlabeled(paths: Iterable[str], limit_chars: int = 20_000_000) -> str | None:
    """Unlabelled text joined by newlines (None when no path is given)."""
    paths = list(paths)
    if not paths:
        return None
    from pipeline.authoring.inputs import iter_documents

    parts: list[str] = []
    size = 0
    for document in iter_documents(paths):
        parts.append(document["text"])
        size += len(document["text"])
        if size >= limit_chars:
            break
    return "\n".join(parts)


def suggest(
    nlp: Language,
    records: Sequence[dict[str, Any]],
    configs: Path,
    unlabeled: str | None,
    min_support: int = MIN_SUPPORT,
    kinds: Sequence[str] = ("org", "mention", "currency", "cue"),
) -> list[Suggestion]:
    """Every suggestion, best first (coverage, then precision)."""
    vocab = load_vocab(configs)
    run = run_gold(nlp, records, vocab)
    simp_unlabeled = vocab.simp(unlabeled) if unlabeled is not None else None
    miners = {
        "org": org_suggestions,
        "mention": mention_suggestions,
        "currency": currency_suggestions,
        "cue": cue_suggestions,
    }
    out: list[Suggestion] = []
    for kind in kinds:
        out.extend(miners[kind](run, vocab, simp_unlabeled, min_support))
    return sorted(out, key=lambda s: (-s.coverage, -(s.precision or 0), s.kind, s.entry))
