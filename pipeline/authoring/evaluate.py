"""``rules eval``: score every entity and relation rule on its own against gold data.

The final output of the pipeline says how good the whole is; a rule author needs to
know what *each rule* contributes and breaks.  So the components' raw candidates
(:mod:`pipeline.authoring.protocol`) are compared with gold, rule by rule: hits, true
and false positives, precision, recall, recall contribution (gold found by this rule
and by no other rule nor the classifier), duplicates of / overlaps and conflicts with
other rules and with the classifier, candidates lost in overlap resolution, and a few
false positives and near misses with their context.  Relation rules are scored per
decision (field of a figure's relation) against the gold relation of that figure.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language

from pipeline.authoring.corpus import ENTITY_LABELS, GoldSet
from pipeline.authoring.protocol import (
    RELATION_FIELDS,
    SPAN_FIELDS,
    RelationRuleHit,
    is_model,
    rule_id,
)

EXAMPLES_PER_RULE = 3
MISSES_PER_LABEL = 5
CONTEXT = 18
Key = tuple[int, int, str]


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None or p + r == 0:
        return None if p is None or r is None else 0.0
    return round(2 * p * r / (p + r), 4)


def example(
    doc_id: str, text: str, start: int, end: int, label: str, note: str, gold: Iterable[Key] = ()
) -> dict[str, Any]:
    """A context window around ``start:end`` with spans relative to the window."""
    left = max(0, start - CONTEXT)
    right = min(len(text), end + CONTEXT)
    spans = [{"start": start - left, "end": end - left, "label": label}]
    for gs, ge, gl in gold:
        if gs >= left and ge <= right and (gs, ge) != (start, end):
            spans.append({"start": gs - left, "end": ge - left, "label": f"GOLD:{gl}"})
    return {
        "doc": doc_id,
        "span": text[start:end],
        "note": note,
        "context": ("…" if left else "")
        + text[left:start]
        + "【"
        + text[start:end]
        + "】"
        + text[end:right]
        + ("…" if right < len(text) else ""),
        "window": text[left:right],
        "spans": spans,
    }


@dataclass
class RuleStats:
    """Everything measured about one rule."""

    id: str
    label: str
    kind: str = "entity"  # entity | relation
    component: str | None = None
    file: str | None = None
    line: int | None = None
    raw: bool = True
    hits: int = 0
    tp: int = 0
    unique: int = 0
    lost: int = 0
    duplicates: int = 0
    overlaps: Counter = field(default_factory=Counter)
    conflicts: Counter = field(default_factory=Counter)
    model_agree: int = 0
    model_overlaps: int = 0
    model_conflicts: int = 0
    overridden: int = 0
    value_checked: int = 0
    value_ok: int = 0
    value_errors: list[dict[str, Any]] = field(default_factory=list)
    gold_total: int = 0
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (one item of the report's ``rules`` list)."""
        precision = _ratio(self.tp, self.hits)
        recall = _ratio(self.tp, self.gold_total)
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "component": self.component,
            "file": self.file,
            "line": self.line,
            "raw": self.raw,
            "hits": self.hits,
            "tp": self.tp,
            "fp": self.hits - self.tp,
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
            "unique": self.unique,
            "recall_contribution": _ratio(self.unique, self.gold_total),
            "gold": self.gold_total,
            "lost": self.lost,
            "duplicates": self.duplicates,
            "overlaps": sum(self.overlaps.values()),
            "conflicts": sum(self.conflicts.values()),
            "overlaps_with": dict(self.overlaps.most_common(5)),
            "conflicts_with": dict(self.conflicts.most_common(5)),
            "model_agree": self.model_agree,
            "model_overlaps": self.model_overlaps,
            "model_conflicts": self.model_conflicts,
            "false_positives": self.false_positives,
            "misses": self.misses,
        }
        if self.kind == "entity":
            out["value_accuracy"] = _ratio(self.value_ok, self.value_checked)
            out["value_errors"] = self.value_errors
        if self.kind == "relation":
            out["overridden"] = self.overridden
        return out


