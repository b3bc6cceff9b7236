"""Locating, verifying and converting the pkuseg model (no network in these tests)."""

from __future__ import annotations

import pytest

from pipeline import segmenter
from pipeline.errors import ZhnewsError


def test_segmenter_env_overrides_model_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("ZHNEWS_PKUSEG_MODEL", str(tmp_path))
    assert segmenter.default_model_dir() == tmp_path


def test_segmenter_home_sets_cache_root(monkeypatch, tmp_path):
    monkeypatch.delenv("ZHNEWS_PKUSEG_MODEL", raising=False)
    monkeypatch.setenv("ZHNEWS_HOME", str(tmp_path))
    assert segmenter.default_model_dir() == tmp_path / "pkuseg" / "mixed-0.0.25"


def test_segmenter_resolve_refuses_incomplete_model(tmp_path):
    (tmp_path / "features.msgpack").write_bytes(b"")
    with pytest.raises(ZhnewsError, match=r"E004.*make setup"):
        segmenter.resolve_model_dir(str(tmp_path))


def test_segmenter_rejects_archive_with_wrong_checksum(monkeypatch, tmp_path):
    archive = tmp_path / segmenter.PKUSEG_SDIST_NAME
    archive.write_bytes(b"not the pkuseg sdist")
    with pytest.raises(ZhnewsError, match="E011"):
        segmenter.download_sdist(tmp_path)
    assert not archive.exists(), "a tampered archive must be removed, never unpickled"


def test_segmenter_cached_model_matches_manifest():
    import hashlib
    import json

    model_dir = segmenter.default_model_dir()
    if not segmenter.model_is_ready(model_dir):
        pytest.skip(f"pkuseg model not fetched at {model_dir}: run `make setup`")
    manifest = json.loads((model_dir / segmenter.MANIFEST).read_text(encoding="utf8"))
    assert manifest["source_sha256"] == segmenter.PKUSEG_SDIST_SHA256
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((model_dir / name).read_bytes()).hexdigest() == digest
