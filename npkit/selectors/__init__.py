"""Label logic, and nothing about policies: K8s LabelSelectors, Calico selectors, label indexes.

Imports only from `npkit.model` (plus stdlib and numpy).

- `LabelIndex`: inverted index over N label dicts; read-only numpy masks.
- `k8s`: `matches`, `mask`, `describe`, `mismatch`, `to_calico` for `metav1.LabelSelector`.
- `calico` (also re-exported here): `parse` -> `Selector` (matches, mask, str, explain,
  prefixed, substitute), the node classes and the constructors `all_`, `eq`, `has`, `and_`...
"""

from __future__ import annotations

import importlib

from . import k8s
from .index import LabelIndex

TYPE_CHECKING = False  # not typing's: this package is imported by every command
if TYPE_CHECKING:  # the Calico names below, for type checkers (at run time: __getattr__, on first use)
    from . import calico
    from .calico import *

__all__ = [
    "LabelIndex", "calico", "k8s", "All", "And", "Contains", "EndsWith", "Eq", "Global", "Has", "In", "Ne",
    "Not", "NotIn", "Or", "Selector", "SelectorSyntaxError", "StartsWith", "all_", "and_", "eq", "global_",
    "has", "in_", "not_", "or_", "parse",
]

# The Calico selector language (its parser and syntax tree) is imported on first use: reading and
# evaluating Kubernetes NetworkPolicy never needs it, and it is a tenth of npkit's start-up.
_CALICO_NAMES = frozenset(__all__) - {"LabelIndex", "k8s"}


def __getattr__(name: str) -> object:
    if name != "calico" and name not in _CALICO_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    calico_module = importlib.import_module(".calico", __name__)
    value = calico_module if name == "calico" else getattr(calico_module, name)
    globals()[name] = value
    return value
