"""Hostile inputs through the whole pipeline, and what the regex guard refuses.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/hostile_inputs.py [--size 10000]
    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/hostile_inputs.py --huge-mb 1,5,20

Prints three tables (issue #8 closing-note figures), or with ``--huge-mb`` only the
fourth:

1. every shipped rule pattern: guard verdict and analysis time;
2. classic evil patterns: the guard's verdict, and the unguarded ``re`` time at two
   input sizes (the growth factor shows exponential vs polynomial vs linear);
3. hostile documents of ``--size`` characters through ``pipeline.extract``, each in a
   fresh subprocess with ``--timeout`` (a time-out is reported, never waited out),
   with the seconds relative to a plain news-like text of the same size measured in
   the same run (the baseline).
4. ``--huge-mb``: peak RSS of the parent and of the worker for ONE document of each
   size (MB of UTF-8 JSON) of real finance text (``../shared/data/thucnews`` paragraphs
   concatenated; ``corpus/`` texts when absent) through ``zhnews extract --workers 1``
   with the full pipeline.  The first row is a small document (the pipeline's own
   footprint, measured in the same run): memory is flat when the rows stay near it.
   ``--root`` runs the same measurement against another checkout (e.g. a
   ``git archive`` of the revision before a change) for a before/after table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.safety.regex_guard import findings_for  # noqa: E402

EVIL = {
    "(a+)+$": ("a", "!"),
    "(a|a)*$": ("a", "!"),
    "(a|aa)*$": ("a", "!"),
    "(\\w+\\s?)*$": ("a", "!"),
    "(?:(?:万亿|[万亿兆])(?:[一二])?)*元": ("万亿", "!"),
    "\\d+\\d+x": ("1", ""),
    ".*a.*b": ("a", ""),
    "(?:\\w++\\s?)*$": ("a", "!"),
}

NEWS = "公司2024年营收37.7亿元，同比增长10.8%，净利润约5亿港元。"
DOCS: dict[str, Callable[[int], str]] = {
    "baseline (news-like)": lambda n: (NEWS * (n // len(NEWS) + 1))[:n],
    "digits": lambda n: "9" * n,
    "full-width digits": lambda n: "９" * n,
    "yuan + digit pairs": lambda n: "元9" * (n // 2),
    "亿 run": lambda n: "1" + "亿" * n + "元",
    "万亿 ambiguity": lambda n: "一" + "万亿" * 30 + "!",
    "dates": lambda n: "2024年" * (n // 5),
    "open brackets": lambda n: "（" * n,
    "controls + astral": lambda n: ("\x01\x7f\u200b\U00020000" * n)[:n],
    "no punctuation CJK": lambda n: "营收增长" * (n // 4),
    # thousands of ORG subjects / stock lists / report sources (the ORG context rules)
    "clause movers": lambda n: "，星河股份涨超" * (n // 7),
    "report sources": lambda n: "，据星河公告" * (n // 6),
    "stock lists": lambda n: ("概念股星河能源、北辰股份等跟涨" * (n // 16 + 1))[:n],
}


def _rule_table() -> None:
    from pipeline.figures.rules import load_rules

    path = ROOT / "configs" / "figures" / "patterns.yaml"
    rules = load_rules(path)
    print(f"## shipped rule patterns ({path.relative_to(ROOT)})")
    print(f"{'rule':28s} {'verdict':14s} {'analysis ms':>11s}")
    for rule in rules.rules:
        findings_for.cache_clear()
        start = time.perf_counter()
        kinds = [f.kind for f in findings_for(rule.pattern)]
        ms = (time.perf_counter() - start) * 1000
        print(f"{rule.id:28s} {','.join(kinds) or 'ok':14s} {ms:11.1f}")


def _time_match(pattern: str, text: str, limit: float) -> str:
    code = (
        f"import re, time; r = re.compile({pattern!r}); t = time.perf_counter(); r.search({text!r}); "
        "print(time.perf_counter() - t)"
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=limit
        )
        return f"{float(out.stdout):.3f}s"
    except subprocess.TimeoutExpired:
        return f">{limit:.0f}s"


def _evil_table(limit: float) -> None:
    print("\n## classic evil patterns (unguarded re.search, small inputs)")
    print(f"{'pattern':30s} {'guard':12s} {'n=16':>8s} {'n=24':>8s} {'n=2000':>8s}")
    for pattern, (unit, tail) in EVIL.items():
        kinds = ",".join(f.kind for f in findings_for(pattern)) or "ok"
        times = [_time_match(pattern, unit * n + tail, limit) for n in (16, 24, 2000)]
        print(f"{pattern:30s} {kinds:12s} {times[0]:>8s} {times[1]:>8s} {times[2]:>8s}")


def _doc_table(size: int, limit: float) -> None:
    print(f"\n## hostile documents through extract() (N={size}, timeout {limit:.0f}s)")
    code = """
import json, sys, time
import pipeline
from pipeline.api import extract
from pipeline.schema import validate_record
nlp = pipeline.load()
text = json.loads(sys.stdin.read())
t = time.perf_counter()
record = list(extract([text], nlp=nlp))[0]
dt = time.perf_counter() - t
print(json.dumps({"s": dt, "chars": len(text), "entities": len(record["entities"]),
                  "problems": len(validate_record(record, text))}))
