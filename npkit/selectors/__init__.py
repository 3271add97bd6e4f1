"""Label logic, and nothing about policies: K8s LabelSelectors, Calico selectors, label indexes.

Imports only from `npkit.model` (plus stdlib and numpy).

- `LabelIndex`: inverted index over N label dicts; read-only numpy masks.
- `k8s`: `matches`, `mask`, `describe`, `mismatch`, `to_calico` for `metav1.LabelSelector`.
- `calico` (also re-exported here): `parse` -> `Selector` (matches, mask, str, explain,
  prefixed, substitute), the node classes and the constructors `all_`, `eq`, `has`, `and_`...
"""

from . import calico, k8s
from .calico import (
    All,
    And,
    Contains,
    EndsWith,
    Eq,
    Global,
    Has,
    In,
    Ne,
    Not,
    NotIn,
    Or,
    Selector,
    SelectorSyntaxError,
    StartsWith,
    all_,
    and_,
    eq,
    global_,
    has,
    in_,
    not_,
    or_,
    parse,
)
from .index import LabelIndex

__all__ = [
    "LabelIndex", "calico", "k8s", "All", "And", "Contains", "EndsWith", "Eq", "Global", "Has", "In", "Ne",
    "Not", "NotIn", "Or", "Selector", "SelectorSyntaxError", "StartsWith", "all_", "and_", "eq", "global_",
    "has", "in_", "not_", "or_", "parse",
]
