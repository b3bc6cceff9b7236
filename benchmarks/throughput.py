"""Throughput and memory of ``zhnews extract`` against bare pkuseg, in one run.

What it measures (issue #6 targets in brackets), on real finance news from
``../shared/data/thucnews`` and ``../shared/data/cfsc_fin_news``:

* bare pkuseg segmentation (``spacy_pkuseg`` with the same model): chars/s, docs/s, RSS;
* ``zhnews extract`` end to end (read JSONL → workers → write JSONL) for each worker
  count in ``--workers-list``: chars/s and docs/s over the whole run and in steady
  state (excluding the workers' model loading), peak RSS of every worker and of the
  parent;
* ratios: end-to-end per core / bare pkuseg [≥ 0.8], N workers / 1 worker
  [2 workers ≥ 1.8], worker RSS [≤ 1 GB];
* a memory check: the same run over 1× and 10× a small corpus [RSS at 10× within 10 %].

Every measurement runs in a fresh subprocess so that peak RSS figures are not
polluted by earlier ones.  Output is plain text (no progress bars); ``--json FILE``
also writes every figure as JSON.  Example::

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/throughput.py
    .venv/bin/python benchmarks/throughput.py --repeat-to-mb 20 --workers-list 1,2,4,8,16 --json out/throughput.json
    # on a shared machine: interleaved rounds, best of each
    .venv/bin/python benchmarks/throughput.py --mb 1 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

BARE_PKUSEG = r"""
import json, resource, sys, time
import spacy_pkuseg
from pipeline.segmenter import resolve_model_dir
model = resolve_model_dir(sys.argv[2] or None)
start = time.monotonic()
seg = spacy_pkuseg.pkuseg(str(model))
load = time.monotonic() - start
docs = chars = 0
start = time.monotonic()
with open(sys.argv[1], encoding="utf8") as handle:
    for line in handle:
        text = json.loads(line)["text"]
        seg.cut(text)
        docs += 1
        chars += len(text)
