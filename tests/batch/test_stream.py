"""Streaming the record of a split document through the spool (pipeline.batch.stream)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.batch.chunks import make_chunks
from pipeline.batch.pool import InProcessEngine, LocalPool
from pipeline.batch.runner import ExtractOptions, run_extract
from pipeline.batch.split import RecordAssembler, merge_records
from pipeline.batch.stream import SpoolTarget, SpoolWriter, spool_dir_for
from pipeline.batch.work import PipelineSpec, dumps_record, process_docs, use_pipeline
from pipeline.io.parquet import record_to_row, spooled_to_table
from pipeline.io.records import InputItem

zhnews_fakes = pytest.importorskip("zhnews_fakes")

PARAGRAPH = "第{n}段：公司本期营收{n}.5亿元，净利润{n}万元。\n"


def _text(paragraphs: int, mark_at: int | None = None, mark: str = "") -> str:
    parts = [PARAGRAPH.format(n=n) for n in range(paragraphs)]
    if mark_at is not None:
        parts[mark_at] = mark + parts[mark_at]
    return "".join(parts)


def _piece(n: int, **extra: object) -> dict:
    record = {
        "id": "文档",
        "schema": "zhnews/1",
        "date": "2024-05-01",
        "entities": [
            {"start": 10 * n + k, "end": 10 * n + k + 3, "text": f"{n}亿元", "label": "MONEY"}
            for k in range(n)
        ],
        "relations": [{"figure": {"start": 10 * n}, "metric": "收入"}] if n % 2 else [],
    }
    record.update(extra)
    return record


PIECE_SETS = {
    "plain": [_piece(1), _piece(2), _piece(3)],
    "empty pieces": [_piece(0), _piece(3), _piece(0), _piece(0)],
    "unplaced": [
        _piece(1),
        _piece(2, unplaced=[{"start": 1, "end": 2, "label": "ORG", "source": "x"}]),
        _piece(1),
    ],
    "one piece": [_piece(4, unplaced=[{"start": 1, "end": 3, "label": "ORG", "source": "y"}])],
}


@pytest.mark.parametrize("name", sorted(PIECE_SETS))
def test_stream_spooled_line_is_byte_identical(tmp_path: Path, name: str) -> None:
    pieces = PIECE_SETS[name]
    writer = SpoolWriter(tmp_path / "rec", dumps_record)
    assembler = RecordAssembler(dumps_record)
    for piece in pieces:
        writer.add(json.loads(json.dumps(piece)))
        assembler.add(piece)
    spooled = writer.finish()
    assert spooled.line() == assembler.line() == dumps_record(merge_records(pieces))
    assert (spooled.entities, spooled.relations) == (assembler.entities, assembler.relations)
    # Piece k of the spool is piece k of the document (the facts table pairs them).
    assert list(spooled.piece_records()) == [
        {"id": "文档", "entities": p["entities"], "relations": p["relations"]} for p in pieces
    ]
    # The Parquet row built piece by piece equals the row of the whole record.
    table = spooled_to_table(spooled)
    assert table.to_pylist() == [record_to_row(json.loads(spooled.line()))]
    spooled.discard()
    assert not (tmp_path / "rec").exists()


# --- the mechanism: pieces reach the spool while later pieces are still unprocessed ----

PROBE: dict[str, object] = {"spool": None, "seen": []}


@Language.component("zhnews_test_stream_probe")
def stream_probe(doc: Doc) -> Doc:
    """Record, for each piece entering the pipeline, how many pieces are already spooled."""
    spooled = sorted(Path(str(PROBE["spool"])).glob("*/entities"))
    lines = sum(len(p.read_bytes().splitlines()) for p in spooled)
    PROBE["seen"].append(lines)  # type: ignore[union-attr]
    return doc


def test_stream_worker_holds_one_piece_at_a_time(tmp_path: Path) -> None:
    """Piece k starts only after pieces 0..k-1 were written to the spool (no buffering)."""
    nlp = zhnews_fakes.load_light()
    nlp.add_pipe("zhnews_test_stream_probe", first=True)
    spec = PipelineSpec(loader="probe:stream", piece_chars=100, batch_size=16)
    use_pipeline(spec, nlp)
    spool = tmp_path / "spool"
    spool.mkdir()
    PROBE.update(spool=spool, seen=[])
    text = _text(120)
    [result] = process_docs(spec, [("huge", text, None)], SpoolTarget(str(spool), "t"))
    pieces = len(PROBE["seen"])  # type: ignore[arg-type]
    assert pieces > 20 and PROBE["seen"] == list(range(pieces))
    status, spooled, n_entities, _, rows = result
    assert status == "ok" and rows is None and n_entities == 240
    record = json.loads(spooled.line())
    assert all(text[e["start"] : e["end"]] == e["text"] for e in record["entities"])
    # Without a spool the same document gives the same line, assembled in memory.
    [in_memory] = process_docs(spec, [("huge", text, None)])
    assert in_memory[1] == spooled.line()


@pytest.mark.parametrize(
    ("workers", "mark", "reason"),
    [
        (0, zhnews_fakes.RAISE_MARK, "pipeline failed: ValueError"),
        (1, zhnews_fakes.RAISE_MARK, "pipeline failed: ValueError"),
        (1, zhnews_fakes.CRASH_MARK, "worker process crashed"),
    ],
)
def test_stream_failure_mid_document_leaves_no_partial_line(
    tmp_path: Path, workers: int, mark: str, reason: str
) -> None:
    """A document that fails in a late piece: an error record, nothing of it in the output."""
    rows = [
        {"id": "before", "text": _text(3)},
        {"id": "huge", "text": _text(150, mark_at=100, mark=mark)},
        {"id": "after", "text": _text(4)},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf8")
    out = tmp_path / "out.jsonl"
    spec = PipelineSpec(loader=zhnews_fakes.LIGHT_LOADER, piece_chars=300)
    counts = run_extract(
        ExtractOptions(inputs=[str(source)], output=str(out), workers=workers, spec=spec)
    )
    lines = out.read_text(encoding="utf8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["before", "after"]
    errors = [
        json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text("utf8").splitlines()
    ]
    assert [e["id"] for e in errors] == ["huge"] and reason in errors[0]["error"]
    assert (counts.documents, counts.errors) == (2, 1)
    assert not spool_dir_for(out).exists()


def test_stream_pool_discards_spool_of_crashed_worker(tmp_path: Path) -> None:
    """The pool removes what a worker killed mid-document had spooled; the others stay."""
    spec = PipelineSpec(loader=zhnews_fakes.LIGHT_LOADER, piece_chars=300)
    texts = [_text(40), _text(60, mark_at=50, mark=zhnews_fakes.CRASH_MARK), _text(40)]
    items = [InputItem("t", n + 1, f"d{n}", text=t) for n, t in enumerate(texts)]
    spool = tmp_path / "spool"
    spool.mkdir()
    with LocalPool(spec, 1, spool_dir=str(spool)) as pool:
        results = [r for c in pool.run(make_chunks(items, max_chars=1_000)) for r in c.results]
    assert [r[0] for r in results] == ["ok", "error", "ok"]
    left = sorted(p.name for p in spool.iterdir())
    assert left == sorted(Path(r[1].path).name for r in results if r[0] == "ok")
    # The documents the worker was fed piece by piece equal those processed whole.
    # (in-process, the crashing document would kill this process: it is left out)
    whole = InProcessEngine(spec).run(make_chunks([items[0], items[2]], max_chars=1_000))
    expected = [r[1] for chunk in whole for r in chunk.results]
    assert [results[n][1].line() for n in (0, 2)] == expected


@pytest.mark.parametrize(("spool", "fed"), [(True, [False, True, False]), (False, [False] * 3)])
def test_stream_pool_sends_huge_texts_as_piece_feeds(spool: bool, fed: list[bool]) -> None:
    """Only texts longer than piece_chars, and only in streamed runs, travel as feeds."""
    from pipeline.batch.pool import _Task
    from pipeline.batch.stream import PieceFeed

    spec = PipelineSpec(loader=zhnews_fakes.LIGHT_LOADER, piece_chars=300)
    texts = [_text(3), _text(60), "x" * 300]
    items = [InputItem("t", n + 1, f"d{n}", text=t) for n, t in enumerate(texts)]
    [chunk] = make_chunks(items, max_chars=10**6)
    pool = LocalPool(spec, 1, spool_dir="/nonexistent" if spool else None)
    wired = pool._wire(_Task(chunk, [0, 1, 2], chunk.tasks))
    assert [isinstance(text, PieceFeed) for _, text, _ in wired] == fed
    assert [t.length if isinstance(t, PieceFeed) else len(t) for _, t, _ in wired] == [
        len(t) for t in texts
    ]


def _relation(start: int, end: int, text: str) -> dict:
    figure = {"start": start, "end": end, "text": text}
    return {"figure": figure, "subject": {"start": 0, "end": 2, "text": "公司", "type": "ORG"}}


def test_stream_facts_of_spooled_pieces_equal_worker_rows(tmp_path: Path) -> None:
    """Facts rows the parent computes from the spool equal the per-piece rows over the text."""
    from pipeline.batch.facts import spooled_facts
    from pipeline.relations.facts import facts_rows

    text = "公司营收5亿元。\n下半年利润3亿元，增长10%。\n"
    money = [(4, 7, "5亿元"), (14, 17, "3亿元")]
    pieces = []
    for start, end, figure in money:
        entity = {"start": start, "end": end, "text": figure, "label": "MONEY"}
        entity["value"] = {"amount": float(figure[0]) * 1e8, "currency": "CNY"}
        pieces.append(
            {
                "id": "d",
                "schema": "zhnews/1",
                "date": None,
                "entities": [entity],
                "relations": [_relation(start, end, figure)],
            }
        )
    pieces.insert(1, dict(pieces[0], entities=[], relations=[]))
    writer = SpoolWriter(tmp_path / "rec", dumps_record)
    for piece in pieces:
        writer.add(piece)
    got = list(spooled_facts(writer.finish(), text))
    assert got == [row for piece in pieces for row in facts_rows(piece, text)]
    assert [row["sentence"] for row in got] == ["公司营收5亿元。", "下半年利润3亿元，增长10%。"]


@pytest.mark.parametrize("output", ["out.parquet", "shards"])
def test_stream_parquet_and_facts_of_a_split_document(tmp_path: Path, output: str) -> None:
    rows = [{"id": f"d{n}", "text": _text(2 + n)} for n in range(5)]
    rows[2] = {"id": "huge", "text": _text(200)}
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf8")
    spec = PipelineSpec(loader=zhnews_fakes.LIGHT_LOADER, piece_chars=500, facts=True)
    jsonl = tmp_path / "out.jsonl"
    run_extract(ExtractOptions(inputs=[str(source)], output=str(jsonl), workers=0, spec=spec))
    shard_rows = 2 if output == "shards" else None
    run_extract(
        ExtractOptions(
            inputs=[str(source)],
            output=str(tmp_path / output),
            workers=1,
            spec=spec,
            shard_rows=shard_rows,
            facts=str(tmp_path / "facts.csv"),
        )
    )
    files = sorted((tmp_path / output).glob("*.parquet")) if shard_rows else [tmp_path / output]
    got = [row for f in files for row in pq.read_table(f).to_pylist()]
    expected = [record_to_row(json.loads(line)) for line in jsonl.read_text("utf8").splitlines()]
    assert got == expected and len(got[2]["entities"]) == 400
    assert (tmp_path / "facts.csv").exists() and not spool_dir_for(tmp_path / output).exists()
