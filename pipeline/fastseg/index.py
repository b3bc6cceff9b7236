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

key = template id << 58 | atom1 << 29 | atom2 — no two different features can share a
key, so lookups are exact.  A lexicon word is keyed by its node codes (+1, 21 bits
each) packed into two uint64 (three nodes each), also exact.  A feature string that
joining nodes can never produce (a stray ``*`` or ``.``) is dropped: pkuseg can never
look it up.  A ``ww`` string whose ``*`` could split it in two ways is entered once
per reachable split, each pointing at the same feature, which is exactly what the
string lookup does.

The index is built once per model (a few seconds) and cached as an ``.npz``
(``allow_pickle=False``) keyed by the SHA-256 of ``features.msgpack``; the hash, the
format version and pkuseg's word lengths are stored inside and checked on load, and a
cache that does not match or cannot be read is rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.fastseg.hashtable import build_table, lookup, mix64, table_capacity
from pipeline.fastseg.nodes import NOWORD_TOKEN, check_pkuseg_config, parse_nodes

FORMAT_VERSION = 2
FEATURES_FILE = "features.msgpack"
WEIGHTS_FILE = "weights.npz"

# Template ids in the order pkuseg appends features (0 is "$$", always feature 0).
CHAR_TEMPLATES = ("c.", "c-1.", "c-1c.", "c1.", "cc1.", "c-2.", "c-2c-1.", "c2.")
WORD_TEMPLATES = ("w-1.", "w1.", "ww.l.", "ww.r.")
TEMPLATE_ID = {name: i + 1 for i, name in enumerate(CHAR_TEMPLATES + WORD_TEMPLATES)}
PAIR_TEMPLATES = {"c-1c.", "cc1.", "c-2c-1."}
_TID_SHIFT, _A_SHIFT = np.uint64(58), np.uint64(29)
ATOM_LIMIT = 1 << 29
MISSING_KEY = np.uint64(0xFFFFFFFFFFFFFFFF)  # template id 63: never a stored key
_WORD_SALT = np.uint64(0x9E3779B97F4A7C15)


