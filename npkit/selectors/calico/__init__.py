"""The Calico selector language (docs/semantics/calico.md): parse, evaluate, rewrite.

>>> sel = parse("role == 'db' && env != 'prod'")
>>> sel.matches({"role": "db"}), sel.matches({"role": "db", "env": "prod"})
(True, False)
"""

from .ast import (
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
    StartsWith,
    all_,
    and_,
    eq,
    global_,
    has,
    in_,
    not_,
    or_,
)
from .errors import SelectorSyntaxError
from .parser import parse

__all__ = [
    "All", "And", "Contains", "EndsWith", "Eq", "Global", "Has", "In", "Ne", "Not", "NotIn", "Or",
    "Selector", "StartsWith", "SelectorSyntaxError", "all_", "and_", "eq", "global_", "has", "in_",
    "not_", "or_", "parse",
]
