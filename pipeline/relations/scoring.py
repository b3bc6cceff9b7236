"""Free scoring function for relations: link P/R/F and attribute accuracies.

Gold relations come from the annotated corpus (``corpus/annotated/*.jsonl``);
predicted relations are schema-v1 dicts.  A link is the pair (figure span, subject):
the subject matches when its comparison key (canonical company / normalised segment
name) equals the gold one, or when the predicted subject span is a gold mention of
the gold subject (so an alias such as 商汤 counts for 商汤集团).  Metric, kind and
period accuracies are measured over the gold relations whose figure received a
prediction, so they describe the rules independently of the link decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeline.relations.mentions import segment_key


def subject_key(subject: dict[str, Any]) -> str:
    """Comparison key of a (gold or predicted) subject dict."""
    canonical = subject.get("canonical") or subject.get("text") or ""
    if subject.get("type") == "SEGMENT":
        return "SEGMENT:" + segment_key(canonical)
    return "ORG:" + canonical.strip()


def _gold_mention_keys(record: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(start, end, key) for every gold ORG/SEGMENT mention of a record."""
    out: list[tuple[int, int, str]] = []
    for ent in record.get("entities", []):
        if ent["label"] in ("ORG", "SEGMENT"):
            subject = {"type": ent["label"], "canonical": ent.get("canon"), "text": ent["text"]}
            out.append((ent["start"], ent["end"], subject_key(subject)))
    return out


def predicted_keys(pred: dict[str, Any], mentions: list[tuple[int, int, str]]) -> set[str]:
    """Keys a predicted subject may stand for: its own key and overlapping gold mentions'."""
    subject = pred["subject"]
    keys = {subject_key(subject)}
    s, e = subject.get("start"), subject.get("end")
    if s is not None and e is not None:
        keys.update(
            k for ms, me, k in mentions if ms < e and s < me and k[:3] == subject_key(subject)[:3]
        )
    return keys


@dataclass
class RelationScores:
    """Counts behind link P/R/F and the attribute accuracies."""

    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0
    attempted: int = 0
    correct: dict[str, int] = field(
        default_factory=lambda: {
            "metric": 0,
            "kind": 0,
            "period": 0,
            "comparison": 0,
            "direction": 0,
        }
    )

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float:
        return self.correct[name] / self.attempted if self.attempted else 0.0

    def as_dict(self) -> dict[str, float]:
        out = {
            "link_p": round(self.precision, 4),
            "link_r": round(self.recall, 4),
            "link_f1": round(self.f1, 4),
            "n_gold": self.n_gold,
            "n_pred": self.n_pred,
            "attempted": self.attempted,
        }
        out.update({f"{k}_acc": round(self.accuracy(k), 4) for k in self.correct})
        return out


def _span(d: dict[str, Any] | None) -> tuple[int, int] | None:
    return (d["start"], d["end"]) if d else None


def score_relations(
    pairs: Iterable[tuple[dict[str, Any], list[dict[str, Any]]]],
) -> RelationScores:
    """Score (gold record, predicted relations) pairs, micro-averaged."""
    scores = RelationScores()
    for record, predicted in pairs:
        mentions = _gold_mention_keys(record)
        gold_by_fig = {_span(g["figure"]): g for g in record.get("relations", [])}
        scores.n_gold += len(gold_by_fig)
        scores.n_pred += len(predicted)
        for pred in predicted:
            gold = gold_by_fig.get(_span(pred["figure"]))
            if gold is None:
                continue
            if subject_key(gold["subject"]) in predicted_keys(pred, mentions):
                scores.tp += 1
            scores.attempted += 1
            gold_metric = (gold.get("metric") or {}).get("canonical")
            scores.correct["metric"] += int(gold_metric == pred.get("metric_canonical"))
            scores.correct["kind"] += int(gold["kind"] == pred["kind"])
            scores.correct["period"] += int(_span(gold.get("period")) == _span(pred.get("period")))
            scores.correct["comparison"] += int(gold.get("comparison") == pred.get("comparison"))
            scores.correct["direction"] += int(gold.get("direction") == pred.get("direction"))
    return scores
