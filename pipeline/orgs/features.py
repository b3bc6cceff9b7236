"""Character features for the ORG tagger, shared by training and inference.

Why characters: pkuseg often glues an organisation to the next word or splits a long
name in pieces, so the classifier labels characters (BIOES) and the spans it decodes
never depend on token boundaries; tokens, when available, are one feature among others.

Why hashing in numpy: the ORG stage must add at most 25% to segmentation time, so the
feature extraction works on whole arrays of code points (no Python loop per character):
every template is an int64 value per character, mixed and masked into ``2**bits``
columns.  Training builds a sparse matrix from the same indices; inference sums the
weight rows directly.  The exact same :func:`feature_indices` serves both, so the model
can never see features at inference that it was not trained on.

Everything here works on a *normalised copy* of the text of exactly equal length
(full-width ASCII folded, ASCII lower-cased, digits collapsed, traditional characters
mapped to simplified), so character offsets always index the original text.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.orgs.matchers import NameScanner

LABELS: tuple[str, ...] = ("O", "B", "I", "E", "S")
PAD = 0x110000  # one more than the largest code point: never a real character
_SHIFT = np.uint64(21)  # bits per code point

# Character classes used by the "shape" template.
_HAN, _DIGIT, _LATIN, _PUNCT, _SPACE = 1, 2, 3, 4, 5


class Clusters:
    """Word and character clusters learned without labels (``training.org.clusters``).

    Why: an unseen name has no weights of its own in a hashed character model; its
    cluster (words and characters that occur in similar contexts) does.  The tables
    travel inside the model's npz (plain arrays), so inference uses exactly the
    clusters the model was trained with.  Cluster ids start at 1; 0 = not clustered.
    """

    def __init__(
        self,
        words: Sequence[str],
        word_fine: np.ndarray,
        word_coarse: np.ndarray,
        chars: np.ndarray,
        char_ids: np.ndarray,
        fold: dict[str, str] | None = None,
    ) -> None:
        self.words = [str(w) for w in words]
        self.word_fine = np.asarray(word_fine, dtype=np.int64)
        self.word_coarse = np.asarray(word_coarse, dtype=np.int64)
        self.chars = np.asarray(chars, dtype=np.int64)
        self.char_ids = np.asarray(char_ids, dtype=np.int64)
        if not (len(self.words) == self.word_fine.shape[0] == self.word_coarse.shape[0]):
            raise ValueError("cluster word arrays differ in length")
        if self.chars.shape != self.char_ids.shape or (
            self.chars.size and (self.chars.min() < 0 or self.chars.max() > 0xFFFF)
        ):
            raise ValueError("cluster character arrays are malformed")
        if (self.word_coarse.size and self.word_coarse.max() >= 64) or (
            self.word_fine.size and self.word_fine.max() >= 1 << (_CODE_BITS - 6)
        ):
            raise ValueError("too many word clusters")
        # One int per word: fine id * 64 + coarse id (decoded with numpy per batch).
        self.word_code = dict(
            zip(self.words, (self.word_fine * 64 + self.word_coarse).tolist(), strict=True)
        )
        self.char_table = np.zeros(0x10000, dtype=np.int64)
        self.char_table[self.chars] = self.char_ids
        # The traditional -> simplified table the words were normalised with: a token's
        # cluster is a function of its own text and this file only (not of later edits
        # to the rule files), so it can be cached per token text.
        self.fold = {str(k): str(v) for k, v in (fold or {}).items()}
        self._normaliser = Normaliser(self.fold)
        self._token_cache: dict[str, int] = {}

    def token_value(self, token: str) -> int:
        """``(crc32(token) + 1) << 22 | word code`` of a raw token text, cached.

        One dictionary lookup per token gives both the token's hash (as in
        :func:`token_marks`) and its cluster code (of its normalised form, 0 when the
        word was not clustered); :func:`_token_marks_many` splits them with numpy.
        """
        value = self._token_cache.get(token)
        if value is None:
            crc = _CRC_CACHE.get(token) or _CRC_CACHE.setdefault(
                token, zlib.crc32(token.encode("utf8")) + 1
            )
            code = self.word_code.get(self._normaliser(token), 0)
            value = self._token_cache[token] = (crc << _CODE_BITS) | code
        return value

    def summary(self) -> dict[str, int]:
        """Sizes, for the model card."""
        return {
            "words": len(self.words),
            "word_fine_clusters": int(self.word_fine.max(initial=0)),
            "word_coarse_clusters": int(self.word_coarse.max(initial=0)),
            "chars": int(self.chars.shape[0]),
            "char_clusters": int(self.char_ids.max(initial=0)),
        }

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays for the npz (unicode strings and ints: no pickle needed)."""
        return {
            "cluster_words": np.array(self.words, dtype=str),
            "cluster_word_fine": self.word_fine,
            "cluster_word_coarse": self.word_coarse,
            "cluster_chars": self.chars,
            "cluster_char_ids": self.char_ids,
            "cluster_fold_from": np.array(list(self.fold), dtype=str),
            "cluster_fold_to": np.array(list(self.fold.values()), dtype=str),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Clusters:
        return cls(
            [str(w) for w in arrays["cluster_words"]],
            arrays["cluster_word_fine"],
            arrays["cluster_word_coarse"],
            arrays["cluster_chars"],
            arrays["cluster_char_ids"],
            dict(
                zip(
                    (str(x) for x in arrays.get("cluster_fold_from", [])),
                    (str(x) for x in arrays.get("cluster_fold_to", [])),
                    strict=True,
                )
            ),
        )

    def to_json(self) -> dict[str, list]:
        return {k: v.tolist() for k, v in self.to_arrays().items()}

    @classmethod
    def from_json(cls, data: dict[str, list]) -> Clusters:
        return cls.from_arrays({k: np.array(v) for k, v in data.items()})


@dataclass(frozen=True)
class FeatureConfig:
    """Which templates are on and how wide the hash space is (stored with the model).

    ``clusters``: the cluster tables when the cluster templates are on (they are saved
    in the model's npz; a model without them computes exactly its old features).
    """

    bits: int = 20
    use_tokens: bool = False
    clusters: Clusters | None = field(default=None, compare=False, repr=False)
    # 1: splitmix64 finaliser (models before the cluster templates); 2: multiplicative.
    hash_version: int = 1
    # Character unigrams at -3 / +3 and trigrams (-3..-1), (1..3): the left edge of a
    # long name (中俄友好、和平与发展委员会) is often further away than the +-2 window.
    use_wide: bool = False

    def __post_init__(self) -> None:
        if self.hash_version not in (1, 2):
            raise ValueError(f"unknown feature hash version {self.hash_version}")
        if not 1 <= self.bits <= 40:
            raise ValueError(f"feature bits {self.bits} out of range")

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"bits": self.bits, "use_tokens": self.use_tokens}
        if self.hash_version != 1:
            out["hash_version"] = self.hash_version
        if self.use_wide:
            out["use_wide"] = True
        if self.clusters is not None:
            out["clusters"] = self.clusters.summary()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> FeatureConfig:
        if data.get("clusters"):
            # The tables live in the npz only; a card cannot rebuild them.
            raise ValueError("a cluster-feature model must be loaded from its npz")
        return cls(
            bits=int(data.get("bits", 20)),
            use_tokens=bool(data.get("use_tokens", False)),
            hash_version=int(data.get("hash_version", 1)),
            use_wide=bool(data.get("use_wide", False)),
        )

    @property
    def n_templates(self) -> int:
        return (
            N_CHAR_TEMPLATES
            + (N_TOKEN_TEMPLATES if self.use_tokens else 0)
            + (N_CLUSTER_TEMPLATES if self.clusters is not None else 0)
            + (N_WIDE_TEMPLATES if self.use_wide else 0)
        )


