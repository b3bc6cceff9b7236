"""Normalised views of a text whose offsets map back to the original.

Rules are written once, for half-width digits and simplified characters.  Instead of
rewriting the text (which would shift offsets), we build

1. an *equal-length* copy where full-width ASCII, ideographic space and the
   traditional characters that matter for figures are replaced one-for-one, and
2. a *compressed* copy of that, without the spaces that news text sprinkles inside
   expressions (``1,137 亿``, ``人民币 50元``, ``6 368``), plus a position map back.

Whitespace is kept where it separates two ASCII words or numbers (``US$1.2 billion``,
``CPI 2%``), except a thousands separator between digits (``6 368``), so unrelated
numbers and words never glue together.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Traditional -> simplified for the characters our rules look at (one char each, so
# the copy keeps its length).  Extend here, never in the patterns.
_TRAD_SIMP = (
    "億亿萬万點点個个兩两幣币圓圆門门臺台歐欧鎊镑盧卢韓韩貳贰參参陸陆財财週周號号"
    "後后來来從从內内負负約约過过達达僅仅餘余當当對对報报價价際际間间幾几紀纪"
    "灣湾滙汇匯汇擴扩續续場场劃划區区業业額额營营東东為为淨净虧亏損损經经調调錄录禮礼這这農农臘腊紀纪"
)
_EXTRA = {
    "\u3000": " ",  # ideographic space
    "\u00a0": " ",
    "￥": "¥",
    "﹪": "%",
    "〜": "~",
    "～": "~",
    "–": "-",
    "—": "-",
    "－": "-",
    "−": "-",
}


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII block
        table[code] = chr(code - 0xFEE0)
    # The full-width comma is a clause separator in Chinese; it is a thousands
    # separator only between full-width digits (handled in normalise()).
    del table[ord("，")]
    for i in range(0, len(_TRAD_SIMP), 2):
        table[ord(_TRAD_SIMP[i])] = _TRAD_SIMP[i + 1]
    for src, dst in _EXTRA.items():
        table[ord(src)] = dst
    return table


NORMALISE_TABLE = _build_table()

_FW_THOUSANDS = re.compile(r"(?<=[０-９])，(?=[０-９]{3})")
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000]+")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_DIGIT = re.compile(r"[0-9]")


def normalise(text: str) -> str:
    """Equal-length copy with full-width, traditional and dash variants unified.

    >>> normalise("４５億，約１０％, １，１２３")
    '45亿，约10%, 1,123'
    >>> len(normalise("１２３")) == 3
    True
    """
    if "，" in text:
        text = _FW_THOUSANDS.sub(",", text)
    return text.translate(NORMALISE_TABLE)


@dataclass
class CompressedText:
    """``text`` without removable spaces; ``to_original`` maps positions back."""

    text: str
    # Sorted compressed positions where a gap was removed, with the cumulative shift.
    _cuts: list[int]
    _shifts: list[int]

    def to_original(self, pos: int, *, end: bool = False) -> int:
        """Map a compressed offset to the original; ``end`` maps an exclusive end."""
        if not self._cuts:
            return pos
        if end:
            # An end offset sits *after* the previous character: map that character.
            if pos == 0:
                return 0
            return self.to_original(pos - 1) + 1
        i = bisect_right(self._cuts, pos)
        return pos + (self._shifts[i - 1] if i else 0)


def _removable(text: str, start: int, end: int) -> bool:
    """Whether the space run text[start:end] sits inside an expression."""
    if start == 0 or end >= len(text):
        return False
    left, right = text[start - 1], text[end]
    if left in "\n\r" or right in "\n\r":
        return False
    if _DIGIT.match(left) and _DIGIT.match(right):
        # Only a thousands separator: exactly three digits follow, then no digit.
        tail = text[end : end + 4]
        return len(tail) >= 3 and tail[:3].isdigit() and not (len(tail) == 4 and tail[3].isdigit())
    # Spaces between ASCII words/numbers are real separators (US$1.2 billion, CPI 2%).
    if _ASCII_ALNUM.match(left) and _ASCII_ALNUM.match(right):
        return False
    # A signed number after a word (YoY +42%, QoQ -3%): the sign starts the figure.
    nxt = text[end + 1 : end + 2]
    return not (_ASCII_ALNUM.match(left) and right in "+-" and _DIGIT.match(nxt or " "))


def compress(text: str) -> CompressedText:
    """Remove in-expression spaces from a normalised text, keeping a position map.

    >>> c = compress("人民币 50 元, 6 368")
    >>> c.text
    '人民币50元,6368'
    >>> c.to_original(3), c.to_original(6, end=True)
    (4, 8)
    """
    if " " not in text and "\t" not in text:
        return CompressedText(text, [], [])
    pieces: list[str] = []
    cuts: list[int] = []
    shifts: list[int] = []
    removed = 0
    previous = 0
    for m in _SPACE_RUN.finditer(text):
        if not _removable(text, m.start(), m.end()):
            continue
        pieces.append(text[previous : m.start()])
        removed += m.end() - m.start()
        cuts.append(m.start() - (removed - (m.end() - m.start())))
        shifts.append(removed)
        previous = m.end()
    pieces.append(text[previous:])
    return CompressedText("".join(pieces), cuts, shifts)