def feature_key(tid: np.ndarray | int, a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """Exact uint64 key of (template id, atom, atom)."""
    return (
        (np.asarray(tid, dtype=np.uint64) << _TID_SHIFT)
        | (np.asarray(a, dtype=np.uint64) << _A_SHIFT)
        | np.asarray(b, dtype=np.uint64)
    )


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


@dataclass
class FeatureIndex:
    """Lexicon and feature tables of one pkuseg model (arrays only)."""

    source_sha256: str
    word_min: int
    word_max: int
    word_hi: np.ndarray  # uint64 [n_words]
    word_lo: np.ndarray  # uint64 [n_words]
    word_table: np.ndarray  # int32 slots -> word id
    feat_keys: np.ndarray  # uint64 [n_entries]
    feat_rows: np.ndarray  # int32 [n_entries] -> feature index in weights
    feat_table: np.ndarray  # int32 slots -> entry
    n_features: int
    empty_is_word: bool  # "" in pkuseg's lexicon: out-of-range slices count as words
    tag_names: tuple[str, ...]  # tag id -> name (pkuseg's tag_to_idx inverted)

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

    def lookup_features(self, keys: np.ndarray) -> np.ndarray:
        """Feature index of each key, or -1."""
        entries = lookup(self.feat_table, (self.feat_keys,), (keys,), mix64(keys))
        found = entries >= 0
        out = np.full(len(keys), -1, dtype=np.int32)
        out[found] = self.feat_rows[entries[found]]
        return out

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "format_version": np.array(FORMAT_VERSION),
            "source_sha256": np.array(self.source_sha256),
            "word_lengths": np.array([self.word_min, self.word_max]),
            "word_hi": self.word_hi,
            "word_lo": self.word_lo,
            "word_table": self.word_table,
            "feat_keys": self.feat_keys,
            "feat_rows": self.feat_rows,
            "feat_table": self.feat_table,
            "n_features": np.array(self.n_features),
            "empty_is_word": np.array(self.empty_is_word),
            "tag_names": np.array(self.tag_names, dtype=str),
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
        index = cls(
            source_sha256=expected_sha256,
            word_min=word_min,
            word_max=word_max,
            word_hi=np.asarray(data["word_hi"], dtype=np.uint64),
            word_lo=np.asarray(data["word_lo"], dtype=np.uint64),
            word_table=np.asarray(data["word_table"], dtype=np.int32),
            feat_keys=np.asarray(data["feat_keys"], dtype=np.uint64),
            feat_rows=np.asarray(data["feat_rows"], dtype=np.int32),
            feat_table=np.asarray(data["feat_table"], dtype=np.int32),
            n_features=int(data["n_features"]),
            empty_is_word=bool(data["empty_is_word"]),
            tag_names=tuple(str(t) for t in data["tag_names"]),
        )
        index.validate()
        return index

    def validate(self) -> None:
        """Cheap structural checks that catch a truncated or mixed-up cache."""
        n_words, n_entries = len(self.word_hi), len(self.feat_keys)
        ok = (
            len(self.word_lo) == n_words
            and len(self.feat_rows) == n_entries
            and len(self.word_table) > n_words
            and len(self.feat_table) > n_entries
            and (len(self.word_table) & (len(self.word_table) - 1)) == 0
            and (len(self.feat_table) & (len(self.feat_table) - 1)) == 0
            and int(self.word_table.max(initial=-1)) < n_words
            and int(self.feat_table.max(initial=-1)) < n_entries
            and (n_entries == 0 or int(self.feat_rows.min()) >= 0)
            and (n_entries == 0 or int(self.feat_rows.max()) < self.n_features)
            and int((self.word_table >= 0).sum()) == n_words
            and int((self.feat_table >= 0).sum()) == n_entries
            and len(self.tag_names) > 0
        )
        if not ok:
            raise ValueError("index arrays are inconsistent")


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
    keys = feature_key(
        np.array(tids, dtype=np.uint64),
        np.array(atoms_a, dtype=np.uint64),
        np.array(atoms_b, dtype=np.uint64),
    )
    unique = np.unique(keys)
    if len(unique) != len(keys):
        raise ValueError(f"{len(keys) - len(unique)} feature keys collide; refusing the index")
    word_hi = np.array([p[0] for p in packed], dtype=np.uint64)
    word_lo = np.array([p[1] for p in packed], dtype=np.uint64)
    if n_words and len(np.unique(np.stack([word_hi, word_lo], axis=1), axis=0)) != n_words:
        raise ValueError("lexicon keys collide; refusing the index")
    return FeatureIndex(
        source_sha256=source_sha256,
        word_min=word_min,
        word_max=word_max,
        word_hi=word_hi,
        word_lo=word_lo,
        word_table=build_table(word_hash(word_hi, word_lo), table_capacity(n_words)),
        feat_keys=keys,
        feat_rows=np.array(rows, dtype=np.int32),
        feat_table=build_table(mix64(keys), table_capacity(len(keys))),
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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_cache_dir() -> Path:
    from pipeline.segmenter import cache_root

    return cache_root() / "fastseg"


def cache_path(model_dir: Path, cache_dir: Path | None = None) -> tuple[Path, str]:
    """Where the index of ``model_dir`` is cached, and the features file's SHA-256."""
    sha = file_sha256(Path(model_dir) / FEATURES_FILE)
    return (cache_dir or default_cache_dir()) / f"index-v{FORMAT_VERSION}-{sha}.npz", sha


def build_index_from_model(model_dir: Path, sha: str | None = None) -> FeatureIndex:
    """Read ``features.msgpack`` (the slow part: ~850 MB of Python objects) and index it."""
    import srsly

    path = Path(model_dir) / FEATURES_FILE
    sha = sha or file_sha256(path)
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
