"""Relation-stage time as a share of pkuseg segmentation time (target: <= 15% added).

    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python benchmarks/relations_speed.py \
        [--repeat 5] [--batch-size 64] [--profile 30] [--dump out.jsonl]

The reference is BARE pkuseg: ``spacy_pkuseg.pkuseg(model_dir, user_dict).cut(text)``
with the model of ``pipeline.segmenter.default_model_dir()`` and the user dictionary
``configs/pkuseg_user_dict.txt``.  It does not move when the pipeline's own tokenizer
gets faster (pipeline/fastseg), so the headline ratio measures the relation stage
only.  The pipeline's tokenizer (``nlp.tokenizer``) is timed too and its ratio printed
as a second column, for transparency.

All three are timed batch by batch, interleaved, so that they see the same load on a
shared machine; per text set the ratio of the best totals and the median per-repeat
ratio are printed (relation stage / bare pkuseg), then the ratio to the tokenizer.
Batches have the pipeline's ``nlp.batch_size`` texts (64), because that is how
``nlp.pipe`` runs the stages: the ORG component batches, so the relation stage sees
a batch of docs in a row.  ``--batch-size 1`` interleaves text by text instead (each
stage then starts with caches the other one has just evicted: pkuseg's feature
table is large, and the relation stage pays ~40% more time for it on short docs).
The clock is the process's CPU time (``time.process_time``): on a machine shared by
several jobs, wall time also counts the moments this process waits for a core, which
land on one stage or the other at random; ``--wall`` uses ``time.perf_counter``.

Texts: every paragraph of corpus/annotated/*.jsonl, plus synthetic bad input: one
paragraph with 500 figures, one with no entities at all, one with figures but no
possible subject.  Relation stage = ``zhnews_relations`` on docs whose entities were
already set (gold entities, so the figure/ORG components' time is not counted).

After loading, the objects alive are frozen out of the cyclic GC, as every
``zhnews extract`` worker does (``pipeline.batch.work.freeze_loaded_objects``): a full
collection would otherwise walk the whole loaded pipeline (~50 ms) in whichever stage
happens to trigger it.  ``--no-freeze`` measures without (a library user who calls
``spacy.load`` and never freezes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.relations.component import RelationLinker  # noqa: E402
from pipeline.relations.document import Ent  # noqa: E402


def corpus_items() -> list[tuple[str, list[Ent]]]:
    items = []
    for split in ("train", "dev", "test"):
        path = ROOT / "corpus" / "annotated" / f"{split}.jsonl"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            ents = [
                Ent(e["start"], e["end"], e["label"], e["text"], e.get("value"), e.get("canon"))
                for e in rec["entities"]
                if e["label"] in ("MONEY", "PERCENT", "DATE", "ORG")
            ]
            items.append((rec["text"], ents))
    return items


def synthetic_items() -> dict[str, list[tuple[str, list[Ent]]]]:
    """Bad input from the issue: 500 figures; no entities; figures without subjects."""
    out: dict[str, list[tuple[str, list[Ent]]]] = {}
    ents: list[Ent] = []
    head = "示例控股集团2024年"
    ents.append(Ent(0, 6, "ORG", "示例控股集团"))
    ents.append(Ent(6, 11, "DATE", "2024年"))
    pos = len(head)
    text = head
    for i in range(500):
        seg = f"第{i % 40}分部业务收入"
        fig = f"{i + 1}.5亿元" if i % 2 == 0 else f"{i % 97 + 1}.2%"
        piece = seg + ("" if i % 2 == 0 else "同比增长") + fig + "，"
        start = pos + len(piece) - len(fig) - 1
        ents.append(Ent(start, start + len(fig), "MONEY" if i % 2 == 0 else "PERCENT", fig))
        text += piece
        pos += len(piece)
    text = text[:-1] + "。"
    out["500 figures"] = [(text, ents)]
    plain = "今天市场情绪平稳，投资者观望为主，成交清淡，多数板块窄幅震荡。" * 40
    out["no entities"] = [(plain, [])]
    text2, ents2, pos2 = "", [], 0
    for i in range(200):
        piece = f"行业规模增长{i % 50 + 1}%，"
        ents2.append(Ent(pos2 + 6, pos2 + 6 + len(f"{i % 50 + 1}%"), "PERCENT", f"{i % 50 + 1}%"))
        text2 += piece
        pos2 += len(piece)
    out["no subject"] = [(text2, ents2)]
    return out


def _place(doc, ents: list[Ent]):
    spans = [doc.char_span(e.start, e.end, label=e.label, alignment_mode="expand") for e in ents]
    kept, last = [], -1
    for span in sorted((s for s in spans if s is not None), key=lambda s: s.start):
        if span.start >= last:
            kept.append(span)
            last = span.end
    doc.ents = kept
    return doc


def bare_pkuseg():
    """spacy_pkuseg's own segmenter, project model and user dictionary: the reference."""
    import spacy_pkuseg

    from pipeline.segmenter import default_model_dir

    user_dict = ROOT / "configs" / "pkuseg_user_dict.txt"
    return spacy_pkuseg.pkuseg(str(default_model_dir()), user_dict=str(user_dict))


