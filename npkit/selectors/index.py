"""An inverted label index: answer a label question for N objects at once, as a numpy mask.

Build it once per set of objects (pods, namespaces, network sets); every query returns a
read-only bool array of length N. Masks are computed on first use and cached, so a query
repeated by many policies costs one dict lookup.

>>> idx = LabelIndex([{"app": "web"}, {"app": "db", "tier": "x"}, {}])
>>> idx.eq("app", "web").tolist(), idx.has("tier").tolist()
([True, False, False], [False, True, False])
>>> idx.where("app", lambda v: v.startswith("d")).tolist()
[False, True, False]
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

import numpy as np

Mask = np.ndarray


def _frozen(arr: np.ndarray) -> np.ndarray:
    # Cached masks are shared by every caller; a stray in-place `|=` must fail, not corrupt the cache.
    arr.flags.writeable = False
    return arr


class LabelIndex:
    """Inverted index over N label dicts: key -> value -> positions."""

    def __init__(self, labels: Sequence[Mapping[str, str]]):
        self._n = len(labels)
        postings: dict[str, dict[str, list[int]]] = {}
        for i, item in enumerate(labels):
            for k, v in item.items():
                by_value = postings.get(k)
                if by_value is None:
                    postings[k] = {v: [i]}
                else:
                    pos = by_value.get(v)
                    if pos is None:
                        by_value[v] = [i]
                    else:
                        pos.append(i)
        self._postings = postings
        self._value_masks: dict[str, dict[str, Mask]] = {}
        self._has: dict[str, Mask] = {}
        self._memo: dict[Hashable, Mask] = {}
        self._all = _frozen(np.ones(self._n, dtype=bool))
        self._none = _frozen(np.zeros(self._n, dtype=bool))

    @property
    def size(self) -> int:
        """Number of indexed objects (the length of every mask)."""
        return self._n

    def __len__(self) -> int:
        return self._n

    def keys(self) -> set[str]:
        """Every label key that occurs on at least one object."""
        return set(self._postings)

    def values(self, key: str) -> set[str]:
        """The distinct values `key` takes; empty if no object has it."""
        return set(self._postings.get(key, ()))

    def all(self) -> Mask:
        """Every object."""
        return self._all

    def none(self) -> Mask:
        """No object."""
        return self._none

    def value_masks(self, key: str) -> dict[str, Mask]:
        """One mask per distinct value of `key` (a fresh dict of shared read-only masks)."""
        return dict(self._masks_for(key))

    def eq(self, key: str, value: str) -> Mask:
        """Objects whose label `key` equals `value` (absent key: False)."""
        return self._masks_for(key).get(value, self._none)

    def has(self, key: str) -> Mask:
        """Objects that carry label `key`, whatever its value."""
        mask = self._has.get(key)
        if mask is None:
            mask = self._from_positions(p for pos in self._postings.get(key, {}).values() for p in pos)
            self._has[key] = mask
        return mask

    def one_of(self, key: str, values: Iterable[str]) -> Mask:
        """Objects whose label `key` is one of `values` (absent key: False)."""
        wanted = frozenset(values)
        return self.cached(("one_of", key, wanted), lambda: self._union(key, wanted.__contains__))

    def where(
        self, key: str, predicate: Callable[[str], bool], cache_key: Hashable | None = None
    ) -> Mask:
        """Objects whose value for `key` satisfies `predicate` (absent key: False).

        The predicate runs once per distinct value, not once per object. Pass a `cache_key`
        (e.g. `("contains", "web")`) to cache the answer; predicates themselves are not hashable
        in any useful way.
        """
        if cache_key is None:
            return self._union(key, predicate)
        return self.cached(("where", key, cache_key), lambda: self._union(key, predicate))

    def cached(self, key: Hashable, compute: Callable[[], Mask]) -> Mask:
        """Memoise a derived mask (e.g. a whole selector's) under `key`; the result is read-only."""
        mask = self._memo.get(key)
        if mask is None:
            mask = _frozen(compute())
            self._memo[key] = mask
        return mask

    # -- internals ---------------------------------------------------------------------------
    def _masks_for(self, key: str) -> dict[str, Mask]:
        masks = self._value_masks.get(key)
        if masks is None:
            masks = {v: self._from_positions(pos) for v, pos in self._postings.get(key, {}).items()}
            self._value_masks[key] = masks
        return masks

    def _union(self, key: str, accept: Callable[[str], bool]) -> Mask:
        positions = [p for v, pos in self._postings.get(key, {}).items() if accept(v) for p in pos]
        return self._from_positions(positions)

    def _from_positions(self, positions: Iterable[int]) -> Mask:
        mask = np.zeros(self._n, dtype=bool)
        idx = np.fromiter(positions, dtype=np.intp)
        if idx.size:
            mask[idx] = True
        return _frozen(mask)
