"""Fixtures for the figure tests: the compiled engine (cheap) and pkuseg docs."""

from __future__ import annotations

import pytest

from pipeline.figures.recognizer import FigureEngine


@pytest.fixture(scope="session")
def engine() -> FigureEngine:
    """The shipped figure rules, compiled once."""
    return FigureEngine.from_paths()


@pytest.fixture(scope="session")
def figures_nlp(nlp):
    """A pkuseg ``Language`` with only ``zhnews_figures`` (other stages may be in flux)."""
    import spacy

    from pipeline.figures.component import FigureRecognizer

    blank = spacy.blank("zh")
    blank.tokenizer = nlp.tokenizer
    component = blank.add_pipe("zhnews_figures")
    assert isinstance(component, FigureRecognizer)
    component.initialize()
    return blank
