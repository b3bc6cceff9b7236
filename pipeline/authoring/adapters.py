"""Rule introspection for the three shipped components, built on their own matchers.

Each component exposes the protocol of :mod:`pipeline.authoring.protocol` by
delegating to the functions here (``rule_matches`` / ``rule_catalogue`` /
``relation_rule_hits``), so the evaluation logic stays in the authoring package while
every match comes from the component's own compiled rules: nothing is re-implemented.
:func:`adapter_for` is also the fallback ``rules eval`` uses for a component whose
class has not (yet) grown the methods.

Candidates carry ``extra["entry"]``: the rule-file entry behind the match (the suffix,
the gazetteer name, the lexicon surface), so ``rules eval --by-entry`` can score every
line of a TSV lexicon on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from pipeline.authoring.protocol import RelationRuleHit
from pipeline.spans import EntityCandidate


# ------------------------------------------------------------------------------- helpers
def init_settings(component: Any) -> dict[str, Any]:
    """The component's ``[initialize.components.<name>]`` block, interpolated."""
    try:
        config = component.nlp.config.interpolate()
        return dict(config["initialize"]["components"].get(component.name, {}) or {})
    except Exception:  # a pipeline loaded from disk may not resolve its old paths
        return {}


def tsv_entries(
    path: Path | str | None, column: int = 0, category: str | None = None
) -> Iterator[tuple[int, str]]:
    """``(line, value of column)`` for every data line of a TSV rule file."""
    if not path or not Path(path).is_file():
        return
    for number, line in enumerate(Path(path).read_text(encoding="utf8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        if category is not None:
            if cols[0] != category:
                continue
            cols = cols[1:]
        if len(cols) > column and cols[column]:
            yield number, cols[column]


def _entry(
    rule: str, label: str, file: Any, line: int | None, entry: str | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": rule,
        "label": label,
        "file": str(file) if file else None,
        "line": line,
    }
    if entry is not None:
        item["entry"] = entry
    return item


# ------------------------------------------------------------------------------- figures
def figures_rule_matches(component: Any, doc: Doc) -> list[EntityCandidate]:
    """Every match of every figure rule, each rule scanned on its own (no resolution)."""
    from pipeline.figures.dates import DateContext, parse_pub_date
    from pipeline.figures.recognizer import RawMatch
    from pipeline.figures.textnorm import compress, normalise

    engine = component.engine
    comp = compress(normalise(doc.text))
    s = comp.text
    pub = parse_pub_date(doc._.pub_date)
    out: list[EntityCandidate] = []
    for rule in engine.rules.rules:
        for m in rule.regex.finditer(s):
            if m.end() <= m.start():
                continue
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            raw = RawMatch(m.start(), m.end(), rule, groups, {k: m.span(k) for k in groups})
            try:
                value = engine._value(raw, s, DateContext(pub=pub), {})
            except Exception:  # a value error does not undo the match
                value = None
            out.append(
                EntityCandidate(
                    comp.to_original(m.start()),
                    comp.to_original(m.end(), end=True),
                    rule.label,
                    rule.source,
                    value=value,
                    priority=rule.priority,
                )
            )
    return out


def figures_rule_catalogue(component: Any) -> list[dict[str, Any]]:
    """One entry per rule of ``patterns.yaml``, with its line."""
    rules = component.engine.rules
    return [_entry(rule.id, rule.label, rules.path, rule.line) for rule in rules.rules]


# ---------------------------------------------------------------------------------- orgs
def _suffix_of(matchers: Any, text: str) -> str | None:
    for suffix in sorted(getattr(matchers, "_suffix_conf", {}), key=len, reverse=True):
        if text.endswith(suffix):
            return suffix
    return None


def orgs_rule_matches(component: Any, doc: Doc) -> list[EntityCandidate]:
    """Gazetteer, list and suffix proposals, plus the tagger's spans as ``model:`` ones."""
    if not getattr(component, "_ready", False):
        component._build()
    text = doc.text
    if not text:
        return []
    form = component._fold(text)
    token_spans = [(t.idx, t.idx + len(t.text), t.text) for t in doc]
    token_starts = [start for start, _, _ in token_spans]
    matchers = component._matchers
    out: list[EntityCandidate] = []
    if component.use_rules:
        for m in matchers.gazetteer(form):
            out.append(
                EntityCandidate(
                    m.start,
                    m.end,
                    "ORG",
                    m.rule,
                    confidence=m.confidence,
                    canonical=m.canonical,
                    extra={"entry": m.canonical},
                )
            )
        for m in matchers.list_items(form):
            out.append(EntityCandidate(m.start, m.end, "ORG", m.rule, confidence=m.confidence))
        for m in matchers.suffixes(form, token_starts):
            entry = _suffix_of(matchers, form[m.start : m.end])
            out.append(
                EntityCandidate(
                    m.start,
                    m.end,
                    "ORG",
                    m.rule,
                    confidence=m.confidence,
                    extra={"entry": entry} if entry else {},
                )
            )
    if component.use_model and component.tagger is not None:
        from pipeline.orgs.combine import MODEL_SOURCE

        spans, _ = component._tagging.analyse(text, token_spans, o_threshold=component.o_threshold)
        for start, end, conf in spans:
            if conf >= component.threshold:
                out.append(EntityCandidate(start, end, "ORG", MODEL_SOURCE, confidence=float(conf)))
    return out


def orgs_rule_catalogue(component: Any) -> list[dict[str, Any]]:
    """The ORG rules (gazetteer, list triggers, suffixes) and their file entries."""
    from pipeline.orgs.matchers import RULE_GAZETTEER, RULE_LIST, RULE_SUFFIX
    from pipeline.orgs.rules import GAZETTEER_FILE, SUFFIX_FILE, TRIGGER_FILE, gazetteer_files

    folder = init_settings(component).get("rules_dir")
    # Every gazetteer file (gazetteer.tsv, listed_companies.tsv, gazetteer_*.tsv) is one
    # rule; each of their lines is an entry.
    gazetteers = gazetteer_files(folder) if folder else []
    sources: list[tuple[str, Path | str | None]] = [
        (RULE_GAZETTEER, path) for path in gazetteers or [None]
    ]
    sources += [
        (RULE_LIST, Path(folder) / TRIGGER_FILE if folder else None),
        (RULE_SUFFIX, Path(folder) / SUFFIX_FILE if folder else None),
    ]
    defaults = {RULE_GAZETTEER: GAZETTEER_FILE, RULE_LIST: TRIGGER_FILE, RULE_SUFFIX: SUFFIX_FILE}
    out = []
    seen_rules: set[str] = set()
    for rule, path in sources:
        rid = rule.removeprefix("rule:")
        if rid not in seen_rules:
            out.append(_entry(rid, "ORG", path or defaults[rule], None))
            seen_rules.add(rid)
        for line, value in tsv_entries(path):
            out.append(_entry(rid, "ORG", path, line, value))
    return out


# ----------------------------------------------------------------------------- relations
def _prepare(component: Any, doc: Doc):
    from pipeline.relations.document import Ent

    data = doc.user_data
    text = doc.text
    ents = [
        Ent(
            e.start_char,
            e.end_char,
            e.label_,
            e.text,
            data.get(("._.", "value", e.start_char, e.end_char)),
            data.get(("._.", "canonical", e.start_char, e.end_char)),
        )
        for e in doc.ents
        if e.label_ in ("MONEY", "PERCENT", "DATE", "ORG")
    ]
    return component.linker.prepare(text, ents)


def relations_rule_matches(component: Any, doc: Doc) -> list[EntityCandidate]:
    """Segment and metric mentions found by the relation rules."""
    view, _, _, _ = _prepare(component, doc)
    out = []
    for m in (*view.segments, *view.metrics):
        # Only lexicon rules have an entry equal to the mention (not suffix/region scans).
        lexicon = (m.source or "").removeprefix("rule:") in ("segment.name", "metric.lexicon")
        entry = view.norm[m.start : m.end] if lexicon else None
        out.append(
            EntityCandidate(
                m.start,
                m.end,
                m.type,
                m.source or "rule:unknown",
                canonical=m.canonical,
                extra={"entry": entry} if entry else {},
            )
        )
    return out


def _last_cue(cues: list[Any], categories: tuple[str, ...], value: str) -> str | None:
    """Surface of the last cue of ``categories`` with ``value`` (the entry that decided)."""
    for cue in reversed(cues):
        if cue.category in categories and cue.value == value:
            return cue.text
    return None


def relations_rule_hits(component: Any, doc: Doc) -> list[RelationRuleHit]:
    """Per figure: the kind rule, cue-based comparison/direction, metric, period,
    from/to role, and the nearest-subject baseline's subject."""
    from pipeline.relations.candidates import generate
    from pipeline.relations.linker import BASELINE_SOURCE, Linker

    view, main, _, facts = _prepare(component, doc)
    linker = component.linker
    hits: list[RelationRuleHit] = []
    for fig, fact in zip(view.figures, facts, strict=True):
        key = (fig.start, fig.end)
        hits.append(RelationRuleHit(fact.kind_rule, key, "kind", fact.kind))
        start = max(fact.prefix_start, view.sentence_start(fig.start))
        cues = [c for c in view.cues_in(start, fig.start) if c.end <= fig.start]
        if fact.comparison:
            cue = _last_cue(cues, ("comparison",), fact.comparison)
            hits.append(
                RelationRuleHit("relation.comparison_cue", key, "comparison", fact.comparison, cue)
            )
        if fact.direction:
            cue = _last_cue(cues, ("change", "to", "rate"), fact.direction)
            hits.append(
                RelationRuleHit("relation.direction_cue", key, "direction", fact.direction, cue)
            )
        if fact.metric is not None:
            hits.append(
                RelationRuleHit(
                    "relation.metric_in_clause", key, "metric", (fact.metric.start, fact.metric.end)
                )
            )
        if fact.period is not None:
            hits.append(
                RelationRuleHit(
                    "relation.period", key, "period", (fact.period.start, fact.period.end)
                )
            )
        if fact.role:
            hits.append(RelationRuleHit("relation.from_to", key, "role", fact.role))
        cands = generate(view, fig, main, linker.config)
        choice = Linker._nearest(view, fig, cands) if cands else None
        if choice is not None:
            subject = choice[0].subject
            hits.append(
                RelationRuleHit(
                    BASELINE_SOURCE, key, "subject", (subject.ref_start, subject.ref_end)
                )
            )
    return hits


_RELATION_RULES = (
    ("relation.comparison_cue", "REL:comparison", "cues.tsv"),
    ("relation.direction_cue", "REL:direction", "cues.tsv"),
    ("relation.metric_in_clause", "REL:metric", "metrics.tsv"),
    ("relation.period", "REL:period", None),
    ("relation.from_to", "REL:role", "cues.tsv"),
    ("nearest_subject", "REL:subject", None),
)
_MENTION_RULES = (
    ("metric.lexicon", "METRIC", "metrics.tsv", None),
    ("segment.name", "SEGMENT", "segments.tsv", "name"),
    ("segment.suffix", "SEGMENT", "segments.tsv", "suffix"),
    ("segment.region", "SEGMENT", "segments.tsv", "region"),
    ("segment.quoted", "SEGMENT", None, None),
    ("segment.metric_head", "SEGMENT", "segments.tsv", "head_metric"),
    ("segment.share_head", "SEGMENT", None, None),
    ("segment.list", "SEGMENT", "segments.tsv", "list"),
    ("segment.repeat", "SEGMENT", None, None),
)


def relations_rule_catalogue(component: Any) -> list[dict[str, Any]]:
    """Mention rules (with their lexicon lines) and the relation decision rules."""
    folder = init_settings(component).get("lexicon_dir")

    def path(name: str | None) -> Path | None:
        return Path(folder) / name if folder and name else None

    out = []
    for rid, label, name, category in _MENTION_RULES:
        out.append(_entry(rid, label, path(name) or name, None))
        if category is not None or name == "metrics.tsv":
            for line, value in tsv_entries(path(name), 0, category):
                out.append(_entry(rid, label, path(name), line, value))
    for rid, label, name in _RELATION_RULES:
        out.append(_entry(rid, label, path(name) or name, None))
    for rid, label, categories in (
        ("relation.comparison_cue", "REL:comparison", ("comparison",)),
        ("relation.direction_cue", "REL:direction", ("change", "to", "rate")),
    ):
        for category in categories:
            for line, value in tsv_entries(path("cues.tsv"), 0, category):
                out.append(_entry(rid, label, path("cues.tsv"), line, value))
    for kind_rule in (
        "kind.default",
        "kind.share",
        "kind.to_level",
        "kind.change_cue",
        "kind.rate_cue",
        "kind.ratio_metric",
        "kind.percent_compared",
        "kind.percent_default",
        "kind.from_to_share",
        "kind.respectively",
    ):
        out.append(_entry(kind_rule, "REL:kind", "pipeline/relations/rules.py", None))
    return out


# ------------------------------------------------------------------------------ dispatch
_ADAPTERS: dict[str, dict[str, Callable[..., Any]]] = {
    "FigureRecognizer": {
        "rule_matches": figures_rule_matches,
        "rule_catalogue": figures_rule_catalogue,
    },
    "OrgRecognizer": {"rule_matches": orgs_rule_matches, "rule_catalogue": orgs_rule_catalogue},
    "RelationLinker": {
        "rule_matches": relations_rule_matches,
        "rule_catalogue": relations_rule_catalogue,
        "relation_rule_hits": relations_rule_hits,
    },
}


def adapter_for(component: Any, method: str) -> Callable[..., Any] | None:
    """``component.<method>`` if it exists, else the adapter for its class, else None."""
    bound = getattr(component, method, None)
    if callable(bound):
        return bound
    function = _ADAPTERS.get(type(component).__name__, {}).get(method)
    if function is None:
        return None
    return lambda *args: function(component, *args)