@dataclass
class EvalReport:
    """The result of :func:`evaluate_rules`."""

    gold: list[str]
    documents: int
    skipped: int
    problems: list[str]
    rules: list[RuleStats]
    labels: dict[str, dict[str, Any]]
    relations: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "warnings": self.warnings,
            "gold": self.gold,
            "documents": self.documents,
            "skipped": self.skipped,
            "problems": self.problems,
            "rules": [r.to_dict() for r in self.rules],
            "labels": self.labels,
            "relations": self.relations,
        }


class _Collector:
    """Accumulates rule statistics document by document."""

    def __init__(self, catalogue: Sequence[dict[str, Any]], by_entry: bool = False) -> None:
        self.by_entry = by_entry
        self.rules: dict[str, RuleStats] = {}
        for entry in catalogue:
            stats = self._rule(
                str(entry["id"]),
                str(entry.get("label", "?")),
                entry.get(
                    "kind",
                    "relation" if str(entry.get("label", "")).startswith("REL") else "entity",
                ),
            )
            stats.component = entry.get("component")
            stats.file = entry.get("file")
            stats.line = entry.get("line")
        self.gold_count: Counter = Counter()
        self.found_any: Counter = Counter()
        self.found_model: Counter = Counter()
        self.final_tp: Counter = Counter()
        self.final_pred: Counter = Counter()
        self.misses: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.field_gold: Counter = Counter()
        self.rel = Counter()

    def _rule(self, rid: str, label: str, kind: str = "entity") -> RuleStats:
        if rid not in self.rules:
            self.rules[rid] = RuleStats(id=rid, label=label, kind=kind)
        return self.rules[rid]

    # ------------------------------------------------------------------ entities
    def entities(
        self,
        doc_id: str,
        text: str,
        gold: set[Key],
        raw: dict[str, set[Key]],
        fallback: dict[str, set[Key]],
        model: set[Key],
        final: set[Key],
        values: dict[tuple[str, Key], Any] | None = None,
        gold_values: dict[Key, Any] | None = None,
    ) -> None:
        values = values or {}
        gold_values = gold_values or {}
        for key in gold:
            self.gold_count[key[2]] += 1
        for key in final:
            self.final_pred[key[2]] += 1
            if key in gold:
                self.final_tp[key[2]] += 1
        found_by: dict[Key, set[str]] = defaultdict(set)
        all_hits: list[tuple[str, Key]] = []
        for rid, hits in (*raw.items(), *fallback.items()):
            for key in hits:
                all_hits.append((rid, key))
                if key in gold:
                    found_by[key].add(rid)
        # Sets iterate in hash order (randomised for strings): sort for stable reports.
        all_hits.sort(key=lambda item: (item[1], item[0]))
        for rid in sorted(fallback):
            self._rule(rid, min(fallback[rid])[2]).raw = False
        gold_sorted = sorted(gold)
        for rid, key in all_hits:
            stats = self._rule(rid, key[2])
            if stats.label == "?":
                stats.label = key[2]
            s, e, label = key
            stats.hits += 1
            if key in gold:
                stats.tp += 1
                if key not in final:
                    stats.lost += 1
                predicted, expected = values.get((rid, key)), gold_values.get(key)
                if predicted is not None and isinstance(expected, dict):
                    stats.value_checked += 1
                    if same_value(predicted, expected):
                        stats.value_ok += 1
                    elif len(stats.value_errors) < EXAMPLES_PER_RULE:
                        note = f"value {_value_diff(predicted, expected)}"
                        stats.value_errors.append(example(doc_id, text, s, e, label, note))
            elif len(stats.false_positives) < EXAMPLES_PER_RULE:
                near = [g for g in gold_sorted if g[0] < e and s < g[1]]
                if any(g[2] == label for g in near):
                    note = "boundary: gold " + ", ".join(
                        text[g[0] : g[1]] for g in near if g[2] == label
                    )
                elif near:
                    note = "label: gold " + ", ".join(f"{g[2]} {text[g[0] : g[1]]}" for g in near)
                else:
                    note = "not in gold"
                stats.false_positives.append(example(doc_id, text, s, e, label, note, gold_sorted))
            for other, okey in all_hits:
                if other == rid or not (okey[0] < e and s < okey[1]):
                    continue
                if okey == key:
                    stats.duplicates += 1
                elif okey[2] == label:
                    stats.overlaps[other] += 1
                else:
                    stats.conflicts[other] += 1
            for mkey in model:
                if not (mkey[0] < e and s < mkey[1]):
                    continue
                if mkey == key:
                    stats.model_agree += 1
                elif mkey[2] == label:
                    stats.model_overlaps += 1
                else:
                    stats.model_conflicts += 1
            for g in gold_sorted:
                if (
                    g[2] == label
                    and g != key
                    and g[0] < e
                    and s < g[1]
                    and len(stats.misses) < EXAMPLES_PER_RULE
                ):
                    stats.misses.append(
                        example(
                            doc_id,
                            text,
                            g[0],
                            g[1],
                            label,
                            f"near miss: rule matched {text[s:e]}",
                            [key],
                        )
                    )
        for key in gold_sorted:
            rules = found_by.get(key, set())
            if key in model:
                self.found_model[key[2]] += 1
            if rules or key in model:
                self.found_any[key[2]] += 1
            if len(rules) == 1 and key not in model:
                self.rules[next(iter(rules))].unique += 1
            if (
                not rules
                and key not in model
                and key not in final
                and len(self.misses[key[2]]) < MISSES_PER_LABEL
            ):
                self.misses[key[2]].append(
                    example(doc_id, text, key[0], key[1], key[2], "found by no rule or model")
                )

    # ----------------------------------------------------------------- relations
    def relations(
        self,
        doc_id: str,
        text: str,
        gold_rels: dict[tuple[int, int], dict[str, Any]],
        gold_figures: set[tuple[int, int]],
        hits: Iterable[RelationRuleHit],
        final_rels: dict[tuple[int, int], dict[str, Any]],
    ) -> None:
        for rel in gold_rels.values():
            for name in RELATION_FIELDS:
                if rel.get(name) is not None or name == "kind":
                    self.field_gold[name] += 1
        seen: set[tuple[str, tuple[int, int], str]] = set()
        unique_hits: list[RelationRuleHit] = []
        for hit in hits:
            k = (hit.rule, tuple(hit.figure), hit.field)
            if k not in seen:
                seen.add(k)
                unique_hits.append(hit)
        correct_by: dict[tuple[tuple[int, int], str], set[str]] = defaultdict(set)
        for hit in unique_hits:
            rid = rule_id(hit.rule)
            if self.by_entry and hit.entry:
                rid = f"{rid}:{hit.entry}"
            stats = self._rule(rid, f"REL:{hit.field}", "relation")
            fig = (int(hit.figure[0]), int(hit.figure[1]))
            value = (
                tuple(hit.value)
                if hit.field in SPAN_FIELDS and hit.value is not None
                else hit.value
            )
            stats.hits += 1
            gold = gold_rels.get(fig)
            if gold is not None and gold.get(hit.field) == value:
                stats.tp += 1
                correct_by[(fig, hit.field)].add(rid)
            elif len(stats.false_positives) < EXAMPLES_PER_RULE:
                if gold is None:
                    note = (
                        "figure has no relation in gold"
                        if fig in gold_figures
                        else "figure is not a gold figure"
                    )
                else:
                    note = f"{hit.field}: rule says {_show(text, value)}, gold {_show(text, gold.get(hit.field))}"
                stats.false_positives.append(
                    example(doc_id, text, fig[0], fig[1], f"REL:{hit.field}", note)
                )
            for other in unique_hits:
                if (
                    other is not hit
                    and tuple(other.figure) == tuple(hit.figure)
                    and other.field == hit.field
                    and other.value != hit.value
                ):
                    stats.conflicts[rule_id(other.rule)] += 1
            final = final_rels.get(fig)
            if final is not None and hit.field in final and final[hit.field] != value:
                stats.overridden += 1
        for rules in correct_by.values():
            if len(rules) == 1:
                self.rules[next(iter(rules))].unique += 1
        # whole relations (figure + subject), as the pipeline outputs them
        self.rel["gold"] += len(gold_rels)
        self.rel["pred"] += len(final_rels)
        for fig, pred in final_rels.items():
            gold = gold_rels.get(fig)
            if gold is None:
                continue
            if pred.get("subject") == gold.get("subject") or (
                pred.get("subject_canonical")
                and pred.get("subject_canonical") == gold.get("subject_canonical")
            ):
                self.rel["tp"] += 1
                for name in ("kind", "comparison", "direction", "period", "role", "metric"):
                    self.rel[f"{name}_ok"] += int(pred.get(name) == gold.get(name))

    def finish(self) -> tuple[list[RuleStats], dict[str, dict[str, Any]], dict[str, Any]]:
        for stats in self.rules.values():
            if stats.kind == "relation":
                stats.gold_total = self.field_gold[stats.label.split(":", 1)[-1]]
            else:
                stats.gold_total = self.gold_count[stats.label]
        labels = {}
        for label in sorted(set(self.gold_count) | set(self.final_pred)):
            p = _ratio(self.final_tp[label], self.final_pred[label])
            r = _ratio(self.final_tp[label], self.gold_count[label])
            labels[label] = {
                "gold": self.gold_count[label],
                "found_by_rules_or_model": self.found_any[label],
                "found_by_model": self.found_model[label],
                "rule_recall": _ratio(self.found_any[label], self.gold_count[label]),
                "output": self.final_pred[label],
                "output_tp": self.final_tp[label],
                "precision": p,
                "recall": r,
                "f1": _f1(p, r),
                "misses": self.misses.get(label, []),
            }
        p = _ratio(self.rel["tp"], self.rel["pred"])
        r = _ratio(self.rel["tp"], self.rel["gold"])
        relations = {
            "gold": self.rel["gold"],
            "output": self.rel["pred"],
            "tp": self.rel["tp"],
            "precision": p,
            "recall": r,
            "f1": _f1(p, r),
            "field_accuracy": {
                name: _ratio(self.rel[f"{name}_ok"], self.rel["tp"])
                for name in ("metric", "kind", "comparison", "direction", "period", "role")
            },
        }
        order = {"entity": 0, "relation": 1}
        rules = sorted(self.rules.values(), key=lambda s: (order.get(s.kind, 2), s.label, s.id))
        return rules, labels, relations


