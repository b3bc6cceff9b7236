"""pkuseg's feature dictionary and lexicon as exact integer keys in hash tables.

pkuseg keeps ``feature_to_idx`` (2.6 M feature strings) in a Python dict and its
lexicon ``unigram`` in a set; together ~850 MB of a worker's memory.  Every feature
string is ``<template><atoms>`` (see ``__get_node_features_idx`` in spacy_pkuseg's
feature_extractor.pyx), so it is parsed here into an exact 64-bit integer key:

* char templates (``c.``, ``c-1.``, ``c-1c.``, ``c1.``, ``cc1.``, ``c-2.``,
  ``c-2c-1.``, ``c2.``): node codes (:mod:`pipeline.fastseg.nodes`);
* word templates (``w-1.``, ``w1.``, ``ww.l.``, ``ww.r.``): lexicon word ids, plus
  ``NOWORD`` (pkuseg's ``**noWord``) and ``EMPTY`` (the ``""`` pkuseg's
  ``get_slice_str`` returns for a slice past either end of the text, which is a member
  of this model's lexicon: pkuseg treats it as a word).

Features are grouped so that one lookup answers every template of a group: a node code
gives the rows of its five single-character templates (a sorted array, made dense at
load), a character pair (code << 21 | code) those of ``c-1c.``, ``cc1.`` and ``c-2c-1.``,
a word atom those of ``w-1.`` and ``w1.`` (a dense array), a word pair
(atom << 29 | atom) those of ``ww.l.`` and ``ww.r.``.  Keys are exact, so no two
different features can share one and lookups are exact; hashing only chooses where a
probe starts.  A lexicon word is keyed by its node codes (+1, 21 bits each) packed into
two uint64 (three nodes each), also exact.  A feature string that joining nodes can
never produce (a stray ``*`` or ``.``) is dropped: pkuseg can never look it up.  A
``ww`` string whose ``*`` could split it in two ways is entered once per reachable
split, each pointing at the same feature, which is exactly what the string lookup does.

The index is built once per model (a few seconds) and cached as an ``.npz``
(``allow_pickle=False``) keyed by the SHA-256 of ``features.msgpack``; the hash, the
format version and pkuseg's word lengths are stored inside and checked on load, and a
cache that does not match or cannot be read is rebuilt, never trusted.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.fastseg.hashtable import build_table, lookup, mix64, table_capacity
from pipeline.fastseg.nodes import NOWORD_TOKEN, check_pkuseg_config, parse_nodes
from pipeline.safety.model_files import sha256_file

FORMAT_VERSION = 3
FEATURES_FILE = "features.msgpack"
WEIGHTS_FILE = "weights.npz"

# Template ids in the order pkuseg appends features (0 is "$$", always feature 0).
CHAR_TEMPLATES = ("c.", "c-1.", "c-1c.", "c1.", "cc1.", "c-2.", "c-2c-1.", "c2.")
WORD_TEMPLATES = ("w-1.", "w1.", "ww.l.", "ww.r.")
TEMPLATE_ID = {name: i + 1 for i, name in enumerate(CHAR_TEMPLATES + WORD_TEMPLATES)}
PAIR_TEMPLATES = {"c-1c.", "cc1.", "c-2c-1."}
ATOM_LIMIT = 1 << 29  # word atoms must fit word_pair_key
_WORD_SALT = np.uint64(0x9E3779B97F4A7C15)


def word_hash(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Hash of a packed word key (only chooses the probe start; keys are compared)."""
    return mix64(hi ^ mix64(lo ^ _WORD_SALT))


def pack_word(nodes: list[int]) -> tuple[int, int]:
    """Exact (hi, lo) key of a node sequence of 1..6 nodes: (code + 1) per 21 bits."""
    hi = lo = 0
    for k, code in enumerate(nodes):
        if k < 3:
            hi |= (code + 1) << (21 * k)
        else:
            lo |= (code + 1) << (21 * (k - 3))
    return hi, lo


# How the templates are grouped for lookup: one lookup answers every template of a group
# (the features of one character, of one character pair, of one word, of one word pair).
UNIGRAM_COLUMNS = {"c.": 0, "c-1.": 1, "c1.": 2, "c-2.": 3, "c2.": 4}
PAIR_COLUMNS = {"c-1c.": 0, "cc1.": 1, "c-2c-1.": 2}
WORD_COLUMNS = {"w-1.": 0, "w1.": 1}
WORD_PAIR_COLUMNS = {"ww.l.": 0, "ww.r.": 1}
_PAIR_SHIFT = np.uint64(21)  # node codes are < 2**21
_WW_SHIFT = np.uint64(29)  # word atoms are < 2**29


