"""Label logic, and nothing about policies: K8s LabelSelectors, Calico selectors, label indexes.

Imports only from `npkit.model` (plus stdlib and numpy).

- `LabelIndex`: inverted index over N label dicts; read-only numpy masks.
- `k8s`: `matches`, `mask`, `describe`, `mismatch`, `to_calico` for `metav1.LabelSelector`.
- `calico`: `parse` -> `Selector` (matches, mask, str, explain, prefixed, substitute).
"""

from . import calico, k8s
from .calico import Selector, SelectorSyntaxError, parse
from .index import LabelIndex

__all__ = ["LabelIndex", "Selector", "SelectorSyntaxError", "calico", "k8s", "parse"]
