"""pkuseg tokens for training/evaluation without building the whole pipeline."""

from __future__ import annotations

from pathlib import Path

from training.org.data import REPO_ROOT


class PkusegTokens:
    """Callable text -> [(start, end, token text)] using the project's pkuseg model."""

    def __init__(self) -> None:
        from spacy.lang.zh import Chinese

        from pipeline.segmenter import default_model_dir

        self.nlp = Chinese.from_config({"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
        user_dict = REPO_ROOT / "configs" / "pkuseg_user_dict.txt"
        self.nlp.tokenizer.initialize(
            pkuseg_model=str(default_model_dir()),
            pkuseg_user_dict=str(user_dict) if Path(user_dict).is_file() else "default",
        )

    def __call__(self, text: str) -> list[tuple[int, int, str]]:
        doc = self.nlp.make_doc(text)
        return [(t.idx, t.idx + len(t.text), t.text) for t in doc]