def pair_key(a, b) -> np.ndarray:
    """Exact key of a character pair (two node codes)."""
    return (np.asarray(a, dtype=np.uint64) << _PAIR_SHIFT) | np.asarray(b, dtype=np.uint64)


def word_pair_key(pre, post) -> np.ndarray:
    """Exact key of a (word atom, word atom) pair."""
    return (np.asarray(pre, dtype=np.uint64) << _WW_SHIFT) | np.asarray(post, dtype=np.uint64)


@dataclass
class FeatureIndex:
    """Lexicon and feature tables of one pkuseg model (arrays only).

    Feature rows are -1 where the model has no such feature.
    """

    source_sha256: str
    word_min: int
    word_max: int
    word_hi: np.ndarray  # uint64 [n_words]
    word_lo: np.ndarray  # uint64 [n_words]
    word_table: np.ndarray  # int32 slots -> word id
    unigram_codes: np.ndarray  # uint32 [n_u] node codes with a single-character feature
    unigram_rows: np.ndarray  # int32 [n_u, 5] rows of c., c-1., c1., c-2., c2.
    pair_keys: np.ndarray  # uint64 [n_p]
    pair_rows: np.ndarray  # int32 [n_p, 3] rows of c-1c., cc1., c-2c-1.
    pair_table: np.ndarray  # int32 slots -> pair entry
    word_rows: np.ndarray  # int32 [n_words + 2, 2] rows of w-1., w1. by word atom
    ww_keys: np.ndarray  # uint64 [n_w]
    ww_rows: np.ndarray  # int32 [n_w, 2] rows of ww.l., ww.r.
    ww_table: np.ndarray  # int32 slots -> word-pair entry
    n_features: int
    empty_is_word: bool  # "" in pkuseg's lexicon: out-of-range slices count as words
    tag_names: tuple[str, ...]  # tag id -> name (pkuseg's tag_to_idx inverted)

    _TABLES = (("word_table", "word_hi"), ("pair_table", "pair_keys"), ("ww_table", "ww_keys"))

    @property
    def n_words(self) -> int:
        return len(self.word_hi)

    @property
    def noword(self) -> int:
        """Atom of a slice that is not a lexicon word (pkuseg's ``**noWord``)."""
        return self.n_words

    @property
    def out_of_range(self) -> int:
        """Atom of a slice past either end of the piece (pkuseg's ``""``)."""
        return self.n_words + 1 if self.empty_is_word else self.n_words

    def lookup_words(self, hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
        """Word id of each packed key, or -1."""
        return lookup(self.word_table, (self.word_hi, self.word_lo), (hi, lo), word_hash(hi, lo))

    def lookup_pairs(self, keys: np.ndarray) -> np.ndarray:
        """Entry in ``pair_rows`` of each character-pair key, or -1."""
        return lookup(self.pair_table, (self.pair_keys,), (keys,), mix64(keys))

    def lookup_word_pairs(self, keys: np.ndarray) -> np.ndarray:
        """Entry in ``ww_rows`` of each word-pair key, or -1."""
        return lookup(self.ww_table, (self.ww_keys,), (keys,), mix64(keys))

    def feature_row(self, template: str, a: int, b: int = 0) -> int:
        """Row of one feature given as (template, atom, atom), or -1 (for tests, tools)."""
        if template in UNIGRAM_COLUMNS:
            at = np.searchsorted(self.unigram_codes, a)
            found = at < len(self.unigram_codes) and self.unigram_codes[at] == a
            return int(self.unigram_rows[at, UNIGRAM_COLUMNS[template]]) if found else -1
        if template in WORD_COLUMNS:
            return int(self.word_rows[a, WORD_COLUMNS[template]])
        if template in PAIR_COLUMNS:
            entry = int(self.lookup_pairs(pair_key([a], [b]))[0])
            return int(self.pair_rows[entry, PAIR_COLUMNS[template]]) if entry >= 0 else -1
        entry = int(self.lookup_word_pairs(word_pair_key([a], [b]))[0])
        return int(self.ww_rows[entry, WORD_PAIR_COLUMNS[template]]) if entry >= 0 else -1

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays = {
            name: getattr(self, name)
            for name in [
                "word_hi",
                "word_lo",
                "word_table",
                "unigram_codes",
                "unigram_rows",
                "pair_keys",
                "pair_rows",
                "pair_table",
                "word_rows",
                "ww_keys",
                "ww_rows",
                "ww_table",
            ]
        }
        return {
            "format_version": np.array(FORMAT_VERSION),
            "source_sha256": np.array(self.source_sha256),
            "word_lengths": np.array([self.word_min, self.word_max]),
            "n_features": np.array(self.n_features),
            "empty_is_word": np.array(self.empty_is_word),
            "tag_names": np.array(self.tag_names, dtype=str),
            **arrays,
        }

    @classmethod
    def from_arrays(cls, data, expected_sha256: str) -> FeatureIndex:
        """Rebuild from :meth:`to_arrays`; raises ValueError on any inconsistency."""
        if int(data["format_version"]) != FORMAT_VERSION:
            raise ValueError("format version differs")
        if str(data["source_sha256"]) != expected_sha256:
            raise ValueError("built from another features file")
        word_min, word_max = (int(v) for v in data["word_lengths"])
        if (word_min, word_max) != check_pkuseg_config():
            raise ValueError("built for other pkuseg word lengths")
        u64, i32 = np.uint64, np.int32
        index = cls(
            source_sha256=expected_sha256,
            word_min=word_min,
            word_max=word_max,
            word_hi=np.asarray(data["word_hi"], dtype=u64),
            word_lo=np.asarray(data["word_lo"], dtype=u64),
            word_table=np.asarray(data["word_table"], dtype=i32),
            unigram_codes=np.asarray(data["unigram_codes"], dtype=np.uint32),
            unigram_rows=np.asarray(data["unigram_rows"], dtype=i32),
            pair_keys=np.asarray(data["pair_keys"], dtype=u64),
            pair_rows=np.asarray(data["pair_rows"], dtype=i32),
            pair_table=np.asarray(data["pair_table"], dtype=i32),
            word_rows=np.asarray(data["word_rows"], dtype=i32),
            ww_keys=np.asarray(data["ww_keys"], dtype=u64),
            ww_rows=np.asarray(data["ww_rows"], dtype=i32),
            ww_table=np.asarray(data["ww_table"], dtype=i32),
            n_features=int(data["n_features"]),
            empty_is_word=bool(data["empty_is_word"]),
            tag_names=tuple(str(t) for t in data["tag_names"]),
        )
        index.validate()
        return index

    def validate(self) -> None:
        """Cheap structural checks that catch a truncated or mixed-up cache."""
        shapes_ok = (
            len(self.word_lo) == self.n_words
            and self.unigram_rows.shape == (len(self.unigram_codes), len(UNIGRAM_COLUMNS))
            and self.pair_rows.shape == (len(self.pair_keys), len(PAIR_COLUMNS))
            and self.word_rows.shape == (self.n_words + 2, len(WORD_COLUMNS))
            and self.ww_rows.shape == (len(self.ww_keys), len(WORD_PAIR_COLUMNS))
            and len(self.tag_names) > 0
        )
        tables_ok = all(
            len(getattr(self, table)) > len(getattr(self, keys))
            and (len(getattr(self, table)) & (len(getattr(self, table)) - 1)) == 0
            and int(getattr(self, table).max(initial=-1)) < len(getattr(self, keys))
            and int((getattr(self, table) >= 0).sum()) == len(getattr(self, keys))
            for table, keys in self._TABLES
        )
        rows_ok = all(
            rows.size == 0 or (int(rows.min()) >= -1 and int(rows.max()) < self.n_features)
            for rows in (self.unigram_rows, self.pair_rows, self.word_rows, self.ww_rows)
        )
        if not (shapes_ok and tables_ok and rows_ok):
            raise ValueError("index arrays are inconsistent")


def _group_rows(
    keys: np.ndarray, columns: np.ndarray, rows: np.ndarray, n_columns: int, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Unique keys and a [n_keys, n_columns] row matrix (-1 = no feature)."""
    unique, inverse = np.unique(keys, return_inverse=True)
    cells = inverse.astype(np.int64) * n_columns + columns
    if len(np.unique(cells)) != len(cells):
        raise ValueError(f"{what} feature keys collide; refusing the index")
    matrix = np.full((len(unique), n_columns), -1, dtype=np.int32)
    matrix.reshape(-1)[cells] = rows
    return unique, matrix


def build_index(
    feature_to_idx: dict[str, int],
    unigram,
    tag_to_idx: dict[str, int],
    source_sha256: str,
    n_features: int | None = None,
) -> FeatureIndex:
    """Parse pkuseg's feature strings and lexicon into exact keys and hash tables."""
    word_min, word_max = check_pkuseg_config()
    empty_is_word = "" in unigram
    word_ids: dict[tuple[int, ...], int] = {}
    packed: list[tuple[int, int]] = []
    for word in unigram:
        nodes = parse_nodes(word)
        if nodes is None or not word_min <= len(nodes) <= word_max:
            continue  # no slice pkuseg looks up can ever equal this string
        key = tuple(nodes)
        if key not in word_ids:
            word_ids[key] = len(packed)
            packed.append(pack_word(nodes))
    n_words = len(packed)
    noword, empty = n_words, n_words + 1
    if n_words + 2 >= ATOM_LIMIT:
        raise ValueError(f"lexicon too large for the key layout ({n_words} words)")

    def word_atom(value: str) -> int | None:
        if value == "":
            return empty if empty_is_word else None
        nodes = parse_nodes(value)
        return None if nodes is None else word_ids.get(tuple(nodes))

    def side_atom(value: str) -> int | None:
        return noword if value == NOWORD_TOKEN else word_atom(value)

    tids: list[int] = []
    atoms_a: list[int] = []
    atoms_b: list[int] = []
    rows: list[int] = []

    def add(tid: int, a: int, b: int, row: int) -> None:
        tids.append(tid)
        atoms_a.append(a)
        atoms_b.append(b)
        rows.append(row)

    for feature, row in feature_to_idx.items():
        if feature == "$$":
            if row != 0:
                raise ValueError(f"'$$' is feature {row}, pkuseg always adds feature 0")
            continue
        if feature.startswith(("ww.l.", "ww.r.")):
            template, rest = feature[:5], feature[5:]
            tid = TEMPLATE_ID[template]
            star = rest.find("*")
            while star >= 0:
                pre, post = side_atom(rest[:star]), side_atom(rest[star + 1 :])
                if pre is not None and post is not None:
                    add(tid, pre, post, row)
                star = rest.find("*", star + 1)
            continue
        dot = feature.find(".")
        template, rest = feature[: dot + 1], feature[dot + 1 :]
        tid = TEMPLATE_ID.get(template)
        if tid is None:
            raise ValueError(f"unknown pkuseg feature template in {feature!r}")
        if template in ("w-1.", "w1."):
            atom = word_atom(rest)
            if atom is not None:
                add(tid, atom, 0, row)
            continue
        parts = rest.split(".") if template in PAIR_TEMPLATES else [rest]
        nodes = [parse_nodes(part) for part in parts]
        if len(parts) == (2 if template in PAIR_TEMPLATES else 1) and all(
            n is not None and len(n) == 1 for n in nodes
        ):
            add(tid, nodes[0][0], nodes[1][0] if len(nodes) == 2 else 0, row)

    if n_features is None:
        n_features = max(feature_to_idx.values()) + 1
    word_hi = np.array([p[0] for p in packed], dtype=np.uint64)
    word_lo = np.array([p[1] for p in packed], dtype=np.uint64)
    if n_words and len(np.unique(np.stack([word_hi, word_lo], axis=1), axis=0)) != n_words:
        raise ValueError("lexicon keys collide; refusing the index")
    tid = np.array(tids, dtype=np.int64)
    a = np.array(atoms_a, dtype=np.uint64)
    b = np.array(atoms_b, dtype=np.uint64)
    row = np.array(rows, dtype=np.int32)

    def column_of(group: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        column = np.full(len(tid), -1, dtype=np.int64)
        for template, col in group.items():
            column[tid == TEMPLATE_ID[template]] = col
        return column >= 0, column

    in_u, col_u = column_of(UNIGRAM_COLUMNS)
    unigram_codes, unigram_rows = _group_rows(
        a[in_u], col_u[in_u], row[in_u], len(UNIGRAM_COLUMNS), "character"
    )
    in_p, col_p = column_of(PAIR_COLUMNS)
    pair_keys, pair_rows = _group_rows(
        pair_key(a[in_p], b[in_p]), col_p[in_p], row[in_p], len(PAIR_COLUMNS), "character-pair"
    )
    in_w, col_w = column_of(WORD_COLUMNS)
    atoms, word_matrix = _group_rows(a[in_w], col_w[in_w], row[in_w], len(WORD_COLUMNS), "word")
    word_rows = np.full((n_words + 2, len(WORD_COLUMNS)), -1, dtype=np.int32)
    word_rows[atoms.astype(np.int64)] = word_matrix
    in_ww, col_ww = column_of(WORD_PAIR_COLUMNS)
    ww_keys, ww_rows = _group_rows(
        word_pair_key(a[in_ww], b[in_ww]),
        col_ww[in_ww],
        row[in_ww],
        len(WORD_PAIR_COLUMNS),
        "word-pair",
    )
    return FeatureIndex(
        source_sha256=source_sha256,
        word_min=word_min,
        word_max=word_max,
        word_hi=word_hi,
        word_lo=word_lo,
        word_table=build_table(word_hash(word_hi, word_lo), table_capacity(n_words)),
        unigram_codes=unigram_codes.astype(np.uint32),
        unigram_rows=unigram_rows,
        pair_keys=pair_keys,
        pair_rows=pair_rows,
        pair_table=build_table(mix64(pair_keys), table_capacity(len(pair_keys))),
        word_rows=word_rows,
        ww_keys=ww_keys,
        ww_rows=ww_rows,
        ww_table=build_table(mix64(ww_keys), table_capacity(len(ww_keys))),
        n_features=n_features,
        empty_is_word=empty_is_word,
        tag_names=tag_names_by_id(tag_to_idx),
    )


def tag_names_by_id(tag_to_idx: dict[str, int]) -> tuple[str, ...]:
    """Tag names by id; the ids must be 0..n-1 (pkuseg's weights are laid out so)."""
    names = sorted(tag_to_idx, key=tag_to_idx.__getitem__)
    if [tag_to_idx[name] for name in names] != list(range(len(names))):
        raise ValueError(f"pkuseg tag ids are not 0..n-1: {tag_to_idx}")
    return tuple(names)


def default_cache_dir() -> Path:
    from pipeline.segmenter import cache_root

    return cache_root() / "fastseg"


def cache_path(model_dir: Path, cache_dir: Path | None = None) -> tuple[Path, str]:
    """Where the index of ``model_dir`` is cached, and the features file's SHA-256."""
    sha = sha256_file(Path(model_dir) / FEATURES_FILE)
    return (cache_dir or default_cache_dir()) / f"index-v{FORMAT_VERSION}-{sha}.npz", sha


def build_index_from_model(model_dir: Path, sha: str | None = None) -> FeatureIndex:
    """Read ``features.msgpack`` (the slow part: ~850 MB of Python objects) and index it."""
    import srsly

    path = Path(model_dir) / FEATURES_FILE
    sha = sha or sha256_file(path)
    data = srsly.read_msgpack(path)
    index = build_index(data["feature_to_idx"], set(data["unigram"]), data["tag_to_idx"], sha)
    del data
    return index


def load_index(model_dir: str | os.PathLike[str], cache_dir: Path | None = None) -> FeatureIndex:
    """The cached index of ``model_dir``, built (and cached) when missing or stale."""
    path, sha = cache_path(Path(model_dir), cache_dir)
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as data:
                return FeatureIndex.from_arrays(data, sha)
        except Exception:  # any unreadable or stale cache is rebuilt, never trusted
            pass
    index = build_index_from_model(Path(model_dir), sha)
    save_index(index, path)
    for stale in path.parent.glob(f"index-v*-{sha}.npz"):
        if stale != path:  # an older format of the same model's index
            stale.unlink(missing_ok=True)
    return index


def ensure_index(model_dir: Path, *, quiet: bool = False) -> Path:
    """Set-up step (``zhnews setup``): build the cached index now, not at first load."""
    path, _ = cache_path(Path(model_dir))
    load_index(model_dir)
    if not quiet:
        print(f"fastseg index ready: {path}")
    return path


def save_index(index: FeatureIndex, path: Path) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".partial.npz")
    os.close(fd)
    try:
        with open(tmp, "wb") as handle:
            np.savez(handle, **index.to_arrays())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
