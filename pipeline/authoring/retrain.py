"""``zhnews train``: rerun the ORG and relation training recipes and guard the models.

The recipes live in ``training/org`` and ``training/relations`` (they rebuild the shipped
models); this module only drives them: it trains into a scratch copy of
``pipeline/models``, scores the pipeline with the shipped and with the new models on the
same dev split (ORG F1 of the final output, relation F1 of figure→subject links), and
installs a new model only when it is not worse, unless forced.  ``--out`` writes the new
models elsewhere and never touches the shipped ones.

``--corpus DIR`` and weak supervision (``--weak``: paragraphs labelled by the current
rules) are passed to the recipes by wrapping the corpus readers they import
(``read_corpus`` / ``load_split``); a recipe without such a reader trains on the
project corpus and says so.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.authoring.corpus import CORPUS_DIR, REPO_ROOT, load_gold
from pipeline.errors import UsageError

MODELS_DIR = REPO_ROOT / "pipeline" / "models"


@dataclass(frozen=True)
class Recipe:
    """How to run one training recipe and which score judges its model."""

    name: str
    module: str
    model_subdir: str
    metric: tuple[str, ...]  # path into the evaluation report
    reader: str  # name of the corpus reader the recipe module imported
    run: Callable[[Any, Path, Sequence[str]], Any]


def _run_org(module: Any, out: Path, extra: Sequence[str]) -> Any:
    code = module.main(["--out", str(out), *extra])
    if code:
        raise RuntimeError(f"training.org.train exited with status {code}")
    return code


def _run_relations(module: Any, out: Path, extra: Sequence[str]) -> Any:
    return module.train(out)


RECIPES: dict[str, Recipe] = {
    "org": Recipe(
        "org", "training.org.train", "org", ("labels", "ORG", "f1"), "read_corpus", _run_org
    ),
    "relations": Recipe(
        "relations",
        "training.relations.train",
        "relations",
        ("relations", "f1"),
        "load_split",
        _run_relations,
    ),
}


@dataclass
class TrainResult:
    """Scores before and after, and what happened to each model."""

    before: dict[str, float | None] = field(default_factory=dict)
    after: dict[str, float | None] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    details_before: dict[str, Any] = field(default_factory=dict)
    details_after: dict[str, Any] = field(default_factory=dict)


def _import_recipe(module: str) -> Any:
    """Import a recipe module; the recipes live in the repository, not in the wheel."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise UsageError(
            f"training recipe {module} is not available ({err}); run from a zhnews checkout"
        ) from err


def _records(path: Path) -> list[dict[str, Any]]:
    return load_gold(path).records if path.is_file() else []


@contextlib.contextmanager
def corpus_source(
    module: Any, recipe: Recipe, corpus_dir: Path, weak: list[dict[str, Any]]
) -> Iterator[str | None]:
    """Point the recipe's corpus reader at ``corpus_dir`` (+ weak train records)."""
    if corpus_dir.resolve() == CORPUS_DIR.resolve() and not weak:
        yield None
        return
    original = getattr(module, recipe.reader, None)
    if original is None:
        yield f"{recipe.module} has no {recipe.reader}(): trained on the project corpus only"
        return

    def records(split: str) -> list[dict[str, Any]]:
        found = _records(corpus_dir / f"{split}.jsonl")
        return found + weak if split == "train" else found

    if recipe.reader == "load_split":

        def load_split(split: str, corpus_dir_arg: Path | None = None) -> list[dict[str, Any]]:
            return records(split)

        replacement: Callable[..., Any] = load_split
    else:
        example_cls = _import_recipe("training.org.data").Example

        def read_corpus(split: str) -> list[Any]:
            return [
                example_cls(
                    r["text"],
                    sorted((e["start"], e["end"]) for e in r["entities"] if e["label"] == "ORG"),
                    f"corpus:{split}",
                )
                for r in records(split)
            ]

        replacement = read_corpus
    setattr(module, recipe.reader, replacement)
    try:
        yield None
    finally:
        setattr(module, recipe.reader, original)


def weak_records(nlp: Any, paths: Sequence[str], limit: int) -> list[dict[str, Any]]:
    """Rule-labelled paragraphs from unlabelled text (weak supervision).

    Only what rules and gazetteers found is kept (entities from a model are dropped,
    so the classifier is not trained on its own guesses).
    """
    from pipeline.api import make_doc
    from pipeline.authoring.convert import doc_to_corpus
    from pipeline.authoring.inputs import iter_documents

    documents = []
    for document in iter_documents(paths):
        documents.append(document)
        if len(documents) >= limit:
            break
    out = []
    for document, doc in zip(
        documents, nlp.pipe(make_doc(nlp, d["text"], d.get("date")) for d in documents), strict=True
    ):
        record = doc_to_corpus(doc, str(document["id"])).record
        model_spans = {
            (s.start_char, s.end_char) for s in doc.ents if (s._.source or "").startswith("model:")
        }
        record["entities"] = [
            e for e in record["entities"] if (e["start"], e["end"]) not in model_spans
        ]
        keys = {(e["start"], e["end"]) for e in record["entities"]}
        record["relations"] = [
            r for r in record["relations"] if (r["subject"]["start"], r["subject"]["end"]) in keys
        ]
        record["split"] = "train"
        out.append(record)
    return out


