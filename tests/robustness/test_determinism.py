"""Same input and models → byte-identical output, across worker counts and engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.batch.runner import ExtractOptions, run_extract
from pipeline.batch.work import PipelineSpec

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "corpus" / "sample"
zhnews_fakes = pytest.importorskip("zhnews_fakes")
LIGHT = PipelineSpec(loader=zhnews_fakes.LIGHT_LOADER, piece_chars=2_000)


def _corpus(path: Path) -> Path:
    rows = [
        {
            "id": f"d{n}",
            "text": f"第{n}年营收{n}.{n % 7}亿元，利润{n}万元。" * (1 + n % 5),
            "date": "2024-05-01",
        }
        for n in range(60)
    ]
    rows[7]["text"] = "长文。" * 3_000 + "收入9亿元"  # split into pieces
    rows[9] = {"id": "bad", "text": 1}
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf8"
    )
    return path


def _run(
    tmp_path: Path, name: str, inputs: list[str], spec: PipelineSpec, **kwargs
) -> tuple[bytes, bytes]:
    out = tmp_path / f"{name}.jsonl"
    run_extract(ExtractOptions(inputs=inputs, output=str(out), spec=spec, chunk_docs=8, **kwargs))
    return out.read_bytes(), (tmp_path / f"{name}.errors.jsonl").read_bytes()


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("workers1", {"workers": 1}),
        ("workers2", {"workers": 2}),
        ("dask", {"engine": "dask", "workers": 2, "dask_processes": False}),
        ("rerun", {"workers": 0}),
    ],
)
def test_determinism_light_pipeline_across_engines(tmp_path: Path, name: str, kwargs: dict) -> None:
    pytest.importorskip("dask.distributed")
    inputs = [str(_corpus(tmp_path / "in.jsonl"))]
    reference = _run(tmp_path, "inprocess", inputs, LIGHT, workers=0)
    assert _run(tmp_path, name, inputs, LIGHT, **kwargs) == reference
    assert reference[0].count(b"\n") == 59 and reference[1].count(b"\n") == 1


def test_determinism_real_pipeline_in_process_and_dask(nlp, tmp_path: Path) -> None:
    """The shipped pipeline: in-process and Dask (threads sharing the loaded pipeline)."""
    pytest.importorskip("dask.distributed")
    from pipeline.batch.work import use_pipeline

    spec = PipelineSpec()
    use_pipeline(spec, nlp)
    inputs = [str(SAMPLE)]
    first = _run(tmp_path, "a", inputs, spec, workers=0)
    assert _run(tmp_path, "b", inputs, spec, workers=0) == first
    assert (
        _run(tmp_path, "dask", inputs, spec, engine="dask", workers=1, dask_processes=False)
        == first
    )


@pytest.mark.slow
def test_determinism_real_pipeline_worker_processes(tmp_path: Path) -> None:
    """Worker processes build their own pipeline with ``pipeline.load()``: 1 and 2 workers
    give the same bytes (and the same as a second 1-worker run)."""
    from pipeline.segmenter import default_model_dir, model_is_ready

    if not model_is_ready(default_model_dir()):
        pytest.skip(f"pkuseg model not found at {default_model_dir()}: run `make setup`")
    spec = PipelineSpec(batch_size=32)  # not the session fixture's spec: fresh loads only
    inputs = [str(SAMPLE)]
    one = _run(tmp_path, "one", inputs, spec, workers=1)
    assert _run(tmp_path, "two", inputs, spec, workers=2) == one
    assert one[0].count(b"\n") == 14