def _fold_char(ch: str, trad_simp: dict[str, str], collapse_digits: bool = True) -> str:
    """Fold one character to its feature form, always returning exactly one character."""
    ch = trad_simp.get(ch, ch)
    if "\uff01" <= ch <= "\uff5e" or ch == "\u3000":
        folded = unicodedata.normalize("NFKC", ch)
        if len(folded) == 1:
            ch = folded
    if collapse_digits and ch.isdigit() and ch.isascii():
        return "0"
    if "A" <= ch <= "Z":
        return ch.lower()
    return ch


class Normaliser:
    """Equal-length text normalisation with a per-character cache (fast on news text)."""

    def __init__(
        self, trad_simp: dict[str, str] | None = None, collapse_digits: bool = True
    ) -> None:
        self.trad_simp = dict(trad_simp or {})
        self.collapse_digits = collapse_digits
        self._cache: dict[str, str] = {}
        self._table: dict[int, str] = {}

    def __call__(self, text: str) -> str:
        # str.translate runs in C; new characters are folded once and added to the table.
        new = set(text).difference(self._cache)
        if new:
            for ch in new:
                folded = _fold_char(ch, self.trad_simp, self.collapse_digits)
                self._cache[ch] = folded
                if folded != ch:
                    self._table[ord(ch)] = folded
        result = text.translate(self._table)
        assert len(result) == len(text)
        return result

    def simplify(self, text: str) -> str:
        """Traditional -> simplified only (used to compare names), same length."""
        return "".join(self.trad_simp.get(ch, ch) for ch in text)


