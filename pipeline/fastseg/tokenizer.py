"""spaCy's Chinese pkuseg tokenizer with :class:`FastPkuseg` inside.

``FastChineseTokenizer`` is spaCy's ``ChineseTokenizer`` (same ``initialize``
arguments, same ``__call__``, same user-dictionary editing) whose ``pkuseg_seg`` is a
:class:`~pipeline.fastseg.segmenter.FastPkuseg` when ``fast`` is true, and spacy_pkuseg's
own ``pkuseg`` when it is false (the fallback a user can pick in the config).

Serialisation keeps spaCy's layout (``cfg``, ``pkuseg_model/{features.msgpack,
weights.npz}``, ``pkuseg_processors``) so a pipeline written in either mode loads in
either mode.  ``FastPkuseg`` does not hold pkuseg's Python feature dict, so the model
files are copied from the model directory it was loaded from instead of re-serialised
from memory; ``from_bytes`` stores the received files in the zhnews cache, keyed by
their SHA-256, so the segmenter keeps a directory to serialise from again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import srsly
from spacy import util
from spacy.lang.zh import ChineseTokenizer, Segmenter, _get_pkuseg_trie_data
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.doctext import remember_text
from pipeline.fastseg.index import FEATURES_FILE, WEIGHTS_FILE
from pipeline.fastseg.segmenter import FastPkuseg
from pipeline.relations.textnorm import TranslationTable, builtin_trad_simp

MODEL_FILES = (FEATURES_FILE, WEIGHTS_FILE)


class FastChineseTokenizer(ChineseTokenizer):
    """``ChineseTokenizer`` with the vectorised pkuseg (``fast=True``) or the original.

    Traditional characters are segmented as their simplified forms: pkuseg learned
    its words from simplified text and cuts traditional text badly (台積|電持股,
    將為該), which breaks every later stage that snaps to token boundaries (the ORG
    gazetteer, span alignment).  pkuseg runs on a same-length folded copy and the
    words are cut from the original text at the same offsets, so tokens keep the
    characters exactly as written.  The pairs (``trad_simp``, one character each
    side) are set at ``initialize`` and saved in the tokenizer's ``cfg``.
    """

    def __init__(self, vocab: Vocab, segmenter: str = "pkuseg", fast: bool = True) -> None:
        super().__init__(vocab, segmenter=segmenter)
        self.fast = bool(fast)
        self.fold_pairs = ""  # "<traditional chars>|<simplified chars>"
        self._fold: TranslationTable | None = None

    def __call__(self, text: str) -> Doc:
        """spaCy's tokenization; the text is recorded for :func:`pipeline.doctext.doc_text`."""
        if self._fold is None or self.segmenter != Segmenter.pkuseg or self.pkuseg_seg is None:
            return remember_text(super().__call__(text), text)
        folded = text.translate(self._fold)
        if folded == text:  # nothing to fold: the plain path
            return remember_text(super().__call__(text), text)
        words = self._unfold(text, folded, self.pkuseg_seg.cut(folded))
        words, spaces = util.get_words_and_spaces(words, text)
        return remember_text(Doc(self.vocab, words=words, spaces=spaces), text)

    def set_fold(self, pairs: dict[str, str]) -> None:
        """Segment traditional characters as ``pairs`` maps them (one char each side)."""
        pairs = {t: s for t, s in pairs.items() if len(t) == len(s) == 1 and t != s}
        trad = "".join(sorted(pairs))
        self.fold_pairs = f"{trad}|{''.join(pairs[t] for t in trad)}" if pairs else ""
        self._fold = fold_table(self.fold_pairs)

    @staticmethod
    def _unfold(text: str, folded: str, folded_words: list[str]) -> list[str]:
        """The words of ``text`` at the offsets of the words of ``folded`` (its
        same-length folded copy).  pkuseg drops only whitespace, so each word starts at
        the next non-space character; a word that is not there is a bug, not input."""
        out: list[str] = []
        pos = 0
        for word in folded_words:
            while folded[pos].isspace():
                pos += 1
            end = pos + len(word)
            if folded[pos:end] != word:  # pragma: no cover - pkuseg keeps characters
                raise RuntimeError(f"segmenter word {word!r} not at offset {pos}")
            out.append(text[pos:end])
            pos = end
        return out

    @property
    def uses_fast(self) -> bool:
        return self.segmenter == Segmenter.pkuseg and isinstance(self.pkuseg_seg, FastPkuseg)

    def initialize(
        self,
        get_examples=None,
        *,
        nlp=None,
        pkuseg_model: str | None = None,
        pkuseg_user_dict: str | None = "default",
        trad_simp: str | None = None,
    ) -> None:
        """As spaCy's; a model *directory* is loaded with FastPkuseg when ``fast``.

        ``trad_simp``: a ``traditional<TAB>simplified`` file whose pairs are folded
        before segmentation (with the built-in pairs of the relation rules).
        """
        if trad_simp is not None:
            from pipeline.relations.lexicon import load_trad_simp

            self.set_fold({**builtin_trad_simp(), **load_trad_simp(Path(trad_simp))})
        if (
            self.fast
            and self.segmenter == Segmenter.pkuseg
            and pkuseg_model is not None
            and Path(pkuseg_model).is_dir()
        ):
            if pkuseg_user_dict is None:  # spaCy's rule, kept for identical behaviour
                pkuseg_user_dict = pkuseg_model
            self.pkuseg_seg = FastPkuseg(pkuseg_model, user_dict=pkuseg_user_dict)
            return
        super().initialize(
            get_examples, nlp=nlp, pkuseg_model=pkuseg_model, pkuseg_user_dict=pkuseg_user_dict
        )

    def pipe(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[Doc]:
        """Docs of ``texts``, the same as ``self(text)`` for each; with FastPkuseg the
        texts of a batch are segmented together (much faster for short texts)."""
        if not self.uses_fast:
            for text in texts:
                yield self(text)
            return
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= batch_size:
                yield from self._docs(batch)
                batch = []
        if batch:
            yield from self._docs(batch)

    def _docs(self, texts: list[str]) -> Iterator[Doc]:
        fold = self._fold
        inputs = texts if fold is None else [text.translate(fold) for text in texts]
        for text, folded, words in zip(
            texts, inputs, self.pkuseg_seg.cut_many(inputs), strict=True
        ):
            if folded is not text and folded != text:
                words = self._unfold(text, folded, words)
            words, spaces = util.get_words_and_spaces(words, text)
            yield remember_text(Doc(self.vocab, words=words, spaces=spaces), text)

    def _get_config(self) -> dict[str, Any]:
        return {"segmenter": self.segmenter, "fast": self.fast, "trad_simp": self.fold_pairs}

    def _set_config(self, config: dict[str, Any] | None = None) -> None:
        config = config or {}
        self.segmenter = config.get("segmenter", Segmenter.char)
        self.fast = bool(config.get("fast", self.fast))
        self.fold_pairs = str(config.get("trad_simp", self.fold_pairs) or "")
        self._fold = fold_table(self.fold_pairs)

    # -- serialisation ---------------------------------------------------------------

    def _processors_data(self) -> tuple:
        seg = self.pkuseg_seg
        return (
            _get_pkuseg_trie_data(seg.preprocesser.trie),
            seg.postprocesser.do_process,
            sorted(seg.postprocesser.common_words),
            sorted(seg.postprocesser.other_words),
        )

    def _apply_processors(self, data) -> None:
        import spacy_pkuseg

        user_dict, do_process, common_words, other_words = data
        self.pkuseg_seg.preprocesser = spacy_pkuseg.Preprocesser(user_dict)
        self.pkuseg_seg.postprocesser.do_process = do_process
        self.pkuseg_seg.postprocesser.common_words = set(common_words)
        self.pkuseg_seg.postprocesser.other_words = set(other_words)
        if isinstance(self.pkuseg_seg, FastPkuseg):
            self.pkuseg_seg._merge_filter()  # rebuilt for the new dictionaries, at load

    def to_disk(self, path, **kwargs) -> None:
        if not self.uses_fast:
            return super().to_disk(path, **kwargs)
        path = util.ensure_path(path)

        def save_model(target: Path) -> None:
            target.mkdir(parents=True, exist_ok=True)
            for name in MODEL_FILES:
                shutil.copyfile(self.pkuseg_seg.model_dir / name, target / name)

        serializers = {
            "cfg": lambda p: srsly.write_json(p, self._get_config()),
            "pkuseg_model": save_model,
            "pkuseg_processors": lambda p: srsly.write_msgpack(p, self._processors_data()),
        }
        return util.to_disk(path, serializers, [])

    def from_disk(self, path, **kwargs) -> FastChineseTokenizer:
        path = util.ensure_path(path)
        if (path / "cfg").is_file():
            self._set_config(srsly.read_json(path / "cfg"))
        model_dir, processors = path / "pkuseg_model", path / "pkuseg_processors"
        if not (self.fast and self.segmenter == Segmenter.pkuseg and model_dir.is_dir()):
            super().from_disk(path, **kwargs)
            return self
        has_processors = processors.is_file()
        self.pkuseg_seg = FastPkuseg(model_dir, user_dict=None if has_processors else "default")
        if has_processors:
            self._apply_processors(srsly.read_msgpack(processors))
        return self

    def to_bytes(self, **kwargs) -> bytes:
        if not self.uses_fast:
            return super().to_bytes(**kwargs)
        model_dir = self.pkuseg_seg.model_dir
        serializers = {
            "cfg": lambda: srsly.json_dumps(self._get_config()),
            "pkuseg_features": lambda: (model_dir / FEATURES_FILE).read_bytes(),
            "pkuseg_weights": lambda: (model_dir / WEIGHTS_FILE).read_bytes(),
            "pkuseg_processors": lambda: srsly.msgpack_dumps(self._processors_data()),
        }
        return util.to_bytes(serializers, [])

    def from_bytes(self, data: bytes, **kwargs) -> FastChineseTokenizer:
        received: dict[str, Any] = {}
        deserializers = {
            "cfg": lambda b: received.__setitem__("cfg", srsly.json_loads(b)),
            "pkuseg_features": lambda b: received.__setitem__("features", b),
            "pkuseg_weights": lambda b: received.__setitem__("weights", b),
            "pkuseg_processors": lambda b: received.__setitem__("processors", b),
        }
        util.from_bytes(data, deserializers, [])
        self._set_config(received.get("cfg"))
        if not (self.fast and self.segmenter == Segmenter.pkuseg and received.get("features")):
            super().from_bytes(data, **kwargs)
            return self
        model_dir = store_model_files(received["features"], received["weights"])
        self.pkuseg_seg = FastPkuseg(model_dir, user_dict=None)
        processors = srsly.msgpack_loads(received["processors"])
        if processors:
            self._apply_processors(processors)
        return self


def fold_table(pairs: str) -> TranslationTable | None:
    """``str.translate`` table of ``"<traditional>|<simplified>"`` (None when empty)."""
    if not pairs:
        return None
    trad, _, simp = pairs.partition("|")
    if len(trad) != len(simp):
        raise ValueError("tokenizer trad_simp: both sides need the same number of characters")
    return TranslationTable({ord(t): ord(s) for t, s in zip(trad, simp, strict=True)})


def store_model_files(features: bytes, weights: bytes, root: Path | None = None) -> Path:
    """Write model files into a content-addressed cache directory (once) and return it."""
    from pipeline.segmenter import cache_root

    digest = hashlib.sha256(features)
    digest.update(hashlib.sha256(weights).digest())
    target = (root or cache_root() / "fastseg" / "models") / digest.hexdigest()
    if (
        all((target / name).is_file() for name in MODEL_FILES)
        and (target / FEATURES_FILE).read_bytes() == features
        and (target / WEIGHTS_FILE).read_bytes() == weights
    ):
        return target
    staging = target.with_name(f"{target.name}.partial-{os.getpid()}")
    staging.mkdir(parents=True, exist_ok=True)
    (staging / FEATURES_FILE).write_bytes(features)
    (staging / WEIGHTS_FILE).write_bytes(weights)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target
