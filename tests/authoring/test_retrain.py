"""``zhnews train`` guard: new models replace shipped ones only when not worse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.authoring import retrain as rt
from pipeline.errors import UsageError


class _StubModule:
    """Stands in for a training recipe: writes one model file."""

    def __init__(self) -> None:
        self.seen_train: list[dict] = []

    def train(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "model.json").write_text('{"new": true}', encoding="utf8")

    def load_split(self, split: str, corpus_dir: Path | None = None) -> list[dict]:
        return []


@pytest.fixture
def stub(monkeypatch, tmp_path: Path, toy_record):
    models = tmp_path / "models"
    (models / "stub").mkdir(parents=True)
    (models / "stub" / "model.json").write_text('{"new": false}', encoding="utf8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for split in ("train", "dev"):
        (corpus / f"{split}.jsonl").write_text(
            json.dumps(toy_record, ensure_ascii=False) + "\n", encoding="utf8"
        )
    module = _StubModule()
    recipe = rt.Recipe(
        "stub",
        "stub.module",
        "stub",
        ("relations", "f1"),
        "load_split",
        lambda m, out, extra: m.train(out),
    )
    monkeypatch.setattr(rt, "RECIPES", {"stub": recipe})
    monkeypatch.setattr(rt, "MODELS_DIR", models)
    monkeypatch.setattr(rt, "_import_recipe", lambda name: module)
    scores = iter([])

    def set_scores(before: float, after: float) -> None:
        nonlocal scores
        scores = iter([before, after])

    def fake_score(models_dir: Path, dev: Path, load_kwargs):
        return {"labels": {}, "relations": {"f1": next(scores)}}

    monkeypatch.setattr(rt, "score", fake_score)
    return models, corpus, set_scores, module


@pytest.mark.parametrize(
    ("before", "after", "force", "installed", "decision"),
    [
        (0.5, 0.6, False, True, "installed"),
        (0.5, 0.5, False, True, "installed"),
        (0.6, 0.5, False, False, "kept the shipped model"),
        (0.6, 0.5, True, True, "installed (forced"),
    ],
)
def test_retrain_guards_shipped_models(stub, before, after, force, installed, decision):
    models, corpus, set_scores, _ = stub
    set_scores(before, after)
    result = rt.retrain(["stub"], corpus_dir=corpus, force=force, log=lambda s: None)
    assert result.decisions["stub"].startswith(decision)
    assert (result.before["stub"], result.after["stub"]) == (before, after)
    content = json.loads((models / "stub" / "model.json").read_text(encoding="utf8"))
    assert content["new"] is installed


def test_retrain_out_never_touches_shipped(stub, tmp_path: Path):
    models, corpus, set_scores, _ = stub
    set_scores(0.6, 0.5)
    out = tmp_path / "elsewhere"
    result = rt.retrain(["stub"], corpus_dir=corpus, out=out, log=lambda s: None)
    assert "written to" in result.decisions["stub"] and "worse" in result.decisions["stub"]
    assert json.loads((out / "stub" / "model.json").read_text(encoding="utf8"))["new"] is True
    assert json.loads((models / "stub" / "model.json").read_text(encoding="utf8"))["new"] is False


def test_retrain_corpus_dir_reaches_the_recipe_reader(stub, toy_record):
    _models, corpus, set_scores, module = stub
    set_scores(0.5, 0.5)
    seen = []

    def run(m, out, extra):
        seen.extend(m.load_split("train"))
        m.train(out)

    rt.RECIPES["stub"] = rt.Recipe(
        "stub", "stub.module", "stub", ("relations", "f1"), "load_split", run
    )
    rt.retrain(["stub"], corpus_dir=corpus, log=lambda s: None)
    assert [r["id"] for r in seen] == [toy_record["id"]]
    assert module.load_split("train") == []  # the reader is restored afterwards


@pytest.mark.parametrize(("components", "message"), [(["nope"], "unknown component")])
def test_retrain_usage_errors(stub, components, message):
    _, corpus, _, _ = stub
    with pytest.raises(UsageError, match=message):
        rt.retrain(components, corpus_dir=corpus, log=lambda s: None)


def test_retrain_corpus_without_dev_is_usage_error(stub, tmp_path: Path):
    with pytest.raises(UsageError, match=r"dev\.jsonl"):
        rt.retrain(["stub"], corpus_dir=tmp_path, log=lambda s: None)