def _class_rules(codes: np.ndarray) -> np.ndarray:
    """The character class rules, written out once (used to build the lookup table)."""
    cls = np.full(codes.shape, _PUNCT, dtype=np.int64)
    cls[(codes >= 0x4E00) & (codes <= 0x9FFF)] = _HAN
    cls[(codes >= 0x3400) & (codes <= 0x4DBF)] = _HAN
    cls[codes == ord("0")] = _DIGIT
    cls[(codes >= ord("a")) & (codes <= ord("z"))] = _LATIN
    cls[(codes == 32) | (codes == 9) | (codes == 0x3000) | (codes == 10)] = _SPACE
    return cls


# Every class rule concerns the Basic Multilingual Plane, and U+FFFF (a non-character) is
# PUNCT like everything above it, so clipping code points at U+FFFF and reading a table
# gives the rules' answer in two numpy calls instead of a dozen comparisons per text.
_CLASS_TABLE = _class_rules(np.arange(0x10000, dtype=np.int64))


def char_classes(codes: np.ndarray) -> np.ndarray:
    """Vectorised character class of each code point (int64, same shape)."""
    return _CLASS_TABLE[np.minimum(codes, 0xFFFF)]


def _shift(values: np.ndarray, offset: int, pad: int) -> np.ndarray:
    """values[i + offset] with ``pad`` outside the array."""
    n = values.shape[0]
    out = np.full(n, pad, dtype=values.dtype)
    if offset == 0:
        return values.copy()
    if abs(offset) >= n:
        return out
    if offset > 0:
        out[: n - offset] = values[offset:]
    else:
        out[-offset:] = values[: n + offset]
    return out


def _shifts(values: np.ndarray, pad: int, offsets: Sequence[int]) -> dict[int, np.ndarray]:
    """``{o: values[i + o]}`` as views of one padded copy (same as :func:`_shift`)."""
    width = max(abs(o) for o in offsets)
    n = values.shape[0]
    padded = np.full(n + 2 * width, pad, dtype=values.dtype)
    padded[width : width + n] = values
    return {o: padded[width + o : width + o + n] for o in offsets}


