"""The ``zhnews extract`` command: inputs, outputs, exit status, messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import cli

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "corpus" / "sample"
TESTS = REPO_ROOT / "tests"
zhnews_fakes = pytest.importorskip("zhnews_fakes")


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch, *, light: bool = True) -> int:
    """Run ``zhnews`` in this process the way the console script does; return the status."""
    if light:
        monkeypatch.setenv("ZHNEWS_PIPELINE_LOADER", zhnews_fakes.LIGHT_LOADER)
    else:
        monkeypatch.delenv("ZHNEWS_PIPELINE_LOADER", raising=False)
    monkeypatch.setattr(sys, "argv", ["zhnews", *args])
    with pytest.raises(SystemExit) as info:
        cli.main()
    return int(info.value.code or 0)


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


@pytest.mark.parametrize("workers", ["0", "1"])
def test_extract_sample_corpus_exit_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, workers: str
) -> None:
    out = tmp_path / "out.jsonl"
    assert run_cli(["extract", str(SAMPLE), "-o", str(out), "--workers", workers], monkeypatch) == 0
    records = _lines(out)
    assert len(records) == 14 and records[0]["id"].endswith("brief-hk.txt")
    assert [r["id"] for r in records[2:]] == [f"sample-{n:03d}" for n in range(1, 13)]
    assert (tmp_path / "out.errors.jsonl").read_text(encoding="utf8") == ""
    assert "14 documents written" in capsys.readouterr().err


@pytest.mark.parametrize("errors_option", [None, "rejected.jsonl"])
def test_extract_rejected_records_exit_3(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    errors_option: str | None,
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id":"a","text":"收入1亿元"}\n{"id":"b","text":7}\n', encoding="utf8")
    args = ["extract", str(source), "-o", str(tmp_path / "out.jsonl"), "--workers", "0"]
    if errors_option:
        args += ["--errors", str(tmp_path / errors_option)]
    assert run_cli(args, monkeypatch) == 3
    errors_path = tmp_path / (errors_option or "out.errors.jsonl")
    assert _lines(errors_path) == [
        {"source": str(source), "line": 2, "id": "b", "error": "text must be a string, got int"}
    ]
    assert "1 records rejected" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda d: [str(d / "in.jsonl"), "--text-field", "body"], "Unknown field 'body'"),
        (lambda d: [str(d / "in.jsonl"), "--id-field", "uid"], "Unknown field 'uid'"),
        (lambda d: [str(d / "missing.jsonl")], "missing.jsonl"),
        (
            lambda d: [str(d / "in.jsonl"), "-o", str(d / "no" / "dir" / "o.jsonl")],
            "no/dir/o.jsonl",
        ),
        (lambda d: [str(d / "in.jsonl"), "-o", str(d / "o.csv")], "[E008]"),
        (lambda d: [str(d / "in.jsonl"), "--facts", str(d / "facts.xlsx")], "facts.xlsx"),
        (lambda d: [str(d / "in.jsonl"), "--config", str(d / "none.cfg")], "none.cfg"),
        (lambda d: [str(d / "in.jsonl"), "--errors", str(d / "no" / "e.jsonl")], "no/e.jsonl"),
        (lambda d: [str(d / "in.jsonl"), "--engine", "spark"], "local or dask"),
        (lambda d: [], "give INPUT files or --dataset"),
    ],
)
def test_extract_usage_errors_exit_2_before_work(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    make_args,
    message: str,
) -> None:
    (tmp_path / "in.jsonl").write_text('{"id":"a","text":"x"}\n', encoding="utf8")
    args = make_args(tmp_path)
    if "-o" not in args:
        args += ["-o", str(tmp_path / "out.jsonl")]
    light = "--config" not in args
    assert run_cli(["extract", *args, "--workers", "0"], monkeypatch, light=light) == 2
    err = capsys.readouterr().err
    assert "zhnews: error:" in err and message in err
    assert not (tmp_path / "out.jsonl").exists()


def test_extract_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    raw = '{"id":"s1","text":"营收2亿元"}\n{"id":"s2","text":""}\n'.encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf8"))
    out = tmp_path / "out.jsonl"
    assert run_cli(["extract", "-", "-o", str(out), "--workers", "0", "-q"], monkeypatch) == 0
    assert [r["id"] for r in _lines(out)] == ["s1", "s2"]


def test_extract_dataset_to_parquet_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    datasets = pytest.importorskip("datasets")
    saved = tmp_path / "ds"
    datasets.Dataset.from_dict(
        {"uid": ["a", "b", "c"], "body": ["营收1亿元", "利润2亿元", ""]}
    ).save_to_disk(str(saved))
    out = tmp_path / "shards"
    args = [
        "extract",
        "--dataset",
        str(saved),
        "--text-field",
        "body",
        "--id-field",
        "uid",
        "-o",
        str(out),
        "--shard-rows",
        "2",
        "--workers",
        "0",
        "-q",
    ]
    assert run_cli(args, monkeypatch) == 0
    loaded = datasets.load_dataset(
        "parquet",
        data_files=str(out / "*.parquet"),
        split="train",
        cache_dir=str(tmp_path / "cache"),
    )
    assert loaded["id"] == ["a", "b", "c"] and loaded[0]["entities"][0]["label"] == "MONEY"


def test_extract_real_pipeline_records_are_valid(
    nlp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped pipeline over the sample corpus: schema-valid, offsets point at text."""
    from pipeline.batch.work import PipelineSpec, use_pipeline
    from pipeline.schema import validate_record

    use_pipeline(PipelineSpec(), nlp)
    out = tmp_path / "out.jsonl"
    assert (
        run_cli(
            ["extract", str(SAMPLE / "news.jsonl"), "-o", str(out), "--workers", "0", "-q"],
            monkeypatch,
            light=False,
        )
        == 0
    )
    texts = {r["id"]: r["text"] for r in _lines(SAMPLE / "news.jsonl")}
    records = _lines(out)
    assert [r["id"] for r in records] == list(texts)
    for record in records:
        assert validate_record(record, texts[record["id"]]) == []
    assert sum(len(r["entities"]) for r in records) > 0


