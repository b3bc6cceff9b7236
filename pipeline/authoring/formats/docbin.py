"""spaCy ``DocBin`` (``.spacy``), the format of ``spacy train`` and ``spacy convert``.

Docs are built with one token per character (so every annotated boundary is a token
edge, whatever the segmenter would have done) and ``doc.text`` equal to the original
text.  ORG/MONEY/PERCENT/DATE go to ``doc.ents`` (what a spaCy NER trains on), SEGMENT
and METRIC mentions to ``doc.spans["zhnews_mentions"]``.  Values, mention ids,
relations and document metadata are stored in ``doc.user_data["zhnews"]`` as plain
msgpack data (never pickle), keyed by ``"start:end"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

from pipeline.authoring.corpus import ENTITY_LABELS
from pipeline.authoring.formats import (
    Decoded,
    facts_of,
    make_entity,
    make_relation,
    meta_of,
    norm_of,
    offset_key,
    ordered_record,
    parse_offset_key,
)
from pipeline.errors import Errors, ZhnewsError

MENTIONS_KEY = "zhnews_mentions"
USER_KEY = "zhnews"


def to_doc(record: dict[str, Any], vocab: Vocab) -> Doc:
    """A character-tokenised ``Doc`` carrying the whole record."""
    text = record["text"]
    doc = Doc(vocab, words=list(text), spaces=[False] * len(text))
    ents: list[Span] = []
    mentions: list[Span] = []
    norms: dict[str, Any] = {}
    for ent in record.get("entities", []):
        span = Span(doc, ent["start"], ent["end"], label=ent["label"])
        (ents if ent["label"] in ENTITY_LABELS else mentions).append(span)
        norm = norm_of(ent)
        if norm:
            norms[offset_key(ent["start"], ent["end"])] = norm
    doc.ents = ents
    doc.spans[MENTIONS_KEY] = mentions
    relations = []
    for rel in record.get("relations", []):
        entry: dict[str, Any] = {"figure": offset_key(rel["figure"]["start"], rel["figure"]["end"])}
        for part in ("subject", "metric", "period"):
            target = rel.get(part)
            entry[part] = offset_key(target["start"], target["end"]) if target else None
        entry["facts"] = facts_of(rel)
        relations.append(entry)
    doc.user_data[USER_KEY] = {"meta": meta_of(record), "norm": norms, "relations": relations}
    return doc


def write(records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write a ``DocBin`` with user data."""
    vocab = Vocab()
    docbin = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=True)
    count = 0
    for record in records:
        docbin.add(to_doc(record, vocab))
        count += 1
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        docbin.to_disk(path)
    except OSError as err:
        raise ZhnewsError(Errors.E002.format(path=path, reason=err)) from err
    return count


def from_doc(doc: Doc) -> tuple[dict[str, Any], list[str]]:
    """Decode one doc (spans from ``doc.ents`` and the mentions group)."""
    stored = doc.user_data.get(USER_KEY) or {}
    meta = dict(stored.get("meta") or {})
    norms = stored.get("norm") or {}
    text = doc.text
    entities: list[dict[str, Any]] = []
    by_key: dict[tuple[int, int], dict[str, Any]] = {}
    spans = list(doc.ents) + (list(doc.spans[MENTIONS_KEY]) if MENTIONS_KEY in doc.spans else [])
    for span in spans:
        start, end = span.start_char, span.end_char
        ent = make_entity(text, start, end, span.label_, norms.get(offset_key(start, end)))
        entities.append(ent)
        by_key[(start, end)] = ent
    problems: list[str] = []
    relations = []
    for entry in stored.get("relations") or []:
        figure = parse_offset_key(str(entry.get("figure")))
        if figure is None:
            problems.append(f"relation with malformed figure key {entry.get('figure')!r}")
            continue
        links = {}
        for part in ("subject", "metric", "period"):
            if entry.get(part):
                key = parse_offset_key(str(entry[part]))
                if key is not None:
                    links[part] = key
        rel = make_relation(by_key, figure, links, dict(entry.get("facts") or {}))
        if isinstance(rel, str):
            problems.append(rel)
        else:
            relations.append(rel)
    return ordered_record(meta, text, entities, relations), problems


def read(path: Path) -> Iterator[Decoded]:
    """Decode every doc of a ``.spacy`` file; the "line" is the doc's position (1-based)."""
    try:
        docbin = DocBin(store_user_data=True).from_disk(path)
    except Exception as err:  # msgpack / format errors come in several types
        raise ZhnewsError(Errors.E001.format(path=path, reason=err)) from err
    for index, doc in enumerate(docbin.get_docs(Vocab()), start=1):
        record, problems = from_doc(doc)
        yield index, record, problems
