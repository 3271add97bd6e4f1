"""Calico selector syntax tree: one frozen dataclass per operation of the language.

Every node is a `Selector`: it evaluates against one label dict (`matches`), against every
object of a `LabelIndex` at once (`mask`), and prints in Calico's canonical form (`str`),
which `parse` reads back to an equal tree.

>>> sel = and_(eq("app", "web"), not_(has("canary")))
>>> str(sel)
'(app == "web" && !has(canary))'
>>> sel.matches({"app": "web"}), sel.explain({"app": "web", "canary": "1"})
(True, "needs !has(canary), but canary is '1'")
>>> str(sel.prefixed("pcns."))
'(pcns.app == "web" && !has(pcns.canary))'
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from ...i18n import messages
from ..index import LabelIndex

_LABEL = re.compile(r"[A-Za-z0-9_./-]+")
_ = messages("npkit").gettext


def _quote(value: str) -> str:
    # Calico's String(): double quotes unless the value contains one (there are no escapes).
    return f"'{value}'" if '"' in value else f'"{value}"'


def _check_value(value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"label value must be a string, not {type(value).__name__}")
    if '"' in value and "'" in value:  # no escapes: such a value could not be written back
        raise ValueError(_("a Calico selector value cannot hold both quote characters: {value}").format(
            value=repr(value)))


def _needs(term: Selector, key: str, labels: Mapping[str, str]) -> str:
    """"needs app == "web", but app is 'api'" (or "but it has no app label")."""
    if key in labels:
        return _("needs {term}, but {key} is {value}").format(term=term, key=key, value=repr(labels[key]))
    return _("needs {term}, but it has no {key} label").format(term=term, key=key)


class Selector(ABC):
    """A parsed Calico selector (any node of the tree); immutable and hashable."""

    @abstractmethod
    def matches(self, labels: Mapping[str, str]) -> bool:
        """Does the selector match an object with these labels?"""

    @abstractmethod
    def _mask(self, index: LabelIndex) -> np.ndarray: ...

    @abstractmethod
    def __str__(self) -> str: ...

    def mask(self, index: LabelIndex) -> np.ndarray:
        """`matches` for every object of `index` at once (read-only, cached per index)."""
        return index.cached(("calico", self), lambda: self._mask(index))

    def children(self) -> tuple[Selector, ...]:
        """Direct sub-selectors (empty for leaves)."""
        return ()

    def walk(self) -> Iterator[Selector]:
        """This node and every node below it, depth first."""
        yield self
        for child in self.children():
            yield from child.walk()

    def uses_global(self) -> bool:
        """Does `global()` occur anywhere in the selector?"""
        return any(isinstance(n, Global) for n in self.walk())

    def labels(self) -> set[str]:
        """Label keys the selector refers to.

        >>> sorted(or_(eq("a", "x"), not_(has("b"))).labels())
        ['a', 'b']
        """
        return {n.key for n in self.walk() if isinstance(n, _KeyTerm)}

    def transform(self, fn: Callable[[Selector], Selector]) -> Selector:
        """Rebuild bottom-up, replacing each node by `fn(node)`."""
        return fn(self)

    def prefixed(self, prefix: str) -> Selector:
        """Every label key with `prefix` in front, as Calico's PrefixVisitor does (`pcns.`, `pcsa.`)."""
        return self.transform(lambda n: n.with_key(prefix + n.key) if isinstance(n, _KeyTerm) else n)

    def substitute(self, all_: Selector | None = None, global_: Selector | None = None) -> Selector:
        """Replace every `all()` by `all_` and every `global()` by `global_` (None: leave them)."""

        def swap(n: Selector) -> Selector:
            if all_ is not None and isinstance(n, All):
                return all_
            if global_ is not None and isinstance(n, Global):
                return global_
            return n

        return self.transform(swap)

    def explain(self, labels: Mapping[str, str]) -> str | None:
        """None if the selector matches, else a short reason naming a failing term.

        >>> and_(eq("app", "web"), in_("tier", ["b", "a"])).explain({"app": "web"})
        'needs tier in {"a", "b"}, but it has no tier label'
        """
        return None if self.matches(labels) else self._why_not(labels)

    def _why_not(self, labels: Mapping[str, str]) -> str:
        keys = sorted(self.labels())
        present = [f"{k}={labels[k]}" for k in keys if k in labels]
        if keys and not present:
            return _("selector {selector} does not match: it has none of the labels {keys}").format(
                selector=self, keys=", ".join(keys))
        return _("selector {selector} does not match labels {labels}").format(
            selector=self, labels="{" + ", ".join(present) + "}")


# -- leaves -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class All(Selector):
    """`all()`: matches everything."""

    def matches(self, labels: Mapping[str, str]) -> bool:
        return True

    def _mask(self, index: LabelIndex) -> np.ndarray:
        return index.all()

    def __str__(self) -> str:
        return "all()"


