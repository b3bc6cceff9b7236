"""The class trie that compiles a large lexicon matches what the exact trie matches."""

from __future__ import annotations

import random
import re

import pytest

from pipeline.relations import mentions
from pipeline.relations.textnorm import normalize

from .test_pair_scorer import _records


def _lexicon_word_lists(lexicons) -> dict[str, list[str]]:
    """Every word list the finder compiles (metrics, cues, segment rows, anaphors)."""
    finder = mentions.MentionFinder(lexicons)
    lists = {"metrics": list(lexicons.metrics), "cues": list(finder.cue_table)}
    lists["anaphors"] = list(lexicons.anaphors)
    lists.update({f"segments.{k}": list(v) for k, v in lexicons.segments.items()})
    return {name: sorted({w for w in words if w}) for name, words in lists.items()}


def _assert_same_matches(exact: re.Pattern[str], fast: re.Pattern[str], text: str) -> None:
    """The same match at every position (with and without an end position) and the
    same scan of the whole text."""
    assert [m.span() for m in exact.finditer(text)] == [m.span() for m in fast.finditer(text)]
    for pos in range(len(text)):
        a, b = exact.match(text, pos), fast.match(text, pos)
        assert (a and a.span()) == (b and b.span()), (text, pos)
        endpos = pos + (len(text) - pos) // 2
        a, b = exact.match(text, pos, endpos), fast.match(text, pos, endpos)
        assert (a and a.span()) == (b and b.span()), (text, pos, endpos)


def test_large_lexicons_compile_as_class_tries(lexicons):
    """The metric and cue lexicons start with many characters: they take the class trie
    (whose root is one character class, the engine's first-character filter)."""
    lists = _lexicon_word_lists(lexicons)
    for name in ("metrics", "cues", "segments.stop"):
        pattern = mentions._trie_pattern(lists[name])
        assert pattern != mentions._exact_trie_pattern(lists[name]), name
        assert pattern.startswith("["), name


def test_class_trie_equals_exact_trie_on_the_corpus(lexicons):
    """Every lexicon, compiled both ways, matches the same spans on the corpus texts and
    on texts made of lexicon words cut and glued together (shared prefixes, words
    inside words, words cut at the text's end)."""
    texts = [r["text"] for s in ("train", "dev", "test") for r in _records(s)]
    rng = random.Random(11)
    lists = _lexicon_word_lists(lexicons)
    for words in lists.values():
        exact = re.compile(mentions._exact_trie_pattern(words))
        fast = re.compile(mentions._class_trie_pattern(words, 0))
        glued = []
        for _ in range(40):
            parts = [rng.choice(words)[: rng.randint(1, 6)] for _ in range(rng.randint(1, 12))]
            glued.append("".join(parts))
        for text in [*(normalize(t, lexicons.table) for t in texts), *glued]:
            _assert_same_matches(exact, fast, text)


@pytest.mark.parametrize("seed", range(6))
def test_class_trie_equals_exact_trie_on_random_lexicons(seed):
    """Random lexicons over a small alphabet (many words sharing prefixes and ends,
    levels split into several classes) match the same spans both ways."""
    rng = random.Random(seed)
    alphabet = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥ab-]^\\"
    for _ in range(30):
        words = sorted(
            {
                "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5)))
                for _ in range(rng.randint(1, 120))
            }
        )
        exact = re.compile(mentions._exact_trie_pattern(words))
        fast = re.compile(mentions._class_trie_pattern(words, 0))
        for _ in range(5):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
            _assert_same_matches(exact, fast, text)
