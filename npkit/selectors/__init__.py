"""Label logic, and nothing about policies: label indexes and the Calico selector language.

Imports only from `npkit.model` (plus stdlib and numpy).
"""

from .calico import Selector, SelectorSyntaxError, parse
from .index import LabelIndex

__all__ = ["LabelIndex", "Selector", "SelectorSyntaxError", "parse"]
