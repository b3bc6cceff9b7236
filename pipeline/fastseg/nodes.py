"""pkuseg's node normalisation as integer codes.

pkuseg turns a text into "nodes" before looking up features
(``FeatureExtractor.normalize_text``): first ``keyword_rename`` maps each of
``-._,|/*:`` to ``&``, then every character of its ``num`` set becomes the node
``"**Num"`` and every character of its ``letter`` set ``"**Letter"``; all other
characters are their own node.  Here a node is a code point (uint32), and the two
special nodes get codes above U+10FFFF so they can never be confused with a character.
The sets are read from spacy_pkuseg itself, so a change there is followed, not copied.
"""

from __future__ import annotations

import numpy as np

NUM = 0x110000
LETTER = 0x110001
N_CODES = 0x110002
NUM_TOKEN = "**Num"
LETTER_TOKEN = "**Letter"
NOWORD_TOKEN = "**noWord"


def _pkuseg_feature_extractor():
    from spacy_pkuseg.feature_extractor import FeatureExtractor

    return FeatureExtractor


def check_pkuseg_config() -> tuple[int, int]:
    """The (wordMin, wordMax) pkuseg uses; refuses settings this module does not mirror."""
    from spacy_pkuseg.config import config

    if not (config.numLetterNorm and config.wordFeature):
        raise ValueError(
            "pipeline.fastseg mirrors pkuseg with numLetterNorm and wordFeature on; "
            f"found numLetterNorm={config.numLetterNorm}, wordFeature={config.wordFeature}"
        )
    if not 1 <= config.wordMin <= config.wordMax <= 6:
        raise ValueError(f"unsupported pkuseg word lengths {config.wordMin}..{config.wordMax}")
    return int(config.wordMin), int(config.wordMax)


def build_node_table() -> np.ndarray:
    """uint32 table code point -> node code, in pkuseg's order (rename, then classes)."""
    extractor = _pkuseg_feature_extractor()
    table = np.arange(0x110000, dtype=np.uint32)
    for char in extractor.keywords:
        table[ord(char)] = ord("&")
    # keyword_rename runs first: a keyword that is also a num/letter char (".") is "&"
    # by the time the classes are tested, so it never becomes **Num.
    for char in extractor.num:
        if char not in extractor.keywords:
            table[ord(char)] = NUM
    for char in extractor.letter:
        if char not in extractor.keywords and char not in extractor.num:
            table[ord(char)] = LETTER
    return table


_NODE_TABLE: np.ndarray | None = None


def node_table() -> np.ndarray:
    """The process-wide node table (4.4 MB, built on first use)."""
    global _NODE_TABLE
    if _NODE_TABLE is None:
        _NODE_TABLE = build_node_table()
    return _NODE_TABLE


def text_codes(text: str) -> np.ndarray:
    """Code points of ``text`` (lone surrogates kept as their code, like Python does)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def text_nodes(text: str) -> np.ndarray:
    """Node codes of ``text``: one per character, as pkuseg's ``normalize_text``."""
    return node_table()[text_codes(text)]


def parse_nodes(value: str) -> list[int] | None:
    """The node sequence whose concatenation is ``value``, or None when there is none.

    A real node is never ``.`` or ``*`` (keyword_rename maps both to ``&``), so a ``*``
    can only start one of the special tokens and the parse is unique; a string with a
    stray ``*`` or a ``.`` cannot be produced by joining nodes and so is unreachable.
    """
    nodes: list[int] = []
    i, length = 0, len(value)
    while i < length:
        char = value[i]
        if char == "*":
            if value.startswith(NUM_TOKEN, i):
                nodes.append(NUM)
                i += len(NUM_TOKEN)
                continue
            if value.startswith(LETTER_TOKEN, i):
                nodes.append(LETTER)
                i += len(LETTER_TOKEN)
                continue
            return None
        if char == ".":
            return None
        nodes.append(ord(char))
        i += 1
    return nodes
