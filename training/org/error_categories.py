"""Count the ORG tagger's errors (model alone) by kind, for feature work.

    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python -m training.org.error_categories \
        [--sets msra_test,cluener_dev] [--model-dir DIR] [--examples 5]

Why: ``training.org.errors`` lists errors one by one in combined mode; choosing features
needs the model's own errors grouped into a few categories with counts (missed spans by
shape, boundary errors by side, false positives that are another entity type).  Every
category is decided from the span text and the gold annotation alone, so the counts are
reproducible.  Read it on dev sets; test-set counts are for describing errors only,
never for tuning.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from pipeline.orgs.classifier import load_tagger
from pipeline.orgs.rules import load_rules
from pipeline.orgs.tagging import CharTagPipeline
from training.org.data import REPO_ROOT, SHARED, Example, msra_splits, read_bio, read_cluener
from training.org.tokens import PkusegTokens
from training.org.train import CARD_FILE, MODEL_DIR, MODEL_FILE

# Generic organisation heads (a span ending in one is "suffixed").
_HEADS = [
    "公司",
    "集团",
    "银行",
    "证券",
    "基金",
    "保险",
    "控股",
    "股份",
    "科技",
    "委员会",
    "大学",
    "学院",
    "中学",
    "小学",
    "学校",
    "协会",
    "学会",
    "联合会",
    "研究院",
    "研究所",
    "研究会",
    "中心",
    "医院",
    "部",
    "局",
    "院",
    "所",
    "厅",
    "处",
    "署",
    "办",
    "社",
    "党",
    "会",
    "团",
    "队",
    "军",
    "庭",
    "委",
    "法院",
    "检察院",
    "政府",
    "报",
    "台",
    "馆",
    "站",
    "厂",
    "店",
    "行",
    "网",
    "组",
]
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")


def other_entities(name: str) -> list[list[tuple[int, int, str]]] | None:
    """Gold spans of the non-ORG types per sentence (to see what a false positive is)."""
    if name == "msra_test":
        per = read_bio(SHARED / "msra_ner" / "test.bio", label="PER")
        loc = read_bio(SHARED / "msra_ner" / "test.bio", label="LOC")
        return [
            [(s, e, "PER") for s, e in p.spans] + [(s, e, "LOC") for s, e in lo.spans]
            for p, lo in zip(per, loc, strict=True)
        ]
    if name == "msra_dev":
        return None
    if name == "cluener_dev":
        out = []
        with open(SHARED / "cluener2020" / "dev.json", encoding="utf8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                spans = []
                for label, names in rec.get("label", {}).items():
                    if label in ("company", "organization", "government"):
                        continue
                    for positions in names.values():
                        spans.extend((int(s), int(e) + 1, label) for s, e in positions)
                out.append(spans)
        return out
    return None


def shape(text: str) -> str:
    """Coarse shape of a gold span that was missed entirely."""
    if _LATIN.search(text):
        return "has latin"
    if len(text) >= 9:
        return "long (>=9 chars)"
    if any(text.endswith(h) for h in _HEADS):
        return "ends in a generic head"
    if len(text) <= 2:
        return "short (<=2 chars, no head)"
    return "3-8 chars, no head (name/abbreviation)"


def boundary(gold: tuple[int, int], preds: list[tuple[int, int]]) -> str:
    """Which side is wrong when predictions overlap a gold span with other boundaries."""
    if len(preds) > 1:
        return "split into several spans"
    (ps, pe), (gs, ge) = preds[0], gold
    left = "left ok" if ps == gs else ("left too long" if ps < gs else "left too short")
    right = "right ok" if pe == ge else ("right too long" if pe > ge else "right too short")
    return f"{left}, {right}"


def analyse(
    name: str,
    examples: list[Example],
    pipeline: CharTagPipeline,
    tokens: PkusegTokens,
    n_examples: int,
) -> None:
    others = other_entities(name)
    counts: Counter[str] = Counter()
    samples: dict[str, list[str]] = defaultdict(list)

    def add(cat: str, text: str, s: int, e: int, extra: str = "") -> None:
        counts[cat] += 1
        if len(samples[cat]) < n_examples:
            ctx = f"{text[max(0, s - 8) : s]}[{text[s:e]}]{text[e : e + 8]}{extra}"
            samples[cat].append(ctx.replace("\n", " "))

    n_gold = n_pred = tp = 0
    for i, ex in enumerate(examples):
        pred = [(s, e) for s, e, _ in pipeline.spans(ex.text, tokens(ex.text))]
        gold = set(ex.spans)
        n_gold += len(gold)
        n_pred += len(pred)
        tp += len(gold & set(pred))
        for s, e in sorted(gold - set(pred)):
            over = [p for p in pred if p[0] < e and s < p[1]]
            if not over:
                add("MISS: " + shape(ex.text[s:e]), ex.text, s, e)
            else:
                extra = " ~ " + ",".join(ex.text[a:b] for a, b in over)
                add("BOUND: " + boundary((s, e), over), ex.text, s, e, extra)
        for s, e in sorted(set(pred) - gold):
            if any(g[0] < e and s < g[1] for g in gold):
                continue  # counted as a boundary error above
            kind = "FP: not an entity in gold"
            if others is not None:
                hit = [lab for a, b, lab in others[i] if a < e and s < b]
                if hit:
                    kind = f"FP: gold {hit[0]}"
            if kind == "FP: not an entity in gold" and any(
                ex.text[s:e].endswith(h) for h in _HEADS
            ):
                kind = "FP: not an entity in gold, ends in a generic head"
            add(kind, ex.text, s, e)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"\n== {name}: gold {n_gold}, predicted {n_pred}, tp {tp}  P {p:.4f} R {r:.4f} F {f:.4f}")
    for cat, c in sorted(counts.items(), key=lambda kv: (kv[0].split(":")[0], -kv[1])):
        print(f"{c:5d}  {cat}")
        for line in samples[cat]:
            print(f"         {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="msra_test,cluener_dev")
    parser.add_argument("--model-dir", type=Path, default=MODEL_DIR)
    parser.add_argument("--examples", type=int, default=4)
    args = parser.parse_args(argv)
    rules = load_rules(REPO_ROOT / "configs" / "orgs")
    tagger = load_tagger(args.model_dir / MODEL_FILE, args.model_dir / CARD_FILE)
    pipeline = CharTagPipeline(rules, tagger)
    tokens = PkusegTokens()
    loaders = {
        "msra_test": lambda: msra_splits()[2],
        "msra_dev": lambda: msra_splits()[1],
        "cluener_dev": lambda: read_cluener(SHARED / "cluener2020" / "dev.json"),
    }
    for name in args.sets.split(","):
        analyse(name, loaders[name](), pipeline, tokens, args.examples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
