
import numpy as np
import pytest

from npkit.selectors import LabelIndex

PODS = [
    {"app": "web", "tier": "front"},
    {"app": "db"},
    {},
    {"app": "web-canary", "tier": ""},
]


@pytest.fixture
def idx() -> LabelIndex:
    return LabelIndex(PODS)


def test_size_and_trivial_masks(idx):
    assert idx.size == len(idx) == 4
    assert idx.all().tolist() == [True] * 4
    assert idx.none().tolist() == [False] * 4


def test_has_counts_empty_values_as_present(idx):
    assert idx.has("tier").tolist() == [True, False, False, True]
    assert idx.has("missing").tolist() == [False] * 4


def test_eq_is_exact_and_false_for_absent_keys(idx):
    assert idx.eq("app", "web").tolist() == [True, False, False, False]
    assert idx.eq("tier", "").tolist() == [False, False, False, True]
    assert idx.eq("app", "nope").tolist() == [False] * 4
    assert idx.eq("nokey", "web").tolist() == [False] * 4


def test_value_masks_one_per_distinct_value(idx):
    masks = idx.value_masks("app")
    assert {v: m.tolist() for v, m in masks.items()} == {
        "web": [True, False, False, False],
        "db": [False, True, False, False],
        "web-canary": [False, False, False, True],
    }
    assert idx.value_masks("nokey") == {}


def test_value_masks_returns_a_fresh_dict(idx):
    idx.value_masks("app").clear()
    assert len(idx.value_masks("app")) == 3


def test_where_runs_predicate_over_distinct_values(idx):
    seen = []

    def starts_with_web(v: str) -> bool:
        seen.append(v)
        return v.startswith("web")

    assert idx.where("app", starts_with_web).tolist() == [True, False, False, True]
    assert sorted(seen) == ["db", "web", "web-canary"]


def test_where_with_cache_key_reuses_the_answer(idx):
    calls = []
    first = idx.where("app", lambda v: calls.append(v) or "canary" in v, cache_key=("contains", "canary"))
    second = idx.where("app", lambda v: calls.append(v) or True, cache_key=("contains", "canary"))
    assert second is first
    assert first.tolist() == [False, False, False, True]
    assert len(calls) == 3


def test_one_of(idx):
    assert idx.one_of("app", ["db", "web"]).tolist() == [True, True, False, False]
    assert idx.one_of("app", []).tolist() == [False] * 4


def test_queries_are_cached_and_read_only(idx):
    m = idx.eq("app", "web")
    assert idx.eq("app", "web") is m
    assert idx.has("app") is idx.has("app")
    for arr in (m, idx.has("app"), idx.all(), idx.none(), idx.where("app", bool), idx.one_of("app", ["db"])):
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[0] = not arr[0]


def test_cached_memoises_and_freezes(idx):
    calls = []

    def compute():
        calls.append(1)
        return np.array([True, False, True, False])

    a = idx.cached("k", compute)
    b = idx.cached("k", compute)
    assert a is b and calls == [1]
    assert not a.flags.writeable


def test_empty_index():
    idx = LabelIndex([])
    assert idx.size == 0
    assert idx.has("a").shape == (0,)
    assert idx.eq("a", "b").dtype == bool


def test_keys_and_values(idx):
    assert idx.keys() == {"app", "tier"}
    assert idx.values("tier") == {"front", ""}


def test_repeated_queries_return_the_cached_mask():
    # How fast building and querying are: benchmarks/bench_loading.py.
    labels = [{f"k{j}": f"v{(i * 7 + j) % 23}" for j in range(10)} for i in range(10_000)]
    idx = LabelIndex(labels)
    first = idx.eq("k3", "v5")
    assert idx.eq("k3", "v5") is first
    assert int(first.sum()) == sum(1 for row in labels if row["k3"] == "v5")
