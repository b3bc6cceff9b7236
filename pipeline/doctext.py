"""The text of a ``Doc`` without rebuilding it token by token.

Why: ``Doc.text`` joins the text of every token, creating one Python ``Token`` object
each; on a news paragraph that costs about as much as the relation stage's rules, and
three stages (figures, ORG, relations) need the text.  The tokenizer knows the string
it was given, so it records it here and the stages read it back.

A ``Doc``'s text cannot change after it is made (retokenizing merges and splits
tokens but keeps the text), so the recorded string stays exact for the Doc's life.
The record is weak: it goes away with the Doc, and it is not part of ``user_data``,
so it is never serialised.  A Doc that did not come from the zhnews tokenizer
(``DocBin``, ``Doc.copy``, a user's own Doc) is simply not recorded and falls back
to ``doc.text``.
"""

from __future__ import annotations

import weakref

from spacy.tokens import Doc

_TEXTS: weakref.WeakKeyDictionary[Doc, str] = weakref.WeakKeyDictionary()


def remember_text(doc: Doc, text: str) -> Doc:
    """Record ``text`` as the text of ``doc`` (only when the lengths agree)."""
    if len(doc) == 0:
        return doc
    last = doc[-1]
    if last.idx + len(last.text_with_ws) == len(text):
        _TEXTS[doc] = text
    return doc


def doc_text(doc: Doc) -> str:
    """``doc.text``: the recorded string when the tokenizer recorded one."""
    text = _TEXTS.get(doc)
    return doc.text if text is None else text
