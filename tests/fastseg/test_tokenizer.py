"""The spaCy tokenizer: registration, fast/original switch, serialisation round trips.

Runs on the toy model with a private ZHNEWS_HOME, so no download and no user cache.
"""

from __future__ import annotations

import pytest
import spacy
import srsly

import pipeline.registrations  # noqa: F401  (registers zhnews.pkuseg_tokenizer.v1)
from pipeline.fastseg import FastPkuseg

from .conftest import USER_DICT

TEXTS = [
    "中国人民银行今天发布公告",
    "公司2023年营业收入12.5亿元，同比增长3.4%",
    "归母净利润 增长",
    "",
]


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("ZHNEWS_HOME", str(tmp_path_factory.getbasetemp() / "zhnews_home"))


def _nlp(model_dir, fast: bool = True):
    config = {"nlp": {"tokenizer": {"@tokenizers": "zhnews.pkuseg_tokenizer.v1", "fast": fast}}}
    nlp = spacy.blank("zh", config=config)
    nlp.tokenizer.initialize(pkuseg_model=str(model_dir), pkuseg_user_dict=str(USER_DICT))
    return nlp


def _words(nlp, text):
    return [t.text for t in nlp.tokenizer(text)]


@pytest.mark.parametrize("text", TEXTS)
def test_tokenizer_fast_and_original_give_same_tokens(toy_model_dir, text):
    fast, original = _nlp(toy_model_dir, True), _nlp(toy_model_dir, False)
    assert isinstance(fast.tokenizer.pkuseg_seg, FastPkuseg)
    assert not isinstance(original.tokenizer.pkuseg_seg, FastPkuseg)
    assert _words(fast, text) == _words(original, text)


@pytest.mark.parametrize(("save_fast", "load_fast"), [(True, True), (False, True), (True, False)])
def test_tokenizer_to_disk_from_disk(toy_model_dir, tmp_path, save_fast, load_fast):
    nlp = _nlp(toy_model_dir, save_fast)
    nlp.tokenizer.pkuseg_update_user_dict(["人民银行"])
    nlp.tokenizer.to_disk(tmp_path / "tok")
    assert srsly.read_json(tmp_path / "tok" / "cfg") == {
        "segmenter": "pkuseg",
        "fast": save_fast,
        "trad_simp": "",
    }
    for name in ("features.msgpack", "weights.npz"):
        assert (tmp_path / "tok" / "pkuseg_model" / name).is_file()
    fresh = spacy.blank(
        "zh", config={"nlp": {"tokenizer": {"@tokenizers": "zhnews.pkuseg_tokenizer.v1"}}}
    )
    fresh.tokenizer.fast = load_fast
    fresh.tokenizer.from_disk(tmp_path / "tok")
    for text in TEXTS:
        assert _words(fresh, text) == _words(nlp, text)
    assert "人民银行" in _words(fresh, "中国人民银行今天")


def test_tokenizer_fast_copies_model_files_verbatim(toy_model_dir, tmp_path):
    nlp = _nlp(toy_model_dir)
    nlp.tokenizer.to_disk(tmp_path / "tok")
    for name in ("features.msgpack", "weights.npz"):
        copied = (tmp_path / "tok" / "pkuseg_model" / name).read_bytes()
        assert copied == (toy_model_dir / name).read_bytes()


def test_tokenizer_to_bytes_from_bytes(toy_model_dir):
    nlp = _nlp(toy_model_dir)
    data = nlp.tokenizer.to_bytes()
    fresh = spacy.blank(
        "zh", config={"nlp": {"tokenizer": {"@tokenizers": "zhnews.pkuseg_tokenizer.v1"}}}
    )
    fresh.tokenizer.from_bytes(data)
    assert isinstance(fresh.tokenizer.pkuseg_seg, FastPkuseg)
    for text in TEXTS:
        assert _words(fresh, text) == _words(nlp, text)
    assert fresh.tokenizer.to_bytes() == data


def test_tokenizer_nlp_round_trip_with_spacy_load(toy_model_dir, tmp_path):
    nlp = _nlp(toy_model_dir)
    nlp.to_disk(tmp_path / "nlp")
    again = spacy.load(tmp_path / "nlp")
    assert isinstance(again.tokenizer.pkuseg_seg, FastPkuseg)
    assert [_words(again, t) for t in TEXTS] == [_words(nlp, t) for t in TEXTS]