def _metric(report: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = report
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value if isinstance(value, (int, float)) else None


def score(models_dir: Path, dev: Path, load_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Evaluate the pipeline with the models in ``models_dir`` on ``dev``."""
    from pipeline.authoring.evaluate import evaluate_rules
    from pipeline.authoring.loading import load_pipeline

    sets = [*load_kwargs.get("sets", []), f"paths.models={json.dumps(str(models_dir))}"]
    nlp = load_pipeline(
        load_kwargs.get("config"),
        load_kwargs.get("configs_dir"),
        sets,
        load_kwargs.get("pkuseg_model"),
    )
    return evaluate_rules(nlp, load_gold(dev), [str(dev)]).to_dict()


def retrain(
    components: Sequence[str],
    corpus_dir: Path = CORPUS_DIR,
    out: Path | None = None,
    force: bool = False,
    weak: Sequence[str] = (),
    weak_limit: int = 2000,
    org_args: Sequence[str] = (),
    load_kwargs: dict[str, Any] | None = None,
    log: Callable[[str], None] = print,
) -> TrainResult:
    """Train ``components`` and install (or write to ``out``) the models that do not regress."""
    load_kwargs = dict(load_kwargs or {})
    unknown = [c for c in components if c not in RECIPES]
    if unknown:
        raise UsageError(f"unknown component(s) {unknown}: choose from {sorted(RECIPES)}")
    dev = corpus_dir / "dev.jsonl"
    if not dev.is_file() or not (corpus_dir / "train.jsonl").is_file():
        raise UsageError(f"--corpus {corpus_dir} needs train.jsonl and dev.jsonl")
    result = TrainResult()
    log(f"scoring the shipped models on {dev} ...")
    before = score(MODELS_DIR, dev, load_kwargs)
    weak_train: list[dict[str, Any]] = []
    if weak:
        from pipeline.authoring.loading import load_pipeline

        nlp = load_pipeline(
            load_kwargs.get("config"),
            load_kwargs.get("configs_dir"),
            load_kwargs.get("sets"),
            load_kwargs.get("pkuseg_model"),
        )
        weak_train = weak_records(nlp, weak, weak_limit)
        log(f"weak supervision: {len(weak_train)} rule-labelled paragraphs added to train")
    with tempfile.TemporaryDirectory(prefix="zhnews-train-") as tmp:
        scratch = Path(tmp) / "models"
        shutil.copytree(MODELS_DIR, scratch)
        for name in components:
            recipe = RECIPES[name]
            module = _import_recipe(recipe.module)
            target = scratch / recipe.model_subdir
            log(f"training {name} ({recipe.module}) ...")
            with corpus_source(module, recipe, corpus_dir, weak_train) as note:
                if note:
                    result.notes.append(note)
                    log(note)
                recipe.run(module, target, org_args if name == "org" else ())
        log("scoring the new models ...")
        after = score(scratch, dev, load_kwargs)
        for name in components:
            recipe = RECIPES[name]
            old, new = _metric(before, recipe.metric), _metric(after, recipe.metric)
            result.before[name], result.after[name] = old, new
            better = new is not None and (old is None or new >= old)
            source = scratch / recipe.model_subdir
            if out is not None:
                dest = out / recipe.model_subdir
                # A complete models folder, usable as --set paths.models=OUT.
                _install_tree(scratch, out)
                result.decisions[name] = f"written to {dest}" + (
                    "" if better else " (scores worse than the shipped model)"
                )
            elif better or force:
                _install(source, MODELS_DIR / recipe.model_subdir)
                result.decisions[name] = "installed" + ("" if better else " (forced, scores worse)")
            else:
                result.decisions[name] = (
                    "kept the shipped model (new one scores worse; --force to replace)"
                )
    result.details_before = {
        "labels": {k: v["f1"] for k, v in before["labels"].items()},
        "relations": before["relations"],
    }
    result.details_after = {
        "labels": {k: v["f1"] for k, v in after["labels"].items()},
        "relations": after["relations"],
    }
    return result


def _install_tree(source: Path, dest: Path) -> None:
    """Copy every component's model files (the ones not retrained are the shipped ones)."""
    for folder in source.iterdir():
        if folder.is_dir():
            _install(folder, dest / folder.name)


def _install(source: Path, dest: Path) -> None:
    """Copy the model files of one component (files only, never deletes others)."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file():
            shutil.copy2(path, dest / path.name)
