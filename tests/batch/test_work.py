"""pipeline/batch/work.py: the per-process pipeline cache."""

from __future__ import annotations

import gc

import pytest

from pipeline.batch.work import PipelineSpec, get_pipeline

zhnews_fakes = pytest.importorskip("zhnews_fakes")


def test_loaded_pipeline_is_frozen_out_of_the_cyclic_gc() -> None:
    # a spec no other test uses, so this call builds (and freezes) a new pipeline
    spec = PipelineSpec(loader=zhnews_fakes.LIGHT_LOADER, batch_size=3, piece_chars=12_345)
    before = gc.get_freeze_count()
    nlp, _ = get_pipeline(spec)
    assert gc.get_freeze_count() > before
    # frozen objects are in the permanent generation: no collection walks them
    assert all(obj is not nlp for obj in gc.get_objects())
    # cached: a second call returns the same pipeline and freezes nothing new
    again, _ = get_pipeline(spec)
    assert again is nlp
