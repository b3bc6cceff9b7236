"""Fixtures for the figure tests: the compiled engine (cheap) and pkuseg docs."""

from __future__ import annotations

import pytest

from pipeline.figures.recognizer import FigureEngine


@pytest.fixture(scope="session")
def engine() -> FigureEngine:
    """The shipped figure rules, compiled once."""
    return FigureEngine.from_paths()


@pytest.fixture(scope="session")
def figures_nlp():
    """pkuseg tokenizer + ``zhnews_figures`` only.

    Built here rather than from ``pipeline.load()`` so that the figure tests do not
    depend on the other stages (which may be mid-change in a shared tree).
    """
    import spacy

    from pipeline.figures.component import FigureRecognizer
    from pipeline.segmenter import default_model_dir, model_is_ready

    model_dir = default_model_dir()
    if not model_is_ready(model_dir):
        pytest.skip(f"pkuseg model not found at {model_dir}: run `make setup`")
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(model_dir), pkuseg_user_dict="default")
    component = nlp.add_pipe("zhnews_figures")
    assert isinstance(component, FigureRecognizer)
    component.initialize()
    return nlp