def run(
    seg,
    nlp,
    linker: RelationLinker,
    items,
    repeat: int,
    clock=time.process_time,
    batch_size: int = 1,
) -> tuple[float, float, float, list[float]]:
    """Per repeat: bare pkuseg, tokenizer and relation time, interleaved batch by batch.

    Each batch of ``batch_size`` texts is segmented by bare pkuseg, then by the
    pipeline's tokenizer, then the relation stage runs on its docs (``linker.pipe``),
    as ``nlp.pipe`` does with its ``batch_size``.  Interleaving makes the stages see
    the same machine load (the CPUs are shared), so the per-repeat ratio is stable even
    when absolute times are not.  Returns the best totals (pkuseg, tokenizer,
    relations) and the per-repeat relations/pkuseg ratios.
    """
    seg_best = tok_best = rel_best = float("inf")
    ratios: list[float] = []
    batches = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
    for _ in range(repeat):
        bare = tok = rel = 0.0
        for batch in batches:
            t0 = clock()
            for text, _ in batch:
                seg.cut(text)
            t1 = clock()
            docs = [nlp.tokenizer(text) for text, _ in batch]
            t2 = clock()
            bare += t1 - t0
            tok += t2 - t1
            docs = [_place(doc, ents) for doc, (_, ents) in zip(docs, batch, strict=True)]
            t3 = clock()
            for _doc in linker.pipe(docs):
                pass
            rel += clock() - t3
        seg_best, tok_best, rel_best = min(seg_best, bare), min(tok_best, tok), min(rel_best, rel)
        ratios.append(rel / bare)
    return seg_best, tok_best, rel_best, ratios


def profile(nlp, linker: RelationLinker, items, repeat: int, top: int) -> None:
    """cProfile of the relation component alone (segmentation is done before)."""
    import cProfile
    import pstats

    docs = [_place(nlp.tokenizer(text), ents) for text, ents in items]
    for doc in docs:  # warm caches (compiled lexicon regexes, lru caches)
        linker(doc)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeat):
        for doc in docs:
            linker(doc)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def dump(nlp, linker: RelationLinker, path: Path) -> None:
    """Write the stage's output on every benchmark text, one JSON line per text.

    A speed change must leave the output identical: run ``--dump`` before and after
    (e.g. on ``git archive`` copies of two revisions) and compare the files with
    ``cmp``.  Each line holds the component's relations and mentions, the linker's
    nearest-subject baseline and the training features of every candidate.
    """
    texts = corpus_items() + [item for items in synthetic_items().values() for item in items]
    with path.open("w", encoding="utf8") as out:
        for n, (text, ents) in enumerate(texts):
            doc = linker(_place(nlp.tokenizer(text), ents))
            baseline, _ = linker.linker.link(text, ents, baseline=True)
            _, scored, _ = linker.linker.analyse(text, ents)
            record = {
                "n": n,
                "relations": doc._.relations,
                "mentions": doc._.mentions,
                "baseline": baseline,
                "features": [s.features for s in scored],
            }
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {len(texts)} lines to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="instead of timing, cProfile the component on the corpus paragraphs "
        "(docs segmented beforehand) and print the N costliest functions by own time",
    )
    parser.add_argument(
        "--wall", action="store_true", help="time with perf_counter instead of CPU time"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=0,
        help="texts per interleaved batch (default: the pipeline's nlp.batch_size; "
        "1 = text by text)",
    )
    parser.add_argument(
        "--dump",
        type=Path,
        metavar="PATH",
        help="instead of timing, write the stage's output on every text to PATH (JSONL) "
        "to compare before/after a speed change",
    )
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave the loaded objects in the cyclic GC (the batch workers freeze them)",
    )
    args = parser.parse_args()
    import pipeline
    from pipeline.batch.work import freeze_loaded_objects

    nlp = pipeline.load()
    linker = RelationLinker(nlp)
    linker.initialize()
    if args.dump:
        dump(nlp, linker, args.dump)
        return
    if args.profile:
        profile(nlp, linker, corpus_items(), args.repeat, args.profile)
        return
    seg = bare_pkuseg()
    if not args.no_freeze:
        freeze_loaded_objects()
    batch_size = args.batch_size or int(nlp.batch_size)
    frozen = "GC unfrozen" if args.no_freeze else "loaded objects frozen"
    print(f"batches of {batch_size} text(s), {'wall' if args.wall else 'CPU'} time, {frozen}")
    sets = {"corpus paragraphs": corpus_items(), **synthetic_items()}
    print(
        f"{'text set':<18} {'texts':>5} {'chars':>6} {'pkuseg s':>8} {'tokenizer s':>11} "
        f"{'relations s':>11} {'/pkuseg(min)':>12} {'/pkuseg(med)':>12} {'/tokenizer':>10}"
    )
    for name, items in sets.items():
        if not items:
            continue
        clock = time.perf_counter if args.wall else time.process_time
        bare, tok, rel, ratios = run(seg, nlp, linker, items, args.repeat, clock, batch_size)
        chars = sum(len(t) for t, _ in items)
        median = statistics.median(ratios)
        print(
            f"{name:<18} {len(items):>5} {chars:>6} {bare:>8.4f} {tok:>11.4f} {rel:>11.4f} "
            f"{rel / bare:>12.1%} {median:>12.1%} {rel / tok:>10.1%}"
        )
    print(
        "target: relation stage <= 15% of bare pkuseg segmentation time (/pkuseg columns); "
        "/tokenizer: the same against the pipeline's own tokenizer"
    )


if __name__ == "__main__":
    main()