VALUE_KEYS = ("amount", "currency", "low", "high", "value", "unit", "start", "end", "per")


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
    return a == b


def same_value(predicted: dict[str, Any], gold: dict[str, Any]) -> bool:
    """Whether a normalised value agrees with gold on the keys gold states."""
    return all(
        _close(predicted.get(k), gold[k]) for k in VALUE_KEYS if k in gold and gold[k] is not None
    )


def _value_diff(predicted: dict[str, Any], gold: dict[str, Any]) -> str:
    keys = [
        k
        for k in VALUE_KEYS
        if k in gold and gold[k] is not None and not _close(predicted.get(k), gold[k])
    ]
    return ", ".join(f"{k}: rule {predicted.get(k)!r} vs gold {gold[k]!r}" for k in keys)


def _show(text: str, value: Any) -> str:
    if isinstance(value, tuple) and len(value) == 2:
        return repr(text[value[0] : value[1]])
    return repr(value)


def _span_tuple(span: Any) -> tuple[int, int] | None:
    if isinstance(span, dict) and "start" in span:
        return int(span["start"]), int(span["end"])
    return None


def gold_relations(record: dict[str, Any]) -> dict[tuple[int, int], dict[str, Any]]:
    """Gold relations keyed by figure offsets, with span fields as offset tuples."""
    out = {}
    for rel in record.get("relations", []):
        out[(rel["figure"]["start"], rel["figure"]["end"])] = {
            "subject": _span_tuple(rel.get("subject")),
            "subject_canonical": (rel.get("subject") or {}).get("canonical"),
            "metric": _span_tuple(rel.get("metric")),
            "period": _span_tuple(rel.get("period")),
            "kind": rel.get("kind"),
            "comparison": rel.get("comparison"),
            "direction": rel.get("direction"),
            "role": rel.get("role"),
        }
    return out