def test_tokenizer_user_dict_reset(toy_model_dir):
    nlp = _nlp(toy_model_dir)
    nlp.tokenizer.pkuseg_update_user_dict(["银行今天"])
    assert "银行今天" in _words(nlp, "中国人民银行今天发布公告")
    nlp.tokenizer.pkuseg_update_user_dict([], reset=True)
    assert "银行今天" not in _words(nlp, "中国人民银行今天发布公告")


def test_tokenizer_shipped_config_uses_fast(real_model_dir):
    from pipeline.api import load_config

    config = load_config(pkuseg_model=str(real_model_dir))
    tokenizer = config["nlp"]["tokenizer"]
    assert tokenizer["@tokenizers"] == "zhnews.pkuseg_tokenizer.v1" and tokenizer["fast"] is True


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("batch_size", [1, 3, 256])
def test_tokenizer_pipe_equals_calls(toy_model_dir, fast, batch_size):
    nlp = _nlp(toy_model_dir, fast)
    texts = [*TEXTS, " 中国 ", "人民银行" * 50]
    piped = list(nlp.tokenizer.pipe(texts, batch_size=batch_size))
    assert [[t.text for t in d] for d in piped] == [_words(nlp, t) for t in texts]
    assert [d.text for d in piped] == texts


def test_tokenizer_entry_point_declared_and_loads_in_fresh_process(toy_model_dir, tmp_path):
    """``spacy.load`` in a process that never imported zhnews finds the tokenizer
    through the ``spacy_tokenizers`` entry point (pyproject.toml)."""
    import subprocess
    import sys
    from importlib.metadata import entry_points

    import tomllib

    from .conftest import REPO_ROOT

    declared = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf8"))
    group = declared["project"]["entry-points"]["spacy_tokenizers"]
    assert group["zhnews.pkuseg_tokenizer.v1"] == "pipeline.registrations:make_pkuseg_tokenizer"
    installed = {ep.name for ep in entry_points(group="spacy_tokenizers")}
    if "zhnews.pkuseg_tokenizer.v1" not in installed:
        pytest.skip("spacy_tokenizers entry point not installed yet: run `make setup`")
    _nlp(toy_model_dir).to_disk(tmp_path / "nlp")
    code = "import spacy, sys; print(type(spacy.load(sys.argv[1]).tokenizer).__name__)"
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "nlp")],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert done.stdout.strip() == "FastChineseTokenizer"


FOLD = {"銀": "银", "國": "国", "發": "发", "佈": "布", "營": "营", "業": "业"}


@pytest.mark.parametrize("fast", [True, False])
def test_tokenizer_segments_traditional_text_as_simplified(toy_model_dir, fast):
    """Tokens of a traditional text are cut where its simplified form is cut, and keep
    the characters as written (offsets index the original text)."""
    nlp = _nlp(toy_model_dir, fast)
    simplified = ["中国人民银行今天发布公告", "公司 营业收入 增长", "　中国人民银行\n今天"]
    plain = [[len(w) for w in _words(nlp, t)] for t in simplified]
    nlp.tokenizer.set_fold(FOLD)
    for text, lengths in zip(simplified, plain, strict=True):
        traditional = text.translate(str.maketrans({s: t for t, s in FOLD.items()}))
        doc = nlp.tokenizer(traditional)
        assert doc.text == traditional
        assert [len(t.text) for t in doc] == lengths
        assert [d.text for d in nlp.tokenizer.pipe([traditional, text])] == [traditional, text]


def test_tokenizer_fold_survives_serialisation(toy_model_dir, tmp_path):
    nlp = _nlp(toy_model_dir)
    nlp.tokenizer.set_fold(FOLD)
    nlp.tokenizer.to_disk(tmp_path / "tok")
    fresh = spacy.blank(
        "zh", config={"nlp": {"tokenizer": {"@tokenizers": "zhnews.pkuseg_tokenizer.v1"}}}
    )
    fresh.tokenizer.from_disk(tmp_path / "tok")
    again = spacy.blank(
        "zh", config={"nlp": {"tokenizer": {"@tokenizers": "zhnews.pkuseg_tokenizer.v1"}}}
    )
    again.tokenizer.from_bytes(nlp.tokenizer.to_bytes())
    for text in ("中國人民銀行今天發佈公告", "公司營業收入增長"):
        assert _words(fresh, text) == _words(nlp, text) == _words(again, text)


def test_tokenizer_shipped_config_folds_traditional(real_model_dir):
    from pipeline.api import load

    nlp = load(pkuseg_model=str(real_model_dir))
    # pkuseg alone cuts 台積|電持股; folded it keeps the company name whole
    assert "台積電" in [t.text for t in nlp.make_doc("補助，台積電持股比例約86.5%。")]
