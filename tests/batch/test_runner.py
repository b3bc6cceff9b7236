"""``run_extract`` end to end with the light pipeline: formats, accounting, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.batch import runner
from pipeline.batch.journal import journal_path
from pipeline.batch.runner import ExtractOptions, exit_status, run_extract
from pipeline.batch.work import PipelineSpec
from pipeline.errors import UsageError

zhnews_fakes = pytest.importorskip("zhnews_fakes")
SPEC = PipelineSpec(loader=zhnews_fakes.LIGHT_LOADER)


def _corpus(path: Path, count: int = 30) -> Path:
    rows = [
        {"id": f"n{n}", "text": f"第{n}季收入{n}.5亿元。", "date": "2024-01-02"}
        for n in range(count)
    ]
    rows[5] = {"id": "bad-date", "text": "x", "date": "2024/01/02"}
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(10, "{broken")
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def _options(tmp_path: Path, output: str, **kwargs) -> ExtractOptions:
    defaults = {
        "inputs": [str(tmp_path / "in.jsonl")],
        "output": str(tmp_path / output),
        "workers": 0,
        "spec": SPEC,
        "chunk_docs": 4,
    }
    defaults.update(kwargs)
    return ExtractOptions(**defaults)


@pytest.mark.parametrize("workers", [0, 2])
def test_runner_accounts_for_every_record(tmp_path: Path, workers: int) -> None:
    _corpus(tmp_path / "in.jsonl")
    counts = run_extract(_options(tmp_path, "out.jsonl", workers=workers))
    out = (tmp_path / "out.jsonl").read_text(encoding="utf8").splitlines()
    errors = [
        json.loads(line)
        for line in (tmp_path / "out.errors.jsonl").read_text(encoding="utf8").splitlines()
    ]
    assert len(out) + len(errors) == 31 and (counts.documents, counts.errors) == (29, 2)
    assert [e["line"] for e in errors] == [6, 11] and errors[0]["id"] == "bad-date"
    assert exit_status(counts) == 3
    assert not journal_path(tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("shard_rows", [None, 7])
def test_runner_parquet_matches_jsonl(tmp_path: Path, shard_rows: int | None) -> None:
    from pipeline.io.parquet import record_to_row

    _corpus(tmp_path / "in.jsonl")
    run_extract(_options(tmp_path, "out.jsonl"))
    name = "shards" if shard_rows else "out.parquet"
    run_extract(_options(tmp_path, name, shard_rows=shard_rows))
    files = sorted((tmp_path / name).glob("*.parquet")) if shard_rows else [tmp_path / name]
    rows = [row for f in files for row in pq.read_table(f).to_pylist()]
    expected = [
        record_to_row(json.loads(line))
        for line in (tmp_path / "out.jsonl").read_text(encoding="utf8").splitlines()
    ]
    assert rows == expected
    assert len(files) > 1 if shard_rows else len(files) == 1


class _Interrupting:
    """Wraps an engine and raises KeyboardInterrupt after ``after`` chunks (Ctrl-C)."""

    def __init__(self, engine, after: int) -> None:
        self.engine, self.after, self.crashes = engine, after, 0

    def run(self, chunks):
        for number, chunk in enumerate(self.engine.run(chunks)):
            if number == self.after:
                raise KeyboardInterrupt
            yield chunk

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.engine.close()


@pytest.mark.parametrize(
    ("output", "shard_rows"), [("out.jsonl", None), ("out.parquet", 3), ("shards", 5)]
)
def test_runner_interrupt_then_resume_equals_clean_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, shard_rows: int | None
) -> None:
    _corpus(tmp_path / "in.jsonl")
    facts_clean, facts_resumed = tmp_path / "clean.csv", tmp_path / "resumed.csv"
    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    run_extract(
        _options(
            tmp_path,
            f"clean/{output}",
            shard_rows=shard_rows,
            facts=str(facts_clean),
            spec=PipelineSpec(loader=SPEC.loader, facts=True),
        )
    )
    original = runner._make_engine
    monkeypatch.setattr(
        runner, "_make_engine", lambda opts, *rest: _Interrupting(original(opts, *rest), after=3)
    )
    spec = PipelineSpec(loader=SPEC.loader, facts=True)
    with pytest.raises(KeyboardInterrupt):
        run_extract(
            _options(tmp_path, output, shard_rows=shard_rows, facts=str(facts_resumed), spec=spec)
        )
    assert journal_path(tmp_path / output).exists()
    monkeypatch.setattr(runner, "_make_engine", original)
    counts = run_extract(
        _options(
            tmp_path,
            output,
            shard_rows=shard_rows,
            facts=str(facts_resumed),
            spec=spec,
            resume=True,
        )
    )
    assert counts.resumed > 0 and counts.documents + counts.errors == 31
    for name in (output, output.split(".")[0] + ".errors.jsonl"):
        clean, resumed = clean_dir / name, tmp_path / name
        if clean.is_dir():
            assert [p.read_bytes() for p in sorted(clean.iterdir())] == [
                p.read_bytes() for p in sorted(resumed.iterdir())
            ]
        else:
            assert clean.read_bytes() == resumed.read_bytes(), name
    assert facts_clean.read_bytes() == facts_resumed.read_bytes()
    assert not journal_path(tmp_path / output).exists()


def test_runner_resume_refuses_other_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _corpus(tmp_path / "in.jsonl")
    original = runner._make_engine
    monkeypatch.setattr(
        runner, "_make_engine", lambda opts, *rest: _Interrupting(original(opts, *rest), after=1)
    )
    with pytest.raises(KeyboardInterrupt):
        run_extract(_options(tmp_path, "out.jsonl"))
    monkeypatch.setattr(runner, "_make_engine", original)
    _corpus(tmp_path / "in.jsonl", count=12)
    with pytest.raises(UsageError, match="other inputs or settings"):
        run_extract(_options(tmp_path, "out.jsonl", resume=True))


@pytest.mark.parametrize("resume", [False, True])
def test_runner_rerun_overwrites_or_resumes_complete_output(tmp_path: Path, resume: bool) -> None:
    _corpus(tmp_path / "in.jsonl")
    run_extract(_options(tmp_path, "out.jsonl"))
    first = (tmp_path / "out.jsonl").read_bytes()
    run_extract(_options(tmp_path, "out.jsonl", resume=resume))
    assert (tmp_path / "out.jsonl").read_bytes() == first


@pytest.mark.parametrize(
    ("output", "errors", "message"),
    [
        ("in.jsonl", None, "is also an input"),
        ("out.jsonl", "out.jsonl", "is also the output"),
        ("out.jsonl", "in.jsonl", "is also an input"),
    ],
)
def test_runner_outputs_must_not_overwrite_inputs(
    tmp_path: Path, output: str, errors: str | None, message: str
) -> None:
    _corpus(tmp_path / "in.jsonl")
    before = (tmp_path / "in.jsonl").read_bytes()
    opts = _options(tmp_path, output, errors=str(tmp_path / errors) if errors else None)
    with pytest.raises(UsageError, match=message):
        run_extract(opts)
    assert (tmp_path / "in.jsonl").read_bytes() == before
