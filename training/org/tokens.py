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


class CachedTokens:
    """:class:`PkusegTokens` with a JSON cache on disk, for repeated experiments.

    Why: segmenting the ~60k training sentences takes minutes on one core and gives the
    same tokens every time; feature experiments re-read them from the cache (a file
    outside the project, e.g. under /tmp: it holds dataset text).
    """

    def __init__(self, path: Path) -> None:
        import json

        self.path = Path(path)
        self._table: dict[str, list[tuple[int, int, str]]] = {}
        if self.path.is_file():
            raw = json.loads(self.path.read_text(encoding="utf8"))
            self._table = {k: [(s, e, t) for s, e, t in v] for k, v in raw.items()}
        self._segmenter: PkusegTokens | None = None
        self._dirty = False

    def __call__(self, text: str) -> list[tuple[int, int, str]]:
        hit = self._table.get(text)
        if hit is None:
            if self._segmenter is None:
                self._segmenter = PkusegTokens()
            hit = self._table[text] = self._segmenter(text)
            self._dirty = True
        return hit

    def save(self) -> None:
        """Write the cache when something was added."""
        import json

        if self._dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self._table, ensure_ascii=False), encoding="utf8")
            self._dirty = False