@dataclass(frozen=True)
class Global(Selector):
    """`global()`: true here; the engine gives it meaning by rewriting it (B.4)."""

    def matches(self, labels: Mapping[str, str]) -> bool:
        return True

    def _mask(self, index: LabelIndex) -> np.ndarray:
        return index.all()

    def __str__(self) -> str:
        return "global()"


@dataclass(frozen=True)
class _KeyTerm(Selector):
    key: str

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not _LABEL.fullmatch(self.key):
            raise ValueError(_("invalid Calico label name {key}: use letters, digits and _ . / -").format(
                key=repr(self.key)))

    def with_key(self, key: str) -> Selector:
        return replace(self, key=key)

    def _why_not(self, labels: Mapping[str, str]) -> str:
        return _needs(self, self.key, labels)


@dataclass(frozen=True)
class Has(_KeyTerm):
    """`has(k)`: the label is present, whatever its value."""

    def matches(self, labels: Mapping[str, str]) -> bool:
        return self.key in labels

    def _mask(self, index: LabelIndex) -> np.ndarray:
        return index.has(self.key)

    def __str__(self) -> str:
        return f"has({self.key})"


@dataclass(frozen=True)
class _ValueTerm(_KeyTerm):
    value: str
    op: ClassVar[str]

    def __post_init__(self) -> None:
        _KeyTerm.__post_init__(self)
        _check_value(self.value)

    def __str__(self) -> str:
        return f"{self.key} {self.op} {_quote(self.value)}"


@dataclass(frozen=True)
class Eq(_ValueTerm):
    """`k == 'v'` (absent label: false)."""

    op: ClassVar[str] = "=="

    def matches(self, labels: Mapping[str, str]) -> bool:
        return self.key in labels and labels[self.key] == self.value

    def _mask(self, index: LabelIndex) -> np.ndarray:
        return index.eq(self.key, self.value)


@dataclass(frozen=True)
class Ne(_ValueTerm):
    """`k != 'v'` (absent label: **true**)."""

    op: ClassVar[str] = "!="

    def matches(self, labels: Mapping[str, str]) -> bool:
        return self.key not in labels or labels[self.key] != self.value

    def _mask(self, index: LabelIndex) -> np.ndarray:
        return ~index.eq(self.key, self.value)


@dataclass(frozen=True)
class _StringTest(_ValueTerm):
    """contains / starts with / ends with: false when the label is absent, case-sensitive."""

    @staticmethod
    @abstractmethod
    def test(actual: str, wanted: str) -> bool: ...

    def matches(self, labels: Mapping[str, str]) -> bool:
        return self.key in labels and self.test(labels[self.key], self.value)

    def _mask(self, index: LabelIndex) -> np.ndarray:
        wanted, test = self.value, self.test
        return index.where(self.key, lambda v: test(v, wanted), cache_key=(self.op, wanted))


@dataclass(frozen=True)
class Contains(_StringTest):
    """`k contains 's'`."""

    op: ClassVar[str] = "contains"

    @staticmethod
    def test(actual: str, wanted: str) -> bool:
        return wanted in actual


@dataclass(frozen=True)
class StartsWith(_StringTest):
    """`k starts with 's'`."""

    op: ClassVar[str] = "starts with"

    @staticmethod
    def test(actual: str, wanted: str) -> bool:
        return actual.startswith(wanted)


@dataclass(frozen=True)
class EndsWith(_StringTest):
    """`k ends with 's'`."""

    op: ClassVar[str] = "ends with"

    @staticmethod
    def test(actual: str, wanted: str) -> bool:
        return actual.endswith(wanted)


@dataclass(frozen=True)
class _SetTerm(_KeyTerm):
    values: tuple[str, ...] = ()
    op: ClassVar[str]

    def __post_init__(self) -> None:
        _KeyTerm.__post_init__(self)
        if isinstance(self.values, str):  # a bare string would silently become a set of characters
            raise TypeError("values must be a collection of strings, not one string")
        values = tuple(sorted(set(self.values)))  # Calico keeps sets sorted and de-duplicated
        for v in values:
            _check_value(v)
        object.__setattr__(self, "values", values)

    def __str__(self) -> str:
        return f"{self.key} {self.op} {{{', '.join(_quote(v) for v in self.values)}}}"


@dataclass(frozen=True)
class In(_SetTerm):
    """`k in {'a', 'b'}` (absent label: false)."""

    op: ClassVar[str] = "in"

    def matches(self, labels: Mapping[str, str]) -> bool:
        return self.key in labels and labels[self.key] in self.values

    def _mask(self, index: LabelIndex) -> np.ndarray:
        return index.one_of(self.key, self.values)


