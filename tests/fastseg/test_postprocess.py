"""The merge pass equals spacy_pkuseg's Postprocesser.post_process on any word list."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.fastseg.postprocess import post_process, run_postprocesser_many

_WORDS = st.lists(st.sampled_from(["a", "b", "ab", "c", "abc", "ba", "d"]), max_size=25)
_DICT = st.sets(st.text("abcd", min_size=1, max_size=7), max_size=30)


def _reference(sent, common, other, check):
    import spacy_pkuseg

    post = spacy_pkuseg.Postprocesser(None, None)
    post.common_words, post.other_words = set(common), set(other)
    return post.post_process(list(sent), check)


@settings(max_examples=400, deadline=None)
@given(sent=_WORDS, common=_DICT, other=_DICT, check=st.booleans())
def test_postprocess_property_equals_pkuseg(sent, common, other, check):
    assert post_process(list(sent), set(common), set(other), check) == _reference(
        sent, common, other, check
    )


@pytest.mark.parametrize(
    ("sent", "common", "other", "expected"),
    [
        (["a", "b", "c"], set(), {"abc"}, ["abc"]),
        (["a", "b", "c"], set(), {"abc", "a", "b", "c"}, ["a", "b", "c"]),  # all separate words
        (["a", "b", "c"], {"abc"}, {"a", "b", "c"}, ["abc"]),  # common always merges
        (["a", "b", "a", "b"], set(), {"ab"}, ["ab", "ab"]),
        (["a", "b", "a"], set(), {"ab", "ba"}, ["ab", "a"]),  # left window wins
        ([], set(), {"a"}, []),
    ],
)
def test_postprocess_cases(sent, common, other, expected):
    assert post_process(list(sent), common, other) == expected
    assert _reference(sent, common, other, True) == expected


def test_postprocess_respects_do_process_flag():
    import spacy_pkuseg

    post = spacy_pkuseg.Postprocesser(None, None)
    assert run_postprocesser_many(post, [["a", "b"]]) == [["a", "b"]]
    post.do_process, post.common_words, post.other_words = True, set(), {"ab"}
    assert run_postprocesser_many(post, [["a", "b"]]) == [["ab"]]


@settings(max_examples=400, deadline=None)
@given(sents=st.lists(_WORDS, max_size=4), common=_DICT, other=_DICT, check=st.booleans())
def test_postprocess_many_property_equals_pkuseg(sents, common, other, check):
    from pipeline.fastseg.postprocess import MergeFilter, post_process_many

    merge_filter = MergeFilter(set(common), set(other))
    got = post_process_many([list(s) for s in sents], set(common), set(other), check, merge_filter)
    assert got == [_reference(s, common, other, check) for s in sents]


def test_postprocess_many_merged_word_joins_a_later_window():
    from pipeline.fastseg.postprocess import MergeFilter, post_process_many

    # Pass 7 merges "abcdefg"; pass 2 must then see the new window ("abcdefg", "h"),
    # which as 8 original words was never a window of its own.
    other = {"abcdefg", "abcdefgh"}
    sent = list("abcdefgh")
    expected = _reference(sent, set(), other, True)
    assert expected == ["abcdefgh"]
    assert post_process_many([list(sent)], set(), other, True, MergeFilter(set(), other)) == [
        expected
    ]


@settings(max_examples=400, deadline=None)
@given(data=st.data(), sent=st.lists(st.sampled_from(["a", "b", "ab", "c", "d"]), max_size=30))
def test_postprocess_many_property_dictionary_from_windows(data, sent):
    """Dictionaries made of the list's own windows (up to 9 words): many merges."""
    from pipeline.fastseg.postprocess import MergeFilter, post_process_many

    spans = data.draw(
        st.lists(st.tuples(st.integers(0, 30), st.integers(1, 9)), max_size=12), label="spans"
    )
    other = {"".join(sent[i : i + n]) for i, n in spans if sent[i : i + n]}
    other |= set(data.draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=2)))
    got = post_process_many([list(sent)], set(), other, True, MergeFilter(set(), other))
    assert got == [_reference(sent, set(), other, True)]
