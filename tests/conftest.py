"""Session fixtures shared by the whole suite.

Loading the pipeline costs ~5 s and ~1 GB (the pkuseg model), so it is loaded once per
test session.  Tests that need the model skip with a clear message when it has not
been fetched (run ``make setup``); tests that need ``../shared/data`` skip when it is
absent, so the core suite passes without it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs must be reproducible: there hypothesis uses a fixed seed (derandomize) so a
# run can be replayed exactly; locally it explores new examples on every run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parent.parent
# Test modules are imported with --import-mode=importlib (several share basenames such as
# test_rules.py), which leaves sys.path alone; shared helpers like zhnews_fakes.py live here.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def nlp():
    """The assembled zhnews pipeline (``pipeline.load()``), loaded once."""
    from pipeline.segmenter import default_model_dir, model_is_ready

    if not model_is_ready(default_model_dir()):
        pytest.skip(f"pkuseg model not found at {default_model_dir()}: run `make setup`")
    import pipeline

    return pipeline.load()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; skips the test when the shared datasets are not present."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED_DATA}")
    return SHARED_DATA