class DictionaryMarks:
    """Per-character marks from the rule dictionaries (suffixes, gazetteer names).

    Built once per component; ``mark`` runs two compiled regexes over the normalised
    text, so the cost is a few microseconds per sentence.
    """

    def __init__(self, suffixes: Iterable[str], names: Iterable[str]) -> None:
        suffixes = sorted({s for s in suffixes if s}, key=lambda s: (-len(s), s))
        names = sorted({n for n in names if n}, key=lambda s: (-len(s), s))
        self._suffix_re = re.compile("|".join(map(re.escape, suffixes))) if suffixes else None
        # Thousands of gazetteer names: a scanner whose cost does not grow with them
        # (same leftmost-longest matches as the alternation it replaces).
        self._names = NameScanner(names)

    def mark(self, norm: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (suffix_end, suffix_start, gazetteer BIES) arrays for ``norm``."""
        n = len(norm)
        suf_end = np.zeros(n, dtype=np.int64)
        suf_start = np.zeros(n, dtype=np.int64)
        gaz = np.zeros(n, dtype=np.int64)
        if self._suffix_re is not None:
            for m in self._suffix_re.finditer(norm):
                suf_end[m.end() - 1] = min(len(m.group()), 6)
                suf_start[m.start()] = min(len(m.group()), 6)
        if self._names:
            for s, e in self._names.finditer(norm):
                if e - s == 1:
                    gaz[s] = 4
                else:
                    gaz[s] = 1
                    gaz[s + 1 : e - 1] = 2
                    gaz[e - 1] = 3
        return suf_end, suf_start, gaz


def _distance_to_next(flags: np.ndarray, cap: int) -> np.ndarray:
    """For each i, distance to the nearest j >= i with flags[j] > 0, capped at ``cap``."""
    n = flags.shape[0]
    idx = np.where(flags > 0, np.arange(n), n + cap)
    nxt = np.minimum.accumulate(idx[::-1])[::-1]
    return np.minimum(nxt - np.arange(n), cap)


def _distance_from_prev(flags: np.ndarray, cap: int) -> np.ndarray:
    """For each i, distance from the nearest j <= i with flags[j] > 0, capped at ``cap``."""
    n = flags.shape[0]
    idx = np.where(flags > 0, np.arange(n), -(cap + 1))
    prv = np.maximum.accumulate(idx)
    return np.minimum(np.arange(n) - prv, cap)


_CRC_CACHE: dict[str, int] = {}


def token_marks(
    n: int, token_spans: Sequence[tuple[int, int, str]], clusters: Clusters | None = None
) -> tuple[np.ndarray, ...]:
    """Per-character token features.

    Returns (position code, own word, previous word, next word, word two back, word two
    ahead): the position code is BMES + a length bucket; words are CRC32 hashes (stable
    across processes, unlike ``hash``).  The neighbouring *tokens* carry the context
    that tells a company name apart (``发布``/``股价``/``旗下`` after it, ``龙头`` before).
    """
    pos = np.zeros(n, dtype=np.int64)
    word = np.zeros(n, dtype=np.int64)
    prev1 = np.zeros(n, dtype=np.int64)
    next1 = np.zeros(n, dtype=np.int64)
    prev2 = np.zeros(n, dtype=np.int64)
    next2 = np.zeros(n, dtype=np.int64)
    # With clusters: three more rows (own, previous, next word-cluster code), exactly
    # as :func:`_token_marks_many` computes them for a batch (the batch path's values
    # per text; this single-text path saves its per-batch bookkeeping).
    groups = tuple(np.zeros(n, dtype=np.int64) for _ in range(3)) if clusters else ()
    spans = [(s, e, t) for s, e, t in token_spans if e > s and not t.isspace()]
    if not spans:
        return pos, word, prev1, next1, prev2, next2, *groups
    # Vectorised over tokens: every covered character gets its token's index.
    if clusters is not None:
        values, value = clusters._token_cache, clusters.token_value
        both = np.array([values.get(t) or value(t) for _, _, t in spans], dtype=np.int64)
        hashes = both >> _CODE_BITS
        wcodes = both & ((1 << _CODE_BITS) - 1)
    else:
        cache = _CRC_CACHE
        hashes = np.array(
            [
                cache.get(t) or cache.setdefault(t, zlib.crc32(t.encode("utf8")) + 1)
                for _, _, t in spans
            ],
            dtype=np.int64,
        )
    starts = np.array([s for s, _, _ in spans], dtype=np.int64)
    lengths = np.array([e - s for s, e, _ in spans], dtype=np.int64)
    k = len(spans)
    tok = np.repeat(np.arange(k), lengths)
    chars = np.arange(tok.shape[0]) - np.repeat(np.cumsum(lengths) - lengths - starts, lengths)
    offset = chars - starts[tok]
    length = lengths[tok]
    code = np.where(offset == 0, 1, np.where(offset == length - 1, 3, 2))
    code = np.where(length == 1, 4, code)
    pos[chars] = np.minimum(length, 6) * 8 + code
    word[chars] = hashes[tok]
    padded = np.concatenate(([1, 1], hashes, [2, 2]))
    prev1[chars] = padded[tok + 1]
    prev2[chars] = padded[tok]
    next1[chars] = padded[tok + 3]
    next2[chars] = padded[tok + 4]
    if clusters is not None:
        own, prev, nxt = groups
        wpad = np.concatenate(([_WC_BEFORE], wcodes, [_WC_AFTER]))
        own[chars] = wcodes[tok]
        prev[chars] = wpad[tok]
        nxt[chars] = wpad[tok + 2]
    return pos, word, prev1, next1, prev2, next2, *groups


def feature_indices(
    norm: str,
    marks: DictionaryMarks,
    config: FeatureConfig,
    token_spans: Sequence[tuple[int, int, str]] | None = None,
    match_form: str | None = None,
) -> np.ndarray:
    """Hashed feature column indices, shape (len(norm), n_templates), dtype int64.

    The array is Fortran-ordered (a transposed view of a template-major matrix); its
    values do not depend on the layout.

    ``match_form`` (same length, digits not collapsed) is what the dictionaries are
    matched against, so a name such as ``360`` does not fire on every 3-digit number.
    """
    n = len(norm)
    if n == 0:
        return np.zeros((0, 0), dtype=np.int64)
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    cls = char_classes(codes)
    suf_end, suf_start, gaz = marks.mark(match_form if match_form is not None else norm)
    groups = None
    if config.clusters is not None:
        chars = config.clusters.char_table[np.minimum(codes, 0xFFFF)]
        if config.use_tokens:
            marks = token_marks(n, token_spans or [], config.clusters)
            tokens, groups = marks[:6], (chars, *marks[6:])
        else:
            zero = np.zeros(n, dtype=np.int64)
            tokens, groups = None, (chars, zero, zero, zero)
    else:
        tokens = token_marks(n, token_spans or []) if config.use_tokens else None
    return _hashed(codes, cls, suf_end, suf_start, gaz, tokens, config, groups).T


# Characters between two texts of a batch: at least the widest window (3) and the
# suffix-distance cap (16), so nothing of one text reaches the features of another.
_GAP = 16


def feature_indices_many(
    norms: Sequence[str],
    marks: DictionaryMarks,
    config: FeatureConfig,
    token_spans: Sequence[Sequence[tuple[int, int, str]] | None],
    match_forms: Sequence[str],
) -> tuple[np.ndarray, list[int]]:
    """:func:`feature_indices` of many texts at once (for ``pipe``), bit-identical.

    Why: on sentence-length texts the per-call cost of ~50 numpy operations dominates;
    here the texts are laid end to end with ``_GAP`` padding characters between them
    (code point ``PAD``, every mark 0: exactly what one text sees beyond its ends), so
    each template costs one numpy call per batch.  Returns the indices of all texts'
    characters, shape (sum of lengths, n_templates), and each text's row offset
    (``len(norms) + 1`` offsets).
    """
    sep = "\x00" * _GAP
    joined = sep + sep.join(norms) + sep
    # No dictionary entry contains NUL, so no match crosses a separator and every text
    # gets the marks it gets alone.
    suf_end, suf_start, gaz = marks.mark(sep + sep.join(match_forms) + sep)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lengths = np.array([len(t) for t in norms], dtype=np.int64)
    starts = _GAP + np.concatenate(([0], np.cumsum(lengths + _GAP)[:-1]))
    real = np.zeros(codes.shape[0], dtype=bool)
    for start, length in zip(starts.tolist(), lengths.tolist(), strict=True):
        real[start : start + length] = True
    codes[~real] = PAD
    cls = char_classes(codes)
    cls[~real] = 0
    tokens = groups = None
    if config.clusters is not None:
        tokens, groups = _token_and_cluster_marks(codes, starts.tolist(), token_spans, config)
    elif config.use_tokens:
        tokens = _token_marks_many(codes.shape[0], starts.tolist(), token_spans)
    hashed = _hashed(codes, cls, suf_end, suf_start, gaz, tokens, config, groups)
    offsets = [0, *np.cumsum(lengths).tolist()]
    return hashed[:, real].T, offsets


def _token_marks_many(
    total: int,
    text_starts: Sequence[int],
    token_spans: Sequence[Sequence[tuple[int, int, str]] | None],
    clusters: Clusters | None = None,
) -> tuple[np.ndarray, ...]:
    """:func:`token_marks` of texts laid end to end at ``text_starts``, in one pass.

    Same values as calling :func:`token_marks` per text and placing the rows at each
    text's start: neighbouring words never cross a text (``1`` before a text's first
    tokens, ``2`` after its last ones, as the per-text padding does).

    With ``clusters``, three more rows follow from the same pass over the tokens (one
    dictionary lookup per token, see :meth:`Clusters.token_value`): the word-cluster
    code of the token's normalised form (0: unknown), and of the previous and next
    token (``_WC_BEFORE`` / ``_WC_AFTER`` beyond the text's ends).
    """
    with_clusters = clusters is not None
    out = np.zeros((9 if with_clusters else 6, total), dtype=np.int64)
    cache = _CRC_CACHE
    rows: list[tuple[int, int, int, int]] = []  # (global start, length, hash, text)
    for text_id, (base, spans) in enumerate(zip(text_starts, token_spans, strict=True)):
        if not with_clusters:
            rows.extend(
                (
                    base + s,
                    e - s,
                    cache.get(t) or cache.setdefault(t, zlib.crc32(t.encode("utf8")) + 1),
                    text_id,
                )
                for s, e, t in spans or ()
                if e > s and not t.isspace()
            )
        else:
            assert clusters is not None
            values = clusters._token_cache
            value = clusters.token_value
            rows.extend(
                (base + s, e - s, values.get(t) or value(t), text_id)
                for s, e, t in spans or ()
                if e > s and not t.isspace()
            )
    if not rows:
        return tuple(out)
    table = np.array(rows, dtype=np.int64)
    starts, lengths, hashes, text = table[:, 0], table[:, 1], table[:, 2], table[:, 3]
    if with_clusters:
        codes = hashes & ((1 << _CODE_BITS) - 1)
        hashes = hashes >> _CODE_BITS
    k = len(rows)
    idx = np.arange(k)
    # Neighbour g + d exists when it is in range and belongs to the same text.
    padded_text = np.concatenate(([-1, -1], text, [-1, -1]))
    padded_hash = np.concatenate(([0, 0], hashes, [0, 0]))
    neighbours = []
    for d, pad in ((-1, 1), (1, 2), (-2, 1), (2, 2)):  # prev1, next1, prev2, next2
        same = padded_text[idx + 2 + d] == text
        neighbours.append(np.where(same, padded_hash[idx + 2 + d], pad))
    tok = np.repeat(idx, lengths)
    chars = np.arange(tok.shape[0]) - np.repeat(np.cumsum(lengths) - lengths - starts, lengths)
    offset = chars - starts[tok]
    length = lengths[tok]
    code = np.where(offset == 0, 1, np.where(offset == length - 1, 3, 2))
    code = np.where(length == 1, 4, code)
    out[0, chars] = np.minimum(length, 6) * 8 + code
    out[1, chars] = hashes[tok]
    for row, values in enumerate(neighbours, start=2):
        out[row, chars] = values[tok]
    if with_clusters:
        padded_code = np.concatenate(([0], codes, [0]))
        prev = np.where(padded_text[idx + 1] == text, padded_code[idx], _WC_BEFORE)
        nxt = np.where(padded_text[idx + 3] == text, padded_code[idx + 2], _WC_AFTER)
        out[6, chars] = codes[tok]
        out[7, chars] = prev[tok]
        out[8, chars] = nxt[tok]
    return tuple(out)


# Bits of a word-cluster code inside :meth:`Clusters.token_value`.
_CODE_BITS = 22
# Boundary codes of the word-cluster neighbours (beyond every ``fine * 64 + coarse``).
_WC_BEFORE = 1 << 30
_WC_AFTER = 2 << 30


def _token_and_cluster_marks(
    codes: np.ndarray,
    text_starts: Sequence[int],
    token_spans: Sequence[Sequence[tuple[int, int, str]] | None],
    config: FeatureConfig,
) -> tuple[tuple[np.ndarray, ...] | None, tuple[np.ndarray, ...]]:
    """Token marks (None without tokens) and the cluster values of texts laid end to
    end at ``text_starts``: (character cluster, own word code, previous word code,
    next word code).  Word codes are ``fine * 64 + coarse`` (0: unknown word or no
    token); without tokens they are all 0.  One function for single texts and batches,
    so both give identical features.
    """
    clusters = config.clusters
    assert clusters is not None
    total = codes.shape[0]
    chars = clusters.char_table[np.minimum(codes, 0xFFFF)]
    if not config.use_tokens:
        zero = np.zeros(total, dtype=np.int64)
        return None, (chars, zero, zero, zero)
    marks = _token_marks_many(total, text_starts, token_spans, clusters)
    return marks[:6], (chars, *marks[6:])


def _coarse(code: np.ndarray) -> np.ndarray:
    """Coarse word cluster of a word code (the boundary codes map to 64 and 128)."""
    return (code & 63) | (code >> 24)


def _hashed(
    codes: np.ndarray,
    cls: np.ndarray,
    suf_end: np.ndarray,
    suf_start: np.ndarray,
    gaz: np.ndarray,
    tokens: tuple[np.ndarray, ...] | None,
    config: FeatureConfig,
    groups: tuple[np.ndarray, ...] | None = None,
) -> np.ndarray:
    """Hashed template values, template-major: shape (n_templates, n), int64."""
    n = codes.shape[0]
    n_templates = config.n_templates
    # Every template is written straight into its row of one (templates, n) matrix: the
    # n-gram templates of one shape are computed together from stacked shifted views
    # (one numpy call per shape instead of one per template).  Row t holds exactly the
    # value template t had when each template was its own array (same int64 arithmetic,
    # same order), so the hashed indices, and the shipped model, are unchanged.
    v = np.empty((n_templates, n), dtype=np.int64)
    w = _windows(codes, PAD, 3)  # w[k] = codes[i + k - 3]
    s21, s42 = 1 << 21, 1 << 42
    v[0:5] = w[1:6]  # unigrams at -2 .. 2
    np.multiply(w[1:5], s21, out=v[5:9])  # bigrams (-2,-1) .. (1,2)
    v[5:9] += w[2:6]
    np.multiply(w[2], s21, out=v[9])  # skip-bigram (-1, 1)
    v[9] += w[4]
    np.multiply(w[1:4], s42, out=v[10:13])  # trigrams (-2..0), (-1..1), (0..2)
    v[10:13] += w[2:5] * s21
    v[10:13] += w[3:6]
    np.multiply(w[0], s21, out=v[13])  # (-3, -2)
    v[13] += w[1]
    np.multiply(w[5], s21, out=v[14])  # (2, 3)
    v[14] += w[6]
    c = _windows(cls, 0, 2)  # c[k] = cls[i + k - 2]
    np.multiply(c[0], 8, out=v[15])  # class 5-gram
    for k in (1, 2, 3, 4):
        v[15] += c[k]
        if k < 4:
            v[15] *= 8
    np.multiply(cls, s21, out=v[16])
    v[17] = v[16]
    v[16] += w[2]
    v[17] += w[4]
    se = _windows(suf_end, 0, 2)  # se[k] = suf_end[i + k - 2]
    np.multiply(se[1:5], 8, out=v[18:22])  # suffix end at -1, 0, 1, 2
    v[18:22] += _ROW_TAGS[:4]
    ss = _windows(suf_start, 0, 1)  # ss[k] = suf_start[i + k - 1]
    np.multiply(ss[1:3], 8, out=v[22:24])  # suffix start at 0, 1
    v[22:24] += _ROW_TAGS[4:6]
    dist_next = _distance_to_next(suf_end, 16)
    np.multiply(dist_next, 64, out=v[24])
    v[24] += _distance_from_prev(suf_start, 16)
    np.multiply(dist_next, s21, out=v[25])
    v[25] += codes
    gz = _windows(gaz, 0, 1)  # gz[k] = gaz[i + k - 1]
    np.multiply(gz, 8, out=v[26:29])  # gazetteer BIES at -1, 0, 1
    v[26:29] += _ROW_TAGS[:3]
    if tokens is not None:
        pos, word, prev1, next1, prev2, next2 = tokens
        ps = _windows(pos, 0, 1)  # ps[k] = pos[i + k - 1]
        t = N_CHAR_TEMPLATES
        s32 = 1 << 32
        v[t] = pos
        np.multiply(ps[0:2], 128, out=v[t + 1 : t + 3])  # (pos-1, pos), (pos, pos+1)
        v[t + 1 : t + 3] += ps[1:3]
        v[t + 3] = word
        np.remainder(word, s21, out=v[t + 4])
        v[t + 4] *= 128
        np.multiply(prev1, 128, out=v[t + 5])
        np.multiply(next1, 128, out=v[t + 6])
        v[t + 4 : t + 7] += pos
        v[t + 7] = prev2
        v[t + 8] = next2
        np.remainder(prev1, s32, out=v[t + 9])
        np.remainder(next1, s32, out=v[t + 10])
        v[t + 9 : t + 11] *= s21
        v[t + 9 : t + 11] += codes
    if groups is not None:
        cc, own, prev, nxt = groups
        g = N_CHAR_TEMPLATES + (N_TOKEN_TEMPLATES if tokens is not None else 0)
        cw = _windows(cc, 0, 1)  # cw[k] = cc[i + k - 1]
        v[g : g + 3] = cw  # character cluster at -1, 0, 1
        np.multiply(cw[0:2], 256, out=v[g + 3 : g + 5])  # (-1, 0), (0, 1)
        v[g + 3 : g + 5] += cw[1:3]
        pos = tokens[0] if tokens is not None else np.zeros(n, dtype=np.int64)
        np.multiply(own >> 6, 128, out=v[g + 5])  # own word's fine cluster + position
        v[g + 5] += pos
        v[g + 6] = prev  # neighbouring words' clusters (fine and coarse in one code)
        v[g + 7] = nxt
        np.multiply(_coarse(prev), 256, out=v[g + 8])  # coarse (prev, own, next)
        v[g + 8] += _coarse(own)
        v[g + 8] *= 256
        v[g + 8] += _coarse(nxt)
    if config.use_wide:
        x = n_templates - N_WIDE_TEMPLATES
        v[x] = w[0]  # unigrams at -3 and +3
        v[x + 1] = w[6]
        np.multiply(w[0], s42, out=v[x + 2])  # trigram (-3, -2, -1)
        v[x + 2] += w[1] * s21
        v[x + 2] += w[2]
        np.multiply(w[4], s42, out=v[x + 3])  # trigram (1, 2, 3)
        v[x + 3] += w[5] * s21
        v[x + 3] += w[6]
    # One vectorised mixing pass over all templates (row t gets salt t + 1); int64 and
    # uint64 arithmetic agree bit for bit, so the view is the old ``astype(np.uint64)``.
    if config.hash_version == 2:
        mixed = _mul_hash_rows_inplace(v.view(np.uint64), _SALTS[:n_templates], config.bits)
    else:
        mixed = _mix_rows_inplace(v.view(np.uint64), _SALTS[:n_templates])
        mixed &= np.uint64((1 << config.bits) - 1)
    # Callers return the transposed view (Fortran order, no copy): the tagger gathers
    # template-major rows, which ``indices.T.ravel()`` then reads without a copy either.
    return mixed.view(np.int64)


# Template counts (character templates always, token templates with ``use_tokens``).
N_CHAR_TEMPLATES = 29
N_TOKEN_TEMPLATES = 11
N_CLUSTER_TEMPLATES = 9
N_WIDE_TEMPLATES = 4
# The small constants some templates add to tell their rows apart (``x * 8 + tag``).
_ROW_TAGS = np.arange(6, dtype=np.int64)[:, None]
_SALTS = np.array(
    [
        ((t + 1) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        for t in range(
            N_CHAR_TEMPLATES + N_TOKEN_TEMPLATES + N_CLUSTER_TEMPLATES + N_WIDE_TEMPLATES
        )
    ],
    dtype=np.uint64,
)[:, None]


def _windows(values: np.ndarray, pad: int, width: int) -> np.ndarray:
    """``out[k, i] = values[i + k - width]`` (``pad`` outside), shape (2*width + 1, n).

    Read-only strided views of one padded copy: no per-offset array is built.
    """
    n = values.shape[0]
    padded = np.full(n + 2 * width, pad, dtype=values.dtype)
    padded[width : width + n] = values
    # A plain ndarray over the padded buffer: ``sliding_window_view`` builds the same
    # view but its argument checks cost more than the arithmetic on a sentence.
    step = padded.itemsize
    return np.ndarray((2 * width + 1, n), dtype=padded.dtype, buffer=padded, strides=(step, step))


def _mul_hash_rows_inplace(values: np.ndarray, salts: np.ndarray, bits: int) -> np.ndarray:
    """Multiplicative hashing (Knuth): the top ``bits`` bits of (value + salt) * odd C.

    Why (``hash_version`` 2): three passes over the (templates x characters) matrix
    instead of the seven of :func:`_mix_rows_inplace` plus the mask; the top bits of
    the product depend on every input bit below them, which is all the spread a hashed
    linear model needs.  Models trained with version 1 keep version 1.
    """
    v = values
    v += salts
    v *= np.uint64(0x9E3779B97F4A7C15)
    v >>= np.uint64(64 - bits)
    return v


def _mix_rows_inplace(values: np.ndarray, salts: np.ndarray) -> np.ndarray:
    """Deterministic 64-bit mixing (splitmix64 finaliser) of each row of a uint64
    array the caller owns, in place, with that row's salt (no copies)."""
    v = values
    v += salts
    v ^= v >> np.uint64(30)
    v *= np.uint64(0xBF58476D1CE4E5B9)
    v ^= v >> np.uint64(27)
    v *= np.uint64(0x94D049BB133111EB)
    v ^= v >> np.uint64(31)
    return v


def tags_to_spans(tags: Sequence[str]) -> list[tuple[int, int]]:
    """BIOES (or BIO) tags -> character spans, tolerant of broken sequences."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, tag in enumerate(tags):
        if tag == "S":
            if start is not None:
                spans.append((start, i))
            spans.append((i, i + 1))
            start = None
        elif tag == "B":
            if start is not None:
                spans.append((start, i))
            start = i
        elif tag == "I":
            if start is None:
                start = i
        elif tag == "E":
            if start is None:
                start = i
            spans.append((start, i + 1))
            start = None
        else:
            if start is not None:
                spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(tags)))
    return spans


def spans_to_tags(n: int, spans: Iterable[tuple[int, int]]) -> list[str]:
    """Character spans -> BIOES tags (overlapping spans: the first one wins)."""
    tags = ["O"] * n
    for start, end in sorted(spans):
        if start < 0 or end > n or end <= start or any(t != "O" for t in tags[start:end]):
            continue
        if end - start == 1:
            tags[start] = "S"
        else:
            tags[start] = "B"
            for i in range(start + 1, end - 1):
                tags[i] = "I"
            tags[end - 1] = "E"
    return tags