def predicted_relations(
    text: str, relations: Iterable[dict[str, Any]], mentions: Sequence[dict[str, Any]]
) -> dict[tuple[int, int], dict[str, Any]]:
    """The pipeline's relations in the same shape as :func:`gold_relations`."""
    out = {}
    for rel in relations:
        fig = (rel["figure"]["start"], rel["figure"]["end"])
        metric = rel.get("metric")
        metric_span = (
            _span_tuple(metric) if isinstance(metric, dict) else _span_tuple(rel.get("metric_span"))
        )
        if metric_span is None and isinstance(metric, str):
            candidates = [
                (m["start"], m["end"])
                for m in mentions
                if m.get("type") == "METRIC" and m.get("text") == metric and m["end"] <= fig[0]
            ]
            metric_span = candidates[-1] if candidates else None
        out.setdefault(
            fig,
            {
                "subject": _span_tuple(rel.get("subject")),
                "subject_canonical": (rel.get("subject") or {}).get("canonical"),
                "metric": metric_span,
                "period": _span_tuple(rel.get("period")),
                "kind": rel.get("kind"),
                "comparison": rel.get("comparison"),
                "direction": rel.get("direction"),
                "role": rel.get("role"),
            },
        )
    return out


def catalogue(nlp: Language, by_entry: bool = False) -> list[dict[str, Any]]:
    """Every rule every component reports, tagged with the component name.

    Items with an ``entry`` (one line of a lexicon) are listed as ``<rule>:<entry>``
    when ``by_entry``, and left out otherwise.
    """
    from pipeline.authoring.adapters import adapter_for

    entries = []
    for name, proc in nlp.pipeline:
        method = adapter_for(proc, "rule_catalogue")
        if method is None:
            continue
        try:
            listed = method()
        except Exception:  # no catalogue: its rules still appear when they fire
            continue
        for entry in listed:
            item = dict(entry)
            if item.get("entry") is not None:
                if not by_entry:
                    continue
                item["id"] = f"{rule_id(str(item['id']))}:{item['entry']}"
            else:
                item["id"] = rule_id(str(item["id"]))
            item.setdefault("component", name)
            entries.append(item)
    return entries


