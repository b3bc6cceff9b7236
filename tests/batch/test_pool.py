"""The local worker pool: order, crash isolation, bounded work (light pipeline)."""

from __future__ import annotations

import pytest

from pipeline.batch.chunks import make_chunks
from pipeline.batch.pool import InProcessEngine, LocalPool
from pipeline.batch.work import PipelineSpec
from pipeline.io.records import InputItem

zhnews_fakes = pytest.importorskip("zhnews_fakes")
SPEC = PipelineSpec(loader=zhnews_fakes.LIGHT_LOADER)


def _items(texts: list[str]) -> list[InputItem]:
    return [InputItem("t", n + 1, f"d{n}", text=text) for n, text in enumerate(texts)]


def _run(engine, texts: list[str], max_docs: int = 3) -> list:
    chunks = make_chunks(_items(texts), max_docs=max_docs)
    return [r for chunk in engine.run(chunks) for r in chunk.results]


TEXTS = [f"第{n}季度收入{n}.5亿元，利润{n}万元。" for n in range(20)]


@pytest.mark.parametrize("workers", [1, 2])
def test_pool_results_in_input_order_match_in_process(workers: int) -> None:
    expected = _run(InProcessEngine(SPEC), TEXTS)
    with LocalPool(SPEC, workers, max_ahead=3) as pool:
        got = _run(pool, TEXTS)
    assert got == expected
    assert all(r[0] == "ok" for r in got) and '"id":"d19"' in got[-1][1]


@pytest.mark.parametrize(
    ("mark", "reason"),
    [
        (zhnews_fakes.CRASH_MARK, "worker process crashed (exit code 13)"),
        (zhnews_fakes.RAISE_MARK, "pipeline failed: ValueError"),
    ],
)
def test_pool_bad_document_is_isolated_and_run_goes_on(mark: str, reason: str) -> None:
    texts = list(TEXTS[:7])
    texts[4] = "收入1亿元" + mark
    benign = [t.replace(mark, "") for t in texts]
    expected = [r for n, r in enumerate(_run(InProcessEngine(SPEC), benign)) if n != 4]
    with LocalPool(SPEC, 2) as pool:
        got = _run(pool, texts)
        crashes = pool.crashes
    assert got[4][0] == "error" and reason in got[4][1]
    assert [r for n, r in enumerate(got) if n != 4] == expected
    # a crash is seen twice: on the whole chunk, then on the document retried alone
    assert crashes == (2 if mark == zhnews_fakes.CRASH_MARK else 0)


@pytest.mark.parametrize("texts", [[], ["", ""]])
def test_pool_empty_inputs(texts: list[str]) -> None:
    with LocalPool(SPEC, 1) as pool:
        got = _run(pool, texts)
    assert len(got) == len(texts) and all(r[0] == "ok" for r in got)


@pytest.mark.parametrize(("workers", "max_ahead"), [(1, 1), (2, 1), (2, 2)])
def test_pool_small_window_never_stalls(workers: int, max_ahead: int) -> None:
    """Chunks admitted while results are yielded are dispatched, not waited for.

    (Regression: with every worker idle, the pool used to wait for results no worker
    was computing.)  A daemon thread guards against a hang taking the suite down.
    """
    import threading

    results: list = []

    def target() -> None:
        with LocalPool(SPEC, workers, max_ahead=max_ahead) as pool:
            results.extend(_run(pool, TEXTS[:10], max_docs=2))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "the pool stalled"
    assert results == _run(InProcessEngine(SPEC), TEXTS[:10], max_docs=2)
