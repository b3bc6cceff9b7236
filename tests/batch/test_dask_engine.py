"""The Dask engine gives the same results as the local engines (LocalCluster, light)."""

from __future__ import annotations

import pytest

from pipeline.batch.chunks import make_chunks
from pipeline.batch.pool import InProcessEngine
from pipeline.batch.work import PipelineSpec
from pipeline.io.records import InputItem

pytest.importorskip("dask.distributed")
zhnews_fakes = pytest.importorskip("zhnews_fakes")
SPEC = PipelineSpec(loader=zhnews_fakes.LIGHT_LOADER)
TEXTS = [f"第{n}年营收{n}亿元。" for n in range(12)] + ["", "收入" + zhnews_fakes.RAISE_MARK]


def _run(engine) -> list:
    items = [InputItem("t", n + 1, f"d{n}", text=t) for n, t in enumerate(TEXTS)]
    return [r for chunk in engine.run(make_chunks(items, max_docs=4)) for r in chunk.results]


@pytest.mark.parametrize("workers", [2])
def test_dask_engine_matches_in_process(workers: int) -> None:
    from pipeline.batch.dask_engine import DaskEngine

    expected = _run(InProcessEngine(SPEC))
    with DaskEngine(SPEC, workers=workers, processes=False, max_ahead=2) as engine:
        got = _run(engine)
    assert got == expected
    assert got[-1][0] == "error" and "ValueError" in got[-1][1]


def test_dask_engine_scheduler_address_matches_in_process(tmp_path) -> None:
    """``--scheduler ADDRESS``: connect to an already running cluster."""
    from dask.distributed import LocalCluster

    from pipeline.batch.runner import ExtractOptions, run_extract

    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(f'{{"id":"d{n}","text":"{t}"}}\n' for n, t in enumerate(TEXTS[:-1])),
        encoding="utf8",
    )
    local = ExtractOptions(
        inputs=[str(source)], output=str(tmp_path / "local.jsonl"), workers=0, spec=SPEC
    )
    run_extract(local)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        remote = ExtractOptions(
            inputs=[str(source)],
            output=str(tmp_path / "dask.jsonl"),
            engine="dask",
            scheduler=cluster.scheduler_address,
            spec=SPEC,
        )
        run_extract(remote)
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
