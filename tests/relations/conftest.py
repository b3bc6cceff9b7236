"""Fixtures for the relation-stage tests (pure Python: no pkuseg model needed)."""

from __future__ import annotations

import pytest

from pipeline.relations.lexicon import default_lexicon_dir, load_lexicons
from pipeline.relations.linker import Linker
from pipeline.relations.model import default_model_dir, load_model


@pytest.fixture(scope="session")
def lexicons():
    return load_lexicons(default_lexicon_dir())


@pytest.fixture(scope="session")
def linker(lexicons):
    return Linker(lexicons, load_model(default_model_dir()))
