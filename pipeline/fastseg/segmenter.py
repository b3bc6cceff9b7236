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
    MISSING_KEY,
    TEMPLATE_ID,
    WEIGHTS_FILE,
    FeatureIndex,
    feature_key,
    load_index,
)
from pipeline.fastseg.nodes import text_nodes
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
        self._pair_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._filter: MergeFilter | None = None
        self.begins_word = np.array(["B" in name for name in self.index.tag_names])

    # -- the public API of pkuseg ---------------------------------------------------

    def cut(self, txt: str) -> list[str]:
        """Words of ``txt``, identical to ``spacy_pkuseg.pkuseg.cut``."""
        txt = txt.strip()
        if not txt:
            return []
        root_chars = self.preprocesser.trie.children
        slots: list[str | None] = []
        pieces: list[str] = []
        for chunk in txt.split():
            # solve() only ever splits at characters that start a dictionary word.
            if root_chars and not root_chars.keys().isdisjoint(chunk):
                parts, is_word, _ = self.preprocesser.solve(chunk)
            else:
                parts, is_word = [chunk], [False]
            for part, user_word in zip(parts, is_word, strict=True):
                if user_word:
                    slots.append(part)
                else:
                    slots.append(None)
                    pieces.append(part)
        segmented = iter(
            run_postprocesser_many(
                self.postprocesser, self.segment_pieces(pieces), self._merge_filter()
            )
        )
        words: list[str] = []
        for slot in slots:
            if slot is None:
                words.extend(next(segmented))
            else:
                words.append(slot)
        return words

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
        codes = nodes[lo:hi].astype(np.uint64)
        ps = piece_start[lo:hi] - lo
        pe = piece_end[lo:hi] - lo
        noword, oob = index.noword, index.out_of_range
        # -- lexicon atom of every slice nodes[j : j + l] inside the window ------------
        # Row r is length wmax - r (pkuseg's loop order); packing is (code + 1) << 21 * k.
        lengths = np.arange(wmax, wmin - 1, -1)
        n_len = len(lengths)
        plus1 = np.zeros(m + wmax, dtype=np.uint64)
        plus1[:m] = codes + np.uint64(1)
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
        # -- keys in pkuseg's append order --------------------------------------------
        offsets = np.array([0, -1, 1, -2, 2])
        near = pos[None, :] + offsets[:, None]
        has = (near >= p_start) & (near < p_end)
        c = codes[np.clip(near, 0, m - 1)]
        c0, cm1, cp1, cm2, cp2 = c
        _, has_m1, has_p1, has_m2, has_p2 = has
        tid = TEMPLATE_ID
        n_slots = 8 + 2 * n_len + 2 * n_len * n_len
        keys = np.empty((n_slots, k), dtype=np.uint64)
        keys[0] = feature_key(tid["c."], c0, 0)
        keys[1] = np.where(has_m1, feature_key(tid["c-1."], cm1, 0), MISSING_KEY)
        keys[2] = np.where(has_m1, feature_key(tid["c-1c."], cm1, c0), MISSING_KEY)
        keys[3] = np.where(has_p1, feature_key(tid["c1."], cp1, 0), MISSING_KEY)
        keys[4] = np.where(has_p1, feature_key(tid["cc1."], c0, cp1), MISSING_KEY)
        keys[5] = np.where(has_m2, feature_key(tid["c-2."], cm2, 0), MISSING_KEY)
        keys[6] = np.where(has_m2, feature_key(tid["c-2c-1."], cm2, cm1), MISSING_KEY)
        keys[7] = np.where(has_p2, feature_key(tid["c2."], cp2, 0), MISSING_KEY)
        row = 8
        for template, side in (("w-1.", pre_in), ("w1.", post_in)):
            # pkuseg looks a word feature up only when the slice is in its lexicon.
            keys[row : row + n_len] = np.where(
                side != noword, feature_key(tid[template], side, 0), MISSING_KEY
            )
            row += n_len
        pairs = []
        for template, pres, posts in (("ww.l.", pre_ex, post_in), ("ww.r.", pre_in, post_ex)):
            # for pre in pres: for post in posts -> row pre * n_len + post
            pre_b, post_b = pres[:, None, :], posts[None, :, :]
            keys[row : row + n_len * n_len] = feature_key(tid[template], pre_b, post_b).reshape(
                n_len * n_len, k
            )
            pairs.append((pre_b >= noword) & (post_b >= noword))
            row += n_len * n_len
        rows = np.full((n_slots, k), self.missing_row, dtype=np.int32)
        # Pairs of two non-words are the same few keys at nearly every position:
        # looked up once (self._nonword_pair_rows), not once per position.
        nonword = np.zeros((n_slots, k), dtype=bool)
        nonword[8 + 2 * n_len :] = np.concatenate(pairs).reshape(-1, k)
        ask = ~nonword & (keys != MISSING_KEY)
        found = index.lookup_features(keys[ask])
        rows[ask] = np.where(found >= 0, found, self.missing_row)
        if nonword.any():
            rows[nonword] = self._nonword_pair_rows(keys[nonword])
        return rows

    def _nonword_pair_rows(self, keys: np.ndarray) -> np.ndarray:
        """Rows of ww keys whose two atoms are NOWORD / out-of-range (a tiny set)."""
        if self._pair_cache is None:
            tid, index = TEMPLATE_ID, self.index
            atoms = np.array([index.noword, index.out_of_range], dtype=np.uint64)
            cache_keys = np.unique(
                feature_key(
                    np.array([tid["ww.l."], tid["ww.r."]], dtype=np.uint64)[:, None, None],
                    atoms[None, :, None],
                    atoms[None, None, :],
                ).ravel()
            )
            found = index.lookup_features(cache_keys)
            self._pair_cache = (cache_keys, np.where(found >= 0, found, self.missing_row))
        cache_keys, cache_rows = self._pair_cache
        return cache_rows[np.searchsorted(cache_keys, keys)]

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
