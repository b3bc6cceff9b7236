"""Span-level precision / recall / F1 (exact match), shared by training and evaluation."""

from __future__ import annotations

from collections.abc import Sequence


def span_prf(
    gold: Sequence[Sequence[tuple[int, int]]], pred: Sequence[Sequence[tuple[int, int]]]
) -> dict[str, float]:
    """Micro P/R/F1 over exact (start, end) matches, per document lists."""
    tp = fp = fn = 0
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(map(tuple, g)), set(map(tuple, p))
        tp += len(gs & ps)
        fp += len(ps - gs)
        fn += len(gs - ps)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def span_recall(
    gold: Sequence[Sequence[tuple[int, int]]], pred: Sequence[Sequence[tuple[int, int]]]
) -> dict[str, float]:
    """Recall of gold spans: exact match, and 'covered' (a predicted span overlaps it)."""
    exact = covered = total = 0
    for g, p in zip(gold, pred, strict=True):
        ps = set(map(tuple, p))
        for s, e in g:
            total += 1
            exact += (s, e) in ps
            covered += any(ps_s < e and s < ps_e for ps_s, ps_e in ps)
    return {
        "recall_exact": round(exact / total, 4) if total else 0.0,
        "recall_overlap": round(covered / total, 4) if total else 0.0,
        "n": total,
    }
