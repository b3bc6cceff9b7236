"""Parsing pkuseg's feature strings into exact keys, and the .npz index cache."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.fastseg import index as fi
from pipeline.fastseg.nodes import NUM

TAGS = {"B": 0, "B_single": 1, "I": 2, "I_end": 3, "I_first": 4}


def _build(features: dict[str, int], unigram: set[str]) -> fi.FeatureIndex:
    return fi.build_index({"$$": 0, **features}, unigram, TAGS, "sha")


def _word_id(index: fi.FeatureIndex, nodes: list[int]) -> int:
    hi, lo = fi.pack_word(nodes)
    return int(index.lookup_words(np.array([hi], np.uint64), np.array([lo], np.uint64))[0])


def _feature(index: fi.FeatureIndex, template: str, a: int, b: int = 0) -> int:
    return index.feature_row(template, a, b)


def _n_features(index: fi.FeatureIndex) -> int:
    """Number of (template, atoms) entries with a feature row."""
    rows = (index.unigram_rows, index.pair_rows, index.word_rows, index.ww_rows)
    return sum(int((r >= 0).sum()) for r in rows)


def test_index_char_templates_are_exact_keys():
    index = _build({"c.中": 1, "c-1c.**Num.年": 2, "cc1.中.国": 3, "c2.**Letter": 4}, {"中国"})
    assert _feature(index, "c.", ord("中")) == 1
    assert _feature(index, "c-1c.", NUM, ord("年")) == 2
    assert _feature(index, "cc1.", ord("中"), ord("国")) == 3
    assert _feature(index, "cc1.", ord("国"), ord("中")) == -1
    assert _feature(index, "c.", ord("国")) == -1


def test_index_word_templates_use_lexicon_ids():
    index = _build(
        {"w-1.中国": 1, "w1.**Num年": 2, "ww.l.中国*银行": 3}, {"中国", "银行", "**Num年"}
    )
    china, bank = _word_id(index, [ord("中"), ord("国")]), _word_id(index, [ord("银"), ord("行")])
    num_year = _word_id(index, [NUM, ord("年")])
    assert min(china, bank, num_year) >= 0
    assert _feature(index, "w-1.", china) == 1
    assert _feature(index, "w1.", num_year) == 2
    assert _feature(index, "ww.l.", china, bank) == 3
    assert _feature(index, "ww.r.", china, bank) == -1
    assert _word_id(index, [ord("人"), ord("民")]) == -1


def test_index_empty_word_and_noword_atoms():
    index = _build({"w-1.": 1, "ww.r.***noWord": 2, "ww.l.**noWord*": 3}, {"", "中国"})
    assert index.empty_is_word and index.out_of_range == index.noword + 1
    assert _feature(index, "w-1.", index.out_of_range) == 1
    assert _feature(index, "ww.r.", index.out_of_range, index.noword) == 2
    assert _feature(index, "ww.l.", index.noword, index.out_of_range) == 3
    without_empty = _build({}, {"中国"})
    assert without_empty.out_of_range == without_empty.noword


def test_index_ambiguous_star_split_enters_every_reading():
    # "**Num**Num*银行" has three "*" a split could use; only the reading whose two
    # sides are lexicon words (or placeholders) is a string pkuseg can build.
    unigram = {"**Num**Num", "银行", "**Num"}
    index = _build({"ww.l.**Num**Num*银行": 5}, unigram)
    num_num = _word_id(index, [NUM, NUM])
    assert _feature(index, "ww.l.", num_num, _word_id(index, [ord("银"), ord("行")])) == 5
    assert _n_features(index) == 1


@pytest.mark.parametrize(
    "feature",
    ["c.a*b", "c-1c.中.国.家", "c.中国", "w-1.不在词典", "ww.l.中国*不在词典"],
)
def test_index_unreachable_features_are_dropped(feature):
    index = _build({feature: 1}, {"中国"})
    assert _n_features(index) == 0


def test_index_lexicon_keeps_only_reachable_lengths():
    index = _build({}, {"中", "中国", "一二三四五六", "一二三四五六七", "a*b", "1.5"})
    assert index.n_words == 2


@pytest.mark.parametrize(
    ("features", "message"),
    [({"$$": 3}, "feature 0"), ({"x.y": 1}, "unknown pkuseg feature template")],
)
def test_index_refuses_unexpected_features(features, message):
    with pytest.raises(ValueError, match=message):
        fi.build_index(features, set(), TAGS, "sha")


def test_index_refuses_colliding_keys(monkeypatch):
    monkeypatch.setattr(fi, "pair_key", lambda a, b: np.zeros(len(a), dtype=np.uint64))
    with pytest.raises(ValueError, match="collide"):
        _build({"cc1.中.国": 1, "cc1.国.中": 2}, set())


def test_index_arrays_round_trip_and_validate():
    index = _build({"c.中": 1, "w1.中国": 2, "cc1.中.国": 3}, {"中国"})
    again = fi.FeatureIndex.from_arrays(index.to_arrays(), "sha")
    assert again.tag_names == tuple(TAGS)
    assert np.array_equal(again.pair_keys, index.pair_keys)
    with pytest.raises(ValueError, match="another features file"):
        fi.FeatureIndex.from_arrays(index.to_arrays(), "other")
    broken = index.to_arrays()
    broken["pair_rows"] = broken["pair_rows"][:0]
    with pytest.raises(ValueError, match="inconsistent"):
        fi.FeatureIndex.from_arrays(broken, "sha")


def test_index_cache_built_once_then_reused(toy_model_dir, tmp_path, monkeypatch):
    first = fi.load_index(toy_model_dir, tmp_path)
    (cached,) = tmp_path.glob("index-*.npz")
    calls = []
    monkeypatch.setattr(fi, "build_index_from_model", lambda *a: calls.append(a))
    second = fi.load_index(toy_model_dir, tmp_path)
    assert calls == [] and np.array_equal(first.ww_keys, second.ww_keys)
    assert (
        cached.name
        == f"index-v{fi.FORMAT_VERSION}-{fi.sha256_file(toy_model_dir / fi.FEATURES_FILE)}.npz"
    )


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other_source"])
def test_index_cache_damaged_is_rebuilt(toy_model_dir, tmp_path, damage):
    good = fi.load_index(toy_model_dir, tmp_path)
    (cached,) = tmp_path.glob("index-*.npz")
    if damage == "truncate":
        cached.write_bytes(cached.read_bytes()[:100])
    elif damage == "garbage":
        cached.write_bytes(b"not an npz")
    else:
        arrays = good.to_arrays()
        arrays["source_sha256"] = np.array("0" * 64)
        with cached.open("wb") as handle:
            np.savez(handle, **arrays)
    rebuilt = fi.load_index(toy_model_dir, tmp_path)
    assert np.array_equal(rebuilt.ww_rows, good.ww_rows)
    with np.load(cached, allow_pickle=False) as data:
        assert str(data["source_sha256"]) == good.source_sha256


def test_index_ensure_index_builds_into_zhnews_cache(toy_model_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ZHNEWS_HOME", str(tmp_path))
    path = fi.ensure_index(toy_model_dir)
    assert path.parent == tmp_path / "fastseg" and path.is_file()
    assert "fastseg index ready" in capsys.readouterr().out


def test_index_rebuild_removes_older_formats(toy_model_dir, tmp_path):
    sha = fi.sha256_file(toy_model_dir / fi.FEATURES_FILE)
    older = tmp_path / f"index-v0-{sha}.npz"
    older.write_bytes(b"old format")
    fi.load_index(toy_model_dir, tmp_path)
    assert not older.exists()
    assert [p.name for p in tmp_path.glob("index-*.npz")] == [
        f"index-v{fi.FORMAT_VERSION}-{sha}.npz"
    ]