def _candidate_id(cand: Any, by_entry: bool) -> str:
    rid = rule_id(cand.source)
    entry = (cand.extra or {}).get("entry") if by_entry else None
    return f"{rid}:{entry}" if entry else rid


def evaluate_rules(
    nlp: Language,
    gold: GoldSet,
    gold_paths: Sequence[str] = (),
    batch_size: int = 32,
    by_entry: bool = False,
) -> EvalReport:
    """Run the pipeline over ``gold`` and score every rule (see module docstring)."""
    from pipeline.api import make_doc
    from pipeline.authoring.adapters import adapter_for

    entries = catalogue(nlp, by_entry)
    collector = _Collector(entries, by_entry)
    raw_components = [(n, m) for n, p in nlp.pipeline if (m := adapter_for(p, "rule_matches"))]
    rel_components = [
        (n, m) for n, p in nlp.pipeline if (m := adapter_for(p, "relation_rule_hits"))
    ]
    # Labels whose rules are scored from raw candidates; the others from the final output.
    labels_of: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        labels_of[str(e.get("component"))].add(str(e.get("label")))
    warnings: list[str] = []

    def covered_labels() -> set[str]:
        return set().union(*(labels_of[n] for n, _ in raw_components))

    covered = covered_labels()
    records = gold.records
    docs = nlp.pipe(
        (make_doc(nlp, r["text"], r.get("date")) for r in records), batch_size=batch_size
    )
    for record, doc in zip(records, docs, strict=True):
        text = record["text"]
        doc_id = str(record.get("id"))
        gold_keys = {(e["start"], e["end"], e["label"]) for e in record.get("entities", [])}
        raw: dict[str, set[Key]] = defaultdict(set)
        model: set[Key] = set()
        values: dict[tuple[str, Key], Any] = {}
        final_values = {
            (span.start_char, span.end_char, span.label_): span._.value
            for span in doc.ents
            if span._.value is not None
        }
        for name, rule_matches in list(raw_components):
            try:
                candidates = rule_matches(doc)
            except Exception as err:  # a component's internals changed: report, go on
                warnings.append(
                    f"{name}: rule_matches failed on {doc_id} ({err!r}); "
                    "its rules are scored from the final output from here on"
                )
                raw_components.remove((name, rule_matches))
                covered = covered_labels()
                continue
            for cand in candidates:
                key = (cand.start, cand.end, cand.label)
                if is_model(cand.source):
                    model.add(key)
                else:
                    rid = _candidate_id(cand, by_entry)
                    raw[rid].add(key)
                    if cand.value is not None:
                        values[(rid, key)] = cand.value
                    if key in final_values:  # the value computed in context wins
                        values[(rid, key)] = final_values[key]
                    labels_of[name].add(cand.label)
                    covered.add(cand.label)
        final: set[Key] = set()
        fallback: dict[str, set[Key]] = defaultdict(set)
        for span in doc.ents:
            key = (span.start_char, span.end_char, span.label_)
            final.add(key)
            if is_model(span._.source):
                model.add(key)
            elif span.label_ not in covered:
                fallback[rule_id(span._.source)].add(key)
        mentions = [m for m in (doc._.mentions or []) if isinstance(m, dict)]
        for m in mentions:
            if m.get("type") in ("SEGMENT", "METRIC"):
                final.add((int(m["start"]), int(m["end"]), m["type"]))
        # Gold SEGMENT/METRIC are only scored against rules that propose them.
        scored = set(ENTITY_LABELS) | covered
        gold_scored = {k for k in gold_keys if k[2] in scored}
        gold_values = {
            (e["start"], e["end"], e["label"]): e.get("value") for e in record.get("entities", [])
        }
        final_scored = {k for k in final if k[2] in scored}
        collector.entities(
            doc_id, text, gold_scored, raw, fallback, model, final_scored, values, gold_values
        )
        hits: list[RelationRuleHit] = []
        for name, relation_rule_hits in list(rel_components):
            try:
                hits.extend(relation_rule_hits(doc))
            except Exception as err:
                warnings.append(f"{name}: relation_rule_hits failed on {doc_id} ({err!r})")
                rel_components.remove((name, relation_rule_hits))
        gold_figs = {
            (e["start"], e["end"])
            for e in record.get("entities", [])
            if e["label"] in ("MONEY", "PERCENT")
        }
        collector.relations(
            doc_id,
            text,
            gold_relations(record),
            gold_figs,
            hits,
            predicted_relations(text, doc._.relations or [], mentions),
        )
    rules, labels, relations = collector.finish()
    return EvalReport(
        gold=list(gold_paths),
        documents=len(records),
        skipped=gold.skipped,
        problems=[str(p) for p in gold.problems],
        rules=rules,
        labels=labels,
        relations=relations,
        warnings=warnings,
    )