"""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    base = None
    print(f"{'input':22s} {'chars':>8s} {'seconds':>9s} {'x base':>7s} {'ents':>6s} {'bad':>4s}")
    for name, make in DOCS.items():
        try:
            out = subprocess.run(
                [sys.executable, "-c", code],
                input=json.dumps(make(size)),
                capture_output=True,
                text=True,
                timeout=limit,
                cwd=ROOT,
                env=env,
            )
            row = json.loads(out.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            print(f"{name:22s} {'':>8s} {'>' + str(int(limit)):>9s}")
            continue
        except (ValueError, IndexError):
            print(f"{name:22s} CRASH {out.stderr.strip().splitlines()[-1:]}")
            continue
        if base is None:
            base = row["s"]
        ratio = row["s"] / base if base else float("nan")
        print(
            f"{name:22s} {row['chars']:8d} {row['s']:9.2f} {ratio:7.1f} "
            f"{row['entities']:6d} {row['problems']:4d}"
        )


# Peaks are VmHWM (pipeline.batch.pool.peak_rss_mb), not ru_maxrss: see its docstring.
HUGE_SCRIPT = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from pipeline.batch.pool import peak_rss_mb
from pipeline.batch.runner import ExtractOptions, run_extract
start = time.monotonic()
counts = run_extract(ExtractOptions(inputs=[sys.argv[1]], output=sys.argv[2], workers=1))
print(json.dumps({"documents": counts.documents, "errors": counts.errors,
                  "entities": counts.entities, "facts": counts.facts,
                  "worker_peak_mb": max(counts.worker_peak_rss_mb or [0.0]),
                  "parent_peak_mb": peak_rss_mb(), "seconds": time.monotonic() - start}))
"""


def finance_paragraphs(root: Path = ROOT) -> list[str]:
    """Real finance paragraphs: the THUCNews sample, else the project's corpus texts."""
    shared = root.parent / "shared" / "data" / "thucnews" / "finance_sentences.txt"
    if not shared.exists():
        shared = ROOT.parent / "shared" / "data" / "thucnews" / "finance_sentences.txt"
    if shared.exists():
        lines = shared.read_text(encoding="utf8").splitlines()
        return [line.strip() for line in lines if line.strip()]
    texts: list[str] = []
    for path in sorted((ROOT / "corpus").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf8").splitlines():
            text = json.loads(line).get("text") if line.strip() else None
            if isinstance(text, str):
                texts.extend(p.strip() for p in text.split("\n") if p.strip())
    return texts


def huge_document(megabytes: float, paragraphs: list[str]) -> str:
    """Paragraphs joined by newlines until the UTF-8 size reaches ``megabytes``."""
    target = int(megabytes * 1_000_000)
    parts: list[str] = []
    size = 0
    index = 0
    while size < target:
        paragraph = paragraphs[index % len(paragraphs)] + "\n"
        parts.append(paragraph)
        size += len(paragraph.encode("utf8"))
        index += 1
    return "".join(parts)


def _huge_table(sizes: list[float], root: Path, limit: float) -> None:
    import tempfile

    paragraphs = finance_paragraphs()
    print(f"\n## one huge document through extract --workers 1, full pipeline (code: {root})")
    print(
        f"{'MB':>6s} {'chars':>10s} {'entities':>9s} {'facts':>7s} {'parent MB':>10s} "
        f"{'worker MB':>10s} {'seconds':>8s}"
    )
    env = dict(os.environ, OMP_NUM_THREADS="1")
    for megabytes in [0.01, *sizes]:
        with tempfile.TemporaryDirectory(prefix="zhnews-huge-") as tmp:
            text = huge_document(megabytes, paragraphs)
            source = Path(tmp) / "huge.jsonl"
            source.write_text(
                json.dumps({"id": "huge", "text": text}, ensure_ascii=False) + "\n",
                encoding="utf8",
            )
            chars = len(text)
            del text
            try:
                out = subprocess.run(
                    [sys.executable, "-c", HUGE_SCRIPT, str(source), f"{tmp}/out.jsonl", str(root)],
                    capture_output=True,
                    text=True,
                    timeout=limit,
                    cwd=root,
                    env=env,
                )
                row = json.loads(out.stdout.strip().splitlines()[-1])
            except subprocess.TimeoutExpired:
                print(f"{megabytes:6.2f} {chars:10d} timed out after {limit:.0f}s")
                continue
            except (ValueError, IndexError):
                print(f"{megabytes:6.2f} CRASH {out.stderr.strip().splitlines()[-3:]}")
                continue
        worker = row["worker_peak_mb"]
        print(
            f"{megabytes:6.2f} {chars:10d} {row['entities']:9d} {row['facts']:7d} "
            f"{row['parent_peak_mb']:10.0f} {worker:10.0f} {row['seconds']:8.1f}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--skip-docs", action="store_true")
    parser.add_argument(
        "--huge-mb", default="", help="comma-separated sizes, e.g. 1,5,20 (memory table only)"
    )
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="checkout whose pipeline --huge-mb measures"
    )
    args = parser.parse_args()
    if args.huge_mb:
        sizes = [float(size) for size in args.huge_mb.split(",") if size.strip()]
        _huge_table(sizes, args.root.resolve(), max(args.timeout, 3600.0))
        return 0
    _rule_table()
    _evil_table(min(args.timeout, 30.0))
    if not args.skip_docs:
        _doc_table(args.size, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
