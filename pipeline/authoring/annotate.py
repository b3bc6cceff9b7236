"""Pre-annotate documents with the current pipeline and write them for review."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from pipeline.authoring.convert import doc_to_corpus
from pipeline.authoring.formats import get_format


@dataclass
class AnnotateReport:
    """How many documents were written and what the conversion had to drop."""

    documents: int = 0
    dropped: list[str] = field(default_factory=list)


def pre_annotate(
    nlp: Language, documents: Iterable[dict[str, Any]], report: AnnotateReport
) -> Iterator[dict[str, Any]]:
    """Run the pipeline and yield corpus records (``report`` collects the drops)."""
    from pipeline.api import make_doc

    metas: list[dict[str, Any]] = []

    def docs():
        for document in documents:
            metas.append(document)
            yield make_doc(nlp, document["text"], document.get("date"))

    for index, doc in enumerate(nlp.pipe(docs())):
        meta = metas[index]
        metas[index] = {}
        conversion = doc_to_corpus(doc, str(meta.get("id", index)), meta)
        report.documents += 1
        report.dropped.extend(f"{meta.get('id', index)}: {why}" for why in conversion.dropped)
        yield conversion.record


def annotate(
    nlp: Language, documents: Iterable[dict[str, Any]], fmt: str, out: Path
) -> AnnotateReport:
    """Pre-annotate ``documents`` and write them to ``out`` in format ``fmt``."""
    writer = get_format(fmt)
    report = AnnotateReport()
    writer.write(pre_annotate(nlp, documents, report), out)
    return report