seconds = time.monotonic() - start
print(json.dumps({"docs": docs, "chars": chars, "seconds": seconds, "load_seconds": load,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

EXTRACT = r"""
import json, resource, sys, time
from pipeline.batch.runner import ExtractOptions, run_extract
from pipeline.batch.work import PipelineSpec
start = time.monotonic()
counts = run_extract(ExtractOptions(inputs=[sys.argv[1]], output=sys.argv[2], workers=int(sys.argv[3]),
                                   spec=PipelineSpec(config=sys.argv[4] or None, pkuseg_model=sys.argv[5] or None)))
result = counts.as_dict()
result["wall_seconds"] = time.monotonic() - start
result["parent_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def load_texts(data: Path) -> list[str]:
    """Finance articles (THUCNews) interleaved with groups of 8 finance sentences (CFSC).

    Interleaving long articles and short briefs means any prefix of the corpus has
    both kinds of document, so small and large runs measure the same mix.
    """
    articles: list[str] = []
    with open(data / "thucnews" / "finance_docs.tsv", encoding="utf8") as handle:
        for line in handle:
            text = line.rstrip("\n").partition("\t")[2]
            if text.strip():
                articles.append(text)
    path = data / "cfsc_fin_news" / "sentences_unlabeled.txt"
    sentences = [s.strip() for s in path.read_text(encoding="utf8").splitlines() if s.strip()]
    briefs = ["".join(sentences[i : i + 8]) for i in range(0, len(sentences), 8)]
    mixed: list[str] = []
    for index in range(max(len(articles), len(briefs))):
        mixed.extend(group[index] for group in (articles, briefs) if index < len(group))
    return mixed


def write_corpus(
    texts: list[str], path: Path, *, mb: float | None, repeat_to_mb: float | None, factor: int = 1
) -> dict[str, Any]:
    """Write a JSONL corpus: a prefix of ``mb`` MB, or the texts repeated to ``repeat_to_mb``."""
    target = (repeat_to_mb or mb or 1.0) * 1e6
    written = docs = chars = 0
    with open(path, "w", encoding="utf8") as handle:
        for _ in range(factor):
            size = 0
            round_number = 0
            while size < target:
                for text in texts:
                    line = (
                        json.dumps(
                            {"id": f"r{round_number}-{docs}", "text": text, "date": "2009-01-01"},
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
                    handle.write(line)
                    size += len(line.encode("utf8"))
                    docs += 1
                    chars += len(text)
                    if size >= target:
                        break
                if not repeat_to_mb:
                    break
                round_number += 1
            written += size
    return {"path": str(path), "mb": written / 1e6, "docs": docs, "chars": chars}


def run_json(script: str, *args: str) -> dict[str, Any]:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 3):
        raise SystemExit(f"measurement failed (status {done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_huge(texts: list[str], folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One document of ``--huge-mb`` MB (the corpus joined by paragraph breaks), 1 worker."""
    path = folder / "huge.jsonl"
    parts: list[str] = []
    size = 0
    while size < args.huge_mb * 1e6:
        for text in texts:
            parts.append(text)
            size += len(text.encode("utf8")) + 1
            if size >= args.huge_mb * 1e6:
                break
    text = "\n".join(parts)
    path.write_text(
        json.dumps({"id": "huge", "text": text}, ensure_ascii=False) + "\n", encoding="utf8"
    )
    del parts, text
    result = run_json(
        EXTRACT, str(path), str(folder / "huge-out.jsonl"), "1", args.config, args.pkuseg_model
    )
    figures = {
        "mb": path.stat().st_size / 1e6,
        "chars": result["chars"],
        "entities": result["entities"],
        "errors": result["errors"],
        "seconds": result["seconds"],
        "worker_peak_rss_mb": max(result["worker_peak_rss_mb"] or [0]),
        "parent_peak_rss_mb": result["parent_peak_rss_mb"],
    }
    print(
        f"huge document ({figures['mb']:.1f} MB, {figures['chars']:,} chars, 1 worker): {figures['entities']:,} entities "
        f"in {figures['seconds']:.0f} s; worker peak RSS {figures['worker_peak_rss_mb']:.0f} MB, "
        f"parent {figures['parent_peak_rss_mb']:.0f} MB"
    )
    return figures


def rate(amount: float, seconds: float) -> float:
    return amount / seconds if seconds > 0 else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mb", type=float, default=1.0, help="corpus size in MB (a prefix of the data; default 1)"
    )
    parser.add_argument(
        "--repeat-to-mb",
        type=float,
        default=None,
        help="repeat the data to at least this many MB (e.g. 20)",
    )
    parser.add_argument(
        "--workers-list", default="1,2", help="worker counts to measure, e.g. 1,2,4,8,16"
    )
    parser.add_argument(
        "--memory-mb",
        type=float,
        default=0.5,
        help="corpus size for the 1x/10x memory check (0 = skip)",
    )
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="the shared data folder")
    parser.add_argument(
        "--config", default="", help="pipeline config (default: configs/zhnews.cfg)"
    )
    parser.add_argument("--pkuseg-model", default="", help="pkuseg model directory")
    parser.add_argument(
        "--huge-mb",
        type=float,
        default=0,
        help="also process one document of this many MB (0 = skip)",
    )
    parser.add_argument(
        "--repeats", type=int, default=1, help="interleaved rounds; the best of each figure is kept"
    )
    parser.add_argument(
        "--json", type=Path, default=None, help="also write the figures as JSON here"
    )
    args = parser.parse_args(argv)

    if not (args.data / "thucnews").is_dir() or not (args.data / "cfsc_fin_news").is_dir():
        print(f"shared data not found under {args.data}; nothing measured", file=sys.stderr)
        return 2
    workers_list = [int(n) for n in args.workers_list.split(",") if n.strip()]
    texts = load_texts(args.data)
    report: dict[str, Any] = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    with tempfile.TemporaryDirectory(prefix="zhnews-bench-") as tmp:
        folder = Path(tmp)
        corpus = write_corpus(
            texts, folder / "corpus.jsonl", mb=args.mb, repeat_to_mb=args.repeat_to_mb
        )
        report["corpus"] = {k: corpus[k] for k in ("mb", "docs", "chars")}
        print(
            f"cores: {os.cpu_count()}; corpus: {corpus['mb']:.1f} MB, {corpus['docs']:,} docs, {corpus['chars']:,} chars"
        )

        # Rounds interleave every measurement; the best of each is kept, so load from
        # other processes on a shared machine penalises all figures alike.
        bare: dict[str, Any] = {}
        runs: dict[str, Any] = {}
        for round_number in range(args.repeats):
            measured = run_json(BARE_PKUSEG, corpus["path"], args.pkuseg_model)
            measured["chars_per_s"] = rate(measured["chars"], measured["seconds"])
            measured["docs_per_s"] = rate(measured["docs"], measured["seconds"])
            if measured["chars_per_s"] > bare.get("chars_per_s", -1):
                bare = measured
            for workers in workers_list:
                result = run_json(
                    EXTRACT,
                    corpus["path"],
                    str(folder / f"out-{workers}.jsonl"),
                    str(workers),
                    args.config,
                    args.pkuseg_model,
                )
                steady = max(result["seconds"] - result["startup_seconds"], 1e-9)
                result["chars_per_s"] = rate(result["chars"], result["seconds"])
                result["docs_per_s"] = rate(result["documents"], result["seconds"])
                result["steady_chars_per_s"] = rate(result["chars"], steady)
                result["steady_docs_per_s"] = rate(result["documents"], steady)
                result["steady_chars_per_s_per_worker"] = result["steady_chars_per_s"] / workers
                best = runs.get(str(workers))
                if best is None or result["steady_chars_per_s"] > best["steady_chars_per_s"]:
                    runs[str(workers)] = result
            print(f"round {round_number + 1}/{args.repeats} done")
        report["bare_pkuseg"] = bare
        print(
            f"bare pkuseg (1 process): {bare['chars_per_s']:,.0f} chars/s, {bare['docs_per_s']:,.1f} docs/s, peak RSS {bare['peak_rss_mb']:.0f} MB"
        )
        for workers in workers_list:
            result = runs[str(workers)]
            print(
                f"extract, {workers} worker(s): {result['chars_per_s']:,.0f} chars/s, {result['docs_per_s']:,.1f} docs/s overall "
                f"({result['seconds']:.1f} s, of which {result['startup_seconds']:.1f} s model loading); steady "
                f"{result['steady_chars_per_s']:,.0f} chars/s, {result['steady_docs_per_s']:,.1f} docs/s; "
                f"worker peak RSS {max(result['worker_peak_rss_mb'] or [0]):.0f} MB, parent {result['parent_peak_rss_mb']:.0f} MB"
            )
        report["extract"] = runs
        identical = len({(folder / f"out-{n}.jsonl").read_bytes() for n in workers_list}) == 1
        report["identical_outputs"] = identical

        ratios: dict[str, Any] = {}
        if "1" in runs:
            base = runs["1"]["steady_chars_per_s"]
            ratios["end_to_end_per_core_vs_bare_pkuseg"] = rate(
                runs["1"]["steady_chars_per_s_per_worker"], bare["chars_per_s"]
            )
            for workers in workers_list:
                ratios[f"workers_{workers}_vs_1"] = rate(
                    runs[str(workers)]["steady_chars_per_s"], base
                )
        ratios["max_worker_peak_rss_mb"] = max(
            (max(r["worker_peak_rss_mb"] or [0]) for r in runs.values()), default=0
        )

        if args.memory_mb > 0:
            small = write_corpus(texts, folder / "mem1.jsonl", mb=args.memory_mb, repeat_to_mb=None)
            large = write_corpus(
                texts, folder / "mem10.jsonl", mb=args.memory_mb, repeat_to_mb=None, factor=10
            )
            one = run_json(
                EXTRACT,
                small["path"],
                str(folder / "m1.jsonl"),
                "1",
                args.config,
                args.pkuseg_model,
            )
            ten = run_json(
                EXTRACT,
                large["path"],
                str(folder / "m10.jsonl"),
                "1",
                args.config,
                args.pkuseg_model,
            )
            memory = {
                "corpus_1x_mb": small["mb"],
                "corpus_10x_mb": large["mb"],
                "worker_rss_1x_mb": max(one["worker_peak_rss_mb"] or [0]),
                "worker_rss_10x_mb": max(ten["worker_peak_rss_mb"] or [0]),
                "parent_rss_1x_mb": one["parent_peak_rss_mb"],
                "parent_rss_10x_mb": ten["parent_peak_rss_mb"],
            }
            memory["worker_rss_10x_vs_1x"] = rate(
                memory["worker_rss_10x_mb"], memory["worker_rss_1x_mb"]
            )
            memory["parent_rss_10x_vs_1x"] = rate(
                memory["parent_rss_10x_mb"], memory["parent_rss_1x_mb"]
            )
            report["memory_check"] = memory
            ratios["rss_10x_vs_1x"] = max(
                memory["worker_rss_10x_vs_1x"], memory["parent_rss_10x_vs_1x"]
            )
            print(
                f"memory check ({small['mb']:.1f} MB vs {large['mb']:.1f} MB, 1 worker): worker RSS "
                f"{memory['worker_rss_1x_mb']:.0f} → {memory['worker_rss_10x_mb']:.0f} MB, parent RSS "
                f"{memory['parent_rss_1x_mb']:.0f} → {memory['parent_rss_10x_mb']:.0f} MB"
            )
        if args.huge_mb > 0:
            report["huge_document"] = measure_huge(texts, folder, args)
    report["ratios"] = ratios
    targets = {
        "end_to_end_per_core_vs_bare_pkuseg >= 0.8": ratios.get(
            "end_to_end_per_core_vs_bare_pkuseg", 0
        )
        >= 0.8,
        "workers_2_vs_1 >= 1.8": ratios.get("workers_2_vs_1", 0) >= 1.8
        if "workers_2_vs_1" in ratios
        else None,
        "max_worker_peak_rss_mb <= 1024": ratios["max_worker_peak_rss_mb"] <= 1024,
        "rss_10x_vs_1x <= 1.10": ratios.get("rss_10x_vs_1x", 0) <= 1.10
        if "rss_10x_vs_1x" in ratios
        else None,
        "outputs identical across worker counts": identical,
    }
    report["targets"] = targets
    print("ratios: " + ", ".join(f"{k} = {v:.2f}" for k, v in ratios.items()))
    for name, met in targets.items():
        print(f"target {name}: {'met' if met else ('not measured' if met is None else 'NOT met')}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