@dataclass(frozen=True)
class NotIn(_SetTerm):
    """`k not in {'a', 'b'}` (absent label: **true**)."""

    op: ClassVar[str] = "not in"

    def matches(self, labels: Mapping[str, str]) -> bool:
        return self.key not in labels or labels[self.key] not in self.values

    def _mask(self, index: LabelIndex) -> np.ndarray:
        return ~index.one_of(self.key, self.values)


# -- composites -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Not(Selector):
    """`!x`."""

    operand: Selector

    def __post_init__(self) -> None:
        if not isinstance(self.operand, Selector):
            raise TypeError("operand must be a Selector")

    def matches(self, labels: Mapping[str, str]) -> bool:
        return not self.operand.matches(labels)

    def _mask(self, index: LabelIndex) -> np.ndarray:
        return ~self.operand._mask(index)

    def __str__(self) -> str:
        # The parser folds `!!x` into `x`, so a double negation must keep its parentheses.
        inner = str(self.operand)
        return f"!({inner})" if isinstance(self.operand, Not) else f"!{inner}"

    def children(self) -> tuple[Selector, ...]:
        return (self.operand,)

    def transform(self, fn: Callable[[Selector], Selector]) -> Selector:
        return fn(Not(self.operand.transform(fn)))

    def _why_not(self, labels: Mapping[str, str]) -> str:
        if isinstance(self.operand, All):
            return _("needs !all(), which matches nothing")
        if isinstance(self.operand, _KeyTerm):
            return _needs(self, self.operand.key, labels)
        return super()._why_not(labels)


@dataclass(frozen=True)
class _Chain(Selector):
    operands: tuple[Selector, ...]
    joiner: ClassVar[str]

    def __post_init__(self) -> None:
        operands = tuple(self.operands)
        if len(operands) < 2:  # one operand prints as `(x)`, which parses back as plain `x`
            raise ValueError(f"{type(self).__name__} needs at least two operands; use and_()/or_()")
        if not all(isinstance(o, Selector) for o in operands):
            raise TypeError("operands must be Selectors")
        object.__setattr__(self, "operands", operands)

    def __str__(self) -> str:
        return "(" + f" {self.joiner} ".join(str(o) for o in self.operands) + ")"

    def children(self) -> tuple[Selector, ...]:
        return self.operands

    def transform(self, fn: Callable[[Selector], Selector]) -> Selector:
        return fn(replace(self, operands=tuple(o.transform(fn) for o in self.operands)))


@dataclass(frozen=True)
class And(_Chain):
    """`a && b && ...`."""

    joiner: ClassVar[str] = "&&"

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(o.matches(labels) for o in self.operands)

    def _mask(self, index: LabelIndex) -> np.ndarray:
        out: np.ndarray = np.logical_and.reduce([o._mask(index) for o in self.operands])
        return out

    def _why_not(self, labels: Mapping[str, str]) -> str:
        # Name the first conjunct that fails: that is the one a learner has to fix.
        for o in self.operands:
            if not o.matches(labels):
                return o._why_not(labels)
        return super()._why_not(labels)


@dataclass(frozen=True)
class Or(_Chain):
    """`a || b || ...`."""

    joiner: ClassVar[str] = "||"

    def matches(self, labels: Mapping[str, str]) -> bool:
        return any(o.matches(labels) for o in self.operands)

    def _mask(self, index: LabelIndex) -> np.ndarray:
        out: np.ndarray = np.logical_or.reduce([o._mask(index) for o in self.operands])
        return out


# -- constructors -----------------------------------------------------------------------------


def all_() -> Selector:
    """`all()`."""
    return All()


def global_() -> Selector:
    """`global()`."""
    return Global()


def has(key: str) -> Selector:
    """`has(key)`."""
    return Has(key)


def eq(key: str, value: str) -> Selector:
    """`key == "value"`."""
    return Eq(key, value)


def in_(key: str, values: Iterable[str]) -> Selector:
    """`key in {...}` (values sorted and de-duplicated, as Calico stores them)."""
    return In(key, tuple(values))


def not_(sel: Selector) -> Selector:
    """`!sel`; `not_(not_(x))` is `x`, as the parser reads `!!x`."""
    return sel.operand if isinstance(sel, Not) else Not(sel)


def and_(*sels: Selector) -> Selector:
    """`(a && b ...)`; no operands is `all()`, one is itself. Nested chains are kept, not flattened.

    >>> str(and_()), str(and_(has("a"))), str(and_(has("a"), has("b")))
    ('all()', 'has(a)', '(has(a) && has(b))')
    """
    if not sels:
        return All()
    return sels[0] if len(sels) == 1 else And(sels)


def or_(*sels: Selector) -> Selector:
    """`(a || b ...)`; no operands matches nothing (`!all()`), one is itself."""
    if not sels:
        return Not(All())
    return sels[0] if len(sels) == 1 else Or(sels)

