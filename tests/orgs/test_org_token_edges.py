"""Gazetteer names whose edge falls inside a pkuseg word (full pipeline, real segmenter)."""

from __future__ import annotations


def _orgs(nlp, text: str) -> list[str]:
    return [e.text for e in nlp(text).ents if e.label_ == "ORG"]


def test_short_name_glued_to_next_word_opening_a_sentence_is_kept(nlp):
    # pkuseg glues 商汤期 (期内); the text names 商汤集团 on word edges before
    text = "商汤集团公布中期业绩，收入约17.4亿元。商汤期内净亏损24.6亿元，按年收窄21%。"
    assert [t for t in nlp.tokenizer(text) if t.text.startswith("商汤期")], "segmenter changed"
    assert _orgs(nlp, text) == ["商汤集团", "商汤"]


def test_short_name_glued_without_another_mention_stays_out(nlp):
    # the same sentence with no other mention of the organisation: 商汤|期 could be the
    # head of a longer word, and the model sees no name there
    text = "该业务占总收入比重首次超过60%。商汤期内净亏损24.6亿元，按年收窄21%。"
    assert "商汤" not in _orgs(nlp, text)
