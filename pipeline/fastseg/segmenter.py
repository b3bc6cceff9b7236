"""``FastPkuseg``: spacy_pkuseg's ``pkuseg.cut`` with vectorised feature scoring.

Same model, same answers: the text is split exactly as ``pkuseg.cut`` does (strip,
whitespace, user-dictionary words through spacy_pkuseg's own ``Preprocesser``); every
remaining piece is scored, decoded with spacy_pkuseg's own Cython ``run_viterbi`` and
post-processed with its own ``Postprocesser``.  Only the scoring differs: pkuseg builds
~70 feature strings per character and looks each up in a dict
(``__get_node_features_idx``); here the features of all pieces of a text are integer
keys looked up in one vectorised pass (:mod:`pipeline.fastseg.index`).

Bit-identical scores: ``getLogYY`` adds ``w[f * n_tag + s] * 1.0`` for every found
feature in the order the features were appended.  Here the same weights are added in
the same template order, one numpy addition per template (a missing feature adds the
zero row, which leaves every non-zero sum unchanged and at most flips the sign of a
zero, which no comparison sees), so each ``node_score[i, s]`` is the same double.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np

from pipeline.fastseg.index import (
    WEIGHTS_FILE,
    FeatureIndex,
    load_index,
    pair_key,
    word_pair_key,
)
from pipeline.fastseg.nodes import N_CODES, text_nodes
from pipeline.fastseg.postprocess import MergeFilter, run_postprocesser_many
from pipeline.fastseg.weights import load_weights

# Positions scored per numpy pass: bounds the temporary arrays (~1 KB per position)
# on a huge document while keeping the per-call overhead small.
BLOCK = 8192
_U21, _U42 = np.uint64(21), np.uint64(42)


def make_processors(user_dict: str | None):
    """spacy_pkuseg's (Preprocesser, Postprocesser) exactly as ``pkuseg.__init__`` builds
    them for a model given as a directory."""
    import spacy_pkuseg
    from spacy_pkuseg.config import config

    if user_dict is None:
        file_name, other_names = None, None
    else:
        file_name = None if user_dict in [*config.available_models, "default"] else user_dict
        other_names = [
            os.path.join(
                os.path.dirname(os.path.realpath(spacy_pkuseg.__file__)), "dicts", "default.pkl"
            )
        ]
    return spacy_pkuseg.Preprocesser(file_name), spacy_pkuseg.Postprocesser(None, other_names)


class FastPkuseg:
    """Drop-in for ``spacy_pkuseg.pkuseg(model_dir, user_dict).cut`` (no POS tagging).

    Keeps ``preprocesser`` / ``postprocesser`` attributes like ``pkuseg`` so callers that
    edit the user dictionary (spaCy's ``pkuseg_update_user_dict``) keep working.
    """

    def __init__(
        self,
        model_dir: str | os.PathLike[str],
        user_dict: str | None = "default",
        *,
        index: FeatureIndex | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        from spacy_pkuseg.inference import run_viterbi

        self.model_dir = Path(model_dir)
        self.index = index or load_index(self.model_dir, cache_dir)
        self.preprocesser, self.postprocesser = make_processors(user_dict)
        self._run_viterbi = run_viterbi
        # Node weights with one extra all-zero row: the feature index of "not found".
        self.weights, edge = load_weights(self.model_dir / WEIGHTS_FILE)
        n_feature, n_tag = self.weights.shape[0] - 1, self.weights.shape[1]
        if n_tag != len(self.index.tag_names) or n_feature < self.index.n_features:
            raise ValueError("pkuseg weights and features file do not belong together")
        self.n_tag = n_tag
        self.missing_row = n_feature
        # getLogYY: edge_score = ones; edge_score[s_pre, s] += w[backoff + s * n_tag + s_pre]
        self.edge_score = np.ones((n_tag, n_tag)) + edge.reshape(n_tag, n_tag).T
        self._prepare_rows()
        self._filter: MergeFilter | None = None
        self._merge_filter()  # built at load (~1 s), not inside the first call
        self.begins_word = np.array(["B" in name for name in self.index.tag_names])

    # -- the public API of pkuseg ---------------------------------------------------

    def cut(self, txt: str) -> list[str]:
        """Words of ``txt``, identical to ``spacy_pkuseg.pkuseg.cut``."""
        return self.cut_many([txt])[0]

    def cut_many(self, texts: list[str]) -> list[list[str]]:
        """``[self.cut(t) for t in texts]``, with all texts scored in one numpy pass.

        Worth it for short texts (sentences, titles), where the fixed cost of the numpy
        calls would otherwise dominate; the result is the same list for list.
        """
        root_chars = self.preprocesser.trie.children
        slots: list[list[str | None]] = []
        pieces: list[str] = []
        for text in texts:
            text_slots: list[str | None] = []
            for chunk in text.strip().split():
                # solve() only ever splits at characters that start a dictionary word.
                if root_chars and not root_chars.keys().isdisjoint(chunk):
                    parts, is_word, _ = self.preprocesser.solve(chunk)
                else:
                    parts, is_word = [chunk], [False]
                for part, user_word in zip(parts, is_word, strict=True):
                    if user_word:
                        text_slots.append(part)
                    else:
                        text_slots.append(None)
                        pieces.append(part)
            slots.append(text_slots)
        segmented = iter(
            run_postprocesser_many(
                self.postprocesser, self.segment_pieces(pieces), self._merge_filter()
            )
        )
        out: list[list[str]] = []
        for text_slots in slots:
            words: list[str] = []
            for slot in text_slots:
                if slot is None:
                    words.extend(next(segmented))
                else:
                    words.append(slot)
            out.append(words)
        return out

    def _merge_filter(self) -> MergeFilter | None:
        """The post-processing filter for the current dictionaries (rebuilt if replaced)."""
        post = self.postprocesser
        if not post.do_process:
            return None
        current = self._filter
        if current is None or not current.matches(post.common_words, post.other_words):
            current = self._filter = MergeFilter(post.common_words, post.other_words)
        return current

    # -- scoring and decoding -------------------------------------------------------

    def segment_pieces(self, pieces: list[str]) -> list[list[str]]:
        """Model words of each piece (what pkuseg's ``_cut`` returns), scored together."""
        if not pieces:
            return []
        joined = "".join(pieces)
        nodes = text_nodes(joined)
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        ends = np.cumsum(lengths)
        starts = ends - lengths
        piece_start = np.repeat(starts, lengths)
        piece_end = np.repeat(ends, lengths)
        scores = self.node_scores(nodes, piece_start, piece_end)
        begins = self.begins_word
        out: list[list[str]] = []
        for piece, start, end in zip(pieces, starts.tolist(), ends.tolist(), strict=True):
            _, tags = self._run_viterbi(scores[start:end], self.edge_score)
            cuts = np.flatnonzero(begins[tags[1:]]) + 1
            if cuts.size:
                bounds = [0, *cuts.tolist(), end - start]
                out.append([piece[a:b] for a, b in itertools.pairwise(bounds)])
            else:
                out.append([piece])
        return out

    def node_scores(
        self, nodes: np.ndarray, piece_start: np.ndarray, piece_end: np.ndarray
    ) -> np.ndarray:
        """``node_score`` of getLogYY for every position (pieces given per position)."""
        n = len(nodes)
        scores = np.empty((n, self.n_tag), dtype=np.float64)
        for a in range(0, n, BLOCK):
            b = min(n, a + BLOCK)
            scores[a:b] = self._block_scores(nodes, piece_start, piece_end, a, b)
        return scores

    def _prepare_rows(self) -> None:
        """Row arrays of the index with "no feature" as ``missing_row`` and one extra
        all-missing last row, so a lookup miss (-1) indexes that row directly."""
        index, missing = self.index, self.missing_row

        def extended(rows: np.ndarray) -> np.ndarray:
            out = np.full((rows.shape[0] + 1, rows.shape[1]), missing, dtype=np.int32)
            out[:-1] = np.where(rows >= 0, rows, missing)
            return out

        # node code -> row of unigram_rows (codes without such features -> the last row)
        self.char_slot = np.full(N_CODES, len(index.unigram_codes), dtype=np.int32)
        self.char_slot[index.unigram_codes.astype(np.int64)] = np.arange(
            len(index.unigram_codes), dtype=np.int32
        )
        self.unigram_rows = extended(index.unigram_rows)
        self.pair_rows = extended(index.pair_rows)
        self.word_rows = np.where(index.word_rows >= 0, index.word_rows, missing).astype(np.int32)
        self.ww_rows = extended(index.ww_rows)
        # Word pairs of two non-words (NOWORD / out of range) are the same few keys at
        # nearly every position: their rows are looked up once here.
        atoms = np.unique([index.noword, index.out_of_range])
        self.nonword_atoms = atoms
        entries = index.lookup_word_pairs(word_pair_key(atoms[:, None], atoms[None, :]).ravel())
        self.nonword_pair_rows = self.ww_rows[entries].reshape(len(atoms), len(atoms), 2)

    def feature_rows(
        self, nodes: np.ndarray, piece_start: np.ndarray, piece_end: np.ndarray, a: int, b: int
    ) -> np.ndarray:
        """Feature index per (template slot, position) for positions ``a..b-1``.

        Slot order is pkuseg's append order after feature 0; a feature pkuseg would not
        find (or not look up) is ``missing_row``.
        """
        index = self.index
        wmin, wmax = index.word_min, index.word_max
        n = len(nodes)
        lo, hi = max(0, a - wmax), min(n, b + wmax + 1)
        m = hi - lo
        codes = nodes[lo:hi]
        ps = piece_start[lo:hi] - lo
        pe = piece_end[lo:hi] - lo
        noword, oob, missing = index.noword, index.out_of_range, self.missing_row
        # -- lexicon atom of every slice nodes[j : j + l] inside the window ------------
        # Row r is length wmax - r (pkuseg's loop order); packing is (code + 1) << 21 * k.
        lengths = np.arange(wmax, wmin - 1, -1)
        n_len = len(lengths)
        plus1 = np.zeros(m + wmax, dtype=np.uint64)
        plus1[:m] = codes
        plus1[:m] += np.uint64(1)
        packed_hi = np.zeros((wmax, m), dtype=np.uint64)
        packed_lo = np.zeros((wmax, m), dtype=np.uint64)
        acc_hi = np.zeros(m, dtype=np.uint64)
        acc_lo = np.zeros(m, dtype=np.uint64)
        for k in range(wmax):
            if k < 3:
                acc_hi = acc_hi | (plus1[k : k + m] << np.uint64(21 * k))
            else:
                acc_lo = acc_lo | (plus1[k : k + m] << np.uint64(21 * (k - 3)))
            packed_hi[k], packed_lo[k] = acc_hi, acc_lo
        word_hi, word_lo = packed_hi[lengths - 1], packed_lo[lengths - 1]
        valid = np.arange(m)[None, :] + lengths[:, None] <= np.minimum(pe, m)[None, :]
        atoms = np.full((n_len, m), noword, dtype=np.int64)
        found = index.lookup_words(word_hi[valid], word_lo[valid])
        atoms[valid] = np.where(found >= 0, found, noword)
        # -- character pairs (j, j + 1) of one piece -----------------------------------
        pair_entry = np.full(m, -1, dtype=np.int64)
        same_piece = np.flatnonzero(np.arange(1, m) < pe[:-1])
        if same_piece.size:
            pair_entry[same_piece] = index.lookup_pairs(
                pair_key(codes[same_piece], codes[same_piece + 1])
            )
        # -- per position: the four slice lists of pkuseg, rows in length order -------
        pos = np.arange(a - lo, b - lo)
        k = len(pos)
        p_start, p_end = ps[pos][None, :], pe[pos][None, :]
        len_col = lengths[:, None]
        len_rows = np.arange(n_len)[:, None]

        def atoms_from(first: np.ndarray) -> np.ndarray:
            inside = (first >= p_start) & (first + len_col <= p_end)
            return np.where(inside, atoms[len_rows, np.clip(first, 0, m - 1)], oob)

        pre_in = atoms_from(pos[None, :] - len_col + 1)
        post_in = atoms_from(np.broadcast_to(pos, (n_len, k)))
        pre_ex = atoms_from(pos[None, :] - len_col)
        post_ex = atoms_from(np.broadcast_to(pos + 1, (n_len, k)))
        # -- rows in pkuseg's append order --------------------------------------------
        offsets = np.array([0, -1, 1, -2, 2])
        near = pos[None, :] + offsets[:, None]
        has = (near >= p_start) & (near < p_end)
        _, has_m1, has_p1, has_m2, has_p2 = has
        char = self.char_slot[codes[np.clip(near, 0, m - 1)]]  # [5, k]
        uni, pairs = self.unigram_rows, self.pair_rows
        n_slots = 8 + 2 * n_len + 2 * n_len * n_len
        rows = np.empty((n_slots, k), dtype=np.int32)
        rows[0] = uni[char[0], 0]  # c.
        rows[1] = np.where(has_m1, uni[char[1], 1], missing)  # c-1.
        rows[2] = np.where(has_m1, pairs[pair_entry[np.maximum(pos - 1, 0)], 0], missing)
        rows[3] = np.where(has_p1, uni[char[2], 2], missing)  # c1.
        rows[4] = np.where(has_p1, pairs[pair_entry[pos], 1], missing)  # cc1.
        rows[5] = np.where(has_m2, uni[char[3], 3], missing)  # c-2.
        rows[6] = np.where(has_m2, pairs[pair_entry[np.maximum(pos - 2, 0)], 2], missing)
        rows[7] = np.where(has_p2, uni[char[4], 4], missing)  # c2.
        # w-1 / w1: pkuseg looks them up only for lexicon words; NOWORD has no row.
        rows[8 : 8 + n_len] = self.word_rows[pre_in, 0]
        rows[8 + n_len : 8 + 2 * n_len] = self.word_rows[post_in, 1]
        # ww.l (pre_ex x post_in) then ww.r (pre_in x post_ex): row pre * n_len + post.
        first_ww = 8 + 2 * n_len
        block = n_len * n_len
        pre_l = np.broadcast_to(pre_ex[:, None, :], (n_len, n_len, k)).reshape(block, k)
        post_l = np.broadcast_to(post_in[None, :, :], (n_len, n_len, k)).reshape(block, k)
        pre_r = np.broadcast_to(pre_in[:, None, :], (n_len, n_len, k)).reshape(block, k)
        post_r = np.broadcast_to(post_ex[None, :, :], (n_len, n_len, k)).reshape(block, k)
        pre = np.concatenate([pre_l, pre_r])
        post = np.concatenate([post_l, post_r])
        column = np.repeat(np.array([0, 1]), block)[:, None]
        nonword = (pre >= noword) & (post >= noword)
        ww = np.empty((2 * block, k), dtype=np.int32)
        pre_nw = np.searchsorted(self.nonword_atoms, pre[nonword])
        post_nw = np.searchsorted(self.nonword_atoms, post[nonword])
        ww[nonword] = self.nonword_pair_rows[
            pre_nw, post_nw, np.broadcast_to(column, nonword.shape)[nonword]
        ]
        ask = ~nonword
        entries = index.lookup_word_pairs(word_pair_key(pre[ask], post[ask]))
        ww[ask] = self.ww_rows[entries, np.broadcast_to(column, ask.shape)[ask]]
        rows[first_ww:] = ww
        return rows

    def _block_scores(
        self, nodes: np.ndarray, piece_start: np.ndarray, piece_end: np.ndarray, a: int, b: int
    ) -> np.ndarray:
        rows = self.feature_rows(nodes, piece_start, piece_end, a, b)
        weights = self.weights
        # getLogYY starts from zeros and adds feature 0 ("$$") first.
        score = np.zeros((b - a, self.n_tag), dtype=np.float64)
        score += weights[0]
        # A slot with no feature found at any position would only add zero rows: most
        # word-pair slots are such, so skipping them changes no sum and saves time.
        for slot in np.flatnonzero((rows != self.missing_row).any(axis=1)).tolist():
            score += weights[rows[slot]]
        return score
