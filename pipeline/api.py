"""The Python API: assemble the pipeline from ``configs/`` and extract records.

``load()`` builds the spaCy ``Language`` from ``configs/zhnews.cfg``: relative paths in
the ``[paths]`` section are resolved against the repository root, the pkuseg model is
located (see :mod:`pipeline.segmenter`), and every component is initialised from its
``[initialize.components.*]`` block.  The result can be written with ``nlp.to_disk`` and
read back with ``spacy.load`` (components are found through the ``spacy_factories``
entry point), which is also the fastest way to start worker processes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.errors import Errors, ZhnewsError
from pipeline.extensions import ensure_extensions
from pipeline.schema import doc_to_record
from pipeline.segmenter import resolve_model_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "configs" / "zhnews.cfg"
_PATH_KEYS = ("pkuseg_user_dict", "configs", "models")


def _resolve_paths(config: spacy.Config, base: Path, pkuseg_model: str | None) -> None:
    """Make ``[paths]`` absolute so components can be initialised from any directory."""
    paths = config["paths"]
    for key in _PATH_KEYS:
        value = paths.get(key)
        if isinstance(value, str) and value and not os.path.isabs(value):
            paths[key] = str((base / value).resolve())
    setting = pkuseg_model if pkuseg_model is not None else paths.get("pkuseg_model")
    paths["pkuseg_model"] = str(resolve_model_dir(setting))


def load_config(
    config_path: str | os.PathLike[str] | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    pkuseg_model: str | None = None,
) -> spacy.Config:
    """Read the pipeline config with ``overrides`` and absolute ``[paths]``."""
    path = Path(config_path) if config_path else DEFAULT_CONFIG
    if not path.is_file():
        raise ZhnewsError(Errors.E007.format(path=path, reason="file not found"))
    try:
        config = spacy.util.load_config(path, overrides=dict(overrides or {}), interpolate=False)
    except Exception as err:  # spaCy raises several config error types
        raise ZhnewsError(Errors.E007.format(path=path, reason=err)) from err
    # Relative paths in the shipped config are relative to the repository root
    # (the config's parent's parent); user configs elsewhere resolve against their folder.
    base = path.resolve().parent.parent if path.resolve() == DEFAULT_CONFIG else path.parent
    _resolve_paths(config, base, pkuseg_model)
    return config


def load(
    config_path: str | os.PathLike[str] | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    pkuseg_model: str | None = None,
) -> Language:
    """Assemble and initialise the zhnews pipeline.

    ``pkuseg_model`` (or ``ZHNEWS_PKUSEG_MODEL``) points at another pkuseg model
    directory; ``overrides`` are spaCy config overrides such as
    ``{"nlp.batch_size": 128}``.
    """
    import pipeline.registrations  # noqa: F401  (registers the factories)

    ensure_extensions()
    config = load_config(config_path, overrides=overrides, pkuseg_model=pkuseg_model)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    nlp.initialize()
    return nlp


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: object) -> str:
    """Refuse what spaCy cannot hold, with a reason a person can act on.

    spaCy's string store encodes every token as UTF-8, which a lone surrogate (left by a
    broken decoder or a JSON ``\\ud83d`` escape) cannot be: fail clearly instead of
    with a ``UnicodeEncodeError`` deep inside the tokenizer.
    """
    if not isinstance(text, str):
        raise ZhnewsError(
            Errors.E013.format(reason=f"text must be a string, not {type(text).__name__}")
        )
    match = _LONE_SURROGATE.search(text)
    if match:
        raise ZhnewsError(
            Errors.E013.format(
                reason=f"lone surrogate U+{ord(match.group()):04X} at position {match.start()}"
            )
        )
    return text


def make_doc(nlp: Language, text: str, pub_date: str | None = None) -> Doc:
    """Tokenise ``text`` and attach the publication date before the components run."""
    doc = nlp.make_doc(check_text(text))
    doc._.pub_date = pub_date
    return doc


def make_docs(
    nlp: Language, items: Iterable[tuple[str, str | None]], batch_size: int = 256
) -> Iterator[Doc]:
    """:func:`make_doc` for many ``(text, pub_date)`` pairs, tokenised in batches.

    Why: the pipeline's tokenizer segments a batch of texts in one call
    (``FastChineseTokenizer.pipe``), which is several times faster than one call per
    text on headline- and sentence-length documents; ``nlp.pipe`` itself tokenises one
    text at a time.  The Docs are the same as :func:`make_doc`'s (tested).
    """
    pipe = getattr(nlp.tokenizer, "pipe", None)
    batch: list[tuple[str, str | None]] = []

    def flush() -> Iterator[Doc]:
        texts = [text for text, _ in batch]
        docs = pipe(texts, batch_size=batch_size) if pipe else map(nlp.make_doc, texts)
        for doc, (_, pub_date) in zip(docs, batch, strict=True):
            doc._.pub_date = pub_date
            yield doc
        batch.clear()

    for text, pub_date in items:
        batch.append((check_text(text), pub_date))
        if len(batch) >= batch_size:
            yield from flush()
    if batch:
        yield from flush()


def extract(
    texts: Iterable[str | Mapping[str, Any]],
    *,
    nlp: Language | None = None,
    batch_size: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield one schema-v1 record per input, in input order.

    Each item is a text, or a mapping with ``text`` and optional ``id`` and ``date``
    (publication date ``YYYY-MM-DD``, used to resolve relative dates).  Texts without
    an id get their position as id.
    """
    nlp = nlp or load()
    ensure_extensions()
    metas: list[tuple[str, str | None]] = []

    def items() -> Iterator[tuple[str, str | None]]:
        for position, item in enumerate(texts):
            if isinstance(item, str):
                text, doc_id, date = item, str(position), None
            else:
                text = item["text"]
                doc_id = str(item.get("id", position))
                date = item.get("date")
            metas.append((doc_id, date))
            yield text, date

    docs = make_docs(nlp, items(), batch_size=batch_size or nlp.batch_size)
    for index, doc in enumerate(nlp.pipe(docs, batch_size=batch_size)):
        doc_id, date = metas[index]
        metas[index] = ("", None)  # release early; the list index stays aligned
        yield doc_to_record(doc, doc_id, date=date)
