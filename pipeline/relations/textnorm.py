"""Equal-length normalisation of news text for the relation rules.

The relation rules match cue words (同比, 業務, ％ ...).  Writing every rule in
simplified, traditional, full-width and half-width variants would multiply the
lexicons, so the rules run on a *copy* of the text in which each character is
replaced by exactly one character (traditional -> simplified for the characters
that matter in financial wording, full-width ASCII -> half-width).  Because the
copy has the same length, every offset found in it is an offset into the
original text: offsets are never shifted.
"""

from __future__ import annotations

from collections.abc import Mapping

# Traditional -> simplified pairs for the characters that occur in financial cues,
# metrics and segment names.  One character each side, so lengths never change.
_TRAD = (
    "業务務塊長淨潤應營經虧損權東擁來較這為個點億萬幣價場區團產際開發費資設備數戶與從減漲擴縮報據"
    "總額調後稅攤銷貨錢於佔幅財務會計劃國內門類網雲電車體醫療險銀證劵號買賣單當節環季類積"
    "負債現實廣告遊戲戲軟硬體統計鋼鐵礦運輸貿條嚴兩滿雙絕還達轉變壓創傳圖視視覺驅駕駛導"
    "勢險歸屬溢紅進邊層鏈機"
)
_SIMP = (
    "业务务块长净润应营经亏损权东拥来较这为个点亿万币价场区团产际开发费资设备数户与从减涨扩缩报据"
    "总额调后税摊销货钱于占幅财务会计划国内门类网云电车体医疗险银证券号买卖单当节环季类积"
    "负债现实广告游戏戏软硬体统计钢铁矿运输贸条严两满双绝还达转变压创传图视视觉驱驾驶导"
    "势险归属溢红进边层链机"
)
if len(_TRAD) != len(_SIMP):  # pragma: no cover - guards the tables above
    raise RuntimeError("textnorm tables differ in length")


def builtin_trad_simp() -> dict[str, str]:
    """The built-in traditional -> simplified pairs (one character each side), for
    other stages that fold the same characters (the tokenizer)."""
    return {t: s for t, s in zip(_TRAD, _SIMP, strict=True) if t != s}


# Distinct characters remembered by a table; past this, misses are answered uncached.
_MAX_CACHED = 1 << 16


class TranslationTable(dict):
    """A ``str.translate`` table that answers characters it does not map with themselves.

    Why: with a plain dict, ``str.translate`` looks up every character and each miss
    (nearly every Chinese character) raises and clears a ``KeyError`` inside CPython.
    ``__missing__`` returns the character itself and remembers it, so a paragraph is
    translated with plain dict hits: the same result, about a third faster.  The
    number of remembered characters is capped, so hostile text cannot grow it without
    bound.
    """

    __slots__ = ()

    def __missing__(self, code: int) -> int:
        if len(self) < _MAX_CACHED:
            self[code] = code
        return code


_TABLE = TranslationTable({ord(t): ord(s) for t, s in zip(_TRAD, _SIMP, strict=True) if t != s})
# Full-width ASCII (！ to ～) -> half-width; ideographic space -> space.
_TABLE.update({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})
_TABLE[0x3000] = 0x20
# ASCII letters (also those just mapped from full width) -> lower case, so the
# matchers need no IGNORECASE (EBITDA, ebitda and ＥＢＩＴＤＡ are one surface).
_TABLE.update({code: code + 32 for code in range(ord("A"), ord("Z") + 1)})
_TABLE.update({code: code - 0xFEE0 + 32 for code in range(0xFF21, 0xFF3B)})
# Corner quotes and curly quotes -> one quote style the rules know.
for _q in "「『“”‘’":
    _TABLE[ord(_q)] = ord("“") if _q in "「『“‘" else ord("”")
_TABLE[ord("」")] = ord("”")
_TABLE[ord("』")] = ord("”")


def make_table(pairs: Mapping[str, str] | None = None) -> TranslationTable:
    """The built-in table extended with one-character pairs (``trad_simp.tsv``)."""
    table = TranslationTable(_TABLE)
    for trad, simp in (pairs or {}).items():
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            table[ord(trad)] = ord(simp)
    return table


# Code points a translation sequence covers (the BMP: every CJK, Latin and punctuation
# character of usual news text); translate treats the IndexError past it as "unmapped".
_SEQUENCE_SIZE = 0x10000
_IDENTITY = list(range(_SEQUENCE_SIZE))
# id(table) -> (table, its sequence, whether it maps a character past the BMP); the
# table is kept so that its id is not reused.
_SEQUENCES: dict[int, tuple[Mapping[int, int], list[int], bool]] = {}
# Tables whose sequences are remembered; past this the memo starts afresh.
_MAX_SEQUENCES = 8


def _sequence(table: TranslationTable) -> tuple[list[int], bool]:
    """``table``'s BMP part as a list indexed by code point, and whether the table
    maps any character past the BMP (``trad_simp.tsv`` has such rows).

    Why: ``str.translate`` looks every character up in its table; a list index costs
    less than a dict lookup (a paragraph normalises in about 60% of the time).  Built
    once per table: a TranslationTable is complete when first used (make_table fills
    it before returning it) and nothing changes it afterwards.
    """
    entry = _SEQUENCES.get(id(table))
    if entry is not None and entry[0] is table:
        return entry[1], entry[2]
    seq = _IDENTITY.copy()
    astral = False
    for code, mapped in table.items():
        if type(code) is not int or code < 0 or mapped == code:
            continue  # never looked up, or maps a character to itself
        if code >= _SEQUENCE_SIZE:
            astral = True
        else:
            seq[code] = mapped
    if len(_SEQUENCES) >= _MAX_SEQUENCES:
        _SEQUENCES.clear()
    _SEQUENCES[id(table)] = (table, seq, astral)
    return seq, astral


def normalize(text: str, table: Mapping[int, int] | None = None) -> str:
    """Return a copy of ``text`` of the same length with unified characters.

    >>> normalize("營業收入按年增長１０％，經調整EBITDA")
    '营业收入按年增长10%,经调整ebitda'

    Half-width and full-width punctuation both stay distinct characters (a comma
    inside ``1,234`` is not a clause break); the rules list both forms.
    """
    if table is None:
        table = _TABLE
    if type(table) is TranslationTable:
        # (the list stands for the table unless a character past the BMP may be mapped:
        # the UTF-16 form is two bytes per character exactly when there is none)
        seq, astral = _sequence(table)
        if not astral or len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text):
            table = seq
    out = text.translate(table)
    if len(out) != len(text):  # pragma: no cover - translate is 1:1 by construction
        raise RuntimeError("normalisation changed the text length")
    return out
