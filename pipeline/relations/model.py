"""The figure -> subject pair classifier: a logistic regression stored as JSON.

Training uses scikit-learn (``DictVectorizer`` + ``LogisticRegression``); what ships
is only the learned numbers (feature names, weights, intercept, decision threshold)
in a JSON file, plus a model card with the SHA-256 of that file.  Loading checks the
hash and the structure and refuses anything else (``Errors.E006``): no pickle, no
code, nothing a tampered file could execute.  Scoring a pair is a sparse dot
product in pure Python, cheaper than a scikit-learn call per figure.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import Errors, ZhnewsError
from pipeline.safety.model_files import sha256_file

MODEL_FILE = "rel_clf.json"
_ZEROS = itertools.repeat(0.0)
CARD_FILE = "rel_clf.card.json"
FORMAT = "zhnews.rel_clf.v1"


@dataclass
class PairModel:
    """Linear pair scorer: P(subject is right) = sigmoid(w . x + b)."""

    weights: dict[str, float] = field(default_factory=dict)
    intercept: float = 0.0
    threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)

    def score(self, features: dict[str, float]) -> float:
        """Probability that the pair is a true figure -> subject link."""
        return self.probability(self.intercept + self.partial(features))

    def partial(self, features: dict[str, float]) -> float:
        """``w . x`` for a subset of the (binary) features; callers add the parts."""
        return sum(map(self.weights.get, features, _ZEROS))

    @staticmethod
    def probability(z: float) -> float:
        """Logistic function, safe for large negative ``z``."""
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict[str, Any]:
        """The on-disk form (sorted keys keep the file and its hash deterministic)."""
        names = sorted(self.weights)
        return {
            "format": FORMAT,
            "features": names,
            "weights": [round(self.weights[n], 8) for n in names],
            "intercept": round(self.intercept, 8),
            "threshold": round(self.threshold, 6),
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: Any, path: str | Path = "<bytes>") -> PairModel:
        """Validate the structure and build the model (``E006`` on any problem)."""

        def refuse(reason: str) -> ZhnewsError:
            return ZhnewsError(Errors.E006.format(path=path, reason=reason))

        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise refuse(f"not a {FORMAT} file")
        names, weights = data.get("features"), data.get("weights")
        if (
            not isinstance(names, list)
            or not isinstance(weights, list)
            or len(names) != len(weights)
        ):
            raise refuse("features and weights must be lists of equal length")
        if not all(isinstance(n, str) for n in names):
            raise refuse("feature names must be strings")
        numbers = [*weights, data.get("intercept"), data.get("threshold")]
        if not all(isinstance(x, (int, float)) and math.isfinite(x) for x in numbers):
            raise refuse("weights, intercept and threshold must be finite numbers")
        if not 0.0 <= data["threshold"] <= 1.0:
            raise refuse("threshold must be in [0, 1]")
        meta = data.get("meta", {})
        if not isinstance(meta, dict):
            raise refuse("meta must be an object")
        return cls(
            dict(zip(names, (float(w) for w in weights), strict=True)),
            float(data["intercept"]),
            float(data["threshold"]),
            meta,
        )


def save_model(model: PairModel, directory: str | Path, card: dict[str, Any] | None = None) -> Path:
    """Write ``rel_clf.json`` and its model card (with the SHA-256) to ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MODEL_FILE
    path.write_text(
        json.dumps(model.to_json(), ensure_ascii=False, sort_keys=True, indent=1) + "\n",
        encoding="utf8",
    )
    full_card = dict(card or {})
    full_card["model_file"] = MODEL_FILE
    full_card["sha256"] = sha256_file(path)
    (directory / CARD_FILE).write_text(
        json.dumps(full_card, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf8"
    )
    return path


def load_model(directory: str | Path) -> PairModel:
    """Load and verify a model directory; refuse (``E006``) when the hash or form is wrong."""
    directory = Path(directory)
    path = directory / MODEL_FILE
    card_path = directory / CARD_FILE
    if not path.is_file():
        raise ZhnewsError(Errors.E006.format(path=path, reason="file missing"))
    if not card_path.is_file():
        raise ZhnewsError(Errors.E006.format(path=path, reason=f"model card {CARD_FILE} missing"))
    try:
        card = json.loads(card_path.read_text(encoding="utf8"))
    except (OSError, ValueError, RecursionError) as err:
        raise ZhnewsError(
            Errors.E006.format(path=card_path, reason=f"unreadable card: {err}")
        ) from err
    expected = card.get("sha256") if isinstance(card, dict) else None
    actual = sha256_file(path)
    if expected != actual:
        raise ZhnewsError(
            Errors.E006.format(path=path, reason=f"SHA-256 {actual} does not match the model card")
        )
    try:
        data = json.loads(path.read_text(encoding="utf8"))
    except (ValueError, RecursionError) as err:  # bad UTF-8 / JSON, or absurd nesting
        reason = f"invalid JSON: {type(err).__name__}: {str(err)[:200]}"
        raise ZhnewsError(Errors.E006.format(path=path, reason=reason)) from None
    return PairModel.from_json(data, path)


def default_model_dir() -> Path:
    """The shipped model: ``pipeline/models/relations``."""
    return Path(__file__).resolve().parents[1] / "models" / "relations"