def test_extract_internal_failure_exit_1(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id":"a","text":"x"}\n', encoding="utf8")
    env = {
        "PYTHONPATH": str(TESTS),
        "ZHNEWS_PIPELINE_LOADER": "zhnews_fakes:no_such_loader",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "extract",
            str(source),
            "-o",
            str(tmp_path / "o.jsonl"),
            "--workers",
            "0",
            "-q",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "no_such_loader" in done.stderr


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["nlp.batch_size=8"], (("nlp.batch_size", "8"),)),
        (["b.x=abc", "a.y=0.6"], (("a.y", "0.6"), ("b.x", '"abc"'))),
        (["a.z=true", "a.z=false"], (("a.z", "false"),)),
    ],
)
def test_extract_parse_overrides(items: list[str], expected: tuple) -> None:
    from pipeline.commands.extract import parse_overrides

    assert parse_overrides(items) == expected


@pytest.mark.parametrize("item", ["novalue", "=1"])
def test_extract_parse_overrides_refuses_malformed(item: str) -> None:
    from pipeline.commands.extract import parse_overrides
    from pipeline.errors import UsageError

    with pytest.raises(UsageError, match="KEY=VALUE"):
        parse_overrides([item])


def test_extract_bad_override_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from pipeline.segmenter import default_model_dir, model_is_ready

    if not model_is_ready(default_model_dir()):
        pytest.skip("pkuseg model not fetched")
    args = [
        "extract",
        str(SAMPLE / "news.jsonl"),
        "-o",
        str(tmp_path / "o.jsonl"),
        "--workers",
        "0",
        "--set",
        "components.nope.x=1",
    ]
    assert run_cli(args, monkeypatch, light=False) == 2
    assert "[E007]" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_extract_facts_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    facts = tmp_path / f"facts{suffix}"
    args = [
        "extract",
        str(SAMPLE / "news.jsonl"),
        "-o",
        str(tmp_path / "o.jsonl"),
        "--workers",
        "0",
        "-q",
        "--facts",
        str(facts),
    ]
    assert run_cli(args, monkeypatch) == 0
    assert facts.exists() and not (tmp_path / f"facts{suffix}.rows.jsonl").exists()
    if suffix == ".csv":
        assert facts.read_text(encoding="utf8").startswith("doc_id,")
